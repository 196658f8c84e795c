#include "plugins/manifest.hpp"

#include <boost/json.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace appconnect::plugins {
namespace {

using ::testing::HasSubstr;

// A valid manifest with one field replaced (or removed, when `value` is null-like "<remove>").
std::string with(std::string_view key, std::string_view value_json) {
  boost::json::object o = boost::json::parse(R"({
    "id": "salesforce", "name": "Salesforce", "version": "1.0.0", "vendor": "AppConnect",
    "abi": {"major": 1, "minor": 0},
    "capabilities": ["find_contacts", "create_call_log"],
    "contact_types": ["Contact", "Lead"], "body_formats": ["text"],
    "phone_search_formats": ["e164", "national_digits"],
    "oauth": {"authorize_url": "https://login.salesforce.com/services/oauth2/authorize"},
    "settings": [{"key": "login_url", "description": "Login host", "default": "https://login.salesforce.com"}]
  })")
                              .as_object();
  if (value_json == "<remove>") {
    o.erase(key);
  } else {
    o[key] = boost::json::parse(value_json);
  }
  return boost::json::serialize(o);
}

std::string error_of(std::string_view text) {
  auto r = parse_manifest(text);
  EXPECT_FALSE(r.ok()) << text;
  if (r.ok()) return {};
  EXPECT_EQ(r.error().code, "validation");
  EXPECT_FALSE(r.error().retryable);
  return r.error().message;
}

TEST(Manifest, ParsesTheDocumentedExample) {
  auto r = parse_manifest(with("unknown_future_field", R"({"kept": true})"));
  ASSERT_TRUE(r.ok()) << r.error().message;
  const Manifest& m = r.value();
  EXPECT_EQ(m.id, "salesforce");
  EXPECT_EQ(m.name, "Salesforce");
  EXPECT_EQ(m.version, "1.0.0");
  EXPECT_EQ(m.abi_major, 1);
  EXPECT_EQ(m.abi_minor, 0);
  EXPECT_EQ(m.capabilities, (std::vector<std::string>{"find_contacts", "create_call_log"}));
  EXPECT_EQ(m.contact_types, (std::vector<std::string>{"Contact", "Lead"}));
  EXPECT_EQ(m.body_formats, (std::vector<std::string>{"text"}));
  // Fields the parser does not model stay available to later readers.
  EXPECT_TRUE(m.raw.contains("oauth"));
  EXPECT_TRUE(m.raw.contains("unknown_future_field"));
}

TEST(Manifest, OptionalListsMayBeAbsent) {
  std::string text = with("contact_types", "<remove>");
  text = boost::json::serialize([&] {
    auto o = boost::json::parse(text).as_object();
    o.erase("body_formats");
    o.erase("settings");
    o.erase("oauth");
    o.erase("vendor");
    return o;
  }());
  auto r = parse_manifest(text);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(r.value().contact_types.empty());
}

TEST(Manifest, AcceptsEveryKnownCapability) {
  auto r = parse_manifest(with("capabilities", R"(["find_contacts","create_contact","create_call_log",
      "update_call_log","find_log_by_external_id","create_message_log","update_message_log","get_log","list_users",
      "oauth"])"));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r.value().capabilities.size(), kKnownCapabilities.size());
}

TEST(Manifest, RefusesWhatIsNotAJsonObject) {
  EXPECT_THAT(error_of("{\"id\": "), HasSubstr("not valid JSON"));
  EXPECT_THAT(error_of("[1,2]"), HasSubstr("must be a JSON object"));
  EXPECT_THAT(error_of(""), HasSubstr("not valid JSON"));
}

TEST(Manifest, IdMustMatchTheIdRule) {
  EXPECT_THAT(error_of(with("id", "<remove>")), HasSubstr("manifest field 'id'"));
  EXPECT_THAT(error_of(with("id", "42")), HasSubstr("manifest field 'id'"));
  for (const char* bad :
       {R"("Salesforce")", R"("x")", R"("9lives")", R"("has space")", R"("dots.not.allowed")", R"("")"}) {
    const std::string message = error_of(with("id", bad));
    EXPECT_THAT(message, HasSubstr("manifest field 'id'")) << bad;
    EXPECT_THAT(message, HasSubstr("^[a-z][a-z0-9_-]{1,63}$")) << bad;
  }
  EXPECT_THAT(error_of(with("id", "\"a" + std::string(64, 'b') + "\"")), HasSubstr("manifest field 'id'"));
  for (const char* good : {R"("zoho")", R"("my_crm-2")", R"("ab")"}) EXPECT_TRUE(parse_manifest(with("id", good)).ok());
  EXPECT_TRUE(parse_manifest(with("id", "\"a" + std::string(63, 'b') + "\"")).ok());
}

TEST(Manifest, NameMustBeNonEmpty) {
  EXPECT_THAT(error_of(with("name", "<remove>")), HasSubstr("manifest field 'name'"));
  EXPECT_THAT(error_of(with("name", R"("")")), HasSubstr("manifest field 'name'"));
}

TEST(Manifest, VersionMustBeSemver) {
  for (const char* bad : {R"("1")", R"("1.0")", R"("v1.0.0")", R"("1.0.0.0")", R"("1.a.0")", R"("1.0.0-")", R"(100)"}) {
    EXPECT_THAT(error_of(with("version", bad)), HasSubstr("manifest field 'version'")) << bad;
  }
  for (const char* good : {R"("0.1.0")", R"("10.20.30")", R"("1.0.0-rc.1")", R"("1.0.0+build.5")"})
    EXPECT_TRUE(parse_manifest(with("version", good)).ok()) << good;
}

TEST(Manifest, AbiNeedsIntegerMajorAndMinor) {
  EXPECT_THAT(error_of(with("abi", "<remove>")), HasSubstr("manifest field 'abi'"));
  EXPECT_THAT(error_of(with("abi", R"("1.0")")), HasSubstr("manifest field 'abi'"));
  EXPECT_THAT(error_of(with("abi", R"({"minor":0})")), HasSubstr("manifest field 'abi.major'"));
  EXPECT_THAT(error_of(with("abi", R"({"major":1})")), HasSubstr("manifest field 'abi.minor'"));
  EXPECT_THAT(error_of(with("abi", R"({"major":1.5,"minor":0})")), HasSubstr("manifest field 'abi.major'"));
  EXPECT_THAT(error_of(with("abi", R"({"major":1,"minor":"0"})")), HasSubstr("manifest field 'abi.minor'"));
  EXPECT_THAT(error_of(with("abi", R"({"major":-1,"minor":0})")), HasSubstr("manifest field 'abi.major'"));
}

TEST(Manifest, UnknownCapabilityIsRefusedByName) {
  const std::string message = error_of(with("capabilities", R"(["find_contacts","fax_log"])"));
  EXPECT_THAT(message, HasSubstr("manifest field 'capabilities[1]'"));
  EXPECT_THAT(message, HasSubstr("unknown capability \"fax_log\""));
  EXPECT_THAT(error_of(with("capabilities", "<remove>")), HasSubstr("manifest field 'capabilities'"));
  EXPECT_THAT(error_of(with("capabilities", R"("find_contacts")")), HasSubstr("manifest field 'capabilities'"));
  EXPECT_THAT(error_of(with("capabilities", R"([7])")), HasSubstr("manifest field 'capabilities[0]'"));
}

TEST(Manifest, OptionalFieldsMustHaveTheirTypes) {
  EXPECT_THAT(error_of(with("contact_types", R"(["Contact", ""])")), HasSubstr("manifest field 'contact_types[1]'"));
  EXPECT_THAT(error_of(with("body_formats", R"({"text":true})")), HasSubstr("manifest field 'body_formats'"));
  EXPECT_THAT(error_of(with("phone_search_formats", "3")), HasSubstr("manifest field 'phone_search_formats'"));
  EXPECT_THAT(error_of(with("vendor", "[]")), HasSubstr("manifest field 'vendor'"));
  EXPECT_THAT(error_of(with("oauth", R"("yes")")), HasSubstr("manifest field 'oauth'"));
  EXPECT_THAT(error_of(with("settings", R"({})")), HasSubstr("manifest field 'settings'"));
  EXPECT_THAT(error_of(with("settings", R"([{"description":"no key"}])")),
              HasSubstr("manifest field 'settings[0].key'"));
  EXPECT_THAT(error_of(with("settings", R"(["login_url"])")), HasSubstr("manifest field 'settings[0]'"));
}

TEST(Manifest, QuotedValuesAreShortened) {
  const std::string message = error_of(with("id", "\"" + std::string(5000, 'X') + "\""));
  EXPECT_LT(message.size(), 300u);
}

} // namespace
} // namespace appconnect::plugins
