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
       {}},
      {2,
       "matching: unresolved queue, placeholder claims, decisions on jobs",
       {
           R"(CREATE TABLE unresolved_items (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                tenant_id TEXT NOT NULL,
                connection_id TEXT NOT NULL,
                job_id BIGINT NOT NULL UNIQUE,
                event_seq BIGINT NOT NULL,
                conversation_key TEXT NOT NULL,
                kind TEXT NOT NULL,
                phone_e164 TEXT NOT NULL DEFAULT '',
                agent TEXT NOT NULL DEFAULT '',
                owner_id TEXT NOT NULL DEFAULT '',
                reason TEXT NOT NULL,
                detail TEXT NOT NULL,
                state TEXT NOT NULL,
                resolution TEXT,
                resolved_by TEXT,
                created_at BIGINT NOT NULL,
                resolved_at BIGINT))",
           R"(CREATE INDEX unresolved_by_tenant ON unresolved_items(tenant_id, state, id))",
           R"(CREATE TABLE placeholders (
                connection_id TEXT NOT NULL,
                phone_e164 TEXT NOT NULL,
                state TEXT NOT NULL,
                contact TEXT NOT NULL,
                claimed_by TEXT NOT NULL,
                claimed_at BIGINT NOT NULL,
                PRIMARY KEY (connection_id, phone_e164)))",
           R"(ALTER TABLE jobs ADD COLUMN resolution TEXT)",
       },
       {}},
      {3,
       "webhook inbox: authentic notifications the host could not map, kept for inspection",
       {
           R"(CREATE TABLE webhook_inbox (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                tenant_id TEXT NOT NULL,
                source TEXT NOT NULL,
                received_at BIGINT NOT NULL,
                reason TEXT NOT NULL,
                body TEXT NOT NULL))",
           R"(CREATE INDEX webhook_inbox_by_tenant ON webhook_inbox(tenant_id, id))",
       },
       {}},
      {4,
       "jobs: due-job index in claim order (state, next_attempt_at, id)",
       {
           // JobRepository::claim reads due jobs in (next_attempt_at, id) order and stops at the first
           // runnable one. SQLite's index already ended in the rowid (= id); PostgreSQL's did not, and
           // had to sort every due job to find the first. The old index is a prefix of the new one.
           R"(CREATE INDEX jobs_due ON jobs(state, next_attempt_at, id))",
           R"(DROP INDEX jobs_ready)",
       },
       {}},
      {5,
       "audit trail: append-only, hash-chained entries and the chain head",
       {
           // One chain per database (docs/security.md). `position` is gap-free: appends take the head
           // row's lock, so it is never drawn from a sequence that could skip numbers.
           R"(CREATE TABLE audit_log (
                position BIGINT PRIMARY KEY,
                at_ms BIGINT NOT NULL,
                tenant_id TEXT NOT NULL,
                actor TEXT NOT NULL,
                action TEXT NOT NULL,
                subject TEXT NOT NULL,
                detail TEXT NOT NULL,
                prev_hash TEXT NOT NULL,
                hash TEXT NOT NULL))",
           R"(CREATE INDEX audit_log_by_tenant ON audit_log(tenant_id, position))",
           // The newest position and hash: the lock appends serialize on, and what truncating the tail
           // of the log must also rewrite to go unnoticed.
           R"(CREATE TABLE audit_head (
                id INTEGER PRIMARY KEY CHECK (id = 1),
                position BIGINT NOT NULL,
                hash TEXT NOT NULL))",
           R"(INSERT INTO audit_head (id, position, hash) VALUES (1, 0, ''))",
       },
       {}},
      {6,
       "admin auth: hashed API tokens, OAuth connect states, settings versions",
       {
           // Only the SHA-256 of a token is stored (docs/security.md); tenant_id is NULL for operators.
           R"(CREATE TABLE api_tokens (
                id TEXT PRIMARY KEY,
                name TEXT NOT NULL,
                role TEXT NOT NULL,
                tenant_id TEXT,
                agent TEXT NOT NULL DEFAULT '',
                token_hash TEXT NOT NULL UNIQUE,
                created_by TEXT NOT NULL DEFAULT '',
                created_at BIGINT NOT NULL,
                last_used_at BIGINT,
                revoked_at BIGINT))",
           R"(CREATE INDEX api_tokens_by_tenant ON api_tokens(tenant_id, id))",
           // One row per started OAuth connect; the state itself is a secret, so only its hash is kept.
           R"(CREATE TABLE oauth_states (
                state_hash TEXT PRIMARY KEY,
                tenant_id TEXT NOT NULL,
                connection_id TEXT NOT NULL,
                redirect_uri TEXT NOT NULL,
                actor TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                expires_at BIGINT NOT NULL))",
           R"(CREATE TABLE settings_versions (
                scope TEXT NOT NULL,
                id TEXT NOT NULL,
                version BIGINT NOT NULL,
                settings TEXT NOT NULL,
                actor TEXT NOT NULL,
                at_ms BIGINT NOT NULL,
                PRIMARY KEY (scope, id, version)))",
       },
       {}},
      {7,
       "job attempts: one row per attempt that reached the processor (event story, dashboard)",
       {
           // Written after the job's transition is stored. `result` is logged | placeholder | skipped |
           // queued | retry | failed; `source_ended_at` is the call's end (Unix ms) when a record was first
           // created for it, so the dashboard can show the delay from call end to CRM record.
           R"(CREATE TABLE job_attempts (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                job_id BIGINT NOT NULL,
                tenant_id TEXT NOT NULL,
                connection_id TEXT NOT NULL,
                agent TEXT NOT NULL DEFAULT '',
                attempt INTEGER NOT NULL,
                started_at BIGINT NOT NULL,
                finished_at BIGINT NOT NULL,
                result TEXT NOT NULL,
                error TEXT,
                next_attempt_at BIGINT,
                source_ended_at BIGINT))",
           R"(CREATE INDEX job_attempts_by_job ON job_attempts(job_id, id))",
           // The dashboard reads one tenant's last N days.
           R"(CREATE INDEX job_attempts_by_day ON job_attempts(tenant_id, finished_at))",
           // The queue's per-day counts read one tenant's items by creation time.
           R"(CREATE INDEX unresolved_by_created ON unresolved_items(tenant_id, created_at))",
           // A big queue: a rep's page and total, and the per-number groups, without reading every item.
           R"(CREATE INDEX unresolved_by_agent ON unresolved_items(tenant_id, state, agent, id))",
           R"(CREATE INDEX unresolved_by_phone ON unresolved_items(tenant_id, state, phone_e164, connection_id))",
       },
       {}},
  };
  return kAll;
}

std::string postgres_dialect(std::string statement) {
  static constexpr std::string_view kSqliteId = "INTEGER PRIMARY KEY AUTOINCREMENT";
  for (auto at = statement.find(kSqliteId); at != std::string::npos; at = statement.find(kSqliteId))
    statement.replace(at, kSqliteId.size(), "BIGSERIAL PRIMARY KEY");
  return statement;
}

namespace {

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Every process sharing a PostgreSQL database migrates under this one advisory lock, so two hosts
// starting together never both apply a migration (the second waits, then finds it applied).
constexpr const char* kLockScope = "appconnect.schema";

void create_bookkeeping(Poco::Data::Session& s) {
  s << "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
       "applied_at BIGINT NOT NULL)",
      now;
}

void ensure_bookkeeping(Database& db, Poco::Data::Session& s) {
  if (db.dialect() == Dialect::kSqlite) {
    create_bookkeeping(s);
    return;
  }
  // PostgreSQL: two concurrent CREATE TABLE IF NOT EXISTS can both miss the table and the second then
  // fails on the catalog's unique index; under the migration lock they cannot overlap.
  Transaction tx(db, s);
  db.lock_in_transaction(s, kLockScope, "");
  create_bookkeeping(s);
  tx.commit();
}

// Whether `version` is recorded as applied. Migrations are applied by what is recorded, not by
// "everything above the highest": versions are reserved per branch (4 for durability, 5 for the audit
// trail), so a database may hold 5 before 4 exists, and 4 must still run once it lands.
bool applied(Database& db, Poco::Data::Session& s, int version) {
  int v = version, n = 0;
  s << db.sql("SELECT COUNT(*) FROM schema_migrations WHERE version = ?"), use(v), into(n), now;
  return n > 0;
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
    ensure_bookkeeping(db, *s);
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
    ensure_bookkeeping(db, *s);
    const int current = read_version(*s);
    if (current > newest)
      return Error::make(error_code::kInternal,
                         "database schema version " + std::to_string(current) + " is newer than this host knows (" +
                             std::to_string(newest) + "); upgrade the host",
                         false);
    for (const auto& m : all) {
      if (applied(db, *s, m.version)) continue;
      Transaction tx(db, *s);                     // SQLite: BEGIN IMMEDIATE, the database's single write lock
      db.lock_in_transaction(*s, kLockScope, ""); // PostgreSQL: the migration lock, held until COMMIT
      // Another process may have migrated while we waited for the lock: check again inside it (on
      // PostgreSQL each statement of a READ COMMITTED transaction sees what committed before it began).
      if (applied(db, *s, m.version)) continue;
      std::vector<std::string> statements = m.sqlite;
      if (db.dialect() == Dialect::kPostgres) {
        if (!m.postgres.empty())
          statements = m.postgres;
        else
          for (auto& sql : statements) sql = postgres_dialect(sql);
      }
      for (const auto& sql : statements) *s << sql, now;
      int version = m.version;
      std::string name = m.name;
      std::int64_t at = now_ms();
      *s << db.sql("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)"), use(version),
          use(name), use(at), now;
      tx.commit();
      log::info("store", "applied migration", {{"version", m.version}, {"name", m.name}});
    }
    // What is recorded now, including what other processes applied while this one waited.
    return read_version(*s);
  } catch (const Poco::Exception& ex) {
    return Error::make(error_code::kUnavailable, "migration failed: " + ex.displayText(), false);
  }
}

} // namespace appconnect::store
