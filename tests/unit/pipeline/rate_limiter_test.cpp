// The per-connection rate limiter: what it learns from each CRM's headers and refusals, and how it paces
// and holds requests. A fake clock and a fake sleep make every wait visible and exact.
#include "pipeline/rate_limiter.hpp"
#include "pipeline/connection_guard.hpp"

#include <gtest/gtest.h>

namespace appconnect::pipeline {
namespace {

sdk::HttpResponse answer(int status, std::map<std::string, std::string> headers = {}, std::string body = {}) {
  sdk::HttpResponse r;
  r.status = status;
  r.headers = std::move(headers);
  r.body = std::move(body);
  return r;
}

class RateLimiterTest : public ::testing::Test {
 protected:
  RateLimiter make(RateLimiterSettings s = {}) {
    return RateLimiter(
        s, [this] { return now_; },
        [this](std::int64_t ms) {
          slept_ += ms;
          now_ += ms;
        });
  }
  std::int64_t now_ = 1'000'000;
  std::int64_t slept_ = 0;
};

TEST_F(RateLimiterTest, NothingLearnedMeansNoWaiting) {
  auto limiter = make();
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE(limiter.acquire("c", false).ok());
  EXPECT_EQ(slept_, 0);
  EXPECT_FALSE(limiter.limits("c")->window_max);
}

TEST_F(RateLimiterTest, HubSpotWindowHeadersPaceRequestsBelowTheLimit) {
  auto limiter = make();
  ASSERT_TRUE(limiter.acquire("hs", false).ok());
  // 10 requests per second allowed, 9 left: the bucket keeps one in reserve.
  limiter.observe("hs", false,
                  answer(200, {{"x-hubspot-ratelimit-max", "10"},
                               {"x-hubspot-ratelimit-remaining", "9"},
                               {"x-hubspot-ratelimit-interval-milliseconds", "1000"}}));
  const std::int64_t start = now_;
  for (int i = 0; i < 8 + 27; ++i) ASSERT_TRUE(limiter.acquire("hs", false).ok()) << i;
  // 8 at once, then 9 per window: 27 more take 3 windows of 1000 ms plus a 50 ms margin for latency —
  // never more than 9 in any second.
  EXPECT_EQ(now_ - start, 3 * 1050);
  EXPECT_EQ(limiter.limits("hs")->window_max, 10);
  EXPECT_EQ(limiter.limits("hs")->window_ms, 1000);
}

TEST_F(RateLimiterTest, RequestsTheCrmCountedButWeDidNotSendTakeRoomToo) {
  auto limiter = make({.max_wait_ms = 20000});
  ASSERT_TRUE(limiter.acquire("hs", false).ok());
  // 100 per 10 s, and only 90 left although we sent one: another process sent 9.
  limiter.observe("hs", false,
                  answer(200, {{"x-hubspot-ratelimit-max", "100"},
                               {"x-hubspot-ratelimit-remaining", "90"},
                               {"x-hubspot-ratelimit-interval-milliseconds", "10000"}}));
  for (int i = 0; i < 89; ++i) ASSERT_TRUE(limiter.acquire("hs", false).ok()) << i;
  EXPECT_EQ(slept_, 0) << "99 in the window: the limit less the reserve";
  ASSERT_TRUE(limiter.acquire("hs", false).ok());
  EXPECT_EQ(slept_, 10500) << "the 100th waits for the oldest to leave the window (plus a 5% margin)";
}

TEST_F(RateLimiterTest, ALongWaitIsRefusedAsThrottledWithoutReachingTheCrm) {
  auto limiter = make({.max_wait_ms = 500});
  limiter.observe("hs", false, answer(429, {{"retry-after", "7"}}, R"({"policyName":"TEN_SECONDLY_ROLLING"})"));
  auto r = limiter.acquire("hs", false);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, kThrottled);
  EXPECT_TRUE(held_back(r.error()));
  EXPECT_EQ(r.error().retry_after_ms, 7000);
  now_ += 7000;
  EXPECT_TRUE(limiter.acquire("hs", false).ok());
}

TEST_F(RateLimiterTest, ABare429TeachesThePaceOfItsBucketOnly) {
  auto limiter = make();
  // Five searches within a second, the fifth refused without headers: four per second is the most.
  std::vector<RateLimiter::Ticket> tickets;
  for (int i = 0; i < 5; ++i) {
    auto t = limiter.acquire("hs", true);
    ASSERT_TRUE(t.ok());
    tickets.push_back(t.value());
    now_ += 100;
  }
  limiter.observe("hs", true, answer(429, {}, R"({"policyName":"SECONDLY"})"), tickets[4]);
  EXPECT_EQ(limiter.limits("hs")->learned_search_per_s, 4.0);
  // Other requests of the connection are not slowed by the search limit.
  const std::int64_t before = now_;
  for (int i = 0; i < 50; ++i) ASSERT_TRUE(limiter.acquire("hs", false).ok());
  EXPECT_EQ(now_, before);
  // Searches: closed for a second, then at most 4 in any second (plus a 50 ms margin for latency).
  for (int i = 0; i < 8; ++i) ASSERT_TRUE(limiter.acquire("hs", true).ok());
  EXPECT_EQ(now_ - before, 1000 + 1050);
}

TEST_F(RateLimiterTest, RefusalsOfOneBurstTeachOnce) {
  auto limiter = make();
  std::vector<RateLimiter::Ticket> tickets;
  for (int i = 0; i < 6; ++i) tickets.push_back(limiter.acquire("hs", true).value());
  // Sends 4, 5 and 6 were all on the wire when the first refusal came back.
  for (int i = 3; i < 6; ++i) limiter.observe("hs", true, answer(429), tickets[i]);
  EXPECT_EQ(limiter.limits("hs")->learned_search_per_s, 3.0);
  // A send made after the lesson and still refused lowers the pace by one.
  now_ += 5000;
  auto later = limiter.acquire("hs", true).value();
  limiter.observe("hs", true, answer(429), later);
  EXPECT_EQ(limiter.limits("hs")->learned_search_per_s, 2.0);
}

TEST_F(RateLimiterTest, ASpentDailyQuotaHoldsTheConnectionUntilTheRecheck) {
  auto limiter = make({.quota_recheck_ms = 60000});
  limiter.observe("sf", false, answer(200, {{"sforce-limit-info", "api-usage=4999/5000"}}));
  EXPECT_EQ(limiter.limits("sf")->daily_remaining, 1);
  EXPECT_TRUE(limiter.acquire("sf", false).ok());
  limiter.observe("sf", false, answer(200, {{"sforce-limit-info", "api-usage=5000/5000"}}));
  auto held = limiter.acquire("sf", false);
  ASSERT_FALSE(held.ok());
  EXPECT_EQ(held.error().code, kThrottled);
  EXPECT_EQ(held.error().retry_after_ms, 60000);
  EXPECT_EQ(limiter.status().at("sf").at("daily").at("remaining"), 0);
  now_ += 60000;
  EXPECT_TRUE(limiter.acquire("sf", false).ok()) << "one request re-checks the quota";
  limiter.observe("sf", false, answer(200, {{"sforce-limit-info", "api-usage=4000/5000"}}));
  EXPECT_TRUE(limiter.acquire("sf", false).ok());
}

TEST_F(RateLimiterTest, RequestLimitExceededWithQuotaLeftIsAShortPause) {
  auto limiter = make();
  limiter.observe("sf", false, answer(200, {{"sforce-limit-info", "api-usage=10/5000"}}));
  // Same errorCode, but 4,990 requests left: Salesforce's concurrency limit.
  limiter.observe(
      "sf", false,
      answer(403, {},
             R"([{"message":"ConcurrentPerOrgLongTxn Limit exceeded.","errorCode":"REQUEST_LIMIT_EXCEEDED"}])"));
  ASSERT_TRUE(limiter.acquire("sf", false).ok());
  EXPECT_EQ(slept_, 1000);
  EXPECT_EQ(limiter.limits("sf")->crm_refusals, 1);
}

TEST_F(RateLimiterTest, HubSpotsDailyHeadersAreVisible) {
  auto limiter = make();
  limiter.observe(
      "hs", false,
      answer(200, {{"x-hubspot-ratelimit-daily", "250000"}, {"x-hubspot-ratelimit-daily-remaining", "249990"}}));
  const auto s = limiter.status();
  EXPECT_EQ(s.at("hs").at("daily").at("limit"), 250000);
  EXPECT_EQ(s.at("hs").at("daily").at("remaining"), 249990);
}

TEST_F(RateLimiterTest, GenericHeadersWaitForTheWindowReset) {
  auto limiter = make();
  limiter.observe(
      "x", false,
      answer(200, {{"x-ratelimit-limit", "100"}, {"x-ratelimit-remaining", "0"}, {"x-ratelimit-reset", "1"}}));
  ASSERT_TRUE(limiter.acquire("x", false).ok());
  EXPECT_EQ(slept_, 1000);
}

TEST_F(RateLimiterTest, ConnectionsAreIndependent) {
  auto limiter = make();
  limiter.observe("a", false, answer(429, {{"retry-after", "60"}}));
  EXPECT_FALSE(limiter.acquire("a", false).ok());
  EXPECT_TRUE(limiter.acquire("b", false).ok());
}

} // namespace
} // namespace appconnect::pipeline
