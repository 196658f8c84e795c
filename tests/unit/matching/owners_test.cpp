#include "matching/owners.hpp"

#include <boost/json.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace appconnect::matching {
namespace {

ingest::Party agent(std::string ext, std::string email) {
  ingest::Party p;
  p.extension_id = std::move(ext);
  p.email = std::move(email);
  return p;
}

TEST(Owners, AgentEmailMapsThroughTheUserListFetchedOncePerTtl) {
  OwnerResolver resolver(60000);
  int fetches = 0;
  auto users = [&]() -> Result<std::vector<sdk::CrmUser>> {
    ++fetches;
    return std::vector<sdk::CrmUser>{{"005A", "Sam", "Sam.Rivera@Example.com", true},
                                     {"005B", "Old", "old@example.com", false}};
  };
  OwnerPolicy policy;
  auto d = resolver.resolve("c1", policy, agent("101", "sam.rivera@example.com"), users);
  EXPECT_EQ(d.owner_id, "005A");
  EXPECT_EQ(d.source, "agent_email");
  EXPECT_EQ(resolver.resolve("c1", policy, agent("102", "old@example.com"), users).source, "none"); // inactive
  EXPECT_EQ(fetches, 1);
}

TEST(Owners, OverridesFallbackAndAdminMode) {
  OwnerResolver resolver;
  auto users = []() -> Result<std::vector<sdk::CrmUser>> { return std::vector<sdk::CrmUser>{}; };
  auto policy = owner_policy_from(
      boost::json::parse(
          R"({"matching":{"owners":{"fallback_owner_id":"005F","overrides":{"101":"005X","Ann@Example.com":"005Y"}}}})")
          .as_object(),
      {});
  ASSERT_TRUE(policy) << policy.error().message;
  EXPECT_EQ(resolver.resolve("c", policy.value(), agent("101", ""), users).owner_id, "005X");
  EXPECT_EQ(resolver.resolve("c", policy.value(), agent("", "ann@example.com"), users).owner_id, "005Y");
  auto fallback = resolver.resolve("c", policy.value(), agent("777", "nobody@example.com"), users);
  EXPECT_EQ(fallback.owner_id, "005F");
  EXPECT_EQ(fallback.source, "fallback");
  auto admin = owner_policy_from(
      {}, boost::json::parse(R"({"matching":{"owners":{"mode":"admin","admin_owner_id":"005Z"}}})").as_object());
  ASSERT_TRUE(admin);
  EXPECT_EQ(resolver.resolve("c", admin.value(), agent("101", ""), users).owner_id, "005Z");
}

TEST(Owners, AFailingUserListDegradesToTheFallback) {
  OwnerResolver resolver;
  OwnerPolicy policy;
  policy.fallback_owner_id = "005F";
  auto failing = []() -> Result<std::vector<sdk::CrmUser>> { return Error::make("unavailable", "down", true); };
  EXPECT_EQ(resolver.resolve("c", policy, agent("1", "a@b.c"), failing).owner_id, "005F");
}

TEST(Owners, BadSettingsAreNamed) {
  auto bad = owner_policy_from(boost::json::parse(R"({"matching":{"owners":{"mode":"admin"}}})").as_object(), {});
  ASSERT_FALSE(bad);
  EXPECT_THAT(bad.error().message, ::testing::HasSubstr("admin_owner_id"));
}

} // namespace
} // namespace appconnect::matching
