#include "hubspot/errors.hpp"

#include <boost/json.hpp>

#include <cstdint>
#include <cstdio>
#include <random>

namespace appconnect::crm_sandbox::hubspot {

std::string new_correlation_id() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  const std::uint64_t hi = rng();
  const std::uint64_t lo = rng();
  char buf[40];
  // xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx
  std::snprintf(buf, sizeof buf, "%08x-%04x-4%03x-%04x-%012llx", static_cast<unsigned>(hi >> 32),
                static_cast<unsigned>((hi >> 16) & 0xFFFF), static_cast<unsigned>(hi & 0x0FFF),
                static_cast<unsigned>(0x8000 | (lo >> 48 & 0x3FFF)),
                static_cast<unsigned long long>(lo & 0xFFFFFFFFFFFFULL));
  return buf;
}

Response error_response(int status, const std::string& category, const std::string& message,
                        const boost::json::object& extra) {
  const std::string correlation = new_correlation_id();
  boost::json::object body{{"status", "error"}, {"message", message}, {"correlationId", correlation}};
  for (const auto& kv : extra) body[kv.key()] = kv.value();
  if (!category.empty()) body["category"] = category;
  auto r = Response::json(status, body);
  r.set_header("x-hubspot-correlation-id", correlation);
  return r;
}

Response error_response(const HsError& error) {
  return error_response(error.status(), error.category(), error.what(), error.extra());
}

HsError property_error(const std::vector<PropertyProblem>& problems) {
  boost::json::array listed;
  boost::json::array details;
  for (const auto& p : problems) {
    listed.push_back(boost::json::object{{"isValid", false},
                                         {"message", p.message},
                                         {"error", p.error},
                                         {"name", p.name},
                                         {"localizedErrorMessage", p.message}});
    details.push_back(boost::json::object{
        {"message", p.message},
        {"code", p.error},
        {"context", boost::json::object{{"propertyName", boost::json::array{boost::json::string(p.name)}}}}});
  }
  return HsError(400, "VALIDATION_ERROR", "Property values were not valid: " + boost::json::serialize(listed),
                 boost::json::object{{"errors", std::move(details)}});
}

Response rate_limit_response(const std::string& policy) {
  std::string window = "ten_secondly_rolling";
  if (policy == "SECONDLY") window = "secondly";
  if (policy == "DAILY") window = "daily";
  const std::string correlation = new_correlation_id();
  auto r = Response::json(429, boost::json::object{{"status", "error"},
                                                   {"message", "You have reached your " + window + " limit."},
                                                   {"errorType", "RATE_LIMIT"},
                                                   {"correlationId", correlation},
                                                   {"policyName", policy},
                                                   {"requestId", new_correlation_id()}});
  r.set_header("x-hubspot-correlation-id", correlation);
  return r;
}

} // namespace appconnect::crm_sandbox::hubspot
