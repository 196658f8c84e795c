// Phone numbers: E.164 normalization with libphonenumber and the spellings CRMs store them in.
//
// Invalid numbers are flagged, never guessed: an event from "12345" must not be matched to whoever's
// number happens to end in 12345.
#pragma once

#include <cstddef>
#include <list>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace appconnect::matching {

struct NormalizedPhone {
  bool valid = false;
  std::string raw;
  std::string e164;            // "+14155550132"
  std::string extension;       // "12" from "... ext. 12"
  std::string region;          // "US"
  std::string national_digits; // "4155550132"
  std::string error;           // why it is not valid
};

class PhoneNormalizer {
 public:
  explicit PhoneNormalizer(std::size_t cache_capacity = 100000);

  // Parses `raw` with `default_region` for numbers written without a country code. Thread-safe; results
  // are cached because libphonenumber parsing costs tens of microseconds.
  NormalizedPhone normalize(std::string_view raw, std::string_view default_region) const;

  // The spellings a free-text CRM phone field may hold for this number, E.164 first:
  // "+14155550132", "4155550132", "14155550132", "(415) 555-0132", "415-555-0132", "+1 415-555-0132".
  // Thread-safe; cached like normalize(): libphonenumber's formatting costs about 20 microseconds, and
  // every call log searches the CRM with them.
  std::vector<std::string> search_variants(const NormalizedPhone& phone) const;

 private:
  NormalizedPhone parse_uncached(std::string_view raw, std::string_view default_region) const;
  std::vector<std::string> variants_uncached(const NormalizedPhone& phone) const;

  // A bounded least-recently-used map; the caller holds mutex_.
  template <class Value>
  class Lru {
   public:
    const Value* find(const std::string& key) {
      auto it = index_.find(key);
      if (it == index_.end()) return nullptr;
      items_.splice(items_.begin(), items_, it->second);
      return &it->second->second;
    }
    void put(const std::string& key, const Value& value, std::size_t capacity) {
      if (capacity == 0 || index_.find(key) != index_.end()) return;
      items_.emplace_front(key, value);
      index_[key] = items_.begin();
      if (items_.size() > capacity) {
        index_.erase(items_.back().first);
        items_.pop_back();
      }
    }

   private:
    std::list<std::pair<std::string, Value>> items_;
    std::unordered_map<std::string, typename std::list<std::pair<std::string, Value>>::iterator> index_;
  };

  std::size_t capacity_;
  mutable std::mutex mutex_;
  mutable Lru<NormalizedPhone> normalized_;        // keyed by region + raw text
  mutable Lru<std::vector<std::string>> variants_; // keyed by E.164 + national digits
};

} // namespace appconnect::matching
