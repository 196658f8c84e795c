#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace appconnect::store {

// A short memory of rows read moments ago, for the hot paths that read the same tenant or connection
// several times per event (ingest, the processor, every CRM call). A row is served from memory for at
// most `max_age_ms` after it was read; every write through the owning repository forgets it at once,
// so this process sees its own changes immediately. Changes made by another process on the same
// database (PostgreSQL scale-out) are seen within max_age_ms (docs/adr/0009).
//
// A read that raced a write must not put the row it read before the write back into memory: remember()
// only keeps a row when no forget() happened since the matching generation() was taken.
template <class Row>
class RecentRows {
 public:
  explicit RecentRows(std::int64_t max_age_ms) : max_age_ms_(max_age_ms) {}

  std::uint64_t generation() const {
    std::lock_guard lock(mutex_);
    return generation_;
  }

  std::optional<Row> find(const std::string& key, std::int64_t now_ms) const {
    std::lock_guard lock(mutex_);
    auto it = rows_.find(key);
    if (it == rows_.end() || now_ms - it->second.read_at_ms > max_age_ms_ || now_ms < it->second.read_at_ms)
      return std::nullopt;
    return it->second.row;
  }

  void remember(const std::string& key, Row row, std::int64_t read_at_ms, std::uint64_t generation_before_read) {
    if (max_age_ms_ <= 0) return;
    std::lock_guard lock(mutex_);
    if (generation_ != generation_before_read) return;
    // Bounded: a host with many tenants keeps what was read in the last moments, not everything.
    if (rows_.size() >= kMaxRows) rows_.clear();
    rows_.insert_or_assign(key, Entry{std::move(row), read_at_ms});
  }

  void forget(const std::string& key) {
    std::lock_guard lock(mutex_);
    ++generation_;
    rows_.erase(key);
  }

  void forget_all() {
    std::lock_guard lock(mutex_);
    ++generation_;
    rows_.clear();
  }

 private:
  static constexpr std::size_t kMaxRows = 4096;
  struct Entry {
    Row row;
    std::int64_t read_at_ms;
  };
  const std::int64_t max_age_ms_;
  mutable std::mutex mutex_;
  std::uint64_t generation_ = 0;
  std::unordered_map<std::string, Entry> rows_;
};

} // namespace appconnect::store
