#include "ringcentral/mapping.hpp"

#include <appconnect/time.hpp>

#include <boost/json.hpp>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <optional>

namespace appconnect::ringcentral {
namespace json = boost::json;
namespace {

// ---- lenient readers: RingCentral sends some ids as numbers (message ids) and others as strings.

const json::object* obj(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v != nullptr && v->is_object() ? &v->get_object() : nullptr;
}

const json::array* arr(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v != nullptr && v->is_array() ? &v->get_array() : nullptr;
}

std::string text(const json::object* o, std::string_view key) {
  if (o == nullptr) return {};
  const auto* v = o->if_contains(key);
  if (v == nullptr) return {};
  if (v->is_string()) return std::string(v->get_string());
  if (v->is_int64()) return std::to_string(v->get_int64());
  if (v->is_uint64()) return std::to_string(v->get_uint64());
  return {};
}

std::string text(const json::object& o, std::string_view key) {
  return text(&o, key);
}

std::int64_t number(const json::object* o, std::string_view key) {
  if (o == nullptr) return 0;
  const auto* v = o->if_contains(key);
  if (v == nullptr) return 0;
  // Outside input: a number that does not fit (or is not finite) counts as absent, never as a wrapped value.
  constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
  if (v->is_int64()) return v->get_int64();
  if (v->is_uint64())
    return v->get_uint64() <= static_cast<std::uint64_t>(kMax) ? static_cast<std::int64_t>(v->get_uint64()) : 0;
  if (v->is_double()) {
    const double d = v->get_double();
    return std::isfinite(d) && d > -9.2e18 && d < 9.2e18 ? static_cast<std::int64_t>(d) : 0;
  }
  if (v->is_string()) {
    std::int64_t n = 0;
    for (char c : v->get_string()) {
      if (c < '0' || c > '9') return 0;
      if (n > (kMax - (c - '0')) / 10) return 0;
      n = n * 10 + (c - '0');
    }
    return n;
  }
  return 0;
}

bool flag(const json::object* o, std::string_view key) {
  if (o == nullptr) return false;
  const auto* v = o->if_contains(key);
  return v != nullptr && v->is_bool() && v->get_bool();
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// Event ids are limited to 200 characters. RingCentral ids are far shorter in practice; an unusually
// long one keeps a readable prefix and a hash of the whole, so the id stays deterministic and unique.
std::string bounded_id(const std::string& id) {
  if (id.size() <= 200) return id;
  std::uint64_t h = 1469598103934665603ull; // FNV-1a
  for (unsigned char c : id) h = (h ^ c) * 1099511628211ull;
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(h));
  return id.substr(0, 180) + "~" + hex;
}

// A RingCentral caller/callee/sender ({phoneNumber, name, extensionId, extensionNumber}) as a native party.
// Internal parties may carry only an extension number: it stands in for the phone number.
json::object party(const json::object* p) {
  json::object out;
  if (p == nullptr) return out;
  std::string phone = text(p, "phoneNumber");
  if (phone.empty()) phone = text(p, "extensionNumber");
  if (!phone.empty()) out["phone"] = phone;
  if (auto name = text(p, "name"); !name.empty()) out["name"] = name;
  if (auto ext = text(p, "extensionId"); !ext.empty()) out["extension_id"] = ext;
  return out;
}

std::string party_ext(const json::object* p) {
  return text(p, "extensionId");
}

std::string iso_plus_seconds(const std::string& iso, std::int64_t seconds) {
  auto ms = sdk::time::parse_iso8601_ms(iso);
  if (!ms) return {};
  return sdk::time::format_iso8601_utc(*ms + seconds * 1000);
}

// ---------------------------------------------------------------------------- telephony sessions

struct PartyState {
  std::string state;  // ringing | answered | ended
  std::string result; // native call result
};

// The native result of a party that left the call, from the one notification at hand. "unknown" when
// the notification alone cannot tell (a plain hang-up after an answer looks the same as one before it).
std::string result_from_reason(const std::string& reason, bool missed) {
  if (missed) return "missed";
  if (reason == "Rejected") return "rejected";
  if (reason == "TargetBusy") return "busy";
  if (reason == "Voicemail") return "voicemail";
  if (reason == "NoAnswer" || reason == "Cancelled" || reason == "Timeout" || reason == "Pickup") return "missed";
  if (reason == "BlindTransfer" || reason == "AttendedTransfer" || reason == "RccTransfer" ||
      reason == "DtmfTransfer" || reason == "CallFlip" || reason == "ParkLocation")
    return "answered"; // only an answered call can be handed on
  if (reason == "InvalidNumber" || reason == "InternalError" || reason == "InternationalDisabled" ||
      reason == "DestinationBlocked" || reason == "NotEnoughFunds" || reason == "NoSuchUser")
    return "failed";
  return "unknown";
}

std::optional<PartyState> party_state(const std::string& code, const std::string& reason, bool missed) {
  if (code == "Setup" || code == "Proceeding" || code == "Tds") return PartyState{"ringing", "unknown"};
  if (code == "Answered" || code == "Hold" || code == "Parked" || code == "FaxReceive")
    return PartyState{"answered", "answered"};
  if (code == "VoiceMail" || code == "VoiceMailScreening") return PartyState{"ended", "voicemail"};
  if (code == "Disconnected" || code == "Gone") return PartyState{"ended", result_from_reason(reason, missed)};
  return std::nullopt;
}

Mapping map_telephony(const json::object& envelope, const json::object& body, const MapOptions& opt) {
  Mapping m;
  m.notification = "telephony-session";
  const std::string session = text(body, "telephonySessionId");
  const auto* parties = arr(body, "parties");
  if (session.empty() || parties == nullptr) {
    m.unsupported = "telephony session notification without telephonySessionId or parties";
    return m;
  }
  const std::int64_t sequence = number(&body, "sequence");
  std::string event_time = text(body, "eventTime");
  if (event_time.empty()) event_time = text(envelope, "timestamp");

  for (const auto& pv : *parties) {
    if (!pv.is_object()) continue;
    const auto& p = pv.get_object();
    const std::string ext = text(p, "extensionId");
    const std::string party_id = text(p, "id");
    if (ext.empty()) { // an outside caller or callee: not one of our users
      m.skipped.push_back("party " + party_id + ": no extensionId (outside party)");
      continue;
    }
    if (opt.queue_extension_ids.count(ext) > 0) {
      m.skipped.push_back("party " + party_id + ": call queue " + ext);
      continue;
    }
    const auto* status = obj(p, "status");
    const std::string code = text(status, "code");
    const auto st = party_state(code, text(status, "reason"), flag(&p, "missedCall"));
    if (!st) {
      m.skipped.push_back("party " + party_id + ": status '" + code + "' is not mapped");
      continue;
    }
    const auto* from = obj(p, "from");
    const auto* to = obj(p, "to");
    const bool outbound = text(p, "direction") == "Outbound";
    const auto* ours = outbound ? from : to;
    const auto* theirs = outbound ? to : from;
    const std::string their_ext = party_ext(theirs);
    const std::string direction = !their_ext.empty() ? "internal" : outbound ? "outbound" : "inbound";
    // A member offered a queue call: the party says so (queueCall), or the dialled side is a queue.
    const bool via_queue = flag(&p, "queueCall") || (!outbound && opt.queue_extension_ids.count(party_ext(to)) > 0);

    json::object agent{{"extension_id", ext}};
    // Our side's number and name, unless that side is the queue the member was reached through.
    if (ours != nullptr && (party_ext(ours).empty() || party_ext(ours) == ext)) {
      if (auto phone = text(ours, "phoneNumber"); !phone.empty()) agent["phone"] = phone;
      if (auto name = text(ours, "name"); !name.empty()) agent["name"] = name;
    }

    json::object call{{"session_id", session},
                      {"state", st->state},
                      {"duration_s", 0},
                      {"result", st->result},
                      {"via_queue", via_queue}};
    if (const auto* recs = arr(p, "recordings"); recs != nullptr && !recs->empty())
      call["recording_pending"] = true; // the media link is in the call log once the call is over
    if (st->state == "ended" && !event_time.empty()) call["end_time"] = event_time;

    json::object e{{"id", bounded_id("rc-ts:" + session + ":" + party_id + ":" + std::to_string(sequence))},
                   {"tenant", opt.tenant},
                   {"kind", "call"},
                   {"direction", direction},
                   {"start_time", event_time},
                   {"source", kSourceWebhook},
                   {"sequence", sequence},
                   {"event_time", event_time},
                   {"from", party(from)},
                   {"to", party(to)},
                   {"agent", std::move(agent)},
                   {"call", std::move(call)}};
    m.events.push_back(std::move(e));
  }
  return m;
}

// ---------------------------------------------------------------------------------- messages

// "/restapi/v1.0/account/123/extension/456/message-store/instant?type=SMS" -> "456" ("~" is not an id).
std::string extension_in_filter(const std::string& event) {
  static constexpr std::string_view kMarker = "/extension/";
  auto at = event.find(kMarker);
  if (at == std::string::npos) return {};
  at += kMarker.size();
  auto end = event.find_first_of("/?", at);
  std::string id = event.substr(at, end == std::string::npos ? std::string::npos : end - at);
  return id == "~" ? std::string() : id;
}

std::string native_kind(const std::string& type) {
  if (type == "SMS" || type == "Pager") return "sms";
  if (type == "Fax") return "fax";
  if (type == "VoiceMail" || type == "Voicemail") return "voicemail";
  return {};
}

Mapping map_message(const json::object& envelope, const json::object& body, const std::string& event,
                    const MapOptions& opt) {
  Mapping m;
  m.notification = "message";
  if (body.contains("changes")) {
    m.unsupported = "message-store change notice: it carries counters and message ids, not messages";
    return m;
  }
  const std::string type = text(body, "type");
  const std::string kind = native_kind(type);
  const std::string id = text(body, "id");
  if (kind.empty() || id.empty()) {
    m.unsupported = "message notification of type '" + type + "' without a mappable message";
    return m;
  }
  std::string owner = extension_in_filter(event);
  if (owner.empty()) owner = text(body, "extensionId");
  if (owner.empty()) owner = text(body, "ownerId");
  if (owner.empty()) owner = text(envelope, "ownerId");

  const bool outbound = text(body, "direction") == "Outbound";
  const auto* from = obj(body, "from");
  std::vector<const json::object*> recipients;
  if (const auto* to = arr(body, "to"))
    for (const auto& t : *to)
      if (t.is_object()) recipients.push_back(&t.get_object());

  // Which recipient is us on an inbound message: the owner's extension, else the one RingCentral marks
  // as the target, else the first.
  const json::object* ours = outbound ? from : nullptr;
  if (!outbound) {
    for (const auto* r : recipients)
      if (!owner.empty() && party_ext(r) == owner) ours = r;
    if (ours == nullptr)
      for (const auto* r : recipients)
        if (flag(r, "target")) ours = r;
    if (ours == nullptr && !recipients.empty()) ours = recipients.front();
  }
  std::vector<const json::object*> others;
  if (!outbound && from != nullptr) others.push_back(from);
  for (const auto* r : recipients)
    if (r != ours) others.push_back(r);

  const json::object* native_to = outbound ? (recipients.empty() ? nullptr : recipients.front()) : ours;
  json::object agent{{"extension_id", owner}};
  if (auto phone = text(ours, "phoneNumber"); !phone.empty()) agent["phone"] = phone;
  if (auto name = text(ours, "name"); !name.empty()) agent["name"] = name;
  if (owner.empty()) agent.erase("extension_id");

  std::string conversation = text(body, "conversationId");
  if (conversation.empty()) conversation = text(obj(body, "conversation"), "id");

  json::object msg{{"message_id", id}, {"shared_inbox", opt.queue_extension_ids.count(owner) > 0}};
  if (!conversation.empty()) msg["conversation_id"] = conversation;
  if (auto status = text(body, "messageStatus"); !status.empty()) msg["status"] = status;
  if (others.size() > 1) { // a group message: everyone on it but us
    json::array people;
    for (const auto* o : others) people.push_back(party(o));
    msg["participants"] = std::move(people);
  }
  const std::string subject = text(body, "subject");
  json::array media;
  if (const auto* atts = arr(body, "attachments")) {
    for (const auto& av : *atts) {
      if (!av.is_object()) continue;
      const auto& a = av.get_object();
      const std::string atype = text(a, "type");
      const std::string uri = text(a, "uri");
      if (atype == "MmsAttachment") {
        media.push_back(json::object{{"url", uri}, {"content_type", text(a, "contentType")}});
      } else if (kind == "fax" && atype == "RenderedDocument") {
        msg["attachment_url"] = uri;
      } else if (kind == "voicemail" && atype == "AudioRecording") {
        msg["attachment_url"] = uri;
        if (auto d = number(&a, "vmDuration"); d > 0) msg["duration_s"] = d;
      }
    }
  }
  if (!media.empty()) msg["attachments"] = std::move(media);
  if (kind == "fax") {
    if (auto pages = number(&body, "faxPageCount"); pages > 0) msg["fax_pages"] = pages;
    if (!subject.empty()) msg["text"] = subject;
  } else if (kind == "voicemail") {
    // Once transcription is done, the subject carries the transcript text (also an attachment).
    if (text(body, "vmTranscriptionStatus") == "Completed" && !subject.empty()) msg["transcript"] = subject;
  } else if (!subject.empty()) {
    msg["text"] = subject;
  }

  std::string start = text(body, "creationTime");
  if (start.empty()) start = text(envelope, "timestamp");
  std::string modified = text(body, "lastModifiedTime");
  if (modified.empty()) modified = start;
  // Pager messages go between extensions of the account: there is no outside number to match.
  const std::string direction = type == "Pager" ? "internal" : outbound ? "outbound" : "inbound";
  json::object e{{"id", bounded_id("rc-msg:" + id + ":" + owner)},
                 {"tenant", opt.tenant},
                 {"kind", kind},
                 {"direction", direction},
                 {"start_time", start},
                 {"source", kSourceWebhook},
                 {"event_time", modified},
                 {"from", party(from)},
                 {"to", party(native_to)},
                 {"agent", std::move(agent)},
                 {"message", std::move(msg)}};
  m.events.push_back(std::move(e));
  return m;
}

// ---------------------------------------------------------------------------------- call log

std::string call_log_result(const std::string& r) {
  const std::string l = lower(r);
  if (l == "accepted" || l == "call connected" || l == "received" || l == "sent" || l == "reply" || l == "in progress")
    return "answered";
  if (l == "missed" || l == "no answer" || l == "hang up" || l == "abandoned" || l == "answered elsewhere" ||
      l == "stopped")
    return "missed";
  if (l == "voicemail") return "voicemail";
  if (l == "busy") return "busy";
  if (l == "rejected" || l == "declined" || l == "blocked") return "rejected";
  if (l.empty() || l == "unknown") return "unknown";
  return "failed"; // the remaining documented results are failures (Wrong Number, Internal Error, ...)
}

} // namespace

Mapping map_notification(const json::value& notification, const MapOptions& options) {
  Mapping m;
  if (!notification.is_object()) {
    m.unsupported = "the notification is not a JSON object";
    return m;
  }
  const auto& envelope = notification.get_object();
  const std::string event = text(envelope, "event");
  const auto* body = obj(envelope, "body");
  if (event.empty() || body == nullptr) {
    m.unsupported = "not a RingCentral notification envelope (needs 'event' and a 'body' object)";
    return m;
  }
  if (event.find("/telephony/sessions") != std::string::npos) return map_telephony(envelope, *body, options);
  if (event.find("/message-store") != std::string::npos || event.find("/fax") != std::string::npos ||
      event.find("/voicemail") != std::string::npos)
    return map_message(envelope, *body, event, options);
  m.notification = event;
  m.unsupported = "event filter '" + event + "' is not mapped";
  return m;
}

Result<json::object> map_call_log_record(const json::value& record, const MapOptions& opt) {
  auto invalid = [](const std::string& why) { return Error::make(error_code::kValidation, why, false); };
  if (!record.is_object()) return invalid("a call log record must be a JSON object");
  const auto& r = record.get_object();
  const std::string id = text(r, "id");
  if (id.empty()) return invalid("call log record without 'id'");
  const std::string start = text(r, "startTime");
  if (!sdk::time::parse_iso8601_ms(start)) return invalid("call log record " + id + ": 'startTime' is missing or bad");
  const std::int64_t duration = number(&r, "duration");

  const auto* from = obj(r, "from");
  const auto* to = obj(r, "to");
  const bool outbound = text(r, "direction") == "Outbound";
  const auto* ours = outbound ? from : to;
  const auto* theirs = outbound ? to : from;
  const bool internal = !text(theirs, "extensionId").empty() ||
                        (!text(theirs, "extensionNumber").empty() && text(theirs, "phoneNumber").empty());

  // The agent: the record's extension; else the extension of the leg that took the call; else our side.
  json::array legs;
  std::string answering_ext, answering_name;
  bool via_queue = opt.queue_extension_ids.count(party_ext(to)) > 0;
  if (const auto* ls = arr(r, "legs")) {
    for (const auto& lv : *ls) {
      if (!lv.is_object()) continue;
      const auto& l = lv.get_object();
      const std::string lstart = text(l, "startTime");
      const std::string lresult = call_log_result(text(l, "result"));
      json::object lagent;
      std::string lext = text(obj(l, "extension"), "id");
      const auto* lours = text(l, "direction") == "Outbound" ? obj(l, "from") : obj(l, "to");
      if (lext.empty()) lext = party_ext(lours);
      if (!lext.empty()) lagent["extension_id"] = lext;
      if (auto name = text(lours, "name"); !name.empty()) lagent["name"] = name;
      if (lresult == "answered" && !lext.empty() && opt.queue_extension_ids.count(lext) == 0) {
        answering_ext = lext;
        answering_name = text(lours, "name");
      }
      if (opt.queue_extension_ids.count(party_ext(obj(l, "to"))) > 0) via_queue = true;
      json::object leg{{"action", text(l, "action")}, {"agent", std::move(lagent)},
                       {"start_time", lstart},        {"end_time", iso_plus_seconds(lstart, number(&l, "duration"))},
                       {"result", lresult},           {"from", party(obj(l, "from"))},
                       {"to", party(obj(l, "to"))}};
      if (auto type = text(l, "legType"); !type.empty()) leg["leg_type"] = type;
      legs.push_back(std::move(leg));
    }
  }
  json::object agent;
  std::string ext = text(obj(r, "extension"), "id");
  if (ext.empty() || opt.queue_extension_ids.count(ext) > 0) ext = answering_ext;
  if (ext.empty()) ext = party_ext(ours);
  if (!ext.empty()) agent["extension_id"] = ext;
  if (ext == answering_ext && !answering_name.empty())
    agent["name"] = answering_name;
  else if (auto name = text(ours, "name"); !name.empty() && party_ext(ours) == ext)
    agent["name"] = name;

  std::string modified = text(r, "lastModifiedTime");
  if (!sdk::time::parse_iso8601_ms(modified)) modified = iso_plus_seconds(start, duration);
  // A call log record is the final word on a call: its sequence is its modification time in Unix ms,
  // which orders it after every live notification of the session (those count 1, 2, 3, ...).
  const std::int64_t sequence = sdk::time::parse_iso8601_ms(modified).value_or(0);
  std::string session = text(r, "telephonySessionId");
  if (session.empty()) session = text(r, "sessionId");
  if (session.empty()) session = "rc-cl:" + id;

  json::object e{{"id", bounded_id("rc-cl:" + id)},
                 {"tenant", opt.tenant},
                 {"direction", internal   ? "internal"
                               : outbound ? "outbound"
                                          : "inbound"},
                 {"start_time", start},
                 {"source", kSourceCallLog},
                 {"sequence", sequence},
                 {"event_time", modified},
                 {"from", party(from)},
                 {"to", party(to)},
                 {"agent", std::move(agent)}};
  const std::string result = call_log_result(text(r, "result"));
  if (text(r, "type") == "Fax") {
    const auto* message = obj(r, "message");
    std::string message_id = text(message, "id");
    json::object msg{{"message_id", message_id.empty() ? id : message_id}, {"status", text(r, "result")}};
    if (auto uri = text(message, "uri"); !uri.empty()) msg["attachment_url"] = uri;
    e["kind"] = "fax";
    e["message"] = std::move(msg);
    return e;
  }
  json::object call{{"session_id", session},
                    {"state", "ended"},
                    {"duration_s", duration},
                    {"result", result},
                    {"end_time", iso_plus_seconds(start, duration)},
                    {"via_queue", via_queue},
                    {"legs", std::move(legs)}};
  if (const auto* rec = obj(r, "recording")) {
    std::string url = text(rec, "contentUri");
    if (url.empty()) url = text(rec, "uri");
    if (!url.empty()) call["recording_url"] = url;
  }
  if (auto reason = text(r, "reasonDescription"); !reason.empty()) call["notes"] = reason;
  e["kind"] = "call";
  e["call"] = std::move(call);
  return e;
}

Result<std::vector<json::value>> call_log_records(std::string_view input) {
  std::vector<json::value> records;
  auto add_page = [&records](const json::value& page) {
    if (page.is_object()) {
      if (const auto* rs = arr(page.get_object(), "records")) {
        for (const auto& r : *rs) records.push_back(r);
        return true;
      }
      if (page.get_object().contains("id")) { // a bare record
        records.push_back(page);
        return true;
      }
    }
    return false;
  };
  boost::system::error_code ec;
  auto whole = json::parse(input, ec);
  if (!ec) {
    if (whole.is_array()) {
      for (const auto& page : whole.get_array())
        if (!add_page(page)) return Error::make(error_code::kValidation, "an array item is not a call log page", false);
      return records;
    }
    if (!add_page(whole))
      return Error::make(error_code::kValidation, "the document is not a call log response (no 'records')", false);
    return records;
  }
  // JSON Lines: one page per line.
  std::size_t line_no = 0, at = 0;
  while (at < input.size()) {
    auto end = input.find('\n', at);
    if (end == std::string_view::npos) end = input.size();
    const auto line = input.substr(at, end - at);
    at = end + 1;
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    auto page = json::parse(line, ec);
    if (ec)
      return Error::make(error_code::kValidation, "line " + std::to_string(line_no) + " is not JSON: " + ec.message(),
                         false);
    if (!add_page(page))
      return Error::make(error_code::kValidation, "line " + std::to_string(line_no) + " is not a call log page", false);
  }
  return records;
}

MapOptions options_from_settings(const std::string& tenant, const json::object& settings) {
  MapOptions o;
  o.tenant = tenant;
  if (const auto* rc = obj(settings, "ringcentral"))
    if (const auto* ids = arr(*rc, "queue_extension_ids"))
      for (const auto& v : *ids) {
        if (v.is_string()) o.queue_extension_ids.insert(std::string(v.get_string()));
        if (v.is_int64()) o.queue_extension_ids.insert(std::to_string(v.get_int64()));
      }
  return o;
}

} // namespace appconnect::ringcentral
