// Calling plugins: the SDK-built echo plugin answers, its exception becomes an error; the raw C garbage
// plugin's malformed replies become "internal" errors naming it; and HTTP made by a plugin goes through
// the host's services with the call's deadline, hook and log attribution.
#include "common/log.hpp"
#include "plugins/plugin_registry.hpp"
#include "unit/httpclient/loopback_server.hpp"
#include "unit/plugins/plugin_test_util.hpp"

#include <Poco/StreamCopier.h>

#include <boost/json.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

namespace appconnect::plugins {
namespace {

using appconnect_test::LoopbackServer;
using test::fixture_dir;
using test::make_services;
using ::testing::HasSubstr;

std::int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

class Invoke : public ::testing::Test {
 protected:
  void SetUp() override {
    registry_.load_directory(fixture_dir("good"));
    echo_ = registry_.find("echo");
    garbage_ = registry_.find("garbage");
    ASSERT_NE(echo_, nullptr);
    ASSERT_NE(garbage_, nullptr);
  }

  Result<boost::json::value> call(const LoadedPlugin* plugin, std::string_view op, const boost::json::value& request,
                                  const boost::json::object& context = {}) {
    return plugin->invoke(op, request, context, scope_);
  }

  std::shared_ptr<HostServices> services_ = make_services();
  PluginRegistry registry_{services_};
  const LoadedPlugin* echo_ = nullptr;
  const LoadedPlugin* garbage_ = nullptr;
  CallScope scope_{"echo", "conn-42", "tenant-7", 0};
};

TEST_F(Invoke, EchoFindsADeterministicContact) {
  auto r = call(echo_, "find_contacts", boost::json::object{{"phone_e164", "+14155550132"}, {"types", {"Lead"}}});
  ASSERT_TRUE(r.ok()) << r.error().message;
  const auto& contacts = r.value().at("contacts").as_array();
  ASSERT_EQ(contacts.size(), 1u);
  EXPECT_EQ(contacts[0].at("id"), "contact-14155550132");
  EXPECT_EQ(contacts[0].at("type"), "Lead");
  EXPECT_EQ(contacts[0].at("phone"), "+14155550132");
}

TEST_F(Invoke, EchoCreatesACallLog) {
  auto r = call(echo_, "create_call_log", boost::json::object{{"log", {{"external_id", "conv-1"}}}});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r.value().at("id"), "log-conv-1");
  EXPECT_EQ(r.value().at("type"), "EchoCall");
}

TEST_F(Invoke, PluginErrorDocumentPassesThrough) {
  auto r = call(echo_, "create_call_log", boost::json::object{{"log", {{"external_id", "invalid-7"}}}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "validation");
  EXPECT_EQ(r.error().message, "echo rejects external_id 'invalid-7'");
  EXPECT_FALSE(r.error().retryable);
}

TEST_F(Invoke, MalformedRequestIsBadRequest) {
  auto r = call(echo_, "find_contacts", boost::json::object{{"limit", 3}}); // phone_e164 missing
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "bad_request");
  EXPECT_THAT(r.error().message, HasSubstr("phone_e164"));
  auto not_an_object = call(echo_, "create_call_log", boost::json::array{1, 2});
  ASSERT_FALSE(not_an_object.ok());
  EXPECT_EQ(not_an_object.error().code, "bad_request");
}

TEST_F(Invoke, ExceptionInAnOperationBecomesInternalError) {
  auto r = call(echo_, "list_users", boost::json::object{});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "internal");
  EXPECT_THAT(r.error().message, HasSubstr("echo list_users always throws"));
  // The plugin is still usable afterwards.
  EXPECT_TRUE(call(echo_, "create_call_log", boost::json::object{{"log", {{"external_id", "x"}}}}).ok());
}

TEST_F(Invoke, UnsupportedOperations) {
  // A well-formed request, so the SDK gets past decoding to the Connector's default "unsupported".
  const boost::json::object request{{"id", "log-1"}, {"log", {{"external_id", "conv-1"}}}};
  for (const char* op : {"update_call_log", "no_such_operation"}) {
    auto r = call(echo_, op, request);
    ASSERT_FALSE(r.ok()) << op;
    EXPECT_EQ(r.error().code, "unsupported") << op;
    EXPECT_FALSE(r.error().retryable);
    EXPECT_THAT(r.error().message, HasSubstr("'" + std::string(op) + "'"));
  }
  // An operation name the plugin does not know at all comes back as the UNSUPPORTED status, which the
  // host words itself; a known operation the connector did not override is the SDK's error document.
  EXPECT_EQ(call(echo_, "no_such_operation", request).error().message,
            "plugin 'echo' does not support operation 'no_such_operation'");
}

TEST_F(Invoke, DescribeReturnsTheManifest) {
  auto r = call(echo_, "describe", boost::json::object{});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r.value().at("id"), "echo");
}

TEST_F(Invoke, GarbageJsonIsAnInternalErrorNamingThePlugin) {
  auto r = call(garbage_, "find_contacts", boost::json::object{{"phone_e164", "+1"}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "internal");
  EXPECT_THAT(r.error().message, HasSubstr("plugin 'garbage' returned a result that is not valid JSON"));
  EXPECT_THAT(r.error().message, HasSubstr("find_contacts"));
}

TEST_F(Invoke, BogusStatusIsAnInternalError) {
  auto r = call(garbage_, "create_contact", boost::json::object{});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "internal");
  EXPECT_THAT(r.error().message, HasSubstr("plugin 'garbage' returned unknown status 42"));
}

TEST_F(Invoke, MissingDocumentsAreInternalErrors) {
  auto ok_without_doc = call(garbage_, "create_call_log", boost::json::object{});
  ASSERT_FALSE(ok_without_doc.ok());
  EXPECT_EQ(ok_without_doc.error().code, "internal");
  EXPECT_THAT(ok_without_doc.error().message, HasSubstr("returned OK without a result document"));

  auto error_without_doc = call(garbage_, "update_message_log", boost::json::object{});
  ASSERT_FALSE(error_without_doc.ok());
  EXPECT_EQ(error_without_doc.error().code, "internal");
  EXPECT_THAT(error_without_doc.error().message, HasSubstr("without an error document"));

  auto not_an_object = call(garbage_, "update_call_log", boost::json::object{});
  ASSERT_FALSE(not_an_object.ok());
  EXPECT_EQ(not_an_object.error().code, "internal");
  EXPECT_THAT(not_an_object.error().message, HasSubstr("error document that is not a JSON object"));
}

TEST_F(Invoke, ErrorDocumentsAreNormalized) {
  auto unknown_code = call(garbage_, "list_users", boost::json::object{});
  ASSERT_FALSE(unknown_code.ok());
  EXPECT_EQ(unknown_code.error().code, "internal");
  EXPECT_EQ(unknown_code.error().message, "[weird_code] strange failure");
  EXPECT_TRUE(unknown_code.error().retryable);

  auto bad_request = call(garbage_, "find_log_by_external_id", boost::json::object{});
  ASSERT_FALSE(bad_request.ok());
  EXPECT_EQ(bad_request.error().code, "bad_request");
  EXPECT_EQ(bad_request.error().message, "external_id is required");

  auto well_formed = call(garbage_, "create_message_log", boost::json::object{});
  ASSERT_FALSE(well_formed.ok());
  EXPECT_EQ(well_formed.error().code, "rate_limited");
  EXPECT_TRUE(well_formed.error().retryable);
  EXPECT_EQ(well_formed.error().retry_after_ms, 1500);
  EXPECT_EQ(well_formed.error().crm_status, 429);
}

TEST_F(Invoke, ManyThreadsCallAtOnce) {
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        const std::string id = std::to_string(t) + "-" + std::to_string(i);
        auto r = call(echo_, "create_call_log", boost::json::object{{"log", {{"external_id", id}}}});
        if (r.ok() && r.value().at("id") == boost::json::value("log-" + id)) ++ok;
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 200);
}

TEST_F(Invoke, PluginLogLinesCarryPluginAndConnection) {
  log::set_min_level(log::Level::kInfo);
  ::testing::internal::CaptureStderr();
  auto r = call(echo_, "find_contacts", boost::json::object{{"phone_e164", "+14155550132"}});
  const std::string err = ::testing::internal::GetCapturedStderr();
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(err, HasSubstr("\"component\":\"plugin:echo\""));
  EXPECT_THAT(err, HasSubstr("\"msg\":\"echo find_contacts\""));
  EXPECT_THAT(err, HasSubstr("\"connection\":\"conn-42\""));
}

// --- HTTP through the host's services ---

class PluginHttp : public Invoke {
 protected:
  boost::json::object context_for(const LoopbackServer& server) {
    return boost::json::object{{"settings", {{"base_url", server.url("/api")}}},
                               {"credentials", {{"access_token", "tok-123"}}}};
  }
  boost::json::object new_contact() {
    return boost::json::object{{"type", "Lead"}, {"first_name", "Ada"}, {"last_name", "Lovelace"}, {"phone", "+4420"}};
  }
};

TEST_F(PluginHttp, PluginHttpGoesThroughTheHostClient) {
  std::string seen_auth, seen_body, seen_uri;
  LoopbackServer server([&](Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& resp) {
    seen_auth = req.get("Authorization", "");
    seen_uri = req.getURI();
    Poco::StreamCopier::copyToString(req.stream(), seen_body);
    resp.setStatus(Poco::Net::HTTPResponse::HTTP_CREATED);
    resp.sendBuffer(R"({"id":"new-1"})", 14);
  });
  auto r = call(echo_, "create_contact", new_contact(), context_for(server));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r.value().at("id"), "new-1");
  EXPECT_EQ(r.value().at("type"), "Lead");
  EXPECT_EQ(seen_auth, "Bearer tok-123");
  EXPECT_EQ(seen_uri, "/api/contacts");
  EXPECT_EQ(boost::json::parse(seen_body).at("last_name"), "Lovelace");
}

TEST_F(PluginHttp, HttpErrorIsClassifiedByThePlugin) {
  LoopbackServer server([](auto&, Poco::Net::HTTPServerResponse& resp) {
    resp.setStatus(Poco::Net::HTTPResponse::HTTP_UNAUTHORIZED);
    resp.sendBuffer("{}", 2);
  });
  auto r = call(echo_, "create_contact", new_contact(), context_for(server));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "auth_expired");
  EXPECT_EQ(r.error().crm_status, 401);
}

TEST_F(PluginHttp, HookSeesTheCallScopeAndWrapsTheRequest) {
  LoopbackServer server([](auto&, Poco::Net::HTTPServerResponse& resp) { resp.sendBuffer(R"({"id":"h"})", 10); });
  std::vector<std::string> seen;
  services_->set_http_hook([&](const CallScope& scope, const sdk::HttpRequest& req, const HttpNext& next) {
    seen.push_back(scope.plugin_id + "|" + scope.connection_id + "|" + scope.tenant_id + "|" + req.method);
    auto result = next(req);
    seen.push_back(result ? std::to_string(result.value().status) : result.error().code);
    return result;
  });
  auto r = call(echo_, "create_contact", new_contact(), context_for(server));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(seen, (std::vector<std::string>{"echo|conn-42|tenant-7|POST", "200"}));
}

TEST_F(PluginHttp, HookCanRefuseARequest) {
  LoopbackServer server([](auto&, Poco::Net::HTTPServerResponse& resp) { resp.sendBuffer("{}", 2); });
  services_->set_http_hook([](const CallScope&, const sdk::HttpRequest&, const HttpNext&) -> Result<sdk::HttpResponse> {
    Error e = Error::make(error_code::kRateLimited, "connection conn-42 is over its request budget", true);
    e.retry_after_ms = 250;
    return e;
  });
  auto r = call(echo_, "create_contact", new_contact(), context_for(server));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "rate_limited");
  EXPECT_EQ(r.error().retry_after_ms, 250);
  EXPECT_EQ(server.requests(), 0);
  services_->set_http_hook({});
  EXPECT_TRUE(call(echo_, "create_contact", new_contact(), context_for(server)).ok());
}

TEST_F(PluginHttp, PassedDeadlineFailsWithoutANetworkRequest) {
  LoopbackServer server([](auto&, Poco::Net::HTTPServerResponse& resp) { resp.sendBuffer("{}", 2); });
  scope_.deadline_unix_ms = wall_ms() - 1;
  auto r = call(echo_, "create_contact", new_contact(), context_for(server));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "timeout");
  EXPECT_THAT(r.error().message, HasSubstr("deadline passed"));
  EXPECT_EQ(server.requests(), 0);
}

TEST_F(PluginHttp, RequestTimeoutIsClampedToTheDeadline) {
  std::unique_ptr<LoopbackServer> server;
  server = std::make_unique<LoopbackServer>([&](auto&, Poco::Net::HTTPServerResponse& resp) {
    server->sleep_unless_stopping(std::chrono::seconds(3));
    resp.sendBuffer("{}", 2);
  });
  scope_.deadline_unix_ms = wall_ms() + 300; // the echo plugin asks for the SDK default of 30 s
  const auto started = std::chrono::steady_clock::now();
  auto r = call(echo_, "create_contact", new_contact(), context_for(*server));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "timeout");
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(1500));
}

TEST(HostClock, DeadlinesUseTheHostsClock) {
  std::atomic<std::int64_t> now{1'000'000};
  auto services = make_services([&] { return now.load(); });
  PluginRegistry registry(services);
  registry.load_file(test::fixture("good", "echo.so"));
  const LoadedPlugin* echo = registry.find("echo");
  ASSERT_NE(echo, nullptr);
  LoopbackServer server([](auto&, Poco::Net::HTTPServerResponse& resp) { resp.sendBuffer(R"({"id":"c"})", 10); });
  const boost::json::object context{{"settings", {{"base_url", server.url("")}}}};
  const boost::json::object request{{"last_name", "X"}};
  CallScope scope{"echo", "c1", "t1", 1'000'500};
  EXPECT_TRUE(echo->invoke("create_contact", request, context, scope).ok());
  now = 1'000'600; // the test moves the clock past the deadline
  auto late = echo->invoke("create_contact", request, context, scope);
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.error().code, "timeout");
  EXPECT_EQ(services->now_unix_ms(), 1'000'600);
}

} // namespace
} // namespace appconnect::plugins
