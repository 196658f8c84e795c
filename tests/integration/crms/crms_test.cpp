// The host driving each of the three CRMs end to end: calls (inbound answered with a late recording,
// outbound answered, outbound missed), an SMS digest delivered twice, a fax and a voicemail each become the
// CRM's own records on a placeholder contact, field by field, and an agent's edit to a call record survives
// the host's update. Each CRM is its wire-faithful sandbox on loopback.
#include "support/testing.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace appconnect::testing {
namespace {
namespace json = boost::json;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kSectionBegin = "--- AppConnect log";

// A record's field, flat (Salesforce, Zoho) or under "properties" (HubSpot).
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
  if (crm == "salesforce")
    return {"salesforce", "Lead",        "Task", "Description", "Subject",
            "Task",       "Description", "Task", "Description", "CallObject"};
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

json::object connection(const std::string& crm, const std::string& url, const std::string& tenant) {
  json::object settings, credentials{{"client_secret", "demo-secret"}, {"refresh_token", "demo-refresh-token"}};
  if (crm == "salesforce") {
    settings = {{"login_url", url}, {"instance_url", url}};
    credentials["client_id"] = "appconnect-demo";
  } else if (crm == "hubspot") {
    settings = {{"api_base_url", url}, {"oauth_base_url", url}, {"app_base_url", url}};
    credentials["client_id"] = "appconnect-demo";
  } else {
    settings = {{"accounts_url", url}, {"api_domain", url}};
    credentials["client_id"] = "1000.APPCONNECTDEMO";
  }
  return json::object{{"id", "c-" + tenant},
                      {"tenant", tenant},
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
    const std::string crm = GetParam();
    // t-: unknown numbers get a placeholder; q-: no rules (ties wait in the queue); p-: record-type priority.
    const json::array leads_first = crm == "zoho"         ? json::array{"Leads", "Contacts"}
                                    : crm == "salesforce" ? json::array{"Lead", "Contact"}
                                                          : json::array{"lead", "contact"};
    json::array tenants{
        json::object{{"id", "t-" + crm},
                     {"name", crm},
                     {"settings", json::object{{"time_zone", "America/New_York"},
                                               {"matching", json::object{{"placeholder", placeholder}}}}}},
        json::object{{"id", "q-" + crm},
                     {"name", crm + " queue"},
                     {"settings", json::object{{"matching", json::object{{"rules", json::array{}}}}}}},
        json::object{
            {"id", "p-" + crm},
            {"name", crm + " priority"},
            {"settings", json::object{{"matching", json::object{{"rules", json::array{"type_priority", "alphabetical"}},
                                                                {"type_priority", leads_first}}}}}}};
    json::array connections;
    for (const char* prefix : {"t-", "q-", "p-"})
      connections.push_back(connection(crm, sandbox_->base_url(), prefix + crm));
    host_ = std::make_unique<HostProcess>(json::object{{"tenants", tenants}, {"connections", connections}});
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
    if (GetParam() == "salesforce")
      r = http("PATCH", sandbox_->base_url() + "/services/data/v62.0/sobjects/Task/" + id,
               json::serialize(json::object{{"Description", new_body}}),
               {{"Authorization", "Bearer " + sandbox_->access_token()}, {"Content-Type", "application/json"}});
    else if (GetParam() == "hubspot")
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

  // The CRM user id of the user with this email, from the sandbox's store.
  std::string owner_of(const std::string& crm, const std::string& email) const {
    const char* object = crm == "salesforce" ? "User" : crm == "hubspot" ? "owners" : "Users";
    for (const auto& u : sandbox_->records(object))
      for (const char* key : {"Email", "email"})
        if (field(u, key) == email) return field(u, crm == "salesforce" ? "Id" : "id");
    return {};
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
  const std::string id = field(calls[0], GetParam() == "salesforce" ? "Id" : "id");
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
  // The call's own fields stay right through the update.
  const std::string crm = GetParam();
  if (crm == "salesforce") {
    EXPECT_EQ(field(calls[0], "CallType"), "Inbound");
    EXPECT_EQ(calls[0].at("CallDurationInSeconds").to_number<int>(), 75);
  } else if (crm == "hubspot") {
    EXPECT_EQ(field(calls[0], "hs_call_direction"), "INBOUND");
    EXPECT_EQ(field(calls[0], "hs_call_duration"), "75000");
    EXPECT_EQ(field(calls[0], "hs_call_recording_url"), "https://rec.example/s-c1.mp3");
  } else {
    EXPECT_EQ(field(calls[0], "Call_Type"), "Inbound");
    EXPECT_EQ(field(calls[0], "Call_Duration"), "01:15");
  }
}

// An answered outbound call, every field an admin's CRM report reads: direction, duration, result, start,
// subject, owner (the agent's CRM user, matched by email) and the person it is logged on.
TEST_P(Crms, AnsweredOutboundCallFieldByField) {
  auto call = event("o1", "call", "outbound");
  call["call"] = json::object{{"session_id", "s-o1"}, {"state", "ended"}, {"result", "answered"}, {"duration_s", 95}};
  post_all({call});
  const auto settled = host_->wait_settled("o1", "t-" + GetParam());
  const auto& outcome = settled.at("jobs").as_array().at(0).at("outcome");
  const std::string person(outcome.at("contact").at("id").as_string());
  const auto calls = with_key(s_.call_object, "call:s-o1:");
  ASSERT_EQ(calls.size(), 1u);
  const auto& c = calls[0];
  const auto& o = c.as_object();
  EXPECT_EQ(field(c, s_.call_subject), "Outbound call to +14805550199");
  EXPECT_EQ(field(c, s_.external_id), "call:s-o1:101");
  const std::string crm = GetParam();
  const std::string owner = owner_of(crm, "maria.garcia@acme-demo.example");
  ASSERT_FALSE(owner.empty());
  if (crm == "salesforce") {
    EXPECT_EQ(field(c, "TaskSubtype"), "Call");
    EXPECT_EQ(field(c, "CallType"), "Outbound");
    EXPECT_EQ(o.at("CallDurationInSeconds").to_number<int>(), 95);
    EXPECT_EQ(field(c, "CallDisposition"), "Answered");
    EXPECT_EQ(field(c, "ActivityDate"), "2026-11-24");
    EXPECT_EQ(field(c, "OwnerId"), owner);
    EXPECT_EQ(field(c, "WhoId"), person);
  } else if (crm == "hubspot") {
    EXPECT_EQ(field(c, "hs_call_direction"), "OUTBOUND");
    EXPECT_EQ(field(c, "hs_call_duration"), "95000");
    EXPECT_EQ(field(c, "hs_call_status"), "COMPLETED");
    EXPECT_EQ(field(c, "hs_call_to_number"), "+14805550199");
    EXPECT_EQ(field(c, "hubspot_owner_id"), owner);
    EXPECT_THAT(field(c, "hs_timestamp"), ::testing::StartsWith("2026-11-24T16:00:00"));
    EXPECT_THAT(json::serialize(o.at("associations")), HasSubstr(person));
  } else {
    EXPECT_EQ(field(c, "Call_Type"), "Outbound");
    EXPECT_EQ(field(c, "Call_Duration"), "01:35");
    // Zoho writes the org's zone offset (the seed's org is in India): the same instant as 16:00Z.
    EXPECT_EQ(field(c, "Call_Start_Time"), "2026-11-24T21:30:00+05:30");
    EXPECT_EQ(std::string(o.at("Owner").at("id").as_string()), owner);
    EXPECT_EQ(field(c, "Call_Result"), "Answered");
    // A placeholder is a Lead, and Zoho links a call to a Lead through What_Id with $se_module.
    ASSERT_TRUE(o.at("What_Id").is_object()) << json::serialize(c);
    EXPECT_EQ(std::string(o.at("What_Id").at("id").as_string()), person);
    EXPECT_EQ(field(c, "$se_module"), "Leads");
  }
  EXPECT_THAT(field(c, s_.call_body), HasSubstr("1m 35s"));
}

TEST_P(Crms, MissedOutboundCallSaysSo) {
  auto missed = event("c2", "call", "outbound");
  missed["call"] = json::object{{"session_id", "s-c2"}, {"state", "ended"}, {"result", "missed"}};
  post_all({missed});
  const auto calls = with_key(s_.call_object, "call:s-c2:");
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(field(calls[0], s_.call_subject), "Outbound call to +14805550199 (missed)");
  const std::string crm = GetParam();
  if (crm == "salesforce") {
    EXPECT_EQ(field(calls[0], "CallType"), "Outbound");
    EXPECT_EQ(field(calls[0], "CallDisposition"), "Missed");
  } else if (crm == "hubspot") {
    EXPECT_EQ(field(calls[0], "hs_call_direction"), "OUTBOUND");
    EXPECT_EQ(field(calls[0], "hs_call_status"), "NO_ANSWER");
  } else {
    EXPECT_EQ(field(calls[0], "Call_Type"), "Outbound"); // Zoho's "Missed" type is for incoming calls only
    EXPECT_EQ(field(calls[0], "Call_Result"), "Missed");
  }
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

// A number two CRM records share: without rules the call waits in the unresolved queue with both
// candidates, a person's pick logs it on the chosen one; with record-type priority (then alphabetical) the
// rules choose by themselves.
TEST_P(Crms, SharedNumberWaitsForAPersonOrIsDecidedByTheRules) {
  const std::string crm = GetParam();
  // Salesforce and HubSpot: Olivia Bennett and Marcus Reed (both contacts); Zoho: a contact and a lead.
  const std::string shared = crm == "zoho" ? "(650) 555-0112" : "(415) 555-0132";
  auto call = event("m1", "call", "inbound");
  call["tenant"] = "q-" + crm;
  call["from"] = json::object{{"phone", shared}};
  call["call"] = json::object{{"session_id", "s-m1"}, {"state", "ended"}, {"result", "answered"}, {"duration_s", 20}};
  ASSERT_EQ(host_->post_event(call).status, 202);
  auto settled = host_->wait_settled("m1", "q-" + crm);
  const auto job = settled.at("jobs").as_array().at(0);
  ASSERT_EQ(job.at("state").as_string(), "unresolved") << json::serialize(settled);
  auto list = host_->admin("GET", "/v1/admin/unresolved?tenant=q-" + crm);
  ASSERT_EQ(list.status, 200) << list.body;
  const auto listed = list.json();
  ASSERT_EQ(listed.at("items").as_array().size(), 1u);
  const auto item = listed.at("items").as_array().at(0);
  const auto candidates = item.at("candidates").as_array();
  ASSERT_EQ(candidates.size(), 2u);
  EXPECT_EQ(item.at("reason").as_string(), "multiple_matches");
  const std::string chosen(candidates.at(1).at("id").as_string());
  auto pick = host_->admin("POST", "/v1/admin/unresolved/" + std::to_string(item.at("id").as_int64()) + "/resolve",
                           json::object{{"tenant", "q-" + crm},
                                        {"action", "pick"},
                                        {"contact_id", chosen},
                                        {"contact_type", candidates.at(1).at("type")}});
  ASSERT_EQ(pick.status, 200) << pick.body;
  settled = host_->wait_settled("m1", "q-" + crm);
  const auto& done = settled.at("jobs").as_array().at(0);
  ASSERT_EQ(done.at("state").as_string(), "done") << json::serialize(settled);
  EXPECT_EQ(done.at("outcome").at("contact").at("id").as_string(), chosen);
  EXPECT_EQ(with_key(s_.call_object, "call:s-m1:").size(), 1u);

  auto ruled = call;
  ruled["id"] = "m2";
  ruled["tenant"] = "p-" + crm;
  ruled["call"].as_object()["session_id"] = "s-m2";
  ASSERT_EQ(host_->post_event(ruled).status, 202);
  settled = host_->wait_settled("m2", "p-" + crm);
  const auto& decided = settled.at("jobs").as_array().at(0);
  ASSERT_EQ(decided.at("state").as_string(), "done") << json::serialize(settled);
  const auto& outcome = decided.at("outcome");
  if (crm == "zoho") {
    // The lead wins on record type.
    EXPECT_EQ(outcome.at("explanation").at("decided_by").as_string(), "type_priority");
    EXPECT_EQ(outcome.at("contact").at("type").as_string(), "Leads");
  } else {
    // Two contacts tie on type; the name decides.
    EXPECT_EQ(outcome.at("explanation").at("decided_by").as_string(), "alphabetical");
  }
  EXPECT_EQ(with_key(s_.call_object, "call:s-m2:").size(), 1u);
}

INSTANTIATE_TEST_SUITE_P(HostDriven, Crms, ::testing::Values("salesforce", "hubspot", "zoho"),
                         [](const auto& param_info) { return param_info.param; });

} // namespace
} // namespace appconnect::testing
