// Group commit for the ingest path: concurrent requests that each store one event are written together
// in one transaction, so N requests cost one commit (one fsync) instead of N. Every caller still gets
// its answer only after the transaction holding its event committed: durability is unchanged.
//
// Leader/follower, no thread of its own: a caller that finds no batch being written writes the queue
// (its own request and everything that arrived meanwhile) and wakes the others with their results; while
// it writes, new arrivals queue up and the oldest of them writes the next batch.
#pragma once

#include "common/result.hpp"
#include "store/repositories.hpp"

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

namespace appconnect::ingest {

class GroupCommit {
 public:
  // `max_events`: the most events one transaction carries (bounds the latency a follower can add).
  explicit GroupCommit(std::shared_ptr<store::EventRepository> events, std::size_t max_events = 256);

  // Stores the parts of one event (a group message stores one part per recipient) together, in one
  // transaction, with whatever other requests are waiting. Returns their results in order.
  Result<std::vector<store::StoredEvent>> store(const std::vector<store::NewEvent>& parts);

  struct Stats {
    std::uint64_t transactions = 0;
    std::uint64_t events = 0;
  };
  Stats stats() const;

 private:
  struct Request {
    const std::vector<store::NewEvent>* parts;
    std::optional<Result<std::vector<store::StoredEvent>>> result;
  };
  void write_batch(std::unique_lock<std::mutex>& lock);

  std::shared_ptr<store::EventRepository> events_;
  const std::size_t max_events_;
  mutable std::mutex mutex_;
  std::condition_variable done_;
  std::deque<Request*> waiting_;
  bool writing_ = false;
  Stats stats_;
};

} // namespace appconnect::ingest
