#include "matching/contact_cache.hpp"
#include "matching/policy.hpp"

#include <boost/json.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

namespace appconnect::matching {
namespace {
using ::testing::HasSubstr;

boost::json::object obj(const char* text) {
  return boost::json::parse(text).as_object();
}

TEST(MatchingPolicy, ConnectionOverridesTenant) {
  PhoneNormalizer phones;
  auto p =
      policy_from(obj(R"({"default_region":"US","matching":{"rules":["last_modified"],
                               "placeholder":{"enabled":true,"type":"Lead"},"shared_numbers":["(415) 555-0100"]}})"),
                  obj(R"({"matching":{"rules":["type_priority","alphabetical"],"type_priority":["Lead"]}})"), phones);
  ASSERT_TRUE(p) << p.error().message;
  ASSERT_EQ(p.value().rules.rules.size(), 2u);
  EXPECT_EQ(p.value().rules.rules[1], Rule::kAlphabetical);
  EXPECT_EQ(p.value().rules.type_priority, std::vector<std::string>{"Lead"});
  EXPECT_TRUE(p.value().placeholder.enabled);
  EXPECT_EQ(p.value().shared_numbers.count("+14155550100"), 1u);
}

TEST(MatchingPolicy, DefaultsPreferContactsThenRecentRecords) {
  PhoneNormalizer phones;
  auto p = policy_from({}, {}, phones);
  ASSERT_TRUE(p);
  EXPECT_EQ(p.value().rules.rules, (std::vector<Rule>{Rule::kTypePriority, Rule::kLastModified}));
  EXPECT_FALSE(p.value().placeholder.enabled);
}

TEST(MatchingPolicy, MistakesAreNamed) {
  PhoneNormalizer phones;
  EXPECT_THAT(policy_from(obj(R"({"matching":{"rules":["coin_flip"]}})"), {}, phones).error().message,
              HasSubstr("coin_flip"));
  EXPECT_THAT(policy_from(obj(R"({"matching":{"blocked_numbers":["12"]}})"), {}, phones).error().message,
              HasSubstr("not a valid phone number"));
  EXPECT_THAT(policy_from(obj(R"({"matching":{"placholder":{}}})"), {}, phones).error().message,
              HasSubstr("placholder"));
}

TEST(MatchingPolicy, SkipRules) {
  PhoneNormalizer phones;
  auto p = policy_from(obj(R"({"matching":{"blocked_numbers":["+19005550100"],"blocked_extensions":["999"],
                               "kinds":{"fax":false},"directions":{"outbound":false}}})"),
                       {}, phones)
               .value();
  ingest::CommunicationEvent e;
  e.kind = "call";
  e.direction = "inbound";
  e.from.phone = "+19005550100";
  auto blocked = phones.normalize(e.from.phone, "US");
  EXPECT_THAT(skip_reason(p, e, blocked).value_or(""), HasSubstr("blocked number"));
  auto fine = phones.normalize("+14155550132", "US");
  EXPECT_FALSE(skip_reason(p, e, fine).has_value());
  e.agent.extension_id = "999";
  EXPECT_THAT(skip_reason(p, e, fine).value_or(""), HasSubstr("extension 999"));
  e.agent.extension_id = "101";
  e.direction = "outbound";
  EXPECT_THAT(skip_reason(p, e, fine).value_or(""), HasSubstr("outbound"));
  e.direction = "internal";
  EXPECT_THAT(skip_reason(p, e, fine).value_or(""), HasSubstr("internal"));
  e.direction = "inbound";
  e.kind = "fax";
  EXPECT_THAT(skip_reason(p, e, fine).value_or(""), HasSubstr("fax"));
}

TEST(MatchingPolicy, PlaceholderNames) {
  ingest::CommunicationEvent e;
  e.direction = "inbound";
  e.start_time = "2026-11-25T09:30:00Z";
  e.from.name = "ACME Switchboard";
  EXPECT_EQ(placeholder_name("New Lead - {phone}", e, "+14155550132"), "New Lead - +14155550132");
  EXPECT_EQ(placeholder_name("{caller_id_name} ({date})", e, "+14155550132"), "ACME Switchboard (2026-11-25)");
}

TEST(ContactCache, ABurstCostsOneFetchAndCreatingInvalidates) {
  std::int64_t clock = 0;
  ContactCache cache(100, [&clock] { return clock; });
  std::atomic<int> fetches{0};
  auto fetch = [&]() -> Result<std::vector<sdk::Contact>> {
    ++fetches;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    return std::vector<sdk::Contact>{};
  };
  std::vector<std::thread> burst;
  for (int i = 0; i < 16; ++i) burst.emplace_back([&] { ASSERT_TRUE(cache.lookup("c1", "+1", 1000, fetch)); });
  for (auto& t : burst) t.join();
  EXPECT_EQ(fetches.load(), 1);
  bool hit = false;
  ASSERT_TRUE(cache.lookup("c2", "+1", 1000, fetch, &hit)); // another connection searches on its own
  EXPECT_FALSE(hit);
  EXPECT_EQ(fetches.load(), 2);
  clock = 999;
  ASSERT_TRUE(cache.lookup("c1", "+1", 1000, fetch, &hit));
  EXPECT_TRUE(hit);
  clock = 1000;
  ASSERT_TRUE(cache.lookup("c1", "+1", 1000, fetch, &hit)); // expired
  EXPECT_FALSE(hit);
  cache.invalidate("c1", "+1");
  ASSERT_TRUE(cache.lookup("c1", "+1", 1000, fetch, &hit));
  EXPECT_FALSE(hit);
  EXPECT_EQ(fetches.load(), 4);
}

TEST(ContactCache, ErrorsAreNotCached) {
  ContactCache cache;
  int calls = 0;
  auto failing = [&]() -> Result<std::vector<sdk::Contact>> {
    ++calls;
    return Error::make("unavailable", "down", true);
  };
  EXPECT_FALSE(cache.lookup("c", "+1", 60000, failing));
  EXPECT_FALSE(cache.lookup("c", "+1", 60000, failing));
  EXPECT_EQ(calls, 2);
}

} // namespace
} // namespace appconnect::matching
