// The per-connection circuit breaker and Retry-After throttle, on a fake clock.
#include "pipeline/connection_guard.hpp"

#include <gtest/gtest.h>

namespace appconnect::pipeline {
namespace {

class Guard : public ::testing::Test {
 protected:
  std::int64_t clock_ = 1000;
  ConnectionGuard guard_{GuardSettings{3, 5000}, [this] { return clock_; }};

  Result<Done> call(const std::string& connection, const Result<Done>& outcome) {
    auto admitted = guard_.admit(connection);
    if (!admitted) return admitted;
    guard_.record(connection, outcome);
    return outcome;
  }
  static Error outage() { return Error::make(error_code::kTransport, "connection refused", true); }
};

TEST_F(Guard, OpensAfterConsecutiveOutagesAndHoldsCallsForTheCooldown) {
  for (int i = 0; i < 3; ++i) EXPECT_EQ(call("sf", outage()).error().code, error_code::kTransport);
  auto held = guard_.admit("sf");
  ASSERT_FALSE(held);
  EXPECT_EQ(held.error().code, kCircuitOpen);
  EXPECT_TRUE(held.error().retryable);
  EXPECT_EQ(held.error().retry_after_ms.value_or(0), 5000);
  EXPECT_TRUE(held_back(held.error()));
  EXPECT_FALSE(guard_.check("sf"));
  // Other connections are not affected.
  EXPECT_TRUE(guard_.admit("hubspot"));
  EXPECT_EQ(guard_.status().at("sf").at("circuit").as_string(), "open");
}

TEST_F(Guard, AnAnswerResetsTheCountEvenWhenItIsAnError) {
  (void)call("sf", outage());
  (void)call("sf", outage());
  (void)call("sf", Error::make(error_code::kValidation, "bad field", false)); // the CRM answered
  (void)call("sf", outage());
  (void)call("sf", outage());
  EXPECT_TRUE(guard_.admit("sf"));
}

TEST_F(Guard, HalfOpenLetsOneProbeThroughWhoseResultDecides) {
  for (int i = 0; i < 3; ++i) (void)call("sf", outage());
  clock_ += 5000;
  EXPECT_TRUE(guard_.check("sf"));
  ASSERT_TRUE(guard_.admit("sf")); // the probe
  EXPECT_FALSE(guard_.admit("sf")) << "only one probe at a time";
  guard_.record("sf", outage()); // probe failed: open for another cool-down at once
  EXPECT_FALSE(guard_.admit("sf"));
  clock_ += 5000;
  ASSERT_TRUE(guard_.admit("sf"));
  guard_.record("sf", kDone);
  EXPECT_TRUE(guard_.admit("sf"));
  guard_.record("sf", kDone);
  EXPECT_EQ(guard_.status().at("sf").at("circuit").as_string(), "closed");
}

TEST_F(Guard, RetryAfterFromTheCrmHoldsEveryCallOfTheConnection) {
  Error limited = Error::make(error_code::kRateLimited, "slow down", true);
  limited.retry_after_ms = 2000;
  (void)call("sf", limited);
  auto held = guard_.admit("sf");
  ASSERT_FALSE(held);
  EXPECT_EQ(held.error().code, kThrottled);
  EXPECT_EQ(held.error().retry_after_ms.value_or(0), 2000);
  clock_ += 1500;
  EXPECT_EQ(guard_.admit("sf").error().retry_after_ms.value_or(0), 500);
  clock_ += 500;
  EXPECT_TRUE(guard_.admit("sf"));
}

TEST_F(Guard, AnExhaustedQuotaWaitsForItsReset) {
  Error quota = Error::make(error_code::kQuotaExhausted, "daily limit", true);
  quota.retry_after_ms = 3600000;
  (void)call("sf", quota);
  clock_ += 3599000;
  EXPECT_FALSE(guard_.admit("sf"));
  clock_ += 1000;
  EXPECT_TRUE(guard_.admit("sf"));
}

} // namespace
} // namespace appconnect::pipeline
