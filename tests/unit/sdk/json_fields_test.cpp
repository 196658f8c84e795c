// json_fields::get_int on numbers outside int64 (found by fuzz/config_file: the double conversion was
// undefined behaviour, the uint64 one wrapped to a negative value).
#include <appconnect/json_fields.hpp>

#include <gtest/gtest.h>

namespace appconnect::sdk::json_fields {
namespace {

TEST(JsonFields, GetIntAcceptsWholeNumbersInRangeAndRefusesTheRest) {
  const auto doc = boost::json::parse(
      R"({"small": -5, "big": 9223372036854775807, "as_double": 42.0, "huge": 6.5e19, "tiny": -1e300,
          "unsigned": 18446744073709551615, "text": "7"})");
  const auto& o = doc.as_object();
  EXPECT_EQ(get_int(o, "small"), -5);
  EXPECT_EQ(get_int(o, "big"), INT64_MAX);
  EXPECT_EQ(get_int(o, "as_double"), 42);
  EXPECT_EQ(get_int(o, "absent", 3), 3);
  for (const char* key : {"huge", "tiny", "unsigned"}) {
    try {
      (void)get_int(o, key);
      ADD_FAILURE() << key << " was accepted";
    } catch (const FieldError& e) {
      EXPECT_NE(std::string(e.what()).find("out of range"), std::string::npos) << e.what();
    }
  }
  EXPECT_THROW((void)get_int(o, "text"), FieldError);
}

} // namespace
} // namespace appconnect::sdk::json_fields
