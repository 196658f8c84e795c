#include "admin/request_bodies.hpp"

#include <appconnect/json_fields.hpp>

#include <boost/json.hpp>

namespace appconnect::admin {
namespace jf = sdk::json_fields;

boost::json::object parse_body_object(std::string_view body) {
  if (body.empty()) return {};
  boost::system::error_code ec;
  auto v = boost::json::parse(body, ec);
  if (ec) throw jf::FieldError("the body is not valid JSON: " + ec.message());
  if (!v.is_object()) throw jf::FieldError("the body must be a JSON object");
  return std::move(v.get_object());
}

boost::json::object parse_decision(const boost::json::object& body) {
  const std::string action = jf::get_string(body, "action");
  boost::json::object d{{"action", action}};
  if (action == "pick") {
    d["contact_id"] = jf::require_string(body, "contact_id");
    d["contact_type"] = jf::get_string(body, "contact_type");
  } else if (action == "create") {
    d["last_name"] = jf::require_string(body, "last_name");
    d["first_name"] = jf::get_string(body, "first_name");
    d["contact_type"] = jf::get_string(body, "contact_type");
  } else if (action != "skip") {
    throw jf::FieldError("'action' must be pick, create or skip");
  }
  return d;
}

std::vector<std::int64_t> parse_item_ids(const boost::json::object& body) {
  const auto* list = body.if_contains("ids");
  if (list == nullptr || !list->is_array() || list->get_array().empty())
    throw jf::FieldError("'ids' must be a non-empty array of item ids");
  if (list->get_array().size() > 1000) throw jf::FieldError("at most 1000 items per request");
  std::vector<std::int64_t> ids;
  for (const auto& v : list->get_array()) {
    if (!v.is_int64()) throw jf::FieldError("'ids' must hold item ids (numbers)");
    ids.push_back(v.get_int64());
  }
  return ids;
}

SimulateRequest parse_simulate(const boost::json::object& body) {
  SimulateRequest s;
  s.tenant = jf::get_string(body, "tenant", "default");
  s.connection = jf::get_string(body, "connection");
  if (const auto* m = body.if_contains("matching")) {
    s.matching = jf::as_object(*m, "matching");
    s.has_matching = true;
  }
  s.unresolved_scope = jf::get_string(body, "scope") == "unresolved";
  if (!s.unresolved_scope) {
    s.events = jf::get_strings(body, "events");
    if (s.events.empty()) throw jf::FieldError("give 'events' (event ids) or \"scope\": \"unresolved\"");
    if (s.events.size() > 1000) throw jf::FieldError("at most 1000 events per simulation");
  }
  return s;
}

} // namespace appconnect::admin
