// The Zoho connector plugin end to end: the built zoho.so, loaded by the host's PluginRegistry, invoked the way
// the host invokes it, against the Zoho sandbox. Every SDK operation, the error mapping (token expiry, 429,
// 5xx, validation, scopes) and the OAuth flow.
#include "zoho_fixture.hpp"

#include <gmock/gmock.h>

#include <algorithm>
#include <thread>

namespace appconnect::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::StartsWith;

class ZohoConnector : public ZohoPluginTest {};

// ---------------------------------------------------------------------------------------------------------
// Loading

TEST_F(ZohoConnector, LoadsWithEveryCapability) {
  EXPECT_EQ(plugin_->manifest().id, "zoho");
  for (const char* cap : {"find_contacts", "create_contact", "create_call_log", "update_call_log",
                          "find_log_by_external_id", "create_message_log", "update_message_log", "list_users", "oauth"})
    EXPECT_TRUE(plugin_->supports(cap)) << cap;
  EXPECT_THAT(plugin_->manifest().contact_types, ElementsAre("Contacts", "Leads"));
}

// ---------------------------------------------------------------------------------------------------------
// find_contacts

TEST_F(ZohoConnector, FindsContactStoredInAnotherSpellingAndMapsFields) {
  auto r = find("+14155550132");
  ASSERT_TRUE(r.ok()) << r.error().message;
  const auto& contacts = r.value().at("contacts").as_array();
  ASSERT_EQ(contacts.size(), 1u) << boost::json::serialize(r.value()); // Ken Thompson is a converted lead
  const auto& c = contacts[0];
  const std::string ada = seeded_id("Contacts", "Last_Name", "Lovelace");
  EXPECT_EQ(str_of(c, "id"), ada);
  EXPECT_EQ(str_of(c, "type"), "Contacts");
  EXPECT_EQ(str_of(c, "name"), "Ada Lovelace");
  EXPECT_EQ(str_of(c, "phone"), "(415) 555-0132");
  EXPECT_EQ(str_of(c, "email"), "ada@globex.example");
  EXPECT_EQ(str_of(c, "company"), "Globex Corporation");
  EXPECT_EQ(str_of(c, "owner_id"), user_id("maria.garcia@acme-demo.example"));
  // 10:00+05:30 and 09:30+05:30 in UTC.
  EXPECT_EQ(str_of(c, "created_at"), "2024-01-15T04:30:00Z");
  EXPECT_EQ(str_of(c, "modified_at"), "2024-06-01T04:00:00Z");
  EXPECT_EQ(str_of(c, "url"), sandbox().base_url() + "/crm/tab/Contacts/" + ada);
}

TEST_F(ZohoConnector, SharedNumberFindsContactAndLead) {
  // Stored as "+1 (650) 555-0112" (Contact: no host spelling, found by the phone search) and "650-555-0112" (Lead).
  auto r = find("+16505550112");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_THAT(found_names(r.value()), ElementsAre("Edsger Dijkstra/Contacts", "Hedy Lamarr/Leads"));
  for (const auto& c : r.value().at("contacts").as_array()) {
    if (str_of(c, "type") == "Leads") {
      EXPECT_EQ(str_of(c, "company"), "Lamarr Labs");
    }
  }
}

TEST_F(ZohoConnector, PhoneSearchFindsOtherPhoneFieldsAndFormats) {
  // Home_Phone "212.555.0140": not a criteria field, not a host spelling.
  auto r = find("+12125550140");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_THAT(found_names(r.value()), ElementsAre("Barbara Liskov/Contacts"));
}

TEST_F(ZohoConnector, CriteriaOnlyModeNeedsTheExactSpelling) {
  settings_["phone_search"] = "criteria";
  auto liskov = find("+12125550140");
  ASSERT_TRUE(liskov.ok()) << liskov.error().message;
  EXPECT_THAT(liskov.value().at("contacts").as_array(), IsEmpty());
  auto grace = find("+14155550133"); // Mobile "+1 415 555 0133" is not a host spelling either
  ASSERT_TRUE(grace.ok());
  EXPECT_THAT(grace.value().at("contacts").as_array(), IsEmpty());
  auto hopper = find("+14155550134"); // Phone "415-555-0134" is
  ASSERT_TRUE(hopper.ok());
  EXPECT_THAT(found_names(hopper.value()), ElementsAre("Grace Hopper/Contacts"));
  // Criteria escaping: "(415) 555-0137" carries brackets.
  auto katherine = find("+14155550137");
  ASSERT_TRUE(katherine.ok()) << katherine.error().message;
  EXPECT_THAT(found_names(katherine.value()), ElementsAre("Katherine Johnson/Contacts"));
}

TEST_F(ZohoConnector, SearchesAtMostTenCriteriaPerRequest) {
  sandbox().clear_requests();
  ASSERT_TRUE(find("+16175550161").ok());
  int criteria_requests = 0;
  for (const auto& e : sandbox().requests()) {
    const std::string query = str_of(e, "query");
    if (query.find("criteria=") == std::string::npos) continue;
    ++criteria_requests;
    const std::string decoded = std::regex_replace(query, std::regex("%3A"), ":");
    std::size_t conditions = 0;
    for (std::size_t p = decoded.find(":equals:"); p != std::string::npos; p = decoded.find(":equals:", p + 1))
      ++conditions;
    EXPECT_LE(conditions, 10u) << query;
  }
  // Six spellings x (Phone, Mobile) = 12 conditions: two requests per module.
  EXPECT_EQ(criteria_requests, 4);
}

TEST_F(ZohoConnector, TypesRestrictTheModules) {
  auto r = invoke("find_contacts", boost::json::object{{"phone_e164", "+16505550112"},
                                                       {"variants", nanp_variants("+16505550112")},
                                                       {"types", {"Leads"}}});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_THAT(found_names(r.value()), ElementsAre("Hedy Lamarr/Leads"));
}

TEST_F(ZohoConnector, NoMatchIsAnEmptyResult) {
  // Every search answers 204 with an empty body.
  sandbox().clear_requests();
  auto r = find("+19995550100");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_THAT(r.value().at("contacts").as_array(), IsEmpty());
  for (const auto& e : sandbox().requests()) EXPECT_EQ(e.at("status"), 204) << boost::json::serialize(e);
}

TEST_F(ZohoConnector, FollowsSearchPages) {
  for (int i = 0; i < 260; ++i)
    sandbox().seed_record("Contacts", {{"Last_Name", "Bulk" + std::to_string(i)}, {"Mobile", "(303) 555-0199"}});
  sandbox().clear_requests();
  auto r = find("+13035550199", 250);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r.value().at("contacts").as_array().size(), 250u);
  bool page2 = false;
  for (const auto& e : sandbox().requests()) page2 = page2 || str_of(e, "query").find("page=2") != std::string::npos;
  EXPECT_TRUE(page2) << "the second page of 200 was not requested";
}

TEST_F(ZohoConnector, NewRecordsInvisibleToSearchWhileTheIndexLags) {
  sandbox().configure({{"search_index_lag_s", 60}});
  create("Contacts", {{"Last_Name", "Fresh"}, {"Phone", "+14155550177"}});
  auto r = find("+14155550177");
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(r.value().at("contacts").as_array(), IsEmpty());
}

// ---------------------------------------------------------------------------------------------------------
// create_contact

TEST_F(ZohoConnector, CreatesPlaceholderLead) {
  auto r = invoke("create_contact", boost::json::object{{"type", "Leads"},
                                                        {"first_name", "Unknown"},
                                                        {"last_name", "Caller +14155550188"},
                                                        {"phone", "+14155550188"},
                                                        {"source", "Cold Call"}});
  ASSERT_TRUE(r.ok()) << r.error().message;
  const auto& c = r.value();
  EXPECT_EQ(str_of(c, "type"), "Leads");
  EXPECT_EQ(str_of(c, "name"), "Unknown Caller +14155550188");
  EXPECT_EQ(str_of(c, "company"), "Unknown");
  EXPECT_EQ(str_of(c, "owner_id"), user_id("maria.garcia@acme-demo.example")); // the token's user
  EXPECT_THAT(str_of(c, "created_at"), ::testing::EndsWith("Z"));
  const auto lead = stored("Leads", str_of(c, "id"));
  EXPECT_EQ(str_of(lead, "Company"), "Unknown");
  EXPECT_EQ(str_of(lead, "Lead_Source"), "Cold Call");
  EXPECT_EQ(str_of(lead, "Phone"), "+14155550188");
}

TEST_F(ZohoConnector, CreatesContactWithOwner) {
  const std::string james = user_id("james.chen@acme-demo.example");
  auto r =
      invoke("create_contact", boost::json::object{{"type", "Contacts"}, {"last_name", "Newman"}, {"owner_id", james}});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(str_of(r.value(), "owner_id"), james);
  EXPECT_EQ(str_of(stored("Contacts", str_of(r.value(), "id")).at("Owner"), "id"), james);
}

TEST_F(ZohoConnector, ValidationErrorKeepsZohoCodeAndField) {
  settings_["lead_company"] = ""; // the mandatory Company goes out empty
  auto r = invoke("create_contact", boost::json::object{{"type", "Leads"}, {"last_name", "Nobody"}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "validation");
  EXPECT_FALSE(r.error().retryable);
  EXPECT_EQ(r.error().crm_status, 400);
  EXPECT_THAT(r.error().message, HasSubstr("MANDATORY_NOT_FOUND"));
  EXPECT_THAT(r.error().message, HasSubstr("Company"));
  EXPECT_EQ(str_of(r.error().crm_error.at("data").at(0).at("details"), "api_name"), "Company");
}

TEST_F(ZohoConnector, InvalidOwnerIsValidation) {
  auto r = invoke("create_contact", boost::json::object{{"type", "Contacts"}, {"last_name", "X"}, {"owner_id", "123"}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "validation");
  EXPECT_THAT(r.error().message, HasSubstr("INVALID_DATA"));
}

TEST_F(ZohoConnector, UnknownContactTypeIsValidation) {
  auto r = invoke("create_contact", boost::json::object{{"type", "Deals"}, {"last_name", "X"}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "validation");
}

// ---------------------------------------------------------------------------------------------------------
// Call logs

TEST_F(ZohoConnector, CreatesAndUpdatesCallOnContact) {
  const std::string ada = seeded_id("Contacts", "Last_Name", "Lovelace");
  const std::string james = user_id("james.chen@acme-demo.example");
  auto log = call_log("conv-1", ada, "Contacts");
  log["owner_id"] = james;
  auto created = invoke("create_call_log", boost::json::object{{"log", log}});
  ASSERT_TRUE(created.ok()) << created.error().message;
  const std::string id = str_of(created.value(), "id");
  EXPECT_EQ(str_of(created.value(), "type"), "Calls");
  EXPECT_EQ(str_of(created.value(), "url"), sandbox().base_url() + "/crm/tab/Calls/" + id);

  auto call = stored("Calls", id);
  EXPECT_EQ(str_of(call, "Call_Type"), "Inbound");
  EXPECT_EQ(str_of(call, "Call_Start_Time"), "2026-11-25T15:00:00+05:30"); // 09:30Z in the org's zone
  EXPECT_EQ(str_of(call, "Call_Duration"), "02:05");
  EXPECT_EQ(call.at("Call_Duration_in_seconds"), 125);
  EXPECT_EQ(str_of(call, "Call_Result"), "Answered");
  EXPECT_EQ(str_of(call, "Subject"), "Inbound call from +14155550132");
  EXPECT_EQ(str_of(call, "Caller_ID"), "+14155550132");
  EXPECT_EQ(str_of(call, "AppConnect_External_Id"), "conv-1");
  EXPECT_EQ(str_of(call.at("Who_Id"), "id"), ada);
  EXPECT_EQ(str_of(call.at("Who_Id"), "name"), "Ada Lovelace");
  EXPECT_EQ(str_of(call.at("Owner"), "id"), james);
  EXPECT_THAT(str_of(call, "Description"), HasSubstr("Recording: https://media.example/rec/1.mp3"));

  log["duration_s"] = 300;
  log["body"] = "Talked about the renewal. Follow up Monday.";
  auto updated = invoke("update_call_log", boost::json::object{{"id", id}, {"log", log}});
  ASSERT_TRUE(updated.ok()) << updated.error().message;
  EXPECT_EQ(str_of(updated.value(), "id"), id);
  call = stored("Calls", id);
  EXPECT_EQ(str_of(call, "Call_Duration"), "05:00");
  EXPECT_THAT(str_of(call, "Description"), HasSubstr("Follow up Monday."));
  EXPECT_EQ(str_of(call, "Call_Type"), "Inbound");
  EXPECT_EQ(sandbox().records("Calls").size(), 2u); // the seeded call and this one
}

TEST_F(ZohoConnector, MissedCallOnLeadUsesWhatId) {
  const std::string hedy = seeded_id("Leads", "Last_Name", "Lamarr");
  auto log = call_log("conv-missed", hedy, "Leads");
  log["result"] = "missed";
  log["duration_s"] = 0;
  auto r = invoke("create_call_log", boost::json::object{{"log", log}});
  ASSERT_TRUE(r.ok()) << r.error().message;
  const auto call = stored("Calls", str_of(r.value(), "id"));
  EXPECT_EQ(str_of(call, "Call_Type"), "Missed");
  EXPECT_TRUE(call.at("Call_Duration").is_null());
  EXPECT_EQ(str_of(call.at("What_Id"), "id"), hedy);
  EXPECT_EQ(str_of(call, "$se_module"), "Leads");
  EXPECT_TRUE(call.at("Who_Id").is_null());
}

TEST_F(ZohoConnector, OutboundVoicemailStaysOutbound) {
  const std::string alan = seeded_id("Contacts", "Last_Name", "Turing");
  auto log = call_log("conv-out", alan, "Contacts");
  log["direction"] = "outbound";
  log["result"] = "voicemail";
  log["to_phone"] = "+14155550135";
  auto r = invoke("create_call_log", boost::json::object{{"log", log}});
  ASSERT_TRUE(r.ok()) << r.error().message;
  const auto call = stored("Calls", str_of(r.value(), "id"));
  EXPECT_EQ(str_of(call, "Call_Type"), "Outbound");
  EXPECT_EQ(str_of(call, "Call_Result"), "Voicemail");
  EXPECT_EQ(str_of(call, "Dialled_Number"), "+14155550135");
  EXPECT_EQ(str_of(call, "Outgoing_Call_Status"), "Completed");
}

TEST_F(ZohoConnector, UpdatingADeletedCallIsNotFound) {
  auto r = invoke("update_call_log",
                  boost::json::object{{"id", "4876876000099999999"}, {"log", call_log("conv-x", "", "")}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "not_found");
}

TEST_F(ZohoConnector, FindsLogsByExternalId) {
  auto seeded = invoke("find_log_by_external_id", boost::json::object{{"external_id", "seed-call-1"}});
  ASSERT_TRUE(seeded.ok()) << seeded.error().message;
  EXPECT_EQ(str_of(seeded.value().at("record"), "type"), "Calls");
  auto sms = invoke("find_log_by_external_id", boost::json::object{{"external_id", "seed-sms-1"}, {"kind", "sms"}});
  ASSERT_TRUE(sms.ok()) << sms.error().message;
  EXPECT_EQ(str_of(sms.value().at("record"), "type"), "Notes");
  auto none = invoke("find_log_by_external_id", boost::json::object{{"external_id", "never-written"}});
  ASSERT_TRUE(none.ok()) << none.error().message;
  EXPECT_FALSE(none.value().as_object().contains("record"));
  // Keys with criteria-special characters are escaped.
  const std::string ada = seeded_id("Contacts", "Last_Name", "Lovelace");
  auto odd = invoke("create_call_log", boost::json::object{{"log", call_log("s:(1),2\\x", ada, "Contacts")}});
  ASSERT_TRUE(odd.ok()) << odd.error().message;
  auto found = invoke("find_log_by_external_id", boost::json::object{{"external_id", "s:(1),2\\x"}});
  ASSERT_TRUE(found.ok()) << found.error().message;
  EXPECT_EQ(str_of(found.value().at("record"), "id"), str_of(odd.value(), "id"));
}

TEST_F(ZohoConnector, ExternalIdMakesRetriesIdempotent) {
  // The host's crash-recovery path: look for the key first, create only when absent, then find it again.
  const std::string ada = seeded_id("Contacts", "Last_Name", "Lovelace");
  const boost::json::object find_req{{"external_id", "conv-retry"}};
  auto before = invoke("find_log_by_external_id", find_req);
  ASSERT_TRUE(before.ok());
  ASSERT_FALSE(before.value().as_object().contains("record"));
  auto created = invoke("create_call_log", boost::json::object{{"log", call_log("conv-retry", ada, "Contacts")}});
  ASSERT_TRUE(created.ok()) << created.error().message;
  auto after = invoke("find_log_by_external_id", find_req);
  ASSERT_TRUE(after.ok());
  ASSERT_TRUE(after.value().as_object().contains("record"));
  EXPECT_EQ(str_of(after.value().at("record"), "id"), str_of(created.value(), "id"));
  int with_key = 0;
  for (const auto& c : sandbox().records("Calls")) with_key += str_of(c, "AppConnect_External_Id") == "conv-retry";
  EXPECT_EQ(with_key, 1);
}

TEST_F(ZohoConnector, CallWithoutStartTimeIsValidation) {
  auto log = call_log("conv-bad", "", "");
  log["start_time"] = "not a time";
  auto r = invoke("create_call_log", boost::json::object{{"log", log}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "validation");
}

// ---------------------------------------------------------------------------------------------------------
// Message logs

TEST_F(ZohoConnector, SmsDigestIsANoteUpdatedInPlace) {
  const std::string hedy = seeded_id("Leads", "Last_Name", "Lamarr");
  boost::json::object log{{"external_id", "sms-1"},
                          {"kind", "sms"},
                          {"contact_id", hedy},
                          {"contact_type", "Leads"},
                          {"direction", "mixed"},
                          {"start_time", "2026-11-25T09:30:00Z"},
                          {"subject", "SMS with +16505550112"},
                          {"body", "[09:30] Hedy: hi"},
                          {"message_count", 1}};
  auto created = invoke("create_message_log", boost::json::object{{"log", log}});
  ASSERT_TRUE(created.ok()) << created.error().message;
  const std::string id = str_of(created.value(), "id");
  EXPECT_EQ(str_of(created.value(), "type"), "Notes");
  auto note = stored("Notes", id);
  EXPECT_EQ(str_of(note, "Note_Title"), "SMS with +16505550112");
  EXPECT_EQ(str_of(note, "Note_Content"), "[09:30] Hedy: hi");
  EXPECT_EQ(str_of(note.at("Parent_Id"), "id"), hedy);
  EXPECT_EQ(str_of(note, "$se_module"), "Leads");
  EXPECT_EQ(str_of(note, "AppConnect_External_Id"), "sms-1");

  log["body"] = "[09:30] Hedy: hi\n[09:31] Maria: hello";
  log["message_count"] = 2;
  auto updated = invoke("update_message_log", boost::json::object{{"id", id}, {"log", log}});
  ASSERT_TRUE(updated.ok()) << updated.error().message;
  note = stored("Notes", id);
  EXPECT_EQ(str_of(note, "Note_Content"), "[09:30] Hedy: hi\n[09:31] Maria: hello");
  auto found = invoke("find_log_by_external_id", boost::json::object{{"external_id", "sms-1"}, {"kind", "sms"}});
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(str_of(found.value().at("record"), "id"), id);
}

TEST_F(ZohoConnector, FaxNoteCarriesTheDocumentLink) {
  const std::string ada = seeded_id("Contacts", "Last_Name", "Lovelace");
  boost::json::object log{{"external_id", "fax-1"},
                          {"kind", "fax"},
                          {"contact_id", ada},
                          {"contact_type", "Contacts"},
                          {"direction", "inbound"},
                          {"start_time", "2026-11-25T09:30:00Z"},
                          {"subject", "Fax from +14155550132 (3 pages)"},
                          {"body", "3 pages received."},
                          {"fax_pages", 3},
                          {"attachment_url", "https://media.example/fax/1.pdf"}};
  auto r = invoke("create_message_log", boost::json::object{{"log", log}});
  ASSERT_TRUE(r.ok()) << r.error().message;
  const auto note = stored("Notes", str_of(r.value(), "id"));
  EXPECT_THAT(str_of(note, "Note_Content"), HasSubstr("Fax document: https://media.example/fax/1.pdf"));
  EXPECT_EQ(str_of(note, "$se_module"), "Contacts");
}

TEST_F(ZohoConnector, NotesUseParentObjectFromV6) {
  settings_["api_version"] = "v8";
  sandbox().clear_requests();
  const std::string ada = seeded_id("Contacts", "Last_Name", "Lovelace");
  boost::json::object log{
      {"external_id", "vm-1"},      {"kind", "voicemail"},    {"contact_id", ada},
      {"contact_type", "Contacts"}, {"direction", "inbound"}, {"start_time", "2026-11-25T09:30:00Z"},
      {"subject", "Voicemail"},     {"body", "Call me back"}, {"duration_s", 20}};
  auto r = invoke("create_message_log", boost::json::object{{"log", log}});
  ASSERT_TRUE(r.ok()) << r.error().message;
  const auto requests = sandbox().requests();
  ASSERT_FALSE(requests.empty());
  EXPECT_EQ(str_of(requests.back(), "path"), "/crm/v8/Notes");
  EXPECT_THAT(str_of(requests.back(), "body"), HasSubstr(R"("Parent_Id":{"module":{"api_name":"Contacts"})"));
  EXPECT_EQ(str_of(stored("Notes", str_of(r.value(), "id")).at("Parent_Id"), "id"), ada);
}

TEST_F(ZohoConnector, MessageLogNeedsAPerson) {
  auto r = invoke("create_message_log",
                  boost::json::object{{"log", {{"external_id", "sms-x"}, {"kind", "sms"}, {"body", "hi"}}}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "validation");
}

// ---------------------------------------------------------------------------------------------------------
// Users

TEST_F(ZohoConnector, ListsActiveUsersAcrossPages) {
  auto r = invoke("list_users");
  ASSERT_TRUE(r.ok()) << r.error().message;
  std::vector<std::string> emails;
  for (const auto& u : r.value().at("users").as_array()) {
    emails.push_back(str_of(u, "email"));
    EXPECT_EQ(u.at("active"), true);
  }
  std::sort(emails.begin(), emails.end());
  EXPECT_THAT(emails, ElementsAre("james.chen@acme-demo.example", "maria.garcia@acme-demo.example",
                                  "priya.patel@acme-demo.example")); // not the deactivated Olaf
  const auto& first = r.value().at("users").as_array()[0];
  EXPECT_FALSE(str_of(first, "id").empty());
  EXPECT_FALSE(str_of(first, "name").empty());

  for (int i = 0; i < 205; ++i)
    sandbox().seed_record("Users", {{"last_name", "Agent" + std::to_string(i)},
                                    {"email", "agent" + std::to_string(i) + "@acme-demo.example"}});
  auto many = invoke("list_users");
  ASSERT_TRUE(many.ok()) << many.error().message;
  EXPECT_EQ(many.value().at("users").as_array().size(), 208u);
}

// ---------------------------------------------------------------------------------------------------------
// OAuth

TEST_F(ZohoConnector, AuthorizeUrlAsksForOfflineConsent) {
  auto r = invoke("oauth_authorize_url",
                  boost::json::object{{"redirect_uri", "http://127.0.0.1/oauth/callback"}, {"state", "st-1"}});
  ASSERT_TRUE(r.ok()) << r.error().message;
  const std::string url = str_of(r.value(), "url");
  EXPECT_THAT(url, StartsWith(sandbox().base_url() + "/oauth/v2/auth?"));
  EXPECT_EQ(url_param(url, "scope"), "ZohoCRM.modules.ALL%2CZohoCRM.users.READ%2CZohoSearch.securesearch.READ");
  EXPECT_EQ(url_param(url, "client_id"), kZohoClient);
  EXPECT_EQ(url_param(url, "response_type"), "code");
  EXPECT_EQ(url_param(url, "access_type"), "offline");
  EXPECT_EQ(url_param(url, "prompt"), "consent");
  EXPECT_EQ(url_param(url, "redirect_uri"), "http%3A%2F%2F127.0.0.1%2Foauth%2Fcallback");
  EXPECT_EQ(url_param(url, "state"), "st-1");
}

TEST_F(ZohoConnector, AuthorizeUrlUsesTheDataCentre) {
  settings_["accounts_url"] = "https://accounts.zoho.eu/";
  auto r = invoke("oauth_authorize_url", boost::json::object{{"redirect_uri", "https://x.example/cb"}, {"state", "s"}});
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(str_of(r.value(), "url"), StartsWith("https://accounts.zoho.eu/oauth/v2/auth?"));
}

TEST_F(ZohoConnector, ExchangesCodeAndLearnsApiDomain) {
  auto url =
      invoke("oauth_authorize_url", boost::json::object{{"redirect_uri", "http://127.0.0.1:9/cb"}, {"state", "st-2"}});
  ASSERT_TRUE(url.ok());
  const std::string authorize = str_of(url.value(), "url");
  auto redirect = http("GET", authorize);
  ASSERT_EQ(redirect.status, 302) << redirect.body;
  const std::string location = redirect.header("Location");
  const std::string code = url_param(location, "code");
  ASSERT_FALSE(code.empty()) << location;
  settings_.erase("api_domain"); // a new connection knows only its accounts server
  auto tokens =
      invoke("oauth_exchange_code", boost::json::object{{"code", code}, {"redirect_uri", "http://127.0.0.1:9/cb"}});
  ASSERT_TRUE(tokens.ok()) << tokens.error().message;
  EXPECT_FALSE(str_of(tokens.value(), "access_token").empty());
  EXPECT_FALSE(str_of(tokens.value(), "refresh_token").empty()); // access_type=offline & prompt=consent
  EXPECT_EQ(tokens.value().at("expires_in_s"), 3600);
  EXPECT_EQ(str_of(tokens.value().at("settings"), "api_domain"), sandbox().base_url());

  // The host merges the settings and credentials; the new connection works.
  settings_["api_domain"] = tokens.value().at("settings").at("api_domain");
  credentials_["access_token"] = tokens.value().at("access_token");
  credentials_["refresh_token"] = tokens.value().at("refresh_token");
  auto found = find("+14155550132");
  ASSERT_TRUE(found.ok()) << found.error().message;
  EXPECT_EQ(found.value().at("contacts").as_array().size(), 1u);
  auto refreshed = invoke("oauth_refresh");
  ASSERT_TRUE(refreshed.ok()) << refreshed.error().message;

  // A grant token works once.
  auto again =
      invoke("oauth_exchange_code", boost::json::object{{"code", code}, {"redirect_uri", "http://127.0.0.1:9/cb"}});
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, "auth_revoked");
}

TEST_F(ZohoConnector, RefreshReturnsTokenWithoutNewRefreshToken) {
  auto r = invoke("oauth_refresh");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_FALSE(str_of(r.value(), "access_token").empty());
  EXPECT_FALSE(r.value().as_object().contains("refresh_token"));
  EXPECT_EQ(r.value().at("expires_in_s"), 3600);
  EXPECT_EQ(str_of(r.value().at("settings"), "api_domain"), sandbox().base_url());
}

TEST_F(ZohoConnector, RefreshRefusedWithHttp200IsAuthRevoked) {
  credentials_["refresh_token"] = "1000.revoked.token";
  auto r = invoke("oauth_refresh");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "auth_revoked");
  EXPECT_FALSE(r.error().retryable);
  EXPECT_EQ(r.error().crm_status, 200);
  EXPECT_EQ(str_of(r.error().crm_error, "error"), "invalid_code");
  credentials_["refresh_token"] = kZohoRefresh;
  credentials_["client_secret"] = "wrong";
  auto bad_secret = invoke("oauth_refresh");
  ASSERT_FALSE(bad_secret.ok());
  EXPECT_EQ(bad_secret.error().code, "auth_revoked");
  EXPECT_THAT(bad_secret.error().message, HasSubstr("invalid_client_secret"));
}

TEST_F(ZohoConnector, TokenRequestsTooFastAreRateLimited) {
  sandbox().configure({{"fail_next", {{{"status", 400}, {"path_prefix", "/oauth/v2/token"}}}}});
  auto r = invoke("oauth_refresh");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "rate_limited");
  EXPECT_TRUE(r.error().retryable);
  EXPECT_EQ(r.error().retry_after_ms, 60000);
}

TEST_F(ZohoConnector, ExpiredTokenIsAuthExpiredThenRefreshWorks) {
  sandbox().expire_tokens();
  auto r = find("+14155550132");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "auth_expired");
  EXPECT_TRUE(r.error().retryable);
  EXPECT_EQ(r.error().crm_status, 401);
  EXPECT_EQ(str_of(r.error().crm_error, "code"), "INVALID_TOKEN");
  EXPECT_THAT(r.error().message, HasSubstr("invalid oauth token"));

  auto tokens = invoke("oauth_refresh");
  ASSERT_TRUE(tokens.ok()) << tokens.error().message;
  credentials_["access_token"] = tokens.value().at("access_token");
  auto again = find("+14155550132");
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ(again.value().at("contacts").as_array().size(), 1u);
}

TEST_F(ZohoConnector, TokenLifetimeExpiresToo) {
  sandbox().configure({{"token_lifetime_s", 0.3}});
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  auto r = invoke("list_users");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "auth_expired");
}

TEST_F(ZohoConnector, NoApiDomainYetAsksForARefresh) {
  settings_.erase("api_domain");
  settings_["accounts_url"] = "https://accounts.example.test";
  auto r = invoke("list_users");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "auth_expired");
}

// ---------------------------------------------------------------------------------------------------------
// Limits and failures

TEST_F(ZohoConnector, TooManyRequestsIsRateLimitedWithRetryAfter) {
  sandbox().configure({{"fail_next", {{{"status", 429}, {"retry_after_s", 7}}}}});
  auto r = invoke("list_users");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "rate_limited");
  EXPECT_TRUE(r.error().retryable);
  EXPECT_EQ(r.error().retry_after_ms, 7000);
  EXPECT_EQ(r.error().crm_status, 429);
  EXPECT_EQ(str_of(r.error().crm_error, "code"), "TOO_MANY_REQUESTS");
}

TEST_F(ZohoConnector, SpentCreditsAreRateLimited) {
  sandbox().configure({{"daily_api_limit", 1}});
  ASSERT_TRUE(invoke("list_users").ok());
  auto r = invoke("list_users");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "rate_limited");
  EXPECT_EQ(r.error().crm_status, 429);
}

TEST_F(ZohoConnector, ServerErrorsAreRetryable) {
  sandbox().configure({{"fail_next", {{{"status", 500}}, {{"status", 503}, {"retry_after_s", 2}}}}});
  auto first = invoke("list_users");
  ASSERT_FALSE(first.ok());
  EXPECT_EQ(first.error().code, "unavailable");
  EXPECT_TRUE(first.error().retryable);
  EXPECT_EQ(str_of(first.error().crm_error, "code"), "INTERNAL_ERROR");
  auto second = invoke("list_users");
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code, "unavailable");
  EXPECT_EQ(second.error().retry_after_ms, 2000);
  EXPECT_TRUE(invoke("list_users").ok());
}

TEST_F(ZohoConnector, MissingScopeIsPermissionNotRetryable) {
  credentials_["access_token"] =
      sandbox()
          .post_json("/__sandbox/issue-token", boost::json::object{{"scope", "ZohoCRM.users.READ"}})
          .at("access_token");
  auto r = find("+14155550132");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "permission");
  EXPECT_FALSE(r.error().retryable);
  EXPECT_EQ(str_of(r.error().crm_error, "code"), "OAUTH_SCOPE_MISMATCH");
}

TEST_F(ZohoConnector, UnreachableCrmIsATransportError) {
  settings_["api_domain"] = "http://127.0.0.1:1";
  auto r = invoke("list_users");
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.error().retryable);
  EXPECT_THAT(r.error().code, ::testing::AnyOf("transport", "timeout"));
}

TEST_F(ZohoConnector, WebUrlSettingShapesLinks) {
  settings_["web_url"] = "https://crm.zoho.eu";
  auto r = find("+14155550132");
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(str_of(r.value().at("contacts").at(0), "url"), StartsWith("https://crm.zoho.eu/crm/tab/Contacts/"));
}

} // namespace
} // namespace appconnect::testing
