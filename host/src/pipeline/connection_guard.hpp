// Protects a CRM (and the host's retry budgets) from calls that cannot succeed now, per connection:
//
//   - circuit breaker: after `failures_to_open` consecutive outage errors (unavailable, timeout,
//     transport) the connection is not called for `cooldown_ms`; then one call at a time is let through
//     (half-open) and its success closes the circuit, its failure opens it for another cool-down;
//   - rate limit: a 429 or quota answer with Retry-After (or the plugin's retry_after_ms, which the
//     plugins derive from the CRM's rate-limit headers) holds every call of the connection until then,
//     so one throttled call does not turn into a burst of throttled calls.
//
// A call refused here never reaches the CRM: it fails with kCircuitOpen or kThrottled, retryable,
// with retry_after_ms set to when the connection may be called again. Workers reschedule such jobs
// without counting an attempt. State is per process (each host learns from its own calls).
#pragma once

#include "common/result.hpp"

#include <boost/json/object.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>

namespace appconnect::pipeline {

// Host error codes of calls held back before reaching the CRM.
inline constexpr const char* kCircuitOpen = "circuit_open";
inline constexpr const char* kThrottled = "throttled";
// ... and of calls held because the connection needs re-authorization (see ConnectorClient).
inline constexpr const char* kNeedsReauthorization = "needs_reauthorization";

// Whether a job's error means "the CRM was not called": such a retry costs no attempt.
bool held_back(const Error& e);

struct GuardSettings {
  std::int64_t failures_to_open = 5;
  std::int64_t cooldown_ms = 30000;
};

class ConnectionGuard {
 public:
  using Clock = std::function<std::int64_t()>; // milliseconds; injectable for tests
  explicit ConnectionGuard(GuardSettings settings, Clock clock = {});

  // May `connection_id` be called now? On refusal the error says why and until when.
  Result<Done> admit(const std::string& connection_id);
  // Like admit() but changes nothing (a half-open circuit counts as callable): lets a worker put a job
  // back at once instead of loading it only to be refused.
  Result<Done> check(const std::string& connection_id) const;
  // The outcome of an admitted call.
  void record(const std::string& connection_id, const Result<Done>& outcome);

  // {"<connection>": {"circuit": "closed|open|half_open", "failures", "open_for_ms"?, "throttled_for_ms"?}}
  boost::json::object status() const;

 private:
  struct State {
    std::int64_t consecutive_failures = 0;
    std::int64_t open_until = 0; // circuit open while now < open_until
    bool probing = false;        // half-open: one call is in flight
    std::int64_t throttled_until = 0;
  };
  std::int64_t now() const;

  GuardSettings settings_;
  Clock clock_;
  mutable std::mutex mutex_;
  std::map<std::string, State> states_;
};

} // namespace appconnect::pipeline
