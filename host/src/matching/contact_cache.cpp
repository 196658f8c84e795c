#include "matching/contact_cache.hpp"

#include <chrono>

namespace appconnect::matching {

ContactCache::ContactCache(std::size_t capacity, Clock clock) : capacity_(capacity), clock_(std::move(clock)) {}

std::int64_t ContactCache::now() const {
  if (clock_) return clock_();
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::shared_ptr<ContactCache::Entry> ContactCache::entry(const std::string& key) {
  std::lock_guard lock(mutex_);
  auto& slot = entries_[key];
  if (!slot) {
    if (entries_.size() > capacity_) {
      // Bounded memory whatever the traffic: drop everything not in use. Rare, and cheap to refill.
      for (auto it = entries_.begin(); it != entries_.end();)
        it = (it->second.use_count() == 1 && it->first != key) ? entries_.erase(it) : std::next(it);
    }
    slot = std::make_shared<Entry>();
  }
  return slot;
}

Result<std::vector<sdk::Contact>> ContactCache::lookup(const std::string& connection_id, const std::string& phone_e164,
                                                       std::int64_t ttl_ms, const Fetch& fetch, bool* hit) {
  auto e = entry(connection_id + '\n' + phone_e164);
  std::lock_guard single_flight(e->fetch_mutex);
  if (e->valid && now() - e->fetched_at_ms < ttl_ms) {
    if (hit != nullptr) *hit = true;
    return e->contacts;
  }
  if (hit != nullptr) *hit = false;
  auto fresh = fetch();
  if (!fresh) return fresh.error();
  e->contacts = fresh.value();
  e->fetched_at_ms = now();
  e->valid = ttl_ms > 0;
  return fresh;
}

void ContactCache::invalidate(const std::string& connection_id, const std::string& phone_e164) {
  std::lock_guard lock(mutex_);
  entries_.erase(connection_id + '\n' + phone_e164);
}

void ContactCache::invalidate_connection(const std::string& connection_id) {
  std::lock_guard lock(mutex_);
  const std::string prefix = connection_id + '\n';
  for (auto it = entries_.begin(); it != entries_.end();)
    it = it->first.rfind(prefix, 0) == 0 ? entries_.erase(it) : std::next(it);
}

} // namespace appconnect::matching
