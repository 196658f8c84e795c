#include "http/server.hpp"

#include "common/log.hpp"

#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/ThreadPool.h>
#include <Poco/URI.h>

#include <boost/json.hpp>

#include <algorithm>
#include <cctype>
#include <mutex>
#include <random>
#include <sstream>

namespace appconnect::http {
namespace {

std::vector<std::string> split_path(std::string_view path) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < path.size()) {
    while (i < path.size() && path[i] == '/') ++i;
    std::size_t j = i;
    while (j < path.size() && path[j] != '/') ++j;
    if (j > i) out.emplace_back(path.substr(i, j - i));
    i = j;
  }
  return out;
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// A client's X-Request-Id is kept when it is short and plain (it lands in log lines and headers);
// otherwise, and when absent, the host makes one.
bool sane_request_id(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' || c == ':')) return false;
  return true;
}

std::string new_request_id() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id(16, '0');
  auto bits = rng();
  for (auto& c : id) {
    c = kHex[bits & 0xf];
    bits >>= 4;
  }
  return id;
}

class RouterHandler final : public Poco::Net::HTTPRequestHandler {
 public:
  RouterHandler(std::shared_ptr<const Router> router, std::int64_t max_body)
      : router_(std::move(router)), max_body_(max_body) {}

  void handleRequest(Poco::Net::HTTPServerRequest& in, Poco::Net::HTTPServerResponse& out) override {
    const std::string sent_id = in.get("X-Request-Id", "");
    const std::string request_id = sane_request_id(sent_id) ? sent_id : new_request_id();
    const log::ScopedContext request_scope("request_id", request_id);
    Response response;
    try {
      response = handle(in, request_id);
    } catch (const std::exception& ex) {
      log::error("http", "handler failed",
                 {{"path", in.getURI().substr(0, in.getURI().find('?'))}, {"error", ex.what()}});
      response = Response::error(500, "internal", "the request could not be handled; see the host log");
    }
    out.setStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(response.status));
    out.setContentType(response.content_type);
    for (const auto& [k, v] : response.headers) out.set(k, v);
    out.set("X-Request-Id", request_id);
    out.setContentLength(static_cast<std::streamsize>(response.body.size()));
    out.sendBuffer(response.body.data(), response.body.size());
  }

 private:
  Response handle(Poco::Net::HTTPServerRequest& in, const std::string& request_id) {
    Request req;
    req.method = in.getMethod();
    req.request_id = request_id;
    Poco::URI uri;
    try {
      uri = Poco::URI(in.getURI());
    } catch (const Poco::Exception&) {
      return Response::error(400, "bad_uri", "the request URI is malformed");
    }
    req.path = uri.getPath();
    for (const auto& [k, v] : uri.getQueryParameters()) req.query[k] = v;
    for (const auto& [k, v] : in) req.headers[lower(k)] = v;
    req.remote_address = in.clientAddress().toString();
    const auto declared = in.getContentLength64();
    if (declared != Poco::Net::HTTPMessage::UNKNOWN_CONTENT_LENGTH && declared > max_body_) {
      // Read (and drop) a moderately oversized body so the client, still sending, gets our JSON answer
      // instead of a reset connection; a huge one is refused without reading it.
      if (declared <= kDrainLimitBytes) {
        char sink[16384];
        auto& stream = in.stream();
        while (stream.read(sink, sizeof sink) || stream.gcount() > 0) {
        }
      }
      return Response::error(413, "payload_too_large",
                             "the body exceeds the limit of " + std::to_string(max_body_) + " bytes");
    }
    // Read at most limit + 1 bytes, whatever the framing (chunked bodies have no declared length).
    auto& stream = in.stream();
    std::string body;
    char buf[16384];
    while (stream) {
      stream.read(buf, sizeof buf);
      body.append(buf, static_cast<std::size_t>(stream.gcount()));
      if (static_cast<std::int64_t>(body.size()) > max_body_)
        return Response::error(413, "payload_too_large",
                               "the body exceeds the limit of " + std::to_string(max_body_) + " bytes");
    }
    req.body = std::move(body);
    return router_->dispatch(req);
  }

  static constexpr std::int64_t kDrainLimitBytes = 16 << 20;
  std::shared_ptr<const Router> router_;
  std::int64_t max_body_;
};

class Factory final : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  Factory(std::shared_ptr<const Router> router, std::int64_t max_body)
      : router_(std::move(router)), max_body_(max_body) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
    return new RouterHandler(router_, max_body_);
  }

 private:
  std::shared_ptr<const Router> router_;
  std::int64_t max_body_;
};

} // namespace

std::string Request::header(std::string_view lower_name) const {
  auto it = headers.find(std::string(lower_name));
  return it == headers.end() ? std::string() : it->second;
}

std::optional<std::int64_t> Request::int_param(std::string_view name, std::int64_t fallback) const {
  const std::string v = query_param(name);
  if (v.empty()) return fallback;
  try {
    std::size_t used = 0;
    const auto n = std::stoll(v, &used);
    if (used == v.size()) return n;
  } catch (const std::exception&) {
  }
  return std::nullopt;
}

std::string Request::query_param(std::string_view name, std::string_view fallback) const {
  auto it = query.find(std::string(name));
  return it == query.end() ? std::string(fallback) : it->second;
}

Response Response::json(int status, const boost::json::value& doc) {
  Response r;
  r.status = status;
  r.body = boost::json::serialize(doc);
  return r;
}

Response Response::error(int status, std::string_view code, std::string_view message) {
  return json(status, boost::json::object{{"error", boost::json::object{{"code", code}, {"message", message}}}});
}

void Router::add(std::string method, std::string pattern, Handler handler) {
  auto segments = split_path(pattern);
  routes_.push_back(Route{std::move(method), std::move(pattern), std::move(segments), std::move(handler)});
}

std::vector<std::pair<std::string, std::string>> Router::list() const {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& r : routes_) out.emplace_back(r.method, r.pattern);
  return out;
}

Response Router::dispatch(Request& request) const {
  const auto segments = split_path(request.path);
  bool path_known = false;
  for (const auto& route : routes_) {
    if (route.segments.size() != segments.size()) continue;
    std::map<std::string, std::string> params;
    bool match = true;
    for (std::size_t i = 0; i < segments.size() && match; ++i) {
      const auto& want = route.segments[i];
      if (want.size() > 2 && want.front() == '{' && want.back() == '}')
        params[want.substr(1, want.size() - 2)] = segments[i];
      else
        match = want == segments[i];
    }
    if (!match) continue;
    path_known = true;
    if (route.method != request.method) continue;
    request.params = std::move(params);
    return route.handler(request);
  }
  if (path_known)
    return Response::error(405, "method_not_allowed", request.method + " is not allowed on " + request.path);
  return Response::error(404, "not_found", "no route for " + request.method + " " + request.path);
}

Server::Server(std::shared_ptr<const Router> router, ServerOptions options)
    : router_(std::move(router)), options_(std::move(options)) {}

Server::~Server() {
  stop();
}

void Server::start() {
  Poco::Net::SocketAddress address(options_.host, static_cast<Poco::UInt16>(options_.port));
  const bool tls = !options_.tls_cert_file.empty() || !options_.tls_key_file.empty();
  Poco::Net::ServerSocket socket;
  if (tls) {
    static std::once_flag ssl_once;
    std::call_once(ssl_once, [] { Poco::Net::initializeSSL(); });
    // TLS 1.2 or later, the system's default ciphers; clients are not asked for certificates.
    Poco::Net::Context::Ptr context =
        new Poco::Net::Context(Poco::Net::Context::TLS_SERVER_USE, options_.tls_key_file, options_.tls_cert_file, "",
                               Poco::Net::Context::VERIFY_NONE, 9, false, "HIGH:!aNULL:!MD5:!RC4");
    context->disableProtocols(Poco::Net::Context::PROTO_SSLV2 | Poco::Net::Context::PROTO_SSLV3 |
                              Poco::Net::Context::PROTO_TLSV1 | Poco::Net::Context::PROTO_TLSV1_1);
    socket = Poco::Net::SecureServerSocket(address, 256, context);
  } else {
    socket = Poco::Net::ServerSocket(address, 256);
  }
  port_ = socket.address().port();
  auto* params = new Poco::Net::HTTPServerParams;
  params->setMaxThreads(options_.max_threads);
  params->setMaxQueued(options_.max_queued);
  params->setKeepAlive(true);
  params->setTimeout(Poco::Timespan(options_.timeout_ms * 1000));
  params->setKeepAliveTimeout(Poco::Timespan(options_.keep_alive_timeout_ms * 1000));
  params->setMaxKeepAliveRequests(options_.max_keep_alive_requests);
  threads_ = std::make_unique<Poco::ThreadPool>(2, std::max(2, options_.max_threads));
  server_ =
      std::make_unique<Poco::Net::HTTPServer>(new Factory(router_, options_.max_body_bytes), *threads_, socket, params);
  server_->start();
}

void Server::stop() {
  if (server_) {
    server_->stopAll(true);
    server_.reset();
    if (threads_) threads_->joinAll();
    threads_.reset();
  }
}

int Server::port() const {
  return port_;
}

} // namespace appconnect::http
