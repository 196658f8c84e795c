// Paces each connection's CRM requests below the CRM's limits, learned from the CRM's own answers, so a
// burst of thousands of events does not turn into thousands of refused requests.
//
// It sits at the plugin HTTP boundary (plugins::HttpHook): every request a plugin makes passes through
// around(), which waits for a token of the connection's bucket, and every answer is read for what it says
// about the limits:
//
//   window   X-HubSpot-RateLimit-Max/-Remaining/-Interval-Milliseconds: at most `max` requests (minus a
//            reserve for other apps sharing the budget) in any rolling interval, counting the requests the
//            CRM reports as used that we did not send; the generic RateLimit-Limit/-Remaining/-Reset and
//            X-RateLimit-* headers: when the window is spent, wait for its reset;
//   429      without such headers (HubSpot's search endpoints, for one): the rate that was just too much is
//            learned from the requests of the last second, and the bucket keeps one below it from now on;
//            with Retry-After the bucket is closed until then;
//   daily    X-HubSpot-RateLimit-Daily/-Daily-Remaining and Salesforce's Sforce-Limit-Info
//            (api-usage=used/limit): a quota; when it is spent the connection's requests are refused
//            without reaching the CRM until the reset (or, when the CRM does not say when, a re-check).
//
// Search requests (paths containing "/search") have a bucket of their own: CRMs limit them separately.
// A wait up to max_wait_ms happens in the calling thread; a longer one refuses the request with
// pipeline::kThrottled (retryable, retry_after_ms), which the worker treats as "not called": the job is
// rescheduled without using an attempt. State is per process.
#pragma once

#include "plugins/host_services.hpp"

#include <boost/json/object.hpp>

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>

namespace appconnect::pipeline {

struct RateLimiterSettings {
  std::int64_t max_wait_ms = 2000;                // longer waits are refused (the job waits on disk, not in a thread)
  std::int64_t window_reserve = 1;                // requests of each window left unused for other apps on the account
  std::int64_t daily_reserve = 0;                 // daily requests left unused
  std::int64_t quota_recheck_ms = 15 * 60 * 1000; // spent quota with no known reset: try one request then
};

// What the limiter knows about one connection (for /healthz, metrics and the admin API).
struct ConnectionLimits {
  std::optional<std::int64_t> window_max, window_ms, window_remaining;
  std::optional<double> learned_search_per_s, learned_per_s;
  std::optional<std::int64_t> daily_limit, daily_remaining;
  std::int64_t throttled_requests = 0; // requests that waited or were refused here
  std::int64_t crm_refusals = 0;       // 429 / quota answers the CRM still gave
};

class RateLimiter {
 public:
  using Clock = std::function<std::int64_t()>;        // milliseconds, monotonic
  using Sleep = std::function<void(std::int64_t ms)>; // injectable for tests
  explicit RateLimiter(RateLimiterSettings settings = {}, Clock clock = {}, Sleep sleep = {});

  // The HTTP hook body: acquire, send, learn.
  Result<sdk::HttpResponse> around(const plugins::CallScope& scope, const sdk::HttpRequest& request,
                                   const plugins::HttpNext& next);

  // Which send a response answers: a 429 teaches only from the sends before it.
  struct Ticket {
    std::int64_t seq = 0;
    std::int64_t at = 0;
  };

  // The pieces of around(), public for tests. acquire() waits (up to max_wait_ms) or refuses.
  Result<Ticket> acquire(const std::string& connection, bool search);
  void observe(const std::string& connection, bool search, const sdk::HttpResponse& response,
               std::optional<Ticket> ticket = std::nullopt);
  // The request of `ticket` was answered now: the CRM counted it at the latest now.
  void settle(const std::string& connection, bool search, const Ticket& ticket);

  std::optional<ConnectionLimits> limits(const std::string& connection) const;
  // {"<connection>": {"window": {...}, "daily": {...}, "learned_per_s": ..., ...}} for connections with
  // anything learned.
  boost::json::object status() const;

 private:
  // A sliding window: at most `limit` sends in any `window_ms` (CRM windows are rolling, so a token bucket,
  // which allows a burst plus its refill within one window, would overshoot them).
  struct Bucket {
    std::int64_t limit = 0; // 0 = nothing learned: unlimited
    std::int64_t window_ms = 1000;
    std::deque<Ticket> sent; // sends within max(window_ms, 1 s) plus the margin, oldest first
    std::int64_t next_seq = 1;
    std::int64_t closed_until = 0; // Retry-After
    std::optional<double> learned_per_s;
    std::int64_t learned_seq = 0; // sends before this one were made before the last lesson
  };
  struct Connection {
    Bucket general, search;
    std::optional<std::int64_t> window_max, window_ms, window_remaining;
    std::optional<std::int64_t> daily_limit, daily_remaining;
    std::int64_t daily_blocked_until = 0;
    std::int64_t throttled_requests = 0, crm_refusals = 0;
  };

  std::int64_t now() const;
  static void trim(Bucket& b, std::int64_t at);
  static std::int64_t window_with_margin(const Bucket& b);
  static std::int64_t in_window(const Bucket& b, std::int64_t at);

  RateLimiterSettings settings_;
  Clock clock_;
  Sleep sleep_;
  mutable std::mutex mutex_;
  std::map<std::string, Connection> connections_;
};

} // namespace appconnect::pipeline
