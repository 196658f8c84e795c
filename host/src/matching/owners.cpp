#include "matching/owners.hpp"

#include <appconnect/json_fields.hpp>

#include <cctype>
#include <chrono>

namespace appconnect::matching {
namespace jf = sdk::json_fields;
namespace {

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

void apply(OwnerPolicy& p, const boost::json::object& settings) {
  const auto* m = settings.if_contains("matching");
  if (m == nullptr || !m->is_object()) return;
  const auto* o = m->get_object().if_contains("owners");
  if (o == nullptr) return;
  const auto& owners = jf::as_object(*o, "matching.owners");
  p.mode = jf::get_string(owners, "mode", p.mode);
  if (p.mode != "agent" && p.mode != "admin") throw jf::FieldError("matching.owners.mode must be agent or admin");
  p.admin_owner_id = jf::get_string(owners, "admin_owner_id", p.admin_owner_id);
  p.fallback_owner_id = jf::get_string(owners, "fallback_owner_id", p.fallback_owner_id);
  if (p.mode == "admin" && p.admin_owner_id.empty())
    throw jf::FieldError("matching.owners.mode admin needs admin_owner_id");
  if (const auto* ov = owners.if_contains("overrides"))
    for (const auto& kv : jf::as_object(*ov, "matching.owners.overrides")) {
      if (!kv.value().is_string()) throw jf::FieldError("matching.owners.overrides values must be CRM user ids");
      p.overrides[lower(std::string(kv.key()))] = std::string(kv.value().get_string());
    }
}

std::int64_t steady_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

} // namespace

Result<OwnerPolicy> owner_policy_from(const boost::json::object& tenant_settings,
                                      const boost::json::object& connection_settings) {
  OwnerPolicy p;
  try {
    apply(p, tenant_settings);
    apply(p, connection_settings);
    return p;
  } catch (const jf::FieldError& ex) {
    return Error::make(error_code::kValidation, std::string("owner settings: ") + ex.what(), false);
  }
}

OwnerDecision OwnerResolver::resolve(const std::string& connection_id, const OwnerPolicy& policy,
                                     const ingest::Party& agent, const ListUsers& list_users) {
  if (policy.mode == "admin") return {policy.admin_owner_id, "admin"};
  for (const std::string& key : {agent.extension_id, lower(agent.email)})
    if (!key.empty())
      if (auto it = policy.overrides.find(key); it != policy.overrides.end()) return {it->second, "override"};
  if (!agent.email.empty()) {
    std::lock_guard lock(mutex_); // one user-list fetch per connection at a time
    auto& dir = directories_[connection_id];
    if (dir.fetched_at_ms == 0 || steady_ms() - dir.fetched_at_ms >= ttl_ms_) {
      if (auto users = list_users(); users) {
        dir.by_email.clear();
        for (const auto& u : users.value())
          if (u.active && !u.email.empty()) dir.by_email[lower(u.email)] = u.id;
        dir.fetched_at_ms = steady_ms();
      }
    }
    if (auto it = dir.by_email.find(lower(agent.email)); it != dir.by_email.end()) return {it->second, "agent_email"};
  }
  if (!policy.fallback_owner_id.empty()) return {policy.fallback_owner_id, "fallback"};
  return {"", "none"};
}

} // namespace appconnect::matching
