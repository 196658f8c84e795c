// The appconnect_host table driven directly through its C function pointers, as a plugin would.
#include "plugins/host_services.hpp"
#include "common/log.hpp"
#include "unit/httpclient/loopback_server.hpp"
#include "unit/plugins/plugin_test_util.hpp"

#include <boost/json.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstring>

namespace appconnect::plugins {
namespace {

using appconnect_test::LoopbackServer;
using test::make_services;
using ::testing::HasSubstr;
using ::testing::Not;

struct Capture {
  std::string text;
  appconnect_sink sink{
      this, [](void* ctx, const char* data, size_t size) { static_cast<Capture*>(ctx)->text.assign(data, size); }};
  boost::json::object doc() const { return boost::json::parse(text).as_object(); }
};

appconnect_status http(const appconnect_host* host, void* handle, const std::string& request, Capture& out) {
  return host->http_request(handle, request.data(), request.size(), &out.sink);
}

TEST(HostServices, TableDescribesTheHost) {
  auto services = make_services();
  const appconnect_host* host = services->table();
  EXPECT_EQ(host->struct_size, sizeof(appconnect_host));
  EXPECT_EQ(host->abi_major, APPCONNECT_ABI_MAJOR);
  EXPECT_EQ(host->abi_minor, APPCONNECT_ABI_MINOR);
  EXPECT_GT(std::strlen(host->host_name), 0u);
  EXPECT_GT(std::strlen(host->host_version), 0u);
  ASSERT_NE(host->log, nullptr);
  ASSERT_NE(host->now_unix_ms, nullptr);
  ASSERT_NE(host->http_request, nullptr);
}

TEST(HostServices, HttpRequestPerformsTheExchange) {
  LoopbackServer server([](Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& resp) {
    resp.set("X-Method", req.getMethod());
    resp.setStatus(Poco::Net::HTTPResponse::HTTP_ACCEPTED);
    resp.sendBuffer("done", 4);
  });
  auto services = make_services();
  CallScope scope{"p", "c", "t", 0};
  CallFrame frame{&scope, services.get()};
  Capture out;
  const std::string req = boost::json::serialize(boost::json::object{{"method", "DELETE"}, {"url", server.url("/x")}});
  ASSERT_EQ(http(services->table(), &frame, req, out), APPCONNECT_STATUS_OK);
  const auto doc = out.doc();
  EXPECT_EQ(doc.at("status"), 202);
  EXPECT_EQ(doc.at("body"), "done");
  EXPECT_EQ(doc.at("headers").at("x-method"), "DELETE");
}

TEST(HostServices, TransportFailureIsAnErrorDocument) {
  auto services = make_services();
  CallScope scope{"p", "c", "t", 0};
  CallFrame frame{&scope, services.get()};
  Poco::Net::ServerSocket s(Poco::Net::SocketAddress("127.0.0.1", 0));
  const std::string url = "http://127.0.0.1:" + std::to_string(s.address().port()) + "/?key=secret";
  s.close();
  Capture out;
  ASSERT_EQ(http(services->table(), &frame, boost::json::serialize(boost::json::object{{"url", url}}), out),
            APPCONNECT_STATUS_ERROR);
  EXPECT_EQ(out.doc().at("code"), "transport");
  EXPECT_EQ(out.doc().at("retryable"), true);
  EXPECT_THAT(std::string(out.doc().at("message").as_string()), Not(HasSubstr("secret")));
}

TEST(HostServices, HttpRequestRefusesWhatItCannotServe) {
  auto services = make_services();
  const appconnect_host* host = services->table();
  CallScope scope{"p", "c", "t", 0};
  CallFrame frame{&scope, services.get()};

  Capture no_handle;
  EXPECT_EQ(http(host, nullptr, R"({"url":"http://127.0.0.1:1/"})", no_handle), APPCONNECT_STATUS_BAD_REQUEST);
  EXPECT_EQ(no_handle.doc().at("code"), "bad_request");
  EXPECT_THAT(std::string(no_handle.doc().at("message").as_string()), HasSubstr("call_handle"));

  Capture not_json;
  EXPECT_EQ(http(host, &frame, "{nope", not_json), APPCONNECT_STATUS_BAD_REQUEST);
  EXPECT_THAT(std::string(not_json.doc().at("message").as_string()), HasSubstr("not valid JSON"));

  Capture no_url;
  EXPECT_EQ(http(host, &frame, R"({"method":"GET"})", no_url), APPCONNECT_STATUS_BAD_REQUEST);
  EXPECT_THAT(std::string(no_url.doc().at("message").as_string()), HasSubstr("url"));

  Capture bad_scheme;
  EXPECT_EQ(http(host, &frame, R"({"url":"file:///etc/passwd"})", bad_scheme), APPCONNECT_STATUS_ERROR);
  EXPECT_EQ(bad_scheme.doc().at("code"), "bad_request");

  EXPECT_EQ(host->http_request(&frame, "{}", 2, nullptr), APPCONNECT_STATUS_BAD_REQUEST);
}

TEST(HostServices, ClockComesFromTheHost) {
  auto services = make_services([] { return std::int64_t{1234}; });
  CallScope scope{"p", "c", "t", 0};
  CallFrame frame{&scope, services.get()};
  EXPECT_EQ(services->table()->now_unix_ms(&frame), 1234);
  // Without a call handle the plugin still gets a sensible time: the system clock.
  const auto system_now =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  EXPECT_NEAR(static_cast<double>(services->table()->now_unix_ms(nullptr)), static_cast<double>(system_now), 5000.0);
}

TEST(HostServices, LogAttributesLinesAndKeepsTheLastProblemDuringLoading) {
  log::set_min_level(log::Level::kDebug);
  auto services = make_services();
  const appconnect_host* host = services->table();
  CallScope scope{"crm", "conn-9", "t", 0};
  CallFrame frame{&scope, services.get()};

  ::testing::internal::CaptureStderr();
  const std::string in_call = "inside a call";
  host->log(&frame, APPCONNECT_LOG_WARN, in_call.data(), in_call.size());
  std::string problem;
  {
    HostServices::LoadLogScope loading("crm.so");
    host->log(nullptr, APPCONNECT_LOG_ERROR, "first problem", 13);
    host->log(nullptr, APPCONNECT_LOG_INFO, "just info", 9);
    host->log(nullptr, APPCONNECT_LOG_WARN, "last problem", 12);
    problem = loading.last_problem();
  }
  host->log(nullptr, static_cast<appconnect_log_level>(99), "odd level", 9);
  host->log(nullptr, APPCONNECT_LOG_INFO, nullptr, 0);
  const std::string err = ::testing::internal::GetCapturedStderr();
  log::set_min_level(log::Level::kInfo);

  EXPECT_EQ(problem, "last problem");
  EXPECT_THAT(err, HasSubstr(R"("level":"warn","component":"plugin:crm","msg":"inside a call","connection":"conn-9")"));
  EXPECT_THAT(err, HasSubstr(R"("component":"plugin:crm.so","msg":"first problem")"));
  EXPECT_THAT(err, HasSubstr(R"("level":"info","component":"plugin","msg":"odd level")"));
}

TEST(HostServices, LongLogMessagesAreCapped) {
  auto services = make_services();
  const std::string huge(100000, 'x');
  ::testing::internal::CaptureStderr();
  services->table()->log(nullptr, APPCONNECT_LOG_ERROR, huge.data(), huge.size());
  const std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_LT(err.size(), 5000u);
}

} // namespace
} // namespace appconnect::plugins
