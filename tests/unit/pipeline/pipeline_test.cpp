#include "pipeline/compose.hpp"
#include "pipeline/worker_pool.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace appconnect::pipeline {
namespace {
using ::testing::HasSubstr;

TEST(RetryDelay, GrowsExponentiallyUpToTheCap) {
  RetryPolicy p{1000, 60000, 10};
  const Error e = Error::make("unavailable", "down", true);
  EXPECT_EQ(retry_delay_ms(p, 1, e, 0.999), 999);
  EXPECT_EQ(retry_delay_ms(p, 2, e, 0.5), 1000);
  EXPECT_EQ(retry_delay_ms(p, 4, e, 0.5), 4000);
  EXPECT_EQ(retry_delay_ms(p, 30, e, 0.5), 30000); // capped at 60 s before jitter
  EXPECT_EQ(retry_delay_ms(p, 1, e, 0.0), 50);     // never a hot loop
}

TEST(RetryDelay, RetryAfterFromTheCrmWins) {
  RetryPolicy p{1000, 60000, 10};
  Error e = Error::make("rate_limited", "slow down", true);
  e.retry_after_ms = 7000;
  EXPECT_EQ(retry_delay_ms(p, 1, e, 0.5), 7000);
}

ingest::CommunicationEvent call(const std::string& direction, const std::string& result) {
  ingest::CommunicationEvent e;
  e.kind = "call";
  e.direction = direction;
  e.start_time = "2026-11-25T09:30:00Z";
  e.from.phone = "+14155550132";
  e.from.name = "Ada";
  e.to.phone = "+16505550100";
  e.agent.name = "Sam Rivera";
  e.call.session_id = "s-1";
  e.call.duration_s = 3725;
  e.call.result = result;
  e.call.recording_url = "https://rec/1";
  e.call.notes = "Renewal";
  return e;
}

TEST(Compose, SubjectSaysDirectionAndNumber) {
  EXPECT_EQ(call_subject(call("inbound", "answered"), "+14155550132"), "Inbound call from +14155550132");
  EXPECT_EQ(call_subject(call("outbound", "answered"), "+16505550100"), "Outbound call to +16505550100");
  EXPECT_EQ(call_subject(call("inbound", "missed"), "+14155550132"), "Missed call from +14155550132");
}

TEST(Compose, BodyHoldsEveryFieldOnce) {
  const std::string body = call_body(call("inbound", "answered"));
  EXPECT_THAT(body, HasSubstr("Direction: Inbound\n"));
  EXPECT_THAT(body, HasSubstr("From: Ada <+14155550132>\n"));
  EXPECT_THAT(body, HasSubstr("Duration: 1h 02m 05s\n"));
  EXPECT_THAT(body, HasSubstr("Result: Answered\n"));
  EXPECT_THAT(body, HasSubstr("Recording: https://rec/1\n"));
  EXPECT_THAT(body, HasSubstr("Notes:\nRenewal\n"));
  EXPECT_EQ(format_duration(95), "1m 35s");
  EXPECT_EQ(format_duration(7), "7s");
}

TEST(Compose, CallLogCarriesTheConversationKeyAsExternalId) {
  auto log = make_call_log(call("inbound", "answered"), "call:s-1:101", "+14155550132", "003A", "Contact");
  EXPECT_EQ(log.external_id, "call:s-1:101");
  EXPECT_EQ(log.contact_id, "003A");
  EXPECT_EQ(log.duration_s, 3725);
  EXPECT_EQ(log.direction, "inbound");
}

} // namespace
} // namespace appconnect::pipeline
