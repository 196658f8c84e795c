// A bounded log of the CRM requests the sandbox answered (control API calls are not logged), so tests
// can assert what a connector sent and how often. Sequence numbers never restart, not even after a
// clear, so a client's `since` cursor stays meaningful.
#pragma once

#include <boost/json/object.hpp>

#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <vector>

namespace appconnect::crm_sandbox {

struct LogEntry {
  std::uint64_t seq = 0;
  std::string method;
  std::string path;
  std::string query;
  int status = 0;
  std::int64_t time_ms = 0; // when the request arrived
  double duration_ms = 0;   // including injected latency
  std::string body;         // request body, truncated
  std::string fault;        // why a fault was injected, empty for real answers

  boost::json::object to_json() const;
};

class RequestLog {
 public:
  static constexpr std::size_t kMaxBodyChars = 4096;

  explicit RequestLog(std::size_t capacity = 10000) : capacity_(capacity) {}

  void set_capacity(std::size_t capacity);
  // Appends (truncating the body) and returns the entry's sequence number.
  std::uint64_t append(LogEntry entry);
  // Entries with seq > `since`, oldest first.
  std::vector<LogEntry> since(std::uint64_t since) const;
  void clear();
  std::uint64_t last_seq() const;
  // How many entries fell out of the bounded log since the last clear.
  std::uint64_t dropped() const;

 private:
  mutable std::mutex mutex_;
  std::deque<LogEntry> entries_;
  std::size_t capacity_;
  std::uint64_t next_seq_ = 1;
  std::uint64_t dropped_ = 0;
};

} // namespace appconnect::crm_sandbox
