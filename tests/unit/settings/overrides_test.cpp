// Rep overrides and trial mode as the processor applies them (settings/overrides.hpp).
#include "settings/overrides.hpp"

#include <boost/json.hpp>

#include <gtest/gtest.h>

namespace appconnect::settings {
namespace {
namespace json = boost::json;

json::object tenant() {
  return json::parse(R"({"logging":{"kinds":["call"],"fields":{"notes":true}},
    "rep_overridable":["logging.fields.notes"],
    "rep_overrides":{"101":{"logging.fields.notes":false,"logging.kinds":["sms"]}}})")
      .as_object();
}

TEST(RepOverrides, ApplyOnlyListedPathsOfTheMatchingAgent) {
  auto s = tenant();
  apply_rep_overrides(s, {"", "101"});
  EXPECT_EQ(s.at("logging").at("fields").at("notes"), false);
  EXPECT_EQ(s.at("logging").at("kinds"), json::value(json::array{"call"})) << "logging.kinds is mandated";
  auto other = tenant();
  apply_rep_overrides(other, {"202", "sam@example.com"});
  EXPECT_EQ(other.at("logging").at("fields").at("notes"), true);
}

TEST(RepOverrides, APathTakenBackStopsApplying) {
  auto s = tenant();
  s["rep_overridable"] = json::array{};
  apply_rep_overrides(s, {"101"});
  EXPECT_EQ(s.at("logging").at("fields").at("notes"), true);
}

TEST(RepOverrides, SetPathCreatesIntermediateObjects) {
  json::object s{{"a", 1}};
  set_path(s, "a.b.c", 2);
  EXPECT_EQ(json::value(s), json::parse(R"({"a":{"b":{"c":2}}})"));
  EXPECT_TRUE(is_overridable(tenant(), "logging.fields.notes"));
  EXPECT_FALSE(is_overridable(tenant(), "logging.kinds"));
}

TEST(TrialMode, SkipsEveryoneButTheTrialAgent) {
  json::object off{{"trial_mode", json::object{{"enabled", false}, {"agent", "101"}}}};
  EXPECT_FALSE(trial_skips(off, {"202"}));
  EXPECT_FALSE(trial_skips(json::object{}, {"202"}));
  json::object on{{"trial_mode", json::object{{"enabled", true}, {"agent", "maria@example.com"}}}};
  EXPECT_FALSE(trial_skips(on, {"101", "maria@example.com"}));
  EXPECT_TRUE(trial_skips(on, {"202", "sam@example.com"}));
  EXPECT_TRUE(trial_skips(on, {"", ""}));
}

} // namespace
} // namespace appconnect::settings
