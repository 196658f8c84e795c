// docs/events.schema.json and the parser must describe the same document: every property the schema names
// survives parse -> canonical JSON, and the canonical JSON never holds a property the schema lacks.
#include "ingest/event.hpp"
#include "support/paths.hpp"

#include <boost/json.hpp>

#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>

namespace appconnect::ingest {
namespace {
namespace json = boost::json;

json::object schema() {
  std::ifstream in(testing::source_path("docs/events.schema.json"));
  std::stringstream s;
  s << in.rdbuf();
  return json::parse(s.str()).as_object();
}

std::set<std::string> names(const json::object& def) {
  std::set<std::string> out;
  for (const auto& kv : def.at("properties").as_object()) out.insert(std::string(kv.key()));
  return out;
}

// A sample value for every schema property, by the property's own type.
json::value sample(const std::string& name, const json::value& prop) {
  if (name.find("time") != std::string::npos) return "2026-11-25T09:30:00Z";
  const auto& p = prop.as_object();
  if (const auto* e = p.if_contains("enum")) return e->as_array().back();
  if (const auto* t = p.if_contains("type"); t && *t == "integer") return 7;
  if (const auto* t = p.if_contains("type"); t && *t == "boolean") return true;
  return json::value(json::string("x-" + name));
}

void expect_subset(const json::object& emitted, const std::set<std::string>& allowed, const std::string& where) {
  for (const auto& kv : emitted)
    EXPECT_TRUE(allowed.count(std::string(kv.key()))) << where << "." << kv.key() << " is not in the schema";
}

TEST(EventSchema, SchemaAndParserAgree) {
  const auto s = schema();
  const auto& defs = s.at("$defs").as_object();
  json::object party{{"phone", "+14155550132"}, {"name", "Ada"}, {"extension_id", "101"}, {"email", "a@x.example"}};
  json::object leg{{"action", "transfer"},
                   {"agent", party},
                   {"start_time", "2026-11-25T09:30:00Z"},
                   {"end_time", "2026-11-25T09:31:00Z"},
                   {"result", "answered"},
                   {"from", "+1"},
                   {"to", "+2"}};
  json::object call, message;
  for (const auto& kv : defs.at("call").at("properties").as_object())
    call[kv.key()] = sample(std::string(kv.key()), kv.value());
  call["legs"] = json::array{leg};
  call["awaiting"] = json::array{"transcript"};
  call["recording_url"] = ""; // with a link, recording_pending would be void
  for (const auto& kv : defs.at("message").at("properties").as_object())
    message[kv.key()] = sample(std::string(kv.key()), kv.value());
  message["participants"] = json::array{party};
  message["attachments"] = json::array{json::object{{"url", "https://f/1"}, {"content_type", "image/png"}}};

  for (const char* kind : {"call", "sms"}) {
    json::object doc;
    for (const auto& kv : s.at("properties").as_object()) doc[kv.key()] = sample(std::string(kv.key()), kv.value());
    doc["kind"] = kind;
    doc["direction"] = "inbound";
    doc["from"] = doc["to"] = doc["agent"] = party;
    doc["call"] = call;
    doc["message"] = message;
    auto e = parse_event(doc, "default");
    ASSERT_TRUE(e) << e.error().message;
    const auto out = to_json(e.value()).as_object();
    expect_subset(out, names(s), "event");
    for (const auto& kv : s.at("properties").as_object()) {
      const std::string n(kv.key());
      if (n == (std::string(kind) == "call" ? "message" : "call")) continue; // the other kind's part
      EXPECT_TRUE(out.contains(n)) << "event." << n << " is in the schema but the parser drops it";
    }
    expect_subset(out.at("from").as_object(), names(defs.at("party").as_object()), "party");
    if (std::string(kind) == "call") {
      const auto& c = out.at("call").as_object();
      expect_subset(c, names(defs.at("call").as_object()), "call");
      for (const auto& n : names(defs.at("call").as_object())) {
        if (n == "recording_pending" || n == "recording_url") continue; // shorthand for awaiting; empty on purpose
        EXPECT_TRUE(c.contains(n)) << "call." << n << " is in the schema but the parser drops it";
      }
      EXPECT_EQ(c.at("awaiting").as_array().size(), 2u); // transcript + recording (from recording_pending)
      expect_subset(c.at("legs").as_array().at(0).as_object(), names(defs.at("leg").as_object()), "leg");
    } else {
      const auto& m = out.at("message").as_object();
      expect_subset(m, names(defs.at("message").as_object()), "message");
      for (const auto& n : names(defs.at("message").as_object())) {
        EXPECT_TRUE(m.contains(n)) << "message." << n << " is in the schema but the parser drops it";
      }
    }
  }
}

} // namespace
} // namespace appconnect::ingest
