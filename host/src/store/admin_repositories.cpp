#include "store/admin_repositories.hpp"

#include "store/repositories.hpp"
#include "store/row_helpers.hpp"
#include "store/settings_secrets.hpp"

#include <Poco/Data/Session.h>
#include <Poco/Nullable.h>
#include <Poco/Tuple.h>

using namespace Poco::Data::Keywords;

namespace appconnect::store {

namespace {
std::string version_context(const std::string& scope, const std::string& id, std::int64_t version) {
  return "settings_version:" + scope + ":" + id + ":" + std::to_string(version);
}
} // namespace

std::int64_t SettingsVersionRepository::append(Poco::Data::Session& session, const std::string& scope,
                                               const std::string& id, const boost::json::object& settings,
                                               const std::string& actor) {
  std::string sc = scope, key = id, who = actor;
  std::int64_t at = now_ms();
  // Two API calls changing the same settings at once: PostgreSQL serializes them on this lock, SQLite
  // on its single writer, so both read a different MAX and neither insert collides.
  db_->lock_in_transaction(session, "appconnect.settings_versions", scope + '\n' + id);
  Poco::Nullable<Poco::Int64> newest;
  session << db_->sql("SELECT MAX(version) FROM settings_versions WHERE scope = ? AND id = ?"), use(sc), use(key),
      into(newest), now;
  std::int64_t version = newest.isNull() ? 1 : static_cast<std::int64_t>(newest.value()) + 1;
  std::string text =
      boost::json::serialize(seal_secret_settings(secrets_.get(), settings, version_context(scope, id, version)));
  session << db_->sql(
      "INSERT INTO settings_versions (scope, id, version, settings, actor, at_ms) VALUES (?, ?, ?, ?, ?, ?)"),
      use(sc), use(key), use(version), use(text), use(who), use(at), now;
  return version;
}

std::optional<std::int64_t> SettingsVersionRepository::append_change(Poco::Data::Session& session,
                                                                     const std::string& scope, const std::string& id,
                                                                     const std::optional<boost::json::object>& before,
                                                                     const boost::json::object& after,
                                                                     const std::string& actor) {
  if (before && *before == after) return std::nullopt;
  if (before) {
    std::vector<Poco::Int64> any;
    std::string sc = scope, key = id;
    session << db_->sql("SELECT version FROM settings_versions WHERE scope = ? AND id = ? LIMIT 1"), use(sc), use(key),
        into(any), now;
    if (any.empty()) append(session, scope, id, *before, "system:baseline");
  }
  return append(session, scope, id, after, actor);
}

Result<std::int64_t> SettingsVersionRepository::record(const std::string& scope, const std::string& id,
                                                       const boost::json::object& settings, const std::string& actor) {
  try {
    auto s = db_->session();
    Transaction tx(*db_, *s);
    const std::int64_t version = append(*s, scope, id, settings, actor);
    tx.commit();
    return version;
  } catch (const Poco::Exception& ex) {
    return db_error("cannot record a settings version", ex);
  }
}

namespace {
using VersionTuple = Poco::Tuple<Poco::Int64, std::string, std::string, Poco::Int64>;
} // namespace

Result<SettingsVersion> SettingsVersionRepository::decode(const std::string& scope, const std::string& id,
                                                          std::int64_t version, const std::string& settings,
                                                          const std::string& actor, std::int64_t at_ms) const {
  auto opened = open_secret_settings(secrets_.get(), parse_object(settings), version_context(scope, id, version));
  if (!opened) return opened.error();
  return SettingsVersion{scope, id, version, std::move(opened.value()), actor, at_ms};
}

Result<std::vector<SettingsVersion>> SettingsVersionRepository::list(const std::string& scope, const std::string& id) {
  try {
    auto s = db_->session();
    std::string sc = scope, key = id;
    std::vector<VersionTuple> rows;
    *s << db_->sql(
        "SELECT version, settings, actor, at_ms FROM settings_versions WHERE scope = ? AND id = ? "
        "ORDER BY version DESC"),
        use(sc), use(key), into(rows), now;
    std::vector<SettingsVersion> out;
    for (const auto& r : rows) {
      auto v = decode(scope, id, r.get<0>(), r.get<1>(), r.get<2>(), r.get<3>());
      if (!v) return v.error();
      out.push_back(std::move(v.value()));
    }
    return out;
  } catch (const Poco::Exception& ex) {
    return db_error("cannot list settings versions", ex);
  }
}

Result<std::optional<SettingsVersion>> SettingsVersionRepository::get(const std::string& scope, const std::string& id,
                                                                      std::int64_t version) {
  try {
    auto s = db_->session();
    std::string sc = scope, key = id;
    Poco::Int64 v = version;
    std::vector<VersionTuple> rows;
    *s << db_->sql(
        "SELECT version, settings, actor, at_ms FROM settings_versions WHERE scope = ? AND id = ? AND version = ?"),
        use(sc), use(key), use(v), into(rows), now;
    if (rows.empty()) return std::optional<SettingsVersion>();
    const auto& r = rows.front();
    auto row = decode(scope, id, r.get<0>(), r.get<1>(), r.get<2>(), r.get<3>());
    if (!row) return row.error();
    return std::optional<SettingsVersion>(std::move(row.value()));
  } catch (const Poco::Exception& ex) {
    return db_error("cannot read a settings version", ex);
  }
}

Result<std::int64_t> SettingsVersionRepository::reseal_settings() {
  if (!secrets_) return Error::make(error_code::kBadRequest, "resealing settings needs a secrets key", false);
  try {
    std::vector<Poco::Tuple<std::string, std::string, Poco::Int64>> keys;
    {
      auto s = db_->session();
      *s << "SELECT scope, id, version FROM settings_versions ORDER BY scope, id, version", into(keys), now;
    }
    std::int64_t changed = 0;
    for (const auto& k : keys) {
      auto s = db_->session();
      Transaction tx(*db_, *s);
      std::string sc = k.get<0>(), key = k.get<1>();
      Poco::Int64 version = k.get<2>();
      std::vector<std::string> rows;
      *s << db_->sql("SELECT settings FROM settings_versions WHERE scope = ? AND id = ? AND version = ?"), use(sc),
          use(key), use(version), into(rows), now;
      if (rows.empty() || !settings_need_reseal(*secrets_, parse_object(rows.front()))) continue;
      const std::string context = version_context(sc, key, version);
      auto opened = open_secret_settings(secrets_.get(), parse_object(rows.front()), context);
      if (!opened) return opened.error();
      std::string text = boost::json::serialize(seal_secret_settings(secrets_.get(), opened.value(), context));
      // Version rows are never changed otherwise (history is append-only): no concurrent writer to lose.
      *s << db_->sql("UPDATE settings_versions SET settings = ? WHERE scope = ? AND id = ? AND version = ?"), use(text),
          use(sc), use(key), use(version), now;
      tx.commit();
      ++changed;
    }
    return changed;
  } catch (const Poco::Exception& ex) {
    return db_error("cannot re-encrypt settings versions", ex);
  }
}

Result<std::optional<std::int64_t>> SettingsVersionRepository::save_tenant(
    TenantRepository& tenants, const TenantRow& tenant, const std::optional<boost::json::object>& before,
    const std::string& actor) {
  try {
    auto& db = *db_;
    auto s = db.session();
    Transaction tx(db, *s);
    tenants.write(*s, tenant);
    const auto version = append_change(*s, "tenant", tenant.id, before, tenant.settings, actor);
    tx.commit();
    tenants.forget_recent(tenant.id);
    return version;
  } catch (const Poco::Exception& ex) {
    return db_error("cannot save the tenant's settings", ex);
  }
}

Result<Done> OAuthStateRepository::put(const std::string& state_hash, const OAuthState& st) {
  try {
    auto s = db_->session();
    std::string hash = state_hash, tenant = st.tenant_id, conn = st.connection_id, redirect = st.redirect_uri,
                actor = st.actor;
    std::int64_t at = now_ms(), expires = st.expires_at;
    Transaction tx(*db_, *s);
    *s << db_->sql(
        "INSERT INTO oauth_states (state_hash, tenant_id, connection_id, redirect_uri, actor, created_at, expires_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)"),
        use(hash), use(tenant), use(conn), use(redirect), use(actor), use(at), use(expires), now;
    tx.commit();
    return kDone;
  } catch (const Poco::Exception& ex) {
    return db_error("cannot store the OAuth state", ex);
  }
}

Result<std::optional<OAuthState>> OAuthStateRepository::take(const std::string& state_hash) {
  try {
    auto s = db_->session();
    std::string hash = state_hash;
    std::int64_t at = now_ms();
    std::vector<Poco::Tuple<std::string, std::string, std::string, std::string, Poco::Int64>> rows;
    Transaction tx(*db_, *s);
    *s << db_->sql(
        "SELECT tenant_id, connection_id, redirect_uri, actor, expires_at FROM oauth_states WHERE state_hash = ?"),
        use(hash), into(rows), now;
    *s << db_->sql("DELETE FROM oauth_states WHERE state_hash = ? OR expires_at < ?"), use(hash), use(at), now;
    tx.commit();
    if (rows.empty()) return std::optional<OAuthState>();
    const auto& r = rows.front();
    return std::optional<OAuthState>(OAuthState{r.get<0>(), r.get<1>(), r.get<2>(), r.get<3>(), r.get<4>()});
  } catch (const Poco::Exception& ex) {
    return db_error("cannot read the OAuth state", ex);
  }
}

} // namespace appconnect::store
