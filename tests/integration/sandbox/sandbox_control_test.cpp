// The sandbox's own surface: control API (/__sandbox/...) and command line behaviour.
#include "salesforce_fixture.hpp"

#include "support/child_process.hpp"
#include "support/paths.hpp"
#include "support/temp_dir.hpp"

#include <atomic>
#include <fstream>
#include <thread>

namespace appconnect::testing {
namespace {

class SandboxControl : public SalesforceSandboxTest {};

TEST_F(SandboxControl, HealthReportsCrmAndBaseUrl) {
  auto h = sandbox().get_json("/__sandbox/health");
  EXPECT_EQ(h.at("status"), "ok");
  EXPECT_EQ(h.at("crm"), "salesforce");
  EXPECT_EQ(h.at("base_url").as_string(), sandbox().base_url());
}

TEST_F(SandboxControl, RecordsListsSeededDataAndAcceptsDirectSeeding) {
  EXPECT_EQ(sandbox().records("Contact").size(), 10u);
  EXPECT_EQ(sandbox().records("lead").size(), 8u); // object names are case-insensitive
  EXPECT_EQ(sandbox().records("User").size(), 3u);
  const std::string id = sandbox().seed_record(
      "Contact", {{"FirstName", "Seeded"}, {"LastName", "Directly"}, {"Phone", "(303) 555-0177"}});
  EXPECT_EQ(id.substr(0, 3), "003");
  EXPECT_EQ(sandbox().records("Contact").size(), 11u);
  auto r = api("GET", "/sobjects/Contact/" + id);
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.json().at("Name"), "Seeded Directly");
  // Directly seeded records count as already indexed.
  sandbox().configure({{"search_index_lag_s", 60}});
  EXPECT_EQ(
      sosl("FIND {3035550177} IN PHONE FIELDS RETURNING Contact(Id)").json().at("searchRecords").as_array().size(), 1u);
  auto bad = sandbox().request("POST", "/__sandbox/records/Contact", R"({"Shoe":"x"})");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(sandbox().request("POST", "/__sandbox/records/Widget", "{}").status, 404);
}

TEST_F(SandboxControl, ResetRestoresTheSeedAndDefaultKnobs) {
  create("Contact", {{"LastName", "Temporary"}});
  sandbox().configure({{"latency_ms", 5}, {"daily_api_limit", 10}});
  sandbox().reset();
  EXPECT_EQ(sandbox().records("Contact").size(), 10u);
  auto knobs = sandbox().get_json("/__sandbox/config");
  EXPECT_EQ(knobs.at("latency_ms"), 0);
  EXPECT_EQ(knobs.at("daily_api_limit"), 5000000);
  // Ids restart, so seeded ids are stable across resets.
  const auto first = sandbox().records("User")[0].at("Id");
  sandbox().reset();
  EXPECT_EQ(sandbox().records("User")[0].at("Id"), first);
}

TEST_F(SandboxControl, UnknownControlEndpointsAre404) {
  EXPECT_EQ(sandbox().request("GET", "/__sandbox/nope").status, 404);
  EXPECT_EQ(sandbox().request("DELETE", "/__sandbox/health").status, 405);
}

TEST_F(SandboxControl, ServesConcurrentClients) {
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 25; ++i)
        if (sosl("FIND {4155550132} IN PHONE FIELDS RETURNING Contact(Id), Lead(Id)").status == 200) ++ok;
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 200);
  EXPECT_EQ(sandbox().get_json("/__sandbox/health").at("api_usage"), 200);
}

TEST(SandboxCli, WritesPortFileAndExitsCleanlyOnSigterm) {
  TempDir dir("sandbox-cli");
  ChildProcess p;
  p.start(bin_path("appconnect-crm-sandbox"),
          {"--crm", "salesforce", "--listen", "127.0.0.1:0", "--port-file", dir.file("port").string()}, {},
          dir.file("stderr.log").string());
  auto line = p.wait_for_line("listening on http://127.0.0.1:", std::chrono::seconds(15));
  ASSERT_TRUE(line) << p.describe();
  std::ifstream port_file(dir.file("port"));
  int port = 0;
  port_file >> port;
  EXPECT_EQ(*line, "listening on http://127.0.0.1:" + std::to_string(port));
  EXPECT_EQ(p.stdout_lines().size(), 1u);
  EXPECT_EQ(http("GET", "http://127.0.0.1:" + std::to_string(port) + "/__sandbox/health").status, 200);
  EXPECT_EQ(p.stop(std::chrono::seconds(5)), 0) << p.describe();
}

TEST(SandboxCli, RejectsUnknownCrmAndBadSeed) {
  TempDir dir("sandbox-cli");
  {
    ChildProcess p;
    p.start(bin_path("appconnect-crm-sandbox"), {"--crm", "dynamics"}, {}, dir.file("a.log").string());
    EXPECT_EQ(p.wait(std::chrono::seconds(10)), 1);
    EXPECT_NE(p.stderr_text().find("unknown CRM 'dynamics'"), std::string::npos) << p.describe();
  }
  {
    std::ofstream(dir.file("bad.json")) << R"({"records":{"Contact":[{"Shoe":"x"}]}})";
    ChildProcess p;
    p.start(bin_path("appconnect-crm-sandbox"), {"--crm", "salesforce", "--seed", dir.file("bad.json").string()}, {},
            dir.file("b.log").string());
    EXPECT_EQ(p.wait(std::chrono::seconds(10)), 1);
    EXPECT_NE(p.stderr_text().find("no field 'Shoe' on Contact"), std::string::npos) << p.describe();
  }
  {
    ChildProcess p; // no stderr path: the process keeps its own log file
    p.start(bin_path("appconnect-crm-sandbox"), {"--listen", "127.0.0.1:0"});
    EXPECT_EQ(p.wait(std::chrono::seconds(10)), 2);
    EXPECT_NE(p.stderr_text().find("--crm is required"), std::string::npos) << p.describe();
  }
}

} // namespace
} // namespace appconnect::testing
