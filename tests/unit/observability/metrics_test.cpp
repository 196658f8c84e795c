#include "observability/metrics.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace appconnect::observability {
namespace {
using ::testing::HasSubstr;
using ::testing::Not;

TEST(Exposition, EscapesLabelValuesAndHelpText) {
  Exposition out;
  out.family("x_total", "counter", "a\\b\nc");
  out.sample("x_total", {{"name", "say \"hi\"\\\n"}}, 3);
  out.sample("y", {}, 0.25);
  EXPECT_EQ(out.text(),
            "# HELP x_total a\\\\b\\nc\n# TYPE x_total counter\n"
            "x_total{name=\"say \\\"hi\\\"\\\\\\n\"} 3\ny 0.25\n");
}

TEST(Metrics, CountersAndHistogramsRender) {
  Metrics m;
  m.event_received("acme", "call");
  m.event_received("acme", "call");
  m.event_received("acme", "sms");
  m.job_finished(JobOutcome::kLogged);
  m.job_finished(JobOutcome::kQueued);
  m.job_finished(JobOutcome::kQueued);
  m.crm_request("salesforce", "find_contacts", "sf-1", 0.003);
  m.crm_request("salesforce", "find_contacts", "sf-1", 0.2);
  m.crm_request("salesforce", "find_contacts", "sf-1", 99);
  m.retry("sf-1");         // connector learned from the call above
  m.retry("never-called"); // unknown connection
  m.rate_limit_wait("sf-1");
  Exposition out;
  m.render(out);
  const std::string& t = out.text();
  EXPECT_THAT(t, HasSubstr("appconnect_events_received_total{tenant=\"acme\",kind=\"call\"} 2\n"));
  EXPECT_THAT(t, HasSubstr("appconnect_events_received_total{tenant=\"acme\",kind=\"sms\"} 1\n"));
  EXPECT_THAT(t, HasSubstr("appconnect_jobs_total{outcome=\"logged\"} 1\n"));
  EXPECT_THAT(t, HasSubstr("appconnect_jobs_total{outcome=\"queued\"} 2\n"));
  EXPECT_THAT(t, HasSubstr("appconnect_jobs_total{outcome=\"placeholder\"} 0\n"));
  EXPECT_THAT(t, HasSubstr("appconnect_retries_total{connector=\"salesforce\"} 1\n"));
  EXPECT_THAT(t, HasSubstr("appconnect_retries_total{connector=\"unknown\"} 1\n"));
  EXPECT_THAT(t, HasSubstr("appconnect_rate_limit_waits_total{connection=\"sf-1\"} 1\n"));
  const std::string labels = "connector=\"salesforce\",operation=\"find_contacts\"";
  EXPECT_THAT(t, HasSubstr("appconnect_crm_request_seconds_bucket{" + labels + ",le=\"0.005\"} 1\n"));
  EXPECT_THAT(t, HasSubstr("appconnect_crm_request_seconds_bucket{" + labels + ",le=\"0.25\"} 2\n"));
  EXPECT_THAT(t, HasSubstr("appconnect_crm_request_seconds_bucket{" + labels + ",le=\"30\"} 2\n"));
  EXPECT_THAT(t, HasSubstr("appconnect_crm_request_seconds_bucket{" + labels + ",le=\"+Inf\"} 3\n"));
  EXPECT_THAT(t, HasSubstr("appconnect_crm_request_seconds_count{" + labels + "} 3\n"));
  EXPECT_THAT(t, HasSubstr("appconnect_crm_request_seconds_sum{" + labels + "} 99.203\n"));
  EXPECT_THAT(t, HasSubstr("# TYPE process_resident_memory_bytes gauge\n"));
  m.reset();
  Exposition after;
  m.render(after);
  EXPECT_THAT(after.text(), Not(HasSubstr("tenant=\"acme\"")));
}

TEST(Metrics, IsolatedPluginWorkerFailuresAndRestartsRender) {
  Metrics m;
  m.plugin_worker_failure("acme", "crash");
  m.plugin_worker_failure("acme", "crash");
  m.plugin_worker_failure("acme", "timeout");
  m.plugin_worker_restart("acme");
  Exposition out;
  m.render(out);
  const std::string& t = out.text();
  EXPECT_THAT(t, HasSubstr("# TYPE appconnect_plugin_worker_failures_total counter\n"));
  EXPECT_THAT(t, HasSubstr("appconnect_plugin_worker_failures_total{plugin=\"acme\",reason=\"crash\"} 2\n"));
  EXPECT_THAT(t, HasSubstr("appconnect_plugin_worker_failures_total{plugin=\"acme\",reason=\"timeout\"} 1\n"));
  EXPECT_THAT(t, HasSubstr("appconnect_plugin_worker_restarts_total{plugin=\"acme\"} 1\n"));
  m.reset();
  Exposition after;
  m.render(after);
  EXPECT_THAT(after.text(), Not(HasSubstr("plugin=\"acme\"")));
}

TEST(Metrics, ConcurrentCountsAreNotLostAndSeriesAreCapped) {
  Metrics m;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&m] {
      for (int i = 0; i < 10000; ++i) m.event_received("t", "call");
    });
  for (auto& t : threads) t.join();
  for (std::size_t i = 0; i < kMaxSeries + 50; ++i) m.event_received("tenant-" + std::to_string(i), "call");
  Exposition out;
  m.render(out);
  EXPECT_THAT(out.text(), HasSubstr("appconnect_events_received_total{tenant=\"t\",kind=\"call\"} 40000\n"));
  EXPECT_THAT(out.text(), HasSubstr("appconnect_events_received_total{tenant=\"other\",kind=\"other\"} 51\n"));
}

} // namespace
} // namespace appconnect::observability
