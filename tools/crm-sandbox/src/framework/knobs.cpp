#include "framework/knobs.hpp"

#include "framework/json_util.hpp"

#include <random>
#include <stdexcept>

namespace appconnect::crm_sandbox {

boost::json::object Knobs::to_json() const {
  return {{"token_lifetime_s", token_lifetime_s},     {"latency_ms", latency_ms},
          {"latency_jitter_ms", latency_jitter_ms},   {"fail_rate_429", fail_rate_429},
          {"fail_rate_5xx", fail_rate_5xx},           {"fail_retry_after_s", fail_retry_after_s},
          {"search_index_lag_s", search_index_lag_s}, {"daily_api_limit", daily_api_limit},
          {"query_batch_size", query_batch_size},     {"refresh_token_rotation", refresh_token_rotation},
          {"request_log_limit", request_log_limit}};
}

namespace {
double number_of(const boost::json::value& v, std::string_view key) {
  auto n = as_number(v);
  if (!n) throw std::invalid_argument("knob '" + std::string(key) + "' must be a number");
  return *n;
}

double rate_of(const boost::json::value& v, std::string_view key) {
  const double r = number_of(v, key);
  if (r < 0 || r > 1) throw std::invalid_argument("knob '" + std::string(key) + "' must be between 0 and 1");
  return r;
}
} // namespace

void Knobs::apply(const boost::json::object& update) {
  Knobs next = *this; // all or nothing: a bad key leaves the knobs untouched
  for (const auto& kv : update) {
    const std::string_view key = kv.key();
    const auto& v = kv.value();
    if (key == "fail_next") continue;
    if (key == "token_lifetime_s") {
      next.token_lifetime_s = number_of(v, key);
    } else if (key == "latency_ms") {
      next.latency_ms = static_cast<int>(number_of(v, key));
    } else if (key == "latency_jitter_ms") {
      next.latency_jitter_ms = static_cast<int>(number_of(v, key));
    } else if (key == "fail_rate_429") {
      next.fail_rate_429 = rate_of(v, key);
    } else if (key == "fail_rate_5xx") {
      next.fail_rate_5xx = rate_of(v, key);
    } else if (key == "fail_retry_after_s") {
      next.fail_retry_after_s = number_of(v, key);
    } else if (key == "search_index_lag_s") {
      next.search_index_lag_s = number_of(v, key);
    } else if (key == "daily_api_limit") {
      next.daily_api_limit = static_cast<std::int64_t>(number_of(v, key));
    } else if (key == "query_batch_size") {
      next.query_batch_size = static_cast<int>(number_of(v, key));
      if (next.query_batch_size < 1) throw std::invalid_argument("knob 'query_batch_size' must be at least 1");
    } else if (key == "refresh_token_rotation") {
      if (!v.is_bool()) throw std::invalid_argument("knob 'refresh_token_rotation' must be a boolean");
      next.refresh_token_rotation = v.get_bool();
    } else if (key == "request_log_limit") {
      next.request_log_limit = static_cast<std::int64_t>(number_of(v, key));
    } else {
      throw std::invalid_argument("unknown knob '" + std::string(key) + "'");
    }
  }
  if (next.latency_ms < 0 || next.latency_jitter_ms < 0) throw std::invalid_argument("latency must not be negative");
  *this = next;
}

FaultSpec FaultSpec::from_json(const boost::json::value& v) {
  if (!v.is_object()) throw std::invalid_argument("fail_next entries must be objects");
  const auto& o = v.as_object();
  FaultSpec spec;
  for (const auto& kv : o) {
    const std::string_view key = kv.key();
    if (key != "status" && key != "retry_after_s" && key != "count" && key != "path_prefix" && key != "method")
      throw std::invalid_argument("unknown fail_next field '" + std::string(key) + "'");
  }
  const auto* status = o.if_contains("status");
  if (!status || !as_number(*status)) throw std::invalid_argument("fail_next entries need a numeric 'status'");
  spec.status = static_cast<int>(*as_number(*status));
  if (spec.status < 100 || spec.status > 599) throw std::invalid_argument("fail_next status must be 100..599");
  if (const auto* ra = o.if_contains("retry_after_s"); ra && !ra->is_null()) {
    auto n = as_number(*ra);
    if (!n || *n < 0) throw std::invalid_argument("fail_next retry_after_s must be a non-negative number");
    spec.retry_after_s = *n;
  }
  spec.count = static_cast<int>(json_int(o, "count", 1));
  if (spec.count < 1) throw std::invalid_argument("fail_next count must be at least 1");
  spec.path_prefix = json_string(o, "path_prefix");
  spec.method = json_string(o, "method");
  return spec;
}

boost::json::object FaultSpec::to_json() const {
  boost::json::object o{{"status", status}, {"count", count}};
  if (retry_after_s) o["retry_after_s"] = *retry_after_s;
  if (!path_prefix.empty()) o["path_prefix"] = path_prefix;
  if (!method.empty()) o["method"] = method;
  return o;
}

std::string Fault::describe() const {
  switch (kind) {
    case FaultKind::kScripted:
      return "fail_next:" + std::to_string(status);
    case FaultKind::kRateLimited:
      return "fail_rate_429";
    case FaultKind::kOverloaded:
      return "fail_rate_5xx";
  }
  return "fault";
}

void FaultInjector::push(FaultSpec spec) {
  std::lock_guard lock(mutex_);
  queue_.push_back(std::move(spec));
}

void FaultInjector::clear() {
  std::lock_guard lock(mutex_);
  queue_.clear();
}

boost::json::array FaultInjector::pending() const {
  std::lock_guard lock(mutex_);
  boost::json::array out;
  for (const auto& f : queue_) out.push_back(f.to_json());
  return out;
}

namespace {
double uniform01() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(rng);
}
} // namespace

std::optional<Fault> FaultInjector::next(const Request& request, const Knobs& knobs) {
  {
    std::lock_guard lock(mutex_);
    for (auto it = queue_.begin(); it != queue_.end(); ++it) {
      if (!it->path_prefix.empty() && request.path.rfind(it->path_prefix, 0) != 0) continue;
      if (!it->method.empty() && !iequals(it->method, request.method)) continue;
      Fault fault{FaultKind::kScripted, it->status, it->retry_after_s};
      if (--it->count <= 0) queue_.erase(it);
      return fault;
    }
  }
  const std::optional<double> retry =
      knobs.fail_retry_after_s > 0 ? std::optional<double>(knobs.fail_retry_after_s) : std::nullopt;
  if (knobs.fail_rate_429 > 0 && uniform01() < knobs.fail_rate_429) return Fault{FaultKind::kRateLimited, 429, retry};
  if (knobs.fail_rate_5xx > 0 && uniform01() < knobs.fail_rate_5xx) return Fault{FaultKind::kOverloaded, 503, retry};
  return std::nullopt;
}

} // namespace appconnect::crm_sandbox
