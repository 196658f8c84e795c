// Plugins run out of process (isolated_plugin.hpp): the worker applies the loader's checks and answers
// the same JSON as the plugin in process; its HTTP goes through this process's HostServices (hook and
// call scope); a crash, a hang or a memory hog costs the call in flight (a retryable error) and one
// worker restart; repeated failures back off instead of spinning.
#include "plugins/isolated_plugin.hpp"
#include "plugins/plugin_registry.hpp"
#include "support/temp_dir.hpp"
#include "unit/plugins/plugin_test_util.hpp"

#include <boost/json.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <thread>
#include <vector>

namespace appconnect::plugins {
namespace {

using test::fixture;
using test::make_services;
using ::testing::HasSubstr;
using SteadyClock = std::chrono::steady_clock;

IsolationSettings settings(std::int64_t timeout_ms = 10000) {
  IsolationSettings s;
  s.worker_executable = std::filesystem::path(APPCONNECT_BIN_DIR) / "appconnect-plugin-worker";
  s.invoke_timeout_ms = timeout_ms;
  s.workers = 1;
  s.memory_limit_mb = 512;
  s.restart_backoff_ms = 300;
  return s;
}

boost::json::value call_log(const std::string& external_id) {
  return boost::json::object{{"log",
                              {{"external_id", external_id},
                               {"contact_id", "contact-1"},
                               {"direction", "inbound"},
                               {"subject", "Call"},
                               {"body", "x"}}}};
}

class Isolated : public ::testing::Test {
 protected:
  std::unique_ptr<IsolatedPlugin> start(const std::string& scenario, const std::string& file,
                                        IsolationSettings s = settings()) {
    auto started = IsolatedPlugin::start(fixture(scenario, file), std::move(s), services_);
    EXPECT_TRUE(started.ok()) << started.error().message;
    return started.ok() ? std::move(started.value()) : nullptr;
  }

  boost::json::object misbehaving_context(const std::string& mode) const {
    return boost::json::object{{"settings", {{"misbehave", mode}, {"marker_dir", markers_.str()}}}};
  }

  std::shared_ptr<HostServices> services_ = make_services();
  CallScope scope_{"misbehaving", "conn-1", "tenant-1", 0};
  testing::TempDir markers_;
};

TEST_F(Isolated, AnswersTheSameDocumentsAsTheInProcessPlugin) {
  PluginRegistry in_process(services_);
  in_process.load_file(fixture("good", "echo.so"));
  const LoadedPlugin* local = in_process.find("echo");
  ASSERT_NE(local, nullptr);
  PluginRegistry isolated(services_);
  isolated.set_isolation({"echo"}, settings());
  isolated.load_file(fixture("good", "echo.so"));
  const LoadedPlugin* remote = isolated.find("echo");
  ASSERT_NE(remote, nullptr) << (isolated.refusals().empty() ? "" : isolated.refusals().front().reason);
  ASSERT_NE(remote->isolated(), nullptr);
  EXPECT_EQ(local->isolated(), nullptr);
  EXPECT_EQ(remote->manifest().raw, local->manifest().raw);

  const CallScope scope{"echo", "conn-42", "tenant-7", 0};
  const std::vector<std::pair<std::string, boost::json::value>> calls = {
      {"find_contacts", boost::json::object{{"phone_e164", "+14155550132"}, {"types", {"Lead"}}}},
      {"create_call_log", call_log("ok-1")},
      {"create_call_log", call_log("invalid-2")}, // the plugin's validation error
      {"list_users", boost::json::object{}},      // the plugin throws: internal error
      {"describe_the_moon", boost::json::object{}}};
  for (const auto& [op, request] : calls) {
    auto a = local->invoke(op, request, {}, scope);
    auto b = remote->invoke(op, request, {}, scope);
    ASSERT_EQ(a.ok(), b.ok()) << op;
    if (a.ok()) {
      EXPECT_EQ(a.value(), b.value()) << op;
    } else {
      EXPECT_EQ(a.error().code, b.error().code) << op;
      EXPECT_EQ(a.error().message, b.error().message) << op;
      EXPECT_EQ(a.error().retryable, b.error().retryable) << op;
    }
  }
}

TEST_F(Isolated, PluginHttpGoesThroughTheHostsHookWithTheCallsScope) {
  std::vector<std::string> seen;
  services_->set_http_hook([&seen](const CallScope& scope, const sdk::HttpRequest& request, const HttpNext&) {
    seen.push_back(scope.connection_id + " " + request.method + " " + request.url);
    sdk::HttpResponse response;
    response.status = 201;
    response.body = R"({"id":"crm-77"})";
    return Result<sdk::HttpResponse>(response);
  });
  auto echo = start("good", "echo.so");
  ASSERT_NE(echo, nullptr);
  const boost::json::object context{{"settings", {{"base_url", "http://127.0.0.1:9/api"}}},
                                    {"credentials", {{"access_token", "secret"}}}};
  auto r = echo->invoke("create_contact",
                        boost::json::object{{"first_name", "Ada"}, {"last_name", "Lovelace"}, {"phone", "+1415"}},
                        context, CallScope{"echo", "conn-9", "t", 0});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r.value().at("id"), "crm-77");
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen.front(), "conn-9 POST http://127.0.0.1:9/api/contacts");
}

TEST_F(Isolated, ARefusedPluginIsRefusedWithTheLoadersOwnReason) {
  PluginRegistry in_process(services_);
  in_process.load_file(fixture("broken", "abi_major.so"));
  PluginRegistry isolated(services_);
  isolated.set_isolation({"*"}, settings());
  isolated.load_file(fixture("broken", "abi_major.so"));
  EXPECT_TRUE(isolated.plugins().empty());
  ASSERT_EQ(isolated.refusals().size(), 1u);
  ASSERT_EQ(in_process.refusals().size(), 1u);
  EXPECT_EQ(isolated.refusals().front().reason, in_process.refusals().front().reason);
  EXPECT_THAT(isolated.refusals().front().reason, HasSubstr("major"));
}

TEST_F(Isolated, AListedPluginThatNeitherItsFileNameNorASidecarNamesIsRefused) {
  // duplicate/dup_a.so has id "dup" and no sidecar manifest: nothing tells the registry before loading.
  PluginRegistry registry(services_);
  registry.set_isolation({"dup"}, settings());
  registry.load_file(fixture("duplicate", "dup_a.so"));
  EXPECT_TRUE(registry.plugins().empty());
  ASSERT_EQ(registry.refusals().size(), 1u);
  EXPECT_THAT(registry.refusals().front().reason, HasSubstr("configured to run isolated"));
  // Named by its file name, the same library runs isolated.
  PluginRegistry by_name(services_);
  by_name.set_isolation({"dup_a"}, settings());
  by_name.load_file(fixture("duplicate", "dup_a.so"));
  ASSERT_NE(by_name.find("dup"), nullptr);
  EXPECT_NE(by_name.find("dup")->isolated(), nullptr);
}

TEST_F(Isolated, AMissingWorkerExecutableIsARefusalThatSaysSo) {
  PluginRegistry registry(services_);
  IsolationSettings s = settings();
  s.worker_executable = markers_.file("no-such-worker");
  registry.set_isolation({"echo"}, s);
  registry.load_file(fixture("good", "echo.so"));
  EXPECT_TRUE(registry.plugins().empty());
  ASSERT_EQ(registry.refusals().size(), 1u);
  EXPECT_THAT(registry.refusals().front().reason, HasSubstr("cannot run the plugin worker"));
}

TEST_F(Isolated, ACrashCostsTheCallInFlightAndOneRestart) {
  auto plugin = start("misbehaving", "misbehaving.so");
  ASSERT_NE(plugin, nullptr);
  auto first = plugin->invoke("create_call_log", call_log("conv-1"), misbehaving_context("crash_once"), scope_);
  ASSERT_FALSE(first.ok());
  EXPECT_EQ(first.error().code, error_code::kUnavailable);
  EXPECT_TRUE(first.error().retryable);
  EXPECT_THAT(first.error().message, HasSubstr("SIGSEGV"));
  EXPECT_EQ(plugin->failures(), 1u);

  auto retried = plugin->invoke("create_call_log", call_log("conv-1"), misbehaving_context("crash_once"), scope_);
  ASSERT_TRUE(retried.ok()) << retried.error().message;
  EXPECT_EQ(retried.value().at("id"), "log-conv-1");
  EXPECT_EQ(plugin->restarts(), 1u);
}

TEST_F(Isolated, AHungCallIsKilledAtTheTimeout) {
  auto plugin = start("misbehaving", "misbehaving.so", settings(800));
  ASSERT_NE(plugin, nullptr);
  const auto started = SteadyClock::now();
  auto hung = plugin->invoke("create_call_log", call_log("conv-2"), misbehaving_context("hang_once"), scope_);
  const auto waited = SteadyClock::now() - started;
  ASSERT_FALSE(hung.ok());
  EXPECT_EQ(hung.error().code, error_code::kTimeout);
  EXPECT_TRUE(hung.error().retryable);
  EXPECT_GE(waited, std::chrono::milliseconds(800));
  EXPECT_LT(waited, std::chrono::seconds(5));

  auto retried = plugin->invoke("create_call_log", call_log("conv-2"), misbehaving_context("hang_once"), scope_);
  ASSERT_TRUE(retried.ok()) << retried.error().message;
  EXPECT_EQ(plugin->restarts(), 1u);
}

TEST_F(Isolated, AMemoryHogIsStoppedByTheAddressSpaceCap) {
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "AddressSanitizer builds run plugin workers without the address-space cap";
#endif
  IsolationSettings s = settings();
  s.memory_limit_mb = 256;
  auto plugin = start("misbehaving", "misbehaving.so", s);
  ASSERT_NE(plugin, nullptr);
  auto hog = plugin->invoke("create_call_log", call_log("conv-3"), misbehaving_context("hog_once"), scope_);
  ASSERT_FALSE(hog.ok());
  EXPECT_EQ(hog.error().code, error_code::kUnavailable);
  EXPECT_TRUE(hog.error().retryable);
  auto retried = plugin->invoke("create_call_log", call_log("conv-3"), misbehaving_context("hog_once"), scope_);
  ASSERT_TRUE(retried.ok()) << retried.error().message;
}

TEST_F(Isolated, RepeatedFailuresBackOffInsteadOfRestartingAtOnce) {
  IsolationSettings s = settings();
  s.restart_backoff_ms = 1000; // long enough that a loaded test machine cannot sleep through it
  auto plugin = start("misbehaving", "misbehaving.so", s);
  ASSERT_NE(plugin, nullptr);
  const auto crash = misbehaving_context("crash");
  // First failure: replaced at once. Second (on the replacement): the next start waits 1 s.
  EXPECT_FALSE(plugin->invoke("create_call_log", call_log("c"), crash, scope_).ok());
  EXPECT_FALSE(plugin->invoke("create_call_log", call_log("c"), crash, scope_).ok());
  EXPECT_EQ(plugin->restarts(), 1u);
  auto refused = plugin->invoke("create_call_log", call_log("c"), crash, scope_);
  ASSERT_FALSE(refused.ok());
  EXPECT_TRUE(refused.error().retryable);
  ASSERT_TRUE(refused.error().retry_after_ms.has_value());
  EXPECT_GT(*refused.error().retry_after_ms, 0);
  EXPECT_LE(*refused.error().retry_after_ms, 1000);
  EXPECT_EQ(plugin->restarts(), 1u) << "no worker is started during the back-off";
  // Once it has passed, a healthy call gets a fresh worker.
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  auto healthy = plugin->invoke("list_users", boost::json::object{}, {}, scope_);
  ASSERT_TRUE(healthy.ok()) << healthy.error().message;
  EXPECT_EQ(plugin->restarts(), 2u);
}

TEST_F(Isolated, APluginThatCrashesWhileLoadingIsNotRestartedInALoop) {
  const auto trigger = markers_.file("crash-at-load");
  ::setenv("APPCONNECT_TEST_CRASH_AT_LOAD_IF", trigger.c_str(), 1);
  IsolationSettings s = settings();
  s.restart_backoff_ms = 1500;
  auto plugin = start("misbehaving", "misbehaving.so", s);
  ASSERT_NE(plugin, nullptr);
  std::ofstream(trigger) << "from now on the plugin crashes while loading\n";
  // The worker is lost in a call; its replacement dies while loading the plugin.
  EXPECT_FALSE(plugin->invoke("create_call_log", call_log("c"), misbehaving_context("crash"), scope_).ok());
  auto replacement = plugin->invoke("list_users", boost::json::object{}, {}, scope_);
  ASSERT_FALSE(replacement.ok());
  EXPECT_EQ(replacement.error().code, error_code::kUnavailable);
  EXPECT_TRUE(replacement.error().retryable);
  EXPECT_THAT(replacement.error().message, HasSubstr("while loading"));
  EXPECT_THAT(replacement.error().message, HasSubstr("SIGSEGV"));
  ASSERT_TRUE(replacement.error().retry_after_ms.has_value());
  EXPECT_GT(*replacement.error().retry_after_ms, 1000);
  // Calls during the back-off fail at once and start nothing.
  for (int i = 0; i < 20; ++i) {
    auto fast = plugin->invoke("list_users", boost::json::object{}, {}, scope_);
    ASSERT_FALSE(fast.ok());
    ASSERT_TRUE(fast.error().retry_after_ms.has_value());
  }
  EXPECT_EQ(plugin->failures(), 2u);
  EXPECT_EQ(plugin->restarts(), 0u);
  // Fixed (the trigger is gone) and the back-off over: the next call gets a worker again.
  std::filesystem::remove(trigger);
  ::unsetenv("APPCONNECT_TEST_CRASH_AT_LOAD_IF");
  std::this_thread::sleep_for(std::chrono::milliseconds(1600));
  auto healthy = plugin->invoke("list_users", boost::json::object{}, {}, scope_);
  ASSERT_TRUE(healthy.ok()) << healthy.error().message;
  EXPECT_EQ(plugin->restarts(), 1u);
}

// Not a pass/fail figure: prints what one round trip costs in each mode (docs/adr/0008-plugin-isolation.md).
TEST_F(Isolated, RoundTripCostInProcessAndIsolated) {
  PluginRegistry in_process(services_);
  in_process.load_file(fixture("good", "echo.so"));
  auto remote = start("good", "echo.so");
  ASSERT_NE(remote, nullptr);
  const LoadedPlugin* local = in_process.find("echo");
  ASSERT_NE(local, nullptr);
  // create_call_log: the echo plugin answers it without logging, so only the boundary is measured.
  const boost::json::value request = call_log("bench-1");
  const CallScope scope{"echo", "conn", "t", 0};
  auto median_us = [&](auto&& invoke) {
    std::vector<double> us;
    for (int i = 0; i < 2000; ++i) {
      const auto t0 = SteadyClock::now();
      auto r = invoke();
      us.push_back(std::chrono::duration<double, std::micro>(SteadyClock::now() - t0).count());
      EXPECT_TRUE(r.ok());
    }
    std::sort(us.begin(), us.end());
    return us[us.size() / 2];
  };
  const double a = median_us([&] { return local->invoke("create_call_log", request, {}, scope); });
  const double b = median_us([&] { return remote->invoke("create_call_log", request, {}, scope); });
  std::cout << "create_call_log round trip, median of 2000: in process " << a << " us, isolated " << b << " us\n";
  EXPECT_GT(b, 0.0);
}

} // namespace
} // namespace appconnect::plugins
