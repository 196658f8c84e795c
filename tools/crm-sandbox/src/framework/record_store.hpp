// In-memory records of every emulated object, keyed by object name and id. One reader/writer lock
// for the whole store: critical sections are short (no I/O, no latency sleeps happen under it), and
// readers (searches, queries) run concurrently, which is what benchmarks stress.
#pragma once

#include <boost/json/object.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace appconnect::crm_sandbox {

struct Record {
  std::string id;
  boost::json::object fields;  // the CRM's field names and values, as the emulator stores them
  std::int64_t created_ms = 0; // when it was created through the API (search-index lag)
  std::uint64_t seq = 0;       // insertion order, assigned by the store
  bool preexisting = false;    // seeded data: already indexed for search
};

class RecordStore {
 public:
  void clear();

  // Stores a new record (its id must be unused) and returns its sequence number.
  std::uint64_t insert(std::string_view object, Record record);
  std::optional<Record> get(std::string_view object, std::string_view id) const;
  bool contains(std::string_view object, std::string_view id) const;
  // Runs `fn` on the stored record under the write lock; false when there is no such record.
  bool update(std::string_view object, std::string_view id, const std::function<void(Record&)>& fn);
  // Removes a record and returns it.
  std::optional<Record> remove(std::string_view object, std::string_view id);

  // Visits the records of `object` in insertion order under the read lock until `fn` returns false.
  // `fn` must not call back into the store.
  void scan(std::string_view object, const std::function<bool(const Record&)>& fn) const;
  std::vector<Record> list(std::string_view object) const;
  std::size_t count(std::string_view object) const;
  std::vector<std::string> objects() const;

 private:
  struct Table {
    std::map<std::uint64_t, Record> by_seq;
    std::unordered_map<std::string, std::uint64_t> seq_by_id;
  };
  const Table* find_table(std::string_view object) const;

  mutable std::shared_mutex mutex_;
  std::map<std::string, Table, std::less<>> tables_;
  std::uint64_t next_seq_ = 1;
};

} // namespace appconnect::crm_sandbox
