#include "store/migrations.hpp"

#include "common/log.hpp"

#include <Poco/Data/Session.h>
#include <Poco/Exception.h>

#include <chrono>

using namespace Poco::Data::Keywords;

namespace appconnect::store {

const std::vector<Migration>& migrations() {
  // Times are Unix milliseconds (BIGINT) everywhere: one clock representation for both engines.
  // JSON documents are TEXT: the host parses them; the database never needs to look inside.
  static const std::vector<Migration> kAll = {
      {1,
       "initial schema: tenants, connections, events, jobs, log records",
       {
           R"(CREATE TABLE tenants (
                id TEXT PRIMARY KEY,
                name TEXT NOT NULL,
                settings TEXT NOT NULL DEFAULT '{}',
                created_at BIGINT NOT NULL))",
           R"(CREATE TABLE connections (
                id TEXT PRIMARY KEY,
                tenant_id TEXT NOT NULL REFERENCES tenants(id),
                connector TEXT NOT NULL,
                settings TEXT NOT NULL DEFAULT '{}',
                credentials TEXT NOT NULL DEFAULT '{}',
                enabled INTEGER NOT NULL DEFAULT 1,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL))",
           R"(CREATE INDEX connections_tenant ON connections(tenant_id))",
           R"(CREATE TABLE events (
                seq INTEGER PRIMARY KEY AUTOINCREMENT,
                tenant_id TEXT NOT NULL,
                event_id TEXT NOT NULL,
                kind TEXT NOT NULL,
                conversation_key TEXT NOT NULL,
                payload TEXT NOT NULL,
                received_at BIGINT NOT NULL,
                UNIQUE (tenant_id, event_id)))",
           R"(CREATE TABLE jobs (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                event_seq BIGINT NOT NULL REFERENCES events(seq),
                tenant_id TEXT NOT NULL,
                connection_id TEXT NOT NULL,
                conversation_key TEXT NOT NULL,
                state TEXT NOT NULL,
                attempts INTEGER NOT NULL DEFAULT 0,
                next_attempt_at BIGINT NOT NULL,
                lease_owner TEXT,
                lease_expires_at BIGINT,
                last_error TEXT,
                outcome TEXT,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL))",
           R"(CREATE INDEX jobs_ready ON jobs(state, next_attempt_at))",
           R"(CREATE INDEX jobs_conversation ON jobs(connection_id, conversation_key, id))",
           R"(CREATE INDEX jobs_event ON jobs(event_seq))",
           R"(CREATE TABLE log_records (
                connection_id TEXT NOT NULL,
                conversation_key TEXT NOT NULL,
                tenant_id TEXT NOT NULL,
                kind TEXT NOT NULL,
                crm_record_id TEXT NOT NULL,
                crm_record_type TEXT NOT NULL DEFAULT '',
                crm_url TEXT NOT NULL DEFAULT '',
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL,
                PRIMARY KEY (connection_id, conversation_key)))",
       },
       {
           R"(CREATE TABLE tenants (
                id TEXT PRIMARY KEY,
                name TEXT NOT NULL,
                settings TEXT NOT NULL DEFAULT '{}',
                created_at BIGINT NOT NULL))",
           R"(CREATE TABLE connections (
                id TEXT PRIMARY KEY,
                tenant_id TEXT NOT NULL REFERENCES tenants(id),
                connector TEXT NOT NULL,
                settings TEXT NOT NULL DEFAULT '{}',
                credentials TEXT NOT NULL DEFAULT '{}',
                enabled INTEGER NOT NULL DEFAULT 1,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL))",
           R"(CREATE INDEX connections_tenant ON connections(tenant_id))",
           R"(CREATE TABLE events (
                seq BIGSERIAL PRIMARY KEY,
                tenant_id TEXT NOT NULL,
                event_id TEXT NOT NULL,
                kind TEXT NOT NULL,
                conversation_key TEXT NOT NULL,
                payload TEXT NOT NULL,
                received_at BIGINT NOT NULL,
                UNIQUE (tenant_id, event_id)))",
           R"(CREATE TABLE jobs (
                id BIGSERIAL PRIMARY KEY,
                event_seq BIGINT NOT NULL REFERENCES events(seq),
                tenant_id TEXT NOT NULL,
                connection_id TEXT NOT NULL,
                conversation_key TEXT NOT NULL,
                state TEXT NOT NULL,
                attempts INTEGER NOT NULL DEFAULT 0,
                next_attempt_at BIGINT NOT NULL,
                lease_owner TEXT,
                lease_expires_at BIGINT,
                last_error TEXT,
                outcome TEXT,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL))",
           R"(CREATE INDEX jobs_ready ON jobs(state, next_attempt_at))",
           R"(CREATE INDEX jobs_conversation ON jobs(connection_id, conversation_key, id))",
           R"(CREATE INDEX jobs_event ON jobs(event_seq))",
           R"(CREATE TABLE log_records (
                connection_id TEXT NOT NULL,
                conversation_key TEXT NOT NULL,
                tenant_id TEXT NOT NULL,
                kind TEXT NOT NULL,
                crm_record_id TEXT NOT NULL,
                crm_record_type TEXT NOT NULL DEFAULT '',
                crm_url TEXT NOT NULL DEFAULT '',
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL,
                PRIMARY KEY (connection_id, conversation_key)))",
       }},
  };
  return kAll;
}

namespace {

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void ensure_bookkeeping(Poco::Data::Session& s) {
  s << "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
       "applied_at BIGINT NOT NULL)",
      now;
}

int read_version(Poco::Data::Session& s) {
  Poco::Nullable<int> v;
  s << "SELECT MAX(version) FROM schema_migrations", into(v), now;
  return v.isNull() ? 0 : v.value();
}

} // namespace

Result<int> schema_version(Database& db) {
  try {
    auto s = db.session();
    ensure_bookkeeping(*s);
    return read_version(*s);
  } catch (const Poco::Exception& ex) {
    return Error::make(error_code::kUnavailable, "cannot read schema version: " + ex.displayText(), true);
  }
}

Result<int> migrate(Database& db) {
  const auto& all = migrations();
  const int newest = all.empty() ? 0 : all.back().version;
  try {
    auto s = db.session();
    ensure_bookkeeping(*s);
    int current = read_version(*s);
    if (current > newest)
      return Error::make(error_code::kInternal,
                         "database schema version " + std::to_string(current) + " is newer than this host knows (" +
                             std::to_string(newest) + "); upgrade the host",
                         false);
    for (const auto& m : all) {
      if (m.version <= current) continue;
      Transaction tx(db, *s);
      // Another process may have migrated while we waited for the lock: check again inside it.
      if (read_version(*s) >= m.version) continue;
      const auto& statements =
          (db.dialect() == Dialect::kPostgres && !m.postgres.empty()) ? m.postgres : m.sqlite;
      for (const auto& sql : statements) *s << sql, now;
      int version = m.version;
      std::string name = m.name;
      std::int64_t at = now_ms();
      *s << db.sql("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)"), use(version),
          use(name), use(at), now;
      tx.commit();
      log::info("store", "applied migration", {{"version", m.version}, {"name", m.name}});
      current = m.version;
    }
    return current;
  } catch (const Poco::Exception& ex) {
    return Error::make(error_code::kUnavailable, "migration failed: " + ex.displayText(), false);
  }
}

} // namespace appconnect::store
