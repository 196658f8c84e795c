// Every attempt a worker made at a job, kept after the job is done: an event's story shows each one
// (when, what came of it, the CRM's error, when the next try is due), and the dashboard aggregates them
// per day and connection with SQL that runs unchanged on SQLite and PostgreSQL.
#pragma once

#include "common/result.hpp"
#include "store/database.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace appconnect::store {

struct AttemptRow {
  std::int64_t job_id = 0;
  std::string tenant_id;
  std::string connection_id;
  std::string agent; // the event's agent (extension id or email): a rep's dashboard counts only theirs
  std::int64_t attempt = 0;
  std::int64_t started_at = 0;
  std::int64_t finished_at = 0;
  std::string result;               // logged | placeholder | updated | skipped | queued | retry | failed
  std::string error;                // JSON error document, or empty
  std::int64_t next_attempt_at = 0; // when the job runs again (result "retry"), else 0
  std::int64_t source_ended_at = 0; // the call's end when this attempt first wrote its record, else 0
};

// One day (UTC) of one connection.
struct DailyStats {
  std::string day; // YYYY-MM-DD
  std::string connection_id;
  std::int64_t logged = 0;
  std::int64_t placeholder = 0;
  std::int64_t updated = 0; // later events of a conversation that already had its record
  std::int64_t skipped = 0;
  std::int64_t queued = 0;     // items put in the unresolved queue that day
  std::int64_t still_open = 0; // of those, how many still wait for a person
  std::int64_t failed = 0;     // jobs that used up their attempts (or failed for good) that day
  std::int64_t retried = 0;    // attempts that ended in "try again later"
  std::int64_t latency_samples = 0;
  std::int64_t latency_p50_ms = 0; // call end to CRM record, nearest-rank percentiles; 0 without samples
  std::int64_t latency_p95_ms = 0;
};

struct StatsQuery {
  std::string tenant_id;
  std::string agent;         // non-empty: only this agent's calls and queue items
  std::string connection_id; // non-empty: only this connection
  std::int64_t since_ms = 0; // the first day's start
};

class AttemptRepository {
 public:
  explicit AttemptRepository(std::shared_ptr<Database> db) : db_(std::move(db)) {}
  Result<Done> record(const AttemptRow& row);
  // The same inside the caller's transaction (the worker writes the row with the job's new state); throws
  // Poco exceptions.
  void record_in(Poco::Data::Session& session, const AttemptRow& row) const;
  // A job's attempts, oldest first (at most `limit`).
  Result<std::vector<AttemptRow>> list_for_job(std::int64_t job_id, std::int64_t limit = 200);
  // Days without any activity are absent; rows are ordered by day, then connection.
  Result<std::vector<DailyStats>> daily(const StatsQuery& q);

 private:
  std::shared_ptr<Database> db_;
};

} // namespace appconnect::store
