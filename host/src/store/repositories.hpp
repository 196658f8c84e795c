// Typed access to the host's tables. Every function borrows a session for its own unit of work and
// turns database exceptions into Error values: nothing here throws.
#pragma once

#include "common/result.hpp"
#include "store/database.hpp"
#include "store/recent_rows.hpp"

#include <boost/json/object.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace appconnect::security {
class SecretBox;
}

namespace appconnect::store {

std::int64_t now_ms();

// ---- tenants and connections

struct TenantRow {
  std::string id;
  std::string name;
  boost::json::object settings;
};

struct ConnectionRow {
  std::string id;
  std::string tenant_id;
  std::string connector;
  boost::json::object settings;
  boost::json::object credentials;
  bool enabled = true;
};

// Secret settings (store/settings_secrets.hpp: ingest_hmac_secret, ringcentral.verification_token, ...)
// are sealed with `secrets` when written and opened when read, like connection credentials; the rest of
// the settings stays plain JSON. Without a box they are written as they are.
class TenantRepository {
 public:
  explicit TenantRepository(std::shared_ptr<Database> db, std::shared_ptr<const security::SecretBox> secrets = nullptr)
      : db_(std::move(db)), secrets_(std::move(secrets)) {}
  Result<Done> upsert(const TenantRow& tenant);
  // Always reads the database (and refreshes the memory get_recent() answers from).
  Result<std::optional<TenantRow>> get(const std::string& id);
  // The row as read at most kRecentMs ago (RecentRows): for the per-event hot paths. This process's own
  // writes are seen at once; another process's within kRecentMs.
  Result<std::optional<TenantRow>> get_recent(const std::string& id);
  Result<std::vector<TenantRow>> list();
  // upsert() inside the caller's transaction on `session` (a settings change and its version row
  // commit together: store/admin_repositories.hpp). Throws Poco exceptions like any statement.
  // The caller calls forget_recent(tenant.id) after its commit, so no read racing the transaction keeps
  // the row from before it in get_recent()'s memory.
  void write(Poco::Data::Session& session, const TenantRow& tenant);
  void forget_recent(const std::string& id) { recent_.forget(id); }
  // Seals again, with the box's current key, every tenant's secret settings that are plaintext or
  // sealed with an older key; each row in its own transaction. Returns how many rows changed. Needs a box.
  Result<std::int64_t> reseal_settings();
  bool can_seal() const { return secrets_ != nullptr; }

  static constexpr std::int64_t kRecentMs = 1000;

 private:
  Result<TenantRow> decode(const std::string& id, const std::string& name, const std::string& settings) const;

  std::shared_ptr<Database> db_;
  std::shared_ptr<const security::SecretBox> secrets_;
  RecentRows<std::optional<TenantRow>> recent_{kRecentMs};
};

// Credentials are sealed with `secrets` (AES-256-GCM, docs/security.md) when written and opened when
// read; without a box they are written as plain JSON. A plaintext value from an older database is read
// as it is and sealed at its next write (or by reseal_credentials()).
class ConnectionRepository {
 public:
  explicit ConnectionRepository(std::shared_ptr<Database> db,
                                std::shared_ptr<const security::SecretBox> secrets = nullptr)
      : db_(std::move(db)), secrets_(std::move(secrets)) {}
  // `also` runs in the same transaction before it commits (the admin API writes the settings version
  // there).
  Result<Done> upsert(const ConnectionRow& connection, const AlsoInTransaction& also = {});
  // Always reads the database (and refreshes the memory get_recent() answers from).
  Result<std::optional<ConnectionRow>> get(const std::string& id);
  // The row (credentials opened) as read at most kRecentMs ago: every CRM call needs the connection, and
  // opening its credentials costs a read and an AES-GCM decryption. This process's own writes (token
  // refresh, admin changes) are seen at once; another process's within kRecentMs, and a token another
  // host refreshed meanwhile is found by the 401 -> refresh path, which reads with get().
  Result<std::optional<ConnectionRow>> get_recent(const std::string& id);
  Result<std::vector<ConnectionRow>> list_for_tenant(const std::string& tenant_id);
  Result<std::vector<ConnectionRow>> list_all();
  // Replaces the stored credentials and merges `settings_update` into the settings (token refresh).
  Result<Done> update_auth(const std::string& id, const boost::json::object& credentials,
                           const boost::json::object& settings_update);
  // Runs `work` holding the connection's token-refresh lock in every process on the database, so hosts
  // sharing a PostgreSQL database refresh a connection's token one at a time and the later ones find the
  // new token instead of spending (or, with rotating refresh tokens, invalidating) another. A PostgreSQL
  // advisory lock in its own transaction; on SQLite, which one process owns, it just runs `work`.
  Result<Done> with_refresh_lock(const std::string& id, const std::function<Result<Done>()>& work);

  // Seals again, with the box's current key, every stored credential that is not sealed with it yet:
  // plaintext from before encryption, or values under an older key (key rotation). Each row is
  // rewritten in its own transaction under a row lock, so a concurrent token refresh is never lost.
  // Returns how many rows were rewritten. Needs a box.
  Result<std::int64_t> reseal_credentials();
  // After reseal_credentials() changed rows: SQLite keeps the old row images (plaintext, or sealed with
  // a retired key) in free pages and the WAL until they are reused. VACUUM rewrites the file without
  // them and a TRUNCATE checkpoint empties the WAL. PostgreSQL: nothing here (old tuple versions stay
  // until VACUUM FULL; docs/security.md).
  Result<Done> scrub_released_space();
  // Writes only the given columns (the admin API's PATCH), so a token refresh running at the same time
  // is not overwritten with the credentials read before it. kNotFound when there is no such connection.
  Result<Done> update(const std::string& id, const std::optional<boost::json::object>& settings,
                      const std::optional<boost::json::object>& credentials, std::optional<bool> enabled,
                      const AlsoInTransaction& also = {});
  // Deletes the connection; false when there was none. Its past jobs stay (they name a connection that
  // is gone and fail if ever retried).
  Result<bool> remove(const std::string& id);
  // Whether any stored connection holds credentials (anything but an empty plaintext object).
  Result<bool> any_credentials();

 private:
  Result<ConnectionRow> decode(const std::string& id, const std::string& tenant_id, const std::string& connector,
                               const std::string& settings, const std::string& credentials, int enabled) const;
  std::string encode_credentials(const std::string& id, const boost::json::object& credentials) const;

  std::shared_ptr<Database> db_;
  std::shared_ptr<const security::SecretBox> secrets_;
  RecentRows<std::optional<ConnectionRow>> recent_{TenantRepository::kRecentMs};
};

// ---- events and jobs

struct NewEvent {
  std::string tenant_id;
  std::string event_id;
  std::string kind;
  std::string conversation_key;
  std::string payload;                     // canonical JSON
  std::vector<std::string> connection_ids; // one job per connection
  // Instead of connection_ids: one job per connection of the tenant enabled when the event is stored,
  // read inside the storing transaction (no separate read, no credentials opened, and never a job for
  // a connection disabled a moment before).
  bool to_enabled_connections = false;
};

struct StoredEvent {
  std::int64_t seq = 0;
  bool duplicate = false; // the event was already stored: nothing new was written
  std::int64_t jobs_created = 0;
};

struct EventRow {
  std::int64_t seq = 0;
  std::string tenant_id;
  std::string event_id;
  std::string kind;
  std::string conversation_key;
  std::string payload;
  std::int64_t received_at = 0;
};

// Who holds a running job: the worker that claimed it and the attempt number that claim started. Every
// transition out of `running` names the lease it finishes; when the job is no longer held by it (the
// lease expired and another worker claimed the job, or it was released) nothing changes and the call
// answers kLeaseLost. Owner names alone are not enough: a restarted process can reuse a pid, hence
// a worker name, and the attempt number tells its claims apart.
struct Lease {
  std::string owner;
  std::int64_t attempt = 0;
};

// Error code of a job transition refused because the caller's lease is gone (see Lease).
inline constexpr const char* kLeaseLost = "lease_lost";

struct JobRow {
  std::int64_t id = 0;
  std::int64_t event_seq = 0;
  std::string tenant_id;
  std::string connection_id;
  std::string conversation_key;
  std::string state; // pending | running | done | failed | unresolved
  std::int64_t attempts = 0;
  std::int64_t next_attempt_at = 0;
  std::string last_error; // JSON error document, or empty
  std::string outcome;    // JSON outcome document, or empty
  std::int64_t updated_at = 0;
  std::string lease_owner;           // empty unless running
  std::int64_t lease_expires_at = 0; // 0 unless running

  Lease lease() const { return Lease{lease_owner, attempts}; }
};

class EventRepository {
 public:
  explicit EventRepository(std::shared_ptr<Database> db) : db_(std::move(db)) {}
  // Stores the event and its jobs in one transaction; idempotent on (tenant, event id).
  Result<StoredEvent> store(const NewEvent& event);
  // Stores many events in ONE transaction (group commit: one fsync for all of them), in the order
  // given, each exactly as store() would. All or nothing: an error fails the whole batch.
  Result<std::vector<StoredEvent>> store_batch(const std::vector<const NewEvent*>& events);
  Result<std::optional<EventRow>> get(const std::string& tenant_id, const std::string& event_id);
  Result<std::optional<EventRow>> get_by_seq(std::int64_t seq);
  // Admin listing: events in arrival order after `after_seq` (keyset paging), at most `limit`; of one
  // tenant unless `tenant_id` is empty, of one kind unless `kind` is empty.
  Result<std::vector<EventRow>> list(const std::string& tenant_id, const std::string& kind, std::int64_t after_seq,
                                     std::int64_t limit);
  // Every event of one conversation that has a job on `connection_id`, in arrival order (at most `limit`).
  Result<std::vector<EventRow>> list_for_conversation(const std::string& connection_id,
                                                      const std::string& conversation_key, std::int64_t limit = 5000);

 private:
  // Enabled connection ids per tenant, read once per batch.
  using EnabledConnections = std::map<std::string, std::vector<std::string>>;
  // One event's statements inside the caller's transaction.
  StoredEvent store_in_transaction(Poco::Data::Session& s, const NewEvent& e, std::int64_t at,
                                   EnabledConnections& enabled);

  std::shared_ptr<Database> db_;
};

class JobRepository {
 public:
  explicit JobRepository(std::shared_ptr<Database> db) : db_(std::move(db)) {}

  // Claims the oldest runnable job whose conversation has no earlier unfinished job, leasing it to
  // `worker` until now + lease_ms. A job whose lease expired (its worker died) is runnable again.
  Result<std::optional<JobRow>> claim(const std::string& worker, std::int64_t lease_ms);

  // The transitions of a running job; each applies only while `lease` still holds it (else kLeaseLost).
  // `also` runs in the same transaction once the transition applied (the attempt row, the audit entry).
  Result<Done> complete(std::int64_t job_id, const Lease& lease, const std::string& outcome_json,
                        const AlsoInTransaction& also = {});
  // Schedules another attempt at `next_attempt_at`, keeping the error. `count_attempt` false gives the
  // attempt back (the job did not get to the CRM: an open circuit, a connection waiting for
  // re-authorization), so waiting never uses up the retry budget.
  Result<Done> retry_later(std::int64_t job_id, const Lease& lease, const std::string& error_json,
                           std::int64_t next_attempt_at, bool count_attempt = true, const AlsoInTransaction& also = {});
  // Parks the job: "failed" (needs an admin) or "unresolved" (needs a person to pick the contact).
  Result<Done> park(std::int64_t job_id, const Lease& lease, const std::string& state, const std::string& detail_json,
                    const AlsoInTransaction& also = {});
  // Gives the job back without counting an attempt (graceful shutdown).
  Result<Done> release(std::int64_t job_id, const Lease& lease);
  // Extends the lease of a job still being worked on to now + lease_ms (heartbeat of long jobs).
  Result<Done> renew(std::int64_t job_id, const Lease& lease, std::int64_t lease_ms);

  // Admin: jobs in a state, oldest first, after `after_id` (keyset paging); of one tenant unless empty.
  Result<std::vector<JobRow>> list_in_state(const std::string& state, std::int64_t after_id, std::int64_t limit,
                                            const std::string& tenant_id = {});
  Result<std::optional<JobRow>> get(std::int64_t job_id);
  // Admin: a failed job runs again now with a fresh retry budget. kNotFound, or kConflict when the job
  // is not failed (it may have been retried or discarded meanwhile).
  Result<Done> retry_failed(std::int64_t job_id);
  // Admin: a failed job is given up for good ("discarded"); it stays visible with its error.
  Result<Done> discard_failed(std::int64_t job_id);

  Result<std::vector<JobRow>> list_for_event(std::int64_t event_seq);
  Result<std::int64_t> count_in_state(const std::string& state, const std::string& tenant_id = {});
  // What the jobs of one connection say about its health: when a job last completed, and the newest
  // error a job of it recorded (JSON text, empty if none) with its time.
  struct ConnectionActivity {
    std::int64_t last_success_ms = 0;
    std::string last_error;
    std::int64_t last_error_ms = 0;
  };
  Result<ConnectionActivity> activity(const std::string& connection_id);

 private:
  std::shared_ptr<Database> db_;
};

// ---- log records: conversation key -> CRM record, so a conversation never gets two records

struct LogRecordRow {
  std::string connection_id;
  std::string conversation_key;
  std::string tenant_id;
  std::string kind;
  std::string crm_record_id;
  std::string crm_record_type;
  std::string crm_url;
};

class LogRecordRepository {
 public:
  explicit LogRecordRepository(std::shared_ptr<Database> db) : db_(std::move(db)) {}
  Result<std::optional<LogRecordRow>> find(const std::string& connection_id, const std::string& conversation_key);
  Result<Done> save(const LogRecordRow& row);

 private:
  std::shared_ptr<Database> db_;
};

} // namespace appconnect::store
