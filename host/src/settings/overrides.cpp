#include "settings/overrides.hpp"

#include <boost/json.hpp>

namespace appconnect::settings {

bool is_overridable(const boost::json::object& tenant_settings, std::string_view path) {
  const auto* list = tenant_settings.if_contains(kOverridableKey);
  if (list == nullptr || !list->is_array()) return false;
  for (const auto& v : list->get_array())
    if (v.is_string() && v.get_string() == path) return true;
  return false;
}

void set_path(boost::json::object& settings, std::string_view path, const boost::json::value& value) {
  boost::json::object* at = &settings;
  for (;;) {
    const auto dot = path.find('.');
    if (dot == std::string_view::npos) {
      (*at)[path] = value;
      return;
    }
    auto& next = (*at)[path.substr(0, dot)];
    if (!next.is_object()) next = boost::json::object{};
    at = &next.get_object();
    path.remove_prefix(dot + 1);
  }
}

void apply_rep_overrides(boost::json::object& tenant_settings, const std::vector<std::string>& agent_ids) {
  const auto* all = tenant_settings.if_contains(kOverridesKey);
  if (all == nullptr || !all->is_object()) return;
  const boost::json::object* mine = nullptr;
  for (const auto& id : agent_ids) {
    if (id.empty()) continue;
    if (const auto* o = all->get_object().if_contains(id); o && o->is_object()) {
      mine = &o->get_object();
      break;
    }
  }
  if (mine == nullptr) return;
  const boost::json::object overrides = *mine; // copied: set_path below may reshape tenant_settings
  for (const auto& kv : overrides)
    if (is_overridable(tenant_settings, kv.key())) set_path(tenant_settings, kv.key(), kv.value());
}

bool trial_skips(const boost::json::object& connection_settings, const std::vector<std::string>& agent_ids) {
  const auto* trial = connection_settings.if_contains(kTrialModeKey);
  if (trial == nullptr || !trial->is_object()) return false;
  const auto* enabled = trial->get_object().if_contains("enabled");
  if (enabled == nullptr || !enabled->is_bool() || !enabled->get_bool()) return false;
  const auto* agent = trial->get_object().if_contains("agent");
  if (agent == nullptr || !agent->is_string() || agent->get_string().empty()) return true; // nobody's calls
  for (const auto& id : agent_ids)
    if (!id.empty() && agent->get_string() == id) return false;
  return true;
}

} // namespace appconnect::settings
