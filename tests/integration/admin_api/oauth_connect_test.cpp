// Connecting a CRM through the admin API's OAuth flow, against each CRM's sandbox: start, follow the
// authorize URL as a browser would (the sandbox consents at once and redirects to the callback with a
// code), the callback stores the tokens sealed, the database files hold no token in clear, and the
// next call is logged with them. Also: trial mode logs only the trial agent's calls.
#include "security/secret_box.hpp"
#include "store/database.hpp"
#include "store/repositories.hpp"
#include "support/testing.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace appconnect::testing {
namespace {
namespace json = boost::json;
using ::testing::HasSubstr;
using ::testing::StartsWith;

std::string file_bytes(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string str(const json::value& v, std::string_view key) {
  const auto* p = v.as_object().if_contains(key);
  return p != nullptr && p->is_string() ? std::string(p->get_string()) : std::string();
}

struct Crm {
  json::object settings;
  json::object credentials;
  std::string placeholder_type;
};

Crm crm_for(const std::string& crm, const std::string& url) {
  if (crm == "salesforce")
    return {json::object{{"login_url", url}},
            json::object{{"client_id", "appconnect-demo"}, {"client_secret", "demo-secret"}}, "Lead"};
  if (crm == "hubspot")
    return {json::object{{"api_base_url", url}, {"oauth_base_url", url}, {"app_base_url", url}},
            json::object{{"client_id", "appconnect-demo"}, {"client_secret", "demo-secret"}}, "contact"};
  return {json::object{{"accounts_url", url}, {"api_domain", url}},
          json::object{{"client_id", "1000.APPCONNECTDEMO"}, {"client_secret", "demo-secret"}}, "Leads"};
}

HttpResult admin(const HostProcess& host, std::string_view method, const std::string& path,
                 const json::value& body = nullptr) {
  return host.admin(method, path, body);
}

class OAuthConnect : public ::testing::TestWithParam<std::string> {};

TEST_P(OAuthConnect, StoresSealedTokensAndTheNextCallIsLogged) {
  SandboxOptions options;
  options.crm = GetParam();
  SandboxProcess sandbox(options);
  const Crm crm = crm_for(GetParam(), sandbox.base_url());
  json::object placeholder{{"enabled", true}, {"type", crm.placeholder_type}, {"name_template", "New Lead - {phone}"}};
  HostProcess host(json::object{
      {"tenants", json::array{json::object{
                      {"id", "t"},
                      {"name", "T"},
                      {"settings", json::object{{"matching", json::object{{"placeholder", placeholder}}}}}}}}});
  auto created = admin(host, "POST", "/v1/admin/connections",
                       json::object{{"id", "c-oauth"},
                                    {"tenant", "t"},
                                    {"connector", GetParam()},
                                    {"settings", crm.settings},
                                    {"credentials", crm.credentials}});
  ASSERT_EQ(created.status, 201) << created.body;

  auto start = admin(host, "POST", "/v1/admin/connections/c-oauth/oauth/start");
  ASSERT_EQ(start.status, 200) << start.body;
  const std::string authorize_url = str(start.json(), "authorize_url");
  const std::string state = str(start.json(), "state");
  ASSERT_THAT(authorize_url, StartsWith(sandbox.base_url()));
  EXPECT_THAT(authorize_url, HasSubstr(url_encode(state)));

  // The browser: the consent page redirects to our callback with a code.
  auto consent = http("GET", authorize_url);
  ASSERT_EQ(consent.status, 302) << consent.body;
  const std::string callback = consent.header("Location");
  ASSERT_THAT(callback, StartsWith(host.base_url() + "/v1/oauth/callback?"));
  auto connected = http("GET", callback);
  ASSERT_EQ(connected.status, 200) << connected.body;
  EXPECT_EQ(str(connected.json(), "status"), "connected");
  // A state works once.
  EXPECT_EQ(http("GET", callback).status, 400);

  auto conn = admin(host, "GET", "/v1/admin/connections/c-oauth");
  ASSERT_EQ(conn.status, 200);
  const auto conn_doc = conn.json();
  const auto& set = conn_doc.at("credentials_set").as_array();
  EXPECT_NE(std::find(set.begin(), set.end(), json::value("access_token")), set.end()) << conn.body;
  EXPECT_EQ(str(conn.json().at("health").at("auth_status"), "state"), "ok");

  // The tokens as stored (opened with the test host's key), then nowhere in clear in the files.
  auto box = std::make_shared<const security::SecretBox>(
      security::SecretKey::from_file(host.dir().file("secrets.key")).value());
  const auto db_path = host.dir().file("data") / "appconnect.db";
  json::object credentials;
  {
    auto db = store::Database::open("sqlite:" + db_path.string(), 1);
    ASSERT_TRUE(db);
    auto row = store::ConnectionRepository(db.value(), box).get("c-oauth");
    ASSERT_TRUE(row && row.value());
    credentials = row.value()->credentials;
  }
  std::vector<std::string> secrets{"demo-secret", str(credentials, "access_token")};
  if (!str(credentials, "refresh_token").empty()) secrets.push_back(str(credentials, "refresh_token"));
  ASSERT_GE(secrets.at(1).size(), 8u) << json::serialize(credentials);

  // A call is logged with the new token.
  ASSERT_EQ(host.post_event(call_event("oauth-call-1", "sess-oauth-1", "+14805550111", "t")).status, 202);
  auto settled = host.wait_settled("oauth-call-1", "t");
  const auto& jobs = settled.at("jobs").as_array();
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(str(jobs[0], "state"), "done") << json::serialize(settled);
  EXPECT_EQ(str(jobs[0].at("outcome"), "action"), "created") << json::serialize(settled);

  for (const char* suffix : {"", "-wal", "-shm"}) {
    const auto path = db_path.string() + suffix;
    if (!std::filesystem::exists(path)) continue;
    const auto bytes = file_bytes(path);
    for (const auto& s : secrets) EXPECT_EQ(bytes.find(s), std::string::npos) << s << " in clear in " << path;
  }
  const auto log = file_bytes(host.dir().file("host.log"));
  for (const auto& s : secrets) EXPECT_EQ(log.find(s), std::string::npos) << s << " in the host log";
  EXPECT_EQ(log.find(state), std::string::npos) << "the OAuth state in the host log";

  auto audit = admin(host, "GET", "/v1/admin/audit?tenant=t&limit=1000");
  EXPECT_THAT(audit.body, HasSubstr("connection.oauth_connected"));
  for (const auto& s : secrets) EXPECT_EQ(audit.body.find(s), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Crms, OAuthConnect, ::testing::Values("salesforce", "hubspot", "zoho"));

TEST(OAuthCallback, AnUnknownStateChangesNothing) {
  HostProcess host(json::object{});
  auto r = http("GET", host.base_url() + "/v1/oauth/callback?code=abc&state=made-up");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(str(r.json().at("error"), "code"), "invalid_state");
  auto page = http("GET", host.base_url() + "/v1/oauth/callback?code=abc", {}, {{"Accept", "text/html"}});
  EXPECT_EQ(page.status, 400);
  EXPECT_THAT(page.header("Content-Type"), StartsWith("text/html"));
}

TEST(TrialMode, OnlyTheTrialAgentsCallsAreLogged) {
  SandboxProcess sandbox;
  json::object placeholder{{"enabled", true}, {"type", "Lead"}, {"name_template", "New Lead - {phone}"}};
  HostProcess host(json::object{
      {"tenants",
       json::array{json::object{{"id", "default"},
                                {"name", "D"},
                                {"settings", json::object{{"matching", json::object{{"placeholder", placeholder}}}}}}}},
      {"connections", json::array{salesforce_connection("sf-trial", "default", sandbox.base_url())}}});
  auto patched = host.admin("PATCH", "/v1/admin/connections/sf-trial",
                            json::object{{"trial_mode", json::object{{"enabled", true}, {"agent", "101"}}}});
  ASSERT_EQ(patched.status, 200) << patched.body;

  auto other = call_event("trial-202", "sess-trial-202", "+14805550122");
  other.as_object()["agent"] = json::object{{"extension_id", "202"}, {"email", "sam@acme-demo.example"}};
  ASSERT_EQ(host.post_event(other).status, 202);
  auto skipped = host.wait_settled("trial-202");
  EXPECT_EQ(str(skipped.at("jobs").at(0), "state"), "done");
  EXPECT_EQ(str(skipped.at("jobs").at(0).at("outcome"), "action"), "skipped") << json::serialize(skipped);
  EXPECT_EQ(str(skipped.at("jobs").at(0).at("outcome"), "reason"), "trial_mode");

  ASSERT_EQ(host.post_event(call_event("trial-101", "sess-trial-101", "+14805550133")).status, 202);
  auto logged = host.wait_settled("trial-101");
  EXPECT_EQ(str(logged.at("jobs").at(0).at("outcome"), "action"), "created") << json::serialize(logged);

  // Trial over: the next call of another agent is logged too, with no restart.
  ASSERT_EQ(host.admin("PATCH", "/v1/admin/connections/sf-trial",
                       json::object{{"trial_mode", json::object{{"enabled", false}}}})
                .status,
            200);
  other.as_object()["id"] = "trial-202-b";
  other.as_object()["call"].as_object()["session_id"] = "sess-trial-202-b";
  ASSERT_EQ(host.post_event(other).status, 202);
  auto after = host.wait_settled("trial-202-b");
  EXPECT_EQ(str(after.at("jobs").at(0).at("outcome"), "action"), "created") << json::serialize(after);
}

// A rep's own override (here: no notes in the call record) applies to that rep's calls only, from the
// next job on, and only while the tenant lists the path in rep_overridable.
TEST(RepOverrides, ApplyToTheRepsOwnCallsOnly) {
  SandboxProcess sandbox;
  json::object placeholder{{"enabled", true}, {"type", "Lead"}, {"name_template", "New Lead - {phone}"}};
  HostProcess host(json::object{
      {"tenants",
       json::array{json::object{{"id", "default"},
                                {"name", "D"},
                                {"settings", json::object{{"matching", json::object{{"placeholder", placeholder}}},
                                                          {"rep_overridable", json::array{"logging.fields.notes"}}}}}}},
      {"connections", json::array{salesforce_connection("sf-rep", "default", sandbox.base_url())}}});
  auto minted = host.admin("POST", "/v1/admin/tokens",
                           json::object{{"name", "maria"}, {"role", "rep"}, {"tenant", "default"}, {"agent", "101"}});
  ASSERT_EQ(minted.status, 201) << minted.body;
  const std::string rep = str(minted.json(), "token");
  auto put = http("PUT", host.base_url() + "/v1/admin/me/settings",
                  json::serialize(json::object{{"settings", json::object{{"logging.fields.notes", false}}}}),
                  {{"Authorization", "Bearer " + rep}});
  ASSERT_EQ(put.status, 200) << put.body;

  auto task_body = [&](const std::string& call_object) {
    for (const auto& t : sandbox.records("Task"))
      if (str(t, "CallObject") == call_object) return str(t, "Description");
    return std::string("<no task>");
  };
  ASSERT_EQ(host.post_event(call_event("rep-101", "sess-rep-101", "+14805550144")).status, 202);
  host.wait_settled("rep-101");
  auto other = call_event("rep-202", "sess-rep-202", "+14805550155");
  other.as_object()["agent"] = json::object{{"extension_id", "202"}};
  ASSERT_EQ(host.post_event(other).status, 202);
  host.wait_settled("rep-202");
  EXPECT_THAT(task_body("call:sess-rep-101:101"), ::testing::Not(HasSubstr("Asked about the renewal.")));
  EXPECT_THAT(task_body("call:sess-rep-101:101"), HasSubstr("Duration"));
  EXPECT_THAT(task_body("call:sess-rep-202:202"), HasSubstr("Asked about the renewal."));

  // The admin takes the choice back: the rep's stored value stops applying at once.
  ASSERT_EQ(host.admin("PATCH", "/v1/admin/tenants/default",
                       json::object{{"settings", json::object{{"rep_overridable", json::array{}}}}})
                .status,
            200);
  ASSERT_EQ(host.post_event(call_event("rep-101-b", "sess-rep-101-b", "+14805550166")).status, 202);
  host.wait_settled("rep-101-b");
  EXPECT_THAT(task_body("call:sess-rep-101-b:101"), HasSubstr("Asked about the renewal."));
}

} // namespace
} // namespace appconnect::testing
