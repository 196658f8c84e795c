// Behaviour knobs (POST /__sandbox/config) and fault injection. Knobs are copied out per request as a
// snapshot, so a request sees one consistent configuration and no lock is held while it runs.
#pragma once

#include "framework/http_types.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>

namespace appconnect::crm_sandbox {

struct Knobs {
  // Access-token life, evaluated when a token is used (so shortening it expires live tokens).
  // <= 0 means tokens never expire. Salesforce's default session timeout is 2 hours.
  double token_lifetime_s = 7200;
  int latency_ms = 0;            // added to every CRM request (not the control API)
  int latency_jitter_ms = 0;     // plus a uniform random 0..jitter
  double fail_rate_429 = 0;      // probability of a "rate limited" answer, in the CRM's own shape
  double fail_rate_5xx = 0;      // probability of an "overloaded" answer, in the CRM's own shape
  double fail_retry_after_s = 0; // Retry-After on random faults (0: no header)
  double search_index_lag_s = 0; // records created less than this ago are invisible to search
  // Requests per rolling day. The default is far above real orgs so benchmarks never trip it.
  std::int64_t daily_api_limit = 5'000'000;
  int query_batch_size = 2000;         // Salesforce SOQL batch (pagination)
  bool refresh_token_rotation = false; // Salesforce: refresh returns a new refresh token
  std::int64_t request_log_limit = 10000;

  boost::json::object to_json() const;
  // Applies the known keys of `update` (except fail_next, which is the FaultInjector's); throws
  // std::invalid_argument naming an unknown key or a value of the wrong type.
  void apply(const boost::json::object& update);
};

// One scripted fault: the next `count` matching requests fail with `status`.
struct FaultSpec {
  int status = 503;
  std::optional<double> retry_after_s;
  int count = 1;
  std::string path_prefix; // only requests whose path starts with this (empty: all)
  std::string method;      // only this method (empty: all)

  static FaultSpec from_json(const boost::json::value& v); // throws std::invalid_argument
  boost::json::object to_json() const;
};

enum class FaultKind {
  kScripted,    // from fail_next: the status is exactly what the test asked for
  kRateLimited, // from fail_rate_429: the emulator answers with its CRM's rate-limit signal
  kOverloaded,  // from fail_rate_5xx: the emulator answers with its CRM's overload signal
};

struct Fault {
  FaultKind kind = FaultKind::kScripted;
  int status = 503;
  std::optional<double> retry_after_s;
  std::string describe() const;
};

class FaultInjector {
 public:
  void push(FaultSpec spec);
  void clear();
  boost::json::array pending() const;
  // Whether this request fails: scripted faults first (in order), then the random rates.
  std::optional<Fault> next(const Request& request, const Knobs& knobs);

 private:
  mutable std::mutex mutex_;
  std::deque<FaultSpec> queue_;
};

} // namespace appconnect::crm_sandbox
