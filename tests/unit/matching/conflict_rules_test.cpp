#include "matching/conflict_rules.hpp"

#include <gtest/gtest.h>

namespace appconnect::matching {
namespace {

sdk::Contact c(std::string id, std::string type, std::string name, std::string created, std::string modified,
               std::string owner = {}) {
  sdk::Contact x;
  x.id = std::move(id);
  x.type = std::move(type);
  x.name = std::move(name);
  x.created_at = std::move(created);
  x.modified_at = std::move(modified);
  x.owner_id = std::move(owner);
  return x;
}

const std::vector<sdk::Contact> kTwoContactsOneLead = {
    c("003A", "Contact", "Zoe Adams", "2023-01-01T00:00:00Z", "2024-03-01T00:00:00Z", "005-1"),
    c("00QB", "Lead", "Adam Brown", "2022-01-01T00:00:00Z", "2024-06-01T00:00:00Z", "005-2"),
    c("003C", "Contact", "Ben Clark", "2024-01-01T00:00:00Z", "2024-05-01T00:00:00Z", "005-2"),
};

std::string chosen_id(const Resolution& r, const std::vector<sdk::Contact>& cs) {
  return r.chosen ? cs[*r.chosen].id : std::string("<none>");
}

TEST(ConflictRules, EachRuleAloneDecidesByItsMeasure) {
  const auto& cs = kTwoContactsOneLead;
  EXPECT_EQ(chosen_id(resolve(cs, {{Rule::kLastModified}, {}}, ""), cs), "00QB");
  EXPECT_EQ(chosen_id(resolve(cs, {{Rule::kEarliestCreated}, {}}, ""), cs), "00QB");
  EXPECT_EQ(chosen_id(resolve(cs, {{Rule::kAlphabetical}, {}}, ""), cs), "00QB"); // "adam brown"
  EXPECT_EQ(chosen_id(resolve(cs, {{Rule::kOwnerIsAgent}, {}}, "005-1"), cs), "003A");
}

TEST(ConflictRules, TypePriorityThenLastModifiedBreaksAContactAndLeadTie) {
  const auto& cs = kTwoContactsOneLead;
  auto r = resolve(cs, {{Rule::kTypePriority, Rule::kLastModified}, {"Contact", "Lead"}}, "");
  EXPECT_EQ(chosen_id(r, cs), "003C");
  ASSERT_TRUE(r.decided_by.has_value());
  EXPECT_EQ(*r.decided_by, Rule::kLastModified);
  ASSERT_EQ(r.steps.size(), 2u);
  EXPECT_EQ(r.steps[0].before, 3u);
  EXPECT_EQ(r.steps[0].after, 2u);
}

TEST(ConflictRules, LeadFirstWhenConfigured) {
  const auto& cs = kTwoContactsOneLead;
  auto r = resolve(cs, {{Rule::kTypePriority}, {"Lead", "Contact"}}, "");
  EXPECT_EQ(chosen_id(r, cs), "00QB");
  EXPECT_EQ(*r.decided_by, Rule::kTypePriority);
}

TEST(ConflictRules, TiesThatNoRuleBreaksStayUnresolved) {
  std::vector<sdk::Contact> cs = {c("1", "Contact", "Same", "2024-01-01T00:00:00Z", "2024-01-01T00:00:00Z"),
                                  c("2", "Contact", "same", "2024-01-01T00:00:00Z", "2024-01-01T00:00:00Z")};
  auto r = resolve(
      cs, {{Rule::kTypePriority, Rule::kLastModified, Rule::kEarliestCreated, Rule::kAlphabetical}, {"Contact"}}, "");
  EXPECT_FALSE(r.chosen.has_value());
  EXPECT_EQ(r.remaining.size(), 2u);
  EXPECT_EQ(boost::json::serialize(r.to_json(cs).at("tied")), R"(["1","2"])");
}

TEST(ConflictRules, NoRulesMeansNoGuess) {
  auto r = resolve(kTwoContactsOneLead, {}, "");
  EXPECT_FALSE(r.chosen.has_value());
  EXPECT_EQ(r.remaining.size(), 3u);
}

TEST(ConflictRules, MissingDataLosesButNeverDecidesAlone) {
  std::vector<sdk::Contact> cs = {c("1", "Contact", "A", "", ""), c("2", "Contact", "B", "", "2024-01-01T00:00:00Z")};
  EXPECT_EQ(chosen_id(resolve(cs, {{Rule::kLastModified}, {}}, ""), cs), "2");
  std::vector<sdk::Contact> none = {c("1", "Contact", "A", "", ""), c("2", "Contact", "B", "", "")};
  EXPECT_FALSE(resolve(none, {{Rule::kLastModified}, {}}, "").chosen.has_value());
}

TEST(ConflictRules, OwnerRuleWithoutAKnownAgentKeepsEveryone) {
  auto r = resolve(kTwoContactsOneLead, {{Rule::kOwnerIsAgent}, {}}, "");
  EXPECT_FALSE(r.chosen.has_value());
  auto nobody = resolve(kTwoContactsOneLead, {{Rule::kOwnerIsAgent}, {}}, "005-unknown");
  EXPECT_FALSE(nobody.chosen.has_value());
  EXPECT_EQ(nobody.remaining.size(), 3u);
}

TEST(ConflictRules, NamesRoundTrip) {
  for (Rule r :
       {Rule::kTypePriority, Rule::kLastModified, Rule::kEarliestCreated, Rule::kAlphabetical, Rule::kOwnerIsAgent})
    EXPECT_EQ(rule_from_name(rule_name(r)), r);
  EXPECT_FALSE(rule_from_name("coin_flip").has_value());
}

} // namespace
} // namespace appconnect::matching
