#include "config/config.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

namespace appconnect::config {
namespace {
using ::testing::HasSubstr;

std::filesystem::path write(const std::string& name, const std::string& text) {
  auto path = std::filesystem::path(::testing::TempDir()) / name;
  std::ofstream(path) << text;
  return path;
}

TEST(Config, DefaultsNeedNoFile) {
  Config c = default_config();
  EXPECT_EQ(c.listen, "127.0.0.1:8080");
  ASSERT_EQ(c.tenants.size(), 1u);
  EXPECT_EQ(c.tenants[0].id, "default");
  EXPECT_EQ(c.database_url(), "sqlite:data/appconnect.db");
}

TEST(Config, FileValuesAndRelativePaths) {
  auto file = write("appconnect-config-ok.json", R"({
    "listen": "127.0.0.1:0", "data_dir": "state", "workers": 2,
    "tenants": [{"id": "acme", "default_region": "GB"}],
    "connections": [{"id": "sf", "tenant": "acme", "connector": "salesforce",
                     "settings": {"login_url": "http://127.0.0.1:9"}, "credentials": {"refresh_token": "r"}}]})");
  auto c = load_config_file(file);
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c.value().workers, 2);
  EXPECT_EQ(c.value().data_dir, file.parent_path() / "state");
  EXPECT_EQ(c.value().tenants.at(0).default_region, "GB");
  EXPECT_EQ(c.value().connections.at(0).settings.at("login_url").as_string(), "http://127.0.0.1:9");
}

TEST(Config, WebDirIsRelativeToTheFileAndEmptyByDefault) {
  EXPECT_TRUE(default_config().web_dir.empty()); // then the host looks beside its binary
  auto file = write("appconnect-config-web.json", R"({"web_dir": "console-files"})");
  auto c = load_config_file(file);
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c.value().web_dir, file.parent_path() / "console-files");
  auto absolute = write("appconnect-config-web-abs.json", R"({"web_dir": "/srv/console"})");
  auto a = load_config_file(absolute);
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_EQ(a.value().web_dir, std::filesystem::path("/srv/console"));
}

TEST(Config, UnknownKeysAndBadValuesAreNamed) {
  auto typo = load_config_file(write("appconnect-config-typo.json", R"({"listne": "x"})"));
  ASSERT_FALSE(typo);
  EXPECT_THAT(typo.error().message, HasSubstr("unknown key 'listne'"));
  auto tenant = load_config_file(
      write("appconnect-config-tenant.json", R"({"connections":[{"id":"c","tenant":"nope","connector":"x"}]})"));
  ASSERT_FALSE(tenant);
  EXPECT_THAT(tenant.error().message, HasSubstr("unknown tenant 'nope'"));
  auto json = load_config_file(write("appconnect-config-json.json", "{"));
  ASSERT_FALSE(json);
  EXPECT_THAT(json.error().message, HasSubstr("invalid JSON"));
  auto missing = load_config_file("/nonexistent/appconnect.json");
  ASSERT_FALSE(missing);
  EXPECT_THAT(missing.error().message, HasSubstr("cannot read"));
}

TEST(Config, ListenAddresses) {
  EXPECT_EQ(parse_listen("127.0.0.1:8080").value(), std::make_pair(std::string("127.0.0.1"), 8080));
  EXPECT_EQ(parse_listen("[::1]:0").value(), std::make_pair(std::string("::1"), 0));
  EXPECT_FALSE(parse_listen("8080"));
  EXPECT_FALSE(parse_listen("host:99999"));
  EXPECT_FALSE(parse_listen("host:80x"));
}

} // namespace
} // namespace appconnect::config
