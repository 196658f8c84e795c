// Matching: phone normalization (libphonenumber, with and without the host's LRU cache) and the
// conflict rules a worker runs when a number matches several CRM records.
#include "matching/conflict_rules.hpp"
#include "matching/phone.hpp"

#include <benchmark/benchmark.h>

#include <string>
#include <vector>

namespace {

using appconnect::matching::PhoneNormalizer;

// Spellings a phone system sends; all valid US numbers.
const std::vector<std::string> kNumbers = {"+1 (617) 555-0171", "(415) 555-0132", "650.555.0112 ext. 12",
                                           "+14155550199",      "1-212-555-0147", "617 555 0100"};

// Every call misses the cache (capacity 0): the cost of libphonenumber's parse and formatting.
void BM_PhoneNormalizeUncached(benchmark::State& state) {
  PhoneNormalizer phones(0);
  std::size_t i = 0;
  for (auto _ : state) {
    auto n = phones.normalize(kNumbers[i++ % kNumbers.size()], "US");
    if (!n.valid) state.SkipWithError("a benchmark number is not valid");
    benchmark::DoNotOptimize(n);
  }
}
BENCHMARK(BM_PhoneNormalizeUncached);

// What a worker pays for a number seen before (the LRU cache under its mutex).
void BM_PhoneNormalizeCached(benchmark::State& state) {
  PhoneNormalizer phones;
  for (const auto& n : kNumbers) phones.normalize(n, "US");
  std::size_t i = 0;
  for (auto _ : state) {
    auto n = phones.normalize(kNumbers[i++ % kNumbers.size()], "US");
    benchmark::DoNotOptimize(n);
  }
}
BENCHMARK(BM_PhoneNormalizeCached);

// What a worker pays for the search spellings of a number seen before (the variants cache).
void BM_PhoneSearchVariants(benchmark::State& state) {
  PhoneNormalizer phones;
  const auto n = phones.normalize(kNumbers[0], "US");
  phones.search_variants(n);
  for (auto _ : state) {
    auto v = phones.search_variants(n);
    benchmark::DoNotOptimize(v);
  }
}
BENCHMARK(BM_PhoneSearchVariants);

// Every call misses the cache (capacity 0): libphonenumber's formatting of the spellings.
void BM_PhoneSearchVariantsUncached(benchmark::State& state) {
  PhoneNormalizer phones(0);
  const auto n = phones.normalize(kNumbers[0], "US");
  for (auto _ : state) {
    auto v = phones.search_variants(n);
    benchmark::DoNotOptimize(v);
  }
}
BENCHMARK(BM_PhoneSearchVariantsUncached);

std::vector<appconnect::sdk::Contact> candidates(std::size_t count) {
  std::vector<appconnect::sdk::Contact> out;
  for (std::size_t i = 0; i < count; ++i) {
    appconnect::sdk::Contact c;
    c.id = "003000000000" + std::to_string(100 + i);
    c.type = i % 3 == 0 ? "Lead" : "Contact";
    c.name = "Person " + std::to_string(count - i);
    c.owner_id = "005000000000" + std::to_string(i % 4);
    c.created_at = "2025-0" + std::to_string(1 + i % 9) + "-10T08:00:00Z";
    // Two records share the latest modification time, so last_modified cannot decide alone.
    c.modified_at = i < 2 ? "2026-01-05T10:00:00Z" : "2025-12-0" + std::to_string(1 + i % 9) + "T10:00:00Z";
    out.push_back(c);
  }
  return out;
}

// The default-like rule chain over `range(0)` candidates; it ends with a decision.
void BM_ConflictRules(benchmark::State& state) {
  const auto cs = candidates(static_cast<std::size_t>(state.range(0)));
  appconnect::matching::RuleSet rules;
  rules.rules = {appconnect::matching::Rule::kTypePriority, appconnect::matching::Rule::kOwnerIsAgent,
                 appconnect::matching::Rule::kLastModified, appconnect::matching::Rule::kAlphabetical};
  rules.type_priority = {"Contact", "Lead"};
  for (auto _ : state) {
    auto r = appconnect::matching::resolve(cs, rules,
                                           "005000000000"
                                           "9");
    if (!r.chosen) state.SkipWithError("the rules did not decide");
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_ConflictRules)->Arg(2)->Arg(5)->Arg(20);

} // namespace
