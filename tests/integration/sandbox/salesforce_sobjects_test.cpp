// sObject create / read / update / delete against the Salesforce emulator: status codes, bodies,
// system fields, validation errors, versions, describe and composite.
#include "salesforce_fixture.hpp"

#include <regex>

namespace appconnect::testing {
namespace {

using boost::json::parse;

class SalesforceSObjects : public SalesforceSandboxTest {
 protected:
  const std::regex kSfDateTime{R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+0000)"};

  boost::json::object call_task() const {
    return {{"Subject", "Inbound call from +14155550132"},
            {"TaskSubtype", "Call"},
            {"CallType", "Inbound"},
            {"CallDurationInSeconds", 95},
            {"CallObject", "s-a0d17"},
            {"CallDisposition", "Answered"},
            {"ActivityDate", "2024-06-01"},
            {"Status", "Completed"},
            {"Description", "Notes"}};
  }
  std::string olivia_id() const {
    auto r = soql("SELECT Id FROM Contact WHERE Email = 'olivia.bennett@globex.example'");
    return std::string(r.json().at("records").at(0).at("Id").as_string());
  }
};

TEST_F(SalesforceSObjects, CreateReturns201WithIdSuccessAndNoErrors) {
  auto task = call_task();
  task["WhoId"] = olivia_id();
  auto r = api_json("POST", "/sobjects/Task/", task);
  ASSERT_EQ(r.status, 201) << r.body;
  auto body = r.json().as_object();
  ASSERT_EQ(body.size(), 3u) << r.body;
  const std::string id(body.at("id").as_string());
  EXPECT_TRUE(std::regex_match(id, std::regex("00T[A-Za-z0-9]{15}"))) << id;
  EXPECT_EQ(body.at("success"), true);
  EXPECT_EQ(body.at("errors"), boost::json::array{});
  // The stored record is visible through the control API.
  bool found = false;
  for (const auto& t : sandbox().records("Task"))
    if (t.at("Id").as_string() == id) found = t.at("CallObject").as_string() == "s-a0d17";
  EXPECT_TRUE(found);
}

TEST_F(SalesforceSObjects, IdsCarryTheObjectKeyPrefix) {
  EXPECT_EQ(create("Contact", {{"LastName", "Prefix"}}).substr(0, 3), "003");
  EXPECT_EQ(create("Lead", {{"LastName", "Prefix"}, {"Company", "X"}}).substr(0, 3), "00Q");
  EXPECT_EQ(create("Account", {{"Name", "Prefix Inc"}}).substr(0, 3), "001");
  EXPECT_EQ(create("Task", {{"Subject", "x"}}).substr(0, 3), "00T");
  auto users = soql("SELECT Id FROM User").json();
  EXPECT_EQ(std::string(users.at("records").at(0).at("Id").as_string()).substr(0, 3), "005");
}

TEST_F(SalesforceSObjects, ReadReturnsAttributesAndSystemFields) {
  const std::string id = create(
      "Lead", {{"FirstName", "Ada"}, {"LastName", "Byron"}, {"Company", "Analytical"}, {"Phone", "+14155550199"}});
  auto r = api("GET", "/sobjects/Lead/" + id);
  ASSERT_EQ(r.status, 200) << r.body;
  auto lead = r.json().as_object();
  EXPECT_EQ(lead.at("attributes"),
            boost::json::value({{"type", "Lead"}, {"url", std::string(kApi) + "/sobjects/Lead/" + id}}));
  EXPECT_EQ(lead.at("Id").as_string(), id);
  EXPECT_EQ(lead.at("Name").as_string(), "Ada Byron");
  EXPECT_EQ(lead.at("IsConverted"), false);
  EXPECT_EQ(lead.at("Status").as_string(), "Open - Not Contacted");
  for (const char* f : {"CreatedDate", "LastModifiedDate", "SystemModstamp"})
    EXPECT_TRUE(std::regex_match(std::string(lead.at(f).as_string()), kSfDateTime)) << f << "=" << lead.at(f);
  // OwnerId defaults to the token's user.
  auto me = sandbox().post_json("/__sandbox/issue-token").at("user_id");
  EXPECT_EQ(lead.at("OwnerId"), me);
  // Fields never set are present as null, like Salesforce's full-record GET.
  EXPECT_TRUE(lead.at("Email").is_null());
  // A 15-character id finds the same record.
  EXPECT_EQ(api("GET", "/sobjects/Lead/" + id.substr(0, 15)).status, 200);
}

TEST_F(SalesforceSObjects, ReadWithFieldsReturnsOnlyThoseFields) {
  const std::string id = create("Contact", {{"FirstName", "Grace"}, {"LastName", "Hopper"}, {"Phone", "555"}});
  auto r = api("GET", "/sobjects/Contact/" + id + "?fields=Name,phone");
  ASSERT_EQ(r.status, 200) << r.body;
  auto c = r.json().as_object();
  EXPECT_EQ(c.size(), 4u) << r.body;           // attributes, Id, Name, Phone
  EXPECT_EQ(c.at("Phone").as_string(), "555"); // canonical field spelling in the answer
  auto bad = api("GET", "/sobjects/Contact/" + id + "?fields=Nope");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(error_code(bad), "INVALID_FIELD");
}

TEST_F(SalesforceSObjects, PatchReturns204WithoutBodyAndUpdatesSystemFields) {
  const std::string id = create("Contact", {{"FirstName", "Alan"}, {"LastName", "Turing"}});
  const std::string before(api("GET", "/sobjects/Contact/" + id).json().at("LastModifiedDate").as_string());
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  auto r = api_json("PATCH", "/sobjects/Contact/" + id, {{"FirstName", "Alan M."}, {"Title", "Mathematician"}});
  EXPECT_EQ(r.status, 204);
  EXPECT_TRUE(r.body.empty());
  auto c = api("GET", "/sobjects/Contact/" + id).json();
  EXPECT_EQ(c.at("Name").as_string(), "Alan M. Turing");
  EXPECT_EQ(c.at("Title").as_string(), "Mathematician");
  EXPECT_NE(std::string(c.at("LastModifiedDate").as_string()), before);
}

TEST_F(SalesforceSObjects, DeleteReturns204ThenTheRecordIsGone) {
  const std::string id = create("Task", {{"Subject", "to delete"}});
  auto d = api("DELETE", "/sobjects/Task/" + id);
  EXPECT_EQ(d.status, 204);
  EXPECT_TRUE(d.body.empty());
  auto g = api("GET", "/sobjects/Task/" + id);
  EXPECT_EQ(g.status, 404);
  EXPECT_EQ(g.json(), parse(R"([{"errorCode":"NOT_FOUND","message":"The requested resource does not exist"}])"));
  auto again = api("DELETE", "/sobjects/Task/" + id);
  EXPECT_EQ(again.status, 404);
  EXPECT_EQ(error_code(again), "ENTITY_IS_DELETED");
}

TEST_F(SalesforceSObjects, UnknownAndMalformedIds) {
  auto unknown = api("GET", "/sobjects/Contact/003SB00000zzzzz");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(unknown.json(), parse(R"([{"errorCode":"NOT_FOUND","message":"The requested resource does not exist"}])"));
  auto patch = api_json("PATCH", "/sobjects/Contact/003SB00000zzzzz", {{"Title", "x"}});
  EXPECT_EQ(patch.status, 404);
  auto malformed = api("GET", "/sobjects/Contact/not-an-id");
  EXPECT_EQ(malformed.status, 400);
  EXPECT_EQ(error_code(malformed), "MALFORMED_ID");
  auto bad_object = api_json("POST", "/sobjects/Widget/", {{"Name", "x"}});
  EXPECT_EQ(bad_object.status, 404);
  EXPECT_EQ(error_code(bad_object), "NOT_FOUND");
}

TEST_F(SalesforceSObjects, RequiredFieldsAreReportedWithFields) {
  auto lead = api_json("POST", "/sobjects/Lead/", {{"LastName", "Placeholder"}});
  EXPECT_EQ(lead.status, 400);
  EXPECT_EQ(lead.json(), parse(R"([{"message":"Required fields are missing: [Company]",
                                    "errorCode":"REQUIRED_FIELD_MISSING","fields":["Company"]}])"));
  auto contact = api_json("POST", "/sobjects/Contact/", {{"FirstName", "Only"}});
  EXPECT_EQ(contact.status, 400);
  EXPECT_EQ(contact.json(), parse(R"([{"message":"Required fields are missing: [LastName]",
                                       "errorCode":"REQUIRED_FIELD_MISSING","fields":["LastName"]}])"));
  // Clearing a required field on update is refused too.
  const std::string id = create("Contact", {{"LastName", "Keep"}});
  auto cleared = api_json("PATCH", "/sobjects/Contact/" + id, {{"LastName", nullptr}});
  EXPECT_EQ(cleared.status, 400);
  EXPECT_EQ(error_code(cleared), "REQUIRED_FIELD_MISSING");
}

TEST_F(SalesforceSObjects, RestrictedPicklistsRejectUnknownValues) {
  auto task = call_task();
  task["CallType"] = "Incoming";
  auto r = api_json("POST", "/sobjects/Task/", task);
  EXPECT_EQ(r.status, 400);
  auto e = r.json().at(0).as_object();
  EXPECT_EQ(e.at("errorCode").as_string(), "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST");
  EXPECT_EQ(e.at("fields"), boost::json::array{"CallType"});
  EXPECT_EQ(e.at("message").as_string(), "Call Type: bad value for restricted picklist field: Incoming");

  for (auto [field, value] : {std::pair{"Status", "Done"}, std::pair{"TaskSubtype", "SMS"}}) {
    auto t = call_task();
    t[field] = value;
    auto bad = api_json("POST", "/sobjects/Task/", t);
    EXPECT_EQ(bad.status, 400) << field;
    EXPECT_EQ(error_code(bad), "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST") << field;
  }
  for (const char* subtype : {"Task", "Email", "ListEmail", "Cadence", "Call", "LinkedIn"}) {
    auto t = call_task();
    t["TaskSubtype"] = subtype;
    EXPECT_EQ(api_json("POST", "/sobjects/Task/", t).status, 201) << subtype;
  }
}

TEST_F(SalesforceSObjects, TaskSubtypeCanOnlyBeSetAtCreate) {
  const std::string id = create("Task", call_task());
  auto r = api_json("PATCH", "/sobjects/Task/" + id, {{"TaskSubtype", "Task"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(error_code(r), "INVALID_FIELD_FOR_INSERT_UPDATE");
  EXPECT_EQ(r.json().at(0).at("fields"), boost::json::array{"TaskSubtype"});
  // Other call fields stay updatable (the idempotent-update path of the connector).
  EXPECT_EQ(api_json("PATCH", "/sobjects/Task/" + id, {{"CallDurationInSeconds", 120}, {"Status", "Completed"}}).status,
            204);
  auto task = api("GET", "/sobjects/Task/" + id).json();
  EXPECT_EQ(task.at("CallDurationInSeconds"), 120);
  EXPECT_EQ(task.at("IsClosed"), true);
}

TEST_F(SalesforceSObjects, UnknownFieldsAndIdInBodyAreInvalidField) {
  auto unknown = api_json("POST", "/sobjects/Task/", {{"Subject", "x"}, {"Duration__c", 5}});
  EXPECT_EQ(unknown.status, 400);
  EXPECT_EQ(
      unknown.json(),
      parse(R"([{"message":"No such column 'Duration__c' on sobject of type Task","errorCode":"INVALID_FIELD"}])"));
  auto with_id = api_json("POST", "/sobjects/Account/", {{"Id", "001D000000IqhSLIAZ"}, {"Name", "Express"}});
  EXPECT_EQ(with_id.status, 400);
  EXPECT_EQ(with_id.json(), parse(R"([{"message":"The Id field should not be specified in the sobject data.",
                                        "errorCode":"INVALID_FIELD"}])"));
  auto read_only = api_json("POST", "/sobjects/Lead/", {{"LastName", "x"}, {"Company", "y"}, {"IsConverted", true}});
  EXPECT_EQ(read_only.status, 400);
  EXPECT_EQ(error_code(read_only), "INVALID_FIELD_FOR_INSERT_UPDATE");
}

TEST_F(SalesforceSObjects, MalformedJsonAndWrongTypesAreParserErrors) {
  auto r = api("POST", "/sobjects/Contact/", "{\"LastName\": ");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(error_code(r), "JSON_PARSER_ERROR");
  auto wrong = api_json("POST", "/sobjects/Task/", {{"CallDurationInSeconds", "ninety"}});
  EXPECT_EQ(wrong.status, 400);
  EXPECT_EQ(error_code(wrong), "JSON_PARSER_ERROR");
  auto date = api_json("POST", "/sobjects/Task/", {{"ActivityDate", "06/01/2024"}});
  EXPECT_EQ(error_code(date), "JSON_PARSER_ERROR");
}

TEST_F(SalesforceSObjects, ReferencesMustPointAtExistingRecordsOfTheRightType) {
  auto task = call_task();
  task["WhoId"] = "003SB00000zzzzzAAA";
  auto missing = api_json("POST", "/sobjects/Task/", task);
  EXPECT_EQ(missing.status, 400);
  EXPECT_EQ(error_code(missing), "INVALID_CROSS_REFERENCE_KEY");
  auto account = soql("SELECT Id FROM Account LIMIT 1").json().at("records").at(0).at("Id");
  task["WhoId"] = account;
  auto wrong_type = api_json("POST", "/sobjects/Task/", task);
  EXPECT_EQ(wrong_type.status, 400);
  EXPECT_EQ(error_code(wrong_type), "FIELD_INTEGRITY_EXCEPTION");
  EXPECT_EQ(wrong_type.json().at(0).at("fields"), boost::json::array{"WhoId"});
}

TEST_F(SalesforceSObjects, TaskOnContactDerivesAccountAndClosedState) {
  auto task = call_task();
  task["WhoId"] = olivia_id();
  const std::string id = create("Task", task);
  auto t = api("GET", "/sobjects/Task/" + id).json();
  EXPECT_EQ(t.at("IsClosed"), true);
  EXPECT_FALSE(t.at("AccountId").is_null());
  EXPECT_TRUE(std::regex_match(std::string(t.at("CompletedDateTime").as_string()), kSfDateTime));
}

TEST_F(SalesforceSObjects, VersionsAreListedAndAnyListedVersionWorks) {
  auto v = sandbox().request("GET", "/services/data/");
  ASSERT_EQ(v.status, 200);
  EXPECT_TRUE(v.header("Sforce-Limit-Info").empty()) << "the versions URI is not counted";
  bool has62 = false;
  const auto versions = v.json();
  for (const auto& e : versions.as_array())
    if (e.at("version").as_string() == "62.0") {
      has62 = e.at("url").as_string() == "/services/data/v62.0" && e.at("label").as_string() == "Winter '25";
    }
  EXPECT_TRUE(has62) << v.body;
  for (const char* version : {"v55.0", "v60.0", "v66.0", "latest"}) {
    auto r = sandbox().request("GET", std::string("/services/data/") + version + "/limits", {},
                               {{"Authorization", "Bearer " + token_}});
    EXPECT_EQ(r.status, 200) << version;
  }
  auto unknown = sandbox().request("GET", "/services/data/v99.0/limits", {}, {{"Authorization", "Bearer " + token_}});
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(error_code(unknown), "NOT_FOUND");
}

TEST_F(SalesforceSObjects, DescribeListsRestrictedPicklistValues) {
  auto r = api("GET", "/sobjects/Task/describe");
  ASSERT_EQ(r.status, 200);
  bool checked = false;
  const auto describe = r.json();
  for (const auto& f : describe.at("fields").as_array()) {
    if (f.at("name").as_string() != "CallType") continue;
    EXPECT_EQ(f.at("restrictedPicklist"), true);
    std::vector<std::string> values;
    for (const auto& p : f.at("picklistValues").as_array()) values.emplace_back(p.at("value").as_string());
    EXPECT_EQ(values, (std::vector<std::string>{"Inbound", "Outbound", "Internal"}));
    checked = true;
  }
  EXPECT_TRUE(checked);
  EXPECT_EQ(r.json().at("keyPrefix").as_string(), "00T");
}

TEST_F(SalesforceSObjects, HttpMethodOverrideTurnsPostIntoPatch) {
  const std::string id = create("Contact", {{"LastName", "Override"}});
  auto r = api_json("POST", "/sobjects/Contact/" + id + "?_HttpMethod=PATCH", {{"Title", "Patched"}});
  EXPECT_EQ(r.status, 204) << r.body;
  EXPECT_EQ(api("GET", "/sobjects/Contact/" + id).json().at("Title").as_string(), "Patched");
  auto put = api_json("PUT", "/sobjects/Contact/" + id, {{"Title", "x"}});
  EXPECT_EQ(put.status, 405);
  EXPECT_EQ(error_code(put), "METHOD_NOT_ALLOWED");
}

TEST_F(SalesforceSObjects, CompositeCreatesLeadAndTaskWithReference) {
  auto r = api_json("POST", "/composite", parse(R"({"allOrNone":true,"compositeRequest":[
      {"method":"POST","url":"/services/data/v62.0/sobjects/Lead","referenceId":"refLead",
       "body":{"LastName":"Unknown caller +14155550111","Company":"Unknown","Phone":"+14155550111"}},
      {"method":"POST","url":"/services/data/v62.0/sobjects/Task","referenceId":"refTask",
       "body":{"WhoId":"@{refLead.id}","Subject":"Inbound call","TaskSubtype":"Call","CallType":"Inbound"}}]})"));
  ASSERT_EQ(r.status, 200) << r.body;
  auto responses = r.json().at("compositeResponse").as_array();
  ASSERT_EQ(responses.size(), 2u);
  EXPECT_EQ(responses[0].at("httpStatusCode"), 201);
  EXPECT_EQ(responses[1].at("httpStatusCode"), 201);
  const auto lead_id = responses[0].at("body").at("id");
  EXPECT_NE(std::string(responses[0].at("httpHeaders").at("Location").as_string()).find(lead_id.as_string()),
            std::string::npos);
  auto task = api("GET", "/sobjects/Task/" + std::string(responses[1].at("body").at("id").as_string())).json();
  EXPECT_EQ(task.at("WhoId"), lead_id);
  // One API call for the whole composite.
  EXPECT_EQ(r.header("Sforce-Limit-Info"), "api-usage=1/5000000");
}

TEST_F(SalesforceSObjects, CompositeAllOrNoneRollsBackOnFailure) {
  const auto leads_before = sandbox().records("Lead").size();
  auto r = api_json("POST", "/composite", parse(R"({"allOrNone":true,"compositeRequest":[
      {"method":"POST","url":"/services/data/v62.0/sobjects/Lead","referenceId":"refLead",
       "body":{"LastName":"Rolled back","Company":"Unknown"}},
      {"method":"POST","url":"/services/data/v62.0/sobjects/Task","referenceId":"refTask",
       "body":{"WhoId":"@{refLead.id}","CallType":"Sideways"}}]})"));
  ASSERT_EQ(r.status, 200) << r.body;
  auto responses = r.json().at("compositeResponse").as_array();
  EXPECT_EQ(responses[0].at("httpStatusCode"), 400);
  EXPECT_EQ(responses[0].at("body").at(0).at("errorCode").as_string(), "PROCESSING_HALTED");
  EXPECT_EQ(responses[1].at("body").at(0).at("errorCode").as_string(), "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST");
  EXPECT_EQ(sandbox().records("Lead").size(), leads_before);
}

} // namespace
} // namespace appconnect::testing
