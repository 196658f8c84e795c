// Operating the host, end to end over loopback with `appconnect serve` as a child process: /metrics
// counts what the pipeline did, /readyz says whether the host can serve, request ids reach the response
// and the log, signed native events (HMAC), the HTTPS listener, and request limits.
#include "ingest/signature.hpp"
#include "support/testing.hpp"

#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/RejectCertificateHandler.h>
#include <Poco/Net/SSLException.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

namespace appconnect::testing {
namespace {
using ::testing::HasSubstr;
using ::testing::Not;
using namespace std::chrono_literals;

std::string file_text(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The value of one sample line "name{labels} value" in a Prometheus text body; -1 when absent.
double sample(const std::string& body, const std::string& series) {
  std::istringstream lines(body);
  std::string line;
  while (std::getline(lines, line))
    if (line.rfind(series + " ", 0) == 0) return std::stod(line.substr(series.size() + 1));
  return -1;
}

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

TEST(Metrics, CountWhatThePipelineDidAndReadinessHoldsWhileTheHostServes) {
  SandboxProcess sandbox;
  HostProcess host(boost::json::object{
      {"metrics_token", "metrics-token-1"},
      {"connections", boost::json::array{salesforce_connection("sf-1", "default", sandbox.base_url())}}});
  ASSERT_EQ(host.post_event(call_event("m-1", "s-m-1", "+14155550132")).status, 202);
  ASSERT_EQ(host.wait_settled("m-1").at("jobs").at(0).at("state").as_string(), "done");
  // The same event again is a duplicate: it must not count as received twice.
  ASSERT_EQ(host.post_event(call_event("m-1", "s-m-1", "+14155550132")).status, 200);

  auto anonymous = http("GET", host.base_url() + "/metrics");
  EXPECT_EQ(anonymous.status, 401);
  EXPECT_EQ(anonymous.json().at("error").at("code").as_string(), "unauthorized");

  auto m = http("GET", host.base_url() + "/metrics", {}, {{"Authorization", "Bearer metrics-token-1"}});
  ASSERT_EQ(m.status, 200) << m.body;
  EXPECT_THAT(m.header("content-type"), HasSubstr("text/plain; version=0.0.4"));
  EXPECT_EQ(sample(m.body, R"(appconnect_events_received_total{tenant="default",kind="call"})"), 1) << m.body;
  EXPECT_EQ(sample(m.body, R"(appconnect_jobs_total{outcome="logged"})"), 1) << m.body;
  EXPECT_EQ(sample(m.body, R"(appconnect_jobs_total{outcome="failed"})"), 0);
  EXPECT_EQ(sample(m.body, R"(appconnect_jobs{state="done"})"), 1);
  EXPECT_EQ(sample(m.body, R"(appconnect_connection_needs_reauthorization{connection="sf-1"})"), 0);
  EXPECT_EQ(sample(m.body, R"(appconnect_circuit_open{connection="sf-1"})"), 0);
  // At least a contact search and a Task write went to the CRM; buckets are cumulative.
  const double searches =
      sample(m.body, R"(appconnect_crm_request_seconds_count{connector="salesforce",operation="find_contacts"})");
  EXPECT_GE(searches, 1) << m.body;
  EXPECT_EQ(
      sample(m.body,
             R"(appconnect_crm_request_seconds_bucket{connector="salesforce",operation="find_contacts",le="+Inf"})"),
      searches);
  EXPECT_LE(
      sample(m.body,
             R"(appconnect_crm_request_seconds_bucket{connector="salesforce",operation="find_contacts",le="0.005"})"),
      sample(m.body,
             R"(appconnect_crm_request_seconds_bucket{connector="salesforce",operation="find_contacts",le="30"})"));
  EXPECT_GT(sample(m.body, "process_resident_memory_bytes"), 1e6);
  EXPECT_GE(sample(m.body, "appconnect_uptime_seconds"), 0);
  EXPECT_THAT(m.body, HasSubstr("# TYPE appconnect_crm_request_seconds histogram"));
  EXPECT_THAT(m.body, Not(HasSubstr("demo-secret")));

  auto ready = http("GET", host.base_url() + "/readyz");
  ASSERT_EQ(ready.status, 200) << ready.body;
  const auto doc = ready.json();
  EXPECT_EQ(doc.at("status").as_string(), "ready");
  EXPECT_TRUE(doc.at("checks").at("database").at("ok").as_bool());
  EXPECT_TRUE(doc.at("checks").at("migrations").at("ok").as_bool());
  EXPECT_GE(doc.at("checks").at("plugins").at("loaded").as_int64(), 1);
}

TEST(Readiness, AHostWithoutTheConnectorPluginIsNotReady) {
  TempDir empty("appconnect-no-plugins");
  HostProcess host(boost::json::object{
      {"plugin_dirs", boost::json::array{empty.str()}},
      {"connections", boost::json::array{salesforce_connection("sf-1", "default", "http://127.0.0.1:9")}}});
  auto ready = http("GET", host.base_url() + "/readyz");
  ASSERT_EQ(ready.status, 503) << ready.body;
  const auto doc = ready.json();
  EXPECT_EQ(doc.at("error").at("code").as_string(), "not_ready");
  EXPECT_TRUE(doc.at("checks").at("database").at("ok").as_bool());
  EXPECT_FALSE(doc.at("checks").at("plugins").at("ok").as_bool());
  EXPECT_THAT(std::string(doc.at("checks").at("plugins").at("reason").as_string()), HasSubstr("no connector plugin"));
  // Liveness is another question: /healthz still answers.
  EXPECT_NE(http("GET", host.base_url() + "/healthz").status, 0);
}

TEST(Logs, RequestIdsAreEchoedAndLoggedWithTheEventIdInJsonOrText) {
  for (const std::string format : {"json", "text"}) {
    HostProcess host(boost::json::object{{"log_format", format}});
    auto sent =
        http("POST", host.base_url() + "/v1/events", boost::json::serialize(call_event("r-1", "s-r-1", "+14155550132")),
             {{"X-Request-Id", "req-abc-123"}});
    ASSERT_EQ(sent.status, 202) << sent.body;
    EXPECT_EQ(sent.header("x-request-id"), "req-abc-123");
    // A made-up id when none (or an unusable one) is sent.
    auto generated = http("GET", host.base_url() + "/healthz", {}, {{"X-Request-Id", "bad id with spaces"}});
    EXPECT_TRUE(std::regex_match(generated.header("x-request-id"), std::regex("[0-9a-f]{16}")))
        << generated.header("x-request-id");
    std::string accepted_line;
    for (int i = 0; i < 50 && accepted_line.empty(); ++i) {
      std::istringstream log(file_text(host.dir().file("host.log")));
      std::string line;
      while (std::getline(log, line))
        if (line.find("event accepted") != std::string::npos) accepted_line = line;
      if (accepted_line.empty()) std::this_thread::sleep_for(100ms);
    }
    ASSERT_FALSE(accepted_line.empty()) << file_text(host.dir().file("host.log"));
    if (format == "json") {
      const auto line = boost::json::parse(accepted_line);
      EXPECT_EQ(line.at("request_id").as_string(), "req-abc-123");
      EXPECT_EQ(line.at("event_id").as_string(), "r-1");
      EXPECT_EQ(line.at("component").as_string(), "ingest");
    } else {
      EXPECT_THAT(accepted_line, HasSubstr(" info ingest: event accepted"));
      EXPECT_THAT(accepted_line, HasSubstr("request_id=req-abc-123"));
      EXPECT_THAT(accepted_line, HasSubstr("event_id=r-1"));
    }
  }
}

TEST(SignedEvents, TheNativeEndpointRequiresAFreshHmacSignatureWhenASecretIsSet) {
  HostProcess host(boost::json::object{
      {"ingest_hmac_secret", "hmac-secret-global"},
      {"tenants", boost::json::array{
                      boost::json::object{{"id", "default"}},
                      boost::json::object{{"id", "t2"}, {"settings", {{"ingest_hmac_secret", "hmac-secret-t2"}}}}}}});
  const std::string url = host.base_url() + "/v1/events";
  const std::string body = boost::json::serialize(call_event("h-1", "s-h-1", "+14155550132"));
  auto post = [&](const std::string& text, const std::string& signature) {
    std::map<std::string, std::string> headers;
    if (!signature.empty()) headers["X-AppConnect-Signature"] = signature;
    return http("POST", url, text, headers);
  };
  auto code_of = [](const HttpResult& r) { return std::string(r.json().at("error").at("code").as_string()); };

  auto missing = post(body, "");
  EXPECT_EQ(missing.status, 401);
  EXPECT_EQ(code_of(missing), "signature_required");
  auto wrong_secret = post(body, ingest::signature_header("not-the-secret", unix_now(), body));
  EXPECT_EQ(wrong_secret.status, 401);
  EXPECT_EQ(code_of(wrong_secret), "signature_invalid");
  // Signed for another body (the body was altered on the way).
  auto altered = post(body + " ", ingest::signature_header("hmac-secret-global", unix_now(), body));
  EXPECT_EQ(altered.status, 401);
  EXPECT_EQ(code_of(altered), "signature_invalid");
  auto old = post(body, ingest::signature_header("hmac-secret-global", unix_now() - 301, body));
  EXPECT_EQ(old.status, 401);
  EXPECT_EQ(code_of(old), "signature_expired");
  auto garbage = post(body, "v1=abc");
  EXPECT_EQ(garbage.status, 401);
  EXPECT_EQ(code_of(garbage), "signature_invalid");
  // No error body repeats the secret or the expected digest.
  const std::string expected_digest = ingest::sign_body("hmac-secret-global", unix_now(), body);
  for (const auto* r : {&missing, &wrong_secret, &altered, &old, &garbage}) {
    EXPECT_THAT(r->body, Not(HasSubstr("hmac-secret")));
    EXPECT_THAT(r->body, Not(HasSubstr(expected_digest.substr(0, 16))));
  }
  // Nothing refused was stored.
  EXPECT_EQ(http("GET", host.base_url() + "/v1/events/h-1").status, 404);

  auto good = post(body, ingest::signature_header("hmac-secret-global", unix_now(), body));
  EXPECT_EQ(good.status, 202) << good.body;
  // Within the tolerance either way, and with a second (rotated) v1 value present.
  const std::string body2 = boost::json::serialize(call_event("h-2", "s-h-2", "+14155550132"));
  const auto t = unix_now() + 200;
  auto rotating = post(body2, "t=" + std::to_string(t) + ",v1=" + std::string(64, '0') +
                                  ",v1=" + ingest::sign_body("hmac-secret-global", t, body2));
  EXPECT_EQ(rotating.status, 202) << rotating.body;

  // A tenant with its own secret: the global one does not open it.
  const std::string body3 = boost::json::serialize(call_event("h-3", "s-h-3", "+14155550132", "t2"));
  auto global_for_t2 = post(body3, ingest::signature_header("hmac-secret-global", unix_now(), body3));
  EXPECT_EQ(global_for_t2.status, 401);
  auto own_for_t2 = post(body3, ingest::signature_header("hmac-secret-t2", unix_now(), body3));
  EXPECT_EQ(own_for_t2.status, 202) << own_for_t2.body;
}

struct HttpsResult {
  int status = 0;
  std::string body;
};

// GET over HTTPS, verifying the server against `ca_file` (empty: the system's CAs).
HttpsResult https_request(const std::string& method, const std::string& url, const std::string& ca_file,
                          const std::string& body = {}) {
  static const bool ssl_ready = [] {
    Poco::Net::initializeSSL();
    // A certificate that fails verification is refused (an exception), never accepted after a prompt.
    Poco::Net::SSLManager::instance().initializeClient(
        nullptr, new Poco::Net::RejectCertificateHandler(false),
        new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, "", "", "", Poco::Net::Context::VERIFY_STRICT));
    return true;
  }();
  (void)ssl_ready;
  Poco::URI uri(url);
  Poco::Net::Context::Ptr context = new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, "", "", ca_file,
                                                           Poco::Net::Context::VERIFY_STRICT, 9, ca_file.empty());
  Poco::Net::HTTPSClientSession session(uri.getHost(), uri.getPort(), context);
  session.setTimeout(Poco::Timespan(10, 0));
  Poco::Net::HTTPRequest request(method, uri.getPathEtc(), Poco::Net::HTTPMessage::HTTP_1_1);
  if (!body.empty()) {
    request.setContentType("application/json");
    request.setContentLength(static_cast<std::streamsize>(body.size()));
  }
  session.sendRequest(request) << body;
  Poco::Net::HTTPResponse response;
  auto& in = session.receiveResponse(response);
  HttpsResult r;
  r.status = response.getStatus();
  Poco::StreamCopier::copyToString(in, r.body);
  return r;
}

TEST(Tls, TheHostServesHttpsWithItsCertificateAndRefusesPlainHttp) {
  TempDir certs("appconnect-tls");
  const auto cert = certs.file("cert.pem").string();
  const auto key = certs.file("key.pem").string();
  const std::string cmd =
      "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 -addext "
      "subjectAltName=IP:127.0.0.1 -keyout '" +
      key + "' -out '" + cert + "' >/dev/null 2>&1";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  HostProcess host(boost::json::object{{"tls", {{"cert_file", cert}, {"key_file", key}}}});
  ASSERT_EQ(host.base_url().rfind("https://127.0.0.1:", 0), 0u) << host.base_url();

  auto posted = https_request("POST", host.base_url() + "/v1/events", cert,
                              boost::json::serialize(call_event("tls-1", "s-tls-1", "+14155550132")));
  EXPECT_EQ(posted.status, 202) << posted.body;
  auto read = https_request("GET", host.base_url() + "/v1/events/tls-1", cert);
  EXPECT_EQ(read.status, 200);
  EXPECT_EQ(boost::json::parse(read.body).at("id").as_string(), "tls-1");

  // A client that does not trust this certificate refuses the connection: verification is real.
  EXPECT_ANY_THROW(https_request("GET", host.base_url() + "/healthz", ""));

  // Plain HTTP to the HTTPS port gets no HTTP answer.
  const std::string plain = "http://" + host.base_url().substr(std::string("https://").size());
  int plain_status = 0;
  try {
    plain_status = http("GET", plain + "/healthz", {}, {}, 5s).status;
  } catch (const std::exception&) {
    plain_status = -1;
  }
  EXPECT_NE(plain_status, 200);
  EXPECT_NE(plain_status, 503);
}

TEST(Limits, AnOversizedBodyIsRefusedWith413AndTheConfiguredLimitsAreAccepted) {
  HostProcess host(
      boost::json::object{{"max_body_bytes", 2048},
                          {"http", {{"max_connections", 4}, {"max_queued_connections", 8}, {"timeout_ms", 5000}}}});
  auto big = http("POST", host.base_url() + "/v1/events", std::string(4096, ' ') + "{}");
  ASSERT_EQ(big.status, 413) << big.body;
  EXPECT_EQ(big.json().at("error").at("code").as_string(), "payload_too_large");
  // Under the limit it is an ordinary request.
  EXPECT_EQ(host.post_event(call_event("l-1", "s-l-1", "+14155550132")).status, 202);
  // Several clients at once are all served (4 threads, 8 queued).
  std::vector<std::thread> clients;
  std::atomic<int> ok{0};
  for (int i = 0; i < 8; ++i)
    clients.emplace_back([&] {
      if (http("GET", host.base_url() + "/healthz").status == 200) ++ok;
    });
  for (auto& c : clients) c.join();
  EXPECT_EQ(ok.load(), 8);
}

} // namespace
} // namespace appconnect::testing
