#include "pipeline/connector_client.hpp"

#include "common/log.hpp"
#include "observability/metrics.hpp"

#include <appconnect/types.hpp>

#include <boost/json.hpp>

#include <chrono>
#include <cstdio>

namespace appconnect::pipeline {
namespace {
std::int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string credential(const store::ConnectionRow& c, const char* key) {
  const auto* t = c.credentials.if_contains(key);
  return t != nullptr && t->is_string() ? std::string(t->get_string()) : std::string();
}

std::string access_token_of(const store::ConnectionRow& c) {
  return credential(c, "access_token");
}

// Names the credentials a refusal was about without storing them: new credentials (a reconnect, a
// config file with a new refresh token) have another fingerprint and lift the hold. FNV-1a, 64 bit.
std::string credentials_fingerprint(const store::ConnectionRow& c) {
  std::uint64_t h = 1469598103934665603ULL;
  for (const std::string& part : {credential(c, "refresh_token"), std::string(1, '\n'), access_token_of(c)})
    for (unsigned char ch : part) {
      h ^= ch;
      h *= 1099511628211ULL;
    }
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(h));
  return text;
}

// A token this close to its expiry is refreshed before a call rather than after a refusal.
constexpr std::int64_t kRefreshMarginMs = 60000;
} // namespace

bool needs_reauthorization(const store::ConnectionRow& connection) {
  const auto* status = connection.settings.if_contains("auth_status");
  if (status == nullptr || !status->is_object()) return false;
  const auto* state = status->get_object().if_contains("state");
  const auto* fingerprint = status->get_object().if_contains("credentials");
  return state != nullptr && state->is_string() && state->get_string() == kNeedsReauthorization &&
         fingerprint != nullptr && fingerprint->is_string() &&
         fingerprint->get_string() == credentials_fingerprint(connection);
}

ConnectorClient::ConnectorClient(std::shared_ptr<plugins::PluginRegistry> registry,
                                 std::shared_ptr<store::ConnectionRepository> connections, std::int64_t call_timeout_ms,
                                 std::shared_ptr<ConnectionGuard> guard, std::int64_t reauthorization_recheck_ms)
    : registry_(std::move(registry)),
      connections_(std::move(connections)),
      call_timeout_ms_(call_timeout_ms),
      guard_(std::move(guard)),
      reauthorization_recheck_ms_(reauthorization_recheck_ms) {}

Result<boost::json::value> ConnectorClient::invoke(const plugins::LoadedPlugin& plugin,
                                                   const store::ConnectionRow& connection, std::string_view operation,
                                                   const boost::json::value& request) {
  if (guard_) {
    auto admitted = guard_->admit(connection.id);
    if (!admitted) return admitted.error();
  }
  plugins::CallScope scope{connection.connector, connection.id, connection.tenant_id, wall_ms() + call_timeout_ms_};
  const auto started = std::chrono::steady_clock::now();
  auto reply = plugin.invoke(operation, request, context_of(connection), scope);
  observability::Metrics::global().crm_request(
      connection.connector, operation, connection.id,
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  if (guard_) guard_->record(connection.id, reply ? Result<Done>(kDone) : Result<Done>(reply.error()));
  return reply;
}

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

IssuedTokens merge_issued_tokens(boost::json::object credentials, const sdk::OAuthTokens& tokens, std::int64_t now_ms) {
  credentials["access_token"] = tokens.access_token;
  if (!tokens.refresh_token.empty()) credentials["refresh_token"] = tokens.refresh_token;
  if (tokens.expires_in_s)
    credentials["access_token_expires_at_ms"] = now_ms + *tokens.expires_in_s * 1000;
  else
    credentials.erase("access_token_expires_at_ms"); // an expiry of the previous token would be wrong now
  boost::json::object settings_update = tokens.settings;
  settings_update["auth_status"] = boost::json::object{{"state", "ok"}, {"since_ms", now_ms}};
  return {std::move(credentials), std::move(settings_update)};
}

Result<Done> ConnectorClient::with_refresh_lock(const std::string& connection_id,
                                                const std::function<Result<Done>()>& work) {
  // Among this process's threads, then among all processes on the database (PostgreSQL).
  std::lock_guard single_flight(refresh_mutex(connection_id));
  return connections_->with_refresh_lock(connection_id, work);
}

Result<Done> ConnectorClient::refresh(const std::string& connection_id, const std::string& stale_access_token) {
  // One refresh per connection at a time; whoever waited finds the newer token and uses it.
  return with_refresh_lock(connection_id, [&] { return refresh_locked(connection_id, stale_access_token); });
}

Result<Done> ConnectorClient::refresh_locked(const std::string& connection_id, const std::string& stale_access_token) {
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
  auto reply = invoke(*plugin.value(), connection, "oauth_refresh", boost::json::object{});
  if (!reply) {
    Error e = reply.error();
    // A refresh token the CRM refuses will not start working by itself: the admin must reconnect.
    if (e.code == error_code::kValidation || e.code == error_code::kAuthExpired || e.code == error_code::kPermission ||
        e.code == error_code::kAuthRevoked) {
      const std::string crm_message = e.message;
      e = Error::make(kNeedsReauthorization,
                      "token refresh refused, connection '" + connection.id +
                          "' needs re-authorization (its jobs wait): " + crm_message,
                      true);
      e.retry_after_ms = reauthorization_recheck_ms_;
      auto marked = connections_->update_auth(
          connection.id, connection.credentials,
          boost::json::object{{"auth_status", boost::json::object{{"state", kNeedsReauthorization},
                                                                  {"credentials", credentials_fingerprint(connection)},
                                                                  {"since_ms", wall_ms()},
                                                                  {"error", crm_message}}}});
      if (!marked) return marked.error();
      log::error("auth", "connection needs re-authorization", {{"connection", connection.id}, {"error", crm_message}});
      return e;
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
  const auto issued = merge_issued_tokens(connection.credentials, tokens, wall_ms());
  auto saved = connections_->update_auth(connection.id, issued.credentials, issued.settings_update);
  if (!saved) return saved.error();
  log::info("auth", "access token refreshed", {{"connection", connection.id}});
  return kDone;
}

Result<boost::json::value> ConnectorClient::grant(const store::ConnectionRow& connection, std::string_view operation,
                                                  const boost::json::value& request) {
  const plugins::LoadedPlugin* plugin = registry_->find(connection.connector);
  if (plugin == nullptr)
    return Error::make(error_code::kNotFound, "no loaded plugin has the id '" + connection.connector + "'", false);
  plugins::CallScope scope{connection.connector, connection.id, connection.tenant_id, wall_ms() + call_timeout_ms_};
  return plugin->invoke(operation, request, context_of(connection), scope);
}

Result<boost::json::value> ConnectorClient::call(const std::string& connection_id, std::string_view operation,
                                                 const boost::json::value& request) {
  for (int attempt = 0;; ++attempt) {
    auto row = connections_->get_recent(connection_id);
    if (!row) return row.error();
    if (!row.value()) return Error::make(error_code::kNotFound, "no connection '" + connection_id + "'", false);
    const store::ConnectionRow& connection = *row.value();
    auto plugin = plugin_for(connection);
    if (!plugin) return plugin.error();
    if (needs_reauthorization(connection)) {
      Error held = Error::make(kNeedsReauthorization,
                               "connection '" + connection.id +
                                   "' needs re-authorization: the CRM refused its refresh token; its jobs wait "
                                   "for new credentials",
                               true);
      held.retry_after_ms = reauthorization_recheck_ms_;
      return held;
    }
    const std::string token = access_token_of(connection);
    if (attempt == 0 && plugin.value()->supports("oauth")) {
      // No access token yet (configured with a refresh token only), or one about to expire: refresh
      // first instead of spending a call on a refusal.
      const auto* expires = connection.credentials.if_contains("access_token_expires_at_ms");
      const bool expiring =
          expires != nullptr && expires->is_int64() && expires->get_int64() - kRefreshMarginMs <= wall_ms();
      if (token.empty() || expiring) {
        auto refreshed = refresh(connection_id, token);
        if (!refreshed) return refreshed.error();
        continue;
      }
    }
    auto reply = invoke(*plugin.value(), connection, operation, request);
    if (reply || reply.error().code != error_code::kAuthExpired || attempt > 0) return reply;
    auto refreshed = refresh(connection_id, token);
    if (!refreshed) return refreshed.error();
  }
}

} // namespace appconnect::pipeline
