#include "framework/request_log.hpp"

#include <appconnect/time.hpp>

namespace appconnect::crm_sandbox {

boost::json::object LogEntry::to_json() const {
  boost::json::object o;
  o["seq"] = seq;
  o["method"] = method;
  o["path"] = path;
  o["query"] = query;
  o["status"] = status;
  o["time"] = sdk::time::format_iso8601_utc(time_ms, true);
  o["duration_ms"] = duration_ms;
  o["body"] = body;
  if (!fault.empty()) o["fault"] = fault;
  return o;
}

void RequestLog::set_capacity(std::size_t capacity) {
  std::lock_guard lock(mutex_);
  capacity_ = capacity == 0 ? 1 : capacity;
  while (entries_.size() > capacity_) {
    entries_.pop_front();
    ++dropped_;
  }
}

std::uint64_t RequestLog::append(LogEntry entry) {
  if (entry.body.size() > kMaxBodyChars) entry.body.resize(kMaxBodyChars);
  std::lock_guard lock(mutex_);
  entry.seq = next_seq_++;
  entries_.push_back(std::move(entry));
  while (entries_.size() > capacity_) {
    entries_.pop_front();
    ++dropped_;
  }
  return entries_.back().seq;
}

std::vector<LogEntry> RequestLog::since(std::uint64_t since) const {
  std::lock_guard lock(mutex_);
  std::vector<LogEntry> out;
  for (const auto& e : entries_)
    if (e.seq > since) out.push_back(e);
  return out;
}

void RequestLog::clear() {
  std::lock_guard lock(mutex_);
  entries_.clear();
  dropped_ = 0;
}

std::uint64_t RequestLog::last_seq() const {
  std::lock_guard lock(mutex_);
  return next_seq_ - 1;
}

std::uint64_t RequestLog::dropped() const {
  std::lock_guard lock(mutex_);
  return dropped_;
}

} // namespace appconnect::crm_sandbox
