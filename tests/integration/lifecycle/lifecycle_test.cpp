// Every kind of communication end to end over loopback: native events and RingCentral notifications go
// into a real host, the Salesforce sandbox plays the CRM, and the Tasks it ends up holding are checked
// field by field: one record per call whatever the delivery order, SMS digests per local day, transfers
// and queues, an agent's edit surviving an update, shared inboxes, faxes and voicemails.
#include "support/testing.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

namespace appconnect::testing {
namespace {
namespace json = boost::json;
using ::testing::HasSubstr;
using ::testing::Not;
using namespace std::chrono_literals;

constexpr const char* kNoah = "+1 (617) 555-0171"; // one Contact in the Salesforce demo seed
constexpr const char* kSectionBegin = "--- AppConnect log";

std::string str(const json::value& v, std::string_view key) {
  const auto* p = v.as_object().if_contains(key);
  return p != nullptr && p->is_string() ? std::string(p->get_string()) : std::string();
}

std::size_t occurrences(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + needle.size())) ++n;
  return n;
}

std::string fixture_text(const std::string& name) {
  std::ifstream in(source_path("tests/fixtures/ringcentral/" + name));
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

json::object call_step(const std::string& id, const std::string& session, std::int64_t sequence,
                       const std::string& state) {
  json::object call{{"session_id", session}, {"state", state}};
  return json::object{{"id", id},
                      {"tenant", "life"},
                      {"kind", "call"},
                      {"direction", "inbound"},
                      {"start_time", "2026-11-25T15:00:00Z"},
                      {"sequence", sequence},
                      {"from", json::object{{"phone", kNoah}, {"name", "Noah Fischer"}}},
                      {"to", json::object{{"phone", "+16505550100"}}},
                      {"agent", json::object{{"extension_id", "101"}, {"name", "Maria Garcia"}}},
                      {"call", std::move(call)}};
}

json::object text_message(const std::string& id, const std::string& message_id, const std::string& at,
                          const std::string& direction, const std::string& text) {
  json::object e{{"id", id},
                 {"tenant", "life"},
                 {"kind", "sms"},
                 {"direction", direction},
                 {"start_time", at},
                 {"agent", json::object{{"extension_id", "101"}, {"name", "Maria Garcia"}}},
                 {"message", json::object{{"message_id", message_id}, {"text", text}}}};
  json::object noah{{"phone", kNoah}, {"name", "Noah Fischer"}}, us{{"phone", "+16505550100"}};
  e["from"] = direction == "inbound" ? noah : us;
  e["to"] = direction == "inbound" ? us : noah;
  return e;
}

class Lifecycle : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    sandbox_ = new SandboxProcess(SandboxOptions{});
    json::object placeholder{{"enabled", true}, {"type", "Lead"}, {"name_template", "New Lead - {phone}"}};
    json::array tenants{
        json::object{
            {"id", "life"},
            {"name", "Lifecycle"},
            {"settings", json::object{{"time_zone", "America/New_York"},
                                      {"matching", json::object{{"placeholder", placeholder}}},
                                      // the call queue's own extension is not an agent
                                      {"ringcentral", json::object{{"queue_extension_ids", json::array{"63000"}}}}}}},
        json::object{{"id", "once"},
                     {"name", "All at once"},
                     {"settings", json::object{{"matching", json::object{{"placeholder", placeholder}}}}}},
    };
    json::array connections{
        salesforce_connection("sf-life", "life", sandbox_->base_url()),
        salesforce_connection(
            "sf-once", "once", sandbox_->base_url(),
            json::object{{"logging", json::object{{"write_mode", "all_at_once"}, {"all_at_once_wait_s", 2}}}}),
    };
    host_ = new HostProcess(json::object{{"tenants", tenants}, {"connections", connections}});
  }
  static void TearDownTestSuite() {
    delete host_;
    delete sandbox_;
  }

  static void post_all(const std::vector<json::object>& events) {
    for (const auto& e : events) {
      auto r = host_->post_event(e);
      ASSERT_TRUE(r.status == 202 || r.status == 200) << r.body;
    }
    for (const auto& e : events) host_->wait_settled(str(e, "id"), str(e, "tenant"));
  }

  // Posts a RingCentral notification (one object or an array of them, delivered one by one) and waits
  // until every event it produced has settled.
  static std::vector<std::string> post_ringcentral(const std::string& tenant, const json::value& notifications) {
    std::vector<std::string> ids;
    std::vector<json::value> list;
    if (notifications.is_array())
      for (const auto& n : notifications.as_array()) list.push_back(n);
    else
      list.push_back(notifications);
    for (const auto& n : list) {
      auto r = http("POST", host_->base_url() + "/v1/webhooks/ringcentral?tenant=" + tenant, json::serialize(n),
                    {{"Content-Type", "application/json"}});
      EXPECT_EQ(r.status, 200) << r.body;
      if (r.status != 200) continue;
      const json::value reply = r.json(); // keep it alive while we read from it
      if (const auto* a = reply.as_object().if_contains("ids"); a && a->is_array())
        for (const auto& id : a->as_array()) ids.emplace_back(id.as_string());
    }
    for (const auto& id : ids) host_->wait_settled(id, tenant);
    return ids;
  }

  static std::vector<json::object> tasks_with_key_prefix(const std::string& prefix) {
    std::vector<json::object> out;
    const auto all = sandbox_->records("Task");
    for (const auto& t : all)
      if (str(t, "CallObject").rfind(prefix, 0) == 0) out.push_back(t.as_object());
    return out;
  }

  static HostProcess* host_;
  static SandboxProcess* sandbox_;
};
HostProcess* Lifecycle::host_ = nullptr;
SandboxProcess* Lifecycle::sandbox_ = nullptr;

TEST_F(Lifecycle, CallNotificationsInEveryOrderAndTwiceMakeOneFinalRecord) {
  std::vector<int> order{0, 1, 2, 3};
  int run = 0;
  std::mt19937 rng(7);
  do {
    const std::string session = "s-order-" + std::to_string(run);
    std::vector<json::object> steps{
        call_step(session + "-ring", session, 1, "ringing"), call_step(session + "-answer", session, 2, "answered"),
        call_step(session + "-end", session, 3, "ended"), call_step(session + "-rec", session, 4, "ended")};
    steps[2]["call"].as_object()["duration_s"] = 95;
    steps[2]["call"].as_object()["recording_pending"] = true;
    steps[3]["call"].as_object()["recording_url"] = "https://rec.example/" + session + ".mp3";
    steps[3]["call"].as_object()["notes"] = "Asked about the renewal.";
    std::vector<json::object> delivery;
    for (int i : order) delivery.push_back(steps[static_cast<std::size_t>(i)]);
    // The phone system notifies one step again, under a new notification id.
    json::object again = steps[static_cast<std::size_t>(rng() % 4)];
    again["id"] = session + "-again";
    delivery.insert(delivery.begin() + static_cast<long>(rng() % delivery.size()), again);
    post_all(delivery);
    ++run;
  } while (std::next_permutation(order.begin(), order.end()));
  ASSERT_EQ(run, 24);

  for (int i = 0; i < run; ++i) {
    const std::string session = "s-order-" + std::to_string(i);
    const auto tasks = tasks_with_key_prefix("call:" + session + ":");
    ASSERT_EQ(tasks.size(), 1u) << session;
    const auto& t = tasks.front();
    const std::string body = str(t, "Description");
    EXPECT_EQ(str(t, "Subject"), "Inbound call from +16175550171") << session;
    EXPECT_THAT(body, HasSubstr("Duration: 1m 35s")) << session;
    EXPECT_THAT(body, HasSubstr("Result: Answered")) << session;
    EXPECT_EQ(occurrences(body, "https://rec.example/" + session + ".mp3"), 1u) << body;
    EXPECT_THAT(body, HasSubstr("Asked about the renewal.")) << session;
    EXPECT_THAT(body, Not(HasSubstr("Pending:"))) << session;
    EXPECT_EQ(occurrences(body, kSectionBegin), 1u) << body;
    EXPECT_EQ(t.at("CallDurationInSeconds").to_number<std::int64_t>(), 95) << session;
  }
}

TEST_F(Lifecycle, ThirtyTextsOverTwoDaysMakeTwoDigestsEachMessageOnce) {
  // Local days in America/New_York: 03:00Z on the 20th is still the 19th there.
  std::vector<json::object> delivery;
  for (int i = 0; i < 30; ++i) {
    const int day = i < 15 ? 19 : 20;
    char at[40];
    std::snprintf(at, sizeof at, "2026-11-%02dT%02d:%02d:00Z", i < 15 ? 19 : 20, 14 + (i % 15) / 2,
                  (i * 7) % 60);                                       // afternoon UTC = same local day
    if (i == 14) std::snprintf(at, sizeof at, "2026-11-20T03:00:00Z"); // late evening of the 19th, local
    (void)day;
    const std::string mid = "msg-" + std::to_string(i);
    const auto msg = text_message("sms-" + std::to_string(i), mid, at, i % 3 == 0 ? "outbound" : "inbound",
                                  "text number " + std::to_string(i) + " says hello");
    // Each message arrives three times, as three notifications.
    for (int copy = 0; copy < 3; ++copy) {
      json::object c = msg;
      c["id"] = "sms-" + std::to_string(i) + "-copy" + std::to_string(copy);
      delivery.push_back(c);
    }
  }
  std::shuffle(delivery.begin(), delivery.end(), std::mt19937(11));
  post_all(delivery);

  const auto digests = tasks_with_key_prefix("sms:101:16175550171:");
  ASSERT_EQ(digests.size(), 2u);
  for (const auto& d : digests) {
    const std::string key = str(d, "CallObject");
    const bool first_day = key.substr(key.size() - 10) == "2026-11-19";
    const std::string body = str(d, "Description");
    EXPECT_THAT(str(d, "Subject"), HasSubstr("(15 messages)")) << key;
    for (int i = 0; i < 30; ++i) {
      const bool on_first_day = i < 15;
      EXPECT_EQ(occurrences(body, "text number " + std::to_string(i) + " says hello"),
                on_first_day == first_day ? 1u : 0u)
          << key << " message " << i;
    }
  }
}

TEST_F(Lifecycle, AnAgentsEditSurvivesTheLaterRecordingUpdate) {
  auto ended = call_step("edit-end", "s-edit", 3, "ended");
  ended["call"].as_object()["duration_s"] = 42;
  ended["call"].as_object()["result"] = "answered";
  ended["call"].as_object()["recording_pending"] = true;
  post_all({ended});
  auto tasks = tasks_with_key_prefix("call:s-edit:");
  ASSERT_EQ(tasks.size(), 1u);
  EXPECT_THAT(str(tasks[0], "Description"), HasSubstr("Pending: recording"));

  // The agent types into the record through the CRM's own API.
  const std::string id = str(tasks[0], "Id");
  const std::string edited = "Promised a callback on Monday.\n" + str(tasks[0], "Description") + "\nPS: sent the PDF";
  auto patch = http("PATCH", sandbox_->base_url() + "/services/data/v62.0/sobjects/Task/" + id,
                    json::serialize(json::object{{"Description", edited}}),
                    {{"Authorization", "Bearer " + sandbox_->access_token()}, {"Content-Type", "application/json"}});
  ASSERT_EQ(patch.status, 204) << patch.body;

  auto recording = call_step("edit-rec", "s-edit", 4, "ended");
  recording["call"].as_object()["recording_url"] = "https://rec.example/s-edit.mp3";
  post_all({recording});
  tasks = tasks_with_key_prefix("call:s-edit:");
  ASSERT_EQ(tasks.size(), 1u);
  const std::string body = str(tasks[0], "Description");
  EXPECT_EQ(body.rfind("Promised a callback on Monday.\n", 0), 0u) << body;
  EXPECT_EQ(body.substr(body.size() - std::string("\nPS: sent the PDF").size()), "\nPS: sent the PDF") << body;
  EXPECT_EQ(occurrences(body, "https://rec.example/s-edit.mp3"), 1u) << body;
  EXPECT_EQ(occurrences(body, kSectionBegin), 1u) << body;
  EXPECT_THAT(body, Not(HasSubstr("Pending:")));

  // The same update delivered again changes nothing.
  auto again = recording;
  again["id"] = "edit-rec-again";
  post_all({again});
  EXPECT_EQ(str(tasks_with_key_prefix("call:s-edit:")[0], "Description"), body);
}

TEST_F(Lifecycle, TransferGivesEachAgentTheirRecordAndQueueOnlyTheOneWhoAnswered) {
  const auto transfer = json::parse(fixture_text("telephony-transfer.json"));
  post_ringcentral("life", transfer);
  const std::string transfer_session(transfer.as_array().at(0).at("body").at("telephonySessionId").as_string());
  const auto transferred = tasks_with_key_prefix("call:" + transfer_session + ":");
  ASSERT_EQ(transferred.size(), 2u);
  EXPECT_NE(str(transferred[0], "CallObject"), str(transferred[1], "CallObject"));

  const auto queue = json::parse(fixture_text("telephony-queue.json"));
  post_ringcentral("life", queue);
  const std::string queue_session(queue.as_array().at(0).at("body").at("telephonySessionId").as_string());
  const auto queued = tasks_with_key_prefix("call:" + queue_session + ":");
  ASSERT_EQ(queued.size(), 1u);
  EXPECT_THAT(str(queued[0], "Description"), HasSubstr("Result: Answered"));
}

TEST_F(Lifecycle, SharedInboxConversationIsOneRecord) {
  std::vector<json::object> texts;
  for (int i = 0; i < 3; ++i) {
    auto m = text_message("shared-" + std::to_string(i), "shared-m" + std::to_string(i),
                          i < 2 ? "2026-11-21T15:00:00Z" : "2026-11-22T16:00:00Z", i == 1 ? "outbound" : "inbound",
                          "shared inbox line " + std::to_string(i));
    m["message"].as_object()["shared_inbox"] = true;
    m["message"].as_object()["conversation_id"] = "conv-77";
    texts.push_back(m);
  }
  post_all(texts);
  const auto threads = tasks_with_key_prefix("sms-thread:conv-77");
  ASSERT_EQ(threads.size(), 1u);
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(occurrences(str(threads[0], "Description"), "shared inbox line " + std::to_string(i)), 1u);
}

TEST_F(Lifecycle, FaxAndVoicemailLandOnTheContact) {
  post_ringcentral("life", json::parse(fixture_text("fax.json")));
  const auto faxes = tasks_with_key_prefix("fax:");
  ASSERT_EQ(faxes.size(), 1u);
  EXPECT_THAT(str(faxes[0], "Subject"), HasSubstr("fax"));
  EXPECT_THAT(str(faxes[0], "Description"), HasSubstr("Pages: "));
  EXPECT_THAT(str(faxes[0], "Description"), HasSubstr("Document: "));
  EXPECT_FALSE(str(faxes[0], "WhoId").empty());

  post_ringcentral("life", json::parse(fixture_text("voicemail.json")));
  const auto voicemails = tasks_with_key_prefix("voicemail:");
  ASSERT_EQ(voicemails.size(), 1u);
  EXPECT_THAT(str(voicemails[0], "Subject"), HasSubstr("Voicemail from"));
  EXPECT_THAT(str(voicemails[0], "Description"), HasSubstr("Audio: "));
  EXPECT_THAT(str(voicemails[0], "Description"), HasSubstr("Transcript:"));
  EXPECT_FALSE(str(voicemails[0], "WhoId").empty());
}

TEST_F(Lifecycle, AllAtOnceWritesOnceWithEverything) {
  auto ended = call_step("once-end", "s-once", 3, "ended");
  ended["tenant"] = "once";
  ended["call"].as_object()["duration_s"] = 30;
  ended["call"].as_object()["result"] = "answered";
  ended["call"].as_object()["recording_pending"] = true;
  auto rec = call_step("once-rec", "s-once", 4, "ended");
  rec["tenant"] = "once";
  rec["call"].as_object()["recording_url"] = "https://rec.example/s-once.mp3";
  auto r = host_->post_event(ended);
  ASSERT_EQ(r.status, 202) << r.body;
  std::this_thread::sleep_for(300ms); // the first job now waits for the recording
  EXPECT_TRUE(tasks_with_key_prefix("call:s-once:").empty());
  post_all({rec});
  host_->wait_settled("once-end", "once");
  const auto tasks = tasks_with_key_prefix("call:s-once:");
  ASSERT_EQ(tasks.size(), 1u);
  EXPECT_THAT(str(tasks[0], "Description"), HasSubstr("https://rec.example/s-once.mp3"));
  // Written by one POST and never edited.
  std::int64_t writes = 0;
  for (const auto& entry : sandbox_->requests(0)) {
    const std::string path = str(entry, "path");
    if (path.find("/sobjects/Task/" + str(tasks[0], "Id")) != std::string::npos && str(entry, "method") == "PATCH")
      ++writes;
  }
  EXPECT_EQ(writes, 0);

  // Without the recording the bounded wait ends and the record is written with what there is.
  auto lone = call_step("once-lone", "s-once-lone", 3, "ended");
  lone["tenant"] = "once";
  lone["call"].as_object()["result"] = "answered";
  lone["call"].as_object()["recording_pending"] = true;
  post_all({lone});
  const auto lone_tasks = tasks_with_key_prefix("call:s-once-lone:");
  ASSERT_EQ(lone_tasks.size(), 1u);
  EXPECT_THAT(str(lone_tasks[0], "Description"), HasSubstr("Pending: recording"));
}

} // namespace
} // namespace appconnect::testing
