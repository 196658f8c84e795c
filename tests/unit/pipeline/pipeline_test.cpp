#include "common/time_zone.hpp"
#include "pipeline/compose.hpp"
#include "pipeline/conversation.hpp"
#include "pipeline/worker_pool.hpp"

#include <appconnect/time.hpp>

#include <boost/json.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <random>

namespace appconnect::pipeline {
namespace {
using ::testing::HasSubstr;
using ::testing::Not;

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

ingest::CommunicationEvent step(std::int64_t sequence, const std::string& state) {
  auto e = call("inbound", "unknown");
  e.sequence = sequence;
  e.call.state = state;
  e.call.duration_s = 0;
  e.call.recording_url.clear();
  e.call.notes.clear();
  return e;
}

ComposeOptions text_in(const std::string& zone) {
  ComposeOptions o;
  o.zone = TimeZone::load(zone).value();
  return o;
}

TEST(Compose, SubjectSaysDirectionAndNumber) {
  const auto o = text_in("UTC");
  EXPECT_EQ(compose_call(merge_call({call("inbound", "answered")}), "+14155550132", o).subject,
            "Inbound call from +14155550132");
  EXPECT_EQ(compose_call(merge_call({call("outbound", "answered")}), "+16505550100", o).subject,
            "Outbound call to +16505550100");
  EXPECT_EQ(compose_call(merge_call({call("inbound", "missed")}), "+14155550132", o).subject,
            "Missed call from +14155550132");
}

TEST(Compose, BodyHoldsEveryFieldOnceBetweenTheMarkers) {
  const std::string body =
      compose_call(merge_call({call("inbound", "answered")}), "+14155550132", text_in("America/New_York")).section;
  EXPECT_EQ(body.rfind(kSectionBegin, 0), 0u);
  EXPECT_THAT(body, HasSubstr("Direction: Inbound\n"));
  EXPECT_THAT(body, HasSubstr("From: Ada <+14155550132>\n"));
  EXPECT_THAT(body, HasSubstr("Start: 2026-11-25 04:30 (America/New_York)\n"));
  EXPECT_THAT(body, HasSubstr("Duration: 1h 02m 05s\n"));
  EXPECT_THAT(body, HasSubstr("Result: Answered\n"));
  EXPECT_THAT(body, HasSubstr("Recording: https://rec/1\n"));
  EXPECT_THAT(body, HasSubstr("Notes:\nRenewal\n"));
  EXPECT_EQ(body.substr(body.size() - std::string(kSectionEnd).size()), kSectionEnd);
  EXPECT_EQ(format_duration(95), "1m 35s");
  EXPECT_EQ(format_duration(7), "7s");
}

TEST(Compose, FieldTogglesAndFormatComeFromSettings) {
  auto tenant = boost::json::parse(R"({"time_zone":"Europe/Berlin","logging":{"fields":{"notes":false}}})").as_object();
  auto connection = boost::json::parse(R"({"logging":{"fields":{"recording_link":false}}})").as_object();
  auto o = compose_options_from(tenant, connection, {"html", "text"});
  ASSERT_TRUE(o) << o.error().message;
  EXPECT_EQ(o.value().format, "html");
  const std::string body = compose_call(merge_call({call("inbound", "answered")}), "+1", o.value()).section;
  EXPECT_THAT(body, HasSubstr("<b>Start:</b> 2026-11-25 10:30 (Europe/Berlin)<br>"));
  EXPECT_THAT(body, Not(HasSubstr("Renewal")));
  EXPECT_THAT(body, Not(HasSubstr("https://rec/1")));

  auto unknown = boost::json::parse(R"({"logging":{"fields":{"recordings":false}}})").as_object();
  auto bad = compose_options_from(unknown, {}, {"text"});
  ASSERT_FALSE(bad);
  EXPECT_THAT(bad.error().message, HasSubstr("logging.fields.recordings"));
  auto text_only =
      compose_options_from(boost::json::parse(R"({"logging":{"body_format":"html"}})").as_object(), {}, {"text"});
  ASSERT_TRUE(text_only);
  EXPECT_EQ(text_only.value().format, "text"); // the connector cannot render HTML
}

TEST(Compose, UpdatesReplaceOnlyTheHostsSection) {
  const auto o = text_in("UTC");
  auto first = call("inbound", "answered");
  first.call.recording_url.clear();
  const std::string v1 = compose_call(merge_call({first}), "+1", o).section;
  // An agent typed around our section.
  const std::string edited = "Customer is angry, call back Monday.\n" + v1 + "\nPS: sent the PDF";
  const std::string v2 = compose_call(merge_call({call("inbound", "answered")}), "+1", o).section;
  const std::string merged = merge_body(edited, v2, "text");
  EXPECT_EQ(merged, "Customer is angry, call back Monday.\n" + v2 + "\nPS: sent the PDF");
  // Idempotent: the same update again changes nothing, and never duplicates lines.
  EXPECT_EQ(merge_body(merged, v2, "text"), merged);
  // No section yet (a record someone else wrote): keep their text, add ours after it.
  EXPECT_EQ(merge_body(std::string("Typed by hand"), v2, "text"), "Typed by hand\n\n" + v2);
  EXPECT_EQ(merge_body(std::nullopt, v2, "text"), v2);
}

TEST(Conversation, OutOfOrderAndDuplicatedNotificationsConverge) {
  auto ringing = step(1, "ringing");
  auto answered = step(2, "answered");
  auto ended = step(3, "ended");
  ended.call.duration_s = 95;
  ended.call.awaiting = {"recording"};
  auto recording = step(4, "ended");
  recording.call.recording_url = "https://rec/s-1.mp3";
  std::vector<ingest::CommunicationEvent> all{ringing, answered, ended, recording, ended, answered};
  const auto reference = merge_call(all);
  EXPECT_TRUE(reference.ended);
  EXPECT_EQ(reference.call.call.result, "answered");
  EXPECT_EQ(reference.call.call.duration_s, 95);
  EXPECT_EQ(reference.call.call.recording_url, "https://rec/s-1.mp3");
  EXPECT_TRUE(reference.awaiting.empty());
  const std::string expected = compose_call(reference, "+1", text_in("UTC")).section;
  std::mt19937 rng(42);
  for (int i = 0; i < 50; ++i) {
    std::shuffle(all.begin(), all.end(), rng);
    EXPECT_EQ(compose_call(merge_call(all), "+1", text_in("UTC")).section, expected);
  }
  // Before the recording arrives the record is marked pending.
  const auto early = merge_call({ringing, answered, ended});
  ASSERT_EQ(early.awaiting.size(), 1u);
  EXPECT_THAT(compose_call(early, "+1", text_in("UTC")).section, HasSubstr("Pending: recording"));
  EXPECT_TRUE(make_call_log(early, compose_call(early, "+1", text_in("UTC")), "k", "text").pending);
}

TEST(Conversation, UnansweredCallIsMissedAndQueueOfferIsVisible) {
  auto offered = step(1, "ringing");
  offered.call.via_queue = true;
  auto gone = step(2, "ended");
  const auto m = merge_call({offered, gone});
  EXPECT_TRUE(m.ended);
  EXPECT_FALSE(m.answered);
  EXPECT_TRUE(m.call.call.via_queue);
  EXPECT_EQ(m.call.call.result, "missed");
}

ingest::CommunicationEvent text(const std::string& id, const std::string& at, const std::string& direction,
                                const std::string& body) {
  ingest::CommunicationEvent e;
  e.kind = "sms";
  e.direction = direction;
  e.start_time = at;
  e.from.phone = direction == "inbound" ? "+14155550132" : "+16505550100";
  e.to.phone = direction == "inbound" ? "+16505550100" : "+14155550132";
  e.agent.name = "Maria Garcia";
  e.message.message_id = id;
  e.message.text = body;
  return e;
}

TEST(Conversation, DigestHoldsEachMessageOnceInTimeOrder) {
  std::vector<ingest::CommunicationEvent> texts{text("2", "2026-11-25T15:05:00Z", "outbound", "Yes, sending now"),
                                                text("1", "2026-11-25T15:00:00Z", "inbound", "Is the quote ready?"),
                                                text("2", "2026-11-25T15:05:00Z", "outbound", "Yes, sending now"),
                                                text("1", "2026-11-25T15:00:00Z", "inbound", "Is the quote ready?")};
  texts[0].message.attachments.push_back({"https://files/quote.pdf", "application/pdf"});
  const auto thread = merge_messages(texts);
  ASSERT_EQ(thread.messages.size(), 2u);
  EXPECT_EQ(thread.direction, "mixed");
  const auto c = compose_messages(thread, "+14155550132", text_in("America/New_York"));
  EXPECT_EQ(c.subject, "SMS with +14155550132 on 2026-11-25 (2 messages)");
  const auto first = c.section.find("10:00 <- +14155550132: Is the quote ready?");
  const auto second = c.section.find("10:05 -> Maria Garcia: Yes, sending now");
  ASSERT_NE(first, std::string::npos) << c.section;
  ASSERT_NE(second, std::string::npos) << c.section;
  EXPECT_LT(first, second);
  EXPECT_THAT(c.section, HasSubstr("attachment: https://files/quote.pdf"));
}

TEST(TimeZones, LocalDayFollowsDaylightSavingRules) {
  auto ny = TimeZone::load("America/New_York");
  ASSERT_TRUE(ny) << ny.error().message;
  const auto at = [](const char* iso) { return sdk::time::parse_iso8601_ms(iso).value(); };
  EXPECT_EQ(ny.value()->offset_s(at("2026-07-01T12:00:00Z")), -4 * 3600);
  EXPECT_EQ(ny.value()->offset_s(at("2026-12-01T12:00:00Z")), -5 * 3600);
  EXPECT_EQ(ny.value()->offset_s(at("2026-03-08T06:59:59Z")), -5 * 3600); // 01:59:59 EST
  EXPECT_EQ(ny.value()->offset_s(at("2026-03-08T07:00:00Z")), -4 * 3600); // 03:00 EDT
  EXPECT_EQ(ny.value()->local_date(at("2026-11-26T04:30:00Z")), "2026-11-25");
  EXPECT_EQ(ny.value()->local_time(at("2026-11-26T04:30:00Z")), "23:30");
  auto sydney = TimeZone::load("Australia/Sydney"); // southern hemisphere: DST spans the new year
  ASSERT_TRUE(sydney);
  EXPECT_EQ(sydney.value()->offset_s(at("2026-01-15T00:00:00Z")), 11 * 3600);
  EXPECT_EQ(sydney.value()->offset_s(at("2026-07-15T00:00:00Z")), 10 * 3600);
  auto kolkata = TimeZone::load("Asia/Kolkata");
  ASSERT_TRUE(kolkata);
  EXPECT_EQ(kolkata.value()->local_time(at("2026-11-25T00:00:00Z")), "05:30");
  EXPECT_FALSE(TimeZone::load("Mars/Olympus"));
  EXPECT_FALSE(TimeZone::load("../etc/passwd"));
}

} // namespace
} // namespace appconnect::pipeline
