// Per-agent rules on top of tenant and connection settings, read by the processor for every job (from
// the settings it loads from the database per job, so a change applies to the next job at once).
//
// Rep overrides. A tenant's settings may list, under "rep_overridable", setting paths (dotted, e.g.
// "logging.kinds") that reps may set for their own calls; every other setting is mandated by the tenant.
// A rep's values live in the tenant settings under "rep_overrides": {"<agent>": {"<path>": value}} and
// replace the tenant's value at that path for jobs of that agent's events. A path that is no longer
// listed in rep_overridable stops applying at once (the admin took the choice back).
//
// Trial mode. A connection whose settings hold "trial_mode": {"enabled": true, "agent": "<agent>"} logs
// only that agent's communications; jobs of other agents' events are skipped with reason "trial_mode".
#pragma once

#include <boost/json/object.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace appconnect::settings {

inline constexpr const char* kOverridableKey = "rep_overridable";
inline constexpr const char* kOverridesKey = "rep_overrides";
inline constexpr const char* kTrialModeKey = "trial_mode";

// Whether `path` is listed in the tenant's rep_overridable.
bool is_overridable(const boost::json::object& tenant_settings, std::string_view path);

// Sets a dotted path, creating (or replacing non-object) intermediate objects.
void set_path(boost::json::object& settings, std::string_view path, const boost::json::value& value);

// Applies the overrides of the first of `agent_ids` (extension id, email) that has any.
void apply_rep_overrides(boost::json::object& tenant_settings, const std::vector<std::string>& agent_ids);

// True when the connection is in trial mode and none of `agent_ids` is its trial agent.
bool trial_skips(const boost::json::object& connection_settings, const std::vector<std::string>& agent_ids);

} // namespace appconnect::settings
