// The host's HTTP front: a small router over Poco's HTTPServer. Every response is JSON unless a handler
// says otherwise, and every error is {"error":{"code","message"}} with a fitting status.
#pragma once

#include <boost/json/value.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace Poco {
class ThreadPool;
namespace Net {
class HTTPServer;
}
} // namespace Poco

namespace appconnect::http {

struct Request {
  std::string method;
  std::string path;
  std::map<std::string, std::string> query;
  std::map<std::string, std::string> headers; // lower-case names
  std::map<std::string, std::string> params;  // from {name} segments of the route
  std::string body;
  std::string remote_address;
  std::string request_id; // X-Request-Id as sent (when sane) or generated; echoed on the response

  std::string header(std::string_view lower_name) const;
  std::string query_param(std::string_view name, std::string_view fallback = {}) const;
  // A whole-number query parameter: `fallback` when absent, nullopt when it is not a whole number.
  std::optional<std::int64_t> int_param(std::string_view name, std::int64_t fallback) const;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;

  static Response json(int status, const boost::json::value& doc);
  static Response error(int status, std::string_view code, std::string_view message);
};

using Handler = std::function<Response(const Request&)>;

class Router {
 public:
  // `pattern` is a path with {name} segments, e.g. "/v1/events/{id}".
  void add(std::string method, std::string pattern, Handler handler);
  // 404 for an unknown path, 405 for a known path with another method.
  Response dispatch(Request& request) const;
  // Every route as (method, pattern), in the order added: docs/api/openapi.yaml is checked against it.
  std::vector<std::pair<std::string, std::string>> list() const;

 private:
  struct Route {
    std::string method;
    std::string pattern;
    std::vector<std::string> segments;
    Handler handler;
  };
  std::vector<Route> routes_;
};

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 8080;      // 0 = any free port; read it back with Server::port()
  int max_threads = 16; // requests served at once
  int max_queued = 256; // accepted connections waiting for a thread; beyond that they are closed
  std::int64_t max_body_bytes = 1 << 20;
  std::int64_t timeout_ms = 30000; // socket receive/send timeout
  std::int64_t keep_alive_timeout_ms = 10000;
  int max_keep_alive_requests = 1000;
  // Both set: HTTPS only (PEM files). Loading them fails start() with a Poco exception.
  std::string tls_cert_file;
  std::string tls_key_file;
};

class Server {
 public:
  Server(std::shared_ptr<const Router> router, ServerOptions options);
  ~Server();
  void start();
  void stop();
  int port() const;

 private:
  std::shared_ptr<const Router> router_;
  ServerOptions options_;
  std::unique_ptr<Poco::ThreadPool> threads_; // outlives server_: Poco's default pool caps at 16 threads
  std::unique_ptr<Poco::Net::HTTPServer> server_;
  int port_ = 0;
};

} // namespace appconnect::http
