#include "httpclient/http_client.hpp"

#include <Poco/Exception.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/SSLException.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/Timespan.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>
#include <istream>
#include <mutex>
#include <optional>
#include <ostream>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

#ifndef APPCONNECT_VERSION
#define APPCONNECT_VERSION "0.0.0"
#endif

namespace appconnect::httpclient {
namespace {

using SteadyClock = std::chrono::steady_clock;
constexpr std::int64_t kDefaultTimeoutMs = 30000;
constexpr std::size_t kReadChunk = 16 * 1024;

std::string to_lower(std::string_view s) {
  std::string out(s);
  for (auto& ch : out) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return out;
}

// Where a request goes. Parsed by hand rather than with Poco::URI because Poco decodes and re-encodes the
// path, which would change what a connector deliberately percent-encoded (e.g. "%2F" inside an id).
struct Target {
  bool https = false;
  std::string host; // without IPv6 brackets
  std::uint16_t port = 0;
  std::string request_target; // path and query exactly as given, never empty
  std::string origin;         // scheme://host:port, the pool key and the only URL part in messages
};

std::optional<Target> parse_target(std::string_view url) {
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return std::nullopt;
  Target t;
  const std::string scheme = to_lower(url.substr(0, scheme_end));
  if (scheme == "https") {
    t.https = true;
  } else if (scheme != "http") {
    return std::nullopt;
  }
  std::string_view rest = url.substr(scheme_end + 3);
  const auto authority_end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, authority_end);
  std::string_view target = authority_end == std::string_view::npos ? std::string_view{} : rest.substr(authority_end);
  // User info in a URL is a credential that would end up in logs; connectors send credentials as headers.
  if (authority.find('@') != std::string_view::npos) return std::nullopt;
  std::string_view port_text;
  if (!authority.empty() && authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    t.host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return std::nullopt;
      port_text = after.substr(1);
    }
  } else {
    const auto colon = authority.find(':');
    t.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port_text = authority.substr(colon + 1);
  }
  if (t.host.empty()) return std::nullopt;
  t.host = to_lower(t.host);
  if (port_text.empty()) {
    t.port = t.https ? 443 : 80;
  } else {
    if (port_text.size() > 5) return std::nullopt;
    unsigned value = 0;
    for (char ch : port_text) {
      if (ch < '0' || ch > '9') return std::nullopt;
      value = value * 10 + static_cast<unsigned>(ch - '0');
    }
    if (value == 0 || value > 65535) return std::nullopt;
    t.port = static_cast<std::uint16_t>(value);
  }
  // The fragment is client-side only and never sent.
  if (const auto hash = target.find('#'); hash != std::string_view::npos) target = target.substr(0, hash);
  for (char ch : target)
    if (static_cast<unsigned char>(ch) <= 0x20 || ch == 0x7f) return std::nullopt;
  t.request_target = target.empty() || target.front() == '?' ? "/" + std::string(target) : std::string(target);
  const bool ipv6 = t.host.find(':') != std::string::npos;
  t.origin = std::string(t.https ? "https" : "http") + "://" + (ipv6 ? "[" + t.host + "]" : t.host) + ":" +
             std::to_string(t.port);
  return t;
}

bool is_token(std::string_view s) {
  if (s.empty()) return false;
  static constexpr std::string_view kSeparators = "()<>@,;:\\\"/[]?={} \t";
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c <= 0x20 || c >= 0x7f || kSeparators.find(ch) != std::string_view::npos) return false;
  }
  return true;
}

bool is_header_value(std::string_view s) {
  // CR or LF would let a value inject headers or a second request into the connection.
  return s.find_first_of("\r\n") == std::string_view::npos && s.find('\0') == std::string_view::npos;
}

// Framing headers belong to the client: a connector's value could desynchronize a pooled connection.
bool is_managed_header(std::string_view lower_name) {
  return lower_name == "content-length" || lower_name == "transfer-encoding" || lower_name == "connection" ||
         lower_name == "keep-alive";
}

Poco::Timespan millis(std::int64_t ms) {
  return Poco::Timespan(static_cast<Poco::Timespan::TimeDiff>(ms) * 1000);
}

// Where in the exchange a failure happened: only a failure before any response byte, on a reused
// connection, can be the server having closed it while idle; later failures may follow side effects.
enum class Phase { kSend, kAwaitResponse, kBody };

struct Failure {
  std::string code;
  std::string detail;
  bool maybe_stale = false;
};

// Whether a failure on a reused connection can be the server having closed it while it sat idle. A timeout
// never is (the server may be working on the request), nor is a malformed response (bytes did arrive).
// Everything else that is an I/O failure while sending, or while waiting for the first response byte
// (where a small request's buffered bytes are actually written, and where a closed connection reads as
// "no message" or a reset), qualifies.
bool is_stale_signal(const Poco::Exception& e, Phase phase) {
  if (phase == Phase::kBody) return false;
  if (dynamic_cast<const Poco::TimeoutException*>(&e) != nullptr) return false;
  if (dynamic_cast<const Poco::Net::MessageException*>(&e) != nullptr) return false;
  return dynamic_cast<const Poco::IOException*>(&e) != nullptr;
}

// Note on Poco's own reconnect: HTTPClientSession::write reconnects and re-sends the failed buffer only when
// the first write of a request fails (that buffer starts with the request line, so the new connection gets
// a whole request); after one successful write it never does. Failures after that reach send(), which
// repeats the whole request on a fresh connection. Overriding write() to suppress Poco's retry would be
// worse: the flag it clears would stay set, and the session's destructor, flushing leftover request bytes
// through the base class, would then reconnect and send a fragment without headers.

// Thrown inside one exchange only, to leave the nested stream reads in one step; never escapes send().
struct BudgetSpent {};

} // namespace

std::string url_origin(std::string_view url) {
  auto target = parse_target(url);
  return target ? target->origin : std::string("<invalid URL>");
}

struct HttpClient::Impl {
  struct IdleSession {
    std::unique_ptr<Poco::Net::HTTPClientSession> session;
    SteadyClock::time_point since;
  };

  explicit Impl(HttpClientOptions o) : options(std::move(o)) {
    if (options.user_agent.empty()) options.user_agent = "AppConnect/" APPCONNECT_VERSION; // literal concatenation
    Poco::Net::initializeSSL();
  }
  ~Impl() {
    idle.clear();
    tls_context.reset();
    Poco::Net::uninitializeSSL();
  }

  HttpClientOptions options;
  mutable std::mutex mutex;
  std::unordered_map<std::string, std::vector<IdleSession>> idle; // origin -> sessions, newest last
  HttpClientStats counters;

  std::once_flag tls_once;
  Poco::Net::Context::Ptr tls_context;
  std::string tls_error;

  // One TLS context for the client's life: loading the system CA store is the expensive part.
  Poco::Net::Context::Ptr tls() {
    std::call_once(tls_once, [this] {
      try {
        Poco::Net::Context::Params params;
        params.verificationMode = Poco::Net::Context::VERIFY_RELAXED; // for a client: verify the server chain
        params.loadDefaultCAs = true;                                 // the system CA store
        params.caLocation = options.extra_ca_location;                // plus this, when set
        params.cipherList = "HIGH:!aNULL:!eNULL:!MD5:!RC4:!3DES";
        tls_context = new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, params);
        tls_context->requireMinimumProtocol(Poco::Net::Context::PROTO_TLSV1_2);
      } catch (const Poco::Exception& e) {
        tls_context.reset();
        tls_error = e.displayText();
      }
    });
    return tls_context;
  }

  // A pooled session for the origin, or nullptr. Expired sessions are closed on the way.
  std::unique_ptr<Poco::Net::HTTPClientSession> take_idle(const Target& t) {
    std::vector<IdleSession> discarded; // closed outside the lock
    std::unique_ptr<Poco::Net::HTTPClientSession> found;
    {
      std::lock_guard lock(mutex);
      auto it = idle.find(t.origin);
      if (it == idle.end()) return nullptr;
      auto& list = it->second;
      const auto now = SteadyClock::now();
      while (!list.empty() && !found) {
        IdleSession candidate = std::move(list.back());
        list.pop_back();
        const auto age_ms = std::chrono::duration_cast<std::chrono::milliseconds>(now - candidate.since).count();
        if (age_ms >= options.idle_timeout_ms || !looks_alive(*candidate.session, t)) {
          discarded.push_back(std::move(candidate));
          continue;
        }
        found = std::move(candidate.session);
      }
    }
    return found;
  }

  // An idle plain-HTTP connection must have nothing to read: readability means the server closed it (or
  // sent junk). TLS sockets are not probed, since a late TLS 1.3 session ticket also makes them readable;
  // for those, the retry in send() covers a stale connection.
  static bool looks_alive(Poco::Net::HTTPClientSession& session, const Target& t) {
    if (!session.connected()) return false;
    if (t.https) return true;
    try {
      return !session.socket().poll(Poco::Timespan(0), Poco::Net::Socket::SELECT_READ);
    } catch (const Poco::Exception&) {
      return false;
    }
  }

  void give_back(const Target& t, std::unique_ptr<Poco::Net::HTTPClientSession> session) {
    if (options.max_idle_per_origin == 0) return;
    std::unique_ptr<Poco::Net::HTTPClientSession> evicted; // closed outside the lock
    std::lock_guard lock(mutex);
    auto& list = idle[t.origin];
    list.push_back(IdleSession{std::move(session), SteadyClock::now()});
    if (list.size() > options.max_idle_per_origin) {
      evicted = std::move(list.front().session);
      list.erase(list.begin());
    }
  }

  std::unique_ptr<Poco::Net::HTTPClientSession> new_session(const Target& t) {
    std::unique_ptr<Poco::Net::HTTPClientSession> session;
    if (t.https) {
      session = std::make_unique<Poco::Net::HTTPSClientSession>(t.host, t.port, tls());
    } else {
      session = std::make_unique<Poco::Net::HTTPClientSession>(t.host, t.port);
    }
    session->setKeepAlive(true);
    // Poco's own idle check: past it, the session reconnects by itself instead of writing into a dead socket.
    session->setKeepAliveTimeout(millis(options.idle_timeout_ms));
    return session;
  }

  void count(std::uint64_t HttpClientStats::*field) {
    std::lock_guard lock(mutex);
    ++(counters.*field);
  }

  // One exchange on one session. Returns the response, or a Failure classified for the retry decision.
  std::variant<sdk::HttpResponse, Failure> exchange(Poco::Net::HTTPClientSession& session, const Target& t,
                                                    const sdk::HttpRequest& request, const std::string& method,
                                                    SteadyClock::time_point deadline, bool& reusable) {
    reusable = false;
    auto remaining_ms = [deadline] {
      return std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::now()).count();
    };
    Phase phase = Phase::kSend;
    try {
      std::int64_t left = remaining_ms();
      if (left <= 0) throw BudgetSpent{};
      session.setTimeout(millis(std::min(left, options.connect_timeout_ms)), millis(left), millis(left));
      if (session.connected()) {
        session.socket().setSendTimeout(millis(left));
        session.socket().setReceiveTimeout(millis(left));
      }

      Poco::Net::HTTPRequest req(method, t.request_target, Poco::Net::HTTPMessage::HTTP_1_1);
      bool has_user_agent = false;
      for (const auto& [name, value] : request.headers) {
        const std::string lower = to_lower(name);
        if (is_managed_header(lower)) continue;
        if (lower == "user-agent") has_user_agent = true;
        req.add(name, value);
      }
      if (!has_user_agent) req.set("User-Agent", options.user_agent);
      req.setKeepAlive(true);
      const bool body_method = method == "POST" || method == "PUT" || method == "PATCH";
      if (!request.body.empty() || body_method) req.setContentLength64(static_cast<Poco::Int64>(request.body.size()));

      std::ostream& out = session.sendRequest(req);
      // A new connection was made inside sendRequest with the session's timeouts; re-apply the budget left.
      left = remaining_ms();
      if (left <= 0) throw BudgetSpent{};
      session.socket().setSendTimeout(millis(left));
      session.socket().setReceiveTimeout(millis(left));
      out.exceptions(std::ios::badbit);
      if (!request.body.empty()) out.write(request.body.data(), static_cast<std::streamsize>(request.body.size()));

      phase = Phase::kAwaitResponse;
      Poco::Net::HTTPResponse resp;
      std::istream& in = session.receiveResponse(resp);

      phase = Phase::kBody;
      in.exceptions(std::ios::badbit);
      sdk::HttpResponse result;
      result.status = static_cast<int>(resp.getStatus());
      for (const auto& [name, value] : resp) {
        std::string lower = to_lower(name);
        auto [it, inserted] = result.headers.emplace(std::move(lower), value);
        if (!inserted) it->second += ", " + value;
      }
      std::array<char, kReadChunk> buffer{};
      while (true) {
        left = remaining_ms();
        if (left <= 0) throw BudgetSpent{};
        // Poco's timeout applies per socket read. peek() performs at most one read, so re-arming the timeout
        // before each one turns it into a budget for the whole body (a server dripping bytes cannot stretch
        // the exchange); readsome() then takes only what that read buffered.
        session.socket().setReceiveTimeout(millis(left));
        if (in.peek() == std::char_traits<char>::eof()) break;
        const auto got =
            static_cast<std::size_t>(in.readsome(buffer.data(), static_cast<std::streamsize>(buffer.size())));
        if (result.body.size() + got > options.max_response_bytes) {
          session.reset();
          return Failure{error_code::kTransport,
                         "response body exceeds " + std::to_string(options.max_response_bytes) + " bytes", false};
        }
        result.body.append(buffer.data(), got);
      }
      if (const auto* ex = session.networkException()) ex->rethrow();
      if (resp.hasContentLength() && static_cast<Poco::Int64>(result.body.size()) < resp.getContentLength64()) {
        session.reset();
        return Failure{error_code::kTransport,
                       "connection closed after " + std::to_string(result.body.size()) + " of " +
                           std::to_string(resp.getContentLength64()) + " body bytes",
                       false};
      }
      const bool framed = resp.hasContentLength() || resp.getChunkedTransferEncoding() || method == "HEAD" ||
                          result.status == 204 || result.status == 304 || result.status < 200;
      reusable = resp.getKeepAlive() && framed;
      return result;
    } catch (const BudgetSpent&) {
      session.reset();
      return Failure{error_code::kTimeout, "", false};
    } catch (const Poco::TimeoutException&) {
      session.reset();
      return Failure{error_code::kTimeout, "", false};
    } catch (const Poco::Exception& e) {
      session.reset();
      return Failure{error_code::kTransport, e.displayText(), is_stale_signal(e, phase)};
    } catch (const std::exception& e) {
      session.reset();
      return Failure{error_code::kTransport, e.what(), false};
    }
  }
};

HttpClient::HttpClient(HttpClientOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}
HttpClient::~HttpClient() = default;

Result<sdk::HttpResponse> HttpClient::send(const sdk::HttpRequest& request) {
  auto target = parse_target(request.url);
  if (!target)
    return Error::make(error_code::kBadRequest,
                       "unusable URL (need an absolute http:// or https:// URL without user info or spaces)", false);
  std::string method = request.method.empty() ? std::string("GET") : request.method;
  for (auto& ch : method) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  const std::string where = method + " " + target->origin;
  if (!is_token(method))
    return Error::make(error_code::kBadRequest, "invalid HTTP method for " + target->origin, false);
  for (const auto& [name, value] : request.headers) {
    // Only the name is quoted: values are typically where the secrets are.
    if (!is_token(name) || !is_header_value(value))
      return Error::make(error_code::kBadRequest, "invalid header '" + name + "' in request to " + where, false);
  }
  if (target->https && !impl_->tls())
    return Error::make(error_code::kTransport, "TLS setup failed for " + where + ": " + impl_->tls_error, true);

  const std::int64_t timeout_ms = request.timeout_ms > 0 ? request.timeout_ms : kDefaultTimeoutMs;
  const auto deadline = SteadyClock::now() + std::chrono::milliseconds(timeout_ms);
  impl_->count(&HttpClientStats::requests);

  for (int attempt = 0;; ++attempt) {
    // The retry always opens a fresh connection: a second pooled one is likely just as stale.
    std::unique_ptr<Poco::Net::HTTPClientSession> session;
    if (attempt == 0) session = impl_->take_idle(*target);
    const bool reused = session != nullptr;
    if (reused) {
      impl_->count(&HttpClientStats::connections_reused);
    } else {
      try {
        session = impl_->new_session(*target);
      } catch (const Poco::Exception& e) {
        return Error::make(error_code::kTransport, "transport failure for " + where + ": " + e.displayText(), true);
      }
      impl_->count(&HttpClientStats::connections_opened);
    }

    bool reusable = false;
    auto outcome = impl_->exchange(*session, *target, request, method, deadline, reusable);
    if (auto* response = std::get_if<sdk::HttpResponse>(&outcome)) {
      if (reusable) impl_->give_back(*target, std::move(session));
      return std::move(*response);
    }
    auto& failure = std::get<Failure>(outcome);
    if (failure.maybe_stale && reused && attempt == 0) {
      impl_->count(&HttpClientStats::stale_retries);
      continue;
    }
    if (failure.code == error_code::kTimeout)
      return Error::make(error_code::kTimeout, where + " timed out after " + std::to_string(timeout_ms) + " ms", true);
    return Error::make(failure.code, "transport failure for " + where + ": " + failure.detail, true);
  }
}

HttpClientStats HttpClient::stats() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->counters;
}

std::size_t HttpClient::idle_connections() const {
  std::lock_guard lock(impl_->mutex);
  std::size_t n = 0;
  for (const auto& [origin, list] : impl_->idle) n += list.size();
  return n;
}

void HttpClient::close_idle_connections() {
  std::unordered_map<std::string, std::vector<Impl::IdleSession>> closing;
  {
    std::lock_guard lock(impl_->mutex);
    closing.swap(impl_->idle);
  }
}

} // namespace appconnect::httpclient
