#include "store/repositories.hpp"
#include "store/row_helpers.hpp"

#include "security/secret_box.hpp"
#include "store/settings_secrets.hpp"

#include <Poco/Data/Session.h>
#include <Poco/Data/Statement.h>
#include <Poco/Exception.h>
#include <Poco/Nullable.h>
#include <Poco/Tuple.h>

#include <boost/json.hpp>

#include <algorithm>
#include <chrono>

using namespace Poco::Data::Keywords;

namespace appconnect::store {

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

namespace {

std::string text_of(const boost::json::object& o) {
  return boost::json::serialize(o);
}

std::string nullable_text(const Poco::Nullable<std::string>& v) {
  return v.isNull() ? std::string() : v.value();
}

// Serializes, across processes, the transactions that store or claim jobs of one conversation (see
// EventRepository::store and JobRepository::claim). A no-op on SQLite.
void lock_conversation(Database& db, Poco::Data::Session& s, const std::string& tenant_id,
                       const std::string& conversation_key) {
  db.lock_in_transaction(s, "appconnect.conversation", tenant_id + '\n' + conversation_key);
}

// The columns of a job row, in the order every SELECT of jobs uses.
constexpr const char* kJobColumns =
    "id, event_seq, tenant_id, connection_id, conversation_key, state, attempts, next_attempt_at, last_error, "
    "outcome, updated_at, lease_owner, lease_expires_at";

using JobTuple = Poco::Tuple<Poco::Int64, Poco::Int64, std::string, std::string, std::string, std::string, Poco::Int64,
                             Poco::Int64, Poco::Nullable<std::string>, Poco::Nullable<std::string>, Poco::Int64,
                             Poco::Nullable<std::string>, Poco::Nullable<Poco::Int64>>;

JobRow job_from(const JobTuple& t) {
  JobRow r;
  r.id = t.get<0>();
  r.event_seq = t.get<1>();
  r.tenant_id = t.get<2>();
  r.connection_id = t.get<3>();
  r.conversation_key = t.get<4>();
  r.state = t.get<5>();
  r.attempts = t.get<6>();
  r.next_attempt_at = t.get<7>();
  r.last_error = nullable_text(t.get<8>());
  r.outcome = nullable_text(t.get<9>());
  r.updated_at = t.get<10>();
  r.lease_owner = nullable_text(t.get<11>());
  r.lease_expires_at = t.get<12>().isNull() ? 0 : static_cast<std::int64_t>(t.get<12>().value());
  return r;
}

} // namespace

// ---------------------------------------------------------------------------------------------- tenants

namespace {
std::string tenant_settings_context(const std::string& tenant_id) {
  return "tenant:" + tenant_id + ":settings";
}
} // namespace

Result<TenantRow> TenantRepository::decode(const std::string& id, const std::string& name,
                                           const std::string& settings) const {
  auto opened = open_secret_settings(secrets_.get(), parse_object(settings), tenant_settings_context(id));
  if (!opened) return opened.error();
  return TenantRow{id, name, std::move(opened.value())};
}

void TenantRepository::write(Poco::Data::Session& session, const TenantRow& tenant) {
  std::string id = tenant.id, name = tenant.name,
              settings = text_of(seal_secret_settings(secrets_.get(), tenant.settings, tenant_settings_context(id)));
  std::int64_t at = now_ms();
  session << db_->sql(
      "INSERT INTO tenants (id, name, settings, created_at) VALUES (?, ?, ?, ?) "
      "ON CONFLICT (id) DO UPDATE SET name = excluded.name, settings = excluded.settings"),
      use(id), use(name), use(settings), use(at), now;
  recent_.forget(id); // and again by the caller after its commit (forget_recent)
}

Result<Done> TenantRepository::upsert(const TenantRow& tenant) {
  try {
    auto s = db_->session();
    Transaction tx(*db_, *s);
    write(*s, tenant);
    tx.commit();
    recent_.forget(tenant.id);
    return kDone;
  } catch (const Poco::Exception& ex) {
    return db_error("cannot save tenant", ex);
  }
}

Result<std::optional<TenantRow>> TenantRepository::get(const std::string& id) {
  try {
    const auto generation = recent_.generation();
    const std::int64_t read_at = now_ms();
    auto s = db_->session();
    std::string key = id;
    std::vector<Poco::Tuple<std::string, std::string, std::string>> rows;
    *s << db_->sql("SELECT id, name, settings FROM tenants WHERE id = ?"), use(key), into(rows), now;
    std::optional<TenantRow> row;
    if (!rows.empty()) {
      const auto& r = rows.front();
      auto decoded = decode(r.get<0>(), r.get<1>(), r.get<2>());
      if (!decoded) return decoded.error();
      row = std::move(decoded.value());
    }
    recent_.remember(id, row, read_at, generation);
    return row;
  } catch (const Poco::Exception& ex) {
    return db_error("cannot read tenant", ex);
  }
}

Result<std::optional<TenantRow>> TenantRepository::get_recent(const std::string& id) {
  if (auto known = recent_.find(id, now_ms())) return std::move(*known);
  return get(id);
}

Result<std::vector<TenantRow>> TenantRepository::list() {
  try {
    auto s = db_->session();
    std::vector<Poco::Tuple<std::string, std::string, std::string>> rows;
    *s << "SELECT id, name, settings FROM tenants ORDER BY id", into(rows), now;
    std::vector<TenantRow> out;
    for (const auto& r : rows) {
      auto row = decode(r.get<0>(), r.get<1>(), r.get<2>());
      if (!row) return row.error();
      out.push_back(std::move(row.value()));
    }
    return out;
  } catch (const Poco::Exception& ex) {
    return db_error("cannot list tenants", ex);
  }
}

Result<std::int64_t> TenantRepository::reseal_settings() {
  if (!secrets_) return Error::make(error_code::kBadRequest, "resealing settings needs a secrets key", false);
  try {
    std::vector<std::string> ids;
    {
      auto s = db_->session();
      *s << "SELECT id FROM tenants ORDER BY id", into(ids), now;
    }
    std::int64_t changed = 0;
    for (const auto& id : ids) {
      auto s = db_->session();
      Transaction tx(*db_, *s);
      std::string key = id;
      std::vector<Poco::Tuple<std::string, std::string>> rows;
      // Read and rewrite under the row lock (PostgreSQL) or the single writer (SQLite): an admin's
      // change made meanwhile is never overwritten with the copy read here.
      *s << db_->sql(std::string("SELECT name, settings FROM tenants WHERE id = ?") +
                     (db_->dialect() == Dialect::kPostgres ? " FOR UPDATE" : "")),
          use(key), into(rows), now;
      if (rows.empty() || !settings_need_reseal(*secrets_, parse_object(rows.front().get<1>()))) continue;
      auto row = decode(id, rows.front().get<0>(), rows.front().get<1>());
      if (!row) return row.error();
      // seal_secret_settings keeps envelopes as they are, so the opened values are sealed afresh.
      write(*s, row.value());
      tx.commit();
      ++changed;
    }
    return changed;
  } catch (const Poco::Exception& ex) {
    return db_error("cannot re-encrypt tenant settings", ex);
  }
}

// ------------------------------------------------------------------------------------------ connections

namespace {
using ConnectionTuple = Poco::Tuple<std::string, std::string, std::string, std::string, std::string, int>;
constexpr const char* kConnectionColumns = "id, tenant_id, connector, settings, credentials, enabled";

// Bound to each sealed value as associated data: a sealed value copied into another row does not open.
std::string credentials_context(const std::string& connection_id) {
  return "connection:" + connection_id + ":credentials";
}
} // namespace

std::string ConnectionRepository::encode_credentials(const std::string& id,
                                                     const boost::json::object& credentials) const {
  const std::string text = text_of(credentials);
  return secrets_ ? secrets_->seal(text, credentials_context(id)) : text;
}

Result<ConnectionRow> ConnectionRepository::decode(const std::string& id, const std::string& tenant_id,
                                                   const std::string& connector, const std::string& settings,
                                                   const std::string& credentials, int enabled) const {
  ConnectionRow row{id, tenant_id, connector, parse_object(settings), {}, enabled != 0};
  if (!security::SecretBox::is_envelope(credentials)) {
    row.credentials = parse_object(credentials); // plaintext from before encryption was configured
    return row;
  }
  if (!secrets_)
    return Error::make(error_code::kInternal,
                       "the credentials of connection '" + id +
                           "' are encrypted but no secrets key is configured (set 'secrets_key_file')",
                       false);
  auto opened = secrets_->open(credentials, credentials_context(id));
  if (!opened) return Error::make(error_code::kInternal, "connection '" + id + "': " + opened.error().message, false);
  row.credentials = parse_object(opened.value());
  return row;
}

Result<Done> ConnectionRepository::upsert(const ConnectionRow& c, const AlsoInTransaction& also) {
  try {
    auto s = db_->session();
    std::string id = c.id, tenant = c.tenant_id, connector = c.connector, settings = text_of(c.settings),
                credentials = encode_credentials(c.id, c.credentials);
    int enabled = c.enabled ? 1 : 0;
    std::int64_t at = now_ms();
    Transaction tx(*db_, *s);
    *s << db_->sql(
        "INSERT INTO connections (id, tenant_id, connector, settings, credentials, enabled, created_at, "
        "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET "
        "tenant_id = excluded.tenant_id, connector = excluded.connector, settings = excluded.settings, "
        "credentials = excluded.credentials, enabled = excluded.enabled, updated_at = excluded.updated_at"),
        use(id), use(tenant), use(connector), use(settings), use(credentials), use(enabled), use(at), use(at), now;
    if (also) also(*s);
    tx.commit();
    recent_.forget(id);
    return kDone;
  } catch (const Poco::Exception& ex) {
    return db_error("cannot save connection", ex);
  }
}

Result<std::optional<ConnectionRow>> ConnectionRepository::get(const std::string& id) {
  try {
    const auto generation = recent_.generation();
    const std::int64_t read_at = now_ms();
    auto s = db_->session();
    std::string key = id;
    std::vector<ConnectionTuple> rows;
    *s << db_->sql(std::string("SELECT ") + kConnectionColumns + " FROM connections WHERE id = ?"), use(key),
        into(rows), now;
    if (rows.empty()) {
      recent_.remember(id, std::nullopt, read_at, generation);
      return std::optional<ConnectionRow>();
    }
    const auto& r = rows.front();
    auto row = decode(r.get<0>(), r.get<1>(), r.get<2>(), r.get<3>(), r.get<4>(), r.get<5>());
    if (!row) return row.error();
    recent_.remember(id, row.value(), read_at, generation);
    return std::optional<ConnectionRow>(std::move(row.value()));
  } catch (const Poco::Exception& ex) {
    return db_error("cannot read connection", ex);
  }
}

Result<std::optional<ConnectionRow>> ConnectionRepository::get_recent(const std::string& id) {
  if (auto known = recent_.find(id, now_ms())) return std::move(*known);
  return get(id);
}

Result<std::vector<ConnectionRow>> ConnectionRepository::list_for_tenant(const std::string& tenant_id) {
  try {
    auto s = db_->session();
    std::string key = tenant_id;
    std::vector<ConnectionTuple> rows;
    *s << db_->sql(std::string("SELECT ") + kConnectionColumns + " FROM connections WHERE tenant_id = ? ORDER BY id"),
        use(key), into(rows), now;
    std::vector<ConnectionRow> out;
    for (const auto& r : rows) {
      auto row = decode(r.get<0>(), r.get<1>(), r.get<2>(), r.get<3>(), r.get<4>(), r.get<5>());
      if (!row) return row.error();
      out.push_back(std::move(row.value()));
    }
    return out;
  } catch (const Poco::Exception& ex) {
    return db_error("cannot list connections", ex);
  }
}

Result<std::vector<ConnectionRow>> ConnectionRepository::list_all() {
  try {
    auto s = db_->session();
    std::vector<ConnectionTuple> rows;
    *s << std::string("SELECT ") + kConnectionColumns + " FROM connections ORDER BY id", into(rows), now;
    std::vector<ConnectionRow> out;
    for (const auto& r : rows) {
      auto row = decode(r.get<0>(), r.get<1>(), r.get<2>(), r.get<3>(), r.get<4>(), r.get<5>());
      if (!row) return row.error();
      out.push_back(std::move(row.value()));
    }
    return out;
  } catch (const Poco::Exception& ex) {
    return db_error("cannot list connections", ex);
  }
}

Result<Done> ConnectionRepository::update_auth(const std::string& id, const boost::json::object& credentials,
                                               const boost::json::object& settings_update) {
  try {
    auto s = db_->session();
    Transaction tx(*db_, *s);
    std::string key = id;
    std::vector<std::string> current;
    // Read-modify-write: on PostgreSQL lock the row so two processes refreshing tokens at once do not
    // lose each other's settings (SQLite's BEGIN IMMEDIATE already serializes writers).
    *s << db_->sql(std::string("SELECT settings FROM connections WHERE id = ?") +
                   (db_->dialect() == Dialect::kPostgres ? " FOR UPDATE" : "")),
        use(key), into(current), now;
    if (current.empty()) return Error::make(error_code::kNotFound, "no connection '" + id + "'", false);
    boost::json::object settings = parse_object(current.front());
    for (const auto& kv : settings_update) settings[kv.key()] = kv.value();
    std::string settings_text = text_of(settings), credentials_text = encode_credentials(id, credentials);
    std::int64_t at = now_ms();
    *s << db_->sql("UPDATE connections SET settings = ?, credentials = ?, updated_at = ? WHERE id = ?"),
        use(settings_text), use(credentials_text), use(at), use(key), now;
    tx.commit();
    recent_.forget(id);
    return kDone;
  } catch (const Poco::Exception& ex) {
    return db_error("cannot update connection credentials", ex);
  }
}

Result<Done> ConnectionRepository::with_refresh_lock(const std::string& id, const std::function<Result<Done>()>& work) {
  if (db_->dialect() != Dialect::kPostgres) return work();
  try {
    auto s = db_->session();
    Transaction tx(*db_, *s); // no in-process write lock on PostgreSQL: other work goes on meanwhile
    db_->lock_in_transaction(*s, "appconnect.token-refresh", id);
    auto result = work();
    tx.commit(); // releases the lock
    return result;
  } catch (const Poco::Exception& ex) {
    return db_error("cannot take the token refresh lock", ex);
  }
}

Result<std::int64_t> ConnectionRepository::reseal_credentials() {
  if (!secrets_) return Error::make(error_code::kBadRequest, "resealing credentials needs a secrets key", false);
  try {
    std::vector<std::string> ids;
    {
      auto s = db_->session();
      *s << "SELECT id FROM connections ORDER BY id", into(ids), now;
    }
    std::int64_t changed = 0;
    for (const auto& id : ids) {
      auto s = db_->session();
      Transaction tx(*db_, *s);
      std::string key = id;
      std::vector<std::string> current;
      *s << db_->sql(std::string("SELECT credentials FROM connections WHERE id = ?") +
                     (db_->dialect() == Dialect::kPostgres ? " FOR UPDATE" : "")),
          use(key), into(current), now;
      if (current.empty()) continue; // deleted meanwhile
      const std::string& stored = current.front();
      if (security::SecretBox::key_id_of(stored) == secrets_->primary_id()) continue;
      std::string plain = stored;
      if (security::SecretBox::is_envelope(stored)) {
        auto opened = secrets_->open(stored, credentials_context(id));
        if (!opened)
          return Error::make(error_code::kInternal, "connection '" + id + "': " + opened.error().message, false);
        plain = std::move(opened.value());
      }
      // Plaintext is normalised through the JSON parser, as every write does.
      std::string sealed = secrets_->seal(text_of(parse_object(plain)), credentials_context(id));
      *s << db_->sql("UPDATE connections SET credentials = ? WHERE id = ?"), use(sealed), use(key), now;
      tx.commit();
      ++changed;
    }
    return changed;
  } catch (const Poco::Exception& ex) {
    return db_error("cannot re-encrypt connection credentials", ex);
  }
}

Result<Done> ConnectionRepository::scrub_released_space() {
  if (db_->dialect() != Dialect::kSqlite) return kDone;
  try {
    auto s = db_->session();
    auto lock = db_->write_lock(); // no write transaction of this process in between
    *s << "VACUUM", now;
    *s << "PRAGMA wal_checkpoint(TRUNCATE)", now;
    return kDone;
  } catch (const Poco::Exception& ex) {
    return db_error("cannot compact the database after re-encrypting credentials", ex);
  }
}

Result<Done> ConnectionRepository::update(const std::string& id, const std::optional<boost::json::object>& settings,
                                          const std::optional<boost::json::object>& credentials,
                                          std::optional<bool> enabled, const AlsoInTransaction& also) {
  try {
    auto s = db_->session();
    std::string key = id;
    std::int64_t at = now_ms();
    Transaction tx(*db_, *s);
    std::vector<std::string> found;
    *s << db_->sql("SELECT id FROM connections WHERE id = ?"), use(key), into(found), now;
    if (found.empty()) return Error::make(error_code::kNotFound, "no connection '" + id + "'", false);
    if (settings) {
      std::string text = text_of(*settings);
      *s << db_->sql("UPDATE connections SET settings = ?, updated_at = ? WHERE id = ?"), use(text), use(at), use(key),
          now;
    }
    if (credentials) {
      std::string text = encode_credentials(id, *credentials);
      *s << db_->sql("UPDATE connections SET credentials = ?, updated_at = ? WHERE id = ?"), use(text), use(at),
          use(key), now;
    }
    if (enabled) {
      int on = *enabled ? 1 : 0;
      *s << db_->sql("UPDATE connections SET enabled = ?, updated_at = ? WHERE id = ?"), use(on), use(at), use(key),
          now;
    }
    if (also) also(*s);
    tx.commit();
    recent_.forget(id);
    return kDone;
  } catch (const Poco::Exception& ex) {
    return db_error("cannot update connection", ex);
  }
}

Result<bool> ConnectionRepository::remove(const std::string& id) {
  try {
    auto s = db_->session();
    std::string key = id;
    Transaction tx(*db_, *s);
    Poco::Data::Statement del(*s);
    del << db_->sql("DELETE FROM connections WHERE id = ?"), use(key);
    const bool removed = del.execute() == 1;
    tx.commit();
    recent_.forget(id);
    return removed;
  } catch (const Poco::Exception& ex) {
    return db_error("cannot delete connection", ex);
  }
}

Result<bool> ConnectionRepository::any_credentials() {
  try {
    auto s = db_->session();
    std::vector<std::string> values;
    *s << "SELECT credentials FROM connections", into(values), now;
    for (const auto& v : values)
      if (security::SecretBox::is_envelope(v) || !parse_object(v).empty()) return true;
    return false;
  } catch (const Poco::Exception& ex) {
    return db_error("cannot read connections", ex);
  }
}

// ----------------------------------------------------------------------------------------------- events

Result<StoredEvent> EventRepository::store(const NewEvent& e) {
  auto stored = store_batch({&e});
  if (!stored) return stored.error();
  return stored.value().front();
}

Result<std::vector<StoredEvent>> EventRepository::store_batch(const std::vector<const NewEvent*>& events) {
  try {
    auto s = db_->session();
    std::int64_t at = now_ms();
    // On PostgreSQL each event takes its conversation's lock (below) and holds it to the commit: taking
    // them in one global order keeps two batches from waiting on each other. The answers keep the order
    // the caller gave.
    std::vector<std::size_t> order(events.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    if (db_->dialect() == Dialect::kPostgres)
      std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        return std::tie(events[a]->tenant_id, events[a]->conversation_key) <
               std::tie(events[b]->tenant_id, events[b]->conversation_key);
      });
    std::vector<StoredEvent> out(events.size());
    EnabledConnections enabled;
    Transaction tx(*db_, *s);
    for (std::size_t i : order) out[i] = store_in_transaction(*s, *events[i], at, enabled);
    tx.commit();
    return out;
  } catch (const Poco::Exception& ex) {
    return db_error("cannot store event", ex);
  } catch (const std::runtime_error& ex) {
    return Error::make(error_code::kUnavailable, ex.what(), true);
  }
}

StoredEvent EventRepository::store_in_transaction(Poco::Data::Session& session, const NewEvent& e, std::int64_t at,
                                                  EnabledConnections& enabled) {
  auto* s = &session;
  std::string tenant = e.tenant_id, event_id = e.event_id, kind = e.kind, key = e.conversation_key, payload = e.payload;
  // Jobs of one conversation must become visible in id order: claim() runs a job only when no job of
  // its conversation with a smaller id is unfinished, so a job committed late with a smaller id than
  // one already claimed would run after it. On SQLite writers are serialized; on PostgreSQL two
  // processes storing events of one conversation at once could commit their ids out of order, so they
  // take the per-conversation lock first (ids are then drawn and committed in turn). claim() re-checks
  // its pick under the same lock.
  lock_conversation(*db_, *s, tenant, key);
  std::vector<Poco::Int64> existing, inserted;
  // ON CONFLICT DO NOTHING: a resend (also one with another conversation key, or one stored concurrently
  // by another process) inserts nothing and returns no row; only then is the original looked up. New
  // events, the common case, cost one statement here.
  *s << db_->sql(
      "INSERT INTO events (tenant_id, event_id, kind, conversation_key, payload, received_at) "
      "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (tenant_id, event_id) DO NOTHING RETURNING seq"),
      use(tenant), use(event_id), use(kind), use(key), use(payload), use(at), into(inserted), now;
  if (inserted.empty()) {
    *s << db_->sql("SELECT seq FROM events WHERE tenant_id = ? AND event_id = ?"), use(tenant), use(event_id),
        into(existing), now;
    if (existing.empty()) throw std::runtime_error("event vanished while storing it");
    return StoredEvent{existing.front(), true, 0};
  }
  Poco::Int64 seq = inserted.front();
  std::vector<std::string> connections = e.connection_ids;
  if (e.to_enabled_connections) {
    // Read once per tenant per batch, inside the transaction: every event of the batch sees one state.
    auto known = enabled.find(tenant);
    if (known == enabled.end()) {
      std::vector<std::string> ids;
      *s << db_->sql("SELECT id FROM connections WHERE tenant_id = ? AND enabled = 1 ORDER BY id"), use(tenant),
          into(ids), now;
      known = enabled.emplace(tenant, std::move(ids)).first;
    }
    connections = known->second;
  }
  std::int64_t jobs = 0;
  for (const auto& connection : connections) {
    std::string conn = connection, state = "pending";
    *s << db_->sql(
        "INSERT INTO jobs (event_seq, tenant_id, connection_id, conversation_key, state, attempts, "
        "next_attempt_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?)"),
        use(seq), use(tenant), use(conn), use(key), use(state), use(at), use(at), use(at), now;
    ++jobs;
    // A job of this conversation may be waiting for exactly this data ("all at once" mode waits for
    // the recording): let it run now instead of at the end of its bounded wait.
    std::string waiting = "%\"awaiting_data\"%";
    *s << db_->sql(
        "UPDATE jobs SET next_attempt_at = ? WHERE connection_id = ? AND conversation_key = ? AND "
        "state = 'pending' AND next_attempt_at > ? AND last_error LIKE ?"),
        use(at), use(conn), use(key), use(at), use(waiting), now;
  }
  return StoredEvent{seq, false, jobs};
}

namespace {
using EventTuple =
    Poco::Tuple<Poco::Int64, std::string, std::string, std::string, std::string, std::string, Poco::Int64>;
constexpr const char* kEventColumns = "seq, tenant_id, event_id, kind, conversation_key, payload, received_at";
EventRow event_from(const EventTuple& t) {
  return EventRow{t.get<0>(), t.get<1>(), t.get<2>(), t.get<3>(), t.get<4>(), t.get<5>(), t.get<6>()};
}
} // namespace

Result<std::optional<EventRow>> EventRepository::get(const std::string& tenant_id, const std::string& event_id) {
  try {
    auto s = db_->session();
    std::string tenant = tenant_id, id = event_id;
    std::vector<EventTuple> rows;
    *s << db_->sql(std::string("SELECT ") + kEventColumns + " FROM events WHERE tenant_id = ? AND event_id = ?"),
        use(tenant), use(id), into(rows), now;
    if (rows.empty()) return std::optional<EventRow>();
    return std::optional<EventRow>(event_from(rows.front()));
  } catch (const Poco::Exception& ex) {
    return db_error("cannot read event", ex);
  }
}

Result<std::optional<EventRow>> EventRepository::get_by_seq(std::int64_t seq) {
  try {
    auto s = db_->session();
    Poco::Int64 key = seq;
    std::vector<EventTuple> rows;
    *s << db_->sql(std::string("SELECT ") + kEventColumns + " FROM events WHERE seq = ?"), use(key), into(rows), now;
    if (rows.empty()) return std::optional<EventRow>();
    return std::optional<EventRow>(event_from(rows.front()));
  } catch (const Poco::Exception& ex) {
    return db_error("cannot read event", ex);
  }
}

Result<std::vector<EventRow>> EventRepository::list(const std::string& tenant_id, const std::string& kind,
                                                    std::int64_t after_seq, std::int64_t limit) {
  try {
    auto s = db_->session();
    std::string tenant = tenant_id, k = kind;
    Poco::Int64 after = after_seq, max_rows = limit;
    std::vector<EventTuple> rows;
    std::string where = " FROM events WHERE seq > ?";
    if (!tenant.empty()) where += " AND tenant_id = ?";
    if (!k.empty()) where += " AND kind = ?";
    Poco::Data::Statement st(*s);
    st << db_->sql(std::string("SELECT ") + kEventColumns + where + " ORDER BY seq LIMIT ?"), use(after);
    if (!tenant.empty()) st, use(tenant);
    if (!k.empty()) st, use(k);
    st, use(max_rows), into(rows);
    st.execute();
    std::vector<EventRow> out;
    out.reserve(rows.size());
    for (const auto& r : rows) out.push_back(event_from(r));
    return out;
  } catch (const Poco::Exception& ex) {
    return db_error("cannot list events", ex);
  }
}

Result<std::vector<EventRow>> EventRepository::list_for_conversation(const std::string& connection_id,
                                                                     const std::string& conversation_key,
                                                                     std::int64_t limit) {
  try {
    auto s = db_->session();
    std::string conn = connection_id, key = conversation_key;
    Poco::Int64 max_rows = limit;
    std::vector<EventTuple> rows;
    *s << db_->sql(
        "SELECT e.seq, e.tenant_id, e.event_id, e.kind, e.conversation_key, e.payload, e.received_at "
        "FROM jobs j JOIN events e ON e.seq = j.event_seq WHERE j.connection_id = ? AND j.conversation_key = ? "
        "ORDER BY e.seq LIMIT ?"),
        use(conn), use(key), use(max_rows), into(rows), now;
    std::vector<EventRow> out;
    out.reserve(rows.size());
    for (const auto& r : rows) out.push_back(event_from(r));
    return out;
  } catch (const Poco::Exception& ex) {
    return db_error("cannot read the conversation's events", ex);
  }
}

// ------------------------------------------------------------------------------------------------- jobs

namespace {
// Nothing of job `j`'s conversation (per connection) is in its way (parameter: now): no earlier job
// still pending or running, and no later job running on a live lease. The second rule matters once a
// job comes back to pending after later jobs went ahead (an unresolved job put back by a person's
// decision): it then waits for the later job that is running instead of running beside it.
constexpr const char* kConversationClear =
    "NOT EXISTS (SELECT 1 FROM jobs e WHERE e.connection_id = j.connection_id AND "
    "e.conversation_key = j.conversation_key AND ((e.id < j.id AND e.state IN ('pending', 'running')) OR "
    "(e.id > j.id AND e.state = 'running' AND e.lease_expires_at >= ?)))";
// A runnable job `j` (parameters: now, now, now): due, or its lease ran out, and its conversation clear.
// Used to re-check one job by id; the picking queries below split the two cases.
const std::string kRunnableJob =
    std::string(
        "((j.state = 'pending' AND j.next_attempt_at <= ?) OR (j.state = 'running' AND j.lease_expires_at "
        "< ?)) AND ") +
    kConversationClear;
// The two ways a job becomes claimable, each a query an index answers in order (parameters: now, now),
// oldest first. One query with an OR of both made SQLite evaluate the conversation check for every due
// job and sort them all to return one: O(backlog) per claim, under the write lock. Split, the pending
// query walks jobs_due (state, next_attempt_at, id) and stops at the first job whose conversation is
// clear. Expired leases (a worker died or stalled) are rare and are looked at first: they are older
// than anything pending.
const std::string kExpiredLease = std::string(
                                      "SELECT j.id, j.tenant_id, j.conversation_key FROM jobs j WHERE "
                                      "j.state = 'running' AND j.lease_expires_at < ? AND ") +
                                  kConversationClear + " ORDER BY j.next_attempt_at, j.id LIMIT 1";
const std::string kDuePending = std::string(
                                    "SELECT j.id, j.tenant_id, j.conversation_key FROM jobs j WHERE "
                                    "j.state = 'pending' AND j.next_attempt_at <= ? AND ") +
                                kConversationClear + " ORDER BY j.next_attempt_at, j.id LIMIT 1";
constexpr int kClaimRounds = 3;
} // namespace

Result<std::optional<JobRow>> JobRepository::claim(const std::string& worker, std::int64_t lease_ms) {
  // Claims the oldest runnable job; that is what keeps one conversation's updates in order and one at a
  // time.
  //
  // SQLite: the claim runs under the single writer lock (BEGIN IMMEDIATE): it reads and changes one
  // consistent state.
  //
  // PostgreSQL, several processes, READ COMMITTED: FOR UPDATE SKIP LOCKED locks the picked row, so two
  // claimers never take the same job (a row changed by another claimer since our snapshot is re-checked
  // on its new version and passed over if no longer runnable). But the NOT EXISTS runs on the
  // statement's snapshot, which can be stale: a claim of another job of the same conversation committed
  // after the snapshot is invisible to it, and a job can come back to pending (unresolved, then decided),
  // so two claimers could each pick a job of one conversation. Hence the picked job is checked again
  // under a per-conversation lock, the one EventRepository::store takes: claims of one conversation are
  // serialized, and each re-check runs on a snapshot taken after the previous claim of that
  // conversation committed (and after any job of it being stored committed). A failed re-check rolls
  // back (releasing row and lock) and picks again on a fresh snapshot.
  //
  // An expired lease hands the job to another worker while the first may still be busy: leases give
  // at-least-once delivery; effects are made idempotent by log_records.
  try {
    auto s = db_->session();
    const bool postgres = db_->dialect() == Dialect::kPostgres;
    const std::string lock_rows = postgres ? " FOR UPDATE SKIP LOCKED" : "";
    std::int64_t at = now_ms();
    for (int round = 0; round < kClaimRounds; ++round) {
      Transaction tx(*db_, *s);
      std::vector<Poco::Tuple<Poco::Int64, std::string, std::string>> picked;
      *s << db_->sql(kExpiredLease + lock_rows), use(at), use(at), into(picked), now;
      if (picked.empty()) *s << db_->sql(kDuePending + lock_rows), use(at), use(at), into(picked), now;
      if (picked.empty()) {
        tx.commit();
        return std::optional<JobRow>();
      }
      Poco::Int64 id = picked.front().get<0>();
      if (postgres) {
        lock_conversation(*db_, *s, picked.front().get<1>(), picked.front().get<2>());
        std::vector<Poco::Int64> still;
        *s << db_->sql("SELECT j.id FROM jobs j WHERE j.id = ? AND " + kRunnableJob), use(id), use(at), use(at),
            use(at), into(still), now;
        if (still.empty()) continue; // lost a race for this conversation: roll back and pick again
      }
      std::string owner = worker;
      std::int64_t until = at + lease_ms;
      *s << db_->sql(
          "UPDATE jobs SET state = 'running', lease_owner = ?, lease_expires_at = ?, "
          "attempts = attempts + 1, updated_at = ? WHERE id = ?"),
          use(owner), use(until), use(at), use(id), now;
      std::vector<JobTuple> rows;
      *s << db_->sql(std::string("SELECT ") + kJobColumns + " FROM jobs WHERE id = ?"), use(id), into(rows), now;
      tx.commit();
      if (rows.empty()) return std::optional<JobRow>();
      return std::optional<JobRow>(job_from(rows.front()));
    }
    return std::optional<JobRow>(); // contended: the caller polls again
  } catch (const Poco::Exception& ex) {
    return db_error("cannot claim a job", ex);
  }
}

namespace {
// The guard every transition out of `running` ends with (parameters: id, owner, attempt).
constexpr const char* kHeldBy = " WHERE id = ? AND state = 'running' AND lease_owner = ? AND attempts = ?";

Error lease_lost(std::int64_t job_id, const Lease& lease) {
  return Error::make(kLeaseLost,
                     "job " + std::to_string(job_id) + " is no longer leased to " + lease.owner + " (attempt " +
                         std::to_string(lease.attempt) + "): its lease expired and another worker took it over",
                     false);
}
} // namespace

Result<Done> JobRepository::complete(std::int64_t job_id, const Lease& lease, const std::string& outcome_json,
                                     const AlsoInTransaction& also) {
  try {
    auto s = db_->session();
    Poco::Int64 id = job_id, attempt = lease.attempt;
    std::string outcome = outcome_json, owner = lease.owner;
    std::int64_t at = now_ms();
    Transaction tx(*db_, *s);
    Poco::Data::Statement update(*s);
    update << db_->sql(std::string("UPDATE jobs SET state = 'done', outcome = ?, lease_owner = NULL, "
                                   "lease_expires_at = NULL, updated_at = ?") +
                       kHeldBy),
        use(outcome), use(at), use(id), use(owner), use(attempt);
    if (update.execute() != 1) return lease_lost(job_id, lease);
    if (also) also(*s);
    tx.commit();
    return kDone;
  } catch (const Poco::Exception& ex) {
    return db_error("cannot complete job", ex);
  }
}

Result<Done> JobRepository::retry_later(std::int64_t job_id, const Lease& lease, const std::string& error_json,
                                        std::int64_t next_attempt_at, bool count_attempt,
                                        const AlsoInTransaction& also) {
  try {
    auto s = db_->session();
    Poco::Int64 id = job_id, attempt = lease.attempt;
    std::string error = error_json, owner = lease.owner;
    std::int64_t at = now_ms(), next = next_attempt_at;
    Poco::Int64 give_back = count_attempt ? 0 : 1;
    Transaction tx(*db_, *s);
    Poco::Data::Statement update(*s);
    update << db_->sql(std::string("UPDATE jobs SET state = 'pending', last_error = ?, next_attempt_at = ?, "
                                   "attempts = attempts - ?, lease_owner = NULL, lease_expires_at = NULL, "
                                   "updated_at = ?") +
                       kHeldBy),
        use(error), use(next), use(give_back), use(at), use(id), use(owner), use(attempt);
    if (update.execute() != 1) return lease_lost(job_id, lease);
    if (also) also(*s);
    tx.commit();
    return kDone;
  } catch (const Poco::Exception& ex) {
    return db_error("cannot reschedule job", ex);
  }
}

Result<Done> JobRepository::park(std::int64_t job_id, const Lease& lease, const std::string& state,
                                 const std::string& detail_json, const AlsoInTransaction& also) {
  try {
    auto s = db_->session();
    Poco::Int64 id = job_id, attempt = lease.attempt;
    std::string st = state, detail = detail_json, owner = lease.owner;
    std::int64_t at = now_ms();
    Transaction tx(*db_, *s);
    Poco::Data::Statement update(*s);
    update << db_->sql(std::string("UPDATE jobs SET state = ?, last_error = ?, lease_owner = NULL, "
                                   "lease_expires_at = NULL, updated_at = ?") +
                       kHeldBy),
        use(st), use(detail), use(at), use(id), use(owner), use(attempt);
    if (update.execute() != 1) return lease_lost(job_id, lease);
    if (also) also(*s);
    tx.commit();
    return kDone;
  } catch (const Poco::Exception& ex) {
    return db_error("cannot park job", ex);
  }
}

Result<Done> JobRepository::release(std::int64_t job_id, const Lease& lease) {
  try {
    auto s = db_->session();
    Poco::Int64 id = job_id, attempt = lease.attempt;
    std::string owner = lease.owner;
    std::int64_t at = now_ms();
    Transaction tx(*db_, *s);
    Poco::Data::Statement update(*s);
    update << db_->sql(std::string("UPDATE jobs SET state = 'pending', attempts = CASE WHEN attempts > 0 THEN "
                                   "attempts - 1 ELSE 0 END, lease_owner = NULL, lease_expires_at = NULL, "
                                   "updated_at = ?") +
                       kHeldBy),
        use(at), use(id), use(owner), use(attempt);
    if (update.execute() != 1) return lease_lost(job_id, lease);
    tx.commit();
    return kDone;
  } catch (const Poco::Exception& ex) {
    return db_error("cannot release job", ex);
  }
}

Result<Done> JobRepository::renew(std::int64_t job_id, const Lease& lease, std::int64_t lease_ms) {
  try {
    auto s = db_->session();
    Poco::Int64 id = job_id, attempt = lease.attempt;
    std::string owner = lease.owner;
    std::int64_t at = now_ms(), until = at + lease_ms;
    Transaction tx(*db_, *s);
    Poco::Data::Statement update(*s);
    // An expired lease is not revived: another worker may be claiming the job right now, and only
    // the claim decides who holds it.
    update << db_->sql(std::string("UPDATE jobs SET lease_expires_at = ?") + kHeldBy + " AND lease_expires_at >= ?"),
        use(until), use(id), use(owner), use(attempt), use(at);
    if (update.execute() != 1) return lease_lost(job_id, lease);
    tx.commit();
    return kDone;
  } catch (const Poco::Exception& ex) {
    return db_error("cannot renew job lease", ex);
  }
}

Result<std::vector<JobRow>> JobRepository::list_in_state(const std::string& state, std::int64_t after_id,
                                                         std::int64_t limit, const std::string& tenant_id) {
  try {
    auto s = db_->session();
    std::string st = state, tenant = tenant_id;
    Poco::Int64 after = after_id, n = limit;
    std::vector<JobTuple> rows;
    if (tenant.empty())
      *s << db_->sql(std::string("SELECT ") + kJobColumns +
                     " FROM jobs WHERE state = ? AND id > ? ORDER BY id LIMIT ?"),
          use(st), use(after), use(n), into(rows), now;
    else
      *s << db_->sql(std::string("SELECT ") + kJobColumns +
                     " FROM jobs WHERE state = ? AND tenant_id = ? AND id > ? ORDER BY id LIMIT ?"),
          use(st), use(tenant), use(after), use(n), into(rows), now;
    std::vector<JobRow> out;
    for (const auto& r : rows) out.push_back(job_from(r));
    return out;
  } catch (const Poco::Exception& ex) {
    return db_error("cannot list jobs", ex);
  }
}

Result<std::optional<JobRow>> JobRepository::get(std::int64_t job_id) {
  try {
    auto s = db_->session();
    Poco::Int64 id = job_id;
    std::vector<JobTuple> rows;
    *s << db_->sql(std::string("SELECT ") + kJobColumns + " FROM jobs WHERE id = ?"), use(id), into(rows), now;
    if (rows.empty()) return std::optional<JobRow>();
    return std::optional<JobRow>(job_from(rows.front()));
  } catch (const Poco::Exception& ex) {
    return db_error("cannot read job", ex);
  }
}

namespace {
// Moves a failed job on (admin action); the state check is in the UPDATE so two admins (or two
// processes) cannot both act on it.
Result<Done> change_failed(Database& db, std::int64_t job_id, const std::string& sql, const char* what) {
  try {
    auto s = db.session();
    Poco::Int64 id = job_id;
    std::int64_t at = now_ms();
    Transaction tx(db, *s);
    std::vector<std::string> state;
    *s << db.sql("SELECT state FROM jobs WHERE id = ?"), use(id), into(state), now;
    if (state.empty()) return Error::make(error_code::kNotFound, "no job " + std::to_string(job_id), false);
    Poco::Data::Statement update(*s);
    std::int64_t also_at = at; // statements set one or two time columns
    update << db.sql(sql), use(at);
    if (std::count(sql.begin(), sql.end(), '?') == 3) update, use(also_at);
    update, use(id);
    if (update.execute() != 1)
      return Error::make(error_code::kConflict,
                         "job " + std::to_string(job_id) + " is " + state.front() + ", not failed", false);
    tx.commit();
    return kDone;
  } catch (const Poco::Exception& ex) {
    return db_error(what, ex);
  }
}
} // namespace

Result<Done> JobRepository::retry_failed(std::int64_t job_id) {
  return change_failed(*db_, job_id,
                       "UPDATE jobs SET state = 'pending', attempts = 0, next_attempt_at = ?, updated_at = ? "
                       "WHERE id = ? AND state = 'failed'",
                       "cannot retry job");
}

Result<Done> JobRepository::discard_failed(std::int64_t job_id) {
  return change_failed(*db_, job_id,
                       "UPDATE jobs SET state = 'discarded', updated_at = ? WHERE id = ? AND state = 'failed'",
                       "cannot discard job");
}

Result<std::vector<JobRow>> JobRepository::list_for_event(std::int64_t event_seq) {
  try {
    auto s = db_->session();
    Poco::Int64 seq = event_seq;
    std::vector<JobTuple> rows;
    *s << db_->sql(std::string("SELECT ") + kJobColumns + " FROM jobs WHERE event_seq = ? ORDER BY id"), use(seq),
        into(rows), now;
    std::vector<JobRow> out;
    for (const auto& r : rows) out.push_back(job_from(r));
    return out;
  } catch (const Poco::Exception& ex) {
    return db_error("cannot list jobs", ex);
  }
}

Result<std::int64_t> JobRepository::count_in_state(const std::string& state, const std::string& tenant_id) {
  try {
    auto s = db_->session();
    std::string st = state, tenant = tenant_id;
    Poco::Int64 n = 0;
    if (tenant.empty())
      *s << db_->sql("SELECT COUNT(*) FROM jobs WHERE state = ?"), use(st), into(n), now;
    else
      *s << db_->sql("SELECT COUNT(*) FROM jobs WHERE state = ? AND tenant_id = ?"), use(st), use(tenant), into(n), now;
    return static_cast<std::int64_t>(n);
  } catch (const Poco::Exception& ex) {
    return db_error("cannot count jobs", ex);
  }
}

Result<JobRepository::ConnectionActivity> JobRepository::activity(const std::string& connection_id) {
  try {
    auto s = db_->session();
    std::string conn = connection_id;
    ConnectionActivity a;
    Poco::Nullable<Poco::Int64> done_at;
    *s << db_->sql("SELECT MAX(updated_at) FROM jobs WHERE connection_id = ? AND state = 'done'"), use(conn),
        into(done_at), now;
    if (!done_at.isNull()) a.last_success_ms = done_at.value();
    std::vector<Poco::Tuple<std::string, Poco::Int64>> errors;
    *s << db_->sql(
        "SELECT last_error, updated_at FROM jobs WHERE connection_id = ? AND last_error IS NOT NULL "
        "AND last_error <> '' AND state <> 'unresolved' ORDER BY updated_at DESC, id DESC LIMIT 1"),
        use(conn), into(errors), now;
    if (!errors.empty()) {
      a.last_error = errors.front().get<0>();
      a.last_error_ms = errors.front().get<1>();
    }
    return a;
  } catch (const Poco::Exception& ex) {
    return db_error("cannot read the connection's job activity", ex);
  }
}

// ------------------------------------------------------------------------------------------ log records

Result<std::optional<LogRecordRow>> LogRecordRepository::find(const std::string& connection_id,
                                                              const std::string& conversation_key) {
  try {
    auto s = db_->session();
    std::string conn = connection_id, key = conversation_key;
    std::vector<Poco::Tuple<std::string, std::string, std::string, std::string, std::string>> rows;
    *s << db_->sql(
        "SELECT tenant_id, kind, crm_record_id, crm_record_type, crm_url FROM log_records "
        "WHERE connection_id = ? AND conversation_key = ?"),
        use(conn), use(key), into(rows), now;
    if (rows.empty()) return std::optional<LogRecordRow>();
    const auto& r = rows.front();
    return std::optional<LogRecordRow>(
        LogRecordRow{connection_id, conversation_key, r.get<0>(), r.get<1>(), r.get<2>(), r.get<3>(), r.get<4>()});
  } catch (const Poco::Exception& ex) {
    return db_error("cannot read log record", ex);
  }
}

Result<Done> LogRecordRepository::save(const LogRecordRow& row) {
  try {
    auto s = db_->session();
    std::string conn = row.connection_id, key = row.conversation_key, tenant = row.tenant_id, kind = row.kind,
                id = row.crm_record_id, type = row.crm_record_type, url = row.crm_url;
    std::int64_t at = now_ms();
    Transaction tx(*db_, *s);
    *s << db_->sql(
        "INSERT INTO log_records (connection_id, conversation_key, tenant_id, kind, crm_record_id, "
        "crm_record_type, crm_url, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (connection_id, conversation_key) DO UPDATE SET crm_record_id = excluded.crm_record_id, "
        "crm_record_type = excluded.crm_record_type, crm_url = excluded.crm_url, "
        "updated_at = excluded.updated_at"),
        use(conn), use(key), use(tenant), use(kind), use(id), use(type), use(url), use(at), use(at), now;
    tx.commit();
    return kDone;
  } catch (const Poco::Exception& ex) {
    return db_error("cannot save log record", ex);
  }
}

} // namespace appconnect::store
