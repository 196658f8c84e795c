// The host's outgoing HTTP client: the one network path every plugin request takes.
//
// It owns what plugins must not each reinvent: TLS with the system CA store and verification on,
// keep-alive connection reuse, one transparent retry when a reused connection turns out to be stale, a
// total time budget per request, and errors that are safe to log (they name the origin only: a URL's
// path and query, and every header, may hold tokens).
//
// Poco stays behind a pimpl so that including this header costs nothing beyond the SDK's HTTP types.
#pragma once

#include "common/result.hpp"

#include <appconnect/http.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace appconnect::httpclient {

struct HttpClientOptions {
  // Upper bound for establishing a TCP (and TLS) connection; the request's own budget may cut it shorter.
  std::int64_t connect_timeout_ms = 10000;
  // Idle keep-alive connections kept per origin. Beyond it, a finished connection is closed, which bounds
  // the sockets a burst leaves behind.
  std::size_t max_idle_per_origin = 4;
  // An idle connection older than this is closed instead of reused. Most servers drop idle keep-alive
  // connections after 5-120 s; staying below that avoids most stale-connection retries.
  std::int64_t idle_timeout_ms = 30000;
  // A response body larger than this fails with "transport", so a runaway server cannot exhaust memory.
  std::size_t max_response_bytes = 32u * 1024u * 1024u;
  // Sent when the request has no User-Agent header. Empty means "AppConnect/<host version>".
  std::string user_agent;
  // An extra CA file or directory (PEM) trusted in addition to the system store: for CRMs behind a
  // private CA, and for tests. Verification itself is never switched off.
  std::string extra_ca_location;
};

// Counters for tests and metrics; monotonically increasing over the client's life.
struct HttpClientStats {
  std::uint64_t requests = 0;           // send() calls that reached the network
  std::uint64_t connections_opened = 0; // new sessions created (each opens one connection)
  std::uint64_t connections_reused = 0; // requests served on a pooled keep-alive connection
  std::uint64_t stale_retries = 0;      // transparent retries after a reused connection was found dead
};

// "https://api.example.com:443" from any absolute URL (scheme and host lower-cased, port explicit);
// "<invalid URL>" when it cannot be parsed. Safe to put in logs and error messages.
std::string url_origin(std::string_view url);

class HttpClient {
 public:
  explicit HttpClient(HttpClientOptions options = {});
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Performs one exchange; thread-safe. An HTTP error status (4xx/5xx) is a response, not an Error.
  // Errors: "timeout" (the request's timeout_ms elapsed) and "transport" (refused, DNS, TLS, reset,
  // malformed response), both retryable; "bad_request" (unusable URL, method or header), not retryable.
  // Response header names are lower case; repeated headers are joined with ", ".
  Result<sdk::HttpResponse> send(const sdk::HttpRequest& request);

  HttpClientStats stats() const;
  // Idle pooled connections across all origins (for tests and diagnostics).
  std::size_t idle_connections() const;
  // Closes every idle connection, e.g. before forking or when the network changed.
  void close_idle_connections();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

} // namespace appconnect::httpclient
