// The admin API for what the host is configured with: API tokens, tenants, connections (with static
// credentials, enable/disable, trial mode, health, the OAuth connect flow) and versioned settings.
// docs/admin/api.md lists every route with the roles it admits.
//
// Tenant isolation: every object belongs to a tenant; a caller who may not see that tenant gets the
// same 404 as for an object that does not exist. Credentials are write-only: responses name the
// credential keys that are set, never a value.
#pragma once

#include "audit/audit_log.hpp"
#include "auth/authenticator.hpp"
#include "auth/token_store.hpp"
#include "http/server.hpp"
#include "pipeline/connection_guard.hpp"
#include "pipeline/connector_client.hpp"
#include "plugins/plugin_registry.hpp"
#include "store/admin_repositories.hpp"
#include "store/repositories.hpp"

#include <memory>

namespace appconnect::admin {

struct ManagementDeps {
  std::shared_ptr<const auth::Authenticator> auth;
  std::shared_ptr<auth::TokenRepository> tokens;
  std::shared_ptr<store::TenantRepository> tenants;
  std::shared_ptr<store::ConnectionRepository> connections;
  std::shared_ptr<store::JobRepository> jobs; // a connection's health: last success, last error
  std::shared_ptr<store::SettingsVersionRepository> versions;
  std::shared_ptr<store::OAuthStateRepository> oauth_states;
  std::shared_ptr<const plugins::PluginRegistry> registry;
  std::shared_ptr<pipeline::ConnectorClient> connector;
  std::shared_ptr<const pipeline::ConnectionGuard> guard; // circuit state per connection; may be null
  std::shared_ptr<audit::AuditLog> audit;
  bool can_encrypt = false; // a secrets key is configured: credentials may be stored
};

// Tokens, whoami, tenants (with their settings versions) and a rep's own settings.
void add_management_routes(http::Router& router, std::shared_ptr<const ManagementDeps> deps);
// Connections (with settings versions and health) and the OAuth connect flow, including the
// unauthenticated GET /v1/oauth/callback (the state authenticates it).
void add_connection_routes(http::Router& router, std::shared_ptr<const ManagementDeps> deps);

// Shared by both files.
namespace detail {
// Appends an audit entry; a failure is logged, not answered (the change is already made).
void record(const ManagementDeps& d, const std::string& tenant, const std::string& actor, const std::string& action,
            const std::string& subject, boost::json::object detail);
// Applies a top-level merge patch: each key replaces the current value, null removes the key.
boost::json::object merge_patch(boost::json::object base, const boost::json::object& patch);
boost::json::object version_json(const store::SettingsVersion& v);
// Ids of tenants and connections: 1-64 characters of [A-Za-z0-9._-].
bool valid_id(const std::string& id);
boost::json::object body_object(const http::Request& r);
} // namespace detail

} // namespace appconnect::admin
