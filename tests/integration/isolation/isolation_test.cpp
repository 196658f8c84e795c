// A host running an untrusted plugin out of process (plugin_isolation): the misbehaving fixture crashes
// or hangs on the first attempt of a call log; the host keeps answering /healthz, the job is retried and
// logged, the lost worker is logged and counted in /metrics, and the plugin's own log lines reach the
// host's log through the worker. (The same plugin in process would take the host down with it: that is
// documented in docs/plugin-guide/isolation.md, not tested.)
#include "support/testing.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <regex>
#include <thread>

namespace appconnect::testing {
namespace {
using namespace std::chrono_literals;

boost::json::object connection(const std::string& id, const std::string& mode, const TempDir& markers) {
  return boost::json::object{{"id", id},
                             {"tenant", "default"},
                             {"connector", "misbehaving"},
                             {"settings", {{"misbehave", mode}, {"marker_dir", markers.str()}}},
                             {"credentials", boost::json::object{}}};
}

boost::json::object host_config(const TempDir& markers) {
  return boost::json::object{
      {"workers", 2},
      {"plugin_dirs", boost::json::array{std::string(APPCONNECT_FIXTURE_PLUGIN_DIR) + "/misbehaving"}},
      {"plugin_isolation",
       {{"plugins", {"misbehaving"}},
        {"invoke_timeout_ms", 1500},
        {"workers_per_plugin", 2},
        {"memory_limit_mb", 512}}},
      {"jobs", {{"lease_ms", 10000}, {"retry_base_delay_ms", 100}, {"retry_max_delay_ms", 500}, {"max_attempts", 6}}},
      {"tenants", boost::json::array{boost::json::object{{"id", "default"}, {"name", "Isolation"}}}},
      {"connections", boost::json::array{connection("mb", "crash_once", markers)}}};
}

// The value of one sample line of /metrics ("name{labels} value"), or -1 when absent.
double metric(const std::string& text, const std::string& series) {
  const auto at = text.find(series + " ");
  if (at == std::string::npos) return -1;
  return std::stod(text.substr(at + series.size() + 1));
}

// Polls /healthz on a thread for as long as it lives, counting answers other than 200.
class HealthWatch {
 public:
  explicit HealthWatch(std::string url)
      : thread_([this, url = std::move(url)] {
          while (!stop_) {
            if (http("GET", url + "/healthz").status != 200) ++failures_;
            ++polls_;
            std::this_thread::sleep_for(20ms);
          }
        }) {}
  ~HealthWatch() {
    stop_ = true;
    thread_.join();
  }
  int failures() const { return failures_; }
  int polls() const { return polls_; }

 private:
  std::atomic<bool> stop_{false};
  std::atomic<int> failures_{0}, polls_{0};
  std::thread thread_;
};

TEST(Isolation, HostSurvivesACrashingPluginAndTheRetriedCallIsLogged) {
  TempDir markers("appconnect-markers");
  HostProcess host(host_config(markers));
  {
    HealthWatch health(host.base_url());
    auto r = host.post_event(call_event("crash-1", "crash-session-1", "+1 (617) 555-0171"));
    ASSERT_EQ(r.status, 202) << r.body;
    auto settled = host.wait_settled("crash-1", "default", 30s);
    const auto& job = settled.at("jobs").at(0);
    EXPECT_EQ(str(job, "state"), "done") << boost::json::serialize(settled);
    EXPECT_GE(job.at("attempts").to_number<int>(), 2) << boost::json::serialize(settled);
    EXPECT_EQ(health.failures(), 0) << "of " << health.polls() << " polls";
    EXPECT_GT(health.polls(), 0);
  }
  EXPECT_TRUE(host.process().running());
  // The marker proves the first attempt really reached the crash.
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(markers.path()), {}), 1);

  const std::string metrics = http("GET", host.base_url() + "/metrics").body;
  EXPECT_EQ(metric(metrics, R"(appconnect_plugin_worker_failures_total{plugin="misbehaving",reason="crash"})"), 1)
      << metrics;
  EXPECT_EQ(metric(metrics, R"(appconnect_plugin_worker_restarts_total{plugin="misbehaving"})"), 1) << metrics;

  const std::string log = host.process().stderr_text();
  EXPECT_NE(log.find("plugin worker lost during a call"), std::string::npos) << log;
  EXPECT_NE(log.find("SIGSEGV"), std::string::npos) << log;
  EXPECT_NE(log.find("plugin worker restarted"), std::string::npos) << log;
  // The plugin's own line, written by the host in its format with the plugin and connection attached.
  EXPECT_TRUE(
      std::regex_search(
          log, std::regex(R"(\{[^\n]*"component":"plugin:misbehaving"[^\n]*"misbehaving find_contacts"[^\n]*\})")) ||
      std::regex_search(
          log, std::regex(R"(\{[^\n]*"misbehaving find_contacts"[^\n]*"component":"plugin:misbehaving"[^\n]*\})")))
      << log;
}

TEST(Isolation, AHungCallIsKilledAfterTheTimeoutAndRetried) {
  TempDir markers("appconnect-markers");
  auto config = host_config(markers);
  config["connections"] = boost::json::array{connection("hang", "hang_once", markers)};
  HostProcess host(config);
  const auto started = std::chrono::steady_clock::now();
  auto r = host.post_event(call_event("hang-1", "hang-session-1", "+1 (617) 555-0171"));
  ASSERT_EQ(r.status, 202) << r.body;
  // While the first attempt hangs, the host answers.
  std::this_thread::sleep_for(500ms);
  EXPECT_EQ(http("GET", host.base_url() + "/healthz").status, 200);
  auto settled = host.wait_settled("hang-1", "default", 30s);
  EXPECT_EQ(str(settled.at("jobs").at(0), "state"), "done") << boost::json::serialize(settled);
  EXPECT_GE(std::chrono::steady_clock::now() - started, 1500ms);
  const std::string metrics = http("GET", host.base_url() + "/metrics").body;
  EXPECT_EQ(metric(metrics, R"(appconnect_plugin_worker_failures_total{plugin="misbehaving",reason="timeout"})"), 1)
      << metrics;
  EXPECT_TRUE(host.process().running());
}

} // namespace
} // namespace appconnect::testing
