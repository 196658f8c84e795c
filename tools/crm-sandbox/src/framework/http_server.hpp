// The socket edge: a threaded Poco HTTPServer with keep-alive that converts each exchange to a
// Request, lets SandboxApp answer it, and writes the Response back.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

namespace appconnect::crm_sandbox {

class SandboxApp;

struct ServerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0; // 0: any free port
  // Each keep-alive connection holds a thread while it is open, so this bounds concurrent clients.
  int max_threads = 128;
};

class HttpServer {
 public:
  HttpServer(SandboxApp& app, ServerOptions options);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and starts accepting; throws on bind failure.
  void start();
  void stop();
  std::uint16_t port() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

} // namespace appconnect::crm_sandbox
