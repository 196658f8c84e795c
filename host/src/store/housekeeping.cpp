#include "store/housekeeping.hpp"

#include "common/log.hpp"
#include "store/repositories.hpp"
#include "store/row_helpers.hpp"

#include <Poco/Data/Session.h>
#include <Poco/Data/Statement.h>
#include <Poco/Exception.h>

#include <chrono>

using namespace Poco::Data::Keywords;

namespace appconnect::store {
namespace {

std::int64_t delete_batch(Database& db, Poco::Data::Session& s, const std::string& sql, std::int64_t before_ms,
                          std::int64_t batch) {
  Poco::Int64 before = before_ms, limit = batch;
  Transaction tx(db, s);
  Poco::Data::Statement st(s);
  st << db.sql(sql), use(before), use(limit);
  const auto n = static_cast<std::int64_t>(st.execute());
  tx.commit();
  return n;
}

} // namespace

Result<PurgeCounts> purge_finished(Database& db, std::int64_t before_ms, std::int64_t batch) {
  try {
    auto s = db.session();
    PurgeCounts c;
    c.queue_items = delete_batch(db, *s,
                                 "DELETE FROM unresolved_items WHERE id IN (SELECT id FROM unresolved_items WHERE "
                                 "state IN ('resolved', 'skipped') AND resolved_at < ? ORDER BY id LIMIT ?)",
                                 before_ms, batch);
    // A job whose queue item is still open is 'unresolved', never purged; a decided item goes first
    // (above), so no item is left pointing at a deleted job.
    c.jobs = delete_batch(db, *s,
                          "DELETE FROM jobs WHERE id IN (SELECT id FROM jobs WHERE state IN ('done', 'discarded') "
                          "AND updated_at < ? AND NOT EXISTS (SELECT 1 FROM unresolved_items u WHERE u.job_id = "
                          "jobs.id) ORDER BY id LIMIT ?)",
                          before_ms, batch);
    c.events = delete_batch(db, *s,
                            "DELETE FROM events WHERE seq IN (SELECT e.seq FROM events e WHERE e.received_at < ? AND "
                            "NOT EXISTS (SELECT 1 FROM jobs j WHERE j.event_seq = e.seq) ORDER BY e.seq LIMIT ?)",
                            before_ms, batch);
    c.attempts = delete_batch(db, *s,
                              "DELETE FROM job_attempts WHERE id IN (SELECT id FROM job_attempts WHERE finished_at < ? "
                              "ORDER BY id LIMIT ?)",
                              before_ms, batch);
    return c;
  } catch (const Poco::Exception& ex) {
    return db_error("cannot purge finished jobs", ex);
  }
}

Result<Done> checkpoint(Database& db) {
  if (db.dialect() != Dialect::kSqlite) return kDone;
  try {
    auto s = db.session();
    int busy = 0, frames = 0, done = 0;
    *s << "PRAGMA wal_checkpoint(TRUNCATE)", into(busy), into(frames), into(done), now;
    return kDone;
  } catch (const Poco::Exception& ex) {
    return db_error("cannot checkpoint the write-ahead log", ex);
  }
}

Housekeeper::Housekeeper(std::shared_ptr<Database> db, std::int64_t retention_ms, std::int64_t interval_ms)
    : db_(std::move(db)), retention_ms_(retention_ms), interval_ms_(interval_ms) {}

Housekeeper::~Housekeeper() {
  stop();
}

void Housekeeper::start() {
  stopping_ = false;
  thread_ = std::thread([this] {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
      wake_.wait_for(lock, std::chrono::milliseconds(interval_ms_), [this] { return stopping_; });
      if (stopping_) break;
      lock.unlock();
      auto r = run_once();
      if (!r) log::warn("store", "housekeeping failed", {{"error", r.error().message}});
      lock.lock();
    }
  });
}

void Housekeeper::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

Result<PurgeCounts> Housekeeper::run_once() {
  PurgeCounts total;
  if (retention_ms_ > 0) {
    constexpr std::int64_t kBatch = 500;
    const std::int64_t before = now_ms() - retention_ms_;
    for (int round = 0; round < 1000; ++round) {
      auto c = purge_finished(*db_, before, kBatch);
      if (!c) return c.error();
      total.jobs += c.value().jobs;
      total.events += c.value().events;
      total.queue_items += c.value().queue_items;
      total.attempts += c.value().attempts;
      if (c.value().jobs < kBatch && c.value().events < kBatch && c.value().queue_items < kBatch &&
          c.value().attempts < kBatch)
        break;
    }
    if (total.jobs + total.events + total.queue_items + total.attempts > 0)
      log::info("store", "purged finished work",
                {{"jobs", total.jobs},
                 {"events", total.events},
                 {"queue_items", total.queue_items},
                 {"attempts", total.attempts}});
  }
  auto checked = checkpoint(*db_);
  if (!checked) return checked.error();
  return total;
}

} // namespace appconnect::store
