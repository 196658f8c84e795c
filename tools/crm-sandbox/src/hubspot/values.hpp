// Small conversions shared by the HubSpot emulator's object and search code: property values are strings
// on the wire, but requests may carry numbers or booleans, and datetimes come as epoch milliseconds or ISO
// 8601 text.
#pragma once

#include <appconnect/time.hpp>

#include <boost/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace appconnect::crm_sandbox::hubspot {

inline bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// A JSON scalar as HubSpot stores it: strings as given, numbers and booleans as text, null as "".
// nullopt for objects and arrays.
inline std::optional<std::string> scalar_text(const boost::json::value& v) {
  if (v.is_string()) return std::string(v.get_string());
  if (v.is_null()) return std::string();
  if (v.is_bool()) return std::string(v.get_bool() ? "true" : "false");
  if (v.is_int64()) return std::to_string(v.get_int64());
  if (v.is_uint64()) return std::to_string(v.get_uint64());
  if (v.is_double()) {
    const double d = v.get_double();
    if (std::floor(d) == d && std::fabs(d) < 9e15) return std::to_string(static_cast<long long>(d));
    return boost::json::serialize(v);
  }
  return std::nullopt;
}

// Epoch milliseconds ("1717234200000") or ISO 8601 with a zone.
inline std::optional<std::int64_t> datetime_ms(const std::string& text) {
  if (all_digits(text) && text.size() <= 16) return std::stoll(text);
  return sdk::time::parse_iso8601_ms(text);
}

} // namespace appconnect::crm_sandbox::hubspot
