// Security end to end over loopback, with the Salesforce sandbox as the CRM and `appconnect serve` as a
// child process: admin actions land in the audit trail, `appconnect audit verify` finds a row altered
// with plain SQL, OAuth tokens obtained and refreshed by the host never reach the database files in
// clear, `appconnect secrets rotate` moves every credential to a new key, a host with credentials
// but no key refuses to start, and no secret of a whole run reaches a log line, an error body or the
// audit export.
#include "ingest/signature.hpp"
#include "security/secret_box.hpp"
#include "store/database.hpp"
#include "store/repositories.hpp"
#include "support/testing.hpp"

#include <Poco/Data/Session.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

using namespace Poco::Data::Keywords;

namespace appconnect::testing {
namespace {
using ::testing::HasSubstr;
using namespace std::chrono_literals;

std::string file_bytes(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

struct CliRun {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs `appconnect args...` to completion.
CliRun run_cli(const std::vector<std::string>& args) {
  TempDir dir("appconnect-cli");
  ChildProcess p;
  p.start(bin_path("appconnect"), args, {}, dir.file("stderr").string());
  auto code = p.wait(60s);
  CliRun r;
  r.exit_code = code.value_or(-1);
  // The reader thread may still be draining stdout: wait for its end.
  p.wait_for_line(std::regex("\x01never\x01"), 2s);
  for (const auto& line : p.stdout_lines()) r.out += line + "\n";
  r.err = p.stderr_text();
  return r;
}

// Posts an event signed with the tenant's HMAC secret (X-AppConnect-Signature).
HttpResult post_signed(const HostProcess& host, const boost::json::value& event, const std::string& secret) {
  const std::string body = boost::json::serialize(event);
  const auto t =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  return http("POST", host.base_url() + "/v1/events", body,
              {{"X-AppConnect-Signature", ingest::signature_header(secret, t, body)}});
}

std::string contact_id(const SandboxProcess& sandbox, const std::string& last_name) {
  for (const auto& c : sandbox.records("Contact"))
    if (str(c, "LastName") == last_name) return str(c, "Id");
  return {};
}

TEST(AuditTrail, AdminResolutionsAreRecordedAndTamperingIsFoundByTheCli) {
  SandboxProcess sandbox;
  const auto data = TempDir("appconnect-audit-data");
  const std::string db_path = data.file("appconnect.db").string();
  std::int64_t position = 0;
  {
    HostProcess host(boost::json::object{
        {"data_dir", data.str()},
        {"tenants",
         boost::json::array{boost::json::object{
             {"id", "t-queue"}, {"name", "Queue"}, {"settings", {{"matching", {{"rules", boost::json::array{}}}}}}}}},
        {"connections", boost::json::array{salesforce_connection("sf-queue", "t-queue", sandbox.base_url())}}});
    // Two contacts share (415) 555-0132 and no rule may choose: the call waits in the queue.
    ASSERT_EQ(host.post_event(call_event("a-1", "s-a-1", "(415) 555-0132", "t-queue")).status, 202);
    ASSERT_EQ(host.wait_settled("a-1", "t-queue").at("jobs").at(0).at("state").as_string(), "unresolved");
    auto list = host.admin("GET", "/v1/admin/unresolved?tenant=t-queue");
    ASSERT_EQ(list.status, 200) << list.body;
    const auto listed = list.json();
    ASSERT_EQ(listed.at("items").as_array().size(), 1u);
    const std::int64_t item = listed.at("items").at(0).at("id").as_int64();
    auto pick = host.admin("POST", "/v1/admin/unresolved/" + std::to_string(item) + "/resolve",
                           boost::json::object{{"tenant", "t-queue"},
                                               {"action", "pick"},
                                               {"contact_id", contact_id(sandbox, "Bennett")},
                                               {"by", "rep-101"}});
    ASSERT_EQ(pick.status, 200) << pick.body;

    auto audit = host.admin("GET", "/v1/admin/audit?tenant=t-queue");
    ASSERT_EQ(audit.status, 200) << audit.body;
    const auto entries = audit.json();
    const boost::json::object* resolved = nullptr;
    for (const auto& e : entries.at("entries").as_array())
      if (str(e, "action") == "unresolved.resolved") resolved = &e.as_object();
    ASSERT_NE(resolved, nullptr) << audit.body;
    EXPECT_EQ(str(*resolved, "actor"), "operator:admin_token#bootstrap"); // the config token is the bootstrap operator
    EXPECT_EQ(str(*resolved, "subject"), std::to_string(item));
    EXPECT_EQ(resolved->at("detail").at("decision").at("action").as_string(), "pick");
    EXPECT_EQ(resolved->at("detail").at("by").as_string(), "rep-101");
    position = resolved->at("position").as_int64();

    // The credentials the config file brought were recorded too, by field name only.
    auto all = host.admin("GET", "/v1/admin/audit");
    ASSERT_THAT(all.body, HasSubstr("connection.credentials_changed"));
    EXPECT_THAT(all.body, ::testing::Not(HasSubstr("demo-secret")));

    auto verify = host.admin("POST", "/v1/admin/audit/verify");
    ASSERT_EQ(verify.status, 200) << verify.body;
    EXPECT_TRUE(verify.json().at("intact").as_bool()) << verify.body;

    auto exported = host.admin("GET", "/v1/admin/audit/export?tenant=t-queue");
    ASSERT_EQ(exported.status, 200);
    EXPECT_THAT(exported.header("content-type"), HasSubstr("application/x-ndjson"));
    std::istringstream lines(exported.body);
    std::string line;
    int n = 0;
    while (std::getline(lines, line)) {
      EXPECT_EQ(boost::json::parse(line).at("tenant").as_string(), "t-queue");
      ++n;
    }
    EXPECT_GE(n, 2); // credentials recorded at start-up, then the resolution

    // A re-run and a batch skip are recorded too; a simulation (read-only) is not.
    ASSERT_EQ(host.post_event(call_event("a-2", "s-a-2", "(415) 555-0132", "t-queue")).status, 202);
    ASSERT_EQ(host.wait_settled("a-2", "t-queue").at("jobs").at(0).at("state").as_string(), "unresolved");
    const auto open_items = host.admin("GET", "/v1/admin/unresolved?tenant=t-queue").json();
    ASSERT_EQ(open_items.at("items").as_array().size(), 1u);
    const std::int64_t second = open_items.at("items").at(0).at("id").as_int64();
    auto rerun = host.admin("POST", "/v1/admin/unresolved/rerun",
                            boost::json::object{{"tenant", "t-queue"}, {"ids", boost::json::array{second}}});
    ASSERT_EQ(rerun.status, 200) << rerun.body;
    ASSERT_EQ(host.wait_settled("a-2", "t-queue").at("jobs").at(0).at("state").as_string(), "unresolved");
    auto simulate = host.admin("POST", "/v1/admin/rules/simulate",
                               boost::json::object{{"tenant", "t-queue"}, {"events", boost::json::array{"a-2"}}});
    ASSERT_EQ(simulate.status, 200) << simulate.body;
    const auto reopened = host.admin("GET", "/v1/admin/unresolved?tenant=t-queue").json();
    ASSERT_EQ(reopened.at("items").as_array().size(), 1u);
    auto skip = host.admin("POST", "/v1/admin/unresolved/resolve",
                           boost::json::object{{"tenant", "t-queue"},
                                               {"ids", boost::json::array{reopened.at("items").at(0).at("id")}},
                                               {"action", "skip"}});
    ASSERT_EQ(skip.status, 200) << skip.body;
    const auto latest = host.admin("GET", "/v1/admin/audit?tenant=t-queue&after=" + std::to_string(position)).json();
    std::vector<std::string> actions;
    for (const auto& e : latest.at("entries").as_array())
      if (str(e, "actor") != "system") actions.push_back(str(e, "action")); // the pipeline's decisions are there too
    EXPECT_EQ(actions, (std::vector<std::string>{"rules.rerun", "unresolved.skipped"}));
    // Paging: one entry per page, the next page starts after it.
    const auto page = host.admin("GET", "/v1/admin/audit?limit=1").json();
    ASSERT_EQ(page.at("entries").as_array().size(), 1u);
    EXPECT_EQ(page.at("entries").at(0).at("position").as_int64(), 1);
    EXPECT_EQ(page.at("next_after").as_int64(), 1);
    EXPECT_EQ(host.admin("GET", "/v1/admin/audit?limit=0").status, 422);

    auto anonymous = http("GET", host.base_url() + "/v1/admin/audit");
    EXPECT_EQ(anonymous.status, 401);
    EXPECT_EQ(anonymous.json().at("error").at("code").as_string(), "unauthorized");
  }

  auto intact = run_cli({"audit", "verify", "--database", "sqlite:" + db_path});
  EXPECT_EQ(intact.exit_code, 0) << intact.out << intact.err;
  EXPECT_THAT(intact.out, ::testing::MatchesRegex("audit: [0-9]+ entries, chain intact\n"));

  {
    auto db = store::Database::open("sqlite:" + db_path, 1);
    ASSERT_TRUE(db);
    auto s = db.value()->session();
    Poco::Int64 at = position;
    *s << "UPDATE audit_log SET detail = replace(detail, 'rep-101', 'rep-999') WHERE position = ?", use(at), now;
  }
  auto tampered = run_cli({"audit", "verify", "--database", "sqlite:" + db_path});
  EXPECT_EQ(tampered.exit_code, 1) << tampered.out << tampered.err;
  EXPECT_THAT(tampered.out, HasSubstr("position " + std::to_string(position)));
  EXPECT_THAT(tampered.out, HasSubstr("altered"));

  auto exported = run_cli({"audit", "export", "--database", "sqlite:" + db_path, "--from", std::to_string(position)});
  EXPECT_EQ(exported.exit_code, 0) << exported.err;
  EXPECT_THAT(exported.out, HasSubstr("rep-999"));
  EXPECT_EQ(boost::json::parse(exported.out.substr(0, exported.out.find('\n'))).at("position").as_int64(), position);

  auto missing = run_cli({"audit", "verify", "--database", "sqlite:" + data.file("nope.db").string()});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_FALSE(std::filesystem::exists(data.file("nope.db")));
}

// Searches the SQLite database file and its WAL for each needle; returns the ones found.
std::vector<std::string> found_in_files(const std::filesystem::path& db, const std::vector<std::string>& needles) {
  std::string bytes = file_bytes(db);
  if (std::filesystem::exists(db.string() + "-wal")) bytes += file_bytes(db.string() + "-wal");
  std::vector<std::string> found;
  for (const auto& n : needles)
    if (bytes.find(n) != std::string::npos) found.push_back(n);
  return found;
}

TEST(Secrets, OAuthTokensNeverReachTheDatabaseFilesInClearAndRotateToANewKey) {
  SandboxProcess sandbox;
  sandbox.configure({{"refresh_token_rotation", true}});
  const auto data = TempDir("appconnect-secrets-data");
  const auto db_path = data.file("appconnect.db");
  const auto key_file = data.file("secrets.key");
  std::ofstream(key_file) << security::SecretKey::generate().to_base64() << "\n";
  std::filesystem::permissions(key_file, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  // Secret tenant settings are sealed like credentials: the HMAC secret and the RingCentral
  // verification token, in the tenants table and in every settings version.
  boost::json::object config{
      {"data_dir", data.str()},
      {"secrets_key_file", key_file.string()},
      {"tenants",
       boost::json::array{boost::json::object{
           {"id", "default"},
           {"settings", boost::json::object{{"ingest_hmac_secret", "tenant-hmac-secret-7a1c"},
                                            {"time_zone", "Europe/Berlin"},
                                            {"ringcentral",
                                             boost::json::object{{"verification_token", "rc-verify-token-55e0"}}}}}}}},
      {"connections", boost::json::array{salesforce_connection("sf-1", "default", sandbox.base_url())}}};

  auto read_credentials = [&](const std::filesystem::path& key) {
    auto box = std::make_shared<const security::SecretBox>(security::SecretKey::from_file(key).value());
    auto db = store::Database::open("sqlite:" + db_path.string(), 1);
    EXPECT_TRUE(db);
    auto row = store::ConnectionRepository(db.value(), box).get("sf-1");
    EXPECT_TRUE(row && row.value()) << (row ? "no row" : row.error().message);
    return row && row.value() ? row.value()->credentials : boost::json::object{};
  };
  auto read_tenant_settings = [&](const std::filesystem::path& key) -> Result<boost::json::object> {
    auto box = std::make_shared<const security::SecretBox>(security::SecretKey::from_file(key).value());
    auto db = store::Database::open("sqlite:" + db_path.string(), 1);
    if (!db) return db.error();
    auto row = store::TenantRepository(db.value(), box).get("default");
    if (!row) return row.error();
    return row.value() ? row.value()->settings : boost::json::object{};
  };
  // The tenant's sealed HMAC secret is opened and enforced: every event of this test is signed with it.
  const std::string tenant_hmac = "tenant-hmac-secret-7a1c";
  std::vector<std::string> secrets{"demo-secret", "demo-refresh-token", "tenant-hmac-secret-7a1c",
                                   "rc-verify-token-55e0", "rc-verify-token-2b9d"};
  std::string rotated_refresh;
  {
    HostProcess host(config);
    // A new verification token through the admin API: the tenant row and two settings versions (the
    // baseline from the config file and the change) now hold secrets.
    auto patched = host.admin(
        "PATCH", "/v1/admin/tenants/default",
        boost::json::object{
            {"settings", boost::json::object{
                             {"ringcentral", boost::json::object{{"verification_token", "rc-verify-token-2b9d"}}}}}});
    ASSERT_EQ(patched.status, 200) << patched.body;
    EXPECT_EQ(patched.body.find("rc-verify-token-2b9d"), std::string::npos);
    auto versions = host.admin("GET", "/v1/admin/tenants/default/settings/versions");
    ASSERT_EQ(versions.status, 200);
    EXPECT_EQ(versions.json().at("versions").as_array().size(), 2u) << versions.body;
    for (const auto& s : secrets) EXPECT_EQ(versions.body.find(s), std::string::npos) << s;
    // The first call gets an access token with the configured refresh token.
    EXPECT_EQ(host.post_event(call_event("s-0", "s-s-0", "+14155550132")).status, 401) << "unsigned";
    ASSERT_EQ(post_signed(host, call_event("s-1", "s-s-1", "+14155550132"), tenant_hmac).status, 202);
    host.wait_settled("s-1");
    const auto first = read_credentials(key_file);
    const std::string first_access = str(first, "access_token");
    ASSERT_FALSE(first_access.empty()) << boost::json::serialize(first);
    // Every access token dies; the next call refreshes (and the sandbox rotates the refresh token).
    sandbox.expire_tokens();
    ASSERT_EQ(post_signed(host, call_event("s-2", "s-s-2", "+14155550132"), tenant_hmac).status, 202);
    host.wait_settled("s-2");
    const auto second = read_credentials(key_file);
    ASSERT_FALSE(str(second, "access_token").empty());
    ASSERT_NE(str(second, "access_token"), first_access) << "the token was not refreshed";
    ASSERT_NE(str(second, "refresh_token"), "demo-refresh-token") << "the refresh token was not rotated";
    for (const char* k : {"access_token", "refresh_token"}) secrets.push_back(str(second, k));
    rotated_refresh = str(second, "refresh_token");
    secrets.push_back(first_access);

    // The search itself works: non-secret values of the same rows are found in the same bytes.
    ASSERT_EQ(found_in_files(db_path, {"sf-1", "login_url", "Europe/Berlin", "verification_token"}).size(), 4u);
    const auto tenant = read_tenant_settings(key_file);
    ASSERT_TRUE(tenant) << tenant.error().message;
    EXPECT_EQ(str(tenant.value(), "ingest_hmac_secret"), "tenant-hmac-secret-7a1c");
    EXPECT_EQ(str(tenant.value().at("ringcentral"), "verification_token"), "rc-verify-token-2b9d");
    EXPECT_TRUE(std::filesystem::exists(db_path.string() + "-wal"));
    EXPECT_THAT(found_in_files(db_path, secrets), ::testing::IsEmpty()) << "while the host runs";
    // Nor does any log line carry them.
    const std::string log = file_bytes(host.dir().file("host.log"));
    for (const auto& s : secrets) EXPECT_EQ(log.find(s), std::string::npos) << s;
  }
  EXPECT_THAT(found_in_files(db_path, secrets), ::testing::IsEmpty()) << "after the host stopped";

  // Rotation: a new key, the CLI re-encrypts, the old key no longer opens anything.
  const auto new_key = data.file("secrets-2.key");
  auto generated = run_cli({"secrets", "generate-key", new_key.string()});
  ASSERT_EQ(generated.exit_code, 0) << generated.err;
  EXPECT_EQ(std::filesystem::status(new_key).permissions() & std::filesystem::perms::group_read,
            std::filesystem::perms::none);
  std::ofstream(data.file("appconnect.json")) << boost::json::serialize(config);
  auto rotated = run_cli(
      {"secrets", "rotate", "--new-key-file", new_key.string(), "--config", data.file("appconnect.json").string()});
  ASSERT_EQ(rotated.exit_code, 0) << rotated.out << rotated.err;
  EXPECT_THAT(rotated.out, HasSubstr("1 connection(s) re-encrypted"));
  EXPECT_THAT(rotated.out, HasSubstr("1 tenant(s) and 2 settings version(s)"));
  EXPECT_THAT(found_in_files(db_path, secrets), ::testing::IsEmpty()) << "after the rotation";
  const auto rotated_tenant = read_tenant_settings(new_key);
  ASSERT_TRUE(rotated_tenant) << rotated_tenant.error().message;
  EXPECT_EQ(str(rotated_tenant.value().at("ringcentral"), "verification_token"), "rc-verify-token-2b9d");
  EXPECT_FALSE(read_tenant_settings(key_file)) << "the old key still opens the tenant's secrets";
  const auto after = read_credentials(new_key);
  EXPECT_EQ(str(after, "refresh_token"), rotated_refresh);
  {
    auto db = store::Database::open("sqlite:" + db_path.string(), 1);
    auto box = std::make_shared<const security::SecretBox>(security::SecretKey::from_file(key_file).value());
    EXPECT_FALSE(store::ConnectionRepository(db.value(), box).get("sf-1")) << "the old key still opens it";
  }
  // A host on the new key works on (the connection without credentials in the file: the file's
  // refresh token was rotated away by the CRM, and credentials a file supplies win over stored ones).
  config["secrets_key_file"] = new_key.string();
  config["connections"].as_array().at(0).as_object().erase("credentials");
  HostProcess host(config);
  ASSERT_EQ(post_signed(host, call_event("s-3", "s-s-3", "+14155550132"), tenant_hmac).status, 202);
  EXPECT_NE(host.wait_settled("s-3").at("jobs").at(0).at("state").as_string(), "failed");
  auto audit = host.admin("GET", "/v1/admin/audit");
  EXPECT_THAT(audit.body, HasSubstr("secrets.rotated"));
}

// Every secret a host knows - CRM client secret and tokens (including the ones it obtained by refreshing),
// the ingest, admin and metrics tokens, the HMAC secret and the encryption key - is searched for in
// everything the run wrote or answered: the host's log, each response body (errors included) and the
// audit export.
TEST(Secrets, NoSecretReachesTheLogErrorBodiesOrTheAuditExport) {
  SandboxProcess sandbox;
  sandbox.configure({{"refresh_token_rotation", true}});
  const auto data = TempDir("appconnect-scan-data");
  const auto key_file = data.file("secrets.key");
  const std::string key_text = security::SecretKey::generate().to_base64();
  std::ofstream(key_file) << key_text << "\n";
  std::filesystem::permissions(key_file, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  const std::string ingest_token = "ingest-token-5b1f0c";
  const std::string hmac_secret = "hmac-secret-93ad27";
  const std::string metrics_token = "metrics-token-c0ffee";
  HostProcess host(boost::json::object{
      {"data_dir", data.str()},
      {"secrets_key_file", key_file.string()},
      {"ingest_token", ingest_token},
      {"ingest_hmac_secret", hmac_secret},
      {"metrics_token", metrics_token},
      {"connections", boost::json::array{salesforce_connection("sf-1", "default", sandbox.base_url())}}});
  std::vector<std::string> bodies; // every answer the run got
  auto keep = [&bodies](HttpResult r) {
    bodies.push_back(r.body);
    for (const auto& [k, v] : r.headers) bodies.push_back(k + ": " + v);
    return r;
  };
  const std::string events_url = host.base_url() + "/v1/events";
  auto post_signed = [&](const boost::json::value& event) {
    const std::string body = boost::json::serialize(event);
    const auto t =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    return keep(http("POST", events_url, body,
                     {{"Authorization", "Bearer " + ingest_token},
                      {"X-AppConnect-Signature", ingest::signature_header(hmac_secret, t, body)}}));
  };
  auto read = [&](const std::string& path, const std::string& token) {
    return keep(http("GET", host.base_url() + path, {}, {{"Authorization", "Bearer " + token}}));
  };

  auto wait_done = [&](const std::string& id) {
    std::string last;
    for (int i = 0; i < 100; ++i) {
      last = read("/v1/events/" + id, ingest_token).body;
      if (last.find("\"state\":\"done\"") != std::string::npos) return last;
      std::this_thread::sleep_for(100ms);
    }
    return last;
  };
  ASSERT_EQ(post_signed(call_event("scan-1", "s-scan-1", "+14155550132")).status, 202);
  const auto first = wait_done("scan-1");
  ASSERT_THAT(first, HasSubstr("\"state\":\"done\""));
  // Every access token dies; the next call refreshes, and the CRM rotates the refresh token.
  sandbox.expire_tokens();
  ASSERT_EQ(post_signed(call_event("scan-2", "s-scan-2", "+14155550132")).status, 202);
  const auto second = wait_done("scan-2");
  ASSERT_THAT(second, HasSubstr("\"state\":\"done\""));

  // Refusals and errors, each of which could be tempted to quote what it compared against.
  const std::string body = boost::json::serialize(call_event("scan-3", "s-scan-3", "+14155550132"));
  EXPECT_EQ(keep(http("POST", events_url, body)).status, 401);
  EXPECT_EQ(keep(http("POST", events_url, body, {{"Authorization", "Bearer " + ingest_token + "x"}})).status, 401);
  EXPECT_EQ(keep(http("POST", events_url, body,
                      {{"Authorization", "Bearer " + ingest_token}, {"X-AppConnect-Signature", "t=1,v1=00"}}))
                .status,
            401);
  EXPECT_EQ(keep(http("POST", events_url, "{not json",
                      {{"Authorization", "Bearer " + ingest_token},
                       {"X-AppConnect-Signature", ingest::signature_header(hmac_secret, 1, "{not json")}}))
                .status,
            401);
  EXPECT_EQ(read("/v1/admin/audit", host.admin_token() + "x").status, 401);
  EXPECT_EQ(read("/metrics", ingest_token).status, 401);
  EXPECT_EQ(keep(host.admin("POST", "/v1/admin/unresolved/resolve", boost::json::object{{"ids", "all"}})).status, 422);
  EXPECT_EQ(read("/metrics", metrics_token).status, 200);
  read("/healthz", "");
  read("/readyz", "");
  read("/v1/admin/jobs", host.admin_token());
  const auto audit = read("/v1/admin/audit/export", host.admin_token());
  ASSERT_EQ(audit.status, 200);
  ASSERT_THAT(audit.body, HasSubstr("connection.credentials_changed")) << "the export is not what it should be";

  // The tokens the host obtained, read back through the store with the key.
  std::vector<std::string> secrets{"demo-secret", "demo-refresh-token", ingest_token, hmac_secret,
                                   metrics_token, host.admin_token(),   key_text};
  {
    auto box = std::make_shared<const security::SecretBox>(security::SecretKey::from_file(key_file).value());
    auto db = store::Database::open("sqlite:" + data.file("appconnect.db").string(), 1);
    ASSERT_TRUE(db);
    auto row = store::ConnectionRepository(db.value(), box).get("sf-1");
    ASSERT_TRUE(row && row.value());
    for (const char* k : {"access_token", "refresh_token"}) {
      const std::string v = str(row.value()->credentials, k);
      ASSERT_FALSE(v.empty()) << k;
      secrets.push_back(v);
    }
    ASSERT_NE(secrets.back(), "demo-refresh-token") << "no refresh happened";
  }
  const std::string log = file_bytes(host.dir().file("host.log"));
  ASSERT_THAT(log, HasSubstr("access token refreshed")) << "the scan would prove nothing without a refresh";
  ASSERT_GE(bodies.size(), 20u);
  for (const auto& secret : secrets) {
    EXPECT_EQ(log.find(secret), std::string::npos) << "in the host log: " << secret;
    EXPECT_EQ(audit.body.find(secret), std::string::npos) << "in the audit export: " << secret;
    for (const auto& b : bodies) EXPECT_EQ(b.find(secret), std::string::npos) << "in a response: " << b;
  }
}

TEST(Secrets, AHostWithCredentialsButNoKeyRefusesToStart) {
  TempDir dir("appconnect-nokey");
  boost::json::object config{
      {"data_dir", dir.file("data").string()},
      {"plugin_dirs", boost::json::array{APPCONNECT_PLUGIN_DIR}},
      {"connections", boost::json::array{salesforce_connection("sf-1", "default", "http://127.0.0.1:9")}}};
  std::ofstream(dir.file("appconnect.json")) << boost::json::serialize(config);
  ChildProcess p;
  p.start(bin_path("appconnect"),
          {"serve", "--config", dir.file("appconnect.json").string(), "--listen", "127.0.0.1:0"}, {},
          dir.file("stderr").string());
  auto code = p.wait(30s);
  ASSERT_TRUE(code.has_value()) << "the host started without a secrets key";
  EXPECT_EQ(*code, 1);
  EXPECT_THAT(p.stderr_text(), HasSubstr("secrets_key_file"));
  // Nothing was written in clear before refusing.
  EXPECT_THAT(found_in_files(dir.file("data") / "appconnect.db", {"demo-secret"}), ::testing::IsEmpty());
}

} // namespace
} // namespace appconnect::testing
