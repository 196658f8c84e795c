// The native event schema: what is accepted, what is refused, and how each refusal is explained.
#include "ingest/event.hpp"

#include <boost/json.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace appconnect::ingest {
namespace {
using ::testing::HasSubstr;

boost::json::value call_event() {
  return boost::json::parse(R"({
    "id": "evt-1", "kind": "call", "direction": "inbound", "start_time": "2026-11-25T10:30:00+01:00",
    "from": {"phone": "+1 (415) 555-0132", "name": "Ada"}, "to": {"phone": "+16505550100"},
    "agent": {"extension_id": "101", "email": "sam@example.com"},
    "call": {"session_id": "s-1", "state": "ended", "duration_s": 95, "result": "answered",
             "recording_url": "https://rec/1", "notes": "n"},
    "future_field": {"ignored": true}})");
}

std::string error_of(const std::string& patch_key, const boost::json::value& patch_value) {
  auto doc = call_event();
  if (patch_value.is_null())
    doc.as_object().erase(patch_key);
  else
    doc.as_object()[patch_key] = patch_value;
  auto parsed = parse_event(doc, "default");
  return parsed ? std::string() : parsed.error().message;
}

TEST(NativeEvent, ParsesACallAndNormalizesTheStartTimeToUtc) {
  auto e = parse_event(call_event(), "default");
  ASSERT_TRUE(e) << e.error().message;
  EXPECT_EQ(e.value().tenant_id, "default");
  EXPECT_EQ(e.value().start_time, "2026-11-25T09:30:00Z");
  EXPECT_EQ(e.value().call.duration_s, 95);
  EXPECT_EQ(e.value().counterpart().phone, "+1 (415) 555-0132");
  EXPECT_EQ(conversation_key(e.value()), "call:s-1:101");
}

TEST(NativeEvent, CanonicalJsonReadsBackTheSame) {
  auto e = parse_event(call_event(), "default");
  ASSERT_TRUE(e);
  auto again = parse_event(to_json(e.value()), "other");
  ASSERT_TRUE(again);
  EXPECT_EQ(boost::json::serialize(to_json(again.value())), boost::json::serialize(to_json(e.value())));
}

TEST(NativeEvent, OutboundMatchesTheCallee) {
  auto doc = call_event();
  doc.as_object()["direction"] = "outbound";
  auto e = parse_event(doc, "default");
  ASSERT_TRUE(e);
  EXPECT_EQ(e.value().counterpart().phone, "+16505550100");
}

TEST(NativeEvent, RefusalsNameTheField) {
  EXPECT_THAT(error_of("id", nullptr), HasSubstr("'id' is required"));
  EXPECT_THAT(error_of("kind", "telegram"), HasSubstr("'kind' must be one of"));
  EXPECT_THAT(error_of("direction", "sideways"), HasSubstr("'direction'"));
  EXPECT_THAT(error_of("start_time", "2026-11-25 10:30"), HasSubstr("'start_time'"));
  EXPECT_THAT(error_of("start_time", nullptr), HasSubstr("'start_time' is required"));
  EXPECT_THAT(error_of("call", nullptr), HasSubstr("'call' is required"));
  EXPECT_THAT(error_of("from", nullptr), HasSubstr("'from.phone' is required"));
  EXPECT_THAT(error_of("from", "not-an-object"), HasSubstr("from"));
  EXPECT_THAT(error_of("call", boost::json::parse(R"({"session_id":"s","result":"great"})")),
              HasSubstr("'call.result'"));
  EXPECT_THAT(error_of("call", boost::json::parse(R"({"session_id":"s","duration_s":"long"})")),
              HasSubstr("duration_s"));
  EXPECT_THAT(error_of("call", boost::json::parse(R"({"session_id":"s","duration_s":-1})")), HasSubstr("negative"));
  auto not_object = parse_event(boost::json::parse("[1,2]"), "default");
  ASSERT_FALSE(not_object);
  EXPECT_EQ(not_object.error().code, "validation");
}

TEST(NativeEvent, MessagesNeedAMessageId) {
  auto doc = boost::json::parse(R"({"id":"m1","kind":"sms","direction":"inbound","start_time":"2026-11-25T09:00:00Z",
    "from":{"phone":"+14155550132"},"agent":{"extension_id":"101"},"message":{"text":"hi"}})");
  auto e = parse_event(doc, "default");
  ASSERT_FALSE(e);
  EXPECT_THAT(e.error().message, HasSubstr("message.message_id"));
  doc.as_object()["message"].as_object()["message_id"] = "9";
  doc.as_object()["message"].as_object()["conversation_id"] = "c-7";
  auto ok = parse_event(doc, "default");
  ASSERT_TRUE(ok);
  // A direct text belongs to the day's digest with that number, whatever the provider's thread id.
  EXPECT_EQ(conversation_key(ok.value(), "2026-11-25"), "sms:101:14155550132:2026-11-25");
  EXPECT_EQ(conversation_key(ok.value()), "sms:101:14155550132:2026-11-25"); // UTC day without a zone
  doc.as_object()["message"].as_object()["shared_inbox"] = true;
  auto shared = parse_event(doc, "default");
  ASSERT_TRUE(shared);
  EXPECT_EQ(conversation_key(shared.value(), "2026-11-25"), "sms-thread:c-7");
}

TEST(NativeEvent, LifecycleFieldsRoundTrip) {
  auto doc = boost::json::parse(R"({"id":"e1","kind":"call","direction":"inbound","start_time":"2026-11-25T09:00:00Z",
    "sequence":7,"event_time":"2026-11-25T09:05:00+00:00","source":"ringcentral",
    "from":{"phone":"+14155550132"},"agent":{"extension_id":"101"},
    "call":{"session_id":"s-1","state":"ended","recording_pending":true,"via_queue":true,"ai_summary":"Wants a quote",
            "legs":[{"action":"queue","agent":{"name":"Sales"},"start_time":"2026-11-25T09:00:00Z"}]}})");
  auto e = parse_event(doc, "default");
  ASSERT_TRUE(e) << e.error().message;
  EXPECT_EQ(e.value().sequence, 7);
  EXPECT_EQ(e.value().event_time, "2026-11-25T09:05:00Z");
  ASSERT_EQ(e.value().call.awaiting.size(), 1u);
  EXPECT_EQ(e.value().call.awaiting[0], "recording");
  auto again = parse_event(to_json(e.value()), "default");
  ASSERT_TRUE(again);
  EXPECT_TRUE(again.value().call.via_queue);
  ASSERT_EQ(again.value().call.legs.size(), 1u);
  EXPECT_EQ(again.value().call.legs[0].agent.name, "Sales");
  EXPECT_EQ(again.value().call.ai_summary, "Wants a quote");

  doc.as_object()["call"].as_object()["awaiting"] = boost::json::array{"lunch"};
  auto bad = parse_event(doc, "default");
  ASSERT_FALSE(bad);
  EXPECT_THAT(bad.error().message, HasSubstr("call.awaiting"));
  doc.as_object()["call"].as_object().erase("awaiting");
  doc.as_object()["call"].as_object()["legs"] = boost::json::array{boost::json::object{{"start_time", "noon"}}};
  bad = parse_event(doc, "default");
  ASSERT_FALSE(bad);
  EXPECT_THAT(bad.error().message, HasSubstr("call.legs[0].start_time"));
}

TEST(NativeEvent, GroupMessageReachesEveryParticipant) {
  auto doc = boost::json::parse(R"({"id":"g1","kind":"sms","direction":"outbound","start_time":"2026-11-25T09:00:00Z",
    "to":{"phone":"+14155550132"},"agent":{"extension_id":"101"},
    "message":{"message_id":"m-9","text":"Team meeting at 3",
               "participants":[{"phone":"+16175550171"},{"phone":"+14155550132"},{"phone":"+16505550112"}]}})");
  auto e = parse_event(doc, "default");
  ASSERT_TRUE(e) << e.error().message;
  const auto parts = split_group_message(e.value());
  ASSERT_EQ(parts.size(), 3u); // the duplicate participant is counted once
  EXPECT_EQ(parts[0].event_id, "g1");
  EXPECT_EQ(parts[1].event_id, "g1~2");
  EXPECT_EQ(parts[1].to.phone, "+16175550171");
  EXPECT_EQ(parts[2].to.phone, "+16505550112");
  EXPECT_NE(conversation_key(parts[1]), conversation_key(parts[2]));
}

} // namespace
} // namespace appconnect::ingest
