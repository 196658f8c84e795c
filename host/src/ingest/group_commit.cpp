#include "ingest/group_commit.hpp"

namespace appconnect::ingest {

GroupCommit::GroupCommit(std::shared_ptr<store::EventRepository> events, std::size_t max_events)
    : events_(std::move(events)), max_events_(max_events < 1 ? 1 : max_events) {}

Result<std::vector<store::StoredEvent>> GroupCommit::store(const std::vector<store::NewEvent>& parts) {
  if (parts.empty()) return std::vector<store::StoredEvent>{};
  Request request{&parts, std::nullopt};
  std::unique_lock lock(mutex_);
  waiting_.push_back(&request);
  for (;;) {
    if (request.result) return std::move(*request.result);
    // The oldest waiting request writes the next batch once the previous one is committed.
    if (!writing_ && waiting_.front() == &request) {
      write_batch(lock);
      continue; // its own request was in the batch: the result is set
    }
    done_.wait(lock);
  }
}

void GroupCommit::write_batch(std::unique_lock<std::mutex>& lock) {
  writing_ = true;
  std::vector<Request*> batch;
  std::vector<const store::NewEvent*> rows;
  // At least the first request, whatever its size; then whole requests while they fit.
  while (!waiting_.empty()) {
    Request* next = waiting_.front();
    if (!batch.empty() && rows.size() + next->parts->size() > max_events_) break;
    waiting_.pop_front();
    batch.push_back(next);
    for (const auto& part : *next->parts) rows.push_back(&part);
  }
  lock.unlock();
  Result<std::vector<store::StoredEvent>> stored = Error::make(error_code::kInternal, "not stored", true);
  try {
    stored = events_->store_batch(rows);
  } catch (const std::exception& ex) { // never leave the followers waiting on a batch that is gone
    stored = Error::make(error_code::kUnavailable, std::string("cannot store events: ") + ex.what(), true);
  }
  lock.lock();
  std::size_t at = 0;
  for (Request* r : batch) {
    if (!stored) {
      r->result = stored.error();
      continue;
    }
    std::vector<store::StoredEvent> mine(stored.value().begin() + static_cast<std::ptrdiff_t>(at),
                                         stored.value().begin() + static_cast<std::ptrdiff_t>(at + r->parts->size()));
    at += r->parts->size();
    r->result = std::move(mine);
  }
  ++stats_.transactions;
  stats_.events += rows.size();
  writing_ = false;
  done_.notify_all();
}

GroupCommit::Stats GroupCommit::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

} // namespace appconnect::ingest
