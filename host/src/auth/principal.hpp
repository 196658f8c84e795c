// Who is calling the admin API, as established from a bearer token (auth/authenticator.hpp).
//
//   operator: runs the host; sees every tenant (the config file's admin_token is an operator token).
//   admin:    manages one tenant: its connections, settings, queue, jobs, tokens and audit trail.
//   rep:      a person taking calls in one tenant; sees and resolves only their own unresolved items
//             and sets their own logging overrides where the tenant allows it.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace appconnect::auth {

enum class Role { kOperator, kAdmin, kRep };

std::string_view role_name(Role role);
std::optional<Role> role_from(std::string_view name);

struct Principal {
  Role role = Role::kRep;
  std::string tenant;   // empty for operators
  std::string agent;    // reps: the agent id as events carry it (extension id or email)
  std::string token_id; // "bootstrap" for the config file's admin token
  std::string name;     // the token's name

  // How audit entries name this caller: "<role>:<token name>#<token id>"; never the token itself.
  std::string actor() const;
  bool is_operator() const { return role == Role::kOperator; }
  // Whether the caller may see tenant `id` at all.
  bool sees_tenant(std::string_view id) const { return is_operator() || id == tenant; }
};

} // namespace appconnect::auth
