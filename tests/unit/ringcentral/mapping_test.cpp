// RingCentral -> native events: every fixture under tests/fixtures/ringcentral maps to the events we
// expect, field by field, and every produced event is a valid native event (ingest::parse_event).
#include "ringcentral/mapping.hpp"
#include "ingest/event.hpp"
#include "support/paths.hpp"

#include <boost/json.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace appconnect::ringcentral {
namespace {
namespace json = boost::json;
using ::testing::HasSubstr;

std::string read_fixture(const std::string& name) {
  std::ifstream in(testing::source_path("tests/fixtures/ringcentral/" + name));
  EXPECT_TRUE(in.good()) << name;
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

json::value fixture(const std::string& name) {
  return json::parse(read_fixture(name));
}

MapOptions options() {
  MapOptions o;
  o.tenant = "acme";
  o.queue_extension_ids = {"63000"};
  return o;
}

// Maps one notification, checks every event parses as a native event, returns the events.
std::vector<json::object> map_ok(const json::value& notification, const MapOptions& opt = options()) {
  auto m = map_notification(notification, opt);
  EXPECT_EQ(m.unsupported, "");
  for (const auto& e : m.events) {
    auto parsed = ingest::parse_event(e, "default");
    EXPECT_TRUE(parsed) << (parsed ? "" : parsed.error().message) << "\n" << json::serialize(e);
    if (parsed) {
      EXPECT_EQ(parsed.value().tenant_id, "acme");
      EXPECT_EQ(parsed.value().event_id, json::value_to<std::string>(e.at("id")));
    }
    EXPECT_LE(e.at("id").as_string().size(), 200u);
  }
  return m.events;
}

std::string s(const json::object& o, std::string_view path) {
  // "a.b.c" into nested objects; "" when missing.
  const json::object* cur = &o;
  std::string_view rest = path;
  while (true) {
    auto dot = rest.find('.');
    auto key = rest.substr(0, dot);
    const auto* v = cur->if_contains(key);
    if (v == nullptr) return "<missing>";
    if (dot == std::string_view::npos) {
      if (v->is_string()) return std::string(v->get_string());
      return json::serialize(*v);
    }
    if (!v->is_object()) return "<missing>";
    cur = &v->get_object();
    rest = rest.substr(dot + 1);
  }
}

TEST(RingCentralTelephony, SetupAnsweredDisconnectedForOneAgent) {
  const auto seq = fixture("telephony-inbound-answered.json").as_array();
  ASSERT_EQ(seq.size(), 3u);

  auto setup = map_notification(seq[0], options());
  ASSERT_EQ(setup.events.size(), 1u) << "the outside caller's party is not one of ours";
  ASSERT_EQ(setup.skipped.size(), 1u);
  EXPECT_THAT(setup.skipped[0], HasSubstr("outside party"));
  auto e = map_ok(seq[0]).at(0);
  EXPECT_EQ(s(e, "id"), "rc-ts:s-a7f2c91e04b84d3f9e6c5d1b2a390001:p-a7f2c91e04b84d3f9e6c5d1b2a390001-2:1");
  EXPECT_EQ(s(e, "kind"), "call");
  EXPECT_EQ(s(e, "direction"), "inbound");
  EXPECT_EQ(s(e, "source"), "ringcentral");
  EXPECT_EQ(s(e, "sequence"), "1");
  EXPECT_EQ(s(e, "event_time"), "2026-03-02T15:04:05.081Z");
  EXPECT_EQ(s(e, "start_time"), "2026-03-02T15:04:05.081Z");
  EXPECT_EQ(s(e, "from.phone"), "+16175550171");
  EXPECT_EQ(s(e, "from.name"), "NOAH FISCHER");
  EXPECT_EQ(s(e, "to.phone"), "+16505550100");
  EXPECT_EQ(s(e, "agent.extension_id"), "62001");
  EXPECT_EQ(s(e, "agent.name"), "Maria Garcia");
  EXPECT_EQ(s(e, "call.session_id"), "s-a7f2c91e04b84d3f9e6c5d1b2a390001");
  EXPECT_EQ(s(e, "call.state"), "ringing");
  EXPECT_EQ(s(e, "call.result"), "unknown");
  EXPECT_EQ(s(e, "call.via_queue"), "false");
  EXPECT_EQ(s(e, "call.end_time"), "<missing>");

  e = map_ok(seq[1]).at(0);
  EXPECT_EQ(s(e, "sequence"), "3");
  EXPECT_EQ(s(e, "call.state"), "answered");
  EXPECT_EQ(s(e, "call.result"), "answered");
  EXPECT_EQ(s(e, "call.recording_pending"), "true");

  e = map_ok(seq[2]).at(0);
  EXPECT_EQ(s(e, "id"), "rc-ts:s-a7f2c91e04b84d3f9e6c5d1b2a390001:p-a7f2c91e04b84d3f9e6c5d1b2a390001-2:5");
  EXPECT_EQ(s(e, "call.state"), "ended");
  EXPECT_EQ(s(e, "call.result"), "unknown") << "a plain hang-up does not say whether it was answered";
  EXPECT_EQ(s(e, "call.end_time"), "2026-03-02T15:07:46.870Z");

  // Same conversation key for every step: one CRM record for the agent's call.
  auto k0 = ingest::conversation_key(ingest::parse_event(map_ok(seq[0]).at(0), "").value());
  auto k2 = ingest::conversation_key(ingest::parse_event(map_ok(seq[2]).at(0), "").value());
  EXPECT_EQ(k0, k2);
  EXPECT_EQ(k0, "call:s-a7f2c91e04b84d3f9e6c5d1b2a390001:62001");
}

TEST(RingCentralTelephony, RedeliveryMapsToTheSameIds) {
  const auto seq = fixture("telephony-inbound-answered.json").as_array();
  EXPECT_EQ(map_ok(seq[1]).at(0), map_ok(seq[1]).at(0));
}

TEST(RingCentralTelephony, TransferBetweenTwoAgents) {
  const auto seq = fixture("telephony-transfer.json").as_array();
  ASSERT_EQ(seq.size(), 4u);
  auto handover = map_ok(seq[1]);
  ASSERT_EQ(handover.size(), 2u);
  EXPECT_EQ(s(handover[0], "agent.extension_id"), "62001");
  EXPECT_EQ(s(handover[0], "call.state"), "ended");
  EXPECT_EQ(s(handover[0], "call.result"), "answered") << "only an answered call can be transferred";
  EXPECT_EQ(s(handover[1], "agent.extension_id"), "62002");
  EXPECT_EQ(s(handover[1], "agent.name"), "Liam Chen");
  EXPECT_EQ(s(handover[1], "call.state"), "ringing");
  EXPECT_EQ(s(handover[1], "direction"), "inbound");
  EXPECT_EQ(s(handover[1], "from.phone"), "+13125550199");
  EXPECT_EQ(s(handover[1], "sequence"), "7");

  auto answered = map_ok(seq[2]).at(0);
  EXPECT_EQ(s(answered, "agent.extension_id"), "62002");
  EXPECT_EQ(s(answered, "call.result"), "answered");
  auto ended = map_ok(seq[3]).at(0);
  EXPECT_EQ(s(ended, "call.state"), "ended");
  EXPECT_EQ(s(ended, "sequence"), "10");

  // Each agent has their own conversation (their own CRM record) within the one session.
  auto ka = ingest::conversation_key(ingest::parse_event(handover[0], "").value());
  auto kb = ingest::conversation_key(ingest::parse_event(ended, "").value());
  EXPECT_NE(ka, kb);
  EXPECT_EQ(s(handover[0], "call.session_id"), s(ended, "call.session_id"));
}

TEST(RingCentralTelephony, QueueCallAnsweredByTheThirdMember) {
  const auto seq = fixture("telephony-queue.json").as_array();
  ASSERT_EQ(seq.size(), 3u);
  auto offered = map_notification(seq[0], options());
  ASSERT_EQ(offered.events.size(), 3u) << "the queue's own party is not a person";
  EXPECT_THAT(offered.skipped.at(0), HasSubstr("call queue 63000"));
  for (const auto& e : map_ok(seq[0])) {
    EXPECT_EQ(s(e, "call.via_queue"), "true");
    EXPECT_EQ(s(e, "call.state"), "ringing");
    EXPECT_EQ(s(e, "agent.name"), "<missing>") << "the dialled side is the queue, not the member";
    EXPECT_EQ(s(e, "to.name"), "Sales Queue");
  }
  EXPECT_EQ(s(map_ok(seq[0])[2], "agent.extension_id"), "62013");

  auto outcome = map_ok(seq[1]);
  ASSERT_EQ(outcome.size(), 3u);
  EXPECT_EQ(s(outcome[0], "agent.extension_id"), "62013");
  EXPECT_EQ(s(outcome[0], "call.result"), "answered");
  EXPECT_EQ(s(outcome[1], "agent.extension_id"), "62011");
  EXPECT_EQ(s(outcome[1], "call.state"), "ended");
  EXPECT_EQ(s(outcome[1], "call.result"), "unknown");
  EXPECT_EQ(s(outcome[1], "call.via_queue"), "true");

  auto last = map_notification(seq[2], options());
  ASSERT_EQ(last.events.size(), 1u);
  EXPECT_EQ(s(last.events[0], "agent.extension_id"), "62013");
  EXPECT_EQ(s(last.events[0], "call.recording_pending"), "true");

  // Without the queue setting the queue party is mapped like anyone else, but members still say via_queue.
  MapOptions plain;
  plain.tenant = "acme";
  auto unconfigured = map_ok(seq[0], plain);
  ASSERT_EQ(unconfigured.size(), 4u);
  EXPECT_EQ(s(unconfigured[1], "call.via_queue"), "true");
}

TEST(RingCentralTelephony, ResultsFromDisconnectReasons) {
  auto make = [](const std::string& code, const std::string& reason, bool missed, const std::string& direction) {
    return json::parse(R"({"event":"/restapi/v1.0/account/1/telephony/sessions","body":{"sequence":2,
      "telephonySessionId":"s-1","eventTime":"2026-01-01T00:00:00Z","parties":[{"id":"p-1","extensionId":"7",
      "direction":")" + direction +
                       R"(","from":{"phoneNumber":"+15550001"},"to":{"phoneNumber":"+15550002"},
      "missedCall":)" + (missed ? "true" : "false") +
                       R"(,"status":{"code":")" + code + R"(","reason":")" + reason + R"("}}]}})");
  };
  auto result = [&](const std::string& code, const std::string& reason, bool missed = false) {
    auto evs = map_ok(make(code, reason, missed, "Inbound"), MapOptions{"acme", {}});
    return evs.empty() ? std::string("<none>") : s(evs[0], "call.result");
  };
  EXPECT_EQ(result("Disconnected", "", true), "missed");
  EXPECT_EQ(result("Disconnected", "Rejected"), "rejected");
  EXPECT_EQ(result("Disconnected", "TargetBusy"), "busy");
  EXPECT_EQ(result("Disconnected", "NoAnswer"), "missed");
  EXPECT_EQ(result("Disconnected", "InvalidNumber"), "failed");
  EXPECT_EQ(result("Gone", "AttendedTransfer"), "answered");
  EXPECT_EQ(result("VoiceMail", ""), "voicemail");
  EXPECT_EQ(result("Hold", ""), "answered");
  EXPECT_EQ(result("Proceeding", ""), "unknown");
  EXPECT_EQ(result("SomethingNew", ""), "<none>");

  auto out = map_ok(make("Answered", "", false, "Outbound"), MapOptions{"acme", {}}).at(0);
  EXPECT_EQ(s(out, "direction"), "outbound");
  EXPECT_EQ(s(out, "agent.phone"), "+15550001");
}

TEST(RingCentralTelephony, InternalCallBetweenExtensions) {
  auto n = json::parse(R"({"event":"/restapi/v1.0/account/1/telephony/sessions","body":{"sequence":1,
    "telephonySessionId":"s-9","eventTime":"2026-01-01T00:00:00Z","parties":[
     {"id":"p-a","extensionId":"1","direction":"Outbound","from":{"phoneNumber":"101","extensionId":"1"},
      "to":{"phoneNumber":"102","extensionId":"2"},"status":{"code":"Setup"}},
     {"id":"p-b","extensionId":"2","direction":"Inbound","from":{"phoneNumber":"101","extensionId":"1"},
      "to":{"phoneNumber":"102","extensionId":"2"},"status":{"code":"Proceeding"}}]}})");
  auto evs = map_ok(n, MapOptions{"acme", {}});
  ASSERT_EQ(evs.size(), 2u);
  EXPECT_EQ(s(evs[0], "direction"), "internal");
  EXPECT_EQ(s(evs[1], "direction"), "internal");
  EXPECT_EQ(s(evs[0], "agent.extension_id"), "1");
  EXPECT_EQ(s(evs[1], "agent.extension_id"), "2");
}

TEST(RingCentralMessages, InboundSms) {
  auto evs = map_ok(fixture("sms.json"));
  ASSERT_EQ(evs.size(), 1u);
  const auto& e = evs[0];
  EXPECT_EQ(s(e, "id"), "rc-msg:1983320450012:62001");
  EXPECT_EQ(s(e, "kind"), "sms");
  EXPECT_EQ(s(e, "direction"), "inbound");
  EXPECT_EQ(s(e, "start_time"), "2026-03-05T11:20:30.000Z");
  EXPECT_EQ(s(e, "from.phone"), "+16175550171");
  EXPECT_EQ(s(e, "to.phone"), "+16505550100");
  EXPECT_EQ(s(e, "agent.extension_id"), "62001");
  EXPECT_EQ(s(e, "agent.phone"), "+16505550100");
  EXPECT_EQ(s(e, "message.message_id"), "1983320450012");
  EXPECT_EQ(s(e, "message.conversation_id"), "7261544920181203301");
  EXPECT_EQ(s(e, "message.text"), "Can we move the demo to Thursday?");
  EXPECT_EQ(s(e, "message.status"), "Received");
  EXPECT_EQ(s(e, "message.shared_inbox"), "false");
  EXPECT_EQ(s(e, "message.participants"), "<missing>");
  EXPECT_EQ(s(e, "message.attachments"), "<missing>") << "the Text attachment is the body, not media";
  EXPECT_EQ(s(e, "sequence"), "<missing>");
}

TEST(RingCentralMessages, GroupSmsListsTheOtherPeople) {
  auto e = map_ok(fixture("sms-group.json")).at(0);
  EXPECT_EQ(s(e, "to.phone"), "+16505550100") << "our number is the recipient marked as target";
  EXPECT_EQ(s(e, "from.phone"), "+16175550171");
  ASSERT_TRUE(e.at("message").as_object().contains("participants"));
  const auto people = e.at("message").at("participants").as_array();
  ASSERT_EQ(people.size(), 3u);
  EXPECT_EQ(people[0].at("phone"), "+16175550171");
  EXPECT_EQ(people[1].at("phone"), "+13125550199");
  EXPECT_EQ(people[2].at("phone"), "+14155550123");
  EXPECT_EQ(s(e, "message.conversation_id"), "8109224716530094412");
}

TEST(RingCentralMessages, MmsKeepsItsMedia) {
  auto e = map_ok(fixture("mms.json")).at(0);
  EXPECT_EQ(s(e, "agent.extension_id"), "62002");
  EXPECT_EQ(s(e, "message.text"), "Photo of the damaged unit");
  const auto media = e.at("message").at("attachments").as_array();
  ASSERT_EQ(media.size(), 1u);
  EXPECT_EQ(media[0].at("content_type"), "image/jpeg");
  EXPECT_THAT(std::string(media[0].at("url").as_string()), HasSubstr("/content/1983320455121"));
}

TEST(RingCentralMessages, Fax) {
  auto e = map_ok(fixture("fax.json")).at(0);
  EXPECT_EQ(s(e, "kind"), "fax");
  EXPECT_EQ(s(e, "from.phone"), "+12065550142");
  EXPECT_EQ(s(e, "message.fax_pages"), "3");
  EXPECT_EQ(s(e, "message.text"), "Signed agreement");
  EXPECT_THAT(s(e, "message.attachment_url"), HasSubstr("/message-store/1983320460001/content/"));
  EXPECT_EQ(s(e, "message.status"), "Received");
  auto parsed = ingest::parse_event(e, "").value();
  EXPECT_EQ(parsed.message.fax_pages, 3);
}

TEST(RingCentralMessages, VoicemailWithTranscript) {
  auto e = map_ok(fixture("voicemail.json")).at(0);
  EXPECT_EQ(s(e, "kind"), "voicemail");
  EXPECT_EQ(s(e, "agent.extension_id"), "62002") << "taken from the event filter path";
  EXPECT_EQ(s(e, "message.duration_s"), "27");
  EXPECT_THAT(s(e, "message.attachment_url"), HasSubstr("/content/9100234411"));
  EXPECT_THAT(s(e, "message.transcript"), HasSubstr("call me back about the invoice"));
  EXPECT_EQ(s(e, "message.text"), "<missing>");

  auto pending = fixture("voicemail.json");
  pending.as_object()["body"].as_object()["vmTranscriptionStatus"] = "InProgress";
  EXPECT_EQ(s(map_ok(pending).at(0), "message.transcript"), "<missing>");
}

TEST(RingCentralMessages, SharedInboxOwnedByAQueue) {
  auto n = fixture("sms.json");
  n.as_object()["event"] = "/restapi/v1.0/account/37439510/extension/63000/message-store/instant?type=SMS";
  auto e = map_ok(n).at(0);
  EXPECT_EQ(s(e, "message.shared_inbox"), "true");
  EXPECT_EQ(s(e, "id"), "rc-msg:1983320450012:63000");
}

TEST(RingCentralMessages, UnsupportedNotifications) {
  auto counters = map_notification(fixture("message-store-changes.json"), options());
  EXPECT_TRUE(counters.events.empty());
  EXPECT_THAT(counters.unsupported, HasSubstr("change notice"));

  auto presence = map_notification(
      json::parse(R"({"event":"/restapi/v1.0/account/~/extension/1/presence","body":{"presenceStatus":"Busy"}})"),
      options());
  EXPECT_THAT(presence.unsupported, HasSubstr("presence"));

  EXPECT_FALSE(map_notification(json::parse("[1,2]"), options()).unsupported.empty());
  EXPECT_FALSE(map_notification(json::parse(R"({"body":{}})"), options()).unsupported.empty());
  EXPECT_FALSE(
      map_notification(json::parse(R"({"event":"/restapi/v1.0/account/~/telephony/sessions","body":{}})"), options())
          .unsupported.empty());
}

TEST(RingCentralCallLog, PageWithLegs) {
  auto records = call_log_records(read_fixture("call-log-page.json"));
  ASSERT_TRUE(records);
  ASSERT_EQ(records.value().size(), 5u);
  std::vector<json::object> evs;
  for (const auto& r : records.value()) {
    auto e = map_call_log_record(r, options());
    ASSERT_TRUE(e) << e.error().message;
    auto parsed = ingest::parse_event(e.value(), "");
    ASSERT_TRUE(parsed) << parsed.error().message << "\n" << json::serialize(e.value());
    evs.push_back(e.value());
  }

  const auto& answered = evs[0];
  EXPECT_EQ(s(answered, "id"), "rc-cl:Y8Hq2nPbZr1kAA");
  EXPECT_EQ(s(answered, "source"), "ringcentral-call-log");
  EXPECT_EQ(s(answered, "kind"), "call");
  EXPECT_EQ(s(answered, "direction"), "inbound");
  EXPECT_EQ(s(answered, "agent.extension_id"), "62001");
  EXPECT_EQ(s(answered, "call.session_id"), "s-a7f2c91e04b84d3f9e6c5d1b2a390001");
  EXPECT_EQ(s(answered, "call.duration_s"), "221");
  EXPECT_EQ(s(answered, "call.result"), "answered");
  EXPECT_EQ(s(answered, "call.state"), "ended");
  EXPECT_EQ(s(answered, "call.end_time"), "2026-03-02T15:07:46Z");
  EXPECT_EQ(s(answered, "call.recording_url"),
            "https://media.ringcentral.com/restapi/v1.0/account/37439510/recording/7120448011/content");
  EXPECT_EQ(s(answered, "event_time"), "2026-03-02T15:08:01.514Z");
  EXPECT_EQ(answered.at("sequence").as_int64(), 1772464081514) << "the modification time in Unix ms";
  EXPECT_GT(answered.at("sequence").as_int64(), 1000) << "orders after every live notification";
  ASSERT_EQ(answered.at("call").at("legs").as_array().size(), 1u);
  // The same conversation key as the live telephony events of that call.
  EXPECT_EQ(ingest::conversation_key(ingest::parse_event(answered, "").value()),
            "call:s-a7f2c91e04b84d3f9e6c5d1b2a390001:62001");

  const auto& queued = evs[1];
  EXPECT_EQ(s(queued, "agent.extension_id"), "62013") << "the member who took it, not the queue";
  EXPECT_EQ(s(queued, "agent.name"), "Chloe Novak");
  EXPECT_EQ(s(queued, "call.via_queue"), "true");
  const auto legs = queued.at("call").at("legs").as_array();
  ASSERT_EQ(legs.size(), 4u);
  EXPECT_EQ(legs[1].at("agent").at("extension_id"), "62011");
  EXPECT_EQ(legs[1].at("result"), "missed");
  EXPECT_EQ(legs[1].at("action"), "Phone Call");
  EXPECT_EQ(legs[1].at("start_time"), "2026-03-04T09:00:03.000Z");
  EXPECT_EQ(legs[1].at("end_time"), "2026-03-04T09:00:12Z");
  EXPECT_EQ(legs[1].at("to").at("phone"), "211");
  EXPECT_EQ(legs[3].at("result"), "answered");

  const auto& no_answer = evs[2];
  EXPECT_EQ(s(no_answer, "direction"), "outbound");
  EXPECT_EQ(s(no_answer, "to.phone"), "+13125550199");
  EXPECT_EQ(s(no_answer, "agent.extension_id"), "62002");
  EXPECT_EQ(s(no_answer, "agent.name"), "Liam Chen");
  EXPECT_EQ(s(no_answer, "call.result"), "missed");
  EXPECT_EQ(s(no_answer, "call.notes"), "The call was not answered within the ring timeout");

  const auto& fax = evs[3];
  EXPECT_EQ(s(fax, "kind"), "fax");
  EXPECT_EQ(s(fax, "message.message_id"), "1983320460001") << "same message as the fax notification";
  EXPECT_EQ(s(fax, "message.status"), "Received");

  const auto& internal = evs[4];
  EXPECT_EQ(s(internal, "direction"), "internal");
  EXPECT_EQ(s(internal, "to.phone"), "101");
  EXPECT_EQ(s(internal, "call.legs"), "[]");
}

TEST(RingCentralCallLog, ExportFormats) {
  const std::string page = R"({"records":[{"id":"a","startTime":"2026-01-01T00:00:00Z"},
                                          {"id":"b","startTime":"2026-01-01T00:00:00Z"}]})";
  const std::string page2 = R"({"records":[{"id":"c","startTime":"2026-01-01T00:00:00Z"}],"navigation":{}})";
  EXPECT_EQ(call_log_records(page).value().size(), 2u);
  EXPECT_EQ(call_log_records("[" + page + "," + page2 + "]").value().size(), 3u);
  auto jsonl =
      call_log_records(json::serialize(json::parse(page)) + "\n\n" + json::serialize(json::parse(page2)) + "\n");
  ASSERT_TRUE(jsonl);
  EXPECT_EQ(jsonl.value().size(), 3u);
  auto broken = call_log_records(json::serialize(json::parse(page)) + "\n{nope\n");
  ASSERT_FALSE(broken);
  EXPECT_THAT(broken.error().message, HasSubstr("line 2"));
  EXPECT_FALSE(call_log_records(R"({"something":"else"})"));
}

TEST(RingCentralCallLog, RecordErrors) {
  EXPECT_THAT(map_call_log_record(json::parse(R"({"startTime":"2026-01-01T00:00:00Z"})"), options()).error().message,
              HasSubstr("'id'"));
  EXPECT_THAT(map_call_log_record(json::parse(R"({"id":"x"})"), options()).error().message, HasSubstr("startTime"));
  EXPECT_FALSE(map_call_log_record(json::parse("3"), options()));
}

TEST(RingCentralSettings, QueueIdsFromTenantSettings) {
  auto o = options_from_settings(
      "t1",
      json::parse(R"({"ringcentral":{"queue_extension_ids":["63000", 63001],"verification_token":"x"}})").as_object());
  EXPECT_EQ(o.tenant, "t1");
  EXPECT_EQ(o.queue_extension_ids, (std::set<std::string>{"63000", "63001"}));
  EXPECT_TRUE(options_from_settings("t", {}).queue_extension_ids.empty());
}

TEST(RingCentralIds, OverlongIdsStayDeterministicAndBounded) {
  auto n = json::parse(R"({"event":"/restapi/v1.0/account/1/telephony/sessions","body":{"sequence":1,
    "telephonySessionId":"s-1","eventTime":"2026-01-01T00:00:00Z","parties":[{"extensionId":"7",
    "direction":"Inbound","from":{"phoneNumber":"+15550001"},"status":{"code":"Setup"}}]}})");
  n.as_object()["body"].as_object()["parties"].as_array()[0].as_object()["id"] = std::string(300, 'p');
  auto a = map_ok(n, MapOptions{"acme", {}}).at(0);
  EXPECT_EQ(a.at("id").as_string().size(), 197u);
  n.as_object()["body"].as_object()["parties"].as_array()[0].as_object()["id"] = std::string(299, 'p') + "q";
  EXPECT_NE(map_ok(n, MapOptions{"acme", {}}).at(0).at("id"), a.at("id"));
}

} // namespace
} // namespace appconnect::ringcentral
