// The Salesforce plugin end to end: the built salesforce.so loaded through the host's PluginRegistry, every
// SDK operation invoked against the Salesforce sandbox, and what it wrote checked in the sandbox's store and
// request log. Also the failure paths the host depends on: token expiry -> auth_expired -> oauth_refresh,
// Salesforce's 403 REQUEST_LIMIT_EXCEEDED and a 429 with Retry-After, 5xx, validation errors, pagination,
// phones stored in other spellings, and idempotency through CallObject (the external id).
#include "integration/sandbox/salesforce_fixture.hpp"

#include "httpclient/http_client.hpp"
#include "plugins/host_services.hpp"
#include "plugins/plugin_registry.hpp"

#include <gmock/gmock.h>

#include <algorithm>

namespace appconnect::testing {
namespace {

namespace json = boost::json;
using ::testing::HasSubstr;
using ::testing::StartsWith;
using ::testing::UnorderedElementsAre;

std::string str(const json::value& v, std::string_view key) {
  const auto* p = v.is_object() ? v.as_object().if_contains(key) : nullptr;
  return p != nullptr && p->is_string() ? std::string(p->get_string()) : std::string();
}

// %XX sequences of a query value decoded (the authorization code comes back URL-encoded).
std::string percent_decode(const std::string& text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      out.push_back(static_cast<char>(std::stoi(text.substr(i + 1, 2), nullptr, 16)));
      i += 2;
    } else {
      out.push_back(text[i] == '+' ? ' ' : text[i]);
    }
  }
  return out;
}

// The spellings the host's PhoneNormalizer proposes for a North American number.
json::array nanp_variants(const std::string& e164) {
  const std::string d = e164.substr(2);
  return {e164,
          d,
          e164.substr(1),
          "(" + d.substr(0, 3) + ") " + d.substr(3, 3) + "-" + d.substr(6),
          "+1 " + d.substr(0, 3) + "-" + d.substr(3, 3) + "-" + d.substr(6),
          d.substr(0, 3) + "-" + d.substr(3, 3) + "-" + d.substr(6)};
}

json::object call_log(const std::string& external_id, const std::string& contact_id) {
  return {{"external_id", external_id},
          {"contact_id", contact_id},
          {"direction", "inbound"},
          {"from_phone", "+14155550132"},
          {"to_phone", "+14155550100"},
          {"start_time", "2026-11-25T09:30:00Z"},
          {"duration_s", 125},
          {"result", "answered"},
          {"subject", "Inbound call from +14155550132"},
          {"body", "Talked about the renewal."},
          {"recording_url", "https://media.example/rec/1.mp3"}};
}

class SalesforcePlugin : public SalesforceSandboxTest {
 protected:
  static void SetUpTestSuite() {
    SalesforceSandboxTest::SetUpTestSuite();
    registry_ = std::make_unique<plugins::PluginRegistry>(
        std::make_shared<plugins::HostServices>(std::make_shared<httpclient::HttpClient>()));
    registry_->load_file(std::string(APPCONNECT_PLUGIN_DIR) + "/salesforce.so");
    for (const auto& r : registry_->refusals()) load_error_ += r.reason + "\n";
  }
  static void TearDownTestSuite() {
    registry_.reset();
    SalesforceSandboxTest::TearDownTestSuite();
  }

  void SetUp() override {
    SalesforceSandboxTest::SetUp();
    plugin_ = registry_->find("salesforce");
    ASSERT_NE(plugin_, nullptr) << load_error_;
    settings_ = {{"login_url", sandbox().base_url()}, {"instance_url", sandbox().base_url()}};
    credentials_ = {{"client_id", "appconnect-demo"},
                    {"client_secret", "demo-secret"},
                    {"refresh_token", "demo-refresh-token"},
                    {"access_token", token_}};
  }

  json::object context() const {
    return {{"connection_id", "sf-test"}, {"tenant_id", "t1"}, {"settings", settings_}, {"credentials", credentials_}};
  }
  Result<json::value> invoke(std::string_view op, const json::value& request = json::object{}) const {
    return plugin_->invoke(op, request, context(), plugins::CallScope{"salesforce", "sf-test", "t1", 0});
  }
  Result<json::value> find(const std::string& e164, json::array types = {}) const {
    json::object req{{"phone_e164", e164}, {"variants", nanp_variants(e164)}, {"limit", 20}};
    if (!types.empty()) req["types"] = std::move(types);
    return invoke("find_contacts", req);
  }
  static std::vector<std::string> found(const json::value& result) {
    std::vector<std::string> out;
    for (const auto& c : result.at("contacts").as_array()) out.push_back(str(c, "name") + "/" + str(c, "type"));
    return out;
  }

  // A stored record by id, as the control API exports it.
  static json::object stored(const std::string& object, const std::string& id) {
    for (const auto& r : sandbox().records(object))
      if (str(r, "Id") == id) return r.as_object();
    ADD_FAILURE() << "no " << object << " " << id;
    return {};
  }
  static std::string seeded_id(const std::string& object, const std::string& field, const std::string& value) {
    for (const auto& r : sandbox().records(object))
      if (str(r, field) == value) return str(r, "Id");
    ADD_FAILURE() << "no seeded " << object << " with " << field << "=" << value;
    return {};
  }
  // Requests of the sandbox's log whose path contains `part`.
  static std::size_t requests_to(const std::string& part) {
    std::size_t n = 0;
    for (const auto& r : sandbox().requests())
      if (str(r, "path").find(part) != std::string::npos) ++n;
    return n;
  }
  void fail_next(const json::object& fault) const { sandbox().configure({{"fail_next", json::array{fault}}}); }

  static inline std::unique_ptr<plugins::PluginRegistry> registry_;
  static inline std::string load_error_;
  const plugins::LoadedPlugin* plugin_ = nullptr;
  json::object settings_;
  json::object credentials_;
};

TEST_F(SalesforcePlugin, LoadsWithEveryCapability) {
  EXPECT_EQ(plugin_->manifest().id, "salesforce");
  for (const char* op :
       {"find_contacts", "create_contact", "create_call_log", "update_call_log", "find_log_by_external_id", "get_log",
        "create_message_log", "update_message_log", "list_users", "oauth"})
    EXPECT_TRUE(std::count(plugin_->manifest().capabilities.begin(), plugin_->manifest().capabilities.end(), op)) << op;
}

// ---- find_contacts ----

TEST_F(SalesforcePlugin, FindsContactsStoredInOtherSpellingsWithEveryField) {
  // Olivia's Phone is "(415) 555-0132", Marcus's "+1 415-555-0132": one event number finds both.
  auto r = find("+14155550132");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_THAT(found(r.value()), UnorderedElementsAre("Olivia Bennett/Contact", "Marcus Reed/Contact"));
  const std::string olivia = seeded_id("Contact", "LastName", "Bennett");
  const std::string james = seeded_id("User", "Email", "james.chen@acme-demo.example");
  for (const auto& c : r.value().at("contacts").as_array()) {
    if (str(c, "id") != olivia) continue;
    EXPECT_EQ(str(c, "phone"), "(415) 555-0132");
    EXPECT_EQ(str(c, "mobile_phone"), "415.555.0177");
    EXPECT_EQ(str(c, "owner_id"), james);
    EXPECT_THAT(str(c, "created_at"), StartsWith("20"));
    EXPECT_THAT(str(c, "created_at"), ::testing::EndsWith("Z"));
    EXPECT_FALSE(str(c, "modified_at").empty());
    EXPECT_EQ(str(c, "url"), sandbox().base_url() + "/lightning/r/Contact/" + olivia + "/view");
  }
  // One SOSL search did it: the fallback only runs when the search finds nothing.
  EXPECT_EQ(requests_to("/search/"), 1u);
  EXPECT_EQ(requests_to("/query/"), 0u);
}

TEST_F(SalesforcePlugin, ASharedNumberFindsTheContactAndTheLeadAndTypesRestrictThem) {
  auto both = find("+16505550112"); // Aisha's "1-650-555-0112" and Jordan's "(650) 555-0112"
  ASSERT_TRUE(both.ok()) << both.error().message;
  EXPECT_THAT(found(both.value()), UnorderedElementsAre("Aisha Rahman/Contact", "Jordan Blake/Lead"));
  auto leads = find("+16505550112", {"Lead"});
  ASSERT_TRUE(leads.ok()) << leads.error().message;
  EXPECT_THAT(found(leads.value()), UnorderedElementsAre("Jordan Blake/Lead"));
}

TEST_F(SalesforcePlugin, MobileNumbersAreFoundAndConvertedLeadsAreNot) {
  auto mobile = find("+14155550190"); // Ethan Brooks has only a MobilePhone
  ASSERT_TRUE(mobile.ok()) << mobile.error().message;
  EXPECT_THAT(found(mobile.value()), UnorderedElementsAre("Ethan Brooks/Contact"));
  auto converted = find("+15125550199"); // Emma Wilson's lead was converted
  ASSERT_TRUE(converted.ok()) << converted.error().message;
  EXPECT_TRUE(converted.value().at("contacts").as_array().empty());
}

TEST_F(SalesforcePlugin, WhileTheSearchIndexLagsSoqlFindsEverySpellingAcrossPages) {
  // New records stay invisible to SOSL for a while; the SOQL fallback sees them, in pages of 2.
  sandbox().configure({{"search_index_lag_s", 600}, {"query_batch_size", 2}});
  const std::vector<std::string> spellings{"(303) 555-0188", "303-555-0188", "+1 303-555-0188", "3035550188",
                                           "(303) 555-0188"};
  for (std::size_t i = 0; i < spellings.size(); ++i)
    create("Contact", {{"LastName", "Lag" + std::to_string(i)}, {"Phone", spellings[i]}});
  auto r = find("+13035550188");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r.value().at("contacts").as_array().size(), 5u) << json::serialize(r.value());
  EXPECT_GE(requests_to("/query/"), 3u) << "5 records in pages of 2 need nextRecordsUrl twice";
}

// ---- create_contact ----

TEST_F(SalesforcePlugin, CreatesAPlaceholderLeadWithTheFieldsSalesforceRequires) {
  const std::string maria = seeded_id("User", "Email", "maria.garcia@acme-demo.example");
  auto r = invoke("create_contact", json::object{{"type", "Lead"},
                                                 {"last_name", "New Lead - +14805550101"},
                                                 {"phone", "+14805550101"},
                                                 {"owner_id", maria},
                                                 {"source", "Phone Inquiry"}});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(str(r.value(), "type"), "Lead");
  EXPECT_EQ(str(r.value(), "name"), "New Lead - +14805550101");
  const auto lead = stored("Lead", str(r.value(), "id"));
  EXPECT_EQ(str(lead, "LastName"), "New Lead - +14805550101");
  EXPECT_EQ(str(lead, "Company"), "Unknown");
  EXPECT_EQ(str(lead, "Phone"), "+14805550101");
  EXPECT_EQ(str(lead, "LeadSource"), "Phone Inquiry");
  EXPECT_EQ(str(lead, "OwnerId"), maria);
}

TEST_F(SalesforcePlugin, CreatesAContactAndRefusesOtherTypes) {
  settings_["lead_company"] = "Walk-in";
  auto c = invoke("create_contact",
                  json::object{{"type", "Contact"}, {"first_name", "Ada"}, {"last_name", "Byron"}, {"phone", "x"}});
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(str(c.value(), "name"), "Ada Byron");
  EXPECT_EQ(str(stored("Contact", str(c.value(), "id")), "FirstName"), "Ada");
  auto account = invoke("create_contact", json::object{{"type", "Account"}, {"last_name", "Nope"}});
  ASSERT_FALSE(account.ok());
  EXPECT_EQ(account.error().code, "validation");
  EXPECT_FALSE(account.error().retryable);
}

TEST_F(SalesforcePlugin, ValidationErrorsKeepSalesforcesCodeAndFieldAndAreNotRetried) {
  // A WhoId that names no record: Salesforce refuses the reference and names the field.
  auto r = invoke("create_call_log", json::object{{"log", call_log("call:s-v:101", "003000000000000AAA")}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "validation");
  EXPECT_FALSE(r.error().retryable);
  EXPECT_EQ(r.error().crm_status, 400);
  EXPECT_THAT(r.error().message, HasSubstr("INVALID_CROSS_REFERENCE_KEY"));
  EXPECT_THAT(r.error().message, HasSubstr("WhoId"));
  EXPECT_EQ(sandbox().records("Task").size(), 3u) << "nothing written";
}

// ---- call logs ----

TEST_F(SalesforcePlugin, CreatesACallTaskWithEveryCallField) {
  const std::string olivia = seeded_id("Contact", "LastName", "Bennett");
  const std::string james = seeded_id("User", "Email", "james.chen@acme-demo.example");
  auto log = call_log("call:s-1:101", olivia);
  log["owner_id"] = james;
  auto r = invoke("create_call_log", json::object{{"log", log}});
  ASSERT_TRUE(r.ok()) << r.error().message;
  const std::string id = str(r.value(), "id");
  EXPECT_EQ(str(r.value(), "type"), "Task");
  EXPECT_EQ(str(r.value(), "url"), sandbox().base_url() + "/lightning/r/Task/" + id + "/view");
  const auto task = stored("Task", id);
  EXPECT_EQ(str(task, "Subject"), "Inbound call from +14155550132");
  EXPECT_EQ(str(task, "TaskSubtype"), "Call");
  EXPECT_EQ(str(task, "CallType"), "Inbound");
  EXPECT_EQ(task.at("CallDurationInSeconds").to_number<int>(), 125);
  EXPECT_EQ(str(task, "CallDisposition"), "Answered");
  EXPECT_EQ(str(task, "CallObject"), "call:s-1:101");
  EXPECT_EQ(str(task, "ActivityDate"), "2026-11-25");
  EXPECT_EQ(str(task, "Status"), "Completed");
  EXPECT_EQ(str(task, "WhoId"), olivia);
  EXPECT_EQ(str(task, "OwnerId"), james);
  EXPECT_THAT(str(task, "Description"), HasSubstr("Talked about the renewal."));
  EXPECT_THAT(str(task, "Description"), HasSubstr("Recording: https://media.example/rec/1.mp3"));
}

TEST_F(SalesforcePlugin, UpdatesTheSameTaskAndReadsItsBodyBack) {
  const std::string olivia = seeded_id("Contact", "LastName", "Bennett");
  auto created = invoke("create_call_log", json::object{{"log", call_log("call:s-2:101", olivia)}});
  ASSERT_TRUE(created.ok()) << created.error().message;
  const std::string id = str(created.value(), "id");
  auto log = call_log("call:s-2:101", olivia);
  log["direction"] = "outbound";
  log["result"] = "missed";
  log["duration_s"] = 0;
  log["subject"] = "Outbound call to +14155550132 (missed)";
  log["body"] = "No answer.";
  log["recording_url"] = "";
  auto updated = invoke("update_call_log", json::object{{"id", id}, {"log", log}});
  ASSERT_TRUE(updated.ok()) << updated.error().message;
  EXPECT_EQ(str(updated.value(), "id"), id);
  EXPECT_EQ(sandbox().records("Task").size(), 4u) << "3 seeded tasks plus one";
  const auto task = stored("Task", id);
  EXPECT_EQ(str(task, "CallType"), "Outbound");
  EXPECT_EQ(str(task, "CallDisposition"), "Missed");
  EXPECT_EQ(task.at("CallDurationInSeconds").to_number<int>(), 0);
  EXPECT_EQ(str(task, "Subject"), "Outbound call to +14155550132 (missed)");
  EXPECT_EQ(str(task, "TaskSubtype"), "Call");

  auto read = invoke("get_log", json::object{{"id", id}, {"kind", "call"}});
  ASSERT_TRUE(read.ok()) << read.error().message;
  EXPECT_EQ(str(read.value(), "body"), "No answer.");
}

TEST_F(SalesforcePlugin, UpdatingADeletedTaskIsNotFound) {
  const std::string olivia = seeded_id("Contact", "LastName", "Bennett");
  auto created = invoke("create_call_log", json::object{{"log", call_log("call:s-3:101", olivia)}});
  ASSERT_TRUE(created.ok()) << created.error().message;
  const std::string id = str(created.value(), "id");
  ASSERT_EQ(api("DELETE", "/sobjects/Task/" + id).status, 204);
  auto r = invoke("update_call_log", json::object{{"id", id}, {"log", call_log("call:s-3:101", olivia)}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "not_found");
  EXPECT_FALSE(r.error().retryable);
}

TEST_F(SalesforcePlugin, TheExternalIdFindsTheTaskAgainInsteadOfASecondOne) {
  const std::string olivia = seeded_id("Contact", "LastName", "Bennett");
  auto none = invoke("find_log_by_external_id", json::object{{"external_id", "call:s-4:101"}, {"kind", "call"}});
  ASSERT_TRUE(none.ok()) << none.error().message;
  EXPECT_FALSE(none.value().as_object().contains("record") && !none.value().at("record").is_null());
  auto created = invoke("create_call_log", json::object{{"log", call_log("call:s-4:101", olivia)}});
  ASSERT_TRUE(created.ok()) << created.error().message;
  // A crash after the CRM write: the retry asks first and finds the same Task.
  auto again = invoke("find_log_by_external_id", json::object{{"external_id", "call:s-4:101"}, {"kind", "call"}});
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ(str(again.value().at("record"), "id"), str(created.value(), "id"));
  // Quotes in an id cannot break out of the SOQL string.
  auto odd = invoke("find_log_by_external_id", json::object{{"external_id", "x' OR Subject != '"}, {"kind", "call"}});
  ASSERT_TRUE(odd.ok()) << odd.error().message;
  EXPECT_FALSE(odd.value().as_object().contains("record") && !odd.value().at("record").is_null());
}

// ---- message logs ----

TEST_F(SalesforcePlugin, MessagesAreTasksOnThePersonUpdatedInPlace) {
  const std::string olivia = seeded_id("Contact", "LastName", "Bennett");
  json::object log{{"external_id", "sms:101:14155550132:2026-11-25"},
                   {"kind", "sms"},
                   {"contact_id", olivia},
                   {"direction", "inbound"},
                   {"start_time", "2026-11-25T09:30:00Z"},
                   {"subject", "SMS conversation with +14155550132"},
                   {"body", "09:30 in: Hello"},
                   {"message_count", 1}};
  auto created = invoke("create_message_log", json::object{{"log", log}});
  ASSERT_TRUE(created.ok()) << created.error().message;
  const std::string id = str(created.value(), "id");
  log["body"] = "09:30 in: Hello\n09:31 out: Hi!";
  log["message_count"] = 2;
  auto updated = invoke("update_message_log", json::object{{"id", id}, {"log", log}});
  ASSERT_TRUE(updated.ok()) << updated.error().message;
  const auto task = stored("Task", id);
  EXPECT_EQ(str(task, "TaskSubtype"), "Task");
  EXPECT_EQ(str(task, "WhoId"), olivia);
  EXPECT_EQ(str(task, "CallObject"), "sms:101:14155550132:2026-11-25");
  EXPECT_EQ(str(task, "Subject"), "SMS conversation with +14155550132");
  EXPECT_EQ(str(task, "Description"), "09:30 in: Hello\n09:31 out: Hi!");

  json::object fax{{"external_id", "fax:f-1:101"},
                   {"kind", "fax"},
                   {"contact_id", olivia},
                   {"direction", "inbound"},
                   {"start_time", "2026-11-25T10:00:00Z"},
                   {"subject", "Fax from +14155550132 (3 pages)"},
                   {"body", "Pages: 3"},
                   {"attachment_url", "https://files.example/f-1.pdf"}};
  auto faxed = invoke("create_message_log", json::object{{"log", fax}});
  ASSERT_TRUE(faxed.ok()) << faxed.error().message;
  EXPECT_THAT(str(stored("Task", str(faxed.value(), "id")), "Description"), HasSubstr("https://files.example/f-1.pdf"));
}

// ---- list_users ----

TEST_F(SalesforcePlugin, ListsActiveUsersAcrossQueryPages) {
  sandbox().configure({{"query_batch_size", 1}});
  auto r = invoke("list_users");
  ASSERT_TRUE(r.ok()) << r.error().message;
  std::vector<std::string> emails;
  for (const auto& u : r.value().at("users").as_array()) {
    emails.push_back(str(u, "email"));
    EXPECT_FALSE(str(u, "id").empty());
  }
  EXPECT_THAT(emails, UnorderedElementsAre("maria.garcia@acme-demo.example", "james.chen@acme-demo.example",
                                           "priya.patel@acme-demo.example"));
  EXPECT_EQ(requests_to("/query/"), 3u) << "three pages of one";
}

// ---- OAuth ----

TEST_F(SalesforcePlugin, AuthorizeUrlCodeExchangeAndTheLearnedInstanceUrl) {
  const std::string redirect = "http://127.0.0.1:9/oauth/callback";
  auto url = invoke("oauth_authorize_url", json::object{{"redirect_uri", redirect}, {"state", "st-1"}});
  ASSERT_TRUE(url.ok()) << url.error().message;
  const std::string authorize = str(url.value(), "url");
  EXPECT_THAT(authorize, StartsWith(sandbox().base_url() + "/services/oauth2/authorize?response_type=code"));
  auto consent = http("GET", authorize);
  ASSERT_EQ(consent.status, 302) << consent.body;
  const std::string location = consent.header("Location");
  ASSERT_THAT(location, StartsWith(redirect + "?code="));
  EXPECT_THAT(location, HasSubstr("state=st-1"));
  std::string code = location.substr(location.find("code=") + 5);
  code = percent_decode(code.substr(0, code.find('&')));

  settings_.erase("instance_url"); // a fresh connection does not know its instance yet
  auto tokens = invoke("oauth_exchange_code", json::object{{"code", code}, {"redirect_uri", redirect}});
  ASSERT_TRUE(tokens.ok()) << tokens.error().message;
  EXPECT_FALSE(str(tokens.value(), "access_token").empty());
  EXPECT_FALSE(str(tokens.value(), "refresh_token").empty());
  EXPECT_EQ(str(tokens.value().at("settings"), "instance_url"), sandbox().base_url());

  settings_["instance_url"] = str(tokens.value().at("settings"), "instance_url");
  credentials_["access_token"] = str(tokens.value(), "access_token");
  auto found_now = find("+16175550171");
  ASSERT_TRUE(found_now.ok()) << found_now.error().message;
  EXPECT_THAT(found(found_now.value()), UnorderedElementsAre("Noah Fischer/Contact"));

  auto reused = invoke("oauth_exchange_code", json::object{{"code", code}, {"redirect_uri", redirect}});
  ASSERT_FALSE(reused.ok());
  EXPECT_EQ(reused.error().code, "auth_revoked");
  EXPECT_THAT(reused.error().message, HasSubstr("invalid_grant"));
}

TEST_F(SalesforcePlugin, WithoutAnInstanceUrlTheHostIsAskedToRefresh) {
  settings_.erase("instance_url");
  auto r = find("+14155550132");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "auth_expired");
}

TEST_F(SalesforcePlugin, AnExpiredSessionIsAuthExpiredAndOneRefreshFixesIt) {
  sandbox().expire_tokens();
  auto expired = find("+14155550132");
  ASSERT_FALSE(expired.ok());
  EXPECT_EQ(expired.error().code, "auth_expired");
  EXPECT_TRUE(expired.error().retryable);
  EXPECT_EQ(expired.error().crm_status, 401);
  EXPECT_THAT(expired.error().message, HasSubstr("INVALID_SESSION_ID"));

  sandbox().clear_requests();
  auto refreshed = invoke("oauth_refresh");
  ASSERT_TRUE(refreshed.ok()) << refreshed.error().message;
  EXPECT_EQ(requests_to("/services/oauth2/token"), 1u);
  EXPECT_EQ(str(refreshed.value().at("settings"), "instance_url"), sandbox().base_url());
  credentials_["access_token"] = str(refreshed.value(), "access_token");
  auto again = find("+14155550132");
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ(again.value().at("contacts").as_array().size(), 2u);
}

TEST_F(SalesforcePlugin, ARevokedRefreshTokenNeedsReauthorization) {
  credentials_["refresh_token"] = "revoked-or-never-issued";
  auto r = invoke("oauth_refresh");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "auth_revoked");
  EXPECT_FALSE(r.error().retryable);
  EXPECT_EQ(r.error().crm_status, 400);
  credentials_.erase("refresh_token");
  auto none = invoke("oauth_refresh");
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().code, "auth_revoked");
}

// ---- limits and outages ----

TEST_F(SalesforcePlugin, RequestLimitExceededIsQuotaExhaustedWithTheServersRetryAfter) {
  sandbox().configure({{"fail_rate_429", 1.0}, {"fail_retry_after_s", 3}});
  auto r = find("+14155550132");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "quota_exhausted");
  EXPECT_TRUE(r.error().retryable);
  EXPECT_EQ(r.error().crm_status, 403);
  EXPECT_EQ(r.error().retry_after_ms, 3000);
  EXPECT_THAT(r.error().message, HasSubstr("REQUEST_LIMIT_EXCEEDED"));
}

TEST_F(SalesforcePlugin, TheDailyLimitWaitsAnHourWhenSalesforceSaysNothing) {
  sandbox().configure({{"daily_api_limit", 1}});
  ASSERT_TRUE(invoke("list_users").ok());
  auto r = invoke("list_users");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "quota_exhausted");
  EXPECT_EQ(r.error().retry_after_ms, 60LL * 60 * 1000);
  EXPECT_THAT(r.error().message, HasSubstr("TotalRequests Limit exceeded"));
}

TEST_F(SalesforcePlugin, A429WithRetryAfterIsRateLimited) {
  fail_next({{"status", 429}, {"retry_after_s", 2}});
  auto r = find("+14155550132");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "rate_limited");
  EXPECT_TRUE(r.error().retryable);
  EXPECT_EQ(r.error().retry_after_ms, 2000);
  EXPECT_TRUE(find("+14155550132").ok()) << "only the next request was limited";
}

TEST_F(SalesforcePlugin, ServerErrorsAreUnavailableAndRetryable) {
  fail_next({{"status", 503}, {"retry_after_s", 5}});
  auto busy = invoke("list_users");
  ASSERT_FALSE(busy.ok());
  EXPECT_EQ(busy.error().code, "unavailable");
  EXPECT_TRUE(busy.error().retryable);
  EXPECT_EQ(busy.error().retry_after_ms, 5000);
  EXPECT_THAT(busy.error().message, HasSubstr("SERVER_UNAVAILABLE"));
  fail_next({{"status", 500}});
  auto broken = invoke("create_call_log", json::object{{"log", call_log("call:s-5:101", "")}});
  ASSERT_FALSE(broken.ok());
  EXPECT_TRUE(broken.error().retryable);
  EXPECT_EQ(broken.error().crm_status, 500);
  EXPECT_THAT(broken.error().message, HasSubstr("UNKNOWN_EXCEPTION"));
}

TEST_F(SalesforcePlugin, AnUnreachableOrgIsATransportError) {
  settings_["instance_url"] = "http://127.0.0.1:9"; // discard port: nothing listens
  auto r = find("+14155550132");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "transport");
  EXPECT_TRUE(r.error().retryable);
}

} // namespace
} // namespace appconnect::testing
