#include "framework/json_util.hpp"

#include <chrono>

namespace appconnect::crm_sandbox {

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::optional<boost::json::value> try_parse_json(std::string_view text, std::string* error) {
  boost::system::error_code ec;
  auto v = boost::json::parse(text, ec);
  if (ec) {
    if (error) *error = ec.message();
    return std::nullopt;
  }
  return v;
}

std::string json_string(const boost::json::object& o, std::string_view key, std::string fallback) {
  const auto* p = o.if_contains(key);
  return p && p->is_string() ? std::string(p->get_string()) : fallback;
}

std::optional<double> as_number(const boost::json::value& v) {
  if (v.is_int64()) return static_cast<double>(v.get_int64());
  if (v.is_uint64()) return static_cast<double>(v.get_uint64());
  if (v.is_double()) return v.get_double();
  return std::nullopt;
}

std::int64_t json_int(const boost::json::object& o, std::string_view key, std::int64_t fallback) {
  const auto* p = o.if_contains(key);
  if (!p) return fallback;
  auto n = as_number(*p);
  return n ? static_cast<std::int64_t>(*n) : fallback;
}

double json_double(const boost::json::object& o, std::string_view key, double fallback) {
  const auto* p = o.if_contains(key);
  if (!p) return fallback;
  auto n = as_number(*p);
  return n ? *n : fallback;
}

bool json_bool(const boost::json::object& o, std::string_view key, bool fallback) {
  const auto* p = o.if_contains(key);
  return p && p->is_bool() ? p->get_bool() : fallback;
}

} // namespace appconnect::crm_sandbox
