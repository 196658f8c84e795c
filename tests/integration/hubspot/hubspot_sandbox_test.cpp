// The HubSpot emulator on the wire: OAuth, CRM v3 objects, associations, search, owners, error bodies,
// rate-limit headers and 429s, injected faults — status codes, bodies and headers as a HubSpot client sees
// them (facts: docs/crm-and-telephony-apis.md section 2).
#include "hubspot_fixture.hpp"

#include <gmock/gmock.h>

#include <regex>
#include <set>
#include <thread>

namespace appconnect::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;
using ::testing::UnorderedElementsAre;

const std::regex kIsoMs(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)");
const std::regex kUuid(R"([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})");

std::map<std::string, std::string> query_of(const std::string& url) {
  std::map<std::string, std::string> out;
  const auto q = url.find('?');
  if (q == std::string::npos) return out;
  std::stringstream in(url.substr(q + 1));
  std::string pair;
  while (std::getline(in, pair, '&')) {
    const auto eq = pair.find('=');
    out[pair.substr(0, eq)] = eq == std::string::npos ? "" : pair.substr(eq + 1);
  }
  return out;
}

boost::json::object eq(const std::string& property, const std::string& value) {
  return {{"propertyName", property}, {"operator", "EQ"}, {"value", value}};
}

boost::json::object groups_of(std::initializer_list<boost::json::object> filters_per_group) {
  boost::json::array groups;
  for (const auto& f : filters_per_group) groups.push_back(boost::json::object{{"filters", boost::json::array{f}}});
  return {{"filterGroups", std::move(groups)}};
}

// ------------------------------------------------------------------------------------------------
// OAuth

class HubSpotSandboxOAuth : public HubSpotTest {};

TEST_F(HubSpotSandboxOAuth, AuthorizeRedirectsWithCodeAndStateThenTheCodeBuysTokens) {
  const std::string redirect = "http://127.0.0.1:9/callback";
  auto r = sandbox().request("GET", "/oauth/authorize?client_id=appconnect-demo&scope=" +
                                        url_encode("crm.objects.contacts.read crm.objects.contacts.write") +
                                        "&redirect_uri=" + url_encode(redirect) + "&state=xyz");
  ASSERT_EQ(r.status, 302) << r.body;
  const std::string location = r.header("Location");
  EXPECT_THAT(location, StartsWith(redirect + "?code="));
  const auto q = query_of(location);
  EXPECT_EQ(q.at("state"), "xyz");

  auto t = sandbox().request("POST", "/oauth/v1/token",
                             form({{"grant_type", "authorization_code"},
                                   {"client_id", "appconnect-demo"},
                                   {"client_secret", "demo-secret"},
                                   {"redirect_uri", redirect},
                                   {"code", q.at("code")}}),
                             {{"Content-Type", "application/x-www-form-urlencoded"}});
  ASSERT_EQ(t.status, 200) << t.body;
  const auto body = t.json();
  EXPECT_EQ(str(body, "token_type"), "bearer");
  EXPECT_EQ(body.at("expires_in"), 1800);
  EXPECT_FALSE(str(body, "access_token").empty());
  EXPECT_FALSE(str(body, "refresh_token").empty());
  EXPECT_EQ(body.at("hub_id"), 24681357);

  // The access token works; the code was single-use.
  auto me = sandbox().request("GET", "/crm/v3/owners", {}, {{"Authorization", "Bearer " + str(body, "access_token")}});
  EXPECT_EQ(me.status, 403) << "no owners scope was requested: " << me.body;
  EXPECT_EQ(category(me), "MISSING_SCOPES");
  auto contacts = sandbox().request("GET", "/crm/v3/objects/contacts?limit=1", {},
                                    {{"Authorization", "Bearer " + str(body, "access_token")}});
  EXPECT_EQ(contacts.status, 200);
  auto again = sandbox().request("POST", "/oauth/v1/token",
                                 form({{"grant_type", "authorization_code"},
                                       {"client_id", "appconnect-demo"},
                                       {"client_secret", "demo-secret"},
                                       {"redirect_uri", redirect},
                                       {"code", q.at("code")}}),
                                 {{"Content-Type", "application/x-www-form-urlencoded"}});
  EXPECT_EQ(again.status, 400);
  EXPECT_EQ(str(again.json(), "status"), "BAD_AUTH_CODE");
}

TEST_F(HubSpotSandboxOAuth, AuthorizeRefusesUnknownClientsRedirectsAndScopes) {
  EXPECT_EQ(sandbox()
                .request("GET", "/oauth/authorize?client_id=nope&scope=oauth&redirect_uri=http%3A%2F%2F127.0.0.1%2Fcb")
                .status,
            400);
  EXPECT_EQ(
      sandbox()
          .request(
              "GET",
              "/oauth/authorize?client_id=appconnect-demo&scope=oauth&redirect_uri=https%3A%2F%2Fevil.example%2Fcb")
          .status,
      400);
  EXPECT_EQ(
      sandbox()
          .request("GET",
                   "/oauth/authorize?client_id=appconnect-demo&scope=tickets&redirect_uri=http%3A%2F%2F127.0.0.1%2Fcb")
          .status,
      400);
}

TEST_F(HubSpotSandboxOAuth, RefreshReturnsTheSameRefreshTokenAndBadOnesAreRefused) {
  auto ok = sandbox().request("POST", "/oauth/v1/token",
                              form({{"grant_type", "refresh_token"},
                                    {"client_id", "appconnect-demo"},
                                    {"client_secret", "demo-secret"},
                                    {"refresh_token", "demo-refresh-token"}}),
                              {{"Content-Type", "application/x-www-form-urlencoded"}});
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(str(ok.json(), "refresh_token"), "demo-refresh-token");
  EXPECT_EQ(ok.json().at("expires_in"), 1800);

  auto bad = sandbox().request("POST", "/oauth/v1/token",
                               form({{"grant_type", "refresh_token"},
                                     {"client_id", "appconnect-demo"},
                                     {"client_secret", "demo-secret"},
                                     {"refresh_token", "stale"}}),
                               {{"Content-Type", "application/x-www-form-urlencoded"}});
  EXPECT_EQ(bad.status, 400);
  const auto body = bad.json();
  EXPECT_EQ(str(body, "status"), "BAD_REFRESH_TOKEN");
  EXPECT_EQ(str(body, "message"), "missing or invalid refresh token");
  EXPECT_TRUE(std::regex_match(str(body, "correlationId"), kUuid));

  auto secret = sandbox().request("POST", "/oauth/v1/token",
                                  form({{"grant_type", "refresh_token"},
                                        {"client_id", "appconnect-demo"},
                                        {"client_secret", "wrong"},
                                        {"refresh_token", "demo-refresh-token"}}),
                                  {{"Content-Type", "application/x-www-form-urlencoded"}});
  EXPECT_EQ(secret.status, 400);
  auto client = sandbox().request("POST", "/oauth/v1/token",
                                  form({{"grant_type", "refresh_token"}, {"client_id", "x"}, {"refresh_token", "y"}}),
                                  {{"Content-Type", "application/x-www-form-urlencoded"}});
  EXPECT_EQ(str(client.json(), "status"), "BAD_CLIENT_ID");
}

TEST_F(HubSpotSandboxOAuth, TokenMetadataAndRefreshTokenDeletion) {
  auto info = sandbox().request("GET", "/oauth/v1/access-tokens/" + token_);
  ASSERT_EQ(info.status, 200) << info.body;
  EXPECT_EQ(info.json().at("hub_id"), 24681357);
  EXPECT_EQ(str(info.json(), "user"), "maria.garcia@acme-demo.example");
  EXPECT_EQ(str(info.json(), "token_type"), "access");
  EXPECT_EQ(sandbox().request("GET", "/oauth/v1/refresh-tokens/demo-refresh-token").status, 200);
  EXPECT_EQ(sandbox().request("DELETE", "/oauth/v1/refresh-tokens/demo-refresh-token").status, 204);
  EXPECT_EQ(sandbox().request("GET", "/oauth/v1/refresh-tokens/demo-refresh-token").status, 404);
}

TEST_F(HubSpotSandboxOAuth, MissingInvalidAndExpiredTokensAre401WithHubSpotCategories) {
  auto none = sandbox().request("GET", "/crm/v3/objects/contacts");
  EXPECT_EQ(none.status, 401);
  EXPECT_EQ(category(none), "INVALID_AUTHENTICATION");
  EXPECT_THAT(str(none.json(), "message"), StartsWith("Authentication credentials not found."));
  EXPECT_EQ(sandbox().request("GET", "/crm/v3/objects/contacts", {}, {{"Authorization", "Bearer bogus"}}).status, 401);

  ASSERT_EQ(api("GET", "/crm/v3/objects/contacts").status, 200);
  sandbox().expire_tokens();
  auto expired = api("GET", "/crm/v3/objects/contacts");
  EXPECT_EQ(expired.status, 401);
  const auto body = expired.json();
  EXPECT_EQ(str(body, "status"), "error");
  EXPECT_EQ(str(body, "category"), "EXPIRED_AUTHENTICATION");
  EXPECT_THAT(str(body, "message"), StartsWith("The OAuth token used to make this call expired "));
  EXPECT_TRUE(std::regex_match(std::string(body.at("context").at("expire time").at(0).as_string()), kIsoMs));
  EXPECT_TRUE(std::regex_match(str(body, "correlationId"), kUuid));
  EXPECT_EQ(expired.header("x-hubspot-correlation-id"), str(body, "correlationId"));
}

TEST_F(HubSpotSandboxOAuth, PrivateAppTokensWorkAndDoNotExpire) {
  sandbox().expire_tokens();
  auto r = sandbox().request("GET", "/crm/v3/objects/contacts?limit=2", {},
                             {{"Authorization", std::string("Bearer ") + kPrivateAppToken}});
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("X-HubSpot-RateLimit-Max"), "190"); // private apps get their own, larger bucket
}

// ------------------------------------------------------------------------------------------------
// Objects

class HubSpotSandboxObjects : public HubSpotTest {};

TEST_F(HubSpotSandboxObjects, CreateReadUpdateArchiveContact) {
  auto created =
      api_json("POST", "/crm/v3/objects/contacts",
               boost::json::parse(R"({"properties":{"firstname":"Zoe","lastname":"Ng","phone":"(720) 555-0134",
                                                  "mobilephone":"+1 720 555 0135"}})"));
  ASSERT_EQ(created.status, 201) << created.body;
  auto c = created.json();
  const std::string id = str(c, "id");
  EXPECT_FALSE(id.empty());
  EXPECT_EQ(prop(c, "hs_object_id"), id);
  EXPECT_EQ(c.at("archived"), false);
  EXPECT_TRUE(std::regex_match(str(c, "createdAt"), kIsoMs));
  EXPECT_TRUE(std::regex_match(prop(c, "createdate"), kIsoMs));
  // Calculated phone helpers: digits without the country code, and the international form.
  EXPECT_EQ(prop(c, "hs_searchable_calculated_phone_number"), "7205550134");
  EXPECT_EQ(prop(c, "hs_searchable_calculated_mobile_number"), "7205550135");
  EXPECT_EQ(prop(c, "hs_calculated_phone_number"), "+17205550134");
  for (const auto& kv : c.at("properties").as_object()) EXPECT_TRUE(kv.value().is_string()) << kv.key();

  // GET without properties: the contact defaults; with them: unknown names left out, unset ones null.
  auto read = api("GET", "/crm/v3/objects/contacts/" + id);
  ASSERT_EQ(read.status, 200);
  std::vector<std::string> keys;
  const auto read_body = read.json();
  for (const auto& kv : read_body.at("properties").as_object()) keys.emplace_back(kv.key());
  EXPECT_THAT(keys,
              UnorderedElementsAre("createdate", "email", "firstname", "hs_object_id", "lastmodifieddate", "lastname"));
  auto some = api("GET", "/crm/v3/objects/contacts/" + id + "?properties=phone,company,no_such_thing");
  const auto some_body = some.json();
  const auto& props = some_body.at("properties").as_object();
  EXPECT_EQ(props.at("phone"), "(720) 555-0134");
  EXPECT_TRUE(props.at("company").is_null());
  EXPECT_FALSE(props.contains("no_such_thing"));

  auto patched = api_json("PATCH", "/crm/v3/objects/contacts/" + id,
                          boost::json::parse(R"({"properties":{"phone":"","company":"Acme"}})"));
  ASSERT_EQ(patched.status, 200) << patched.body;
  EXPECT_EQ(prop(patched.json(), "company"), "Acme");
  EXPECT_FALSE(patched.json().at("properties").as_object().contains("phone")) << "empty string clears";

  auto gone = api("DELETE", "/crm/v3/objects/contacts/" + id);
  EXPECT_EQ(gone.status, 204);
  EXPECT_TRUE(gone.body.empty());
  auto missing = api("GET", "/crm/v3/objects/contacts/" + id);
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(str(missing.json(), "status"), "error");
  EXPECT_EQ(str(missing.json(), "message"), "resource not found");
  EXPECT_EQ(category(missing), "OBJECT_NOT_FOUND");
  EXPECT_EQ(api("GET", "/crm/v3/objects/contacts/" + id + "?archived=true").status, 200);
  EXPECT_EQ(api_json("PATCH", "/crm/v3/objects/contacts/999999", boost::json::parse(R"({"properties":{}})")).status,
            404);
}

TEST_F(HubSpotSandboxObjects, ValidationErrorsListEveryBadProperty) {
  auto r = api_json("POST", "/crm/v3/objects/calls",
                    boost::json::parse(R"({"properties":{"hs_call_direction":"sideways","nonsense":"x",
                                           "hs_object_id":"5","hs_call_duration":"long"}})"));
  ASSERT_EQ(r.status, 400);
  const auto body = r.json();
  EXPECT_EQ(str(body, "category"), "VALIDATION_ERROR");
  EXPECT_THAT(str(body, "message"), StartsWith("Property values were not valid: [{"));
  // The message embeds a JSON list of problems; `errors` repeats them.
  const auto listed =
      boost::json::parse(str(body, "message").substr(std::string("Property values were not valid: ").size()));
  std::vector<std::string> codes;
  for (const auto& p : listed.as_array()) codes.push_back(str(p, "error"));
  EXPECT_THAT(codes, UnorderedElementsAre("INVALID_OPTION", "PROPERTY_DOESNT_EXIST", "READ_ONLY_VALUE", "INVALID_LONG",
                                          "REQUIRED_PROPERTY"));
  EXPECT_EQ(body.at("errors").as_array().size(), 5u);
  EXPECT_THAT(str(body, "message"), HasSubstr(R"(sideways was not one of the allowed options: [INBOUND, OUTBOUND])"));

  auto owner =
      api_json("POST", "/crm/v3/objects/notes",
               boost::json::parse(R"({"properties":{"hs_timestamp":"2024-06-01T10:00:00Z","hubspot_owner_id":"1"}})"));
  EXPECT_EQ(owner.status, 400);
  EXPECT_THAT(str(owner.json(), "message"), HasSubstr("INVALID_OWNER_ID"));

  auto email = api_json("POST", "/crm/v3/objects/contacts",
                        boost::json::parse(R"({"properties":{"email":"OLIVIA.bennett@globex.example"}})"));
  EXPECT_EQ(email.status, 409);
  EXPECT_EQ(category(email), "CONFLICT");
  EXPECT_THAT(str(email.json(), "message"), StartsWith("Contact already exists. Existing ID: "));

  auto broken = api("POST", "/crm/v3/objects/contacts", "{not json");
  EXPECT_EQ(broken.status, 400);
  EXPECT_EQ(category(broken), "VALIDATION_ERROR");
  auto unknown_type = api("GET", "/crm/v3/objects/widgets/1");
  EXPECT_EQ(unknown_type.status, 400);
  EXPECT_EQ(str(unknown_type.json(), "message"), "Unable to infer object type from: widgets");
}

TEST_F(HubSpotSandboxObjects, ActivitiesTakeTimestampsInEitherFormAndAssociateBothWays) {
  const std::string olivia = seeded_id("contacts", "email", "olivia.bennett@globex.example");
  const std::string call =
      create("calls",
             {{"hs_timestamp", "1717236000000"},
              {"hs_call_title", "Test"},
              {"hs_call_duration", 65000},
              {"hs_call_direction", "OUTBOUND"},
              {"appconnect_external_id", "ext-1"}},
             boost::json::parse(R"([{"to":{"id":")" + olivia +
                                R"("},"types":[{"associationCategory":"HUBSPOT_DEFINED","associationTypeId":194}]}])")
                 .as_array());
  ASSERT_FALSE(call.empty());
  auto read = api("GET", "/crm/v3/objects/calls/" + call +
                             "?properties=hs_timestamp,hs_call_duration,appconnect_external_id&associations=contacts");
  ASSERT_EQ(read.status, 200);
  const auto body = read.json();
  EXPECT_EQ(prop(body, "hs_timestamp"), "2024-06-01T10:00:00.000Z");
  EXPECT_EQ(prop(body, "hs_call_duration"), "65000"); // numbers come back as strings
  EXPECT_EQ(prop(body, "appconnect_external_id"), "ext-1");
  const auto& assoc = body.at("associations").at("contacts").at("results").as_array();
  ASSERT_EQ(assoc.size(), 1u);
  EXPECT_EQ(str(assoc[0], "id"), olivia);
  EXPECT_EQ(str(assoc[0], "type"), "call_to_contact");
  auto back = api("GET", "/crm/v3/objects/contacts/" + olivia + "?associations=calls");
  std::vector<std::string> calls;
  const auto back_body = back.json();
  for (const auto& a : back_body.at("associations").at("calls").at("results").as_array()) {
    calls.emplace_back(a.at("id").as_string());
    EXPECT_EQ(str(a, "type"), "contact_to_call");
  }
  EXPECT_THAT(calls, ::testing::Contains(call));

  // The association type must fit the objects, and the target must exist.
  auto wrong = api_json(
      "POST", "/crm/v3/objects/calls",
      boost::json::parse(R"({"properties":{"hs_timestamp":"2024-06-01T10:00:00Z"},
                          "associations":[{"to":{"id":")" +
                         olivia +
                         R"("},"types":[{"associationCategory":"HUBSPOT_DEFINED","associationTypeId":202}]}]})"));
  EXPECT_EQ(wrong.status, 400);
  auto nobody = api_json("POST", "/crm/v3/objects/notes",
                         boost::json::parse(R"({"properties":{"hs_timestamp":"2024-06-01T10:00:00Z"},
                          "associations":[{"to":{"id":"999999"},"types":[{"associationCategory":"HUBSPOT_DEFINED","associationTypeId":202}]}]})"));
  EXPECT_EQ(nobody.status, 400);

  // Associating afterwards: PUT .../associations/contacts/{id}/{type}.
  const std::string note = create("notes", {{"hs_timestamp", "2024-06-01T10:00:00Z"}, {"hs_note_body", "x"}});
  auto put = api("PUT", "/crm/v3/objects/notes/" + note + "/associations/contacts/" + olivia + "/note_to_contact");
  EXPECT_EQ(put.status, 200) << put.body;
  auto listed = api("GET", "/crm/v3/objects/notes/" + note + "/associations/contacts");
  EXPECT_EQ(str(listed.json().at("results").at(0), "id"), olivia);
}

TEST_F(HubSpotSandboxObjects, SmsIsACommunicationThatMustSayItWasLoggedFromTheCrm) {
  auto missing = api_json("POST", "/crm/v3/objects/communications",
                          boost::json::parse(R"({"properties":{"hs_timestamp":"2024-06-01T10:00:00Z",
                                                 "hs_communication_channel_type":"SMS","hs_communication_body":"hi"}})"));
  EXPECT_EQ(missing.status, 400);
  EXPECT_THAT(str(missing.json(), "message"), HasSubstr("hs_communication_logged_from"));
  const std::string id = create("communications", {{"hs_timestamp", "2024-06-01T10:00:00Z"},
                                                   {"hs_communication_channel_type", "SMS"},
                                                   {"hs_communication_logged_from", "CRM"},
                                                   {"hs_communication_body", "hi"}});
  EXPECT_FALSE(id.empty());
}

TEST_F(HubSpotSandboxObjects, OwnersPageWithAfterAndResolveByUserId) {
  auto first = api("GET", "/crm/v3/owners?limit=2");
  ASSERT_EQ(first.status, 200) << first.body;
  const auto page = first.json();
  ASSERT_EQ(page.at("results").as_array().size(), 2u);
  const auto& o = page.at("results").at(0);
  EXPECT_EQ(str(o, "email"), "maria.garcia@acme-demo.example");
  EXPECT_EQ(str(o, "type"), "PERSON");
  EXPECT_EQ(o.at("userId"), 41000001);
  EXPECT_EQ(o.at("archived"), false);
  const std::string after = str(page.at("paging").at("next"), "after");
  EXPECT_EQ(after, "2");
  EXPECT_THAT(str(page.at("paging").at("next"), "link"), HasSubstr("after=2"));
  auto second = api("GET", "/crm/v3/owners?limit=2&after=" + after);
  EXPECT_EQ(second.json().at("results").as_array().size(), 1u);
  EXPECT_FALSE(second.json().as_object().contains("paging"));
  auto by_user = api("GET", "/crm/v3/owners/41000002?idProperty=userId");
  EXPECT_EQ(str(by_user.json(), "email"), "james.chen@acme-demo.example");
  EXPECT_EQ(api("GET", "/crm/v3/owners/1").status, 404);
  auto by_email = api("GET", "/crm/v3/owners?email=priya.patel%40acme-demo.example");
  EXPECT_EQ(by_email.json().at("results").as_array().size(), 1u);
}

// ------------------------------------------------------------------------------------------------
// Search

// These tests search far more than the 5 times a second HubSpot allows: a portal with room for it.
class HubSpotSandboxSearch : public HubSpotTest {
 protected:
  static void SetUpTestSuite() { start_sandbox({{"rate_limits", boost::json::object{{"search_per_second", 100}}}}); }
};

TEST_F(HubSpotSandboxSearch, CalculatedPhonePropertiesMatchEverySpelling) {
  // (415) 555-0132 and +1 415-555-0132 both become 4155550132.
  auto r = search("contacts", groups_of({eq("hs_searchable_calculated_phone_number", "4155550132")}));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json().at("total"), 2);
  std::vector<std::string> names;
  const auto found = r.json();
  for (const auto& c : found.at("results").as_array()) names.push_back(prop(c, "firstname"));
  EXPECT_THAT(names, UnorderedElementsAre("Olivia", "Marcus"));
  // Raw phone EQ compares the stored text.
  EXPECT_EQ(search("contacts", groups_of({eq("phone", "+14155550132")})).json().at("total"), 0);
  EXPECT_EQ(search("contacts", groups_of({eq("phone", "(415) 555-0132")})).json().at("total"), 1);
  // Extensions, trunk prefixes, international and mobile-only numbers.
  EXPECT_EQ(
      search("contacts", groups_of({eq("hs_searchable_calculated_phone_number", "2125550199")})).json().at("total"), 1);
  EXPECT_EQ(
      search("contacts", groups_of({eq("hs_searchable_calculated_phone_number", "2125550183")})).json().at("total"), 1);
  EXPECT_EQ(
      search("contacts", groups_of({eq("hs_searchable_calculated_phone_number", "2079460958")})).json().at("total"), 1);
  EXPECT_EQ(
      search("contacts", groups_of({eq("hs_searchable_calculated_mobile_number", "6505550112")})).json().at("total"),
      1);
}

TEST_F(HubSpotSandboxSearch, GroupsAreOredFiltersAndedAndOperatorsWork) {
  boost::json::object body{{"filterGroups", boost::json::parse(R"([
         {"filters":[{"propertyName":"company","operator":"EQ","value":"initech"},
                     {"propertyName":"lifecyclestage","operator":"IN","values":["opportunity","customer"]}]},
         {"filters":[{"propertyName":"lastname","operator":"CONTAINS_TOKEN","value":"o'conn*"}]}])")},
                           {"properties", boost::json::array{"firstname"}},
                           {"sorts", boost::json::parse(R"([{"propertyName":"firstname","direction":"ASCENDING"}])")}};
  auto r = search("contacts", body);
  ASSERT_EQ(r.status, 200) << r.body;
  std::vector<std::string> names;
  const auto found = r.json();
  for (const auto& c : found.at("results").as_array()) names.push_back(prop(c, "firstname"));
  EXPECT_THAT(names, ElementsAre("Liam", "Mia"));
  // HAS_PROPERTY / NOT_HAS_PROPERTY: three contacts have no phone, only a mobile.
  auto mobile_only = search("contacts", boost::json::parse(R"({"filterGroups":[{"filters":[
        {"propertyName":"phone","operator":"NOT_HAS_PROPERTY"},{"propertyName":"mobilephone","operator":"HAS_PROPERTY"}]}]})"));
  EXPECT_EQ(mobile_only.json().at("total"), 3);
  // Datetime comparisons take epoch milliseconds.
  auto recent = search("contacts", boost::json::parse(R"({"filterGroups":[{"filters":[
        {"propertyName":"lastmodifieddate","operator":"GTE","value":"1718000000000"}]}]})"));
  EXPECT_EQ(recent.json().at("total"), 2); // Marcus (2024-06-12) and Isabella (2024-06-18)
  // No match is 200 with total 0.
  auto none = search("contacts", groups_of({eq("email", "nobody@example.org")}));
  EXPECT_EQ(none.status, 200);
  EXPECT_EQ(none.json(), boost::json::parse(R"({"total":0,"results":[]})"));
}

TEST_F(HubSpotSandboxSearch, DefaultPropertiesUnsetOnesNullAndPaging) {
  auto first = search(
      "contacts", boost::json::parse(R"({"limit":5,"sorts":[{"propertyName":"createdate","direction":"ASCENDING"}]})"));
  ASSERT_EQ(first.status, 200);
  const auto page = first.json();
  EXPECT_EQ(page.at("total"), 12);
  ASSERT_EQ(page.at("results").as_array().size(), 5u);
  std::vector<std::string> keys;
  for (const auto& kv : page.at("results").at(0).at("properties").as_object()) keys.emplace_back(kv.key());
  EXPECT_THAT(keys,
              UnorderedElementsAre("createdate", "email", "firstname", "hs_object_id", "lastmodifieddate", "lastname"));
  EXPECT_EQ(str(page.at("paging").at("next"), "after"), "5");
  std::vector<std::string> all = ids(page);
  std::string after = "5";
  while (!after.empty()) {
    auto next = search(
        "contacts", boost::json::object{
                        {"limit", 5},
                        {"after", after},
                        {"sorts", boost::json::parse(R"([{"propertyName":"createdate","direction":"ASCENDING"}])")}});
    const auto next_body = next.json();
    for (const auto& id : ids(next_body)) all.push_back(id);
    const auto* paging = next_body.as_object().if_contains("paging");
    after = paging ? str(paging->at("next"), "after") : "";
  }
  EXPECT_EQ(all.size(), 12u);
  EXPECT_EQ(std::set<std::string>(all.begin(), all.end()).size(), 12u);
  auto unset = search(
      "contacts",
      boost::json::parse(R"({"filterGroups":[{"filters":[{"propertyName":"firstname","operator":"EQ","value":"Ava"}]}],
                                                        "properties":["phone","mobilephone"]})"));
  EXPECT_TRUE(unset.json().at("results").at(0).at("properties").at("phone").is_null());
}

TEST_F(HubSpotSandboxSearch, LimitsOnFilterGroupsFiltersAndPageSizeAre400) {
  boost::json::array six;
  for (int i = 0; i < 6; ++i) six.push_back(boost::json::object{{"filters", boost::json::array{eq("firstname", "x")}}});
  auto groups = search("contacts", boost::json::object{{"filterGroups", six}});
  EXPECT_EQ(groups.status, 400);
  EXPECT_EQ(category(groups), "VALIDATION_ERROR");
  boost::json::array eleven;
  for (int i = 0; i < 11; ++i) eleven.push_back(eq("firstname", "x"));
  EXPECT_EQ(search("contacts",
                   boost::json::object{{"filterGroups", boost::json::array{boost::json::object{{"filters", eleven}}}}})
                .status,
            400);
  boost::json::array many;
  for (int g = 0; g < 3; ++g) {
    boost::json::array filters;
    for (int i = 0; i < 9; ++i) filters.push_back(eq("firstname", "x"));
    many.push_back(boost::json::object{{"filters", filters}});
  }
  EXPECT_EQ(search("contacts", boost::json::object{{"filterGroups", many}}).status, 400); // 27 > 25
  boost::json::array five;
  for (int i = 0; i < 5; ++i)
    five.push_back(boost::json::object{{"filters", boost::json::array{eq("firstname", "x")}}});
  EXPECT_EQ(search("contacts", boost::json::object{{"filterGroups", five}}).status, 200);
  EXPECT_EQ(search("contacts", boost::json::object{{"limit", 201}}).status, 400);
  EXPECT_EQ(search("contacts", groups_of({eq("no_such_property", "x")})).status, 400);
}

TEST_F(HubSpotSandboxSearch, NewRecordsAreHiddenFromSearchDuringTheIndexLagOnly) {
  sandbox().configure({{"search_index_lag_s", 30}});
  const std::string id = create("contacts", {{"firstname", "Lagging"}, {"phone", "+1 303 555 0100"}});
  EXPECT_EQ(search("contacts", groups_of({eq("firstname", "Lagging")})).json().at("total"), 0);
  EXPECT_EQ(api("GET", "/crm/v3/objects/contacts/" + id).status, 200);
  EXPECT_EQ(search("contacts", groups_of({eq("firstname", "Olivia")})).json().at("total"), 1)
      << "seeded records are indexed";
  sandbox().configure({{"search_index_lag_s", 0}});
  EXPECT_EQ(search("contacts", groups_of({eq("firstname", "Lagging")})).json().at("total"), 1);
}

TEST_F(HubSpotSandboxSearch, ActivitiesAreSearchableByTheExternalIdProperty) {
  auto r = search("calls", groups_of({eq("appconnect_external_id", "demo-session-0001")}));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json().at("total"), 1);
  auto n = search(
      "notes",
      boost::json::parse(
          R"({"filterGroups":[{"filters":[{"propertyName":"appconnect_external_id","operator":"EQ","value":"demo-fax-0001"}]}],
                                                  "properties":["hs_note_body"]})"));
  EXPECT_THAT(prop(n.json().at("results").at(0), "hs_note_body"), HasSubstr("Fax from Initech"));
}

// ------------------------------------------------------------------------------------------------
// Limits and faults

class HubSpotSandboxLimits : public HubSpotTest {};

TEST_F(HubSpotSandboxLimits, NormalResponsesCarryRateLimitHeadersSearchResponsesDoNot) {
  auto a = api("GET", "/crm/v3/objects/contacts?limit=1");
  ASSERT_EQ(a.status, 200);
  EXPECT_EQ(a.header("X-HubSpot-RateLimit-Interval-Milliseconds"), "10000");
  EXPECT_EQ(a.header("X-HubSpot-RateLimit-Max"), "110");
  EXPECT_EQ(a.header("X-HubSpot-RateLimit-Remaining"), "109");
  EXPECT_EQ(a.header("X-HubSpot-RateLimit-Daily"), "5000000");
  const long daily_left = std::stol(a.header("X-HubSpot-RateLimit-Daily-Remaining"));
  auto b = api("GET", "/crm/v3/objects/contacts?limit=1");
  EXPECT_EQ(b.header("X-HubSpot-RateLimit-Remaining"), "108");
  EXPECT_EQ(std::stol(b.header("X-HubSpot-RateLimit-Daily-Remaining")), daily_left - 1);
  auto s = search("contacts", boost::json::object{{"limit", 1}});
  EXPECT_EQ(s.status, 200);
  EXPECT_TRUE(s.header("X-HubSpot-RateLimit-Remaining").empty());
  // Errors carry them too.
  EXPECT_EQ(api("GET", "/crm/v3/objects/contacts/1").header("X-HubSpot-RateLimit-Max"), "110");
}

TEST_F(HubSpotSandboxLimits, DailyLimitIs429WithPolicyDaily) {
  sandbox().configure({{"daily_api_limit", 1}});
  EXPECT_EQ(api("GET", "/crm/v3/objects/contacts?limit=1").status, 200);
  auto over = api("GET", "/crm/v3/objects/contacts?limit=1");
  EXPECT_EQ(over.status, 429);
  const auto body = over.json();
  EXPECT_EQ(str(body, "policyName"), "DAILY");
  EXPECT_EQ(str(body, "errorType"), "RATE_LIMIT");
  EXPECT_EQ(str(body, "message"), "You have reached your daily limit.");
  EXPECT_EQ(over.header("X-HubSpot-RateLimit-Daily-Remaining"), "0");
}

TEST_F(HubSpotSandboxLimits, InjectedFaultsSpeakHubSpot) {
  sandbox().configure(boost::json::parse(R"({"fail_next":[{"status":429,"retry_after_s":2},{"status":503},
        {"status":400,"path_prefix":"/oauth/v1/token"},{"status":500}]})")
                          .as_object());
  auto limited = api("GET", "/crm/v3/objects/contacts");
  EXPECT_EQ(limited.status, 429);
  EXPECT_EQ(str(limited.json(), "policyName"), "TEN_SECONDLY_ROLLING");
  EXPECT_EQ(str(limited.json(), "message"), "You have reached your ten_secondly_rolling limit.");
  EXPECT_EQ(limited.header("Retry-After"), "2");
  EXPECT_EQ(limited.header("X-HubSpot-RateLimit-Interval-Milliseconds"), "10000");
  auto down = api("GET", "/crm/v3/objects/contacts");
  EXPECT_EQ(down.status, 503);
  EXPECT_EQ(str(down.json(), "status"), "error");
  EXPECT_TRUE(std::regex_match(str(down.json(), "correlationId"), kUuid));
  auto token = sandbox().request("POST", "/oauth/v1/token", form({{"grant_type", "refresh_token"}}),
                                 {{"Content-Type", "application/x-www-form-urlencoded"}});
  EXPECT_EQ(token.status, 400);
  EXPECT_EQ(str(token.json(), "status"), "BAD_REFRESH_TOKEN");
  EXPECT_EQ(api("GET", "/crm/v3/objects/contacts").status, 500);
  EXPECT_EQ(api("GET", "/crm/v3/objects/contacts").status, 200);
}

// A portal with tight limits: three requests per ten seconds, one search per second.
class HubSpotSandboxTightLimits : public HubSpotTest {
 protected:
  static void SetUpTestSuite() {
    start_sandbox({{"rate_limits", boost::json::object{{"oauth_ten_secondly", 3}, {"search_per_second", 1}}}});
  }
};

TEST_F(HubSpotSandboxTightLimits, TheTenSecondlyWindowIs429WithRetryAfter) {
  for (int i = 0; i < 3; ++i) ASSERT_EQ(api("GET", "/crm/v3/objects/contacts?limit=1").status, 200);
  auto over = api("GET", "/crm/v3/objects/contacts?limit=1");
  EXPECT_EQ(over.status, 429);
  const auto body = over.json();
  EXPECT_EQ(str(body, "status"), "error");
  EXPECT_EQ(str(body, "errorType"), "RATE_LIMIT");
  EXPECT_EQ(str(body, "policyName"), "TEN_SECONDLY_ROLLING");
  EXPECT_TRUE(std::regex_match(str(body, "correlationId"), kUuid));
  const int wait = std::stoi(over.header("Retry-After"));
  EXPECT_GE(wait, 1);
  EXPECT_LE(wait, 10);
  EXPECT_EQ(over.header("X-HubSpot-RateLimit-Remaining"), "0");
  // Search has its own limit and does not count here.
  EXPECT_EQ(search("contacts", boost::json::object{{"limit", 1}}).status, 200);
}

TEST_F(HubSpotSandboxTightLimits, SearchHasItsOwnPerSecondLimit) {
  EXPECT_EQ(search("contacts", boost::json::object{{"limit", 1}}).status, 200);
  auto over = search("contacts", boost::json::object{{"limit", 1}});
  EXPECT_EQ(over.status, 429);
  EXPECT_EQ(str(over.json(), "policyName"), "SECONDLY");
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  EXPECT_EQ(search("contacts", boost::json::object{{"limit", 1}}).status, 200);
}

// ------------------------------------------------------------------------------------------------
// Control API

class HubSpotSandboxControl : public HubSpotTest {};

TEST_F(HubSpotSandboxControl, SeedRecordsAndExportTheHubSpotShape) {
  const auto health = sandbox().get_json("/__sandbox/health");
  EXPECT_EQ(str(health, "crm"), "hubspot");
  EXPECT_EQ(sandbox().records("contacts").size(), 12u);
  EXPECT_EQ(sandbox().records("owners").size(), 3u);
  const std::string id = sandbox().seed_record("contacts", {{"firstname", "Seeded"}, {"phone", "303-555-0101"}});
  const auto r = record("contacts", id);
  EXPECT_EQ(prop(r, "hs_searchable_calculated_phone_number"), "3035550101");
  EXPECT_TRUE(std::regex_match(std::string(r.at("createdAt").as_string()), kIsoMs));
  const auto calls = sandbox().records("calls");
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(str(calls[0].at("associations").at("contacts").at("results").at(0), "type"), "call_to_contact");
}

} // namespace
} // namespace appconnect::testing
