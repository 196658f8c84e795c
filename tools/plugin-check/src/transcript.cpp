#include "transcript.hpp"

#include "httpclient/http_client.hpp"

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/ThreadPool.h>

#include <boost/json.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <deque>
#include <fstream>
#include <functional>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>
#include <utility>

namespace appconnect::plugin_check {

namespace json = boost::json;

namespace {

constexpr const char* kRedacted = "redacted-by-plugin-check";

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool secret_key(std::string_view key) {
  static const std::set<std::string, std::less<>> keys{"access_token", "refresh_token", "id_token", "client_secret",
                                                       "password"};
  return keys.find(lower(std::string(key))) != keys.end();
}

// True when something was redacted.
bool redact_json(json::value& v) {
  bool changed = false;
  if (auto* o = v.if_object()) {
    for (auto& kv : *o) {
      if (secret_key(kv.key()) && kv.value().is_string() && kv.value().get_string() != kRedacted) {
        kv.value() = kRedacted;
        changed = true;
      } else {
        changed = redact_json(kv.value()) || changed;
      }
    }
  } else if (auto* a = v.if_array()) {
    for (auto& e : *a) changed = redact_json(e) || changed;
  }
  return changed;
}

// Redacts token-like fields in a JSON body or an application/x-www-form-urlencoded body (or query string).
// Anything else is kept as it is: the transcript is meant to be read and edited by people.
std::string redact(const std::string& text) {
  if (text.empty()) return text;
  if (text.front() == '{' || text.front() == '[') {
    boost::system::error_code ec;
    auto doc = json::parse(text, ec);
    // Re-serialized only when a secret was found, so that other bodies keep their exact bytes.
    return !ec && redact_json(doc) ? json::serialize(doc) : text;
  }
  if (text.find('=') == std::string::npos || text.find_first_of(" \n{") != std::string::npos) return text;
  std::string out;
  std::size_t start = 0;
  while (start <= text.size()) {
    auto end = text.find('&', start);
    if (end == std::string::npos) end = text.size();
    const std::string pair = text.substr(start, end - start);
    const auto eq = pair.find('=');
    if (!out.empty() || start > 0) out += '&';
    out += eq != std::string::npos && secret_key(pair.substr(0, eq)) ? pair.substr(0, eq + 1) + kRedacted : pair;
    start = end + 1;
  }
  return out;
}

// ---- a small loopback HTTP server around a handler function

struct Incoming {
  std::string method, path, query, body;
  std::map<std::string, std::string> headers; // lower-case names
};

struct Reply {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  static Reply error(int status, const std::string& code, const std::string& message) {
    return Reply{status,
                 {{"Content-Type", "application/json"}},
                 json::serialize(json::object{{"error", json::object{{"code", code}, {"message", message}}}})};
  }
  static Reply json_body(const json::value& doc) {
    return Reply{200, {{"Content-Type", "application/json"}}, json::serialize(doc)};
  }
};

using Handle = std::function<Reply(const Incoming&)>;

std::string read_body(Poco::Net::HTTPServerRequest& request) {
  std::string body;
  // Without Content-Length or chunked encoding a request has no body (RFC 7230 3.3.3); reading on would
  // wait for the client to close its keep-alive connection.
  if (!request.getChunkedTransferEncoding() && !request.hasContentLength()) return body;
  auto& in = request.stream();
  char buffer[8192];
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0) body.append(buffer, static_cast<std::size_t>(in.gcount()));
  return body;
}

class Handler : public Poco::Net::HTTPRequestHandler {
 public:
  explicit Handler(const Handle& handle) : handle_(handle) {}
  void handleRequest(Poco::Net::HTTPServerRequest& in, Poco::Net::HTTPServerResponse& out) override {
    Reply reply;
    try {
      Incoming request;
      request.method = in.getMethod();
      const std::string& uri = in.getURI();
      const auto q = uri.find('?');
      request.path = uri.substr(0, q);
      if (q != std::string::npos) request.query = uri.substr(q + 1);
      for (const auto& [name, value] : in) request.headers[lower(name)] = value;
      request.body = read_body(in);
      reply = handle_(request);
    } catch (const std::exception& e) {
      reply = Reply::error(500, "internal", std::string("plugin-check: ") + e.what());
    }
    try {
      out.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(reply.status));
      for (const auto& [name, value] : reply.headers) out.set(name, value);
      out.setContentLength64(static_cast<Poco::Int64>(reply.body.size()));
      if (reply.body.empty())
        out.send();
      else
        out.sendBuffer(reply.body.data(), reply.body.size());
    } catch (const std::exception&) {
      // The client gave up (the timeout check does so on purpose); nothing to answer.
    }
  }

 private:
  const Handle& handle_;
};

class Factory : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  explicit Factory(const Handle& handle) : handle_(handle) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
    return new Handler(handle_);
  }

 private:
  const Handle& handle_;
};

class LoopbackServer {
 public:
  explicit LoopbackServer(Handle handle) : handle_(std::move(handle)) {
    Poco::Net::ServerSocket socket;
    socket.bind(Poco::Net::SocketAddress("127.0.0.1", 0), true);
    socket.listen(256);
    port_ = socket.address().port();
    auto params = new Poco::Net::HTTPServerParams;
    // Each keep-alive connection holds a thread; the concurrency check opens one per thread (at most 64).
    params->setMaxThreads(160);
    params->setMaxQueued(1024);
    params->setKeepAlive(true);
    params->setMaxKeepAliveRequests(0);
    params->setKeepAliveTimeout(Poco::Timespan(30, 0));
    pool_ = std::make_unique<Poco::ThreadPool>(2, 160, 60);
    server_ = std::make_unique<Poco::Net::HTTPServer>(new Factory(handle_), *pool_, socket, params);
    server_->start();
  }
  ~LoopbackServer() {
    server_->stopAll(true);
    server_.reset();
    pool_->joinAll();
  }
  LoopbackServer(const LoopbackServer&) = delete;
  LoopbackServer& operator=(const LoopbackServer&) = delete;

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  Handle handle_;
  std::unique_ptr<Poco::ThreadPool> pool_;
  std::unique_ptr<Poco::Net::HTTPServer> server_;
  std::uint16_t port_ = 0;
};

std::string describe_request(const std::string& method, const std::string& path, const std::string& query) {
  std::string s = method + " " + path + (query.empty() ? "" : "?" + query);
  return s.size() > 240 ? s.substr(0, 240) + "..." : s;
}

} // namespace

// ---- meta

json::object TranscriptMeta::to_json() const {
  return json::object{
      {"plugin_check_transcript", 1}, {"nonce", nonce}, {"phone", phone},      {"clock_ms", clock_ms},
      {"threads", threads},           {"crm", crm},     {"plugin", plugin_id}, {"plugin_version", plugin_version}};
}

std::optional<TranscriptMeta> TranscriptMeta::from_json(const json::object& o) {
  const auto* marker = o.if_contains("plugin_check_transcript");
  if (marker == nullptr || !marker->is_int64() || marker->get_int64() != 1) return std::nullopt;
  auto text = [&](const char* key) -> std::string {
    const auto* v = o.if_contains(key);
    return v && v->is_string() ? std::string(v->get_string()) : std::string();
  };
  TranscriptMeta m;
  m.nonce = text("nonce");
  m.phone = text("phone");
  m.crm = text("crm");
  m.plugin_id = text("plugin");
  m.plugin_version = text("plugin_version");
  const auto* clock = o.if_contains("clock_ms");
  const auto* threads = o.if_contains("threads");
  if (m.nonce.empty() || m.phone.empty() || clock == nullptr || !clock->is_int64() || threads == nullptr ||
      !threads->is_int64() || threads->get_int64() < 1 || threads->get_int64() > 64)
    return std::nullopt;
  m.clock_ms = clock->get_int64();
  m.threads = static_cast<int>(threads->get_int64());
  return m;
}

// ---- recording

struct RecordingProxy::Impl {
  std::string upstream;
  std::ofstream out;
  std::mutex mutex; // the file and pending_faults
  int pending_faults = 0;
  std::atomic<std::uint64_t> seq{0};
  std::atomic<std::size_t> written{0};
  httpclient::HttpClient client;
  std::unique_ptr<LoopbackServer> server;

  Reply forward(const Incoming& in) {
    const auto seq_no = ++seq;
    bool injected = false;
    {
      std::lock_guard lock(mutex);
      if (pending_faults > 0) {
        --pending_faults;
        injected = true;
      }
    }
    sdk::HttpRequest request;
    request.method = in.method;
    request.url = upstream + in.path + (in.query.empty() ? "" : "?" + in.query);
    request.body = in.body;
    // Generous: the timeout check holds a request for 2 s of injected latency after the plugin gave up.
    request.timeout_ms = 60000;
    static const std::set<std::string> hop{
        "host", "content-length", "connection", "keep-alive", "transfer-encoding", "accept-encoding", "te", "upgrade"};
    for (const auto& [name, value] : in.headers)
      if (!hop.count(name)) request.headers[name] = value;
    auto response = client.send(request);
    if (!response)
      return Reply::error(502, "upstream", "plugin-check recorder: " + upstream + ": " + response.error().message);

    Reply reply{response->status, {}, response->body};
    json::object headers;
    static const std::set<std::string> skip{"content-length", "transfer-encoding", "connection",
                                            "keep-alive",     "set-cookie",        "date"};
    for (const auto& [name, value] : response->headers) {
      if (skip.count(name)) continue;
      reply.headers.emplace_back(name, value);
      headers[name] = value;
    }
    json::object line{
        {"seq", seq_no},
        {"request",
         json::object{
             {"method", in.method}, {"path", in.path}, {"query", redact(in.query)}, {"body", redact(in.body)}}},
        {"response",
         json::object{
             {"status", response->status}, {"headers", std::move(headers)}, {"body", redact(response->body)}}}};
    if (injected) line["injected"] = true;
    {
      std::lock_guard lock(mutex);
      out << json::serialize(line) << '\n';
      out.flush();
    }
    ++written;
    return reply;
  }
};

RecordingProxy::RecordingProxy(std::string upstream, const std::filesystem::path& file, const TranscriptMeta& meta)
    : impl_(std::make_unique<Impl>()) {
  impl_->upstream = std::move(upstream);
  impl_->out.open(file, std::ios::trunc);
  if (!impl_->out) throw std::runtime_error("cannot write " + file.string());
  impl_->out << json::serialize(meta.to_json()) << '\n';
  impl_->out.flush();
  Impl* impl = impl_.get();
  impl_->server = std::make_unique<LoopbackServer>([impl](const Incoming& in) { return impl->forward(in); });
}

RecordingProxy::~RecordingProxy() {
  impl_->server.reset(); // joins the handler threads before the file closes
}

std::string RecordingProxy::url() const {
  return impl_->server->url();
}

void RecordingProxy::expect_faults(int count) {
  std::lock_guard lock(impl_->mutex);
  impl_->pending_faults += count;
}

std::size_t RecordingProxy::recorded() const {
  return impl_->written.load();
}

// ---- replay

struct ReplayServer::Impl {
  struct Exchange {
    std::uint64_t seq = 0;
    std::string method, path, query, body;
    bool injected = false;
    int status = 0;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string response_body;
    bool used = false;
  };
  struct Fault {
    int status = 0;
    int count = 1;
  };

  TranscriptMeta meta;
  std::mutex mutex; // everything below
  std::vector<Exchange> exchanges;
  std::deque<Fault> faults;
  int latency_ms = 0;
  std::vector<std::string> unmatched;
  std::vector<std::string> loose; // requests answered by the method + path fallback, with another query
  std::unique_ptr<LoopbackServer> server;

  // The first unused exchange by recording order: same method, path, query and body; else same method, path and
  // query; else same method and path. While a fault is pending only the faults recorded with that status qualify.
  Exchange* match(const Incoming& in, std::optional<int> fault) {
    const std::string query = redact(in.query), body = redact(in.body);
    for (int tier = 0; tier < 3; ++tier)
      for (auto& e : exchanges) {
        if (e.used || e.injected != fault.has_value() || (fault && e.status != *fault)) continue;
        if (e.method != in.method || e.path != in.path) continue;
        if (tier < 2 && e.query != query) continue;
        if (tier < 1 && e.body != body) continue;
        e.used = true;
        if (tier == 2 && e.query != query)
          loose.push_back(describe_request(in.method, in.path, in.query) + " with the recording of ?" +
                          e.query.substr(0, 160));
        return &e;
      }
    return nullptr;
  }

  Reply crm(const Incoming& in) {
    Reply reply;
    int delay = 0;
    {
      std::lock_guard lock(mutex);
      std::optional<int> fault;
      if (!faults.empty()) {
        fault = faults.front().status;
        if (--faults.front().count == 0) faults.pop_front();
      }
      delay = latency_ms;
      if (auto* e = match(in, fault)) {
        reply = Reply{e->status, e->headers, e->response_body};
      } else {
        const std::string what = describe_request(in.method, in.path, in.query) +
                                 (fault ? " (with an injected " + std::to_string(*fault) + ")" : "");
        unmatched.push_back(what);
        reply = Reply::error(501, "not_in_transcript", "no unused recorded exchange matches " + what);
      }
    }
    // Slept without the lock, as the sandbox does, so a slow answer does not hold up the others.
    if (delay > 0) std::this_thread::sleep_for(std::chrono::milliseconds(delay));
    return reply;
  }

  json::object config_locked() const {
    json::array pending;
    for (const auto& f : faults) pending.push_back(json::object{{"status", f.status}, {"count", f.count}});
    return json::object{{"latency_ms", latency_ms}, {"fail_next", std::move(pending)}};
  }

  // The subset of the sandbox's POST /__sandbox/config the suite sends. Anything a transcript cannot honour
  // (random fault rates, jitter, other knobs) is refused, so a check never passes on a knob that did nothing.
  Reply configure(const Incoming& in) {
    boost::system::error_code ec;
    auto doc = json::parse(in.body, ec);
    if (ec || !doc.is_object()) return Reply::error(400, "bad_request", "the body must be a JSON object");
    std::lock_guard lock(mutex);
    std::deque<Fault> added;
    int latency = latency_ms;
    for (const auto& kv : doc.get_object()) {
      const auto& v = kv.value();
      if (kv.key() == "latency_ms") {
        if (!v.is_int64() || v.get_int64() < 0 || v.get_int64() > 60000)
          return Reply::error(400, "bad_request", "latency_ms must be 0..60000");
        latency = static_cast<int>(v.get_int64());
      } else if (kv.key() == "latency_jitter_ms" || kv.key() == "fail_rate_429" || kv.key() == "fail_rate_5xx") {
        if (!(v.is_int64() && v.get_int64() == 0) && !(v.is_double() && v.get_double() == 0.0))
          return Reply::error(400, "not_replayable", std::string(kv.key()) + " cannot be replayed from a transcript");
      } else if (kv.key() == "fail_next") {
        if (!v.is_array()) return Reply::error(400, "bad_request", "fail_next must be an array");
        for (const auto& f : v.get_array()) {
          const auto* o = f.if_object();
          const auto* status = o ? o->if_contains("status") : nullptr;
          const auto* count = o ? o->if_contains("count") : nullptr;
          if (status == nullptr || !status->is_int64())
            return Reply::error(400, "bad_request", "fail_next entries need a numeric status");
          const int n = count && count->is_int64() ? static_cast<int>(count->get_int64()) : 1;
          if (n < 1) return Reply::error(400, "bad_request", "fail_next count must be at least 1");
          // retry_after_s is not needed: the recorded fault carries the CRM's own Retry-After header.
          added.push_back({static_cast<int>(status->get_int64()), n});
        }
      } else {
        return Reply::error(400, "not_replayable",
                            "the transcript replay does not emulate the sandbox knob " + std::string(kv.key()));
      }
    }
    latency_ms = latency;
    for (auto& f : added) faults.push_back(f);
    return Reply::json_body(config_locked());
  }

  Reply control(const Incoming& in) {
    if (in.method == "GET" && in.path == "/__sandbox/health")
      return Reply::json_body(json::object{{"status", "ok"}, {"crm", meta.crm}, {"transcript", true}});
    if (in.method == "POST" && in.path == "/__sandbox/issue-token")
      return Reply::json_body(
          json::object{{"access_token", "plugin-check-transcript-token"}, {"token_type", "Bearer"}});
    if (in.method == "GET" && in.path == "/__sandbox/config") {
      std::lock_guard lock(mutex);
      return Reply::json_body(config_locked());
    }
    if (in.method == "POST" && in.path == "/__sandbox/config") return configure(in);
    return Reply::error(404, "not_found",
                        "the transcript replay has no control endpoint " + describe_request(in.method, in.path, ""));
  }

  Reply handle(const Incoming& in) {
    if (in.path == "/__sandbox" || in.path.rfind("/__sandbox/", 0) == 0) return control(in);
    return crm(in);
  }
};

ReplayServer::ReplayServer(const std::filesystem::path& file) : impl_(std::make_unique<Impl>()) {
  std::ifstream in(file);
  if (!in) throw std::runtime_error("cannot read " + file.string());
  std::string line;
  int number = 0;
  bool have_meta = false;
  auto text = [](const json::object& o, const char* key) {
    const auto* v = o.if_contains(key);
    return v && v->is_string() ? std::string(v->get_string()) : std::string();
  };
  while (std::getline(in, line)) {
    ++number;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    const std::string where = file.filename().string() + " line " + std::to_string(number);
    boost::system::error_code ec;
    auto doc = json::parse(line, ec);
    if (ec || !doc.is_object()) throw std::runtime_error(where + " is not a JSON object");
    const auto& o = doc.get_object();
    if (!have_meta) {
      auto meta = TranscriptMeta::from_json(o);
      if (!meta)
        throw std::runtime_error(where + " is not a plugin-check transcript header (record one with --record FILE)");
      impl_->meta = *meta;
      have_meta = true;
      continue;
    }
    const auto* request = o.if_contains("request");
    const auto* response = o.if_contains("response");
    if (!request || !request->is_object() || !response || !response->is_object())
      throw std::runtime_error(where + " needs a request and a response object");
    Impl::Exchange e;
    const auto* seq = o.if_contains("seq");
    e.seq = seq && seq->is_int64() && seq->get_int64() >= 0 ? static_cast<std::uint64_t>(seq->get_int64())
                                                            : static_cast<std::uint64_t>(number);
    e.method = text(request->get_object(), "method");
    e.path = text(request->get_object(), "path");
    e.query = text(request->get_object(), "query");
    e.body = text(request->get_object(), "body");
    const auto* status = response->get_object().if_contains("status");
    if (e.method.empty() || e.path.empty() || !status || !status->is_int64() || status->get_int64() < 100 ||
        status->get_int64() > 599)
      throw std::runtime_error(where + " needs request.method, request.path and a response.status 100..599");
    e.status = static_cast<int>(status->get_int64());
    e.response_body = text(response->get_object(), "body");
    if (const auto* headers = response->get_object().if_contains("headers"); headers && headers->is_object())
      for (const auto& kv : headers->get_object())
        if (kv.value().is_string()) e.headers.emplace_back(std::string(kv.key()), std::string(kv.value().get_string()));
    const auto* injected = o.if_contains("injected");
    e.injected = injected && injected->is_bool() && injected->get_bool();
    impl_->exchanges.push_back(std::move(e));
  }
  if (!have_meta) throw std::runtime_error(file.string() + " is empty");
  // Lines are written as answers complete; requests are matched in the order they arrived.
  std::stable_sort(impl_->exchanges.begin(), impl_->exchanges.end(),
                   [](const Impl::Exchange& a, const Impl::Exchange& b) { return a.seq < b.seq; });
  Impl* impl = impl_.get();
  impl_->server = std::make_unique<LoopbackServer>([impl](const Incoming& r) { return impl->handle(r); });
}

ReplayServer::~ReplayServer() {
  impl_->server.reset();
}

std::string ReplayServer::url() const {
  return impl_->server->url();
}

const TranscriptMeta& ReplayServer::meta() const {
  return impl_->meta;
}

std::size_t ReplayServer::exchanges() const {
  return impl_->exchanges.size();
}

int ReplayServer::injected(int status) const {
  std::lock_guard lock(impl_->mutex);
  return static_cast<int>(std::count_if(impl_->exchanges.begin(), impl_->exchanges.end(),
                                        [&](const auto& e) { return e.injected && e.status == status; }));
}

std::vector<std::string> ReplayServer::take_loose_matches() {
  std::lock_guard lock(impl_->mutex);
  return std::exchange(impl_->loose, {});
}

std::vector<std::string> ReplayServer::take_unmatched() {
  std::lock_guard lock(impl_->mutex);
  return std::exchange(impl_->unmatched, {});
}

} // namespace appconnect::plugin_check
