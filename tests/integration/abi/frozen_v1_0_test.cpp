// The ABI promise, tested: a plugin compiled against the frozen ABI 1.0 headers (tests/abi/v1_0) is
// loaded by the current host's loader, reports ABI 1.0, and answers its operations through the current
// host services table (log, clock, HTTP); an operation that arrived in a later minor (get_log, 1.1) is
// "unsupported", never a crash or a misread struct.
#include "httpclient/http_client.hpp"
#include "plugins/host_services.hpp"
#include "plugins/plugin_registry.hpp"
#include "support/testing.hpp"

#include <appconnect/abi.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

namespace appconnect::testing {
namespace {

namespace json = boost::json;
using ::testing::HasSubstr;
using ::testing::StartsWith;

const std::filesystem::path kFrozenPlugin =
    std::filesystem::path(APPCONNECT_BINARY_DIR) / "tests" / "abi" / "frozen_v1_0.so";

class FrozenV10 : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(std::filesystem::exists(kFrozenPlugin)) << kFrozenPlugin;
    registry_.load_file(kFrozenPlugin);
    for (const auto& r : registry_.refusals()) ADD_FAILURE() << r.reason;
    plugin_ = registry_.find("frozen_v1_0");
    ASSERT_NE(plugin_, nullptr);
  }

  Result<json::value> call(std::string_view op, const json::value& request, const json::object& context = {}) const {
    return plugin_->invoke(op, request, context, scope_);
  }

  std::shared_ptr<plugins::HostServices> services_ = std::make_shared<plugins::HostServices>(
      std::make_shared<httpclient::HttpClient>(), [] { return std::int64_t{1'764'000'000'000}; });
  plugins::PluginRegistry registry_{services_};
  const plugins::LoadedPlugin* plugin_ = nullptr;
  plugins::CallScope scope_{"frozen_v1_0", "conn-abi", "tenant-abi", 0};
};

TEST_F(FrozenV10, CurrentHostIsNewerThanTheFrozenHeaders) {
  // If the host's minor were still 0 this test would prove nothing about cross-version loading.
  EXPECT_GT(APPCONNECT_ABI_MINOR, 0);
  EXPECT_EQ(APPCONNECT_ABI_MAJOR, 1);
}

TEST_F(FrozenV10, LoadsWithItsOwnAbiVersion) {
  EXPECT_EQ(plugin_->manifest().abi_major, 1);
  EXPECT_EQ(plugin_->manifest().abi_minor, 0);
  EXPECT_TRUE(plugin_->supports("find_contacts"));
  EXPECT_FALSE(plugin_->supports("get_log"));
  auto inspected = plugins::inspect_plugin_file(kFrozenPlugin, services_);
  // The registry holds the library, so inspect refuses to disturb it; the refusal says so.
  EXPECT_FALSE(inspected.ok);
}

TEST_F(FrozenV10, AnswersOperationsAcrossTheBoundary) {
  auto found = call("find_contacts", json::object{{"phone_e164", "+14155550132"}});
  ASSERT_TRUE(found.ok()) << found.error().message;
  const auto& contact = found.value().at("contacts").at(0);
  EXPECT_EQ(contact.at("id"), "v10-+14155550132");
  EXPECT_EQ(contact.at("name"), "Tenant tenant-abi"); // the context document crossed intact

  auto logged = call("create_call_log", json::object{{"log", json::object{{"external_id", "conv-1"}}}});
  ASSERT_TRUE(logged.ok()) << logged.error().message;
  EXPECT_EQ(logged.value().at("id"), "v10-conv-1");
  EXPECT_EQ(logged.value().at("url"), "frozen://call?at=1764000000000"); // the host clock through the 1.0 table

  auto refused = call("create_contact", json::object{{"last_name", "Doe"}});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, "validation");
  EXPECT_THAT(refused.error().message, HasSubstr("frozen plugin refuses Doe"));
}

TEST_F(FrozenV10, UsesTheHostHttpService) {
  SandboxProcess sandbox;
  auto users =
      call("list_users", json::object{}, json::object{{"settings", json::object{{"base_url", sandbox.base_url()}}}});
  ASSERT_TRUE(users.ok()) << users.error().message;
  EXPECT_EQ(users.value().at("users").at(0).at("name"), "salesforce");
}

TEST_F(FrozenV10, NewerOperationsAreUnsupportedNotMisread) {
  auto r = call("get_log", json::object{{"id", "x"}, {"kind", "call"}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "unsupported");
  auto unknown = call("some_v2_operation", json::object{});
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code, "unsupported");
  auto bad = call("find_contacts", json::object{{"no_phone", true}});
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.error().code, StartsWith("bad_request"));
}

} // namespace
} // namespace appconnect::testing
