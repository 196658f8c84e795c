#include "plugins/manifest.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <algorithm>
#include <cstdint>
#include <optional>

namespace appconnect::plugins {
namespace {

Error field_error(std::string_view field, std::string_view problem) {
  return Error::make(error_code::kValidation, "manifest field '" + std::string(field) + "': " + std::string(problem),
                     false);
}

// Quotes a value from the manifest for an error message, shortened so a hostile file cannot flood logs.
std::string quoted(std::string_view s) {
  constexpr std::size_t kMax = 80;
  std::string out = boost::json::serialize(boost::json::value(s.substr(0, kMax)));
  if (s.size() > kMax) out += "...";
  return out;
}

bool valid_id(std::string_view id) {
  if (id.size() < 2 || id.size() > 64) return false;
  if (id.front() < 'a' || id.front() > 'z') return false;
  return std::all_of(id.begin() + 1, id.end(),
                     [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'; });
}

// MAJOR.MINOR.PATCH, then an optional "-prerelease" and/or "+build" of [0-9A-Za-z.-].
bool valid_version(std::string_view v) {
  std::size_t i = 0;
  for (int part = 0; part < 3; ++part) {
    const std::size_t start = i;
    while (i < v.size() && v[i] >= '0' && v[i] <= '9') ++i;
    if (i == start || i - start > 9) return false;
    if (part < 2) {
      if (i >= v.size() || v[i] != '.') return false;
      ++i;
    }
  }
  if (i == v.size()) return true;
  if (v[i] != '-' && v[i] != '+') return false;
  const std::string_view suffix = v.substr(i + 1);
  if (suffix.empty()) return false;
  return std::all_of(suffix.begin(), suffix.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '.' || c == '-' ||
           c == '+';
  });
}

std::optional<std::int64_t> as_integer(const boost::json::value& v) {
  if (v.is_int64()) return v.get_int64();
  if (v.is_uint64() && v.get_uint64() <= static_cast<std::uint64_t>(INT64_MAX))
    return static_cast<std::int64_t>(v.get_uint64());
  return std::nullopt;
}

// Reads an optional array of non-empty strings into `out`; an error names the field and the index.
std::optional<Error> read_strings(const boost::json::object& o, std::string_view key, bool required,
                                  std::vector<std::string>& out) {
  const auto* p = o.if_contains(key);
  if (p == nullptr || p->is_null()) {
    if (required) return field_error(key, "is required (an array of strings)");
    return std::nullopt;
  }
  if (!p->is_array()) return field_error(key, "must be an array of strings");
  const auto& arr = p->get_array();
  for (std::size_t i = 0; i < arr.size(); ++i) {
    const std::string where = std::string(key) + "[" + std::to_string(i) + "]";
    if (!arr[i].is_string() || arr[i].get_string().empty()) return field_error(where, "must be a non-empty string");
    out.emplace_back(arr[i].get_string());
  }
  return std::nullopt;
}

} // namespace

Result<Manifest> parse_manifest(std::string_view json_text) {
  boost::system::error_code ec;
  boost::json::value doc = boost::json::parse(json_text, ec);
  if (ec) return Error::make(error_code::kValidation, "manifest is not valid JSON: " + ec.message(), false);
  if (!doc.is_object()) return Error::make(error_code::kValidation, "manifest must be a JSON object", false);

  Manifest m;
  m.raw = std::move(doc.get_object());
  const boost::json::object& o = m.raw;

  const auto* id = o.if_contains("id");
  if (id == nullptr || !id->is_string()) return field_error("id", "is required (a string)");
  if (!valid_id(id->get_string()))
    return field_error("id", "must match ^[a-z][a-z0-9_-]{1,63}$, got " + quoted(id->get_string()));
  m.id = std::string(id->get_string());

  const auto* name = o.if_contains("name");
  if (name == nullptr || !name->is_string() || name->get_string().empty())
    return field_error("name", "is required (a non-empty string)");
  m.name = std::string(name->get_string());

  const auto* version = o.if_contains("version");
  if (version == nullptr || !version->is_string()) return field_error("version", "is required (a string)");
  if (!valid_version(version->get_string()))
    return field_error("version", "must be MAJOR.MINOR.PATCH (e.g. \"1.2.0\"), got " + quoted(version->get_string()));
  m.version = std::string(version->get_string());

  if (const auto* vendor = o.if_contains("vendor"); vendor != nullptr && !vendor->is_null() && !vendor->is_string())
    return field_error("vendor", "must be a string");

  const auto* abi = o.if_contains("abi");
  if (abi == nullptr || !abi->is_object()) return field_error("abi", "is required (an object {\"major\", \"minor\"})");
  for (const char* part : {"major", "minor"}) {
    const std::string field = std::string("abi.") + part;
    const auto* p = abi->get_object().if_contains(part);
    if (p == nullptr) return field_error(field, "is required (an integer)");
    const auto value = as_integer(*p);
    if (!value || *value < 0 || *value > 65535) return field_error(field, "must be an integer from 0 to 65535");
    (std::string_view(part) == "major" ? m.abi_major : m.abi_minor) = static_cast<int>(*value);
  }

  if (auto e = read_strings(o, "capabilities", true, m.capabilities)) return *e;
  for (std::size_t i = 0; i < m.capabilities.size(); ++i) {
    const std::string& c = m.capabilities[i];
    if (std::find(kKnownCapabilities.begin(), kKnownCapabilities.end(), c) == kKnownCapabilities.end())
      return field_error("capabilities[" + std::to_string(i) + "]", "unknown capability " + quoted(c));
  }
  if (auto e = read_strings(o, "contact_types", false, m.contact_types)) return *e;
  if (auto e = read_strings(o, "body_formats", false, m.body_formats)) return *e;
  std::vector<std::string> phone_formats;
  if (auto e = read_strings(o, "phone_search_formats", false, phone_formats)) return *e;

  if (const auto* oauth = o.if_contains("oauth"); oauth != nullptr && !oauth->is_null() && !oauth->is_object())
    return field_error("oauth", "must be an object");

  if (const auto* settings = o.if_contains("settings"); settings != nullptr && !settings->is_null()) {
    if (!settings->is_array()) return field_error("settings", "must be an array of {\"key\", \"description\"} objects");
    const auto& arr = settings->get_array();
    for (std::size_t i = 0; i < arr.size(); ++i) {
      const std::string where = "settings[" + std::to_string(i) + "]";
      if (!arr[i].is_object()) return field_error(where, "must be an object");
      const auto* key = arr[i].get_object().if_contains("key");
      if (key == nullptr || !key->is_string() || key->get_string().empty())
        return field_error(where + ".key", "is required (a non-empty string)");
    }
  }
  return m;
}

} // namespace appconnect::plugins
