#include "ingest/event.hpp"

#include <appconnect/json_fields.hpp>
#include <appconnect/time.hpp>

#include <boost/json.hpp>

namespace appconnect::ingest {
namespace jf = sdk::json_fields;
namespace {

bool one_of(const std::string& v, std::initializer_list<const char*> allowed) {
  for (const char* a : allowed)
    if (v == a) return true;
  return false;
}

Party parse_party(const boost::json::object& parent, std::string_view key) {
  Party p;
  const auto* v = parent.if_contains(key);
  if (v == nullptr || v->is_null()) return p;
  const auto& o = jf::as_object(*v, std::string(key));
  p.phone = jf::get_string(o, "phone");
  p.name = jf::get_string(o, "name");
  p.extension_id = jf::get_string(o, "extension_id");
  p.email = jf::get_string(o, "email");
  return p;
}

boost::json::object party_json(const Party& p) {
  boost::json::object o;
  jf::put_if(o, "phone", p.phone);
  jf::put_if(o, "name", p.name);
  jf::put_if(o, "extension_id", p.extension_id);
  jf::put_if(o, "email", p.email);
  return o;
}

Error invalid(const std::string& message) {
  return Error::make(error_code::kValidation, message, false);
}

} // namespace

Result<CommunicationEvent> parse_event(const boost::json::value& doc, std::string_view default_tenant) {
  try {
    if (!doc.is_object()) return invalid("the event must be a JSON object");
    const auto& o = doc.get_object();
    CommunicationEvent e;
    e.event_id = jf::get_string(o, "id");
    if (e.event_id.empty()) return invalid("field 'id' is required: the source's unique id for this event");
    if (e.event_id.size() > 200) return invalid("field 'id' is longer than 200 characters");
    e.tenant_id = jf::get_string(o, "tenant", std::string(default_tenant));
    e.kind = jf::get_string(o, "kind");
    if (!one_of(e.kind, {"call", "sms", "fax", "voicemail"}))
      return invalid("field 'kind' must be one of call, sms, fax, voicemail");
    e.direction = jf::get_string(o, "direction");
    if (!one_of(e.direction, {"inbound", "outbound", "internal"}))
      return invalid("field 'direction' must be one of inbound, outbound, internal");
    e.start_time = jf::get_string(o, "start_time");
    if (e.start_time.empty()) return invalid("field 'start_time' is required (ISO 8601 with a time zone)");
    const auto start_ms = sdk::time::parse_iso8601_ms(e.start_time);
    if (!start_ms) return invalid("field 'start_time' is not an ISO 8601 date-time with a time zone");
    e.start_time = sdk::time::format_iso8601_utc(*start_ms);
    e.from = parse_party(o, "from");
    e.to = parse_party(o, "to");
    e.agent = parse_party(o, "agent");
    if (e.direction != "internal" && e.counterpart().phone.empty())
      return invalid(std::string("field '") + (e.direction == "outbound" ? "to" : "from") +
                     ".phone' is required: it is the number matched to a CRM contact");

    if (e.kind == "call") {
      const auto* c = o.if_contains("call");
      if (c == nullptr) return invalid("field 'call' is required when kind is call");
      const auto& co = jf::as_object(*c, "call");
      e.call.session_id = jf::get_string(co, "session_id");
      if (e.call.session_id.empty()) return invalid("field 'call.session_id' is required");
      e.call.state = jf::get_string(co, "state", "ended");
      if (!one_of(e.call.state, {"ringing", "answered", "ended"}))
        return invalid("field 'call.state' must be one of ringing, answered, ended");
      e.call.duration_s = jf::get_int(co, "duration_s");
      if (e.call.duration_s < 0) return invalid("field 'call.duration_s' must not be negative");
      e.call.result = jf::get_string(co, "result", "unknown");
      if (!one_of(e.call.result, {"answered", "missed", "voicemail", "busy", "rejected", "failed", "unknown"}))
        return invalid(
            "field 'call.result' must be one of answered, missed, voicemail, busy, rejected, failed, unknown");
      e.call.recording_url = jf::get_string(co, "recording_url");
      e.call.notes = jf::get_string(co, "notes");
    } else {
      const auto* m = o.if_contains("message");
      if (m == nullptr) return invalid("field 'message' is required when kind is " + e.kind);
      const auto& mo = jf::as_object(*m, "message");
      e.message.message_id = jf::get_string(mo, "message_id");
      if (e.message.message_id.empty()) return invalid("field 'message.message_id' is required");
      e.message.conversation_id = jf::get_string(mo, "conversation_id");
      e.message.text = jf::get_string(mo, "text");
      e.message.fax_pages = jf::get_int(mo, "fax_pages");
      e.message.duration_s = jf::get_int(mo, "duration_s");
      e.message.attachment_url = jf::get_string(mo, "attachment_url");
      e.message.transcript = jf::get_string(mo, "transcript");
    }
    return e;
  } catch (const jf::FieldError& ex) {
    return invalid(ex.what());
  }
}

boost::json::value to_json(const CommunicationEvent& e) {
  boost::json::object o;
  o["id"] = e.event_id;
  o["tenant"] = e.tenant_id;
  o["kind"] = e.kind;
  o["direction"] = e.direction;
  o["start_time"] = e.start_time;
  o["from"] = party_json(e.from);
  o["to"] = party_json(e.to);
  o["agent"] = party_json(e.agent);
  if (e.kind == "call") {
    boost::json::object c;
    c["session_id"] = e.call.session_id;
    c["state"] = e.call.state;
    c["duration_s"] = e.call.duration_s;
    c["result"] = e.call.result;
    jf::put_if(c, "recording_url", e.call.recording_url);
    jf::put_if(c, "notes", e.call.notes);
    o["call"] = std::move(c);
  } else {
    boost::json::object m;
    m["message_id"] = e.message.message_id;
    jf::put_if(m, "conversation_id", e.message.conversation_id);
    jf::put_if(m, "text", e.message.text);
    if (e.message.fax_pages > 0) m["fax_pages"] = e.message.fax_pages;
    if (e.message.duration_s > 0) m["duration_s"] = e.message.duration_s;
    jf::put_if(m, "attachment_url", e.message.attachment_url);
    jf::put_if(m, "transcript", e.message.transcript);
    o["message"] = std::move(m);
  }
  return o;
}

std::string conversation_key(const CommunicationEvent& e) {
  // A transferred call reaches several agents: each gets their own record, so the agent is part of the key.
  const std::string& agent = !e.agent.extension_id.empty() ? e.agent.extension_id : e.agent.email;
  if (e.kind == "call") return "call:" + e.call.session_id + ":" + agent;
  const std::string& thread = !e.message.conversation_id.empty() ? e.message.conversation_id : e.message.message_id;
  return e.kind + ":" + thread + ":" + agent;
}

} // namespace appconnect::ingest
