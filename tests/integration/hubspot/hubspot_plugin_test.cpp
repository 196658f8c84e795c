// The HubSpot plugin end to end: the built hubspot.so loaded through the host's PluginRegistry, every SDK
// operation invoked against the HubSpot sandbox, and what it wrote checked in the sandbox's store and
// request log. Also the failure paths the host depends on: token expiry -> auth_expired -> oauth_refresh,
// 429 with Retry-After, 5xx, validation errors, pagination, and idempotency through the external id.
#include "hubspot_fixture.hpp"

#include <gmock/gmock.h>

#include <thread>

namespace appconnect::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;
using ::testing::UnorderedElementsAre;

std::vector<std::string> names_of(const boost::json::value& result) {
  std::vector<std::string> out;
  for (const auto& c : result.at("contacts").as_array()) out.push_back(str(c, "name"));
  return out;
}

// Requests of the log whose path ends with `suffix`.
std::vector<boost::json::object> requests_to(const boost::json::array& log, const std::string& suffix) {
  std::vector<boost::json::object> out;
  for (const auto& r : log) {
    const std::string path = str(r, "path");
    if (path.size() >= suffix.size() && path.compare(path.size() - suffix.size(), suffix.size(), suffix) == 0)
      out.push_back(r.as_object());
  }
  return out;
}

boost::json::object call_log(const std::string& external_id, const std::string& contact_id) {
  return {{"external_id", external_id},
          {"contact_id", contact_id},
          {"owner_id", ""},
          {"direction", "inbound"},
          {"from_phone", "+14155550132"},
          {"to_phone", "+14155550100"},
          {"start_time", "2026-11-25T09:30:00Z"},
          {"duration_s", 95},
          {"result", "answered"},
          {"subject", "Inbound call from Olivia Bennett"},
          {"body", "Line 1 <urgent>\nLine 2 & more"},
          {"body_format", "text"},
          {"recording_url", "https://recordings.example/abc.mp3"},
          {"pending", false}};
}

class HubSpotPlugin : public HubSpotTest {
 protected:
  std::string olivia() const { return seeded_id("contacts", "email", "olivia.bennett@globex.example"); }
};

TEST_F(HubSpotPlugin, LoadsAndDescribesItself) {
  const auto* p = plugin();
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->manifest().id, "hubspot");
  for (const char* op : {"find_contacts", "create_contact", "create_call_log", "update_call_log",
                         "find_log_by_external_id", "create_message_log", "update_message_log", "list_users", "oauth"})
    EXPECT_TRUE(p->supports(op)) << op;
}

// ---- find_contacts ----

TEST_F(HubSpotPlugin, FindsAContactStoredInAnotherFormatThroughTheCalculatedProperty) {
  // Daniel Kim's phone is stored as "212-555-0147"; the host searches E.164 only.
  auto r = invoke("find_contacts", boost::json::object{{"phone_e164", "+12125550147"}});
  ASSERT_TRUE(r.ok()) << r.error().message;
  const auto& contacts = r.value().at("contacts").as_array();
  ASSERT_EQ(contacts.size(), 1u);
  const auto& c = contacts[0];
  EXPECT_EQ(str(c, "name"), "Daniel Kim");
  EXPECT_EQ(str(c, "type"), "contact");
  EXPECT_EQ(str(c, "phone"), "212-555-0147");
  EXPECT_EQ(str(c, "email"), "daniel.kim@initech.example");
  EXPECT_EQ(str(c, "company"), "Initech");
  EXPECT_EQ(str(c, "owner_id"), owner_id("priya.patel@acme-demo.example"));
  EXPECT_EQ(str(c, "created_at"), "2023-09-12T13:00:00Z");
  EXPECT_EQ(str(c, "modified_at"), "2024-03-18T09:30:00Z");
  EXPECT_EQ(str(c, "url"), sandbox().base_url() + "/contacts/24681357/record/0-1/" + str(c, "id"));

  // What went over the wire: one search with the calculated-property groups and the raw-text ones.
  const auto searches = requests_to(sandbox().requests(), "/crm/v3/objects/contacts/search");
  ASSERT_EQ(searches.size(), 1u);
  const auto body = boost::json::parse(str(searches[0], "body"));
  const auto& groups = body.at("filterGroups").as_array();
  EXPECT_LE(groups.size(), 5u);
  std::vector<std::string> properties;
  for (const auto& g : groups) properties.push_back(str(g.at("filters").at(0), "propertyName"));
  EXPECT_THAT(properties, ElementsAre("hs_searchable_calculated_phone_number", "hs_searchable_calculated_mobile_number",
                                      "phone", "mobilephone"));
  EXPECT_EQ(str(groups[0].at("filters").at(0), "value"), "2125550147");
}

TEST_F(HubSpotPlugin, ASharedNumberFindsEveryoneNewestFirst) {
  auto r =
      invoke("find_contacts", boost::json::object{{"phone_e164", "+14155550132"},
                                                  {"variants", boost::json::array{"(415) 555-0132", "4155550132"}}});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_THAT(names_of(r.value()), ElementsAre("Marcus Reed", "Olivia Bennett"));
}

TEST_F(HubSpotPlugin, FindsMobileOnlyInternationalAndOddlyWrittenNumbers) {
  auto find = [&](const char* e164) {
    auto r = invoke("find_contacts", boost::json::object{{"phone_e164", e164}});
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.ok() ? names_of(r.value()) : std::vector<std::string>{};
  };
  EXPECT_THAT(find("+16505550112"), ElementsAre("Liam O'Connor")); // mobile "650 555 0112"
  EXPECT_THAT(find("+442079460958"), ElementsAre("Emma Clarke"));  // "+44 20 7946 0958"
  EXPECT_THAT(find("+447700900123"), ElementsAre("Lucas Martin")); // mobile "+44 7700 900123"
  EXPECT_THAT(find("+12125550199"), ElementsAre("Ethan Brown"));   // "+1 212 555 0199 ext. 42"
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));    // the demo portal allows 5 searches/s
  EXPECT_THAT(find("+12125550183"), ElementsAre("Mia Johnson"));   // "1-212-555-0183"
  EXPECT_THAT(find("+14155550148"), ElementsAre("Sofia Alvarez")); // exactly E.164
  EXPECT_THAT(find("+19995550000"), ::testing::IsEmpty());
}

TEST_F(HubSpotPlugin, PagesThroughMoreMatchesThanOnePage) {
  for (const char* phone : {"(303) 555-0100", "303-555-0100", "+1 303 555 0100", "3035550100", "303.555.0100"})
    sandbox().seed_record("contacts", {{"firstname", "Shared"}, {"lastname", phone}, {"phone", phone}});
  const auto ctx = context({}, {{"search_page_size", "2"}});
  sandbox().clear_requests();
  auto all = invoke("find_contacts", boost::json::object{{"phone_e164", "+13035550100"}, {"limit", 20}}, ctx);
  ASSERT_TRUE(all.ok()) << all.error().message;
  EXPECT_EQ(all.value().at("contacts").as_array().size(), 5u);
  const auto searches = requests_to(sandbox().requests(), "/contacts/search");
  ASSERT_EQ(searches.size(), 3u);
  EXPECT_FALSE(boost::json::parse(str(searches[0], "body")).as_object().contains("after"));
  EXPECT_EQ(str(boost::json::parse(str(searches[1], "body")), "after"), "2");
  EXPECT_EQ(str(boost::json::parse(str(searches[2], "body")), "after"), "4");

  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  sandbox().clear_requests();
  auto three = invoke("find_contacts", boost::json::object{{"phone_e164", "+13035550100"}, {"limit", 3}}, ctx);
  ASSERT_TRUE(three.ok()) << three.error().message;
  EXPECT_EQ(three.value().at("contacts").as_array().size(), 3u);
  EXPECT_EQ(requests_to(sandbox().requests(), "/contacts/search").size(), 2u);
}

TEST_F(HubSpotPlugin, OtherRecordTypesAreNotSearched) {
  auto r = invoke("find_contacts",
                  boost::json::object{{"phone_e164", "+14155550132"}, {"types", boost::json::array{"Deal"}}});
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r.value().at("contacts").as_array().empty());
  EXPECT_TRUE(sandbox().requests().empty());
}

// ---- create_contact ----

TEST_F(HubSpotPlugin, CreatesPlaceholderContactsAndLeads) {
  const std::string james = owner_id("james.chen@acme-demo.example");
  auto r = invoke("create_contact", boost::json::object{{"type", "contact"},
                                                        {"first_name", "Unknown"},
                                                        {"last_name", "Caller"},
                                                        {"phone", "+17205550177"},
                                                        {"owner_id", james}});
  ASSERT_TRUE(r.ok()) << r.error().message;
  const std::string id = str(r.value(), "id");
  EXPECT_EQ(str(r.value(), "name"), "Unknown Caller");
  EXPECT_EQ(str(r.value(), "type"), "contact");
  EXPECT_EQ(str(r.value(), "owner_id"), james);
  EXPECT_FALSE(str(r.value(), "created_at").empty());
  const auto stored = record("contacts", id);
  EXPECT_EQ(prop(stored, "phone"), "+17205550177");
  EXPECT_EQ(prop(stored, "hs_searchable_calculated_phone_number"), "7205550177");
  EXPECT_EQ(prop(stored, "lifecyclestage"), "");

  auto lead = invoke("create_contact", boost::json::object{{"type", "lead"}, {"last_name", "Prospect"}});
  ASSERT_TRUE(lead.ok()) << lead.error().message;
  EXPECT_EQ(prop(record("contacts", str(lead.value(), "id")), "lifecyclestage"), "lead");
  auto bad = invoke("create_contact", boost::json::object{{"type", "company"}, {"last_name", "X"}});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, "validation");
}

// ---- call logs ----

TEST_F(HubSpotPlugin, CreatesACallWithEveryPropertyAndTheContactAssociation) {
  const std::string contact = olivia();
  const std::string maria = owner_id("maria.garcia@acme-demo.example");
  auto log = call_log("conv-100", contact);
  log["owner_id"] = maria;
  auto r = invoke("create_call_log", boost::json::object{{"log", log}});
  ASSERT_TRUE(r.ok()) << r.error().message;
  const std::string id = str(r.value(), "id");
  EXPECT_EQ(str(r.value(), "type"), "calls");
  EXPECT_EQ(str(r.value(), "url"), sandbox().base_url() + "/contacts/24681357/record/0-1/" + contact);

  const auto call = record("calls", id);
  EXPECT_EQ(prop(call, "hs_timestamp"), "2026-11-25T09:30:00.000Z");
  EXPECT_EQ(prop(call, "hs_call_title"), "Inbound call from Olivia Bennett");
  EXPECT_EQ(prop(call, "hs_call_body"), "Line 1 &lt;urgent&gt;<br>Line 2 &amp; more");
  EXPECT_EQ(prop(call, "hs_call_direction"), "INBOUND");
  EXPECT_EQ(prop(call, "hs_call_duration"), "95000");
  EXPECT_EQ(prop(call, "hs_call_status"), "COMPLETED");
  EXPECT_EQ(prop(call, "hs_call_disposition"), "f240bbac-87c9-4f6e-bf70-924b57d47db7"); // Connected
  EXPECT_EQ(prop(call, "hs_call_recording_url"), "https://recordings.example/abc.mp3");
  EXPECT_EQ(prop(call, "hs_call_from_number"), "+14155550132");
  EXPECT_EQ(prop(call, "hs_call_to_number"), "+14155550100");
  EXPECT_EQ(prop(call, "hubspot_owner_id"), maria);
  EXPECT_EQ(prop(call, "appconnect_external_id"), "conv-100");
  const auto& assoc = call.at("associations").at("contacts").at("results").as_array();
  ASSERT_EQ(assoc.size(), 1u);
  EXPECT_EQ(str(assoc[0], "id"), contact);
  EXPECT_EQ(str(assoc[0], "type"), "call_to_contact");
  const auto posts = requests_to(sandbox().requests(), "/crm/v3/objects/calls");
  ASSERT_EQ(posts.size(), 1u);
  EXPECT_THAT(str(posts[0], "body"), HasSubstr(R"("associationTypeId":194)"));
}

TEST_F(HubSpotPlugin, UpdatesTheSameCallAndMapsResults) {
  auto created = invoke("create_call_log", boost::json::object{{"log", call_log("conv-200", "")}});
  ASSERT_TRUE(created.ok()) << created.error().message;
  const std::string id = str(created.value(), "id");
  auto log = call_log("conv-200", olivia());
  log["result"] = "voicemail";
  log["direction"] = "outbound";
  log["duration_s"] = 30;
  log["recording_url"] = "http://insecure.example/v.wav"; // not HTTPS: goes into the body
  auto updated = invoke("update_call_log", boost::json::object{{"id", id}, {"log", log}});
  ASSERT_TRUE(updated.ok()) << updated.error().message;
  EXPECT_EQ(str(updated.value(), "id"), id);
  const auto call = record("calls", id);
  EXPECT_EQ(prop(call, "hs_call_direction"), "OUTBOUND");
  EXPECT_EQ(prop(call, "hs_call_status"), "COMPLETED");
  EXPECT_EQ(prop(call, "hs_call_disposition"), "b2cf5968-551e-4856-9783-52b3da59a7d0"); // Left voicemail
  EXPECT_EQ(prop(call, "hs_call_duration"), "30000");
  EXPECT_THAT(prop(call, "hs_call_body"), HasSubstr(R"(<a href="http://insecure.example/v.wav">)"));
  EXPECT_EQ(str(call.at("associations").at("contacts").at("results").at(0), "id"), olivia());
  EXPECT_EQ(sandbox().records("calls").size(), 2u) << "the seeded call and ours, nothing more";

  log["result"] = "missed";
  log["direction"] = "inbound";
  ASSERT_TRUE(invoke("update_call_log", boost::json::object{{"id", id}, {"log", log}}).ok());
  EXPECT_EQ(prop(record("calls", id), "hs_call_status"), "NO_ANSWER");
  EXPECT_EQ(prop(record("calls", id), "hs_call_disposition"), "73a0d17f-1163-4015-bdd5-ec830791da20");

  auto missing = invoke("update_call_log", boost::json::object{{"id", "123"}, {"log", log}});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, "not_found");
  EXPECT_EQ(missing.error().crm_status, 404);
}

TEST_F(HubSpotPlugin, TheExternalIdFindsTheLogAgainInsteadOfASecondOne) {
  auto none = invoke("find_log_by_external_id", boost::json::object{{"external_id", "conv-300"}, {"kind", "call"}});
  ASSERT_TRUE(none.ok()) << none.error().message;
  EXPECT_EQ(none.value().at("found"), false);

  auto created = invoke("create_call_log", boost::json::object{{"log", call_log("conv-300", olivia())}});
  ASSERT_TRUE(created.ok()) << created.error().message;
  // A retry after a crash: the host asks before creating, and gets the same record.
  auto found = invoke("find_log_by_external_id", boost::json::object{{"external_id", "conv-300"}, {"kind", "call"}});
  ASSERT_TRUE(found.ok()) << found.error().message;
  EXPECT_EQ(found.value().at("found"), true);
  EXPECT_EQ(str(found.value().at("record"), "id"), str(created.value(), "id"));
  EXPECT_EQ(str(found.value().at("record"), "type"), "calls");
  EXPECT_EQ(sandbox().records("calls").size(), 2u);
  // Case matters for our ids even though HubSpot's EQ does not care.
  auto other_case =
      invoke("find_log_by_external_id", boost::json::object{{"external_id", "CONV-300"}, {"kind", "call"}});
  ASSERT_TRUE(other_case.ok());
  EXPECT_EQ(other_case.value().at("found"), false);
  // Seeded logs by kind: the fax note.
  auto fax = invoke("find_log_by_external_id", boost::json::object{{"external_id", "demo-fax-0001"}, {"kind", "fax"}});
  ASSERT_TRUE(fax.ok());
  EXPECT_EQ(str(fax.value().at("record"), "type"), "notes");
}

// ---- message logs ----

TEST_F(HubSpotPlugin, SmsBecomesACommunicationFaxAndVoicemailBecomeNotes) {
  const std::string contact = olivia();
  boost::json::object sms{{"external_id", "sms-1"},
                          {"kind", "sms"},
                          {"contact_id", contact},
                          {"direction", "mixed"},
                          {"start_time", "2026-11-25T10:00:00Z"},
                          {"subject", "SMS with Olivia"},
                          {"body", "Hi!\nSee you at 3"},
                          {"message_count", 2}};
  auto r = invoke("create_message_log", boost::json::object{{"log", sms}});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(str(r.value(), "type"), "communications");
  const auto comm = record("communications", str(r.value(), "id"));
  EXPECT_EQ(prop(comm, "hs_communication_channel_type"), "SMS");
  EXPECT_EQ(prop(comm, "hs_communication_logged_from"), "CRM");
  EXPECT_EQ(prop(comm, "hs_communication_body"), "<b>SMS with Olivia</b><br>Hi!<br>See you at 3");
  EXPECT_EQ(prop(comm, "hs_timestamp"), "2026-11-25T10:00:00.000Z");
  EXPECT_EQ(prop(comm, "appconnect_external_id"), "sms-1");
  EXPECT_EQ(str(comm.at("associations").at("contacts").at("results").at(0), "type"), "communication_to_contact");

  sms["body"] = "Hi!\nSee you at 3\nOK";
  sms["message_count"] = 3;
  auto upd = invoke("update_message_log", boost::json::object{{"id", str(r.value(), "id")}, {"log", sms}});
  ASSERT_TRUE(upd.ok()) << upd.error().message;
  EXPECT_THAT(prop(record("communications", str(r.value(), "id")), "hs_communication_body"), HasSubstr("<br>OK"));

  boost::json::object fax{{"external_id", "fax-1"},
                          {"kind", "fax"},
                          {"contact_id", contact},
                          {"direction", "inbound"},
                          {"start_time", "2026-11-25T11:00:00Z"},
                          {"subject", "Fax from +14155550132 (3 pages)"},
                          {"body", "Received fax"},
                          {"fax_pages", 3},
                          {"attachment_url", "https://files.example/fax.pdf"}};
  auto f = invoke("create_message_log", boost::json::object{{"log", fax}});
  ASSERT_TRUE(f.ok()) << f.error().message;
  EXPECT_EQ(str(f.value(), "type"), "notes");
  const auto note = record("notes", str(f.value(), "id"));
  EXPECT_EQ(prop(note, "hs_note_body"),
            "<b>Fax from +14155550132 (3 pages)</b><br>Received fax<br>Document: "
            "<a href=\"https://files.example/fax.pdf\">https://files.example/fax.pdf</a>");
  EXPECT_EQ(str(note.at("associations").at("contacts").at("results").at(0), "type"), "note_to_contact");

  fax["kind"] = "voicemail";
  fax["external_id"] = "vm-1";
  auto v = invoke("create_message_log", boost::json::object{{"log", fax}});
  ASSERT_TRUE(v.ok()) << v.error().message;
  auto found = invoke("find_log_by_external_id", boost::json::object{{"external_id", "vm-1"}, {"kind", "voicemail"}});
  ASSERT_TRUE(found.ok()) << found.error().message;
  EXPECT_EQ(str(found.value().at("record"), "id"), str(v.value(), "id"));
}

// ---- users ----

TEST_F(HubSpotPlugin, ListsOwnersAcrossPages) {
  for (int i = 0; i < 120; ++i)
    sandbox().seed_record("owners", {{"email", "rep" + std::to_string(i) + "@acme-demo.example"},
                                     {"firstName", "Rep"},
                                     {"lastName", std::to_string(i)}});
  sandbox().seed_record("owners", {{"email", "gone@acme-demo.example"}, {"archived", true}});
  auto r = invoke("list_users");
  ASSERT_TRUE(r.ok()) << r.error().message;
  const auto& users = r.value().at("users").as_array();
  EXPECT_EQ(users.size(), 123u);
  EXPECT_EQ(str(users[0], "name"), "Maria Garcia");
  EXPECT_EQ(str(users[0], "email"), "maria.garcia@acme-demo.example");
  EXPECT_EQ(str(users[0], "id"), owner_id("maria.garcia@acme-demo.example"));
  EXPECT_EQ(users[0].at("active"), true);
  EXPECT_EQ(requests_to(sandbox().requests(), "/crm/v3/owners").size(), 2u);
}

// ---- OAuth ----

TEST_F(HubSpotPlugin, AuthorizeUrlCodeExchangeAndTheLearnedPortal) {
  auto url =
      invoke("oauth_authorize_url", boost::json::object{{"redirect_uri", "http://127.0.0.1:9/cb"}, {"state", "s1"}});
  ASSERT_TRUE(url.ok()) << url.error().message;
  const std::string authorize = str(url.value(), "url");
  EXPECT_THAT(authorize, StartsWith(sandbox().base_url() + "/oauth/authorize?client_id=appconnect-demo&scope="
                                                           "crm.objects.contacts.read%20crm.objects.contacts.write%20"
                                                           "crm.objects.owners.read&redirect_uri="));
  auto consent = http("GET", authorize);
  ASSERT_EQ(consent.status, 302) << consent.body;
  const std::string location = consent.header("Location");
  const auto code_at = location.find("code=");
  ASSERT_NE(code_at, std::string::npos);
  std::string code = location.substr(code_at + 5);
  code = code.substr(0, code.find('&'));
  EXPECT_THAT(location, HasSubstr("state=s1"));

  auto tokens =
      invoke("oauth_exchange_code", boost::json::object{{"code", code}, {"redirect_uri", "http://127.0.0.1:9/cb"}});
  ASSERT_TRUE(tokens.ok()) << tokens.error().message;
  EXPECT_FALSE(str(tokens.value(), "access_token").empty());
  EXPECT_FALSE(str(tokens.value(), "refresh_token").empty());
  EXPECT_EQ(tokens.value().at("expires_in_s"), 1800);
  EXPECT_EQ(str(tokens.value().at("settings"), "portal_id"), "24681357");

  auto ctx = context({{"client_id", "appconnect-demo"},
                      {"client_secret", "demo-secret"},
                      {"refresh_token", str(tokens.value(), "refresh_token")},
                      {"access_token", str(tokens.value(), "access_token")}});
  auto found = invoke("find_contacts", boost::json::object{{"phone_e164", "+14155550148"}}, ctx);
  ASSERT_TRUE(found.ok()) << found.error().message;
  EXPECT_EQ(found.value().at("contacts").as_array().size(), 1u);

  auto reused =
      invoke("oauth_exchange_code", boost::json::object{{"code", code}, {"redirect_uri", "http://127.0.0.1:9/cb"}});
  ASSERT_FALSE(reused.ok());
  EXPECT_EQ(reused.error().code, "auth_revoked");
  EXPECT_THAT(reused.error().message, HasSubstr("BAD_AUTH_CODE"));
}

TEST_F(HubSpotPlugin, AnExpiredTokenIsAuthExpiredAndARefreshFixesIt) {
  ASSERT_TRUE(invoke("list_users").ok());
  sandbox().expire_tokens();
  auto expired = invoke("list_users");
  ASSERT_FALSE(expired.ok());
  EXPECT_EQ(expired.error().code, "auth_expired");
  EXPECT_TRUE(expired.error().retryable);
  EXPECT_EQ(expired.error().crm_status, 401);
  EXPECT_EQ(str(expired.error().crm_error, "category"), "EXPIRED_AUTHENTICATION");
  EXPECT_THAT(expired.error().message, HasSubstr("The OAuth token used to make this call expired"));

  auto refreshed = invoke("oauth_refresh");
  ASSERT_TRUE(refreshed.ok()) << refreshed.error().message;
  EXPECT_EQ(str(refreshed.value(), "refresh_token"), "demo-refresh-token");
  EXPECT_EQ(refreshed.value().at("expires_in_s"), 1800);
  token_ = str(refreshed.value(), "access_token");
  auto again = invoke("list_users");
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ(again.value().at("users").as_array().size(), 3u);
}

TEST_F(HubSpotPlugin, ARefusedRefreshTokenNeedsReauthorization) {
  auto r = invoke(
      "oauth_refresh", boost::json::object{},
      context({{"client_id", "appconnect-demo"}, {"client_secret", "demo-secret"}, {"refresh_token", "revoked"}}));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "auth_revoked");
  EXPECT_FALSE(r.error().retryable);
  EXPECT_THAT(r.error().message, HasSubstr("BAD_REFRESH_TOKEN"));
  auto nothing = invoke("oauth_refresh", boost::json::object{}, context({{"client_id", "appconnect-demo"}}));
  ASSERT_FALSE(nothing.ok());
  EXPECT_EQ(nothing.error().code, "auth_revoked");
}

TEST_F(HubSpotPlugin, APrivateAppTokenIsUsedAsIsAndNeverRefreshed) {
  const auto ctx = context({{"private_app_token", kPrivateAppToken}});
  auto refreshed = invoke("oauth_refresh", boost::json::object{}, ctx);
  ASSERT_TRUE(refreshed.ok()) << refreshed.error().message;
  EXPECT_EQ(str(refreshed.value(), "access_token"), kPrivateAppToken);
  EXPECT_FALSE(refreshed.value().as_object().contains("expires_in_s"));
  sandbox().expire_tokens();
  auto found = invoke("find_contacts", boost::json::object{{"phone_e164", "+14155550148"}}, ctx);
  ASSERT_TRUE(found.ok()) << found.error().message;
  EXPECT_EQ(found.value().at("contacts").as_array().size(), 1u);
  auto rejected = invoke("list_users", boost::json::object{}, context({{"private_app_token", "pat-na1-wrong"}}));
  ASSERT_FALSE(rejected.ok());
  EXPECT_EQ(rejected.error().code, "auth_revoked");
  EXPECT_FALSE(rejected.error().retryable);
}

// ---- errors ----

TEST_F(HubSpotPlugin, A429IsRateLimitedWithTheServersRetryAfter) {
  sandbox().configure(boost::json::parse(R"({"fail_next":[{"status":429,"retry_after_s":3}]})").as_object());
  auto r = invoke("create_call_log", boost::json::object{{"log", call_log("conv-429", olivia())}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "rate_limited");
  EXPECT_TRUE(r.error().retryable);
  EXPECT_EQ(r.error().retry_after_ms, 3000);
  EXPECT_EQ(r.error().crm_status, 429);
  EXPECT_EQ(str(r.error().crm_error, "policyName"), "TEN_SECONDLY_ROLLING");
  EXPECT_THAT(r.error().message, HasSubstr("ten_secondly_rolling"));
  // Without Retry-After the ten-second window's length is the wait.
  sandbox().configure(boost::json::parse(R"({"fail_next":[{"status":429}]})").as_object());
  auto again = invoke("list_users");
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().retry_after_ms, 10000);
  ASSERT_TRUE(invoke("list_users").ok());
}

TEST_F(HubSpotPlugin, TheDailyLimitIsQuotaExhausted) {
  sandbox().configure({{"daily_api_limit", 0}});
  auto r = invoke("list_users");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "quota_exhausted");
  EXPECT_TRUE(r.error().retryable);
  EXPECT_EQ(r.error().retry_after_ms, 3600000);
}

TEST_F(HubSpotPlugin, ServerErrorsAreUnavailableAndRetryable) {
  sandbox().configure(
      boost::json::parse(R"({"fail_next":[{"status":503,"retry_after_s":5},{"status":500}]})").as_object());
  auto r = invoke("find_contacts", boost::json::object{{"phone_e164", "+14155550148"}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "unavailable");
  EXPECT_TRUE(r.error().retryable);
  EXPECT_EQ(r.error().retry_after_ms, 5000);
  auto r2 = invoke("list_users");
  ASSERT_FALSE(r2.ok());
  EXPECT_EQ(r2.error().code, "unavailable");
  EXPECT_EQ(r2.error().crm_status, 500);
}

TEST_F(HubSpotPlugin, ValidationErrorsKeepHubSpotsMessage) {
  auto log = call_log("conv-bad", olivia());
  log["owner_id"] = "424242";
  auto r = invoke("create_call_log", boost::json::object{{"log", log}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "validation");
  EXPECT_FALSE(r.error().retryable);
  EXPECT_EQ(r.error().crm_status, 400);
  EXPECT_THAT(r.error().message, StartsWith("HubSpot VALIDATION_ERROR: Property values were not valid"));
  EXPECT_THAT(r.error().message, HasSubstr("424242 is not a valid owner id"));

  // A portal without the external-id property: the admin is told what to create.
  auto missing = invoke("create_call_log", boost::json::object{{"log", call_log("conv-x", olivia())}},
                        context({}, {{"external_id_property", "rc_session_id"}}));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, "validation");
  EXPECT_THAT(missing.error().message, HasSubstr("create the custom property 'rc_session_id'"));
}

// A portal with a search limit of one per second and a private app without the owners scope.
class HubSpotPluginTightPortal : public HubSpotPlugin {
 protected:
  static void SetUpTestSuite() {
    start_sandbox({{"rate_limits", boost::json::object{{"search_per_second", 1}}},
                   {"private_apps",
                    boost::json::parse(
                        R"([{"name":"narrow","token":"pat-na1-narrow","scopes":["crm.objects.contacts.read"]}])")}});
  }
};

TEST_F(HubSpotPluginTightPortal, TheSearchLimitIsRateLimitedForASecond) {
  ASSERT_TRUE(invoke("find_contacts", boost::json::object{{"phone_e164", "+14155550148"}}).ok());
  auto r = invoke("find_contacts", boost::json::object{{"phone_e164", "+14155550148"}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "rate_limited");
  EXPECT_EQ(r.error().retry_after_ms, 1000);
  EXPECT_EQ(str(r.error().crm_error, "policyName"), "SECONDLY");
}

TEST_F(HubSpotPluginTightPortal, AMissingScopeIsPermission) {
  auto r = invoke("list_users", boost::json::object{}, context({{"private_app_token", "pat-na1-narrow"}}));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "permission");
  EXPECT_FALSE(r.error().retryable);
  EXPECT_THAT(r.error().message, HasSubstr("MISSING_SCOPES"));
  EXPECT_THAT(r.error().message, HasSubstr("crm.objects.owners.read"));
}

} // namespace
} // namespace appconnect::testing
