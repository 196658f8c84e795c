// RingCentral end to end over loopback: a real host receives webhook notifications (handshake,
// verification, malformed and unsupported bodies, a telephony sequence) and the `appconnect backfill`
// command replays a generated call-log export twice against a host with a Salesforce sandbox connection.
#include "support/testing.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <thread>

namespace appconnect::testing {
namespace {
namespace json = boost::json;
using ::testing::HasSubstr;
using namespace std::chrono_literals;

constexpr const char* kToken = "rc-verify-7f3a";

std::string fixture_text(const std::string& name) {
  std::ifstream in(source_path("tests/fixtures/ringcentral/" + name));
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

class RingCentral : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    sandbox_ = new SandboxProcess(SandboxOptions{});
    json::array tenants{
        json::object{{"id", "default"}, {"name", "Open"}},
        json::object{
            {"id", "acme"},
            {"name", "Acme"},
            {"settings", json::object{{"ringcentral", json::object{{"verification_token", kToken},
                                                                   {"queue_extension_ids", json::array{"63000"}}}}}}},
        json::object{{"id", "bf"}, {"name", "Backfill"}},
    };
    json::array connections{salesforce_connection("sf-bf", "bf", sandbox_->base_url())};
    host_ = new HostProcess(json::object{{"tenants", tenants}, {"connections", connections}});
  }
  static void TearDownTestSuite() {
    delete host_;
    delete sandbox_;
  }

  static HttpResult post_webhook(const std::string& tenant, const std::string& body,
                                 std::map<std::string, std::string> headers = {}) {
    headers.emplace("Content-Type", "application/json; charset=UTF-8");
    headers.emplace("User-Agent", "RingCentral-Webhook/8.3");
    return http("POST", host_->base_url() + "/v1/webhooks/ringcentral?tenant=" + tenant, body, headers);
  }

  static HostProcess* host_;
  static SandboxProcess* sandbox_;
};
HostProcess* RingCentral::host_ = nullptr;
SandboxProcess* RingCentral::sandbox_ = nullptr;

TEST_F(RingCentral, HandshakeEchoesTheValidationToken) {
  auto r = post_webhook("acme", "", {{"Validation-Token", "a1b2c3-handshake"}});
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("Validation-Token"), "a1b2c3-handshake");
  EXPECT_THAT(r.header("Content-Type"), HasSubstr("application/json"));
  EXPECT_LE(r.body.size(), 1024u);
  // No tenant lookup: even an unknown tenant's subscription can be created.
  EXPECT_EQ(post_webhook("nobody", "", {{"Validation-Token", "x"}}).header("Validation-Token"), "x");
}

TEST_F(RingCentral, VerificationTokenIsRequiredWhenConfigured) {
  const std::string sms = fixture_text("sms.json");
  auto missing = post_webhook("acme", sms);
  EXPECT_EQ(missing.status, 401) << missing.body;
  EXPECT_EQ(missing.json().at("error").at("code"), "unauthorized");
  auto wrong = post_webhook("acme", sms, {{"Verification-Token", "rc-verify-7f3b"}});
  EXPECT_EQ(wrong.status, 401);
  // Nothing was stored by the refused deliveries.
  EXPECT_EQ(http("GET", host_->base_url() + "/v1/events/rc-msg:1983320450012:62001?tenant=acme").status, 404);

  auto right = post_webhook("acme", sms, {{"Verification-Token", kToken}});
  ASSERT_EQ(right.status, 200) << right.body;
  EXPECT_EQ(right.json().at("accepted"), 1);
  auto stored = http("GET", host_->base_url() + "/v1/events/rc-msg:1983320450012:62001?tenant=acme");
  ASSERT_EQ(stored.status, 200) << stored.body;
  EXPECT_EQ(stored.json().at("kind"), "sms");
  EXPECT_EQ(stored.json().at("event").at("from").at("phone"), "+16175550171");

  // Re-delivery: the same ids, nothing new.
  auto again = post_webhook("acme", sms, {{"Verification-Token", kToken}});
  ASSERT_EQ(again.status, 200);
  EXPECT_EQ(again.json().at("accepted"), 0);
  EXPECT_EQ(again.json().at("duplicate"), 1);
}

TEST_F(RingCentral, MalformedBodyIs400) {
  auto r = post_webhook("default", R"({"event": "/restapi/v1.0/account/~/telephony/sessions", "body": )");
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(r.json().at("error").at("code"), "invalid_json");
  EXPECT_EQ(post_webhook("unknown-tenant", "{}").status, 404);
}

TEST_F(RingCentral, UnsupportedNotificationIsKeptInTheInbox) {
  auto r = post_webhook("acme", fixture_text("message-store-changes.json"), {{"Verification-Token", kToken}});
  ASSERT_EQ(r.status, 422) << r.body;
  const auto doc = r.json();
  EXPECT_EQ(doc.at("error").at("code"), "unsupported_notification");
  EXPECT_THAT(std::string(doc.at("error").at("message").as_string()), HasSubstr("change notice"));
  const auto inbox_id = doc.at("inbox_id").as_int64();

  auto denied = http("GET", host_->base_url() + "/v1/admin/webhooks/inbox?tenant=acme");
  EXPECT_EQ(denied.status, 401);
  auto listed = host_->admin("GET", "/v1/admin/webhooks/inbox?tenant=acme");
  ASSERT_EQ(listed.status, 200) << listed.body;
  const auto body = listed.json();
  bool found = false;
  for (const auto& item : body.at("items").as_array()) {
    if (item.at("id").as_int64() != inbox_id) continue;
    found = true;
    EXPECT_EQ(item.at("source"), "ringcentral");
    EXPECT_EQ(item.at("tenant"), "acme");
    EXPECT_THAT(std::string(item.at("reason").as_string()), HasSubstr("change notice"));
    EXPECT_EQ(item.at("body").at("body").at("changes").as_array().size(), 2u) << "kept verbatim";
  }
  EXPECT_TRUE(found) << listed.body;
  // Other tenants do not see it.
  auto other = host_->admin("GET", "/v1/admin/webhooks/inbox?tenant=default");
  ASSERT_EQ(other.status, 200);
  const auto other_doc = other.json(); // the loop below reads into it: it must outlive the loop
  for (const auto& item : other_doc.at("items").as_array()) EXPECT_NE(item.at("id").as_int64(), inbox_id);
}

TEST_F(RingCentral, TelephonySequenceIsAccepted) {
  const auto seq = json::parse(fixture_text("telephony-inbound-answered.json")).as_array();
  std::vector<std::string> ids;
  for (const auto& n : seq) {
    auto r = post_webhook("acme", json::serialize(n), {{"Verification-Token", kToken}});
    ASSERT_EQ(r.status, 200) << r.body;
    const auto doc = r.json();
    EXPECT_EQ(doc.at("notification"), "telephony-session");
    EXPECT_EQ(doc.at("accepted"), 1);
    ids.emplace_back(doc.at("ids").as_array().at(0).as_string());
  }
  ASSERT_EQ(ids.size(), 3u);
  EXPECT_EQ(ids[2], "rc-ts:s-a7f2c91e04b84d3f9e6c5d1b2a390001:p-a7f2c91e04b84d3f9e6c5d1b2a390001-2:5");
  for (const auto& id : ids) {
    auto got = http("GET", host_->base_url() + "/v1/events/" + id + "?tenant=acme");
    ASSERT_EQ(got.status, 200) << id << ": " << got.body;
    const auto doc = got.json();
    EXPECT_EQ(doc.at("kind"), "call");
    EXPECT_EQ(doc.at("conversation_key"), "call:s-a7f2c91e04b84d3f9e6c5d1b2a390001:62001");
    EXPECT_EQ(doc.at("event").at("from").at("phone"), "+16175550171");
  }
  auto last = http("GET", host_->base_url() + "/v1/events/" + ids[2] + "?tenant=acme").json();
  EXPECT_EQ(last.at("event").at("call").at("state"), "ended");

  // A queue notification: the queue's own party is skipped, the three members are accepted.
  const auto queue = json::parse(fixture_text("telephony-queue.json")).as_array();
  auto r = post_webhook("acme", json::serialize(queue[0]), {{"Verification-Token", kToken}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json().at("accepted"), 3);
  EXPECT_EQ(r.json().at("skipped").as_array().size(), 1u);
}

// A call-log export of `n` records as JSON Lines of pages of 100, numbers of seeded Salesforce contacts.
std::string generated_export(int n) {
  static const char* phones[] = {"+14155550177", "+12125550147", "+16175550171", "+14155550190", "+16505550145"};
  std::ostringstream out;
  json::array page;
  for (int i = 0; i < n; ++i) {
    char id[32], start[40];
    std::snprintf(id, sizeof id, "BF%05d", i);
    std::snprintf(start, sizeof start, "2026-02-%02dT%02d:%02d:00.000Z", 1 + (i / 96) % 28, (i / 4) % 24, (i % 4) * 15);
    const std::string from = phones[i % 5];
    json::object rec{{"id", id},
                     {"sessionId", std::to_string(4600000000 + i)},
                     {"telephonySessionId", std::string("s-bf-") + id},
                     {"startTime", start},
                     {"duration", 30 + i % 300},
                     {"type", "Voice"},
                     {"direction", "Inbound"},
                     {"action", "Phone Call"},
                     {"result", i % 10 == 0 ? "Missed" : "Accepted"},
                     {"to", json::object{{"phoneNumber", "+16505550100"}, {"name", "Maria Garcia"}}},
                     {"from", json::object{{"phoneNumber", from}}},
                     {"extension", json::object{{"id", 62001}}},
                     {"lastModifiedTime", start},
                     {"legs", json::array{json::object{{"startTime", start},
                                                       {"duration", 30 + i % 300},
                                                       {"action", "Phone Call"},
                                                       {"result", "Accepted"},
                                                       {"direction", "Inbound"},
                                                       {"legType", "Accept"},
                                                       {"extension", json::object{{"id", 62001}}},
                                                       {"from", json::object{{"phoneNumber", from}}},
                                                       {"to", json::object{{"phoneNumber", "+16505550100"}}}}}}};
    page.push_back(std::move(rec));
    if (page.size() == 100 || i == n - 1) {
      out << json::serialize(json::object{{"records", std::move(page)}, {"navigation", json::object{}}}) << "\n";
      page = json::array{};
    }
  }
  return out.str();
}

struct RunResult {
  int exit_code = -1;
  std::vector<std::string> lines;
  std::string stderr_text;
};

RunResult run_backfill(const std::vector<std::string>& args) {
  ChildProcess p;
  p.start(bin_path("appconnect"), args);
  RunResult r;
  auto code = p.wait(120s);
  r.exit_code = code ? *code : -1;
  r.lines = p.stdout_lines();
  r.stderr_text = p.stderr_text();
  return r;
}

std::int64_t pending_jobs(const std::string& base_url) {
  auto h = http("GET", base_url + "/healthz").json();
  const auto* p = h.as_object().if_contains("jobs_pending");
  return p != nullptr ? p->as_int64() : -1;
}

TEST_F(RingCentral, BackfillTwiceCreatesNothingTheSecondTime) {
  TempDir dir("rc-backfill");
  const auto file = dir.file("call-log.jsonl").string();
  std::ofstream(file) << generated_export(1000);
  const std::vector<std::string> args{"backfill", "--url", host_->base_url(), "--tenant", "bf", file};

  const auto started = std::chrono::steady_clock::now();
  auto first = run_backfill(args);
  const auto took = std::chrono::steady_clock::now() - started;
  ASSERT_EQ(first.exit_code, 0) << first.stderr_text;
  ASSERT_FALSE(first.lines.empty());
  EXPECT_THAT(first.lines, ::testing::Contains(HasSubstr("backfill: 500/1000 sent")));
  EXPECT_EQ(first.lines.back(), "backfill: done: 1000 records, 1000 sent (1000 new, 0 duplicate), 0 failed");
  std::cerr << "[ info ] first backfill of 1000 records took "
            << std::chrono::duration_cast<std::chrono::milliseconds>(took).count() << " ms\n";

  auto one = http("GET", host_->base_url() + "/v1/events/rc-cl:BF00042?tenant=bf");
  ASSERT_EQ(one.status, 200) << one.body;
  EXPECT_EQ(one.json().at("event").at("call").at("session_id"), "s-bf-BF00042");
  EXPECT_EQ(one.json().at("jobs").as_array().size(), 1u) << "one job for the tenant's Salesforce connection";

  // Let the workers finish writing Tasks, then count them.
  const auto deadline = std::chrono::steady_clock::now() + 180s;
  while (pending_jobs(host_->base_url()) != 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(200ms);
  ASSERT_EQ(pending_jobs(host_->base_url()), 0);
  std::this_thread::sleep_for(500ms); // a claimed job may still be running
  auto count_tasks = [] {
    std::int64_t n = 0;
    for (const auto& t : sandbox_->records("Task")) {
      const auto* key = t.as_object().if_contains("CallObject");
      if (key != nullptr && key->is_string() && key->get_string().starts_with("call:s-bf-")) ++n;
    }
    return n;
  };
  const auto tasks_after_first = count_tasks();
  std::cerr << "[ info ] Salesforce Tasks after the first run: " << tasks_after_first << "\n";
  // Every record names a seeded contact: one Task per call, no more.
  EXPECT_EQ(tasks_after_first, 1000);

  auto second = run_backfill(args);
  ASSERT_EQ(second.exit_code, 0) << second.stderr_text;
  EXPECT_EQ(second.lines.back(), "backfill: done: 1000 records, 1000 sent (0 new, 1000 duplicate), 0 failed");
  std::this_thread::sleep_for(1s);
  EXPECT_EQ(pending_jobs(host_->base_url()), 0) << "duplicates queue no jobs";
  EXPECT_EQ(count_tasks(), tasks_after_first);
}

TEST_F(RingCentral, BackfillReportsFailedRecords) {
  TempDir dir("rc-backfill-bad");
  const auto file = dir.file("page.json").string();
  std::ofstream(file) << R"({"records":[
    {"id":"BAD1","startTime":"2026-02-01T10:00:00Z","direction":"Inbound","from":{"phoneNumber":"+14155550177"},
     "to":{"phoneNumber":"+16505550100"},"extension":{"id":62001},"telephonySessionId":"s-bad-1","result":"Accepted"},
    {"id":"BAD2","direction":"Inbound"}]})";
  auto r = run_backfill({"backfill", "--url", host_->base_url(), "--tenant", "nope", file});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.stderr_text, HasSubstr("record BAD1: HTTP 404"));
  EXPECT_THAT(r.stderr_text, HasSubstr("record BAD2"));
  EXPECT_THAT(r.stderr_text, HasSubstr("startTime"));
  ASSERT_FALSE(r.lines.empty());
  EXPECT_EQ(r.lines.back(), "backfill: done: 2 records, 0 sent (0 new, 0 duplicate), 2 failed");
}

} // namespace
} // namespace appconnect::testing
