// Tables the admin API keeps for itself: versions of tenant and connection settings (history and
// rollback) and the pending states of OAuth connect flows.
#pragma once

#include "common/result.hpp"
#include "store/database.hpp"

#include <boost/json/object.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

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

class SettingsVersionRepository {
 public:
  explicit SettingsVersionRepository(std::shared_ptr<Database> db) : db_(std::move(db)) {}
  // Appends `settings` as the next version and returns its number.
  Result<std::int64_t> record(const std::string& scope, const std::string& id, const boost::json::object& settings,
                              const std::string& actor);
  // Newest first.
  Result<std::vector<SettingsVersion>> list(const std::string& scope, const std::string& id);
  Result<std::optional<SettingsVersion>> get(const std::string& scope, const std::string& id, std::int64_t version);

 private:
  std::shared_ptr<Database> db_;
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
