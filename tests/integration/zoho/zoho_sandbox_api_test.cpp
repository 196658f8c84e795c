// The Zoho sandbox's CRM API on the wire: auth and scope errors, URL and version handling, record writes with
// their per-record answers and status codes, Calls and Notes rules, search (criteria, phone, paging, 204),
// users, API credits, injected faults and headers.
#include "zoho_fixture.hpp"

#include <gmock/gmock.h>

namespace appconnect::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::MatchesRegex;
using ::testing::UnorderedElementsAre;

class ZohoApi : public ZohoSandboxTest {
 protected:
  HttpResult search(const std::string& module, const std::string& query, const std::string& version = "v2") const {
    return api("GET", "/" + module + "/search?" + query, {}, {}, version);
  }
  HttpResult criteria(const std::string& module, const std::string& text, const std::string& version = "v2") const {
    return search(module, "criteria=" + url_encode(text), version);
  }
  static boost::json::object data1(boost::json::object record) {
    return {{"data", boost::json::array{std::move(record)}}};
  }
  boost::json::object call_fields() const {
    return {{"Subject", "Call"},
            {"Call_Type", "Inbound"},
            {"Call_Start_Time", "2024-06-01T09:30:00+05:30"},
            {"Call_Duration", "01:35"},
            {"Who_Id", {{"id", seeded_id("Contacts", "Last_Name", "Lovelace")}}}};
  }
};

// ---------------------------------------------------------------------------------------------------------
// Auth, scopes, URLs

TEST_F(ZohoApi, MissingAuthorizationIsAuthenticationFailure) {
  auto r = sandbox().request("GET", "/crm/v2/Contacts/search?phone=4155550132");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(error_code(r), "AUTHENTICATION_FAILURE");
  EXPECT_EQ(r.json().at("status"), "error");
  EXPECT_TRUE(r.json().at("details").is_object());
}

TEST_F(ZohoApi, InvalidTokenBody) {
  auto r = sandbox().request("GET", "/crm/v2/users", {}, {{"Authorization", "Zoho-oauthtoken 1000.bogus.token"}});
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.json(), boost::json::value({{"code", "INVALID_TOKEN"},
                                          {"details", boost::json::object{}},
                                          {"message", "invalid oauth token"},
                                          {"status", "error"}}));
}

TEST_F(ZohoApi, BearerIsAcceptedAfterV2Only) {
  auto v2 = sandbox().request("GET", "/crm/v2/users", {}, {{"Authorization", "Bearer " + token_}});
  EXPECT_EQ(v2.status, 401);
  EXPECT_EQ(error_code(v2), "AUTHENTICATION_FAILURE");
  auto v3 = sandbox().request("GET", "/crm/v3/users", {}, {{"Authorization", "Bearer " + token_}});
  EXPECT_EQ(v3.status, 200) << v3.body;
}

TEST_F(ZohoApi, ScopeMismatchIs401) {
  token_ = str_of(
      sandbox().post_json("/__sandbox/issue-token", boost::json::object{{"scope", "ZohoCRM.modules.leads.READ"}}),
      "access_token");
  EXPECT_EQ(search("Leads", "phone=6505550112").status, 200);
  auto contacts = search("Contacts", "phone=4155550132");
  EXPECT_EQ(contacts.status, 401);
  EXPECT_EQ(error_code(contacts), "OAUTH_SCOPE_MISMATCH");
  auto write = api_json("POST", "/Leads", data1({{"Last_Name", "X"}, {"Company", "Y"}}));
  EXPECT_EQ(write.status, 401);
  EXPECT_EQ(error_code(api("GET", "/users")), "OAUTH_SCOPE_MISMATCH");
}

TEST_F(ZohoApi, VersionsAndUrls) {
  for (const char* v : {"v2", "v2.1", "v3", "v4", "v5", "v6", "v7", "v8"})
    EXPECT_EQ(search("Contacts", "phone=4155550132", v).status, 200) << v;
  auto v9 = search("Contacts", "phone=4155550132", "v9");
  EXPECT_EQ(v9.status, 404);
  EXPECT_EQ(error_code(v9), "INVALID_URL_PATTERN");
  auto unknown = api("GET", "/Contacts/1/2/3");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(str_of(unknown.json(), "message"), "Please check if the URL trying to access is a correct one");
  auto module = api_json("POST", "/Widgets", data1({{"Name", "x"}}));
  EXPECT_EQ(module.status, 400);
  EXPECT_EQ(error_code(module), "INVALID_MODULE");
  auto method = api("PATCH", "/Contacts");
  EXPECT_EQ(method.status, 405);
  EXPECT_EQ(error_code(method), "INVALID_REQUEST_METHOD");
}

TEST_F(ZohoApi, ResponsesCarryJsonAndTokenResetHeaders) {
  auto r = search("Contacts", "phone=4155550132");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.header("Content-Type"), "application/json;charset=UTF-8");
  EXPECT_THAT(r.header("X-ACCESSTOKEN-RESET"),
              MatchesRegex("[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}[+]05:30"));
}

// ---------------------------------------------------------------------------------------------------------
// Writes

TEST_F(ZohoApi, InsertAnswers201WithDetails) {
  auto r = api_json("POST", "/Contacts",
                    data1({{"First_Name", "New"}, {"Last_Name", "Person"}, {"Phone", "+1 415 555 0190"}}));
  ASSERT_EQ(r.status, 201) << r.body;
  const auto body = r.json();
  const auto& item = body.at("data").at(0);
  EXPECT_EQ(item.at("code"), "SUCCESS");
  EXPECT_EQ(item.at("message"), "record added");
  EXPECT_EQ(item.at("status"), "success");
  const auto& d = item.at("details");
  EXPECT_THAT(str_of(d, "id"), MatchesRegex("[0-9]{19}"));
  EXPECT_THAT(str_of(d, "Created_Time"), MatchesRegex("[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}[+]05:30"));
  EXPECT_EQ(str_of(d, "Created_Time"), str_of(d, "Modified_Time"));
  EXPECT_EQ(str_of(d.at("Created_By"), "name"), "Maria Garcia");
  EXPECT_FALSE(d.at("Created_By").as_object().contains("email"));

  auto read = api("GET", "/Contacts/" + str_of(d, "id"));
  ASSERT_EQ(read.status, 200) << read.body;
  const auto read_body = read.json();
  const auto& rec = read_body.at("data").at(0);
  EXPECT_EQ(str_of(rec, "Full_Name"), "New Person");
  EXPECT_EQ(str_of(rec.at("Owner"), "email"), "maria.garcia@acme-demo.example");
  EXPECT_TRUE(rec.at("Mobile").is_null());
  auto only = api("GET", "/Contacts/" + str_of(d, "id") + "?fields=Last_Name,Phone");
  ASSERT_EQ(only.status, 200);
  EXPECT_EQ(only.json().at("data").at(0).as_object().size(), 3u); // id, Last_Name, Phone
}

TEST_F(ZohoApi, MissingMandatoryFieldIsRecordLevel400) {
  auto r = api_json("POST", "/Contacts", data1({{"First_Name", "No"}}));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.json(), boost::json::value(
                          {{"data", boost::json::array{boost::json::object{{"code", "MANDATORY_NOT_FOUND"},
                                                                           {"details", {{"api_name", "Last_Name"}}},
                                                                           {"message", "required field not found"},
                                                                           {"status", "error"}}}}}));
  auto lead = api_json("POST", "/Leads", data1({{"Last_Name", "No Company"}}));
  EXPECT_EQ(lead.status, 400);
  EXPECT_EQ(str_of(lead.json().at("data").at(0).at("details"), "api_name"), "Company");
}

TEST_F(ZohoApi, V4AndLaterPointAtTheJsonPath) {
  auto r = api_json("POST", "/Leads", data1({{"Last_Name", "No Company"}}), "v8");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(str_of(r.json().at("data").at(0).at("details"), "json_path"), "$.data[0].Company");
}

TEST_F(ZohoApi, PartialSuccessIs202InV2And207Later) {
  boost::json::object body{{"data", {{{"Last_Name", "Good"}}, {{"First_Name", "Bad"}}}}};
  auto v2 = api_json("POST", "/Contacts", body);
  EXPECT_EQ(v2.status, 202) << v2.body;
  EXPECT_EQ(v2.json().at("data").at(0).at("code"), "SUCCESS");
  EXPECT_EQ(v2.json().at("data").at(1).at("code"), "MANDATORY_NOT_FOUND");
  EXPECT_EQ(api_json("POST", "/Contacts", body, "v3").status, 207);
}

TEST_F(ZohoApi, MalformedBodies) {
  auto not_json = api("POST", "/Contacts", "{nope", {{"Content-Type", "application/json"}});
  EXPECT_EQ(not_json.status, 400);
  EXPECT_EQ(error_code(not_json), "INVALID_DATA");
  auto no_data = api_json("POST", "/Contacts", boost::json::object{{"records", boost::json::array{}}});
  EXPECT_EQ(no_data.status, 400);
  EXPECT_EQ(error_code(no_data), "REQUIRED_PARAM_MISSING");
  EXPECT_EQ(str_of(no_data.json().at("details"), "param_name"), "data");
  boost::json::array many;
  for (int i = 0; i < 101; ++i) many.push_back(boost::json::object{{"Last_Name", "x"}});
  EXPECT_EQ(error_code(api_json("POST", "/Contacts", boost::json::object{{"data", many}})), "LIMIT_EXCEEDED");
}

TEST_F(ZohoApi, InvalidValues) {
  auto email = api_json("POST", "/Contacts", data1({{"Last_Name", "X"}, {"Email", "not-an-email"}}));
  EXPECT_EQ(email.status, 400);
  EXPECT_EQ(error_code(email), "INVALID_DATA");
  EXPECT_EQ(str_of(email.json().at("data").at(0).at("details"), "api_name"), "Email");
  auto too_long = api_json("POST", "/Contacts", data1({{"Last_Name", std::string(81, 'x')}}));
  EXPECT_EQ(too_long.json().at("data").at(0).at("details").at("maximum_length"), 80);
  auto owner = api_json("POST", "/Contacts", data1({{"Last_Name", "X"}, {"Owner", {{"id", "42"}}}}));
  EXPECT_EQ(error_code(owner), "INVALID_DATA");
  // Unknown fields are ignored, as Zoho does.
  EXPECT_EQ(api_json("POST", "/Contacts", data1({{"Last_Name", "X"}, {"No_Such_Field", "y"}})).status, 201);
}

TEST_F(ZohoApi, UpdateAnswers200AndUnknownIdIsInvalidData) {
  const std::string ada = seeded_id("Contacts", "Last_Name", "Lovelace");
  auto r = api_json("PUT", "/Contacts/" + ada, data1({{"Title", "Countess"}}));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json().at("data").at(0).at("message"), "record updated");
  EXPECT_EQ(str_of(stored("Contacts", ada), "Title"), "Countess");
  EXPECT_NE(str_of(stored("Contacts", ada), "Modified_Time"), "2024-06-01T09:30:00+05:30");

  auto missing = api_json("PUT", "/Contacts/4876876000099999999", data1({{"Title", "x"}}));
  EXPECT_EQ(missing.status, 400);
  EXPECT_EQ(missing.json().at("data").at(0).at("message"), "the id given seems to be invalid");

  auto bulk = api_json("PUT", "/Contacts",
                       boost::json::object{{"data", {{{"id", ada}, {"Title", "Dr"}}, {{"Title", "no id"}}}}});
  EXPECT_EQ(bulk.status, 202) << bulk.body;
  EXPECT_EQ(str_of(bulk.json().at("data").at(1).at("details"), "api_name"), "id");
  auto cleared = api_json("PUT", "/Contacts/" + ada, data1({{"Last_Name", nullptr}}));
  EXPECT_EQ(error_code(cleared), "MANDATORY_NOT_FOUND");
}

TEST_F(ZohoApi, ReadOfAMissingRecordIs204AndDeleteWorks) {
  EXPECT_EQ(api("GET", "/Contacts/4876876000099999999").status, 204);
  const std::string id = create("Contacts", {{"Last_Name", "Temp"}});
  auto del = api("DELETE", "/Contacts/" + id);
  ASSERT_EQ(del.status, 200);
  EXPECT_EQ(del.json().at("data").at(0).at("message"), "record deleted");
  EXPECT_EQ(api("GET", "/Contacts/" + id).status, 204);
}

TEST_F(ZohoApi, ListsRecordsWithPaging) {
  auto r = api("GET", "/Leads?per_page=4&page=2");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json().at("info"),
            boost::json::value({{"per_page", 4}, {"count", 2}, {"page", 2}, {"more_records", false}}));
  EXPECT_EQ(api("GET", "/Leads?per_page=4&page=3").status, 204);
}

// ---------------------------------------------------------------------------------------------------------
// Calls and Notes rules

TEST_F(ZohoApi, CallsRules) {
  EXPECT_EQ(api_json("POST", "/Calls", data1(call_fields())).status, 201);

  auto fields = call_fields();
  fields.erase("Call_Start_Time");
  auto r = api_json("POST", "/Calls", data1(fields));
  EXPECT_EQ(error_code(r), "MANDATORY_NOT_FOUND");
  EXPECT_EQ(str_of(r.json().at("data").at(0).at("details"), "api_name"), "Call_Start_Time");

  fields = call_fields();
  fields["Call_Type"] = "Sideways";
  EXPECT_EQ(error_code(api_json("POST", "/Calls", data1(fields))), "INVALID_DATA");

  fields = call_fields();
  fields["Call_Start_Time"] = "2024-06-01T04:00:00Z"; // Zoho wants an explicit offset
  r = api_json("POST", "/Calls", data1(fields));
  EXPECT_EQ(str_of(r.json().at("data").at(0).at("details"), "expected_data_type"), "datetime");

  fields = call_fields();
  fields.erase("Call_Duration"); // a completed call needs one
  r = api_json("POST", "/Calls", data1(fields));
  EXPECT_EQ(str_of(r.json().at("data").at(0).at("details"), "api_name"), "Call_Duration");

  fields = call_fields();
  fields["Call_Duration"] = "1:5";
  EXPECT_EQ(error_code(api_json("POST", "/Calls", data1(fields))), "INVALID_DATA");

  fields = call_fields();
  fields["Call_Type"] = "Missed";
  fields.erase("Call_Duration");
  EXPECT_EQ(api_json("POST", "/Calls", data1(fields)).status, 201);

  fields = call_fields(); // Who_Id is for Contacts only
  fields["Who_Id"] = boost::json::object{{"id", seeded_id("Leads", "Last_Name", "Lamarr")}};
  r = api_json("POST", "/Calls", data1(fields));
  EXPECT_EQ(str_of(r.json().at("data").at(0), "message"), "the related id given seems to be invalid");
}

TEST_F(ZohoApi, CallOnLeadThroughWhatIdAndSeModule) {
  const std::string hedy = seeded_id("Leads", "Last_Name", "Lamarr");
  auto fields = call_fields();
  fields.erase("Who_Id");
  fields["What_Id"] = hedy; // v2 also takes a plain id
  auto missing_module = api_json("POST", "/Calls", data1(fields));
  EXPECT_EQ(str_of(missing_module.json().at("data").at(0).at("details"), "api_name"), "$se_module");
  fields["$se_module"] = "Leads";
  const std::string id = create("Calls", fields);
  auto read = api("GET", "/Calls/" + id);
  ASSERT_EQ(read.status, 200);
  const auto read_body = read.json();
  const auto& call = read_body.at("data").at(0);
  EXPECT_EQ(call.at("What_Id"), boost::json::value({{"name", "Hedy Lamarr"}, {"id", hedy}}));
  EXPECT_EQ(call.at("$se_module"), "Leads");
  EXPECT_EQ(call.at("Call_Duration_in_seconds"), 95);
}

TEST_F(ZohoApi, CallTypeCannotChange) {
  const std::string id = create("Calls", call_fields());
  auto r = api_json("PUT", "/Calls/" + id, data1({{"Call_Type", "Outbound"}}));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(str_of(r.json().at("data").at(0).at("details"), "api_name"), "Call_Type");
  auto owner = api_json("PUT", "/Calls/" + id, data1({{"Owner", {{"id", user_id("james.chen@acme-demo.example")}}}}));
  EXPECT_EQ(str_of(owner.json().at("data").at(0).at("details"), "api_name"), "Owner");
  EXPECT_EQ(api_json("PUT", "/Calls/" + id, data1({{"Call_Duration", "03:00"}, {"Description", "more"}})).status, 200);
  EXPECT_EQ(stored("Calls", id).at("Call_Duration_in_seconds"), 180);
}

TEST_F(ZohoApi, NotesV2AndV6ParentShapesAndRelatedEndpoint) {
  const std::string ada = seeded_id("Contacts", "Last_Name", "Lovelace");
  auto v2 =
      api_json("POST", "/Notes",
               data1({{"Note_Title", "t"}, {"Note_Content", "c"}, {"Parent_Id", ada}, {"se_module", "Contacts"}}));
  EXPECT_EQ(v2.status, 201) << v2.body;
  auto v8 = api_json(
      "POST", "/Notes",
      data1({{"Note_Content", "c"}, {"Parent_Id", {{"module", {{"api_name", "Contacts"}}}, {"id", ada}}}}), "v8");
  EXPECT_EQ(v8.status, 201) << v8.body;
  auto related = api_json("POST", "/Contacts/" + ada + "/Notes", data1({{"Note_Content", "via record"}}));
  ASSERT_EQ(related.status, 201) << related.body;
  const auto note = stored("Notes", str_of(related.json().at("data").at(0).at("details"), "id"));
  EXPECT_EQ(note.at("Parent_Id"), boost::json::value({{"name", "Ada Lovelace"}, {"id", ada}}));
  EXPECT_EQ(note.at("$se_module"), "Contacts");
  auto no_content = api_json("POST", "/Notes", data1({{"Parent_Id", ada}, {"se_module", "Contacts"}}));
  EXPECT_EQ(str_of(no_content.json().at("data").at(0).at("details"), "api_name"), "Note_Content");
}

// ---------------------------------------------------------------------------------------------------------
// Search

TEST_F(ZohoApi, NoMatchIs204WithAnEmptyBody) {
  auto r = search("Contacts", "phone=9995550100");
  EXPECT_EQ(r.status, 204);
  EXPECT_THAT(r.body, IsEmpty());
  EXPECT_EQ(criteria("Leads", "(Last_Name:equals:Nobody)").status, 204);
}

TEST_F(ZohoApi, PhoneSearchComparesDigitsAcrossPhoneFields) {
  EXPECT_THAT(names(search("Contacts", "phone=4155550132")), ElementsAre("Ada Lovelace"));
  EXPECT_THAT(names(search("Contacts", "phone=14155550132")), ElementsAre("Ada Lovelace"));
  EXPECT_THAT(names(search("Contacts", "phone=%2B1%20415%20555%200132")), ElementsAre("Ada Lovelace"));
  EXPECT_THAT(names(search("Contacts", "phone=2125550140")), ElementsAre("Barbara Liskov")); // Home_Phone
  EXPECT_THAT(names(search("Contacts", "phone=2079460143")), ElementsAre("Linus Torvalds")); // +44 20 7946 0143
  // Converted leads stay out unless asked for.
  EXPECT_EQ(search("Leads", "phone=4155550132").status, 204);
  EXPECT_THAT(names(search("Leads", "phone=4155550132&converted=both")), ElementsAre("Ken Thompson"));
  EXPECT_THAT(names(search("Leads", "phone=4155550132&converted=true")), ElementsAre("Ken Thompson"));
}

TEST_F(ZohoApi, CriteriaComparesTheStoredText) {
  EXPECT_EQ(criteria("Contacts", "(Phone:equals:4155550132)").status, 204);
  EXPECT_THAT(names(criteria("Contacts", R"((Phone:equals:\(415\) 555-0132))")), ElementsAre("Ada Lovelace"));
  EXPECT_THAT(names(criteria("Contacts", R"(((Phone:equals:\(415\) 555-0132)or(Mobile:equals:\(415\) 555-0137)))")),
              UnorderedElementsAre("Ada Lovelace", "Katherine Johnson"));
  EXPECT_THAT(names(criteria("Contacts", "((Last_Name:starts_with:Lov)and(First_Name:equals:ada))")),
              ElementsAre("Ada Lovelace"));
  // Brackets in a value must be escaped.
  auto unescaped = criteria("Contacts", "(Phone:equals:(415) 555-0132)");
  EXPECT_EQ(unescaped.status, 400);
  EXPECT_EQ(error_code(unescaped), "INVALID_QUERY");
}

TEST_F(ZohoApi, CriteriaLimitsAndErrors) {
  std::string eleven;
  for (int i = 0; i < 11; ++i)
    eleven += (eleven.empty() ? "" : "or") + std::string("(Phone:equals:") + std::to_string(i) + ")";
  auto many = criteria("Contacts", "(" + eleven + ")");
  EXPECT_EQ(many.status, 400);
  EXPECT_EQ(error_code(many), "INVALID_QUERY");
  auto field = criteria("Contacts", "(Shoe_Size:equals:9)");
  EXPECT_EQ(error_code(field), "INVALID_QUERY");
  EXPECT_EQ(str_of(field.json().at("details"), "api_name"), "Shoe_Size");
  // "in" arrived in v4.
  EXPECT_EQ(error_code(criteria("Contacts", "(Last_Name:in:Lovelace,Hopper)")), "INVALID_QUERY");
  EXPECT_THAT(names(criteria("Contacts", "(Last_Name:in:Lovelace,Hopper)", "v4")),
              UnorderedElementsAre("Ada Lovelace", "Grace Hopper"));
  auto none = search("Contacts", "page=1");
  EXPECT_EQ(error_code(none), "REQUIRED_PARAM_MISSING");
}

TEST_F(ZohoApi, SeveralEqualsConditionsMatchWordPrefixes) {
  // Documented: with several conditions, (Company:equals:ABC) also finds "ABC Inc".
  EXPECT_EQ(criteria("Leads", "(Company:equals:Spanning Tree)").status, 204);
  EXPECT_THAT(names(criteria("Leads", "((Company:equals:Spanning Tree)or(Company:equals:Nothing))")),
              ElementsAre("Radia Perlman"));
}

TEST_F(ZohoApi, SearchPages) {
  for (int i = 0; i < 5; ++i)
    sandbox().seed_record("Contacts", {{"Last_Name", "Page" + std::to_string(i)}, {"Mobile", "303-555-0198"}});
  auto p1 = search("Contacts", "phone=3035550198&per_page=2&page=1");
  ASSERT_EQ(p1.status, 200);
  EXPECT_EQ(p1.json().at("info"),
            boost::json::value({{"per_page", 2}, {"count", 2}, {"page", 1}, {"more_records", true}}));
  EXPECT_THAT(names(p1), ElementsAre("Page0", "Page1"));
  auto p3 = search("Contacts", "phone=3035550198&per_page=2&page=3");
  EXPECT_EQ(p3.json().at("info"),
            boost::json::value({{"per_page", 2}, {"count", 1}, {"page", 3}, {"more_records", false}}));
  EXPECT_EQ(search("Contacts", "phone=3035550198&per_page=2&page=4").status, 204);
  auto big = search("Contacts", "phone=3035550198&per_page=201");
  EXPECT_EQ(big.status, 400);
  EXPECT_EQ(str_of(big.json().at("details"), "param_name"), "per_page");
}

TEST_F(ZohoApi, SearchIndexLagHidesNewRecords) {
  sandbox().configure({{"search_index_lag_s", 60}});
  const std::string id = create("Contacts", {{"Last_Name", "Fresh"}, {"Phone", "3035550197"}});
  EXPECT_EQ(search("Contacts", "phone=3035550197").status, 204);
  EXPECT_EQ(api("GET", "/Contacts/" + id).status, 200);
}

TEST_F(ZohoApi, EmailAndWordSearch) {
  EXPECT_THAT(names(search("Contacts", "email=ADA%40globex.example")), ElementsAre("Ada Lovelace"));
  EXPECT_THAT(names(search("Contacts", "word=torval")), ElementsAre("Linus Torvalds"));
}

TEST_F(ZohoApi, CustomFieldIsSearchable) {
  auto r = criteria("Calls", "(AppConnect_External_Id:equals:seed-call-1)");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json().at("data").at(0).at("Who_Id").at("name"), "Ada Lovelace");
}

// ---------------------------------------------------------------------------------------------------------
// Users

TEST_F(ZohoApi, UsersByTypeWithPaging) {
  auto active = api("GET", "/users?type=ActiveUsers");
  ASSERT_EQ(active.status, 200);
  EXPECT_EQ(active.json().at("users").as_array().size(), 3u);
  EXPECT_FALSE(active.json().as_object().contains("data"));
  const auto active_body = active.json();
  const auto& u = active_body.at("users").at(0);
  for (const char* key : {"id", "full_name", "first_name", "last_name", "email", "status", "role", "profile", "zuid"})
    EXPECT_TRUE(u.as_object().contains(key)) << key;
  EXPECT_EQ(api("GET", "/users").json().at("users").as_array().size(), 4u); // AllUsers
  EXPECT_EQ(str_of(api("GET", "/users?type=DeactiveUsers").json().at("users").at(0), "email"),
            "olaf.berg@acme-demo.example");
  auto page = api("GET", "/users?type=AllUsers&per_page=3&page=2");
  EXPECT_EQ(page.json().at("info"),
            boost::json::value({{"per_page", 3}, {"count", 1}, {"page", 2}, {"more_records", false}}));
  EXPECT_EQ(api("GET", "/users?type=AllUsers&per_page=3&page=3").status, 204);
  auto me = api("GET", "/users?type=CurrentUser");
  EXPECT_EQ(str_of(me.json().at("users").at(0), "email"), "maria.garcia@acme-demo.example");
  EXPECT_EQ(
      str_of(api("GET", "/users/" + str_of(me.json().at("users").at(0), "id")).json().at("users").at(0), "full_name"),
      "Maria Garcia");
  EXPECT_EQ(error_code(api("GET", "/users?type=Robots")), "INVALID_DATA");
}

// ---------------------------------------------------------------------------------------------------------
// Credits and faults

TEST_F(ZohoApi, SpentCreditsAre429TooManyRequests) {
  sandbox().configure({{"daily_api_limit", 2}});
  EXPECT_EQ(api("GET", "/users").status, 200);
  EXPECT_EQ(api("GET", "/users").status, 200);
  auto r = api("GET", "/users");
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(error_code(r), "TOO_MANY_REQUESTS");
  EXPECT_EQ(r.json().at("details").at("limit"), 2);
  EXPECT_EQ(r.json().at("status"), "error");
  // The accounts server is not metered.
  EXPECT_EQ(sandbox()
                .request("POST", "/oauth/v2/token",
                         form({{"grant_type", "refresh_token"},
                               {"client_id", kZohoClient},
                               {"client_secret", kZohoSecret},
                               {"refresh_token", kZohoRefresh}}),
                         {{"Content-Type", "application/x-www-form-urlencoded"}})
                .status,
            200);
}

TEST_F(ZohoApi, InjectedFaultsSpeakZoho) {
  sandbox().configure({{"fail_next",
                        {{{"status", 429}, {"retry_after_s", 5}},
                         {{"status", 500}},
                         {{"status", 401}},
                         {{"status", 403}, {"method", "POST"}}}}});
  auto limited = api("GET", "/users");
  EXPECT_EQ(limited.status, 429);
  EXPECT_EQ(limited.header("Retry-After"), "5");
  EXPECT_EQ(error_code(limited), "TOO_MANY_REQUESTS");
  EXPECT_EQ(limited.json().at("details").at("retry_after"), 5);
  auto internal = api("GET", "/users");
  EXPECT_EQ(internal.status, 500);
  EXPECT_EQ(internal.json(), boost::json::value({{"code", "INTERNAL_ERROR"},
                                                 {"details", boost::json::object{}},
                                                 {"message", "Internal Server Error"},
                                                 {"status", "error"}}));
  EXPECT_EQ(error_code(api("GET", "/users")), "INVALID_TOKEN");
  auto denied = api_json("POST", "/Contacts", data1({{"Last_Name", "x"}}));
  EXPECT_EQ(denied.status, 403);
  EXPECT_EQ(error_code(denied), "NO_PERMISSION");
  EXPECT_EQ(api("GET", "/users").status, 200);
}

TEST_F(ZohoApi, RandomRateLimitsUse429) {
  sandbox().configure({{"fail_rate_429", 1.0}, {"fail_retry_after_s", 2}});
  auto r = api("GET", "/users");
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(r.header("Retry-After"), "2");
  sandbox().configure({{"fail_rate_429", 0}, {"fail_rate_5xx", 1.0}});
  EXPECT_EQ(error_code(api("GET", "/users")), "INTERNAL_ERROR");
}

TEST_F(ZohoApi, ControlApiExportsRecordsAsTheApiShowsThem) {
  EXPECT_EQ(sandbox().records("contacts").size(), 10u);
  EXPECT_EQ(sandbox().records("Leads").size(), 6u);
  EXPECT_EQ(sandbox().records("users").size(), 4u);
  const auto ada = stored("Contacts", seeded_id("Contacts", "Last_Name", "Lovelace"));
  EXPECT_EQ(str_of(ada.at("Account_Name"), "name"), "Globex Corporation");
  EXPECT_EQ(str_of(ada, "Created_Time"), "2024-01-15T10:00:00+05:30");
}

} // namespace
} // namespace appconnect::testing
