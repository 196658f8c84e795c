// Small helpers for reading and writing JSON documents leniently: unknown fields are ignored, missing
// optional fields take defaults, and a field of the wrong type is an error that names the field.
// This leniency is what keeps the boundary forward and backward compatible.
#pragma once

#include <boost/json.hpp>

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace appconnect::sdk::json_fields {

// Thrown while decoding a document; the trampolines turn it into a "bad_request" error.
class FieldError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

inline const boost::json::object& as_object(const boost::json::value& v, std::string_view what) {
  if (!v.is_object()) throw FieldError(std::string(what) + " must be a JSON object");
  return v.get_object();
}

inline std::string get_string(const boost::json::object& o, std::string_view key, std::string fallback = {}) {
  const auto* p = o.if_contains(key);
  if (p == nullptr || p->is_null()) return fallback;
  if (!p->is_string()) throw FieldError("field '" + std::string(key) + "' must be a string");
  return std::string(p->get_string());
}

inline std::string require_string(const boost::json::object& o, std::string_view key) {
  const auto* p = o.if_contains(key);
  if (p == nullptr || !p->is_string() || p->get_string().empty())
    throw FieldError("field '" + std::string(key) + "' is required and must be a non-empty string");
  return std::string(p->get_string());
}

inline std::int64_t get_int(const boost::json::object& o, std::string_view key, std::int64_t fallback = 0) {
  const auto* p = o.if_contains(key);
  if (p == nullptr || p->is_null()) return fallback;
  if (p->is_int64()) return p->get_int64();
  // Out-of-range numbers are refused: converting them would wrap (uint64) or be undefined (double).
  if (p->is_uint64() && p->get_uint64() <= static_cast<std::uint64_t>(INT64_MAX))
    return static_cast<std::int64_t>(p->get_uint64());
  if (p->is_double() && p->get_double() >= -9223372036854775808.0 && p->get_double() < 9223372036854775808.0)
    return static_cast<std::int64_t>(p->get_double());
  if (p->is_number()) throw FieldError("field '" + std::string(key) + "' is out of range");
  throw FieldError("field '" + std::string(key) + "' must be a number");
}

inline std::optional<std::int64_t> get_optional_int(const boost::json::object& o, std::string_view key) {
  const auto* p = o.if_contains(key);
  if (p == nullptr || p->is_null()) return std::nullopt;
  return get_int(o, key);
}

inline bool get_bool(const boost::json::object& o, std::string_view key, bool fallback = false) {
  const auto* p = o.if_contains(key);
  if (p == nullptr || p->is_null()) return fallback;
  if (!p->is_bool()) throw FieldError("field '" + std::string(key) + "' must be true or false");
  return p->get_bool();
}

inline std::vector<std::string> get_strings(const boost::json::object& o, std::string_view key) {
  std::vector<std::string> out;
  const auto* p = o.if_contains(key);
  if (p == nullptr || p->is_null()) return out;
  if (!p->is_array()) throw FieldError("field '" + std::string(key) + "' must be an array of strings");
  for (const auto& item : p->get_array()) {
    if (!item.is_string()) throw FieldError("field '" + std::string(key) + "' must hold only strings");
    out.emplace_back(item.get_string());
  }
  return out;
}

// Writes a string field only when it has a value, keeping documents small and readable.
inline void put_if(boost::json::object& o, std::string_view key, const std::string& value) {
  if (!value.empty()) o[key] = value;
}

inline boost::json::array to_array(const std::vector<std::string>& items) {
  boost::json::array a;
  a.reserve(items.size());
  for (const auto& s : items) a.emplace_back(s);
  return a;
}

} // namespace appconnect::sdk::json_fields
