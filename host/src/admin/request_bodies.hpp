// Parsing of admin API request bodies, kept free of the store and the router so that it can be tested
// and fuzzed on its own (fuzz/admin_bodies). Every function throws sdk::json_fields::FieldError with a
// message fit for a 422 answer; nothing else escapes for any input.
#pragma once

#include <boost/json/object.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace appconnect::admin {

// The body as a JSON object; an empty body is an empty object.
boost::json::object parse_body_object(std::string_view body);

// A decision on an unresolved item: {"action":"pick","contact_id",...} | "create" | "skip".
boost::json::object parse_decision(const boost::json::object& body);

// "ids" of a batch resolve: a non-empty array of at most 1000 item ids.
std::vector<std::int64_t> parse_item_ids(const boost::json::object& body);

// POST /v1/admin/rules/simulate.
struct SimulateRequest {
  std::string tenant = "default";
  std::string connection;
  bool has_matching = false;
  boost::json::object matching; // the candidate rule set when has_matching
  bool unresolved_scope = false;
  std::vector<std::string> events; // when not unresolved_scope: 1..1000 event ids
};
SimulateRequest parse_simulate(const boost::json::object& body);

} // namespace appconnect::admin
