// The host driving HubSpot and Zoho end to end, the way it drives Salesforce in the lifecycle suite:
// calls (answered with a late recording, missed outbound), an SMS digest delivered twice, a fax and a
// voicemail each become the CRM's own records on a placeholder contact, and an agent's edit to a call
// record survives the host's update. Each CRM is its wire-faithful sandbox on loopback.
#include "support/testing.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace appconnect::testing {
namespace {
namespace json = boost::json;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kSectionBegin = "--- AppConnect log";

// A record's field, flat (Zoho) or under "properties" (HubSpot).
std::string field(const json::value& record, std::string_view name) {
  const auto& o = record.as_object();
  const json::value* v = o.if_contains(name);
  if (v == nullptr)
    if (const auto* p = o.if_contains("properties"); p && p->is_object()) v = p->as_object().if_contains(name);
  return v != nullptr && v->is_string() ? std::string(v->get_string()) : std::string();
}

std::size_t occurrences(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + needle.size())) ++n;
  return n;
}

// Where each CRM keeps what the host writes.
struct CrmShape {
  std::string crm;
  std::string placeholder_type;
  std::string call_object, call_body, call_subject;
  std::string sms_object, sms_body;
  std::string note_object, note_body;
  std::string external_id;
};

CrmShape shape(const std::string& crm) {
  if (crm == "hubspot")
    return {"hubspot",
            "contact",
            "calls",
            "hs_call_body",
            "hs_call_title",
            "communications",
            "hs_communication_body",
            "notes",
            "hs_note_body",
            "appconnect_external_id"};
  return {"zoho",  "Leads",        "Calls", "Description",  "Subject",
          "Notes", "Note_Content", "Notes", "Note_Content", "AppConnect_External_Id"};
}

json::object connection(const std::string& crm, const std::string& url) {
  json::object settings, credentials{{"client_secret", "demo-secret"}, {"refresh_token", "demo-refresh-token"}};
  if (crm == "hubspot") {
    settings = {{"api_base_url", url}, {"oauth_base_url", url}, {"app_base_url", url}};
    credentials["client_id"] = "appconnect-demo";
  } else {
    settings = {{"accounts_url", url}, {"api_domain", url}};
    credentials["client_id"] = "1000.APPCONNECTDEMO";
  }
  return json::object{{"id", "c-" + crm},
                      {"tenant", "t-" + crm},
                      {"connector", crm},
                      {"settings", settings},
                      {"credentials", credentials}};
}

class Crms : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    s_ = shape(GetParam());
    SandboxOptions options;
    options.crm = GetParam();
    sandbox_ = std::make_unique<SandboxProcess>(options);
    json::object placeholder{{"enabled", true}, {"type", s_.placeholder_type}, {"name_template", "New Lead - {phone}"}};
    json::array tenants{json::object{
        {"id", "t-" + GetParam()},
        {"name", GetParam()},
        {"settings",
         json::object{{"time_zone", "America/New_York"}, {"matching", json::object{{"placeholder", placeholder}}}}}}};
    host_ = std::make_unique<HostProcess>(
        json::object{{"tenants", tenants}, {"connections", json::array{connection(GetParam(), sandbox_->base_url())}}});
  }

  json::object event(const std::string& id, const std::string& kind, const std::string& direction) const {
    json::object e{{"id", id},
                   {"tenant", "t-" + GetParam()},
                   {"kind", kind},
                   {"direction", direction},
                   {"start_time", "2026-11-24T16:00:00Z"},
                   {"agent", json::object{{"extension_id", "101"}, {"email", "maria.garcia@acme-demo.example"}}}};
    json::object them{{"phone", "+14805550199"}, {"name", "Pat Caller"}}, us{{"phone", "+16505550100"}};
    e["from"] = direction == "inbound" ? them : us;
    e["to"] = direction == "inbound" ? us : them;
    return e;
  }

  void post_all(const std::vector<json::object>& events) const {
    for (const auto& e : events) {
      auto r = host_->post_event(e);
      ASSERT_TRUE(r.status == 202 || r.status == 200) << r.body;
    }
    for (const auto& e : events) host_->wait_settled(std::string(e.at("id").as_string()), "t-" + GetParam());
  }

  std::vector<json::value> with_key(const std::string& object, const std::string& prefix) const {
    std::vector<json::value> out;
    const auto all = sandbox_->records(object);
    for (const auto& r : all)
      if (field(r, s_.external_id).rfind(prefix, 0) == 0) out.push_back(r);
    return out;
  }

  // The agent edits the record's body through the CRM's own API.
  void agent_edits(const std::string& id, const std::string& new_body) const {
    HttpResult r;
    if (GetParam() == "hubspot")
      r = http("PATCH", sandbox_->base_url() + "/crm/v3/objects/calls/" + id,
               json::serialize(json::object{{"properties", json::object{{"hs_call_body", new_body}}}}),
               {{"Authorization", "Bearer " + sandbox_->access_token()}, {"Content-Type", "application/json"}});
    else
      r = http(
          "PUT", sandbox_->base_url() + "/crm/v2/Calls/" + id,
          json::serialize(json::object{{"data", json::array{json::object{{"Description", new_body}}}}}),
          {{"Authorization", "Zoho-oauthtoken " + sandbox_->access_token()}, {"Content-Type", "application/json"}});
    ASSERT_LT(r.status, 300) << r.body;
  }

  CrmShape s_;
  std::unique_ptr<SandboxProcess> sandbox_;
  std::unique_ptr<HostProcess> host_;
};

TEST_P(Crms, CallWithLateRecordingIsOneRecordAndKeepsTheAgentsEdit) {
  auto ended = event("c1-end", "call", "inbound");
  ended["call"] =
      json::object{{"session_id", "s-c1"}, {"state", "ended"},          {"duration_s", 75},
                   {"result", "answered"}, {"recording_pending", true}, {"notes", "Wants the enterprise plan."}};
  post_all({ended});
  auto calls = with_key(s_.call_object, "call:s-c1:");
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_THAT(field(calls[0], s_.call_body), HasSubstr("recording (this record is updated when it arrives)"));
  const std::string id = field(calls[0], "id");
  const std::string edited = "Agent: send the contract Friday." + std::string(GetParam() == "hubspot" ? "<br>" : "\n") +
                             field(calls[0], s_.call_body);
  agent_edits(id, edited);

  auto recording = event("c1-rec", "call", "inbound");
  recording["call"] =
      json::object{{"session_id", "s-c1"}, {"state", "ended"}, {"recording_url", "https://rec.example/s-c1.mp3"}};
  post_all({recording});
  calls = with_key(s_.call_object, "call:s-c1:");
  ASSERT_EQ(calls.size(), 1u);
  const std::string body = field(calls[0], s_.call_body);
  EXPECT_EQ(body.rfind("Agent: send the contract Friday.", 0), 0u) << body;
  EXPECT_EQ(occurrences(body, kSectionBegin), 1u) << body;
  EXPECT_THAT(body, Not(HasSubstr("Pending:")));
  EXPECT_THAT(body, HasSubstr("s-c1.mp3"));
  EXPECT_THAT(body, HasSubstr("Wants the enterprise plan."));
}

TEST_P(Crms, MissedOutboundCallSaysSo) {
  auto missed = event("c2", "call", "outbound");
  missed["call"] = json::object{{"session_id", "s-c2"}, {"state", "ended"}, {"result", "missed"}};
  post_all({missed});
  const auto calls = with_key(s_.call_object, "call:s-c2:");
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(field(calls[0], s_.call_subject), "Outbound call to +14805550199 (missed)");
}

TEST_P(Crms, SmsDigestFaxAndVoicemailLandOnTheContact) {
  std::vector<json::object> texts;
  for (int i = 0; i < 5; ++i) {
    auto t = event("t" + std::to_string(i), "sms", i % 2 == 0 ? "inbound" : "outbound");
    t["start_time"] = "2026-11-24T16:0" + std::to_string(i) + ":00Z";
    t["message"] = json::object{{"message_id", "m" + std::to_string(i)}, {"text", "digest line " + std::to_string(i)}};
    texts.push_back(t);
    auto again = t;
    again["id"] = "t" + std::to_string(i) + "-again";
    texts.push_back(again);
  }
  post_all(texts);
  const auto digests = with_key(s_.sms_object, "sms:101:14805550199:2026-11-24");
  ASSERT_EQ(digests.size(), 1u);
  for (int i = 0; i < 5; ++i)
    EXPECT_EQ(occurrences(field(digests[0], s_.sms_body), "digest line " + std::to_string(i)), 1u)
        << field(digests[0], s_.sms_body);

  auto fax = event("f1", "fax", "inbound");
  fax["message"] = json::object{{"message_id", "fax-1"},
                                {"fax_pages", 3},
                                {"status", "Received"},
                                {"attachment_url", "https://files.example/fax-1.pdf"}};
  auto voicemail = event("v1", "voicemail", "inbound");
  voicemail["message"] = json::object{{"message_id", "vm-1"},
                                      {"duration_s", 42},
                                      {"transcript", "Please call back."},
                                      {"attachment_url", "https://files.example/vm-1.mp3"}};
  post_all({fax, voicemail});
  const auto faxes = with_key(s_.note_object, "fax:fax-1:");
  ASSERT_EQ(faxes.size(), 1u);
  EXPECT_THAT(field(faxes[0], s_.note_body), HasSubstr("Pages:"));
  EXPECT_THAT(field(faxes[0], s_.note_body), HasSubstr("fax-1.pdf"));
  const auto voicemails = with_key(s_.note_object, "voicemail:vm-1:");
  ASSERT_EQ(voicemails.size(), 1u);
  EXPECT_THAT(field(voicemails[0], s_.note_body), HasSubstr("Please call back."));
  EXPECT_THAT(field(voicemails[0], s_.note_body), HasSubstr("vm-1.mp3"));
}

INSTANTIATE_TEST_SUITE_P(HostDriven, Crms, ::testing::Values("hubspot", "zoho"),
                         [](const auto& param_info) { return param_info.param; });

} // namespace
} // namespace appconnect::testing
