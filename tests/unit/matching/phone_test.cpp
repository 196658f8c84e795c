#include "matching/phone.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace appconnect::matching {
namespace {
using ::testing::Contains;

TEST(PhoneNormalizer, EverySpellingOfOneNumberIsOneE164) {
  PhoneNormalizer n;
  for (const char* raw : {"+14155550132", "(415) 555-0132", "415.555.0132", "1-415-555-0132", "+1 415 555 0132"}) {
    auto p = n.normalize(raw, "US");
    ASSERT_TRUE(p.valid) << raw << ": " << p.error;
    EXPECT_EQ(p.e164, "+14155550132") << raw;
    EXPECT_EQ(p.national_digits, "4155550132");
  }
}

TEST(PhoneNormalizer, UsesTheTenantRegionForNationalNumbers) {
  PhoneNormalizer n;
  auto uk = n.normalize("020 7946 0958", "GB");
  ASSERT_TRUE(uk.valid) << uk.error;
  EXPECT_EQ(uk.e164, "+442079460958");
  EXPECT_EQ(uk.region, "GB");
}

TEST(PhoneNormalizer, KeepsExtensions) {
  PhoneNormalizer n;
  auto p = n.normalize("+1 415-555-0132 ext. 12", "US");
  ASSERT_TRUE(p.valid);
  EXPECT_EQ(p.e164, "+14155550132");
  EXPECT_EQ(p.extension, "12");
}

TEST(PhoneNormalizer, FlagsInvalidNumbersInsteadOfGuessing) {
  PhoneNormalizer n;
  EXPECT_FALSE(n.normalize("12345", "US").valid);
  EXPECT_FALSE(n.normalize("not a number", "US").valid);
  EXPECT_FALSE(n.normalize("+1 000 000 0000", "US").valid);
  EXPECT_FALSE(n.normalize("", "US").valid);
}

TEST(PhoneNormalizer, SearchVariantsCoverTheFormatsCrmsStore) {
  PhoneNormalizer n;
  auto v = n.search_variants(n.normalize("+14155550132", "US"));
  ASSERT_FALSE(v.empty());
  EXPECT_EQ(v.front(), "+14155550132");
  EXPECT_THAT(v, Contains("4155550132"));
  EXPECT_THAT(v, Contains("14155550132"));
  EXPECT_THAT(v, Contains("(415) 555-0132"));
  EXPECT_THAT(v, Contains("415-555-0132"));
  EXPECT_THAT(v, Contains("+1 415-555-0132"));
  EXPECT_TRUE(n.search_variants(n.normalize("12345", "US")).empty());
}

TEST(PhoneNormalizer, CachedResultsEqualFreshOnes) {
  PhoneNormalizer small(2);
  auto a = small.normalize("(415) 555-0132", "US");
  small.normalize("+442079460958", "US");
  small.normalize("+33142685300", "US"); // evicts the first
  auto b = small.normalize("(415) 555-0132", "US");
  EXPECT_EQ(a.e164, b.e164);
  EXPECT_EQ(a.valid, b.valid);
}

TEST(PhoneNormalizer, CachedVariantsEqualFreshOnesForEachNumber) {
  PhoneNormalizer uncached(0), small(2);
  const std::vector<std::string> numbers = {"(415) 555-0132", "+442079460958", "+33142685300", "(415) 555-0132",
                                            "+442079460958"};
  for (const auto& raw : numbers) {
    const auto fresh = uncached.search_variants(uncached.normalize(raw, "US"));
    ASSERT_FALSE(fresh.empty()) << raw;
    // Twice: the first fills the cache (or evicts), the second may be a hit; both must be the number's own.
    EXPECT_EQ(small.search_variants(small.normalize(raw, "US")), fresh) << raw;
    EXPECT_EQ(small.search_variants(small.normalize(raw, "US")), fresh) << raw;
  }
  // A cached entry is not handed to another number with the same national digits in another country.
  auto us = small.search_variants(small.normalize("+1 212 555 0147", "US"));
  auto other = uncached.search_variants(uncached.normalize("+44 20 7946 0958", "US"));
  EXPECT_NE(us, other);
  EXPECT_EQ(us.front(), "+12125550147");
}

} // namespace
} // namespace appconnect::matching
