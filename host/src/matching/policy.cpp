#include "matching/policy.hpp"

#include <appconnect/json_fields.hpp>

#include <boost/json.hpp>

namespace appconnect::matching {
namespace jf = sdk::json_fields;

MatchingPolicy default_policy() {
  MatchingPolicy p;
  p.rules.rules = {Rule::kTypePriority, Rule::kLastModified};
  p.rules.type_priority = {"Contact", "Lead"};
  return p;
}

namespace {

void apply(MatchingPolicy& p, const boost::json::object& m, const PhoneNormalizer& phones) {
  static const std::set<std::string> kKnown = {
      "rules",           "type_priority",      "placeholder",        "shared_numbers",
      "blocked_numbers", "blocked_extensions", "log_internal_calls", "kinds",
      "directions",      "cache_ttl_s",        "default_region",     "owners"};
  for (const auto& kv : m)
    if (!kKnown.count(std::string(kv.key())))
      throw jf::FieldError("unknown matching setting '" + std::string(kv.key()) + "'");
  p.default_region = jf::get_string(m, "default_region", p.default_region);
  if (m.contains("rules")) {
    p.rules.rules.clear();
    for (const auto& name : jf::get_strings(m, "rules")) {
      auto rule = rule_from_name(name);
      if (!rule)
        throw jf::FieldError("unknown conflict rule '" + name +
                             "' (known: type_priority, last_modified, earliest_created, alphabetical, owner_is_agent)");
      p.rules.rules.push_back(*rule);
    }
  }
  if (m.contains("type_priority")) p.rules.type_priority = jf::get_strings(m, "type_priority");
  if (const auto* ph = m.if_contains("placeholder")) {
    const auto& o = jf::as_object(*ph, "placeholder");
    p.placeholder.enabled = jf::get_bool(o, "enabled", p.placeholder.enabled);
    p.placeholder.type = jf::get_string(o, "type", p.placeholder.type);
    p.placeholder.name_template = jf::get_string(o, "name_template", p.placeholder.name_template);
  }
  auto numbers = [&](const char* key, std::set<std::string>& out) {
    if (!m.contains(key)) return;
    out.clear();
    for (const auto& raw : jf::get_strings(m, key)) {
      auto n = phones.normalize(raw, p.default_region);
      if (!n.valid) throw jf::FieldError(std::string("'") + raw + "' in " + key + " is not a valid phone number");
      out.insert(n.e164);
    }
  };
  numbers("shared_numbers", p.shared_numbers);
  numbers("blocked_numbers", p.blocked_numbers);
  if (m.contains("blocked_extensions")) {
    auto list = jf::get_strings(m, "blocked_extensions");
    p.blocked_extensions = std::set<std::string>(list.begin(), list.end());
  }
  p.log_internal_calls = jf::get_bool(m, "log_internal_calls", p.log_internal_calls);
  auto toggles = [&](const char* key, std::map<std::string, bool>& out) {
    const auto* v = m.if_contains(key);
    if (v == nullptr) return;
    for (const auto& kv : jf::as_object(*v, key)) {
      if (!kv.value().is_bool())
        throw jf::FieldError(std::string(key) + "." + std::string(kv.key()) + " must be true or false");
      out[std::string(kv.key())] = kv.value().get_bool();
    }
  };
  toggles("kinds", p.kinds);
  toggles("directions", p.directions);
  if (m.contains("cache_ttl_s")) {
    const auto ttl = jf::get_int(m, "cache_ttl_s");
    if (ttl < 0 || ttl > 86400) throw jf::FieldError("cache_ttl_s must be between 0 and 86400");
    p.cache_ttl_ms = ttl * 1000;
  }
}

const boost::json::object* matching_of(const boost::json::object& settings) {
  const auto* m = settings.if_contains("matching");
  if (m == nullptr || m->is_null()) return nullptr;
  if (!m->is_object()) throw jf::FieldError("'matching' must be an object");
  return &m->get_object();
}

} // namespace

Result<MatchingPolicy> policy_from(const boost::json::object& tenant_settings,
                                   const boost::json::object& connection_settings, const PhoneNormalizer& phones) {
  MatchingPolicy p = default_policy();
  try {
    p.default_region = jf::get_string(tenant_settings, "default_region", p.default_region);
    if (const auto* t = matching_of(tenant_settings)) apply(p, *t, phones);
    if (const auto* c = matching_of(connection_settings)) apply(p, *c, phones);
    return p;
  } catch (const jf::FieldError& ex) {
    return Error::make(error_code::kValidation, std::string("matching settings: ") + ex.what(), false);
  }
}

std::optional<std::string> skip_reason(const MatchingPolicy& p, const ingest::CommunicationEvent& e,
                                       const NormalizedPhone& counterpart) {
  if (auto it = p.kinds.find(e.kind); it != p.kinds.end() && !it->second)
    return "logging of " + e.kind + " is switched off";
  if (e.direction == "internal" && !p.log_internal_calls) return "internal communications are not logged";
  if (auto it = p.directions.find(e.direction); it != p.directions.end() && !it->second)
    return e.direction + " communications are not logged";
  if (counterpart.valid && p.blocked_numbers.count(counterpart.e164)) return counterpart.e164 + " is a blocked number";
  for (const auto* party : {&e.agent, &e.from, &e.to})
    if (!party->extension_id.empty() && p.blocked_extensions.count(party->extension_id))
      return "extension " + party->extension_id + " is blocked";
  return std::nullopt;
}

std::string placeholder_name(const std::string& name_template, const ingest::CommunicationEvent& e,
                             const std::string& phone_e164) {
  const std::string caller = e.counterpart().name.empty() ? phone_e164 : e.counterpart().name;
  std::string out;
  for (std::size_t i = 0; i < name_template.size();) {
    auto replace = [&](std::string_view token, const std::string& value) {
      if (name_template.compare(i, token.size(), token) != 0) return false;
      out += value;
      i += token.size();
      return true;
    };
    if (replace("{phone}", phone_e164) || replace("{caller_id_name}", caller) ||
        replace("{date}", e.start_time.substr(0, 10)))
      continue;
    out.push_back(name_template[i++]);
  }
  return out.empty() ? phone_e164 : out;
}

} // namespace appconnect::matching
