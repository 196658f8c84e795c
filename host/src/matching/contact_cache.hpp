// A per-connection cache of phone lookups. A burst of calls from one number (a contact centre's
// callback campaign, a caller who redials) costs one CRM search per TTL: concurrent lookups of the same
// key wait for the one in flight instead of each searching (single flight). Creating a contact for a
// number invalidates its entry, so the next lookup sees the new record.
#pragma once

#include "common/result.hpp"

#include <appconnect/types.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace appconnect::matching {

class ContactCache {
 public:
  using Fetch = std::function<Result<std::vector<sdk::Contact>>()>;
  using Clock = std::function<std::int64_t()>;

  explicit ContactCache(std::size_t capacity = 100000, Clock clock = {});

  // Cached contacts for (connection, number) when younger than ttl_ms; otherwise runs `fetch` (once
  // for all concurrent callers of the key) and caches a successful answer. Errors are not cached.
  Result<std::vector<sdk::Contact>> lookup(const std::string& connection_id, const std::string& phone_e164,
                                           std::int64_t ttl_ms, const Fetch& fetch, bool* hit = nullptr);

  void invalidate(const std::string& connection_id, const std::string& phone_e164);
  void invalidate_connection(const std::string& connection_id);

 private:
  struct Entry {
    std::mutex fetch_mutex; // held while the key's CRM search is in flight
    bool valid = false;
    std::int64_t fetched_at_ms = 0;
    std::vector<sdk::Contact> contacts;
  };
  std::shared_ptr<Entry> entry(const std::string& key);
  std::int64_t now() const;

  std::size_t capacity_;
  Clock clock_;
  std::mutex mutex_;
  std::unordered_map<std::string, std::shared_ptr<Entry>> entries_;
};

} // namespace appconnect::matching
