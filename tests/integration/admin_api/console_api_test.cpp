// What the web console reads beyond the basic admin API, end to end against the Salesforce sandbox: the
// dashboard's per-day statistics (outcomes, queue, latency from call end to CRM record; a rep sees only
// their own), every attempt of a job in an event's story, "create one lead for these" resolving a whole
// batch to a single new record, and a 10,000-item queue that pages and groups on the server.
#include "store/database.hpp"
#include "support/testing.hpp"

#include <appconnect/time.hpp>

#include <Poco/Data/Session.h>

#include <gtest/gtest.h>

#include <chrono>
#include <iostream>
#include <set>
#include <thread>

using namespace Poco::Data::Keywords;

namespace appconnect::testing {
namespace {
namespace json = boost::json;
using namespace std::chrono_literals;

std::string str(const json::value& v, std::string_view key) {
  const auto* p = v.as_object().if_contains(key);
  return p != nullptr && p->is_string() ? std::string(p->get_string()) : std::string();
}

std::int64_t num(const json::value& v, std::string_view key) {
  const auto* p = v.as_object().if_contains(key);
  return p != nullptr && p->is_int64() ? p->get_int64() : -1;
}

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Polls `probe` until it returns true (every 100 ms, up to `timeout`).
template <class F>
bool eventually(F probe, std::chrono::milliseconds timeout = 30s) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (probe()) return true;
    std::this_thread::sleep_for(100ms);
  }
  return probe();
}

json::object tenant(const std::string& id, json::object settings) {
  return json::object{{"id", id}, {"name", id}, {"settings", std::move(settings)}};
}

class ConsoleApi : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    sandbox_ = new SandboxProcess(SandboxOptions{});
    const std::string url = sandbox_->base_url();
    json::array tenants{
        // Placeholders on: an unknown number gets a new Lead; no conflict rules: shared numbers queue.
        tenant("t-stats",
               {{"matching",
                 json::object{{"rules", json::array{}},
                              {"placeholder",
                               json::object{{"enabled", true}, {"type", "Lead"}, {"name_template", "New {phone}"}}}}}}),
        tenant("t-batch", {{"matching", json::object{{"rules", json::array{}}}}}),
        tenant("t-big", {}),
    };
    json::array connections{salesforce_connection("sf-stats", "t-stats", url),
                            salesforce_connection("sf-batch", "t-batch", url)};
    // Quick retries, so a failed CRM write is retried within the test.
    host_ = new HostProcess(json::object{
        {"tenants", tenants},
        {"connections", connections},
        {"jobs", json::object{{"retry_base_delay_ms", 50}, {"retry_max_delay_ms", 200}, {"max_attempts", 4}}}});
  }
  static void TearDownTestSuite() {
    delete host_;
    delete sandbox_;
  }

  static std::string mint_rep(const std::string& tenant_id, const std::string& agent) {
    auto r =
        host_->admin("POST", "/v1/admin/tokens",
                     json::object{{"name", "rep-" + agent}, {"role", "rep"}, {"tenant", tenant_id}, {"agent", agent}});
    EXPECT_EQ(r.status, 201) << r.body;
    return r.status == 201 ? str(r.json(), "token") : std::string();
  }

  static HttpResult with_token(const std::string& token, const std::string& path) {
    return http("GET", host_->base_url() + path, {}, {{"Authorization", "Bearer " + token}});
  }

  static json::value log_call(const std::string& tenant_id, const std::string& id, const std::string& phone) {
    auto accepted = host_->post_event(call_event(id, "s-" + id, phone, tenant_id));
    EXPECT_EQ(accepted.status, 202) << accepted.body;
    return host_->wait_settled(id, tenant_id);
  }

  static SandboxProcess* sandbox_;
  static HostProcess* host_;
};

SandboxProcess* ConsoleApi::sandbox_ = nullptr;
HostProcess* ConsoleApi::host_ = nullptr;

TEST_F(ConsoleApi, StatsCountTodaysOutcomesAndTheLatencyFromCallEndToRecord) {
  // The test events' call: started 2026-11-25T09:30:00Z, lasted 95 s.
  const std::int64_t call_end = *sdk::time::parse_iso8601_ms("2026-11-25T10:30:00+01:00") + 95000;
  const std::int64_t before = now_ms();
  log_call("t-stats", "st-logged", "+1 (617) 555-0171");      // one contact: logged
  log_call("t-stats", "st-placeholder", "+1 (480) 555-0123"); // unknown: a placeholder Lead
  log_call("t-stats", "st-queued", "(415) 555-0132");         // two contacts, no rule: queued
  json::value stats;
  ASSERT_TRUE(eventually([&] {
    auto r = host_->admin("GET", "/v1/admin/stats?tenant=t-stats&days=2");
    if (r.status != 200) return false;
    stats = r.json();
    const auto& t = stats.at("totals");
    return num(t, "logged") == 1 && num(t, "placeholder") == 1 && num(t, "queued") == 1;
  })) << json::serialize(stats);
  const std::int64_t after = now_ms();
  const auto& totals = stats.at("totals");
  EXPECT_EQ(num(totals, "still_open"), 1);
  EXPECT_EQ(num(totals, "failed"), 0);
  EXPECT_EQ(num(totals, "latency_samples"), 2) << "the logged call and the placeholder's call";
  EXPECT_EQ(num(stats, "days"), 2);
  // Every row is the one connection; latency is when the record was written minus when the call ended.
  std::int64_t samples = 0;
  for (const auto& row : stats.at("series").as_array()) {
    EXPECT_EQ(str(row, "connection"), "sf-stats");
    if (num(row, "latency_samples") <= 0) continue;
    samples += num(row, "latency_samples");
    for (const char* key : {"latency_p50_ms", "latency_p95_ms"}) {
      EXPECT_GE(num(row, key), std::max<std::int64_t>(0, before - call_end)) << key << " " << json::serialize(row);
      EXPECT_LE(num(row, key), std::max<std::int64_t>(0, after - call_end)) << key << " " << json::serialize(row);
    }
    EXPECT_LE(num(row, "latency_p50_ms"), num(row, "latency_p95_ms"));
  }
  EXPECT_EQ(samples, 2);

  // A rep sees their own work: the calls were agent 101's; agent 202 has none.
  const auto mine = with_token(mint_rep("t-stats", "101"), "/v1/admin/stats?days=2");
  ASSERT_EQ(mine.status, 200) << mine.body;
  EXPECT_EQ(num(mine.json().at("totals"), "logged"), 1);
  EXPECT_EQ(num(mine.json().at("totals"), "queued"), 1);
  const auto theirs = with_token(mint_rep("t-stats", "202"), "/v1/admin/stats?days=2");
  ASSERT_EQ(theirs.status, 200) << theirs.body;
  EXPECT_EQ(num(theirs.json().at("totals"), "logged"), 0);
  EXPECT_EQ(num(theirs.json().at("totals"), "queued"), 0);
  EXPECT_TRUE(theirs.json().at("series").as_array().empty());

  // Bad input is a JSON 422; another tenant is not visible to a rep.
  auto bad = host_->admin("GET", "/v1/admin/stats?tenant=t-stats&days=0");
  EXPECT_EQ(bad.status, 422);
  EXPECT_EQ(str(bad.json().at("error"), "code"), "validation");
  EXPECT_EQ(with_token(mint_rep("t-stats", "303"), "/v1/admin/stats?tenant=t-batch").status, 404);
}

TEST_F(ConsoleApi, AnEventsStoryListsEveryAttemptWithTheCrmErrorAndTheNextTry) {
  // The CRM refuses the next record write once; the job retries and then logs.
  sandbox_->configure(json::object{
      {"fail_next", json::array{json::object{
                        {"status", 500}, {"count", 1}, {"path_prefix", "/services/data"}, {"method", "POST"}}}}});
  const auto settled = log_call("t-stats", "st-retried", "+1 (617) 555-0171");
  const auto job = settled.at("jobs").as_array().at(0);
  ASSERT_EQ(str(job, "state"), "done") << json::serialize(settled);
  json::array history;
  ASSERT_TRUE(eventually([&] {
    auto r = http("GET", host_->base_url() + "/v1/events/st-retried?tenant=t-stats");
    history = r.json().at("jobs").as_array().at(0).at("history").as_array();
    return history.size() >= 2 && str(history.back(), "result") != "retry";
  })) << json::serialize(history);
  ASSERT_EQ(history.size(), 2u) << json::serialize(history);
  const auto& first = history[0];
  EXPECT_EQ(str(first, "result"), "retry");
  EXPECT_EQ(num(first, "attempt"), 1);
  ASSERT_TRUE(first.as_object().contains("error")) << json::serialize(first);
  EXPECT_FALSE(json::serialize(first.at("error")).empty());
  EXPECT_GE(num(first, "next_attempt_at_ms"), num(first, "finished_at_ms"));
  EXPECT_GE(num(first, "finished_at_ms"), num(first, "started_at_ms"));
  EXPECT_EQ(str(history[1], "result"), "logged");
  EXPECT_EQ(num(history[1], "attempt"), 2);
  EXPECT_FALSE(history[1].as_object().contains("error"));
  EXPECT_GE(num(history[1], "started_at_ms"), num(first, "next_attempt_at_ms") - 5);
  // The admin job route serves the same history.
  auto one = host_->admin("GET", "/v1/admin/jobs/" + std::to_string(num(job, "id")));
  ASSERT_EQ(one.status, 200) << one.body;
  EXPECT_EQ(one.json().at("history").as_array().size(), 2u);
  // The stats count the retry.
  auto stats = host_->admin("GET", "/v1/admin/stats?tenant=t-stats&days=2");
  EXPECT_GE(num(stats.json().at("totals"), "retried"), 1);
}

TEST_F(ConsoleApi, CreatingALeadForABatchMakesOneLeadAndLogsEveryItemToIt) {
  const std::set<std::string> before_leads = [] {
    std::set<std::string> ids;
    for (const auto& l : sandbox_->records("Lead")) ids.insert(str(l, "Id"));
    return ids;
  }();
  // Agent 102 is James Chen in the CRM (not the user the connection signed in as, who owns by default).
  for (int i = 1; i <= 5; ++i) {
    const std::string id = "batch-" + std::to_string(i);
    auto event = call_event(id, "s-" + id, "(415) 555-0132", "t-batch");
    event.as_object()["agent"] = json::object{{"extension_id", "102"}, {"email", "james.chen@acme-demo.example"}};
    ASSERT_EQ(host_->post_event(event).status, 202);
    host_->wait_settled(id, "t-batch");
  }
  auto open = host_->admin("GET", "/v1/admin/unresolved?tenant=t-batch&limit=100");
  ASSERT_EQ(open.status, 200) << open.body;
  json::array ids;
  const auto doc = open.json();
  for (const auto& i : doc.at("items").as_array()) ids.push_back(i.at("id"));
  ASSERT_EQ(ids.size(), 5u) << open.body;

  auto resolved = host_->admin("POST", "/v1/admin/unresolved/resolve",
                               json::object{{"tenant", "t-batch"},
                                            {"ids", ids},
                                            {"action", "create"},
                                            {"last_name", "Batch Lead"},
                                            {"contact_type", "Lead"}});
  ASSERT_EQ(resolved.status, 200) << resolved.body;
  EXPECT_EQ(num(resolved.json(), "resolved"), 5);
  EXPECT_EQ(num(resolved.json(), "failed"), 0);
  ASSERT_EQ(resolved.json().at("created").as_array().size(), 1u) << resolved.body;
  const std::string lead = str(resolved.json().at("created").as_array().at(0).at("contact"), "id");
  ASSERT_FALSE(lead.empty()) << resolved.body;

  std::vector<json::value> tasks;
  ASSERT_TRUE(eventually([&] {
    tasks.clear();
    for (const auto& t : sandbox_->records("Task"))
      if (str(t, "CallObject").rfind("call:s-batch-", 0) == 0) tasks.push_back(t);
    return tasks.size() >= 5;
  })) << tasks.size();
  EXPECT_EQ(tasks.size(), 5u);
  for (const auto& t : tasks) EXPECT_EQ(str(t, "WhoId"), lead) << json::serialize(t);
  std::vector<json::value> new_leads;
  for (const auto& l : sandbox_->records("Lead"))
    if (!before_leads.count(str(l, "Id"))) new_leads.push_back(l);
  ASSERT_EQ(new_leads.size(), 1u) << "one lead for the batch, not one per call";
  EXPECT_EQ(str(new_leads[0], "LastName"), "Batch Lead");
  // Owned by the agent's CRM user, like the records the worker writes for the calls.
  std::string signed_in_user;
  for (const auto& u : sandbox_->records("User"))
    if (str(u, "Email") == "maria.garcia@acme-demo.example") signed_in_user = str(u, "Id");
  EXPECT_FALSE(str(tasks[0], "OwnerId").empty()) << json::serialize(tasks[0]);
  EXPECT_NE(str(tasks[0], "OwnerId"), signed_in_user) << "agent 102's records belong to James Chen";
  EXPECT_EQ(str(new_leads[0], "OwnerId"), str(tasks[0], "OwnerId")) << json::serialize(new_leads[0]);
  // The creation is in the audit trail once.
  auto audit = host_->admin("GET", "/v1/admin/audit?tenant=t-batch&limit=1000");
  int created = 0;
  const auto entries = audit.json();
  for (const auto& e : entries.at("entries").as_array())
    if (str(e, "action") == "unresolved.contact_created") ++created;
  EXPECT_EQ(created, 1);
}

TEST_F(ConsoleApi, ATenThousandItemQueuePagesAndGroupsOnTheServer) {
  // 10,000 open items straight into the store (one transaction): 8,500 of agent 101, 1,500 of agent 102,
  // over 40 numbers.
  {
    auto db = store::Database::open("sqlite:" + (host_->dir().file("data") / "appconnect.db").string(), 1);
    ASSERT_TRUE(db) << db.error().message;
    auto s = db.value()->session();
    store::Transaction tx(*db.value(), *s);
    std::string tenant_id = "t-big", connection = "sf-big", kind = "call", reason = "multiple_matches",
                detail = R"({"message":"two contacts share the number"})", state = "open", agent, key, phone;
    Poco::Int64 job = 0, created = now_ms();
    Poco::Data::Statement insert(*s);
    insert << "INSERT INTO unresolved_items (tenant_id, connection_id, job_id, event_seq, conversation_key, kind, "
              "phone_e164, agent, reason, detail, state, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        use(tenant_id), use(connection), use(job), use(job), use(key), use(kind), use(phone), use(agent), use(reason),
        use(detail), use(state), use(created);
    for (int i = 0; i < 10000; ++i) {
      job = 7000000 + i;
      agent = i % 20 < 17 ? "101" : "102";
      phone = "+1415555" + std::to_string(1000 + i % 40);
      key = "call:big-" + std::to_string(i) + ":" + agent;
      insert.execute();
    }
    tx.commit();
  }

  const auto started = std::chrono::steady_clock::now();
  auto first = host_->admin("GET", "/v1/admin/unresolved?tenant=t-big&limit=100");
  const auto first_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
  std::cout << "first page of a 10,000-item queue: " << first_ms << " ms\n";
  ASSERT_EQ(first.status, 200) << first.body;
  const auto page1 = first.json();
  EXPECT_EQ(page1.at("items").as_array().size(), 100u);
  EXPECT_EQ(num(page1, "open_total"), 10000);
  const std::int64_t next = num(page1, "next_after");
  ASSERT_GT(next, 0);
  auto second = host_->admin("GET", "/v1/admin/unresolved?tenant=t-big&limit=100&after=" + std::to_string(next));
  const auto page2 = second.json();
  ASSERT_EQ(page2.at("items").as_array().size(), 100u);
  EXPECT_GT(num(page2.at("items").as_array().front(), "id"), next) << "keyset paging continues after the last id";

  // The queue by number: 40 groups of 250, a page at a time.
  auto groups = host_->admin("GET", "/v1/admin/unresolved/groups?tenant=t-big&limit=25");
  ASSERT_EQ(groups.status, 200) << groups.body;
  const auto g = groups.json();
  EXPECT_EQ(num(g, "total_groups"), 40);
  ASSERT_EQ(g.at("groups").as_array().size(), 25u);
  EXPECT_EQ(num(g, "next_offset"), 25);
  for (const auto& row : g.at("groups").as_array()) EXPECT_EQ(num(row, "count"), 250) << json::serialize(row);
  auto rest = host_->admin("GET", "/v1/admin/unresolved/groups?tenant=t-big&limit=25&offset=25");
  EXPECT_EQ(rest.json().at("groups").as_array().size(), 15u);
  EXPECT_TRUE(rest.json().at("next_offset").is_null());
  // One number's items, through the list's phone filter.
  const std::string phone = str(g.at("groups").as_array().at(0), "phone");
  auto one = host_->admin("GET", "/v1/admin/unresolved?tenant=t-big&limit=1000&phone=%2B" + phone.substr(1));
  EXPECT_EQ(one.json().at("items").as_array().size(), 250u);

  // A rep's total is counted, not capped by a page: 1,500 of agent 102's items.
  const std::string rep = mint_rep("t-big", "102");
  auto theirs = with_token(rep, "/v1/admin/unresolved?limit=100");
  ASSERT_EQ(theirs.status, 200) << theirs.body;
  EXPECT_EQ(num(theirs.json(), "open_total"), 1500);
  EXPECT_EQ(theirs.json().at("items").as_array().size(), 100u);
  auto their_groups = with_token(rep, "/v1/admin/unresolved/groups?limit=100");
  std::int64_t sum = 0;
  const auto tg = their_groups.json();
  for (const auto& row : tg.at("groups").as_array()) sum += num(row, "count");
  EXPECT_EQ(sum, 1500);
}

} // namespace
} // namespace appconnect::testing
