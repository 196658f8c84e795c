#include "matching/phone.hpp"

#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumberutil.h>

#include <algorithm>
#include <cctype>

namespace appconnect::matching {
namespace {
using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;
} // namespace

PhoneNormalizer::PhoneNormalizer(std::size_t cache_capacity) : capacity_(cache_capacity) {}

NormalizedPhone PhoneNormalizer::normalize(std::string_view raw, std::string_view default_region) const {
  std::string key;
  key.reserve(raw.size() + default_region.size() + 1);
  key.append(default_region).push_back('|');
  key.append(raw);
  {
    std::lock_guard lock(mutex_);
    if (const auto* hit = normalized_.find(key)) return *hit;
  }
  // Parsed outside the lock: two threads may both parse a new number; the second put is a no-op.
  NormalizedPhone parsed = parse_uncached(raw, default_region);
  std::lock_guard lock(mutex_);
  normalized_.put(key, parsed, capacity_);
  return parsed;
}

NormalizedPhone PhoneNormalizer::parse_uncached(std::string_view raw, std::string_view default_region) const {
  NormalizedPhone out;
  out.raw = std::string(raw);
  const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
  PhoneNumber number;
  const std::string text(raw);
  const auto rc = util.Parse(text, std::string(default_region), &number);
  if (rc != PhoneNumberUtil::NO_PARSING_ERROR) {
    out.error = "not a phone number";
    return out;
  }
  if (!util.IsValidNumber(number)) {
    out.error = "not a valid number for its region";
    return out;
  }
  out.valid = true;
  util.Format(number, PhoneNumberUtil::E164, &out.e164);
  if (number.has_extension()) out.extension = number.extension();
  util.GetRegionCodeForNumber(number, &out.region);
  std::string significant;
  util.GetNationalSignificantNumber(number, &significant);
  out.national_digits = significant;
  return out;
}

std::vector<std::string> PhoneNormalizer::search_variants(const NormalizedPhone& phone) const {
  if (!phone.valid) return {};
  // Both parts of the key: a caller-built NormalizedPhone could pair an E.164 with other digits.
  std::string key;
  key.reserve(phone.e164.size() + phone.national_digits.size() + 1);
  key.append(phone.e164).push_back('|');
  key.append(phone.national_digits);
  {
    std::lock_guard lock(mutex_);
    if (const auto* hit = variants_.find(key)) return *hit;
  }
  auto variants = variants_uncached(phone);
  std::lock_guard lock(mutex_);
  variants_.put(key, variants, capacity_);
  return variants;
}

std::vector<std::string> PhoneNormalizer::variants_uncached(const NormalizedPhone& phone) const {
  std::vector<std::string> out;
  auto add = [&out](std::string v) {
    if (!v.empty() && std::find(out.begin(), out.end(), v) == out.end()) out.push_back(std::move(v));
  };
  const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
  PhoneNumber number;
  if (util.Parse(phone.e164, "ZZ", &number) != PhoneNumberUtil::NO_PARSING_ERROR) return out;
  add(phone.e164);
  add(phone.national_digits);
  add(phone.e164.substr(1)); // country code + national digits, no plus
  std::string national, international;
  util.Format(number, PhoneNumberUtil::NATIONAL, &national);
  util.Format(number, PhoneNumberUtil::INTERNATIONAL, &international);
  add(national);
  add(international);
  // North American numbers are often stored as 415-555-0132.
  if (number.country_code() == 1 && phone.national_digits.size() == 10) {
    const auto& d = phone.national_digits;
    add(d.substr(0, 3) + "-" + d.substr(3, 3) + "-" + d.substr(6));
  }
  return out;
}

} // namespace appconnect::matching
