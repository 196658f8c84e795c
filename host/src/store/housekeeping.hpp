// Store hygiene, so the database stays bounded whatever runs through it: finished jobs (done,
// discarded) and decided queue items older than the retention are deleted, then the events that no
// longer have a job, in small batches (short transactions, workers are never blocked for long); on
// SQLite the WAL is checkpointed afterwards so the -wal file does not grow without bound.
//
// log_records are kept: they map a conversation to its CRM record, and a late update of an old
// conversation must still find it. An event resent after its retention is accepted as new; keep the
// retention longer than any source's resend window (the default, 30 days, is).
#pragma once

#include "common/result.hpp"
#include "store/database.hpp"

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>

namespace appconnect::store {

struct PurgeCounts {
  std::int64_t jobs = 0;
  std::int64_t events = 0;
  std::int64_t queue_items = 0;
  std::int64_t attempts = 0; // job_attempts rows (the dashboard's history ages out with the jobs)
};

// One batch of at most `batch` rows per table, finished before `before_ms`.
Result<PurgeCounts> purge_finished(Database& db, std::int64_t before_ms, std::int64_t batch);

// SQLite: PRAGMA wal_checkpoint(TRUNCATE). PostgreSQL: nothing (autovacuum does its part).
Result<Done> checkpoint(Database& db);

// Runs purge (until a batch comes back short) and checkpoint every `interval_ms` on a thread of its own.
class Housekeeper {
 public:
  Housekeeper(std::shared_ptr<Database> db, std::int64_t retention_ms, std::int64_t interval_ms);
  ~Housekeeper();
  void start();
  void stop();
  // One round now (also what the thread runs).
  Result<PurgeCounts> run_once();

 private:
  std::shared_ptr<Database> db_;
  std::int64_t retention_ms_;
  std::int64_t interval_ms_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

} // namespace appconnect::store
