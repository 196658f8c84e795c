// Matching end to end over loopback: the Salesforce sandbox plays the CRM, `appconnect serve` runs with
// one tenant per rule set (each with its own connection to the sandbox), and every scenario of the
// matching promise is driven through the public HTTP API.
#include "support/testing.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <thread>

namespace appconnect::testing {
namespace {
using ::testing::HasSubstr;
using namespace std::chrono_literals;

boost::json::object tenant(const std::string& id, boost::json::object matching) {
  return boost::json::object{
      {"id", id}, {"name", id}, {"settings", boost::json::object{{"matching", std::move(matching)}}}};
}

class Matching : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    sandbox_ = new SandboxProcess(SandboxOptions{});
    const std::string url = sandbox_->base_url();
    boost::json::array tenants{
        tenant("t-lastmod", {{"rules", boost::json::array{"last_modified"}}}),
        tenant("t-created", {{"rules", boost::json::array{"earliest_created"}}}),
        tenant("t-alpha", {{"rules", boost::json::array{"alphabetical"}}}),
        tenant("t-contact", {{"rules", boost::json::array{"type_priority"}},
                             {"type_priority", boost::json::array{"Contact", "Lead"}}}),
        tenant("t-lead", {{"rules", boost::json::array{"type_priority"}},
                          {"type_priority", boost::json::array{"Lead", "Contact"}}}),
        tenant("t-queue", {{"rules", boost::json::array{}},
                           {"shared_numbers", boost::json::array{"(212) 555-0147"}},
                           {"blocked_numbers", boost::json::array{"+1 303 555 0155"}}}),
        tenant("t-auto",
               {{"placeholder",
                 boost::json::object{{"enabled", true}, {"type", "Lead"}, {"name_template", "New Lead - {phone}"}}}}),
    };
    boost::json::array connections;
    for (const auto& t : tenants) {
      const std::string id(t.at("id").as_string());
      connections.push_back(salesforce_connection("sf-" + id, id, url));
    }
    host_ = new HostProcess(boost::json::object{{"tenants", tenants}, {"connections", connections}});
  }
  static void TearDownTestSuite() {
    delete host_;
    delete sandbox_;
  }

  static boost::json::value log_call(const std::string& tenant, const std::string& id, const std::string& phone) {
    auto accepted = host_->post_event(call_event(id, "s-" + id, phone, tenant));
    EXPECT_EQ(accepted.status, 202) << accepted.body;
    return host_->wait_settled(id, tenant).at("jobs").as_array().at(0);
  }

  static boost::json::object task_for(const std::string& id) {
    for (const auto& t : sandbox_->records("Task"))
      if (str(t, "CallObject") == "call:s-" + id + ":101") return t.as_object();
    return {};
  }

  static std::string record_id(const char* object, const std::string& last_name) {
    for (const auto& c : sandbox_->records(object))
      if (str(c, "LastName") == last_name) return str(c, "Id");
    return {};
  }

  static std::int64_t count_records(const char* object, const std::string& field, const std::string& value) {
    std::int64_t n = 0;
    for (const auto& r : sandbox_->records(object))
      if (str(r, field) == value) ++n;
    return n;
  }

  static SandboxProcess* sandbox_;
  static HostProcess* host_;
};

SandboxProcess* Matching::sandbox_ = nullptr;
HostProcess* Matching::host_ = nullptr;

TEST_F(Matching, TwoMatchesAreResolvedByEachRule) {
  // Olivia Bennett and Marcus Reed share (415) 555-0132: Bennett is older, Reed more recently modified.
  auto lastmod = log_call("t-lastmod", "r-lastmod", "(415) 555-0132");
  ASSERT_EQ(lastmod.at("state").as_string(), "done") << boost::json::serialize(lastmod);
  EXPECT_EQ(str(task_for("r-lastmod"), "WhoId"), record_id("Contact", "Reed"));
  EXPECT_EQ(lastmod.at("outcome").at("explanation").at("decided_by").as_string(), "last_modified");
  // The agent (maria.garcia@acme-demo.example) owns the Task: mapped by email through the CRM's users.
  EXPECT_EQ(str(task_for("r-lastmod"), "OwnerId"), record_id("User", "Garcia"));
  EXPECT_EQ(lastmod.at("outcome").at("explanation").at("owner").at("source").as_string(), "agent_email");

  auto created = log_call("t-created", "r-created", "(415) 555-0132");
  ASSERT_EQ(created.at("state").as_string(), "done");
  EXPECT_EQ(str(task_for("r-created"), "WhoId"), record_id("Contact", "Bennett"));

  auto alpha = log_call("t-alpha", "r-alpha", "(415) 555-0132");
  ASSERT_EQ(alpha.at("state").as_string(), "done");
  EXPECT_EQ(str(task_for("r-alpha"), "WhoId"), record_id("Contact", "Reed")); // "Marcus Reed" < "Olivia Bennett"
}

TEST_F(Matching, AContactAndLeadTieIsResolvedByTypePriority) {
  // Aisha Rahman (Contact) and Jordan Blake (Lead) share (650) 555-0112.
  ASSERT_EQ(log_call("t-contact", "r-contact", "+16505550112").at("state").as_string(), "done");
  EXPECT_EQ(str(task_for("r-contact"), "WhoId"), record_id("Contact", "Rahman"));
  ASSERT_EQ(log_call("t-lead", "r-lead", "+16505550112").at("state").as_string(), "done");
  EXPECT_EQ(str(task_for("r-lead"), "WhoId"), record_id("Lead", "Blake"));
}

TEST_F(Matching, NoMatchWithPlaceholdersOnCreatesALead) {
  auto job = log_call("t-auto", "p-on", "+1 (480) 555-0101");
  ASSERT_EQ(job.at("state").as_string(), "done") << boost::json::serialize(job);
  const std::string lead = record_id("Lead", "New Lead - +14805550101");
  ASSERT_FALSE(lead.empty());
  EXPECT_EQ(str(task_for("p-on"), "WhoId"), lead);
  EXPECT_EQ(job.at("outcome").at("explanation").at("decided_by").as_string(), "placeholder");
}

TEST_F(Matching, NoMatchWithPlaceholdersOffGoesToTheQueue) {
  auto job = log_call("t-queue", "p-off", "+1 (480) 555-0102");
  ASSERT_EQ(job.at("state").as_string(), "unresolved");
  EXPECT_EQ(job.at("reason").at("reason").as_string(), "no_match");
  EXPECT_TRUE(task_for("p-off").empty());
  EXPECT_EQ(count_records("Lead", "Phone", "+14805550102"), 0);
}

TEST_F(Matching, BlockedNumbersAndInternalCallsAreNotLogged) {
  auto blocked = log_call("t-queue", "blocked-1", "+1 303 555 0155");
  ASSERT_EQ(blocked.at("state").as_string(), "done");
  EXPECT_EQ(blocked.at("outcome").at("action").as_string(), "skipped");
  EXPECT_THAT(str(blocked.at("outcome"), "reason"), HasSubstr("blocked"));
  EXPECT_TRUE(task_for("blocked-1").empty());

  auto internal = call_event("internal-1", "s-internal-1", "+16175550171", "t-queue");
  internal.as_object()["direction"] = "internal";
  ASSERT_EQ(host_->post_event(internal).status, 202);
  auto settled = host_->wait_settled("internal-1", "t-queue").at("jobs").as_array().at(0);
  EXPECT_EQ(settled.at("outcome").at("action").as_string(), "skipped");
  EXPECT_TRUE(task_for("internal-1").empty());
}

TEST_F(Matching, ASwitchboardNumberIsNeverLinkedToAPerson) {
  auto job = log_call("t-queue", "switch-1", "212-555-0147"); // Sofia Alvarez's number, marked shared
  ASSERT_EQ(job.at("state").as_string(), "unresolved");
  EXPECT_EQ(job.at("reason").at("reason").as_string(), "shared_number");
  EXPECT_EQ(job.at("reason").at("candidates").as_array().size(), 1u);
}

TEST_F(Matching, TwoNearSimultaneousCallsFromOneUnknownNumberMakeOnePlaceholder) {
  // The CRM's search index hides new records (as Salesforce's does for minutes).
  sandbox_->configure({{"search_index_lag_s", 600}});
  ASSERT_EQ(host_->post_event(call_event("race-1", "s-race-1", "+1 480 555 0177", "t-auto")).status, 202);
  ASSERT_EQ(host_->post_event(call_event("race-2", "s-race-2", "+1 480 555 0177", "t-auto")).status, 202);
  auto a = host_->wait_settled("race-1", "t-auto").at("jobs").as_array().at(0);
  auto b = host_->wait_settled("race-2", "t-auto").at("jobs").as_array().at(0);
  sandbox_->configure({{"search_index_lag_s", 0}});
  ASSERT_EQ(a.at("state").as_string(), "done") << boost::json::serialize(a);
  ASSERT_EQ(b.at("state").as_string(), "done") << boost::json::serialize(b);
  EXPECT_EQ(count_records("Lead", "Phone", "+14805550177"), 1);
  EXPECT_EQ(str(task_for("race-1"), "WhoId"), str(task_for("race-2"), "WhoId"));
}

TEST_F(Matching, QueueItemsAreResolvedByCandidateByCreatingAContactOrSkipped) {
  // No rules in t-queue: the two contacts of (415) 555-0132 stay tied.
  for (const char* id : {"q-pick", "q-create", "q-skip"}) {
    auto job = log_call("t-queue", id, std::string(id) == "q-pick" ? "(415) 555-0132" : "+1 480 555 0190");
    ASSERT_EQ(job.at("state").as_string(), "unresolved");
  }
  auto list = host_->admin("GET", "/v1/admin/unresolved?tenant=t-queue&limit=1000");
  ASSERT_EQ(list.status, 200) << list.body;
  std::map<std::string, std::int64_t> item_of;
  const auto listed = list.json(); // keep the document alive while iterating over it
  for (const auto& i : listed.at("items").as_array()) item_of[str(i.at("event"), "id")] = i.at("id").as_int64();
  ASSERT_TRUE(item_of.count("q-pick") && item_of.count("q-create") && item_of.count("q-skip"));

  const std::string bennett = record_id("Contact", "Bennett");
  auto pick =
      host_->admin("POST", "/v1/admin/unresolved/" + std::to_string(item_of["q-pick"]) + "/resolve?tenant=t-queue",
                   boost::json::object{{"action", "pick"}, {"contact_id", bennett}, {"by", "rep-101"}});
  ASSERT_EQ(pick.status, 200) << pick.body;
  auto create = host_->admin("POST", "/v1/admin/unresolved/" + std::to_string(item_of["q-create"]) + "/resolve",
                             boost::json::object{{"tenant", "t-queue"},
                                                 {"action", "create"},
                                                 {"contact_type", "Contact"},
                                                 {"first_name", "Grace"},
                                                 {"last_name", "Hopper"}});
  ASSERT_EQ(create.status, 200) << create.body;
  auto skip = host_->admin("POST", "/v1/admin/unresolved/" + std::to_string(item_of["q-skip"]) + "/resolve",
                           boost::json::object{{"tenant", "t-queue"}, {"action", "skip"}});
  ASSERT_EQ(skip.status, 200) << skip.body;

  EXPECT_EQ(host_->wait_settled("q-pick", "t-queue").at("jobs").as_array().at(0).at("state").as_string(), "done");
  EXPECT_EQ(str(task_for("q-pick"), "WhoId"), bennett);
  EXPECT_EQ(host_->wait_settled("q-create", "t-queue").at("jobs").as_array().at(0).at("state").as_string(), "done");
  EXPECT_EQ(str(task_for("q-create"), "WhoId"), record_id("Contact", "Hopper"));
  auto skipped = host_->wait_settled("q-skip", "t-queue").at("jobs").as_array().at(0);
  EXPECT_EQ(skipped.at("outcome").at("action").as_string(), "skipped");
  EXPECT_TRUE(task_for("q-skip").empty());

  // A decided item cannot be decided again.
  auto again = host_->admin("POST", "/v1/admin/unresolved/" + std::to_string(item_of["q-skip"]) + "/resolve",
                            boost::json::object{{"tenant", "t-queue"}, {"action", "skip"}});
  EXPECT_EQ(again.status, 409);
}

TEST_F(Matching, FiftyItemsAreResolvedInOneRequest) {
  for (int i = 0; i < 50; ++i) {
    const std::string id = "batch-" + std::to_string(i);
    ASSERT_EQ(host_->post_event(call_event(id, "s-" + id, "(415) 555-0132", "t-queue")).status, 202);
  }
  std::vector<std::int64_t> ids;
  for (int i = 0; i < 50; ++i) {
    auto job = host_->wait_settled("batch-" + std::to_string(i), "t-queue").at("jobs").as_array().at(0);
    ASSERT_EQ(job.at("state").as_string(), "unresolved");
  }
  auto list = host_->admin("GET", "/v1/admin/unresolved?tenant=t-queue&phone=%2B14155550132&limit=1000");
  ASSERT_EQ(list.status, 200);
  const auto listed = list.json();
  for (const auto& i : listed.at("items").as_array())
    if (str(i.at("event"), "id").rfind("batch-", 0) == 0) ids.push_back(i.at("id").as_int64());
  ASSERT_EQ(ids.size(), 50u);
  boost::json::array id_list;
  for (auto id : ids) id_list.push_back(id);
  auto batch = host_->admin(
      "POST", "/v1/admin/unresolved/resolve",
      boost::json::object{
          {"tenant", "t-queue"}, {"ids", id_list}, {"action", "pick"}, {"contact_id", record_id("Contact", "Reed")}});
  ASSERT_EQ(batch.status, 200) << batch.body;
  EXPECT_EQ(batch.json().at("resolved").as_int64(), 50);
  for (int i = 0; i < 50; ++i) {
    const std::string id = "batch-" + std::to_string(i);
    EXPECT_EQ(host_->wait_settled(id, "t-queue").at("jobs").as_array().at(0).at("state").as_string(), "done");
    EXPECT_EQ(str(task_for(id), "WhoId"), record_id("Contact", "Reed"));
  }
}

TEST_F(Matching, ReRunningRulesAfterTheCrmChangedLogsTheCall) {
  auto job = log_call("t-queue", "rerun-1", "+1 480 555 0199");
  ASSERT_EQ(job.at("reason").at("reason").as_string(), "no_match");
  // An admin adds the number to a contact in the CRM, then re-runs the rules for the queue.
  const std::string id = sandbox_->seed_record("Contact", {{"LastName", "Lamarr"}, {"Phone", "480-555-0199"}});
  auto rerun =
      host_->admin("POST", "/v1/admin/unresolved/rerun", boost::json::object{{"tenant", "t-queue"}, {"all", true}});
  ASSERT_EQ(rerun.status, 200) << rerun.body;
  EXPECT_GE(rerun.json().at("requeued").as_int64(), 1);
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  while (task_for("rerun-1").empty() && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(100ms);
  EXPECT_EQ(str(task_for("rerun-1"), "WhoId"), id);
}

TEST_F(Matching, ABurstFromOneNumberCostsOneSearch) {
  sandbox_->clear_requests();
  for (int i = 0; i < 100; ++i) {
    const std::string id = "burst-" + std::to_string(i);
    ASSERT_EQ(host_->post_event(call_event(id, "s-" + id, "+1 (617) 555-0171", "t-lastmod")).status, 202);
  }
  for (int i = 0; i < 100; ++i)
    EXPECT_EQ(host_->wait_settled("burst-" + std::to_string(i), "t-lastmod")
                  .at("jobs")
                  .as_array()
                  .at(0)
                  .at("state")
                  .as_string(),
              "done");
  int searches = 0;
  for (const auto& r : sandbox_->requests()) {
    const std::string path = str(r, "path");
    if (path.find("/search") != std::string::npos ||
        (path.find("/query") != std::string::npos && str(r, "query").find("Contact") != std::string::npos))
      ++searches;
  }
  EXPECT_LE(searches, 1);
}

TEST_F(Matching, SimulationReportsWithoutWriting) {
  auto job = log_call("t-queue", "sim-1", "(415) 555-0132");
  ASSERT_EQ(job.at("state").as_string(), "unresolved");
  const auto tasks_before = sandbox_->records("Task").size();
  auto sim = host_->admin(
      "POST", "/v1/admin/rules/simulate",
      boost::json::object{{"tenant", "t-queue"},
                          {"events", boost::json::array{"sim-1"}},
                          {"matching", boost::json::object{{"rules", boost::json::array{"earliest_created"}}}}});
  ASSERT_EQ(sim.status, 200) << sim.body;
  const auto simulated = sim.json();
  const auto& result = simulated.at("results").as_array().at(0);
  EXPECT_EQ(result.at("outcome").as_string(), "matched");
  EXPECT_EQ(str(result.at("contact"), "id"), record_id("Contact", "Bennett"));
  EXPECT_EQ(result.at("decided_by").as_string(), "earliest_created");
  EXPECT_EQ(sandbox_->records("Task").size(), tasks_before);
  auto unchanged = host_->admin("POST", "/v1/admin/rules/simulate",
                                boost::json::object{{"tenant", "t-queue"}, {"events", boost::json::array{"sim-1"}}});
  EXPECT_EQ(unchanged.json().at("results").as_array().at(0).at("outcome").as_string(), "queued");
}

TEST_F(Matching, TheCliSimulatesARuleSetAgainstARunningHost) {
  auto job = log_call("t-queue", "sim-cli-1", "(415) 555-0132");
  ASSERT_EQ(job.at("state").as_string(), "unresolved");
  TempDir dir("appconnect-cli");
  std::ofstream(dir.file("rules.json")) << R"({"rules": ["last_modified"]})";
  ChildProcess cli;
  cli.start(bin_path("appconnect"),
            {"rules", "simulate", "--url", host_->base_url(), "--token", host_->admin_token(), "--tenant", "t-queue",
             "--events", "sim-cli-1", "--matching", dir.file("rules.json").string()},
            {}, dir.file("cli.log").string());
  ASSERT_EQ(cli.wait(std::chrono::seconds(30)), 0) << cli.describe();
  std::string out;
  for (const auto& line : cli.stdout_lines()) out += line + "\n";
  EXPECT_THAT(out, HasSubstr("sim-cli-1  matched Marcus Reed"));
  EXPECT_THAT(out, HasSubstr("by last_modified"));
  EXPECT_THAT(out, HasSubstr("summary: matched=1"));

  ChildProcess refused;
  refused.start(bin_path("appconnect"),
                {"rules", "simulate", "--url", host_->base_url(), "--token", "wrong", "--events", "sim-cli-1"}, {},
                dir.file("refused.log").string());
  EXPECT_EQ(refused.wait(std::chrono::seconds(30)), 1);
  EXPECT_THAT(refused.stderr_text(), HasSubstr("401"));
}

TEST_F(Matching, TheAdminApiNeedsTheToken) {
  auto r = http("GET", host_->base_url() + "/v1/admin/unresolved");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.json().at("error").at("code").as_string(), "unauthorized");
}

// Every decision lands in the audit trail with the event it was about and why.
TEST_F(Matching, EveryDecisionIsInTheAuditTrail) {
  log_call("t-lastmod", "audit-logged", "(415) 555-0132");
  log_call("t-auto", "audit-placeholder", "+1 (480) 555-0177");
  log_call("t-queue", "audit-queued", "+1 (480) 555-0178");
  std::map<std::string, boost::json::object> by_subject;
  std::int64_t after = 0;
  for (;;) {
    auto page = host_->admin("GET", "/v1/admin/audit?limit=1000&after=" + std::to_string(after));
    ASSERT_EQ(page.status, 200) << page.body;
    const auto doc = page.json();
    for (const auto& e : doc.at("entries").as_array()) by_subject[str(e, "subject")] = e.as_object();
    if (doc.at("next_after").is_null()) break;
    after = doc.at("next_after").as_int64();
  }
  ASSERT_TRUE(by_subject.count("audit-logged"));
  EXPECT_EQ(str(by_subject["audit-logged"], "action"), "decision.created");
  EXPECT_EQ(str(by_subject["audit-logged"], "tenant"), "t-lastmod");
  EXPECT_EQ(by_subject["audit-logged"].at("detail").at("explanation").at("decided_by"), "last_modified");
  ASSERT_TRUE(by_subject.count("audit-placeholder"));
  EXPECT_EQ(str(by_subject["audit-placeholder"], "action"), "decision.placeholder_created");
  ASSERT_TRUE(by_subject.count("audit-queued"));
  EXPECT_EQ(str(by_subject["audit-queued"], "action"), "decision.queued");
  EXPECT_EQ(by_subject["audit-queued"].at("detail").at("explanation").at("reason"), "no_match");
  auto verify = host_->admin("POST", "/v1/admin/audit/verify");
  ASSERT_EQ(verify.status, 200) << verify.body;
  EXPECT_EQ(verify.json().at("intact"), true) << verify.body;
}

} // namespace
} // namespace appconnect::testing
