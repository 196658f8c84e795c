// A Poco HTTPServer on 127.0.0.1:<ephemeral port> for tests that need a real peer: the handler is a
// lambda, and the server counts requests and distinct client connections (to observe keep-alive reuse).
// Given a server TLS context it serves HTTPS instead. Header-only so tests/unit/plugins can use it too.
#pragma once

#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>

namespace appconnect_test {

class LoopbackServer {
 public:
  using Handler = std::function<void(Poco::Net::HTTPServerRequest&, Poco::Net::HTTPServerResponse&)>;

  explicit LoopbackServer(Handler handler, std::chrono::milliseconds keep_alive_timeout = std::chrono::seconds(15),
                          Poco::Net::Context::Ptr tls = nullptr)
      : state_(std::make_shared<State>()), scheme_(tls ? "https" : "http") {
    state_->handler = std::move(handler);
    auto params = Poco::Net::HTTPServerParams::Ptr(new Poco::Net::HTTPServerParams);
    params->setKeepAlive(true);
    params->setKeepAliveTimeout(
        Poco::Timespan(static_cast<Poco::Timespan::TimeDiff>(keep_alive_timeout.count()) * 1000));
    params->setMaxThreads(8);
    // A Poco socket is a handle to a shared implementation, so the secure one survives the copy.
    Poco::Net::ServerSocket socket;
    if (tls) {
      socket = Poco::Net::SecureServerSocket(Poco::Net::SocketAddress("127.0.0.1", 0), 64, tls);
    } else {
      socket = Poco::Net::ServerSocket(Poco::Net::SocketAddress("127.0.0.1", 0));
    }
    port_ = socket.address().port();
    server_ = std::make_unique<Poco::Net::HTTPServer>(new Factory(state_), socket, params);
    server_->start();
  }

  ~LoopbackServer() {
    state_->stopping = true;
    server_->stopAll(true);
    // Handlers still running reference test state through `state_`; let them finish before returning.
    for (int i = 0; i < 500 && state_->active.load() > 0; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }

  LoopbackServer(const LoopbackServer&) = delete;
  LoopbackServer& operator=(const LoopbackServer&) = delete;

  std::uint16_t port() const { return port_; }
  std::string url(const std::string& path = "/") const {
    return scheme_ + "://127.0.0.1:" + std::to_string(port_) + path;
  }
  std::size_t connections() const {
    std::lock_guard lock(state_->mutex);
    return state_->clients.size();
  }
  int requests() const { return state_->requests.load(); }

  // For slow handlers: sleeps up to `duration`, returning early when the server is being stopped.
  bool sleep_unless_stopping(std::chrono::milliseconds duration) const {
    const auto until = std::chrono::steady_clock::now() + duration;
    while (std::chrono::steady_clock::now() < until) {
      if (state_->stopping) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return true;
  }

 private:
  struct State {
    Handler handler;
    std::atomic<bool> stopping{false};
    std::atomic<int> active{0};
    std::atomic<int> requests{0};
    mutable std::mutex mutex;
    std::set<std::string> clients; // "ip:port" of each client connection seen
  };

  class RequestHandler final : public Poco::Net::HTTPRequestHandler {
   public:
    explicit RequestHandler(std::shared_ptr<State> state) : state_(std::move(state)) {}
    void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override {
      ++state_->active;
      ++state_->requests;
      {
        std::lock_guard lock(state_->mutex);
        state_->clients.insert(request.clientAddress().toString());
      }
      try {
        state_->handler(request, response);
      } catch (...) {
      }
      --state_->active;
    }

   private:
    std::shared_ptr<State> state_;
  };

  class Factory final : public Poco::Net::HTTPRequestHandlerFactory {
   public:
    explicit Factory(std::shared_ptr<State> state) : state_(std::move(state)) {}
    Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
      return new RequestHandler(state_);
    }

   private:
    std::shared_ptr<State> state_;
  };

  std::shared_ptr<State> state_;
  std::string scheme_;
  std::uint16_t port_ = 0;
  std::unique_ptr<Poco::Net::HTTPServer> server_;
};

} // namespace appconnect_test
