// Shared fixture for the Salesforce emulator's black-box tests: one sandbox process per test suite
// (starting one costs ~0.3 s), reset to the demo seed before every test, plus helpers that speak the
// REST API with a fresh access token.
#pragma once

#include "support/sandbox_process.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <memory>
#include <string>

namespace appconnect::testing {

class SalesforceSandboxTest : public ::testing::Test {
 protected:
  static constexpr const char* kApi = "/services/data/v62.0";

  static void SetUpTestSuite() {
    try {
      sandbox_ = std::make_unique<SandboxProcess>();
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

  // A REST call under /services/data/v62.0 with the test's bearer token.
  HttpResult api(std::string_view method, const std::string& path, const std::string& body = {},
                 std::map<std::string, std::string> headers = {}) const {
    headers.emplace("Authorization", "Bearer " + token_);
    return sandbox_->request(method, kApi + path, body, headers);
  }
  HttpResult api_json(std::string_view method, const std::string& path, const boost::json::value& body) const {
    return api(method, path, boost::json::serialize(body));
  }
  HttpResult sosl(const std::string& query) const { return api("GET", "/search/?q=" + url_encode(query)); }
  HttpResult soql(const std::string& query) const { return api("GET", "/query/?q=" + url_encode(query)); }

  // Creates a record through the API and returns its id (fails the test otherwise).
  std::string create(const std::string& object, const boost::json::object& fields) const {
    auto r = api_json("POST", "/sobjects/" + object + "/", fields);
    EXPECT_EQ(r.status, 201) << r.body;
    if (r.status != 201) return {};
    return std::string(r.json().at("id").as_string());
  }

  // Ids of the searchRecords/records of a search or query response, in order.
  static std::vector<std::string> ids(const boost::json::value& body, const char* list = "searchRecords") {
    std::vector<std::string> out;
    for (const auto& r : body.at(list).as_array()) out.emplace_back(r.at("Id").as_string());
    return out;
  }
  static std::vector<std::string> names(const boost::json::value& body, const char* list = "searchRecords") {
    std::vector<std::string> out;
    for (const auto& r : body.at(list).as_array()) out.emplace_back(r.at("Name").as_string());
    return out;
  }

  // The single-element Salesforce error array's fields, for compact assertions.
  static std::string error_code(const HttpResult& r) {
    auto v = r.json();
    if (!v.is_array() || v.as_array().empty()) return "<not an error array: " + r.body + ">";
    return std::string(v.as_array()[0].at("errorCode").as_string());
  }

  static inline std::unique_ptr<SandboxProcess> sandbox_;
  static inline std::string start_error_;
  std::string token_;
};

// SOSL reserved characters escaped with a backslash, as a connector must send a raw phone number.
inline std::string sosl_escape(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (std::string_view(R"(?&|!{}[]()^~*:\"'+-)").find(c) != std::string_view::npos) out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

} // namespace appconnect::testing
