#include "pipeline/connector_client.hpp"

#include "common/log.hpp"

#include <appconnect/types.hpp>

#include <boost/json.hpp>

#include <chrono>

namespace appconnect::pipeline {
namespace {
std::int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string access_token_of(const store::ConnectionRow& c) {
  const auto* t = c.credentials.if_contains("access_token");
  return t != nullptr && t->is_string() ? std::string(t->get_string()) : std::string();
}
} // namespace

ConnectorClient::ConnectorClient(std::shared_ptr<plugins::PluginRegistry> registry,
                                 std::shared_ptr<store::ConnectionRepository> connections, std::int64_t call_timeout_ms)
    : registry_(std::move(registry)), connections_(std::move(connections)), call_timeout_ms_(call_timeout_ms) {}

boost::json::object ConnectorClient::context_of(const store::ConnectionRow& c) {
  return boost::json::object{
      {"connection_id", c.id}, {"tenant_id", c.tenant_id}, {"settings", c.settings}, {"credentials", c.credentials}};
}

Result<const plugins::LoadedPlugin*> ConnectorClient::plugin_for(const store::ConnectionRow& connection) const {
  if (!connection.enabled)
    return Error::make(error_code::kPermission, "connection '" + connection.id + "' is disabled", false);
  const plugins::LoadedPlugin* plugin = registry_->find(connection.connector);
  if (plugin == nullptr)
    return Error::make(error_code::kNotFound,
                       "connection '" + connection.id + "' uses connector '" + connection.connector +
                           "', but no loaded plugin has that id (see `appconnect plugins list`)",
                       false);
  return plugin;
}

std::mutex& ConnectorClient::refresh_mutex(const std::string& connection_id) {
  std::lock_guard lock(map_mutex_);
  auto& slot = refresh_mutexes_[connection_id];
  if (!slot) slot = std::make_unique<std::mutex>();
  return *slot;
}

Result<Done> ConnectorClient::refresh(const std::string& connection_id, const std::string& stale_access_token) {
  std::lock_guard single_flight(refresh_mutex(connection_id));
  auto row = connections_->get(connection_id);
  if (!row) return row.error();
  if (!row.value()) return Error::make(error_code::kNotFound, "no connection '" + connection_id + "'", false);
  const store::ConnectionRow& connection = *row.value();
  // Another thread refreshed while we waited: its token is newer than the one that failed.
  const std::string current = access_token_of(connection);
  if (!current.empty() && current != stale_access_token) return kDone;

  auto plugin = plugin_for(connection);
  if (!plugin) return plugin.error();
  if (!plugin.value()->supports("oauth"))
    return Error::make(error_code::kAuthRevoked,
                       "the CRM rejected the access token and connector '" + connection.connector +
                           "' cannot refresh it: reconnect the connection",
                       false);
  plugins::CallScope scope{connection.connector, connection.id, connection.tenant_id, wall_ms() + call_timeout_ms_};
  auto reply = plugin.value()->invoke("oauth_refresh", boost::json::object{}, context_of(connection), scope);
  if (!reply) {
    Error e = reply.error();
    // A refresh token the CRM refuses will not start working by itself: the admin must reconnect.
    if (e.code == error_code::kValidation || e.code == error_code::kAuthExpired || e.code == error_code::kPermission) {
      e.code = error_code::kAuthRevoked;
      e.retryable = false;
      e.message = "token refresh refused, the connection needs re-authorization: " + e.message;
    }
    log::warn("auth", "token refresh failed", {{"connection", connection.id}, {"code", e.code}});
    return e;
  }
  sdk::OAuthTokens tokens;
  try {
    tokens = boost::json::value_to<sdk::OAuthTokens>(reply.value());
  } catch (const std::exception& ex) {
    return Error::make(error_code::kInternal, std::string("plugin returned unusable tokens: ") + ex.what(), true);
  }
  boost::json::object credentials = connection.credentials;
  credentials["access_token"] = tokens.access_token;
  if (!tokens.refresh_token.empty()) credentials["refresh_token"] = tokens.refresh_token;
  if (tokens.expires_in_s) credentials["access_token_expires_at_ms"] = wall_ms() + *tokens.expires_in_s * 1000;
  auto saved = connections_->update_auth(connection.id, credentials, tokens.settings);
  if (!saved) return saved.error();
  log::info("auth", "access token refreshed", {{"connection", connection.id}});
  return kDone;
}

Result<boost::json::value> ConnectorClient::call(const std::string& connection_id, std::string_view operation,
                                                 const boost::json::value& request) {
  for (int attempt = 0;; ++attempt) {
    auto row = connections_->get(connection_id);
    if (!row) return row.error();
    if (!row.value()) return Error::make(error_code::kNotFound, "no connection '" + connection_id + "'", false);
    const store::ConnectionRow& connection = *row.value();
    auto plugin = plugin_for(connection);
    if (!plugin) return plugin.error();
    const std::string token = access_token_of(connection);
    if (token.empty() && attempt == 0 && plugin.value()->supports("oauth")) {
      // First use of a connection configured with a refresh token only: get an access token now.
      auto refreshed = refresh(connection_id, token);
      if (!refreshed) return refreshed.error();
      continue;
    }
    plugins::CallScope scope{connection.connector, connection.id, connection.tenant_id, wall_ms() + call_timeout_ms_};
    auto reply = plugin.value()->invoke(operation, request, context_of(connection), scope);
    if (reply || reply.error().code != error_code::kAuthExpired || attempt > 0) return reply;
    auto refreshed = refresh(connection_id, token);
    if (!refreshed) return refreshed.error();
  }
}

} // namespace appconnect::pipeline
