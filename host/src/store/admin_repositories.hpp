// Tables the admin API keeps for itself: versions of tenant and connection settings (history and
// rollback) and the pending states of OAuth connect flows.
#pragma once

#include "common/result.hpp"
#include "store/database.hpp"
#include "store/repositories.hpp"

#include <boost/json/object.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace appconnect::security {
class SecretBox;
}

namespace appconnect::store {

// ---- settings versions: every change of a tenant's or a connection's settings through the API

struct SettingsVersion {
  std::string scope; // "tenant" | "connection"
  std::string id;
  std::int64_t version = 0; // 1, 2, 3, ... per (scope, id)
  boost::json::object settings;
  std::string actor;
  std::int64_t at_ms = 0;
};

// Secret settings (store/settings_secrets.hpp) are sealed in every version row as in the tenants table.
class SettingsVersionRepository {
 public:
  explicit SettingsVersionRepository(std::shared_ptr<Database> db,
                                     std::shared_ptr<const security::SecretBox> secrets = nullptr)
      : db_(std::move(db)), secrets_(std::move(secrets)) {}
  // Appends `settings` as the next version and returns its number.
  Result<std::int64_t> record(const std::string& scope, const std::string& id, const boost::json::object& settings,
                              const std::string& actor);
  // record() inside the caller's transaction on `session`; throws Poco exceptions like any statement.
  std::int64_t append(Poco::Data::Session& session, const std::string& scope, const std::string& id,
                      const boost::json::object& settings, const std::string& actor);
  // Inside the caller's transaction, so a settings change and its history commit together: when `after`
  // differs from `before`, appends `after`, first recording `before` as a baseline ("system:baseline")
  // when the object has no version yet (created from the config file or by an older host). `before`
  // nullopt: a new object, whose settings are always recorded. Returns the new version or nullopt.
  std::optional<std::int64_t> append_change(Poco::Data::Session& session, const std::string& scope,
                                            const std::string& id, const std::optional<boost::json::object>& before,
                                            const boost::json::object& after, const std::string& actor);
  // Newest first.
  Result<std::vector<SettingsVersion>> list(const std::string& scope, const std::string& id);
  Result<std::optional<SettingsVersion>> get(const std::string& scope, const std::string& id, std::int64_t version);
  // A tenant's new settings and their version rows (append_change) in one transaction. Returns the new
  // version number, or nullopt when the settings did not change.
  Result<std::optional<std::int64_t>> save_tenant(TenantRepository& tenants, const TenantRow& tenant,
                                                  const std::optional<boost::json::object>& before,
                                                  const std::string& actor);
  // Seals again, with the box's current key, every version's secret settings that are plaintext or
  // sealed with an older key. Returns how many rows changed. Needs a box.
  Result<std::int64_t> reseal_settings();

 private:
  Result<SettingsVersion> decode(const std::string& scope, const std::string& id, std::int64_t version,
                                 const std::string& settings, const std::string& actor, std::int64_t at_ms) const;

  std::shared_ptr<Database> db_;
  std::shared_ptr<const security::SecretBox> secrets_;
};

// ---- OAuth connect: a started flow, found again by the hash of its state when the CRM redirects back

struct OAuthState {
  std::string tenant_id;
  std::string connection_id;
  std::string redirect_uri;
  std::string actor; // who started the flow
  std::int64_t expires_at = 0;
};

class OAuthStateRepository {
 public:
  explicit OAuthStateRepository(std::shared_ptr<Database> db) : db_(std::move(db)) {}
  Result<Done> put(const std::string& state_hash, const OAuthState& state);
  // Removes and returns the flow (a state works once), expired or not; nullopt when unknown. Expired
  // rows of other flows are removed on the way.
  Result<std::optional<OAuthState>> take(const std::string& state_hash);

 private:
  std::shared_ptr<Database> db_;
};

} // namespace appconnect::store
