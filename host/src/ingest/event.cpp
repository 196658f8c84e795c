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

// An optional ISO 8601 field, normalized to UTC; throws FieldError naming the field when malformed.
std::string get_time(const boost::json::object& o, std::string_view key, const std::string& path) {
  std::string v = jf::get_string(o, key);
  if (v.empty()) return v;
  const auto ms = sdk::time::parse_iso8601_ms(v);
  if (!ms) throw jf::FieldError("field '" + path + "' is not an ISO 8601 date-time with a time zone");
  return sdk::time::format_iso8601_utc(*ms);
}

const boost::json::array* get_array(const boost::json::object& o, std::string_view key, const std::string& path) {
  const auto* v = o.if_contains(key);
  if (v == nullptr || v->is_null()) return nullptr;
  if (!v->is_array()) throw jf::FieldError("field '" + path + "' must be an array");
  return &v->get_array();
}

// A leg's number: a string, or a party object whose phone is taken.
std::string leg_number(const boost::json::object& leg, std::string_view key, const std::string& path) {
  const auto* v = leg.if_contains(key);
  if (v == nullptr || v->is_null()) return {};
  if (v->is_string()) return std::string(v->get_string());
  if (v->is_object()) return jf::get_string(v->get_object(), "phone");
  throw jf::FieldError("field '" + path + "." + std::string(key) + "' must be a phone number or a party object");
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
    e.source = jf::get_string(o, "source", "native");
    e.sequence = jf::get_int(o, "sequence");
    e.event_time = get_time(o, "event_time", "event_time");
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
      e.call.end_time = get_time(co, "end_time", "call.end_time");
      e.call.via_queue = jf::get_bool(co, "via_queue");
      e.call.awaiting = jf::get_strings(co, "awaiting");
      if (jf::get_bool(co, "recording_pending") && e.call.recording_url.empty()) e.call.awaiting.push_back("recording");
      for (const auto& a : e.call.awaiting)
        if (!one_of(a, {"recording", "transcript", "ai_summary", "notes"}))
          return invalid("field 'call.awaiting' may hold recording, transcript, ai_summary, notes; not '" + a + "'");
      e.call.transcript = jf::get_string(co, "transcript");
      e.call.ai_summary = jf::get_string(co, "ai_summary");
      e.call.disposition = jf::get_string(co, "disposition");
      if (const auto* legs = get_array(co, "legs", "call.legs")) {
        for (std::size_t i = 0; i < legs->size(); ++i) {
          const std::string path = "call.legs[" + std::to_string(i) + "]";
          const auto& lo = jf::as_object((*legs)[i], path);
          CallLeg leg;
          leg.action = jf::get_string(lo, "action");
          leg.agent = parse_party(lo, "agent");
          leg.start_time = get_time(lo, "start_time", path + ".start_time");
          leg.end_time = get_time(lo, "end_time", path + ".end_time");
          leg.result = jf::get_string(lo, "result");
          leg.from = leg_number(lo, "from", path);
          leg.to = leg_number(lo, "to", path);
          e.call.legs.push_back(std::move(leg));
        }
      }
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
      e.message.shared_inbox = jf::get_bool(mo, "shared_inbox");
      e.message.status = jf::get_string(mo, "status");
      if (e.message.shared_inbox && e.message.conversation_id.empty())
        return invalid("field 'message.conversation_id' is required when message.shared_inbox is true");
      if (const auto* ps = get_array(mo, "participants", "message.participants")) {
        for (std::size_t i = 0; i < ps->size(); ++i) {
          const std::string path = "message.participants[" + std::to_string(i) + "]";
          boost::json::object wrapper{{"p", (*ps)[i]}};
          Party p = parse_party(wrapper, "p");
          if (p.phone.empty()) return invalid("field '" + path + ".phone' is required");
          e.message.participants.push_back(std::move(p));
        }
      }
      if (const auto* as = get_array(mo, "attachments", "message.attachments")) {
        for (std::size_t i = 0; i < as->size(); ++i) {
          const auto& ao = jf::as_object((*as)[i], "message.attachments[" + std::to_string(i) + "]");
          Attachment a{jf::get_string(ao, "url"), jf::get_string(ao, "content_type")};
          if (a.url.empty()) return invalid("field 'message.attachments[" + std::to_string(i) + "].url' is required");
          e.message.attachments.push_back(std::move(a));
        }
      }
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
  jf::put_if(o, "source", e.source);
  if (e.sequence != 0) o["sequence"] = e.sequence;
  jf::put_if(o, "event_time", e.event_time);
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
    jf::put_if(c, "end_time", e.call.end_time);
    if (e.call.via_queue) c["via_queue"] = true;
    if (!e.call.awaiting.empty()) c["awaiting"] = jf::to_array(e.call.awaiting);
    jf::put_if(c, "transcript", e.call.transcript);
    jf::put_if(c, "ai_summary", e.call.ai_summary);
    jf::put_if(c, "disposition", e.call.disposition);
    if (!e.call.legs.empty()) {
      boost::json::array legs;
      for (const auto& l : e.call.legs) {
        boost::json::object lo;
        jf::put_if(lo, "action", l.action);
        auto agent = party_json(l.agent);
        if (!agent.empty()) lo["agent"] = std::move(agent);
        jf::put_if(lo, "start_time", l.start_time);
        jf::put_if(lo, "end_time", l.end_time);
        jf::put_if(lo, "result", l.result);
        jf::put_if(lo, "from", l.from);
        jf::put_if(lo, "to", l.to);
        legs.push_back(std::move(lo));
      }
      c["legs"] = std::move(legs);
    }
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
    if (e.message.shared_inbox) m["shared_inbox"] = true;
    jf::put_if(m, "status", e.message.status);
    if (!e.message.participants.empty()) {
      boost::json::array ps;
      for (const auto& p : e.message.participants) ps.push_back(party_json(p));
      m["participants"] = std::move(ps);
    }
    if (!e.message.attachments.empty()) {
      boost::json::array as;
      for (const auto& a : e.message.attachments) {
        boost::json::object ao{{"url", a.url}};
        jf::put_if(ao, "content_type", a.content_type);
        as.push_back(std::move(ao));
      }
      m["attachments"] = std::move(as);
    }
    o["message"] = std::move(m);
  }
  return o;
}

std::string conversation_key(const CommunicationEvent& e, std::string_view local_day) {
  // A transferred call reaches several agents: each gets their own record, so the agent is part of the key.
  const std::string& agent = !e.agent.extension_id.empty() ? e.agent.extension_id : e.agent.email;
  if (e.kind == "call") return "call:" + e.call.session_id + ":" + agent;
  if (e.kind == "sms") {
    if (e.message.shared_inbox) return "sms-thread:" + e.message.conversation_id;
    // Digits only, so "+1 (415) 555-0132" and "+14155550132" share a digest.
    std::string digits;
    for (char ch : e.counterpart().phone)
      if (ch >= '0' && ch <= '9') digits += ch;
    const std::string day = local_day.empty() ? e.start_time.substr(0, 10) : std::string(local_day);
    return "sms:" + agent + ":" + digits + ":" + day;
  }
  return e.kind + ":" + e.message.message_id + ":" + agent;
}

std::vector<CommunicationEvent> split_group_message(const CommunicationEvent& e) {
  if (e.kind != "sms" || e.message.shared_inbox || e.message.participants.empty()) return {e};
  // The counterpart plus the other participants, each once.
  std::vector<Party> people{e.counterpart()};
  for (const auto& p : e.message.participants) {
    bool seen = false;
    for (const auto& q : people) seen = seen || q.phone == p.phone;
    if (!seen) people.push_back(p);
  }
  std::vector<CommunicationEvent> out;
  for (std::size_t i = 0; i < people.size(); ++i) {
    CommunicationEvent copy = e;
    if (i > 0) copy.event_id = e.event_id + "~" + std::to_string(i + 1);
    (copy.direction == "outbound" ? copy.to : copy.from) = people[i];
    out.push_back(std::move(copy));
  }
  return out;
}

} // namespace appconnect::ingest
