// API limits, injected faults and the request log, as a connector sees them from the Salesforce
// emulator: Sforce-Limit-Info on every REST response, 403 REQUEST_LIMIT_EXCEEDED past the daily
// limit, scripted and random faults in Salesforce's own shapes with Retry-After.
#include "salesforce_fixture.hpp"

#include <regex>

namespace appconnect::testing {
namespace {

class SalesforceLimitsAndFaults : public SalesforceSandboxTest {};

TEST_F(SalesforceLimitsAndFaults, EveryRestResponseCarriesSforceLimitInfo) {
  auto first = api("GET", "/limits");
  ASSERT_EQ(first.status, 200);
  std::smatch m;
  const std::string header = first.header("Sforce-Limit-Info");
  ASSERT_TRUE(std::regex_match(header, m, std::regex(R"(api-usage=(\d+)/(\d+))"))) << header;
  const int used = std::stoi(m[1].str());
  EXPECT_EQ(api("GET", "/sobjects/Contact/describe").header("Sforce-Limit-Info"),
            "api-usage=" + std::to_string(used + 1) + "/" + m[2].str());
  // Errors carry it too.
  auto bad = soql("SELECT nonsense");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.header("Sforce-Limit-Info"), "api-usage=" + std::to_string(used + 2) + "/" + m[2].str());
  auto limits = api("GET", "/limits").json();
  EXPECT_EQ(limits.at("DailyApiRequests").at("Max"), std::stoll(m[2].str()));
  EXPECT_EQ(limits.at("DailyApiRequests").at("Remaining"), std::stoll(m[2].str()) - (used + 3));
}

TEST_F(SalesforceLimitsAndFaults, DailyLimitExceededIs403RequestLimitExceeded) {
  sandbox().configure({{"daily_api_limit", 2}});
  EXPECT_EQ(api("GET", "/limits").header("Sforce-Limit-Info"), "api-usage=1/2");
  EXPECT_EQ(api("GET", "/limits").header("Sforce-Limit-Info"), "api-usage=2/2");
  auto over = api("GET", "/limits");
  EXPECT_EQ(over.status, 403);
  EXPECT_EQ(over.json(), boost::json::parse(
                             R"([{"message":"TotalRequests Limit exceeded.","errorCode":"REQUEST_LIMIT_EXCEEDED"}])"));
  EXPECT_EQ(over.header("Sforce-Limit-Info"), "api-usage=2/2");
  // Raising the limit lets calls through again.
  sandbox().configure({{"daily_api_limit", 100}});
  EXPECT_EQ(api("GET", "/limits").status, 200);
}

TEST_F(SalesforceLimitsAndFaults, FailNextInjectsScriptedFaultsWithRetryAfter) {
  sandbox().configure(boost::json::parse(R"({"fail_next":[{"status":503,"retry_after_s":2,"count":2}]})").as_object());
  for (int i = 0; i < 2; ++i) {
    auto r = soql("SELECT Id FROM Contact");
    EXPECT_EQ(r.status, 503);
    EXPECT_EQ(r.header("Retry-After"), "2");
    EXPECT_EQ(error_code(r), "SERVER_UNAVAILABLE");
  }
  EXPECT_EQ(soql("SELECT Id FROM Contact").status, 200);
}

TEST_F(SalesforceLimitsAndFaults, FailNextStatusDecidesAndBodyIsSalesforceShaped) {
  sandbox().configure(
      boost::json::parse(R"({"fail_next":[{"status":429},{"status":500},{"status":403}]})").as_object());
  auto a = api("GET", "/limits");
  EXPECT_EQ(a.status, 429);
  EXPECT_EQ(error_code(a), "REQUEST_LIMIT_EXCEEDED");
  EXPECT_TRUE(a.header("Retry-After").empty());
  auto b = api("GET", "/limits");
  EXPECT_EQ(b.status, 500);
  EXPECT_EQ(error_code(b), "UNKNOWN_EXCEPTION");
  auto c = api("GET", "/limits");
  EXPECT_EQ(c.status, 403);
  EXPECT_EQ(error_code(c), "REQUEST_LIMIT_EXCEEDED");
  EXPECT_EQ(api("GET", "/limits").status, 200);
}

TEST_F(SalesforceLimitsAndFaults, FailNextCanTargetAPathAndUsesOAuthShapeThere) {
  sandbox().configure(
      boost::json::parse(R"({"fail_next":[{"status":503,"path_prefix":"/services/oauth2/token","retry_after_s":1}]})")
          .as_object());
  EXPECT_EQ(api("GET", "/limits").status, 200); // not targeted
  auto t = sandbox().request("POST", "/services/oauth2/token",
                             form({{"grant_type", "refresh_token"},
                                   {"client_id", "appconnect-demo"},
                                   {"client_secret", "demo-secret"},
                                   {"refresh_token", "demo-refresh-token"}}),
                             {{"Content-Type", "application/x-www-form-urlencoded"}});
  EXPECT_EQ(t.status, 503);
  EXPECT_EQ(t.json().at("error"), "temporarily_unavailable");
  EXPECT_EQ(t.header("Retry-After"), "1");
}

TEST_F(SalesforceLimitsAndFaults, RandomFaultRatesUseSalesforceSignals) {
  sandbox().configure({{"fail_rate_429", 1.0}, {"fail_retry_after_s", 3}});
  auto limited = api("GET", "/limits");
  EXPECT_EQ(limited.status, 403) << "Salesforce signals limits with 403, not 429";
  EXPECT_EQ(error_code(limited), "REQUEST_LIMIT_EXCEEDED");
  EXPECT_EQ(limited.header("Retry-After"), "3");
  sandbox().configure({{"fail_rate_429", 0.0}, {"fail_rate_5xx", 1.0}});
  auto busy = api("GET", "/limits");
  EXPECT_EQ(busy.status, 503);
  EXPECT_EQ(error_code(busy), "SERVER_UNAVAILABLE");
  sandbox().configure({{"fail_rate_5xx", 0.0}});
  EXPECT_EQ(api("GET", "/limits").status, 200);
}

TEST_F(SalesforceLimitsAndFaults, LatencyKnobDelaysCrmRequestsOnly) {
  sandbox().configure({{"latency_ms", 150}});
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(api("GET", "/limits").status, 200);
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(150));
  start = std::chrono::steady_clock::now();
  sandbox().get_json("/__sandbox/health");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(150));
}

TEST_F(SalesforceLimitsAndFaults, RequestLogRecordsCrmCallsButNotControlCalls) {
  sandbox().clear_requests();
  const auto before = sandbox().get_json("/__sandbox/requests").at("last_seq").to_number<std::uint64_t>();
  ASSERT_EQ(soql("SELECT Id FROM Contact LIMIT 1").status, 200);
  ASSERT_EQ(api_json("POST", "/sobjects/Contact/", {{"FirstName", "x"}}).status, 400);
  sandbox().get_json("/__sandbox/records/Contact"); // control calls are not logged
  auto log = sandbox().requests(before);
  ASSERT_EQ(log.size(), 2u) << log;
  const auto& q = log[0].as_object();
  EXPECT_EQ(q.at("method"), "GET");
  EXPECT_EQ(q.at("path"), "/services/data/v62.0/query/");
  EXPECT_NE(std::string(q.at("query").as_string()).find("q=SELECT"), std::string::npos);
  EXPECT_EQ(q.at("status"), 200);
  EXPECT_TRUE(std::regex_match(std::string(q.at("time").as_string()),
                               std::regex(R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)")));
  const auto& c = log[1].as_object();
  EXPECT_EQ(c.at("method"), "POST");
  EXPECT_EQ(c.at("status"), 400);
  EXPECT_EQ(c.at("body"), "{\"FirstName\":\"x\"}");
  // since= skips what the caller has seen.
  EXPECT_EQ(sandbox().requests(q.at("seq").to_number<std::uint64_t>()).size(), 1u);
  sandbox().clear_requests();
  EXPECT_TRUE(sandbox().requests(0).empty());
}

TEST_F(SalesforceLimitsAndFaults, UnknownKnobsAndBadFaultsAreRejected) {
  auto r = sandbox().request("POST", "/__sandbox/config", R"({"latency":5})");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("unknown knob 'latency'"), std::string::npos) << r.body;
  auto f = sandbox().request("POST", "/__sandbox/config", R"({"fail_next":[{"count":1}]})");
  EXPECT_EQ(f.status, 400);
  // Nothing was applied.
  EXPECT_EQ(sandbox().get_json("/__sandbox/config").at("fail_next"), boost::json::array{});
}

} // namespace
} // namespace appconnect::testing
