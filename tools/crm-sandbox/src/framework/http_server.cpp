#include "framework/http_server.hpp"

#include "framework/sandbox_app.hpp"

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/ThreadPool.h>

#include <boost/json/serialize.hpp>

#include <istream>
#include <iterator>

namespace appconnect::crm_sandbox {

namespace {

std::string read_body(Poco::Net::HTTPServerRequest& request) {
  std::string body;
  // RFC 7230 3.3.3: without Content-Length or chunked encoding a request has no body. (Poco would
  // otherwise read a bodiless POST until the client closes the keep-alive connection.)
  if (!request.getChunkedTransferEncoding() && !request.hasContentLength()) return body;
  auto& in = request.stream();
  if (request.hasContentLength() && request.getContentLength64() > 0)
    body.reserve(static_cast<std::size_t>(request.getContentLength64()));
  char buffer[8192];
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0) body.append(buffer, static_cast<std::size_t>(in.gcount()));
  return body;
}

Request to_request(Poco::Net::HTTPServerRequest& in, const std::string& base_url) {
  Request r;
  r.method = in.getMethod();
  for (auto& c : r.method) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  const std::string& uri = in.getURI();
  const auto q = uri.find('?');
  r.path = percent_decode(uri.substr(0, q), false);
  if (q != std::string::npos) {
    r.query_string = uri.substr(q + 1);
    r.query = parse_query_string(r.query_string);
  }
  for (const auto& [name, value] : in) {
    auto key = to_lower(name);
    auto it = r.headers.find(key);
    if (it == r.headers.end())
      r.headers.emplace(std::move(key), value);
    else
      it->second += ", " + value;
  }
  r.body = read_body(in);
  r.base_url = base_url;
  return r;
}

class Handler : public Poco::Net::HTTPRequestHandler {
 public:
  explicit Handler(SandboxApp& app) : app_(app) {}

  void handleRequest(Poco::Net::HTTPServerRequest& in, Poco::Net::HTTPServerResponse& out) override {
    Response response;
    try {
      response = app_.handle(to_request(in, app_.base_url()));
    } catch (const std::exception& e) {
      response = Response::json(500, boost::json::object{{"error", std::string("sandbox: ") + e.what()}});
    }
    out.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(response.status));
    for (const auto& [name, value] : response.headers) out.set(name, value);
    // An explicit length (0 for 204/302) keeps the connection reusable: keep-alive matters for
    // benchmarks, where a new TCP connection per request would dominate.
    out.setContentLength64(static_cast<Poco::Int64>(response.body.size()));
    if (response.body.empty())
      out.send();
    else
      out.sendBuffer(response.body.data(), response.body.size());
  }

 private:
  SandboxApp& app_;
};

class Factory : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  explicit Factory(SandboxApp& app) : app_(app) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
    return new Handler(app_);
  }

 private:
  SandboxApp& app_;
};

} // namespace

struct HttpServer::Impl {
  SandboxApp& app;
  ServerOptions options;
  std::unique_ptr<Poco::ThreadPool> pool;
  std::unique_ptr<Poco::Net::HTTPServer> server;
  std::uint16_t port = 0;
};

HttpServer::HttpServer(SandboxApp& app, ServerOptions options)
    : impl_(std::make_unique<Impl>(Impl{app, std::move(options), nullptr, nullptr, 0})) {}

HttpServer::~HttpServer() {
  stop();
}

void HttpServer::start() {
  Poco::Net::ServerSocket socket;
  socket.bind(Poco::Net::SocketAddress(impl_->options.host, impl_->options.port), true);
  socket.listen(1024);
  impl_->port = socket.address().port();

  const int threads = impl_->options.max_threads < 2 ? 2 : impl_->options.max_threads;
  auto params = new Poco::Net::HTTPServerParams;
  params->setMaxThreads(threads);
  params->setMaxQueued(4096);
  params->setKeepAlive(true);
  params->setMaxKeepAliveRequests(0); // unlimited per connection
  params->setKeepAliveTimeout(Poco::Timespan(30, 0));
  params->setServerName("appconnect-crm-sandbox");
  // Poco's default pool has 16 threads; a private one lets many keep-alive clients in at once.
  impl_->pool = std::make_unique<Poco::ThreadPool>(2, threads, 60);
  impl_->server = std::make_unique<Poco::Net::HTTPServer>(new Factory(impl_->app), *impl_->pool, socket, params);
  impl_->server->start();
}

void HttpServer::stop() {
  if (impl_ && impl_->server) {
    impl_->server->stopAll(true); // abort idle keep-alive connections instead of waiting them out
    impl_->server.reset();
    impl_->pool->joinAll();
    impl_->pool.reset();
  }
}

std::uint16_t HttpServer::port() const {
  return impl_->port;
}

} // namespace appconnect::crm_sandbox
