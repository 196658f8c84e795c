// Config keys of the listener and observability: tls, http limits, log_format, metrics_token and the
// ingest HMAC secret.
#include "config/config.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace appconnect::config {
namespace {
using ::testing::HasSubstr;

TEST(OperationsConfig, DefaultsAreSaneWithoutAFile) {
  const Config c = default_config();
  EXPECT_FALSE(c.tls.enabled());
  EXPECT_EQ(c.log_format, "json");
  EXPECT_TRUE(c.metrics_token.empty());
  EXPECT_TRUE(c.ingest_hmac_secret.empty());
  EXPECT_EQ(c.http.max_connections, 64);
  EXPECT_EQ(c.http.max_queued_connections, 256);
  EXPECT_EQ(c.http.timeout_ms, 30000);
}

TEST(OperationsConfig, ValuesAreReadAndTlsPathsAreRelativeToTheFile) {
  auto c = parse_config_text(R"({"tls": {"cert_file": "tls/cert.pem", "key_file": "/etc/key.pem"},
      "http": {"max_connections": 8, "max_queued_connections": 16, "timeout_ms": 5000,
               "keep_alive_timeout_ms": 2000, "max_keep_alive_requests": 10},
      "log_format": "text", "metrics_token": "m", "ingest_hmac_secret": "h", "max_body_bytes": 4096})",
                             "/srv/appconnect/appconnect.json");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_TRUE(c.value().tls.enabled());
  EXPECT_EQ(c.value().tls.cert_file, std::filesystem::path("/srv/appconnect/tls/cert.pem"));
  EXPECT_EQ(c.value().tls.key_file, std::filesystem::path("/etc/key.pem"));
  EXPECT_EQ(c.value().http.max_connections, 8);
  EXPECT_EQ(c.value().http.max_queued_connections, 16);
  EXPECT_EQ(c.value().http.timeout_ms, 5000);
  EXPECT_EQ(c.value().http.keep_alive_timeout_ms, 2000);
  EXPECT_EQ(c.value().http.max_keep_alive_requests, 10);
  EXPECT_EQ(c.value().log_format, "text");
  EXPECT_EQ(c.value().metrics_token, "m");
  EXPECT_EQ(c.value().ingest_hmac_secret, "h");
  EXPECT_EQ(c.value().max_body_bytes, 4096);
}

TEST(OperationsConfig, BadValuesAreRefusedByName) {
  struct Case {
    const char* text;
    const char* named;
  };
  for (const Case& k :
       {Case{R"({"tls": {"cert_file": "c.pem"}})", "key_file"},
        Case{R"({"tls": {"cert_file": "c", "key_file": "k", "ca": "x"}})", "unknown key 'ca'"},
        Case{R"({"http": {"max_connections": 0}})", "http.max_connections"},
        Case{R"({"http": {"timeout_ms": 5}})", "http.timeout_ms"},
        Case{R"({"http": {"threads": 5}})", "unknown key 'threads'"}, Case{R"({"log_format": "xml"})", "log_format"},
        Case{R"({"max_body_bytes": 0})", "max_body_bytes"}}) {
    auto c = parse_config_text(k.text, "x.json");
    ASSERT_FALSE(c) << k.text;
    EXPECT_THAT(c.error().message, HasSubstr(k.named)) << k.text;
  }
}

} // namespace
} // namespace appconnect::config
