#include "pipeline/rate_limiter.hpp"

#include "pipeline/connection_guard.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <functional>
#include <thread>
#include <vector>

namespace appconnect::pipeline {
namespace {

std::optional<std::int64_t> int_header(const sdk::HttpResponse& r, std::string_view name) {
  const std::string v = r.header(name);
  std::int64_t n = 0;
  const auto* end = v.data() + v.size();
  auto [p, ec] = std::from_chars(v.data(), end, n);
  if (v.empty() || ec != std::errc() || n < 0) return std::nullopt;
  return n;
}

// Salesforce: "api-usage=18/5000" (newer orgs append "; per-app-api-usage=...").
std::optional<std::pair<std::int64_t, std::int64_t>> salesforce_usage(const sdk::HttpResponse& r) {
  const std::string v = r.header("sforce-limit-info");
  const auto at = v.find("api-usage=");
  if (at == std::string::npos) return std::nullopt;
  const auto slash = v.find('/', at);
  if (slash == std::string::npos) return std::nullopt;
  std::int64_t used = 0, limit = 0;
  const char* b = v.data() + at + 10;
  if (std::from_chars(b, v.data() + slash, used).ec != std::errc()) return std::nullopt;
  if (std::from_chars(v.data() + slash + 1, v.data() + v.size(), limit).ec != std::errc()) return std::nullopt;
  return std::pair{used, limit};
}

bool is_search(const std::string& url) {
  const auto query = url.find('?');
  return url.substr(0, query).find("/search") != std::string::npos;
}

bool quota_refusal(const sdk::HttpResponse& r) {
  // Salesforce: 403 [{"errorCode":"REQUEST_LIMIT_EXCEEDED"}]; HubSpot: 429 {"policyName":"DAILY"}.
  if (r.status == 403) return r.body.find("REQUEST_LIMIT_EXCEEDED") != std::string::npos;
  return r.status == 429 && r.body.find("\"DAILY\"") != std::string::npos;
}

Error throttled(const std::string& connection, const std::string& why, std::int64_t wait_ms) {
  Error e = Error::make(kThrottled, "connection '" + connection + "': " + why, true);
  e.retry_after_ms = std::max<std::int64_t>(wait_ms, 1);
  return e;
}

} // namespace

RateLimiter::RateLimiter(RateLimiterSettings settings, Clock clock, Sleep sleep)
    : settings_(settings), clock_(std::move(clock)), sleep_(std::move(sleep)) {}

std::int64_t RateLimiter::now() const {
  if (clock_) return clock_();
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// The CRM counts a request when it arrives, we when we send it; arrivals bunch up when sends were spread
// by latency, so a window is enforced a little longer than the CRM's.
std::int64_t RateLimiter::window_with_margin(const Bucket& b) {
  return b.window_ms + std::max<std::int64_t>(50, b.window_ms / 20);
}

void RateLimiter::trim(Bucket& b, std::int64_t at) {
  const std::int64_t keep = std::max<std::int64_t>(window_with_margin(b), 1000);
  std::erase_if(b.sent, [&](const Ticket& t) { return at - t.at >= keep; });
}

std::int64_t RateLimiter::in_window(const Bucket& b, std::int64_t at) {
  const std::int64_t window = window_with_margin(b);
  return std::count_if(b.sent.begin(), b.sent.end(), [&](const Ticket& t) { return at - t.at < window; });
}

void RateLimiter::settle(const std::string& connection, bool search, const Ticket& ticket) {
  std::lock_guard lock(mutex_);
  const std::int64_t at = now();
  Connection& c = connections_[connection];
  for (auto& t : (search ? c.search : c.general).sent)
    if (t.seq == ticket.seq) t.at = std::max(t.at, at);
}

Result<RateLimiter::Ticket> RateLimiter::acquire(const std::string& connection, bool search) {
  for (int round = 0;; ++round) {
    std::int64_t wait = 0;
    {
      std::lock_guard lock(mutex_);
      const std::int64_t at = now();
      Connection& c = connections_[connection];
      if (at < c.daily_blocked_until) {
        ++c.throttled_requests;
        return throttled(connection, "the CRM's daily request quota is spent; waiting for it to reset",
                         c.daily_blocked_until - at);
      }
      Bucket& b = search ? c.search : c.general;
      trim(b, at);
      if (at < b.closed_until) {
        wait = b.closed_until - at;
      } else if (b.limit > 0 && in_window(b, at) >= b.limit) {
        // The oldest of the last `limit` sends must leave the window first.
        // The limit-th newest send must leave the window first.
        std::vector<std::int64_t> times;
        for (const auto& t : b.sent) times.push_back(t.at);
        std::nth_element(times.begin(), times.begin() + (b.limit - 1), times.end(), std::greater<>());
        wait = std::max<std::int64_t>(1, times[static_cast<std::size_t>(b.limit - 1)] + window_with_margin(b) - at);
      }
      if (wait == 0) {
        b.sent.push_back(Ticket{b.next_seq++, at});
        return b.sent.back();
      }
      ++c.throttled_requests;
      if (wait > settings_.max_wait_ms || round >= 8)
        return throttled(connection, "pacing requests below the CRM's rate limit", wait);
    }
    if (sleep_)
      sleep_(wait);
    else
      std::this_thread::sleep_for(std::chrono::milliseconds(wait));
  }
}

void RateLimiter::observe(const std::string& connection, bool search, const sdk::HttpResponse& r,
                          std::optional<Ticket> ticket) {
  std::lock_guard lock(mutex_);
  const std::int64_t at = now();
  Connection& c = connections_[connection];
  Bucket& b = search ? c.search : c.general;
  const auto reserve = settings_.window_reserve;

  // A rolling window the CRM describes (HubSpot's ten-second limit).
  const auto max = int_header(r, "x-hubspot-ratelimit-max");
  const auto interval = int_header(r, "x-hubspot-ratelimit-interval-milliseconds");
  const auto remaining = int_header(r, "x-hubspot-ratelimit-remaining");
  if (max && interval && *max > 0 && *interval > 0) {
    c.window_max = *max;
    c.window_ms = *interval;
    b.limit = std::max<std::int64_t>(1, *max - reserve);
    b.window_ms = *interval;
    if (remaining) {
      c.window_remaining = *remaining;
      // Requests the CRM counted that we did not send here (other processes, other apps) take room too.
      trim(b, at);
      for (auto missing = (*max - *remaining) - in_window(b, at); missing > 0; --missing)
        b.sent.push_back(Ticket{b.next_seq++, at});
    }
  } else {
    // Generic headers: when the window is nearly spent, wait for its reset.
    for (const char* prefix : {"ratelimit-", "x-ratelimit-"}) {
      const std::string p = prefix;
      const auto left = int_header(r, p + "remaining");
      const auto reset = int_header(r, p + "reset");
      if (!left) continue;
      c.window_remaining = *left;
      if (const auto limit = int_header(r, p + "limit")) c.window_max = *limit;
      // Reset is seconds from now in the IETF draft; epoch values cannot be compared with a monotonic clock.
      if (*left <= reserve && reset && *reset > 0 && *reset < 1'000'000'000)
        b.closed_until = std::max(b.closed_until, at + *reset * 1000);
      break;
    }
  }

  // Daily quotas.
  if (const auto daily = int_header(r, "x-hubspot-ratelimit-daily")) {
    c.daily_limit = *daily;
    if (const auto left = int_header(r, "x-hubspot-ratelimit-daily-remaining")) c.daily_remaining = *left;
  }
  if (const auto usage = salesforce_usage(r)) {
    c.daily_limit = usage->second;
    c.daily_remaining = std::max<std::int64_t>(0, usage->second - usage->first);
  }
  if (c.daily_remaining && *c.daily_remaining <= settings_.daily_reserve && c.daily_blocked_until <= at)
    c.daily_blocked_until = at + settings_.quota_recheck_ms;

  // Refusals the CRM still gave.
  const auto retry_after = sdk::retry_after_ms(r);
  if (quota_refusal(r)) {
    ++c.crm_refusals;
    // Salesforce uses the same code for its concurrency limit; with quota left, that is what it was.
    if (!c.daily_remaining || *c.daily_remaining <= settings_.daily_reserve)
      c.daily_blocked_until = std::max(c.daily_blocked_until, at + retry_after.value_or(settings_.quota_recheck_ms));
    else
      b.closed_until = std::max(b.closed_until, at + retry_after.value_or(1000));
  } else if (r.status == 429) {
    ++c.crm_refusals;
    b.closed_until = std::max(b.closed_until, at + retry_after.value_or(1000));
    // No window described: the sends of the second before the refused one were as many as the CRM allows.
    if (!(max && interval)) {
      const Ticket refused = ticket.value_or(Ticket{b.next_seq, at});
      std::int64_t before = 0;
      for (const auto& t : b.sent)
        if (t.seq < refused.seq && refused.at - t.at < 1000) ++before;
      const double seen = std::max(1.0, double(before));
      double rate = seen;
      if (b.learned_per_s && refused.seq < b.learned_seq) {
        // Another refusal of the burst that taught the last lesson (answers arrive in any order): the
        // earliest refused send tells the true rate.
        rate = std::min(*b.learned_per_s, seen);
      } else if (b.learned_per_s) {
        // Refused although paced: something else shares the limit. One slower per lesson.
        rate = std::max(1.0, *b.learned_per_s - 1.0);
        b.learned_seq = b.next_seq;
      } else {
        b.learned_seq = b.next_seq;
      }
      b.learned_per_s = rate;
      b.limit = static_cast<std::int64_t>(rate);
      b.window_ms = 1000;
    }
  }
}

Result<sdk::HttpResponse> RateLimiter::around(const plugins::CallScope& scope, const sdk::HttpRequest& request,
                                              const plugins::HttpNext& next) {
  // Token endpoints and other connections' plumbing are not paced: only requests of a connection.
  if (scope.connection_id.empty()) return next(request);
  const bool search = is_search(request.url);
  auto admitted = acquire(scope.connection_id, search);
  if (!admitted) return admitted.error();
  auto response = next(request);
  // The CRM counted the request somewhere between our send and its answer: count it at the answer.
  settle(scope.connection_id, search, admitted.value());
  if (response) observe(scope.connection_id, search, response.value(), admitted.value());
  return response;
}

std::optional<ConnectionLimits> RateLimiter::limits(const std::string& connection) const {
  std::lock_guard lock(mutex_);
  const auto it = connections_.find(connection);
  if (it == connections_.end()) return std::nullopt;
  const Connection& c = it->second;
  ConnectionLimits l;
  l.window_max = c.window_max;
  l.window_ms = c.window_ms;
  l.window_remaining = c.window_remaining;
  l.learned_per_s = c.general.learned_per_s;
  l.learned_search_per_s = c.search.learned_per_s;
  l.daily_limit = c.daily_limit;
  l.daily_remaining = c.daily_remaining;
  l.throttled_requests = c.throttled_requests;
  l.crm_refusals = c.crm_refusals;
  return l;
}

boost::json::object RateLimiter::status() const {
  std::lock_guard lock(mutex_);
  const std::int64_t at = now();
  boost::json::object out;
  for (const auto& [id, c] : connections_) {
    boost::json::object o;
    if (c.window_max || c.window_remaining) {
      boost::json::object w;
      if (c.window_max) w["max"] = *c.window_max;
      if (c.window_ms) w["interval_ms"] = *c.window_ms;
      if (c.window_remaining) w["remaining"] = *c.window_remaining;
      o["window"] = std::move(w);
    }
    if (c.daily_limit || c.daily_remaining) {
      boost::json::object d;
      if (c.daily_limit) d["limit"] = *c.daily_limit;
      if (c.daily_remaining) d["remaining"] = *c.daily_remaining;
      if (at < c.daily_blocked_until) d["waiting_ms"] = c.daily_blocked_until - at;
      o["daily"] = std::move(d);
    }
    if (c.general.learned_per_s) o["learned_per_s"] = *c.general.learned_per_s;
    if (c.search.learned_per_s) o["learned_search_per_s"] = *c.search.learned_per_s;
    if (c.throttled_requests) o["paced_requests"] = c.throttled_requests;
    if (c.crm_refusals) o["crm_refusals"] = c.crm_refusals;
    if (!o.empty()) out[id] = std::move(o);
  }
  return out;
}

} // namespace appconnect::pipeline
