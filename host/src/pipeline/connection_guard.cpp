#include "pipeline/connection_guard.hpp"

#include "common/log.hpp"

#include <algorithm>
#include <chrono>

namespace appconnect::pipeline {
namespace {

bool outage(const Error& e) {
  return e.code == error_code::kUnavailable || e.code == error_code::kTimeout || e.code == error_code::kTransport;
}

bool throttling(const Error& e) {
  return e.code == error_code::kRateLimited || e.code == error_code::kQuotaExhausted;
}

} // namespace

bool held_back(const Error& e) {
  // "awaiting_data": the processor waits for announced data (all-at-once mode), which is no failure.
  return e.code == kCircuitOpen || e.code == kThrottled || e.code == kNeedsReauthorization || e.code == "awaiting_data";
}

ConnectionGuard::ConnectionGuard(GuardSettings settings, Clock clock) : settings_(settings), clock_(std::move(clock)) {}

std::int64_t ConnectionGuard::now() const {
  if (clock_) return clock_();
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

Result<Done> ConnectionGuard::admit(const std::string& connection_id) {
  const std::int64_t at = now();
  std::lock_guard lock(mutex_);
  State& s = states_[connection_id];
  if (at < s.throttled_until) {
    Error e = Error::make(kThrottled, "connection '" + connection_id + "' is rate limited by the CRM; waiting", true);
    e.retry_after_ms = s.throttled_until - at;
    return e;
  }
  if (s.open_until == 0) return kDone; // closed
  if (at < s.open_until || s.probing) {
    Error e = Error::make(kCircuitOpen,
                          "connection '" + connection_id + "' is paused after " +
                              std::to_string(s.consecutive_failures) + " failed calls in a row (CRM unreachable)",
                          true);
    e.retry_after_ms = std::max<std::int64_t>(s.open_until - at, 200);
    return e;
  }
  s.probing = true; // half-open: this call is the probe
  return kDone;
}

Result<Done> ConnectionGuard::check(const std::string& connection_id) const {
  const std::int64_t at = now();
  std::lock_guard lock(mutex_);
  const auto it = states_.find(connection_id);
  if (it == states_.end()) return kDone;
  const State& s = it->second;
  if (at < s.throttled_until) {
    Error e = Error::make(kThrottled, "connection '" + connection_id + "' is rate limited by the CRM; waiting", true);
    e.retry_after_ms = s.throttled_until - at;
    return e;
  }
  if (s.open_until != 0 && at < s.open_until) {
    Error e = Error::make(kCircuitOpen, "connection '" + connection_id + "' is paused (CRM unreachable)", true);
    e.retry_after_ms = s.open_until - at;
    return e;
  }
  return kDone;
}

void ConnectionGuard::record(const std::string& connection_id, const Result<Done>& outcome) {
  const std::int64_t at = now();
  std::lock_guard lock(mutex_);
  State& s = states_[connection_id];
  const bool was_probe = s.probing;
  s.probing = false;
  if (outcome || !outage(outcome.error())) {
    // The CRM answered: it is reachable (a validation error is an answer too).
    if (s.open_until != 0) log::info("worker", "connection circuit closed", {{"connection", connection_id}});
    s.consecutive_failures = 0;
    s.open_until = 0;
    if (!outcome && throttling(outcome.error())) {
      const std::int64_t wait = outcome.error().retry_after_ms.value_or(1000);
      s.throttled_until = std::max(s.throttled_until, at + wait);
      log::warn("worker", "connection throttled by the CRM",
                {{"connection", connection_id}, {"code", outcome.error().code}, {"wait_ms", wait}});
    }
    return;
  }
  ++s.consecutive_failures;
  if (was_probe || s.consecutive_failures >= settings_.failures_to_open) {
    s.open_until = at + settings_.cooldown_ms;
    log::warn("worker", "connection circuit open",
              {{"connection", connection_id},
               {"failures", s.consecutive_failures},
               {"cooldown_ms", settings_.cooldown_ms},
               {"error", outcome.error().message}});
  }
}

boost::json::object ConnectionGuard::status() const {
  const std::int64_t at = now();
  std::lock_guard lock(mutex_);
  boost::json::object out;
  for (const auto& [id, s] : states_) {
    boost::json::object o{{"failures", s.consecutive_failures}};
    if (s.open_until == 0)
      o["circuit"] = "closed";
    else
      o["circuit"] = (at < s.open_until || s.probing) ? "open" : "half_open";
    if (s.open_until > at) o["open_for_ms"] = s.open_until - at;
    if (s.throttled_until > at) o["throttled_for_ms"] = s.throttled_until - at;
    out[id] = std::move(o);
  }
  return out;
}

} // namespace appconnect::pipeline
