// Calls a connection's plugin with the connection's context, and owns the connection's access token:
// when the CRM says the token expired, exactly one thread refreshes it (single flight per connection,
// across processes on PostgreSQL),
// stores the new token, and every waiting call retries once with it. A token known to expire within
// a minute is refreshed before the call. A refresh the CRM refuses (revoked refresh token) marks the
// connection "needs re-authorization" in its settings: its calls are then held (kNeedsReauthorization,
// retryable, no CRM call) until the connection gets other credentials.
//
// Every plugin call passes the ConnectionGuard (circuit breaker, CRM rate limits) when one is given.
#pragma once

#include "common/result.hpp"
#include "pipeline/connection_guard.hpp"
#include "plugins/plugin_registry.hpp"
#include "store/repositories.hpp"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <appconnect/types.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace appconnect::pipeline {

// Whether the connection is marked as needing re-authorization for its current credentials.
bool needs_reauthorization(const store::ConnectionRow& connection);

// What a connection stores after a CRM issued tokens (code exchange or refresh): `credentials` with the
// new access token, the refresh token when a new one came (some CRMs keep the old one valid and send
// none), the access token's expiry when the CRM said it; and the settings the plugin learned plus
// auth_status "ok" since `now_ms`.
struct IssuedTokens {
  boost::json::object credentials;
  boost::json::object settings_update;
};
IssuedTokens merge_issued_tokens(boost::json::object credentials, const sdk::OAuthTokens& tokens, std::int64_t now_ms);

class ConnectorClient {
 public:
  ConnectorClient(std::shared_ptr<plugins::PluginRegistry> registry,
                  std::shared_ptr<store::ConnectionRepository> connections, std::int64_t call_timeout_ms = 30000,
                  std::shared_ptr<ConnectionGuard> guard = nullptr, std::int64_t reauthorization_recheck_ms = 60000);

  // Runs `operation` for `connection_id`. An "auth_expired" error triggers one refresh and one retry.
  Result<boost::json::value> call(const std::string& connection_id, std::string_view operation,
                                  const boost::json::value& request);

  // The plugin serving a connection, or an error saying why there is none (unknown connector, disabled).
  Result<const plugins::LoadedPlugin*> plugin_for(const store::ConnectionRow& connection) const;

  // Runs an OAuth grant operation (oauth_authorize_url, oauth_exchange_code) for a connection that may
  // have no token yet: no token refresh, no circuit breaker (a consent page is not the CRM's API), and
  // a disabled connection may be connected before it is enabled.
  Result<boost::json::value> grant(const store::ConnectionRow& connection, std::string_view operation,
                                   const boost::json::value& request);

  // Refreshes the connection's access token now (if the plugin supports OAuth refresh).
  Result<Done> refresh(const std::string& connection_id, const std::string& stale_access_token);

  // Runs `work` holding the connection's refresh lock: this process's per-connection mutex and the
  // database lock (ConnectionRepository::with_refresh_lock). Whoever rewrites a connection's
  // credentials from a copy it read (an admin's PATCH, the OAuth callback) reads and writes inside it,
  // so a token refresh running at the same time is neither lost nor overwritten with a stale copy.
  Result<Done> with_refresh_lock(const std::string& connection_id, const std::function<Result<Done>()>& work);

 private:
  std::mutex& refresh_mutex(const std::string& connection_id);
  // The refresh itself, under both locks.
  Result<Done> refresh_locked(const std::string& connection_id, const std::string& stale_access_token);
  static boost::json::object context_of(const store::ConnectionRow& c);
  // The plugin call itself, through the guard.
  Result<boost::json::value> invoke(const plugins::LoadedPlugin& plugin, const store::ConnectionRow& connection,
                                    std::string_view operation, const boost::json::value& request);

  std::shared_ptr<plugins::PluginRegistry> registry_;
  std::shared_ptr<store::ConnectionRepository> connections_;
  std::int64_t call_timeout_ms_;
  std::shared_ptr<ConnectionGuard> guard_;
  std::int64_t reauthorization_recheck_ms_;
  std::mutex map_mutex_;
  std::unordered_map<std::string, std::unique_ptr<std::mutex>> refresh_mutexes_;
};

} // namespace appconnect::pipeline
