// Shared fixtures for the HubSpot tests: one sandbox process (`--crm hubspot`, demo seed unless a suite
// asks for another) per test suite, reset before every test; helpers that speak the CRM API with a fresh
// access token; and the built HubSpot plugin loaded through the host's PluginRegistry, invoked with a
// context whose base URLs point at the sandbox.
#pragma once

#include "httpclient/http_client.hpp"
#include "plugins/host_services.hpp"
#include "plugins/plugin_registry.hpp"
#include "support/paths.hpp"
#include "support/sandbox_process.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <fstream>
#include <memory>
#include <sstream>
#include <string>

namespace appconnect::testing {

inline constexpr const char* kPortalId = "24681357";
inline constexpr const char* kPrivateAppToken = "pat-na1-a1b2c3d4-0000-4000-8000-appconnect001";

// The demo seed with some members replaced (e.g. tighter rate limits), written to `dir`.
inline std::string seed_variant(const TempDir& dir, const boost::json::object& overrides) {
  std::ifstream in(source_path("tools/crm-sandbox/seeds/hubspot-demo.json"));
  std::stringstream text;
  text << in.rdbuf();
  auto seed = boost::json::parse(text.str()).as_object();
  for (const auto& kv : overrides) seed[kv.key()] = kv.value();
  const auto path = dir.file("hubspot-seed.json").string();
  std::ofstream(path) << boost::json::serialize(seed);
  return path;
}

inline std::string str(const boost::json::value& v, std::string_view key) {
  const auto* p = v.is_object() ? v.as_object().if_contains(key) : nullptr;
  return p != nullptr && p->is_string() ? std::string(p->get_string()) : std::string();
}

inline std::string prop(const boost::json::value& record, std::string_view name) {
  const auto* p = record.is_object() ? record.as_object().if_contains("properties") : nullptr;
  return p ? str(*p, name) : std::string();
}

class HubSpotTest : public ::testing::Test {
 protected:
  // Overridden through a derived fixture's SetUpTestSuite: seed overrides for this suite.
  static void start_sandbox(const boost::json::object& seed_overrides = {}) {
    try {
      SandboxOptions options;
      options.crm = "hubspot";
      if (!seed_overrides.empty()) {
        seed_dir_ = std::make_unique<TempDir>("appconnect-hubspot-seed");
        options.seed = seed_variant(*seed_dir_, seed_overrides);
      }
      sandbox_ = std::make_unique<SandboxProcess>(options);
    } catch (const std::exception& e) {
      start_error_ = e.what();
    }
  }
  static void SetUpTestSuite() { start_sandbox(); }
  static void TearDownTestSuite() {
    registry_.reset();
    sandbox_.reset();
    seed_dir_.reset();
  }

  void SetUp() override {
    ASSERT_TRUE(sandbox_) << start_error_;
    sandbox_->reset();
    token_ = sandbox_->access_token();
  }

  static SandboxProcess& sandbox() { return *sandbox_; }

  // A CRM call with the test's bearer token (or `token` when given).
  HttpResult api(std::string_view method, const std::string& path, const std::string& body = {},
                 std::map<std::string, std::string> headers = {}) const {
    headers.emplace("Authorization", "Bearer " + token_);
    return sandbox_->request(method, path, body, headers);
  }
  HttpResult api_json(std::string_view method, const std::string& path, const boost::json::value& body) const {
    return api(method, path, boost::json::serialize(body));
  }
  HttpResult search(const std::string& object, const boost::json::value& body) const {
    return api_json("POST", "/crm/v3/objects/" + object + "/search", body);
  }
  // Creates an object through the API and returns its id (fails the test otherwise).
  std::string create(const std::string& object, const boost::json::object& properties,
                     const boost::json::array& associations = {}) const {
    auto r = api_json("POST", "/crm/v3/objects/" + object,
                      boost::json::object{{"properties", properties}, {"associations", associations}});
    EXPECT_EQ(r.status, 201) << r.body;
    return r.status == 201 ? str(r.json(), "id") : std::string();
  }
  // Ids of a search answer's results, in order.
  static std::vector<std::string> ids(const boost::json::value& answer) {
    std::vector<std::string> out;
    for (const auto& r : answer.at("results").as_array()) out.emplace_back(r.at("id").as_string());
    return out;
  }
  static std::string category(const HttpResult& r) { return str(r.json(), "category"); }

  // The id of a seeded record whose property has the value (via the control API).
  static std::string seeded_id(const std::string& object, const std::string& property, const std::string& value) {
    for (const auto& r : sandbox_->records(object))
      if (prop(r, property) == value) return std::string(r.at("id").as_string());
    return {};
  }
  static boost::json::object record(const std::string& object, const std::string& id) {
    for (const auto& r : sandbox_->records(object))
      if (r.at("id").as_string() == id) return r.as_object();
    return {};
  }
  static std::string owner_id(const std::string& email) {
    for (const auto& o : sandbox_->records("owners"))
      if (str(o, "email") == email) return str(o, "id");
    return {};
  }

  // ---- the plugin ----
  static const plugins::LoadedPlugin* plugin() {
    if (!registry_) {
      registry_ = std::make_unique<plugins::PluginRegistry>(
          std::make_shared<plugins::HostServices>(std::make_shared<httpclient::HttpClient>()));
      registry_->load_file(std::string(APPCONNECT_PLUGIN_DIR) + "/hubspot.so");
      for (const auto& refusal : registry_->refusals()) ADD_FAILURE() << refusal.reason;
    }
    return registry_->find("hubspot");
  }

  // The connection's context: the sandbox as every base URL, OAuth app credentials, the test's token.
  boost::json::object context(boost::json::object credentials = {}, const boost::json::object& settings = {}) const {
    boost::json::object s{{"api_base_url", sandbox_->base_url()},
                          {"oauth_base_url", sandbox_->base_url()},
                          {"app_base_url", sandbox_->base_url()},
                          {"portal_id", kPortalId}};
    for (const auto& kv : settings) s[kv.key()] = kv.value();
    if (credentials.empty())
      credentials = {{"client_id", "appconnect-demo"},
                     {"client_secret", "demo-secret"},
                     {"refresh_token", "demo-refresh-token"},
                     {"access_token", token_}};
    return {{"connection_id", "hs-test"},
            {"tenant_id", "default"},
            {"settings", std::move(s)},
            {"credentials", std::move(credentials)}};
  }

  Result<boost::json::value> invoke(std::string_view operation, const boost::json::value& request,
                                    const boost::json::object& ctx) const {
    const auto* p = plugin();
    if (p == nullptr) return Error::make("internal", "hubspot plugin not loaded", false);
    return p->invoke(operation, request, ctx, plugins::CallScope{"hubspot", "hs-test", "default", 0});
  }
  Result<boost::json::value> invoke(std::string_view operation,
                                    const boost::json::value& request = boost::json::object{}) const {
    return invoke(operation, request, context());
  }

  static inline std::unique_ptr<SandboxProcess> sandbox_;
  static inline std::unique_ptr<TempDir> seed_dir_;
  static inline std::unique_ptr<plugins::PluginRegistry> registry_;
  static inline std::string start_error_;
  std::string token_;
};

} // namespace appconnect::testing
