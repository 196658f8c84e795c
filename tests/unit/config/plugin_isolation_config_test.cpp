// The "plugin_isolation" key: which plugins run out of process and the limits of their workers.
#include "config/config.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace appconnect::config {
namespace {
using ::testing::HasSubstr;

TEST(PluginIsolationConfig, InProcessByDefault) {
  const Config c = default_config();
  EXPECT_TRUE(c.plugin_isolation.plugins.empty());
  EXPECT_EQ(c.plugin_isolation.invoke_timeout_ms, 60000);
  EXPECT_EQ(c.plugin_isolation.memory_limit_mb, 1024);
  EXPECT_EQ(c.plugin_isolation.workers_per_plugin, 2);
  EXPECT_TRUE(c.plugin_isolation.worker.empty());
}

TEST(PluginIsolationConfig, ValuesAreReadAndTheWorkerPathIsRelativeToTheFile) {
  auto c = parse_config_text(R"({"plugin_isolation": {"plugins": ["acme", "beta"], "invoke_timeout_ms": 1500,
      "memory_limit_mb": 0, "workers_per_plugin": 4, "worker": "bin/worker"}})",
                             "/srv/appconnect/appconnect.json");
  ASSERT_TRUE(c) << c.error().message;
  const auto& p = c.value().plugin_isolation;
  EXPECT_EQ(p.plugins, (std::vector<std::string>{"acme", "beta"}));
  EXPECT_EQ(p.invoke_timeout_ms, 1500);
  EXPECT_EQ(p.memory_limit_mb, 0);
  EXPECT_EQ(p.workers_per_plugin, 4);
  EXPECT_EQ(p.worker, std::filesystem::path("/srv/appconnect/bin/worker"));
}

TEST(PluginIsolationConfig, BadValuesAreRefusedByName) {
  struct Case {
    const char* text;
    const char* named;
  };
  for (const Case& k :
       {Case{R"({"plugin_isolation": {"invoke_timeout_ms": 5}})", "plugin_isolation.invoke_timeout_ms"},
        Case{R"({"plugin_isolation": {"memory_limit_mb": 10}})", "plugin_isolation.memory_limit_mb"},
        Case{R"({"plugin_isolation": {"workers_per_plugin": 0}})", "plugin_isolation.workers_per_plugin"},
        Case{R"({"plugin_isolation": {"plugins": "acme"}})", "plugins"},
        Case{R"({"plugin_isolation": {"isolate": ["acme"]}})", "unknown key 'isolate'"}}) {
    auto c = parse_config_text(k.text, "x.json");
    ASSERT_FALSE(c) << k.text;
    EXPECT_THAT(c.error().message, HasSubstr(k.named)) << k.text;
  }
}

} // namespace
} // namespace appconnect::config
