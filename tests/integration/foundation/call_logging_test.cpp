// Foundation end to end, over loopback, with real processes: the Salesforce sandbox and
// `appconnect serve` with the bundled Salesforce plugin. An inbound call posted to the host must become
// a Task on the right Contact in the sandbox, with the right fields; the host's HTTP errors are JSON.
#include "support/testing.hpp"

#include <appconnect/time.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <thread>

namespace appconnect::testing {
namespace {
using ::testing::HasSubstr;
using namespace std::chrono_literals;

class CallLogging : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    sandbox_ = new SandboxProcess(SandboxOptions{});
    host_ = new HostProcess(boost::json::object{
        {"tenants", boost::json::array{boost::json::object{{"id", "default"}, {"name", "Test"}}}},
        {"connections", boost::json::array{salesforce_connection("sf", "default", sandbox_->base_url())}}});
    host_url_ = new std::string(host_->base_url());
  }

  static void TearDownTestSuite() {
    delete host_url_;
    delete host_;
    delete sandbox_;
  }

  static boost::json::value with(const std::string& id, const std::string& session, const std::string& phone) {
    return call_event(id, session, phone);
  }

  static HttpResult post_event(const boost::json::value& doc) { return host_->post_event(doc); }

  static boost::json::value wait_settled(const std::string& id) { return host_->wait_settled(id); }

  static boost::json::array tasks_with_call_object(const std::string& call_object) {
    boost::json::array out;
    for (const auto& t : sandbox_->records("Task"))
      if (str(t, "CallObject") == call_object) out.push_back(t);
    return out;
  }

  static std::string contact_id(const std::string& last_name) {
    for (const auto& c : sandbox_->records("Contact"))
      if (str(c, "LastName") == last_name) return str(c, "Id");
    return {};
  }

  static SandboxProcess* sandbox_;
  static HostProcess* host_;
  static std::string* host_url_;
};

SandboxProcess* CallLogging::sandbox_ = nullptr;
HostProcess* CallLogging::host_ = nullptr;
std::string* CallLogging::host_url_ = nullptr;

TEST_F(CallLogging, AnInboundCallBecomesATaskOnTheMatchingContact) {
  auto accepted = post_event(with("evt-in-1", "s-in-1", "+1 (617) 555-0171"));
  ASSERT_EQ(accepted.status, 202) << accepted.body;
  EXPECT_EQ(str(accepted.json(), "status"), "accepted");
  auto settled = wait_settled("evt-in-1");
  const auto& job = settled.at("jobs").as_array().at(0);
  ASSERT_EQ(job.at("state").as_string(), "done") << boost::json::serialize(settled);
  const std::string task_id = str(job.at("outcome").at("record"), "id");
  EXPECT_EQ(task_id.substr(0, 3), "00T");

  auto tasks = tasks_with_call_object("call:s-in-1:101");
  ASSERT_EQ(tasks.size(), 1u);
  const auto& task = tasks[0];
  EXPECT_EQ(str(task, "Id"), task_id);
  EXPECT_EQ(str(task, "WhoId"), contact_id("Fischer"));
  EXPECT_EQ(str(task, "TaskSubtype"), "Call");
  EXPECT_EQ(str(task, "CallType"), "Inbound");
  EXPECT_EQ(task.at("CallDurationInSeconds").to_number<int>(), 95);
  EXPECT_EQ(str(task, "CallDisposition"), "Answered");
  EXPECT_EQ(str(task, "ActivityDate"), "2026-11-25");
  EXPECT_EQ(str(task, "Status"), "Completed");
  EXPECT_EQ(str(task, "Subject"), "Inbound call from +16175550171");
  const std::string description = str(task, "Description");
  EXPECT_THAT(description, HasSubstr("Start: 2026-11-25 09:30 (UTC)"));
  EXPECT_THAT(description, HasSubstr("Duration: 1m 35s"));
  EXPECT_THAT(description, HasSubstr("Recording: https://rec.example/1.mp3"));
  EXPECT_THAT(description, HasSubstr("Asked about the renewal."));

  // The Task is visible through the CRM's own REST API too.
  const std::string token = sandbox_->access_token();
  auto read = sandbox_->request("GET", "/services/data/v62.0/sobjects/Task/" + task_id, {},
                                {{"Authorization", "Bearer " + token}});
  ASSERT_EQ(read.status, 200) << read.body;
  EXPECT_EQ(str(read.json(), "CallObject"), "call:s-in-1:101");
}

TEST_F(CallLogging, ARepeatedEventIsStoredOnceAndLoggedOnce) {
  auto first = post_event(with("evt-dup-1", "s-dup-1", "212-555-0147"));
  ASSERT_EQ(first.status, 202) << first.body;
  wait_settled("evt-dup-1");
  auto again = post_event(with("evt-dup-1", "s-dup-1", "212-555-0147"));
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(str(again.json(), "status"), "duplicate");
  EXPECT_EQ(again.json().at("seq"), first.json().at("seq"));
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(tasks_with_call_object("call:s-dup-1:101").size(), 1u);
}

TEST_F(CallLogging, ASecondEventOfTheSameCallUpdatesTheSameTask) {
  ASSERT_EQ(post_event(with("evt-upd-1", "s-upd-1", "+44 20 7946 0958")).status, 202);
  wait_settled("evt-upd-1");
  auto later = with("evt-upd-2", "s-upd-1", "+44 20 7946 0958");
  later.as_object()["call"].as_object()["duration_s"] = 120;
  ASSERT_EQ(post_event(later).status, 202);
  auto settled = wait_settled("evt-upd-2");
  EXPECT_EQ(settled.at("jobs").as_array().at(0).at("outcome").at("action").as_string(), "updated");
  auto tasks = tasks_with_call_object("call:s-upd-1:101");
  ASSERT_EQ(tasks.size(), 1u);
  EXPECT_EQ(tasks[0].at("CallDurationInSeconds").to_number<int>(), 120);
  EXPECT_EQ(str(tasks[0], "WhoId"), contact_id("Schmidt"));
}

TEST_F(CallLogging, TwoMatchingContactsAreDecidedByTheDefaultRules) {
  // Olivia Bennett and Marcus Reed share the number; by default the most recently modified wins.
  ASSERT_EQ(post_event(with("evt-two-1", "s-two-1", "(415) 555-0132")).status, 202);
  auto settled = wait_settled("evt-two-1");
  const auto& job = settled.at("jobs").as_array().at(0);
  ASSERT_EQ(job.at("state").as_string(), "done") << boost::json::serialize(settled);
  const auto& explanation = job.at("outcome").at("explanation");
  EXPECT_EQ(explanation.at("decided_by").as_string(), "last_modified");
  EXPECT_EQ(explanation.at("candidates").as_int64(), 2);
  auto tasks = tasks_with_call_object("call:s-two-1:101");
  ASSERT_EQ(tasks.size(), 1u);
  EXPECT_EQ(str(tasks[0], "WhoId"), contact_id("Reed"));
}

TEST_F(CallLogging, AnExpiredTokenIsRefreshedOnceAndTheCallIsLogged) {
  ASSERT_EQ(post_event(with("evt-tok-1", "s-tok-1", "+1 (617) 555-0171")).status, 202);
  wait_settled("evt-tok-1");
  sandbox_->expire_tokens();
  sandbox_->clear_requests();
  ASSERT_EQ(post_event(with("evt-tok-2", "s-tok-2", "+1 (617) 555-0171")).status, 202);
  auto settled = wait_settled("evt-tok-2");
  EXPECT_EQ(settled.at("jobs").as_array().at(0).at("state").as_string(), "done") << boost::json::serialize(settled);
  int token_requests = 0;
  for (const auto& r : sandbox_->requests())
    if (str(r, "path") == "/services/oauth2/token") ++token_requests;
  EXPECT_EQ(token_requests, 1);
  EXPECT_EQ(tasks_with_call_object("call:s-tok-2:101").size(), 1u);
}

TEST_F(CallLogging, BadInputGetsAJsonErrorAndNothingIsStored) {
  auto not_json = http("POST", *host_url_ + "/v1/events", "{oops");
  EXPECT_EQ(not_json.status, 400);
  EXPECT_EQ(not_json.json().at("error").at("code").as_string(), "invalid_json");
  auto invalid = post_event(boost::json::parse(R"({"id":"evt-bad","kind":"call","direction":"inbound"})"));
  EXPECT_EQ(invalid.status, 422);
  EXPECT_THAT(std::string(invalid.json().at("error").at("message").as_string()), HasSubstr("start_time"));
  EXPECT_EQ(http("GET", *host_url_ + "/v1/events/evt-bad").status, 404);
  auto unknown = http("GET", *host_url_ + "/v1/nothing-here");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(unknown.json().at("error").at("code").as_string(), "not_found");
  auto wrong_method = http("DELETE", *host_url_ + "/v1/events");
  EXPECT_EQ(wrong_method.status, 405);
  auto too_big = http("POST", *host_url_ + "/v1/events", std::string(2 << 20, 'x'));
  EXPECT_EQ(too_big.status, 413);
  EXPECT_EQ(too_big.json().at("error").at("code").as_string(), "payload_too_large");
  auto health = http("GET", *host_url_ + "/healthz");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(health.json().at("status").as_string(), "ok");
  EXPECT_TRUE(host_->process().running());
}

} // namespace
} // namespace appconnect::testing
