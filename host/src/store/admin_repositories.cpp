#include "store/admin_repositories.hpp"

#include "store/repositories.hpp"
#include "store/row_helpers.hpp"

#include <Poco/Data/Session.h>
#include <Poco/Nullable.h>
#include <Poco/Tuple.h>

using namespace Poco::Data::Keywords;

namespace appconnect::store {

Result<std::int64_t> SettingsVersionRepository::record(const std::string& scope, const std::string& id,
                                                       const boost::json::object& settings, const std::string& actor) {
  try {
    auto s = db_->session();
    std::string sc = scope, key = id, text = boost::json::serialize(settings), who = actor;
    std::int64_t at = now_ms();
    Transaction tx(*db_, *s);
    // Two API calls changing the same settings at once: PostgreSQL serializes them on this lock, SQLite
    // on its single writer, so both read a different MAX and neither insert collides.
    db_->lock_in_transaction(*s, "appconnect.settings_versions", scope + '\n' + id);
    Poco::Nullable<Poco::Int64> newest;
    *s << db_->sql("SELECT MAX(version) FROM settings_versions WHERE scope = ? AND id = ?"), use(sc), use(key),
        into(newest), now;
    std::int64_t version = newest.isNull() ? 1 : static_cast<std::int64_t>(newest.value()) + 1;
    *s << db_->sql(
        "INSERT INTO settings_versions (scope, id, version, settings, actor, at_ms) VALUES (?, ?, ?, ?, ?, ?)"),
        use(sc), use(key), use(version), use(text), use(who), use(at), now;
    tx.commit();
    return version;
  } catch (const Poco::Exception& ex) {
    return db_error("cannot record a settings version", ex);
  }
}

namespace {
using VersionTuple = Poco::Tuple<Poco::Int64, std::string, std::string, Poco::Int64>;
SettingsVersion version_from(const std::string& scope, const std::string& id, const VersionTuple& t) {
  return SettingsVersion{scope, id, t.get<0>(), parse_object(t.get<1>()), t.get<2>(), t.get<3>()};
}
} // namespace

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
    for (const auto& r : rows) out.push_back(version_from(scope, id, r));
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
    return std::optional<SettingsVersion>(version_from(scope, id, rows.front()));
  } catch (const Poco::Exception& ex) {
    return db_error("cannot read a settings version", ex);
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
