// Shared fixtures for the Zoho CRM tests: one sandbox process per test suite (`--crm zoho`, demo seed), reset
// before every test; REST helpers that speak the emulated CRM API with a fresh token; and, for the connector
// tests, the built plugin (APPCONNECT_PLUGIN_DIR/zoho.so) loaded through the host's PluginRegistry.
#pragma once

#include "support/sandbox_process.hpp"

#include "httpclient/http_client.hpp"
#include "plugins/host_services.hpp"
#include "plugins/plugin_registry.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <memory>
#include <regex>
#include <string>
#include <vector>

namespace appconnect::testing {

inline constexpr const char* kZohoClient = "1000.APPCONNECTDEMO";
inline constexpr const char* kZohoSecret = "demo-secret";
inline constexpr const char* kZohoRefresh = "demo-refresh-token";

inline std::string str_of(const boost::json::value& v, std::string_view key) {
  const auto* p = v.is_object() ? v.as_object().if_contains(key) : nullptr;
  return p != nullptr && p->is_string() ? std::string(p->get_string()) : std::string();
}

// A query parameter of a URL (still percent-encoded), or empty.
inline std::string url_param(const std::string& url, const std::string& name) {
  std::smatch m;
  if (!std::regex_search(url, m, std::regex("[?&]" + name + "=([^&]*)"))) return {};
  return m[1].str();
}

class ZohoSandboxTest : public ::testing::Test {
 protected:
  static constexpr const char* kApi = "/crm/v2";

  static void SetUpTestSuite() {
    try {
      SandboxOptions options;
      options.crm = "zoho";
      sandbox_ = std::make_unique<SandboxProcess>(options);
    } catch (const std::exception& e) {
      start_error_ = e.what();
    }
  }
  static void TearDownTestSuite() { sandbox_.reset(); }

  void SetUp() override {
    ASSERT_TRUE(sandbox_) << start_error_;
    sandbox_->reset();
    token_ = sandbox_->access_token();
  }

  static SandboxProcess& sandbox() { return *sandbox_; }

  // A call under /crm/v2 (or `version`) with the test's "Zoho-oauthtoken" header.
  HttpResult api(std::string_view method, const std::string& path, const std::string& body = {},
                 std::map<std::string, std::string> headers = {}, const std::string& version = "v2") const {
    headers.emplace("Authorization", "Zoho-oauthtoken " + token_);
    return sandbox_->request(method, "/crm/" + version + path, body, headers);
  }
  HttpResult api_json(std::string_view method, const std::string& path, const boost::json::value& body,
                      const std::string& version = "v2") const {
    return api(method, path, boost::json::serialize(body), {}, version);
  }
  // POST {"data":[fields]} and return the new id (fails the test otherwise).
  std::string create(const std::string& module, const boost::json::object& fields) const {
    auto r = api_json("POST", "/" + module, boost::json::object{{"data", boost::json::array{fields}}});
    EXPECT_EQ(r.status, 201) << r.body;
    if (r.status != 201) return {};
    return str_of(r.json().at("data").at(0).at("details"), "id");
  }
  // The stored record as the control API exports it.
  boost::json::object stored(const std::string& module, const std::string& id) const {
    for (const auto& r : sandbox_->records(module))
      if (str_of(r, "id") == id) return r.as_object();
    ADD_FAILURE() << "no " << module << " record " << id;
    return {};
  }
  // The id of a seeded record found by a field value.
  std::string seeded_id(const std::string& module, const std::string& key, const std::string& value) const {
    for (const auto& r : sandbox_->records(module))
      if (str_of(r, key) == value) return str_of(r, "id");
    ADD_FAILURE() << "no seeded " << module << " with " << key << "=" << value;
    return {};
  }
  std::string user_id(const std::string& email) const { return seeded_id("Users", "email", email); }

  // The error code of a Zoho answer: the top-level "code", else data[0].code.
  static std::string error_code(const HttpResult& r) {
    const auto v = r.json();
    if (!v.is_object()) return "<not an object: " + r.body + ">";
    if (v.as_object().contains("code")) return str_of(v, "code");
    if (const auto* d = v.as_object().if_contains("data"); d && d->is_array() && !d->as_array().empty())
      return str_of(d->as_array()[0], "code");
    return "<no code: " + r.body + ">";
  }
  static std::vector<std::string> names(const HttpResult& r) {
    std::vector<std::string> out;
    if (r.status != 200) return out;
    const auto body = r.json();
    for (const auto& rec : body.at("data").as_array()) out.push_back(str_of(rec, "Full_Name"));
    return out;
  }

  static inline std::unique_ptr<SandboxProcess> sandbox_;
  static inline std::string start_error_;
  std::string token_;
};

// The connector tests: the same sandbox plus the plugin, invoked the way the host does.
class ZohoPluginTest : public ZohoSandboxTest {
 protected:
  static void SetUpTestSuite() {
    ZohoSandboxTest::SetUpTestSuite();
    registry_ = std::make_unique<plugins::PluginRegistry>(
        std::make_shared<plugins::HostServices>(std::make_shared<httpclient::HttpClient>()));
    registry_->load_file(std::string(APPCONNECT_PLUGIN_DIR) + "/zoho.so");
    for (const auto& r : registry_->refusals()) load_error_ += r.reason + "\n";
  }
  static void TearDownTestSuite() {
    registry_.reset();
    ZohoSandboxTest::TearDownTestSuite();
  }

  void SetUp() override {
    ZohoSandboxTest::SetUp();
    plugin_ = registry_->find("zoho");
    ASSERT_NE(plugin_, nullptr) << load_error_;
    settings_ = {{"accounts_url", sandbox().base_url()}, {"api_domain", sandbox().base_url()}};
    credentials_ = {{"client_id", kZohoClient},
                    {"client_secret", kZohoSecret},
                    {"refresh_token", kZohoRefresh},
                    {"access_token", token_}};
  }

  boost::json::object context() const {
    return {
        {"connection_id", "zoho-test"}, {"tenant_id", "t1"}, {"settings", settings_}, {"credentials", credentials_}};
  }

  Result<boost::json::value> invoke(std::string_view op,
                                    const boost::json::value& request = boost::json::object{}) const {
    return plugin_->invoke(op, request, context(), plugins::CallScope{"zoho", "zoho-test", "t1", 0});
  }

  // The spellings the host's PhoneNormalizer proposes for a North American number.
  static boost::json::array nanp_variants(const std::string& e164) {
    const std::string d = e164.substr(2); // national digits
    return {e164,
            d,
            e164.substr(1),
            "(" + d.substr(0, 3) + ") " + d.substr(3, 3) + "-" + d.substr(6),
            "+1 " + d.substr(0, 3) + "-" + d.substr(3, 3) + "-" + d.substr(6),
            d.substr(0, 3) + "-" + d.substr(3, 3) + "-" + d.substr(6)};
  }
  Result<boost::json::value> find(const std::string& e164, std::int64_t limit = 20) const {
    return invoke("find_contacts",
                  boost::json::object{{"phone_e164", e164}, {"variants", nanp_variants(e164)}, {"limit", limit}});
  }
  static std::vector<std::string> found_names(const boost::json::value& result) {
    std::vector<std::string> out;
    for (const auto& c : result.at("contacts").as_array()) out.push_back(str_of(c, "name") + "/" + str_of(c, "type"));
    std::sort(out.begin(), out.end());
    return out;
  }

  static boost::json::object call_log(const std::string& external_id, const std::string& contact_id,
                                      const std::string& contact_type) {
    return {{"external_id", external_id},
            {"contact_id", contact_id},
            {"contact_type", contact_type},
            {"direction", "inbound"},
            {"from_phone", "+14155550132"},
            {"to_phone", "+14155550100"},
            {"start_time", "2026-11-25T09:30:00Z"},
            {"duration_s", 125},
            {"result", "answered"},
            {"subject", "Inbound call from +14155550132"},
            {"body", "Talked about the renewal."},
            {"recording_url", "https://media.example/rec/1.mp3"}};
  }

  static inline std::unique_ptr<plugins::PluginRegistry> registry_;
  static inline std::string load_error_;
  const plugins::LoadedPlugin* plugin_ = nullptr;
  boost::json::object settings_;
  boost::json::object credentials_;
};

} // namespace appconnect::testing
