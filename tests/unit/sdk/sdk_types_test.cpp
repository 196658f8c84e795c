// The SDK's documents must survive a round trip through JSON unchanged, and decoding must be lenient
// about unknown fields (forward compatibility) but strict about types of known ones.
#include <appconnect/plugin.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

extern "C" int appconnect_abi_c11_check(void);

namespace appconnect::sdk {
namespace {

template <class T>
T round_trip(const T& value) {
  const std::string text = boost::json::serialize(boost::json::value_from(value));
  return boost::json::value_to<T>(boost::json::parse(text));
}

TEST(SdkAbi, HeaderCompilesAsC11) {
  EXPECT_EQ(appconnect_abi_c11_check(), 0);
}

TEST(SdkTypes, ContactRoundTrip) {
  Contact c{
      "003A",       "Contact", "Ada Lovelace",         "(415) 555-0132",           "+14155550199",    "ada@example.com",
      "Analytical", "005X",    "2024-05-01T10:00:00Z", "2024-06-01T09:30:00.123Z", "https://crm/003A"};
  const Contact back = round_trip(c);
  EXPECT_EQ(back.id, c.id);
  EXPECT_EQ(back.type, c.type);
  EXPECT_EQ(back.name, c.name);
  EXPECT_EQ(back.phone, c.phone);
  EXPECT_EQ(back.mobile_phone, c.mobile_phone);
  EXPECT_EQ(back.email, c.email);
  EXPECT_EQ(back.company, c.company);
  EXPECT_EQ(back.owner_id, c.owner_id);
  EXPECT_EQ(back.created_at, c.created_at);
  EXPECT_EQ(back.modified_at, c.modified_at);
  EXPECT_EQ(back.url, c.url);
}

TEST(SdkTypes, CallLogRoundTripKeepsEveryField) {
  CallLog l;
  l.external_id = "call:s-1:101";
  l.contact_id = "003A";
  l.contact_type = "Contact";
  l.owner_id = "005X";
  l.direction = "outbound";
  l.from_phone = "+16505550100";
  l.to_phone = "+14155550132";
  l.start_time = "2026-11-25T09:30:00Z";
  l.duration_s = 95;
  l.result = "answered";
  l.subject = "Outbound call to +14155550132";
  l.body = "Direction: Outbound\n";
  l.body_format = "markdown";
  l.recording_url = "https://rec/1";
  l.pending = true;
  const auto back = round_trip(UpdateCallLogRequest{"00T1", l});
  EXPECT_EQ(back.id, "00T1");
  EXPECT_EQ(back.log.external_id, l.external_id);
  EXPECT_EQ(back.log.contact_type, l.contact_type);
  EXPECT_EQ(back.log.owner_id, l.owner_id);
  EXPECT_EQ(back.log.direction, l.direction);
  EXPECT_EQ(back.log.from_phone, l.from_phone);
  EXPECT_EQ(back.log.to_phone, l.to_phone);
  EXPECT_EQ(back.log.start_time, l.start_time);
  EXPECT_EQ(back.log.duration_s, 95);
  EXPECT_EQ(back.log.result, l.result);
  EXPECT_EQ(back.log.subject, l.subject);
  EXPECT_EQ(back.log.body, l.body);
  EXPECT_EQ(back.log.body_format, "markdown");
  EXPECT_EQ(back.log.recording_url, l.recording_url);
  EXPECT_TRUE(back.log.pending);
}

TEST(SdkTypes, MessageLogRoundTrip) {
  MessageLog m;
  m.external_id = "sms:c-1:101:2026-11-25";
  m.kind = "fax";
  m.contact_id = "003A";
  m.direction = "inbound";
  m.start_time = "2026-11-25T09:30:00Z";
  m.subject = "Fax received (3 pages)";
  m.body = "...";
  m.message_count = 1;
  m.fax_pages = 3;
  m.attachment_url = "https://fax/1.pdf";
  const auto back = round_trip(CreateMessageLogRequest{m}).log;
  EXPECT_EQ(back.kind, "fax");
  EXPECT_EQ(back.fax_pages, 3);
  EXPECT_EQ(back.attachment_url, m.attachment_url);
  EXPECT_EQ(back.subject, m.subject);
}

TEST(SdkTypes, FindContactsRequestAndResult) {
  FindContactsRequest r{"+14155550132", {"4155550132", "(415) 555-0132"}, {"Lead"}, 5};
  const auto back = round_trip(r);
  EXPECT_EQ(back.phone_e164, r.phone_e164);
  EXPECT_EQ(back.variants, r.variants);
  EXPECT_EQ(back.types, r.types);
  EXPECT_EQ(back.limit, 5);
  FindContactsResult res;
  res.contacts.push_back(Contact{"1", "Lead", "Bob", {}, {}, {}, {}, {}, {}, {}, {}});
  EXPECT_EQ(round_trip(res).contacts.at(0).id, "1");
}

TEST(SdkTypes, FindLogResultDistinguishesFoundFromAbsent) {
  FindLogByExternalIdResult none;
  EXPECT_FALSE(round_trip(none).record.has_value());
  FindLogByExternalIdResult some;
  some.record = LogRecordRef{"00T1", "Task", "u"};
  ASSERT_TRUE(round_trip(some).record.has_value());
  EXPECT_EQ(round_trip(some).record->id, "00T1");
}

TEST(SdkTypes, TokensAndUsers) {
  OAuthTokens t;
  t.access_token = "a";
  t.refresh_token = "r";
  t.expires_in_s = 1800;
  t.settings["instance_url"] = "http://127.0.0.1:1";
  const auto back = round_trip(t);
  EXPECT_EQ(back.access_token, "a");
  EXPECT_EQ(back.refresh_token, "r");
  EXPECT_EQ(back.expires_in_s, 1800);
  EXPECT_EQ(back.settings.at("instance_url").as_string(), "http://127.0.0.1:1");
  ListUsersResult users;
  users.users.push_back(CrmUser{"005", "Sam", "sam@example.com", false});
  EXPECT_FALSE(round_trip(users).users.at(0).active);
}

TEST(SdkTypes, UnknownFieldsAreIgnored) {
  const auto v = boost::json::parse(R"({"id":"1","type":"Contact","name":"A","added_in_v1_7":{"x":1}})");
  EXPECT_EQ(boost::json::value_to<Contact>(v).id, "1");
}

TEST(SdkTypes, WrongTypesAndMissingRequiredFieldsAreNamed) {
  try {
    (void)boost::json::value_to<FindContactsRequest>(boost::json::parse(R"({"phone_e164":42})"));
    FAIL() << "expected an error";
  } catch (const json_fields::FieldError& e) {
    EXPECT_THAT(e.what(), ::testing::HasSubstr("phone_e164"));
  }
  try {
    (void)boost::json::value_to<CreateCallLogRequest>(boost::json::parse(R"({"log":{"subject":"x"}})"));
    FAIL() << "expected an error";
  } catch (const json_fields::FieldError& e) {
    EXPECT_THAT(e.what(), ::testing::HasSubstr("external_id"));
  }
}

TEST(SdkErrors, ErrorDocumentRoundTrip) {
  Error e = Error::make(error_code::kRateLimited, "slow down", true);
  e.retry_after_ms = 2000;
  e.crm_status = 429;
  e.crm_error = boost::json::parse(R"({"status":"error","policyName":"TEN_SECONDLY_ROLLING"})");
  const auto back = boost::json::value_to<Error>(boost::json::value_from(e));
  EXPECT_EQ(back.code, "rate_limited");
  EXPECT_TRUE(back.retryable);
  EXPECT_EQ(back.retry_after_ms, 2000);
  EXPECT_EQ(back.crm_status, 429);
  EXPECT_EQ(back.crm_error.at("policyName").as_string(), "TEN_SECONDLY_ROLLING");
}

TEST(SdkHttp, ClassificationIsTheSameForEveryConnector) {
  auto classify = [](int status, std::map<std::string, std::string> headers = {}) {
    HttpResponse r;
    r.status = status;
    r.headers = std::move(headers);
    return classify_http_error(r);
  };
  EXPECT_EQ(classify(401).code, "auth_expired");
  EXPECT_TRUE(classify(401).retryable);
  EXPECT_EQ(classify(403).code, "permission");
  EXPECT_FALSE(classify(403).retryable);
  EXPECT_EQ(classify(404).code, "not_found");
  EXPECT_EQ(classify(400).code, "validation");
  EXPECT_FALSE(classify(422).retryable);
  EXPECT_TRUE(classify(408).retryable);
  const Error limited = classify(429, {{"retry-after", "3"}});
  EXPECT_EQ(limited.code, "rate_limited");
  EXPECT_TRUE(limited.retryable);
  EXPECT_EQ(limited.retry_after_ms, 3000);
  EXPECT_EQ(classify(503).code, "unavailable");
  EXPECT_TRUE(classify(500).retryable);
}

TEST(SdkHttp, UrlAndFormEncoding) {
  EXPECT_EQ(url_encode("a b&c=d/é"), "a%20b%26c%3Dd%2F%C3%A9");
  EXPECT_EQ(form_encode({{"grant_type", "refresh_token"}, {"refresh_token", "x+y"}}),
            "grant_type=refresh_token&refresh_token=x%2By");
}

TEST(SdkTime, ParsesEveryCrmSpellingToTheSameInstant) {
  const auto z = time::parse_iso8601_ms("2024-05-01T10:00:00Z");
  ASSERT_TRUE(z.has_value());
  EXPECT_EQ(time::parse_iso8601_ms("2024-05-01T10:00:00.000+0000"), z); // Salesforce
  EXPECT_EQ(time::parse_iso8601_ms("2024-05-01T15:30:00+05:30"), z);    // Zoho
  EXPECT_EQ(time::parse_iso8601_ms("2024-05-01T03:00:00-07:00"), z);
  EXPECT_EQ(*time::parse_iso8601_ms("2024-05-01T10:00:00.123Z") - *z, 123);
  EXPECT_EQ(time::format_iso8601_utc(*z), "2024-05-01T10:00:00Z");
  EXPECT_EQ(time::to_utc("2024-05-01T15:30:00+05:30"), "2024-05-01T10:00:00Z");
  EXPECT_EQ(time::format_iso8601_utc(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(time::format_iso8601_utc(951782400000), "2000-02-29T00:00:00Z");
}

TEST(SdkTime, RefusesAmbiguousOrBrokenTimes) {
  EXPECT_FALSE(time::parse_iso8601_ms("2024-05-01T10:00:00").has_value()); // no zone
  EXPECT_FALSE(time::parse_iso8601_ms("yesterday").has_value());
  EXPECT_FALSE(time::parse_iso8601_ms("2024-13-01T10:00:00Z").has_value());
  EXPECT_FALSE(time::parse_iso8601_ms("2024-05-01T10:00:00Zjunk").has_value());
}

} // namespace
} // namespace appconnect::sdk
