// The admin API's access rules end to end: every route with every role (no token, a rep and an admin of
// tenant "acme", an admin of tenant "globex", an operator) against acme's objects, so cross-tenant attempts
// are refused with 404 and never carry data; tokens are stored hashed; a rep sees only their own items;
// settings are versioned and roll back; credentials are write-only; the CLI drives the same API.
#include "store/database.hpp"
#include "store/matching_repositories.hpp"
#include "store/repositories.hpp"
#include "support/testing.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace appconnect::testing {
namespace {
namespace json = boost::json;
using ::testing::HasSubstr;
using ::testing::Not;
using namespace std::chrono_literals;

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

struct CliRun {
  int exit_code = -1;
  std::string out;
  std::string err;
};

CliRun run_cli(const std::vector<std::string>& args, const std::map<std::string, std::string>& env = {}) {
  TempDir dir("appconnect-cli");
  ChildProcess p;
  p.start(bin_path("appconnect"), args, env, dir.file("stderr").string());
  auto code = p.wait(60s);
  CliRun r;
  r.exit_code = code.value_or(-1);
  p.wait_for_line(std::regex("\x01never\x01"), 2s); // let the reader drain stdout
  for (const auto& line : p.stdout_lines()) r.out += line + "\n";
  r.err = p.stderr_text();
  return r;
}

enum Who { kNone, kRepAcme, kAdminGlobex, kAdminAcme, kOperator, kWhoCount };
constexpr const char* kWhoNames[] = {"no token", "rep of acme", "admin of globex", "admin of acme", "operator"};

class AdminApi : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    host_ = new HostProcess(json::object{{"tenants", json::array{json::object{{"id", "acme"}, {"name", "Acme"}},
                                                                 json::object{{"id", "globex"}, {"name", "Globex"}}}}});
    tokens_[kNone] = "";
    tokens_[kOperator] = host_->admin_token();
    tokens_[kAdminAcme] = mint("acme-admin", "admin", "acme", "");
    tokens_[kRepAcme] = mint("acme-rep-101", "rep", "acme", "101");
    tokens_[kAdminGlobex] = mint("globex-admin", "admin", "globex", "");
    // One connection per tenant; disabled, so no job ever runs against its (unreachable) CRM.
    for (const char* tenant : {"acme", "globex"}) {
      auto r = as(kOperator, "POST", "/v1/admin/connections",
                  json::object{{"id", std::string("c-") + tenant},
                               {"tenant", tenant},
                               {"connector", "salesforce"},
                               {"enabled", false},
                               {"settings", json::object{{"login_url", "http://127.0.0.1:9"}}},
                               {"credentials", json::object{{"client_id", "appconnect-demo"},
                                                            {"client_secret", "cs-" + std::string(tenant)}}}});
      ASSERT_EQ(r.status, 201) << r.body;
    }
    // Unresolved items straight into the store: two of acme (agents 101 and 202), one of globex.
    auto db = store::Database::open("sqlite:" + db_path().string(), 2);
    ASSERT_TRUE(db) << db.error().message;
    store::UnresolvedRepository items(db.value());
    auto add = [&](const std::string& tenant, const std::string& agent, std::int64_t job) {
      store::UnresolvedItem i;
      i.tenant_id = tenant;
      i.connection_id = "c-" + tenant;
      i.job_id = job;
      i.event_seq = job;
      i.conversation_key = "call:s" + std::to_string(job) + ":" + agent;
      i.kind = "call";
      i.phone_e164 = "+14805550199";
      i.agent = agent;
      i.reason = "multiple_matches";
      i.detail = json::object{{"message", "two contacts share the number"}};
      auto id = items.open(i);
      EXPECT_TRUE(id) << id.error().message;
      return id ? id.value() : 0;
    };
    item_101_ = add("acme", "101", 900001);
    item_202_ = add("acme", "202", 900002);
    item_globex_ = add("globex", "101", 900003);
  }
  static void TearDownTestSuite() {
    delete host_;
    host_ = nullptr;
  }

  static std::filesystem::path db_path() { return host_->dir().file("data") / "appconnect.db"; }

  static std::string mint(const std::string& name, const std::string& role, const std::string& tenant,
                          const std::string& agent) {
    json::object body{{"name", name}, {"role", role}, {"tenant", tenant}};
    if (!agent.empty()) body["agent"] = agent;
    auto r = as(kOperator, "POST", "/v1/admin/tokens", body);
    EXPECT_EQ(r.status, 201) << r.body;
    return r.status == 201 ? str(r.json(), "token") : std::string();
  }

  static HttpResult as(Who who, std::string_view method, const std::string& path, const json::value& body = nullptr) {
    std::map<std::string, std::string> headers;
    if (!tokens_[who].empty()) headers["Authorization"] = "Bearer " + tokens_[who];
    return http(method, host_->base_url() + path, body.is_null() ? std::string() : json::serialize(body), headers);
  }

  static inline HostProcess* host_ = nullptr;
  static inline std::string tokens_[kWhoCount];
  static inline std::int64_t item_101_ = 0, item_202_ = 0, item_globex_ = 0;
};

struct RouteCase {
  std::string method;
  std::string path;
  json::value body;
  std::array<int, kWhoCount> expected; // none, rep acme, admin globex, admin acme, operator (run in this order)
};

TEST_F(AdminApi, EveryRouteAnswersEveryRoleAsDocumented) {
  auto victim = as(kOperator, "POST", "/v1/admin/tokens",
                   json::object{{"name", "victim"}, {"role", "rep"}, {"tenant", "acme"}, {"agent", "909"}});
  ASSERT_EQ(victim.status, 201) << victim.body;
  const std::string victim_id = str(victim.json(), "id");
  const std::string i101 = std::to_string(item_101_), i202 = std::to_string(item_202_);
  const json::value none = nullptr;
  const std::vector<RouteCase> cases = {
      {"GET", "/v1/admin/whoami", none, {401, 200, 200, 200, 200}},
      {"GET", "/v1/admin/tenants", none, {401, 403, 200, 200, 200}},
      {"POST", "/v1/admin/tenants", json::object{{"id", "initech"}}, {401, 403, 403, 403, 201}},
      {"GET", "/v1/admin/tenants/acme", none, {401, 403, 404, 200, 200}},
      {"PATCH",
       "/v1/admin/tenants/acme",
       json::object{{"settings", json::object{{"time_zone", "UTC"}}}},
       {401, 403, 404, 200, 200}},
      {"GET", "/v1/admin/tenants/acme/settings/versions", none, {401, 403, 404, 200, 200}},
      {"POST", "/v1/admin/tenants/acme/settings/rollback", json::object{{"version", 1}}, {401, 403, 404, 200, 200}},
      {"GET", "/v1/admin/connections?tenant=acme", none, {401, 403, 404, 200, 200}},
      {"POST",
       "/v1/admin/connections",
       json::object{{"id", "c-new"}, {"tenant", "acme"}, {"connector", "salesforce"}},
       {401, 403, 404, 201, 409}},
      {"GET", "/v1/admin/connections/c-acme", none, {401, 403, 404, 200, 200}},
      {"PATCH",
       "/v1/admin/connections/c-acme",
       json::object{{"settings", json::object{{"note", "x"}}}},
       {401, 403, 404, 200, 200}},
      {"GET", "/v1/admin/connections/c-acme/settings/versions", none, {401, 403, 404, 200, 200}},
      {"POST",
       "/v1/admin/connections/c-acme/settings/rollback",
       json::object{{"version", 1}},
       {401, 403, 404, 200, 200}},
      {"POST", "/v1/admin/connections/c-acme/oauth/start", none, {401, 403, 404, 200, 200}},
      {"DELETE", "/v1/admin/connections/c-new", none, {401, 403, 404, 200, 404}},
      {"GET", "/v1/admin/tokens?tenant=acme", none, {401, 403, 404, 200, 200}},
      {"POST",
       "/v1/admin/tokens",
       json::object{{"name", "more"}, {"role", "rep"}, {"tenant", "acme"}, {"agent", "7"}},
       {401, 403, 404, 201, 201}},
      {"DELETE", "/v1/admin/tokens/" + victim_id, none, {401, 403, 404, 200, 409}},
      {"GET", "/v1/admin/unresolved?tenant=acme", none, {401, 200, 404, 200, 200}},
      {"GET", "/v1/admin/unresolved/" + i101 + "?tenant=acme", none, {401, 200, 404, 200, 200}},
      {"GET", "/v1/admin/unresolved/groups?tenant=acme", none, {401, 200, 404, 200, 200}},
      {"GET", "/v1/admin/stats?tenant=acme", none, {401, 200, 404, 200, 200}},
      {"GET", "/v1/admin/unresolved/" + i202 + "?tenant=acme", none, {401, 404, 404, 200, 200}},
      {"POST",
       "/v1/admin/unresolved/rerun",
       json::object{{"tenant", "acme"}, {"ids", json::array{}}},
       {401, 403, 404, 200, 200}},
      {"POST",
       "/v1/admin/rules/simulate",
       json::object{{"tenant", "acme"}, {"events", json::array{"nope"}}},
       {401, 403, 404, 422, 422}},
      {"GET", "/v1/admin/audit?tenant=acme", none, {401, 403, 404, 200, 200}},
      {"GET", "/v1/admin/audit/export?tenant=acme", none, {401, 403, 404, 200, 200}},
      {"POST", "/v1/admin/audit/verify", none, {401, 403, 403, 403, 200}},
      {"GET", "/v1/admin/jobs?tenant=acme", none, {401, 403, 404, 200, 200}},
      {"GET", "/v1/admin/events?tenant=acme", none, {401, 403, 404, 200, 200}},
      {"GET", "/v1/admin/events?limit=0", none, {401, 403, 422, 422, 422}},
      {"GET", "/v1/admin/events/no-such-event?tenant=acme", none, {401, 403, 404, 404, 404}},
      {"GET", "/v1/admin/jobs/999999", none, {401, 403, 404, 404, 404}},
      {"GET", "/v1/admin/webhooks/inbox?tenant=acme", none, {401, 403, 404, 200, 200}},
      {"POST", "/v1/admin/jobs/999999/retry", none, {401, 403, 404, 404, 404}},
      {"POST", "/v1/admin/jobs/999999/discard", none, {401, 403, 404, 404, 404}},
      {"POST",
       "/v1/admin/unresolved/resolve",
       json::object{{"tenant", "acme"}, {"ids", json::array{999999}}, {"action", "skip"}},
       {401, 200, 404, 200, 200}},
      {"GET", "/v1/admin/me/settings", none, {401, 200, 200, 200, 422}},
      {"PUT", "/v1/admin/me/settings", json::object{{"settings", json::object{}}}, {401, 200, 422, 422, 422}},
      {"POST",
       "/v1/admin/unresolved/" + i202 + "/resolve",
       json::object{{"tenant", "acme"}, {"action", "skip"}},
       {401, 404, 404, 200, 409}},
  };
  for (const auto& c : cases) {
    for (int who = 0; who < kWhoCount; ++who) {
      auto r = as(static_cast<Who>(who), c.method, c.path, c.body);
      EXPECT_EQ(r.status, c.expected[who]) << c.method << " " << c.path << " as " << kWhoNames[who] << ": " << r.body;
      if (r.status >= 400) {
        // Every refusal is the JSON error document and nothing else: no data of the object leaks.
        auto doc = r.json();
        ASSERT_TRUE(doc.is_object()) << r.body;
        EXPECT_EQ(doc.as_object().size(), 1u) << r.body;
        EXPECT_TRUE(doc.as_object().contains("error")) << r.body;
        EXPECT_THAT(r.body, Not(HasSubstr("cs-acme")));
      }
    }
  }
}

TEST_F(AdminApi, UnauthenticatedTenantListIs401Json) {
  auto r = http("GET", host_->base_url() + "/v1/admin/tenants");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(str(r.json().at("error"), "code"), "unauthorized");
  auto wrong = http("GET", host_->base_url() + "/v1/admin/tenants", {}, {{"Authorization", "Bearer act_guess"}});
  EXPECT_EQ(wrong.status, 401);
}

TEST_F(AdminApi, ListsAreCutToTheCallersTenant) {
  auto tenants = as(kAdminGlobex, "GET", "/v1/admin/tenants");
  ASSERT_EQ(tenants.status, 200) << tenants.body;
  const auto list = tenants.json().at("tenants").as_array();
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(str(list[0], "id"), "globex");
  auto connections = as(kAdminGlobex, "GET", "/v1/admin/connections");
  ASSERT_EQ(connections.status, 200);
  const auto conns = connections.json().at("connections").as_array();
  ASSERT_EQ(conns.size(), 1u);
  EXPECT_EQ(str(conns[0], "id"), "c-globex");
  auto tokens = as(kAdminGlobex, "GET", "/v1/admin/tokens");
  ASSERT_EQ(tokens.status, 200);
  const auto token_list = tokens.json(); // a named document: iterating a temporary's member would dangle
  for (const auto& t : token_list.at("tokens").as_array()) EXPECT_EQ(str(t, "tenant"), "globex");
  auto who = as(kRepAcme, "GET", "/v1/admin/whoami");
  EXPECT_EQ(str(who.json(), "role"), "rep");
  EXPECT_EQ(str(who.json(), "tenant"), "acme");
  EXPECT_EQ(str(who.json(), "agent"), "101");
}

TEST_F(AdminApi, TokensAreStoredOnlyAsHashesAndRevocationEndsThem) {
  auto created = as(kAdminAcme, "POST", "/v1/admin/tokens", json::object{{"name", "scripted"}, {"role", "admin"}});
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string token = str(created.json(), "token");
  EXPECT_EQ(token.rfind("act_", 0), 0u);
  EXPECT_EQ(str(created.json(), "tenant"), "acme") << "an admin's token defaults to the admin's tenant";
  auto listed = as(kAdminAcme, "GET", "/v1/admin/tokens");
  EXPECT_THAT(listed.body, Not(HasSubstr(token)));
  for (const auto* suffix : {"", "-wal"}) {
    const auto path = db_path().string() + suffix;
    if (!std::filesystem::exists(path)) continue;
    const auto bytes = file_bytes(path);
    for (int who = 1; who < kWhoCount; ++who)
      if (tokens_[who].rfind("act_", 0) == 0) {
        EXPECT_EQ(bytes.find(tokens_[who]), std::string::npos) << path;
      }
    EXPECT_EQ(bytes.find(token), std::string::npos) << path;
  }
  EXPECT_THAT(file_bytes(host_->dir().file("host.log")), Not(HasSubstr(token)));
  auto ok = http("GET", host_->base_url() + "/v1/admin/whoami", {}, {{"Authorization", "Bearer " + token}});
  EXPECT_EQ(ok.status, 200);
  ASSERT_EQ(as(kAdminAcme, "DELETE", "/v1/admin/tokens/" + str(created.json(), "id")).status, 200);
  auto after = http("GET", host_->base_url() + "/v1/admin/whoami", {}, {{"Authorization", "Bearer " + token}});
  EXPECT_EQ(after.status, 401);
  // An admin may not mint operators.
  EXPECT_EQ(as(kAdminAcme, "POST", "/v1/admin/tokens", json::object{{"name", "x"}, {"role", "operator"}}).status, 403);
}

TEST_F(AdminApi, ARepSeesAndResolvesOnlyTheirOwnItemsAndTheAuditNamesThem) {
  auto list = as(kRepAcme, "GET", "/v1/admin/unresolved?state=all&agent=202");
  ASSERT_EQ(list.status, 200) << list.body;
  const auto items = list.json().at("items").as_array();
  for (const auto& i : items) EXPECT_EQ(str(i, "agent"), "101");
  bool own = false;
  for (const auto& i : items) own = own || i.at("id").as_int64() == item_101_;
  EXPECT_TRUE(own) << list.body;
  EXPECT_EQ(as(kRepAcme, "GET", "/v1/admin/unresolved/" + std::to_string(item_globex_) + "?tenant=globex").status, 404);
  auto batch = as(kRepAcme, "POST", "/v1/admin/unresolved/resolve",
                  json::object{{"ids", json::array{item_202_, item_101_}}, {"action", "skip"}});
  ASSERT_EQ(batch.status, 200) << batch.body;
  EXPECT_EQ(batch.json().at("resolved"), 1);
  auto audit = as(kAdminAcme, "GET", "/v1/admin/audit?limit=1000");
  ASSERT_EQ(audit.status, 200);
  bool credited = false;
  const auto entries = audit.json();
  for (const auto& e : entries.at("entries").as_array())
    if (str(e, "action") == "unresolved.skipped" && str(e, "subject") == std::to_string(item_101_))
      credited = str(e, "actor").rfind("rep:acme-rep-101#tok_", 0) == 0;
  EXPECT_TRUE(credited) << audit.body;
}

TEST_F(AdminApi, TenantSettingsAreVersionedAndRollBack) {
  ASSERT_EQ(as(kOperator, "POST", "/v1/admin/tenants",
               json::object{{"id", "umbrella"}, {"settings", json::object{{"time_zone", "Europe/Berlin"}}}})
                .status,
            201);
  ASSERT_EQ(
      as(kOperator, "PATCH", "/v1/admin/tenants/umbrella",
         json::object{{"settings", json::object{{"time_zone", "UTC"}, {"logging", json::object{{"kinds", "calls"}}}}}})
          .status,
      200);
  ASSERT_EQ(as(kOperator, "PATCH", "/v1/admin/tenants/umbrella",
               json::object{{"settings", json::object{{"logging", nullptr}}}})
                .status,
            200);
  auto versions = as(kOperator, "GET", "/v1/admin/tenants/umbrella/settings/versions");
  ASSERT_EQ(versions.status, 200);
  const auto list = versions.json().at("versions").as_array();
  ASSERT_EQ(list.size(), 3u) << versions.body;
  EXPECT_EQ(list[0].at("version"), 3) << "newest first";
  EXPECT_EQ(str(list[0], "actor"), "operator:admin_token#bootstrap");
  auto back = as(kOperator, "POST", "/v1/admin/tenants/umbrella/settings/rollback", json::object{{"version", 2}});
  ASSERT_EQ(back.status, 200) << back.body;
  EXPECT_EQ(back.json().at("settings"),
            json::value({{"time_zone", "UTC"}, {"logging", json::object{{"kinds", "calls"}}}}));
  EXPECT_EQ(
      as(kOperator, "GET", "/v1/admin/tenants/umbrella/settings/versions").json().at("versions").as_array().size(), 4u);
  EXPECT_EQ(as(kOperator, "POST", "/v1/admin/tenants/umbrella/settings/rollback", json::object{{"version", 99}}).status,
            404);
}

TEST_F(AdminApi, RepOverridesOnlyWhatTheTenantAllows) {
  auto refused = as(kRepAcme, "PUT", "/v1/admin/me/settings",
                    json::object{{"settings", json::object{{"logging.fields.notes", false}}}});
  EXPECT_EQ(refused.status, 403) << refused.body;
  ASSERT_EQ(as(kAdminAcme, "PATCH", "/v1/admin/tenants/acme",
               json::object{{"settings", json::object{{"rep_overridable", json::array{"logging.fields.notes"}}}}})
                .status,
            200);
  auto ok = as(kRepAcme, "PUT", "/v1/admin/me/settings",
               json::object{{"settings", json::object{{"logging.fields.notes", false}}}});
  ASSERT_EQ(ok.status, 200) << ok.body;
  auto mine = as(kRepAcme, "GET", "/v1/admin/me/settings");
  EXPECT_EQ(mine.json().at("settings"), json::value({{"logging.fields.notes", false}}));
  auto tenant = as(kAdminAcme, "GET", "/v1/admin/tenants/acme");
  EXPECT_EQ(tenant.json().at("settings").at("rep_overrides").at("101"), json::value({{"logging.fields.notes", false}}));
}

TEST_F(AdminApi, CredentialsAreWriteOnly) {
  auto created = as(kAdminAcme, "POST", "/v1/admin/connections",
                    json::object{{"id", "c-secret"},
                                 {"connector", "salesforce"},
                                 {"enabled", false},
                                 {"credentials", json::object{{"client_secret", "very-secret-value-42"}}}});
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_THAT(created.body, Not(HasSubstr("very-secret-value-42")));
  EXPECT_EQ(created.json().at("credentials_set"), json::value(json::array{"client_secret"}));
  auto patched = as(kAdminAcme, "PATCH", "/v1/admin/connections/c-secret",
                    json::object{{"credentials", json::object{{"client_id", "id-1"}, {"client_secret", nullptr}}},
                                 {"trial_mode", json::object{{"enabled", true}, {"agent", "101"}}}});
  ASSERT_EQ(patched.status, 200) << patched.body;
  EXPECT_EQ(patched.json().at("credentials_set"), json::value(json::array{"client_id"}));
  EXPECT_EQ(patched.json().at("trial_mode"), json::value({{"enabled", true}, {"agent", "101"}}));
  EXPECT_TRUE(patched.json().at("health").as_object().contains("circuit"));
  EXPECT_EQ(
      as(kAdminAcme, "POST", "/v1/admin/connections", json::object{{"id", "c-bad"}, {"connector", "no-such-plugin"}})
          .status,
      422);
  for (const auto* suffix : {"", "-wal"})
    if (std::filesystem::exists(db_path().string() + suffix)) {
      EXPECT_EQ(file_bytes(db_path().string() + suffix).find("cs-acme"), std::string::npos);
    }
}

TEST_F(AdminApi, CliManagesTokensTenantsAndConnections) {
  const std::string url = host_->base_url(), op = host_->admin_token();
  auto made = run_cli({"tenants", "create", "cli-co", "--name", "CLI Co", "--url", url, "--token", op, "--json"});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  EXPECT_EQ(str(json::parse(made.out), "id"), "cli-co");
  auto listed = run_cli({"tenants", "list", "--url", url, "--token", op});
  EXPECT_EQ(listed.exit_code, 0);
  EXPECT_THAT(listed.out, HasSubstr("cli-co\tCLI Co"));
  auto token = run_cli({"tokens", "create", "--name", "cli-admin", "--role", "admin", "--tenant", "cli-co", "--url",
                        url, "--token", op, "--json"});
  ASSERT_EQ(token.exit_code, 0) << token.err;
  const std::string admin = str(json::parse(token.out), "token");
  auto conn = run_cli(
      {"connections", "create", "c-cli", "--connector", "salesforce", "--disabled", "--url", url, "--token", admin});
  ASSERT_EQ(conn.exit_code, 0) << conn.err;
  EXPECT_THAT(conn.out, HasSubstr("c-cli\tcli-co\tsalesforce\tdisabled"));
  auto on = run_cli({"connections", "enable", "c-cli", "--url", url, "--token", admin});
  EXPECT_EQ(on.exit_code, 0) << on.err;
  EXPECT_THAT(on.out, HasSubstr("enabled"));
  auto off = run_cli({"connections", "disable", "c-cli", "--url", url, "--token", admin, "--json"});
  EXPECT_EQ(off.exit_code, 0);
  EXPECT_EQ(json::parse(off.out).at("enabled"), false);
  auto mine = run_cli({"connections", "list", "--url", url, "--token", admin});
  EXPECT_THAT(mine.out, HasSubstr("c-cli"));
  EXPECT_THAT(mine.out, Not(HasSubstr("c-acme")));
  // Another tenant's connection: refused (exit 1) with the host's message.
  auto cross = run_cli({"connections", "disable", "c-acme", "--url", url, "--token", admin});
  EXPECT_EQ(cross.exit_code, 1);
  EXPECT_THAT(cross.err, HasSubstr("404"));
  auto tokens = run_cli({"tokens", "list", "--url", url, "--token", admin});
  EXPECT_THAT(tokens.out, HasSubstr("cli-admin"));
  const std::string id = tokens.out.substr(0, tokens.out.find('\t'));
  EXPECT_EQ(run_cli({"tokens", "revoke", id, "--url", url, "--token", op}).exit_code, 0);
  EXPECT_EQ(run_cli({"tenants", "list", "--url", url, "--token", admin}).exit_code, 1) << "revoked";
  EXPECT_EQ(run_cli({"tokens", "list", "--url", url, "--token", "wrong"}).exit_code, 1);
  EXPECT_EQ(run_cli({"tokens", "list"}).exit_code, 2);
  EXPECT_EQ(run_cli({"connections", "frobnicate"}).exit_code, 2);
}

// Every remaining admin route through the CLI: the unresolved queue, failed jobs, settings, events and
// the audit trail, with human and --json output, the exit codes (1 refused, 2 usage, 3 unreachable) and
// cross-tenant attempts, which the host refuses whatever the CLI sends.
TEST_F(AdminApi, CliCoversTheQueueJobsSettingsEventsAndAudit) {
  const std::string url = host_->base_url();
  const std::string op = tokens_[kOperator], admin = tokens_[kAdminAcme], rep = tokens_[kRepAcme],
                    globex = tokens_[kAdminGlobex];
  auto as_cli = [&](const std::string& token, std::vector<std::string> args) {
    args.insert(args.end(), {"--url", url, "--token", token});
    return run_cli(args);
  };
  auto db = store::Database::open("sqlite:" + db_path().string(), 2);
  ASSERT_TRUE(db) << db.error().message;

  // ---- the unresolved queue: two items of acme's agent 303
  store::UnresolvedRepository items(db.value());
  std::vector<std::int64_t> ids;
  for (int n = 0; n < 2; ++n) {
    store::UnresolvedItem i;
    i.tenant_id = "acme";
    i.connection_id = "c-acme";
    i.job_id = 910001 + n;
    i.event_seq = 910001 + n;
    i.conversation_key = "call:cli" + std::to_string(n) + ":303";
    i.kind = "call";
    i.phone_e164 = "+14805550111";
    i.agent = "303";
    i.reason = "no_match";
    auto id = items.open(i);
    ASSERT_TRUE(id) << id.error().message;
    ids.push_back(id.value());
  }
  const std::string a = std::to_string(ids[0]), b = std::to_string(ids[1]);
  auto listed = as_cli(admin, {"unresolved", "list", "--agent", "303"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_THAT(listed.out, HasSubstr(a + "\topen\tcall\t+14805550111\t303\tc-acme\tno_match"));
  EXPECT_THAT(listed.out, HasSubstr(b + "\topen"));
  auto as_json = as_cli(admin, {"unresolved", "list", "--agent", "303", "--json"});
  ASSERT_EQ(as_json.exit_code, 0);
  EXPECT_EQ(json::parse(as_json.out).at("items").as_array().size(), 2u);
  // A rep of the same tenant does not see agent 303's items; another tenant's admin cannot read one.
  EXPECT_THAT(as_cli(rep, {"unresolved", "list", "--agent", "303"}).out, Not(HasSubstr("\t303\t")));
  auto foreign = as_cli(globex, {"unresolved", "show", a, "--tenant", "acme"});
  EXPECT_EQ(foreign.exit_code, 1);
  EXPECT_THAT(foreign.err, HasSubstr("404"));
  EXPECT_EQ(as_cli(globex, {"unresolved", "skip", a, b}).exit_code, 1) << "globex cannot decide acme's items";
  auto shown = as_cli(admin, {"unresolved", "show", a});
  EXPECT_EQ(shown.exit_code, 0) << shown.err;
  EXPECT_THAT(shown.out, HasSubstr("reason: no_match"));
  EXPECT_EQ(as_cli(admin, {"unresolved", "resolve", a, "--action", "pick"}).exit_code, 2) << "no --contact-id";
  EXPECT_EQ(as_cli(admin, {"unresolved", "rerun"}).exit_code, 2) << "neither ids nor --all";
  EXPECT_EQ(as_cli(rep, {"unresolved", "rerun", "--all"}).exit_code, 1) << "reps may not re-run rules";
  auto rerun = as_cli(admin, {"unresolved", "rerun", a});
  EXPECT_EQ(rerun.exit_code, 0) << rerun.err;
  EXPECT_THAT(rerun.out, HasSubstr("requeued"));
  auto skipped = as_cli(admin, {"unresolved", "skip", a, b, "--json"});
  ASSERT_EQ(skipped.exit_code, 0) << skipped.err;
  EXPECT_EQ(json::parse(skipped.out).at("resolved"), 2);
  auto again = as_cli(admin, {"unresolved", "skip", a});
  EXPECT_EQ(again.exit_code, 1) << "an item already decided";
  EXPECT_THAT(as_cli(admin, {"unresolved", "list", "--agent", "303", "--state", "skipped"}).out,
              HasSubstr(a + "\tskipped"));

  // ---- events and failed jobs: two events of acme that the pipeline refuses (an incomplete payload, a
  // connection that is gone), so their jobs fail for good
  store::EventRepository events(db.value());
  for (const char* id : {"cli-ev-1", "cli-ev-2"}) {
    store::NewEvent e;
    e.tenant_id = "acme";
    e.event_id = id;
    e.kind = "call";
    e.conversation_key = std::string("call:") + id;
    e.payload = json::serialize(json::object{{"id", id}, {"tenant", "acme"}, {"kind", "call"}});
    e.connection_ids = {"c-gone"};
    auto stored = events.store(e);
    ASSERT_TRUE(stored) << stored.error().message;
  }
  std::vector<std::string> failed;
  for (int tries = 0; tries < 100 && failed.size() < 2; ++tries) {
    failed.clear();
    auto jobs = as_cli(admin, {"jobs", "list", "--state", "failed", "--json"});
    ASSERT_EQ(jobs.exit_code, 0) << jobs.err;
    const auto doc = json::parse(jobs.out);
    for (const auto& j : doc.at("jobs").as_array())
      if (str(j, "connection") == "c-gone") failed.push_back(std::to_string(j.at("id").as_int64()));
    if (failed.size() < 2) std::this_thread::sleep_for(100ms);
  }
  ASSERT_EQ(failed.size(), 2u) << "the jobs of a gone connection did not fail";
  auto human_jobs = as_cli(admin, {"jobs", "list"});
  EXPECT_THAT(human_jobs.out, HasSubstr(failed[0] + "\tfailed\tacme\tc-gone\t"));
  EXPECT_THAT(as_cli(globex, {"jobs", "list"}).out, Not(HasSubstr("c-gone"))) << "globex sees only its own jobs";
  auto foreign_retry = as_cli(globex, {"jobs", "retry", failed[0]});
  EXPECT_EQ(foreign_retry.exit_code, 1);
  EXPECT_THAT(foreign_retry.err, HasSubstr("404"));
  auto discarded = as_cli(admin, {"jobs", "discard", failed[1], "--json"});
  ASSERT_EQ(discarded.exit_code, 0) << discarded.err;
  EXPECT_EQ(str(json::parse(discarded.out), "state"), "discarded");
  auto retried = as_cli(admin, {"jobs", "retry", failed[0]});
  EXPECT_EQ(retried.exit_code, 0) << retried.err;
  EXPECT_EQ(as_cli(admin, {"jobs", "show", "x1"}).exit_code, 2);

  auto event_list = as_cli(admin, {"events", "list", "--kind", "call"});
  ASSERT_EQ(event_list.exit_code, 0) << event_list.err;
  EXPECT_THAT(event_list.out, HasSubstr("\tcli-ev-1\tacme\tcall\t"));
  EXPECT_THAT(as_cli(globex, {"events", "list"}).out, Not(HasSubstr("cli-ev-1")));
  auto story = as_cli(admin, {"events", "show", "cli-ev-2"});
  ASSERT_EQ(story.exit_code, 0) << story.err;
  EXPECT_THAT(story.out, HasSubstr("event cli-ev-2 (call, tenant acme"));
  EXPECT_THAT(story.out, HasSubstr("\tc-gone\tdiscarded"));
  EXPECT_THAT(story.out, HasSubstr("  last_error: {\"code\":")) << "why the job was not written";
  auto foreign_story = as_cli(globex, {"events", "show", "cli-ev-2", "--tenant", "acme"});
  EXPECT_EQ(foreign_story.exit_code, 1);
  EXPECT_THAT(foreign_story.out, Not(HasSubstr("cli-ev-2")));
  EXPECT_EQ(as_cli(globex, {"events", "show", "cli-ev-2"}).exit_code, 1) << "not in globex's own tenant either";

  // ---- settings: set, show (the caller's tenant from whoami), versions, rollback; secrets stay hidden
  auto set = as_cli(admin, {"settings", "set", "time_zone=Asia/Tokyo", "cli_flag=true"});
  ASSERT_EQ(set.exit_code, 0) << set.err;
  EXPECT_THAT(set.out, HasSubstr("time_zone = \"Asia/Tokyo\""));
  EXPECT_THAT(set.out, HasSubstr("cli_flag = true"));
  ASSERT_EQ(as_cli(admin, {"settings", "set", "ingest_hmac_secret=cli-hmac-secret-881"}).exit_code, 0);
  auto show = as_cli(admin, {"settings", "show", "--json"});
  ASSERT_EQ(show.exit_code, 0);
  EXPECT_THAT(show.out, Not(HasSubstr("cli-hmac-secret-881")));
  EXPECT_EQ(json::parse(show.out).at("settings").at("ingest_hmac_secret"), "(set)");
  auto versions = as_cli(admin, {"settings", "versions", "--json"});
  ASSERT_EQ(versions.exit_code, 0);
  const auto version_list = json::parse(versions.out).at("versions").as_array();
  ASSERT_GE(version_list.size(), 2u);
  EXPECT_THAT(versions.out, Not(HasSubstr("cli-hmac-secret-881")));
  const std::int64_t newest = version_list.at(0).at("version").as_int64();
  EXPECT_THAT(as_cli(admin, {"settings", "versions"}).out, HasSubstr(std::to_string(newest) + "\t"));
  auto rolled = as_cli(admin, {"settings", "rollback", std::to_string(newest - 1)});
  ASSERT_EQ(rolled.exit_code, 0) << rolled.err;
  EXPECT_THAT(rolled.out, Not(HasSubstr("ingest_hmac_secret")));
  EXPECT_THAT(rolled.out, HasSubstr("time_zone = \"Asia/Tokyo\""));
  EXPECT_EQ(as_cli(admin, {"settings", "rollback", "9999"}).exit_code, 1);
  EXPECT_EQ(as_cli(op, {"settings", "show"}).exit_code, 2) << "an operator has no tenant of its own";
  auto foreign_settings = as_cli(globex, {"settings", "set", "time_zone=UTC", "--tenant", "acme"});
  EXPECT_EQ(foreign_settings.exit_code, 1);
  EXPECT_THAT(as_cli(op, {"settings", "show", "--tenant", "acme"}).out, HasSubstr("Asia/Tokyo")) << "unchanged";
  EXPECT_THAT(as_cli(op, {"settings", "versions", "--connection", "c-acme"}).out, HasSubstr("\t"));
  auto mine = as_cli(rep, {"settings", "mine"});
  EXPECT_EQ(mine.exit_code, 0) << mine.err;
  EXPECT_THAT(mine.out, HasSubstr("agent: 101"));
  EXPECT_EQ(as_cli(rep, {"settings", "override", "time_zone=\"UTC\""}).exit_code, 1) << "not rep_overridable";

  // ---- the audit trail through the API
  auto trail = as_cli(admin, {"audit", "list", "--limit", "1000"});
  ASSERT_EQ(trail.exit_code, 0) << trail.err;
  EXPECT_THAT(trail.out, HasSubstr("\tjob.discarded\t" + failed[1]));
  EXPECT_THAT(trail.out, HasSubstr("\ttenant.settings_rolled_back\tacme"));
  EXPECT_THAT(as_cli(globex, {"audit", "list", "--limit", "1000"}).out, Not(HasSubstr("job.discarded")));
  auto exported = as_cli(admin, {"audit", "export"});
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  ASSERT_FALSE(exported.out.empty());
  std::istringstream lines(exported.out);
  for (std::string line; std::getline(lines, line);)
    if (!line.empty()) {
      EXPECT_EQ(str(json::parse(line), "tenant"), "acme") << line;
    }
  auto verified = as_cli(op, {"audit", "verify"});
  EXPECT_EQ(verified.exit_code, 0) << verified.err;
  EXPECT_THAT(verified.out, HasSubstr("chain intact"));
  EXPECT_EQ(as_cli(admin, {"audit", "verify"}).exit_code, 1) << "operators only";

  // ---- the URL and token from the environment; the exit codes of each kind of failure
  auto from_env =
      run_cli({"jobs", "list", "--state", "discarded"}, {{"APPCONNECT_URL", url}, {"APPCONNECT_TOKEN", admin}});
  EXPECT_EQ(from_env.exit_code, 0) << from_env.err;
  EXPECT_THAT(from_env.out, HasSubstr(failed[1] + "\tdiscarded"));
  EXPECT_EQ(run_cli({"events", "list", "--url", "http://127.0.0.1:9", "--token", admin}).exit_code, 3) << "no host";
  EXPECT_EQ(run_cli({"events", "list"}, {{"APPCONNECT_URL", ""}, {"APPCONNECT_TOKEN", ""}}).exit_code, 2);
  EXPECT_EQ(as_cli(admin, {"events", "frobnicate"}).exit_code, 2);
}

TEST(AdminApiOffline, TheFirstTokenIsMintedInTheDatabase) {
  TempDir data("appconnect-offline");
  auto minted = run_cli({"tokens", "create", "--offline", "--data-dir", data.file("data").string(), "--name", "first",
                         "--role", "operator", "--json"});
  ASSERT_EQ(minted.exit_code, 0) << minted.err;
  const std::string token = str(json::parse(minted.out), "token");
  ASSERT_EQ(token.rfind("act_", 0), 0u);
  // A host on that data directory, without any admin_token, accepts it as an operator.
  HostProcess host(json::object{{"data_dir", data.file("data").string()}, {"admin_token", ""}});
  auto who = http("GET", host.base_url() + "/v1/admin/whoami", {}, {{"Authorization", "Bearer " + token}});
  ASSERT_EQ(who.status, 200) << who.body;
  EXPECT_EQ(str(who.json(), "role"), "operator");
  EXPECT_EQ(http("GET", host.base_url() + "/v1/admin/tenants", {}, {{"Authorization", "Bearer "}}).status, 401);
  EXPECT_EQ(file_bytes(data.file("data") / "appconnect.db").find(token), std::string::npos);
  EXPECT_EQ(run_cli({"tokens", "create", "--offline", "--name", "x", "--role", "rep", "--data-dir",
                     data.file("data").string()})
                .exit_code,
            2)
      << "a rep token needs a tenant and an agent";
}

} // namespace
} // namespace appconnect::testing
