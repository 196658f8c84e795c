// The normalized communication event: what every source (native JSON API, RingCentral webhooks,
// backfill files) is turned into before it is stored. docs/events.md documents its JSON form.
#pragma once

#include "common/result.hpp"

#include <boost/json/value.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace appconnect::ingest {

struct Party {
  std::string phone; // as received; normalized later, per tenant region
  std::string name;
  std::string extension_id; // the phone system's user id, for owner mapping
  std::string email;
};

struct CallDetails {
  std::string session_id;
  std::string state = "ended"; // "ringing" | "answered" | "ended"
  std::int64_t duration_s = 0;
  std::string result; // "answered" | "missed" | "voicemail" | "busy" | "rejected" | "failed" | "unknown"
  std::string recording_url;
  std::string notes;
};

struct MessageDetails {
  std::string message_id;
  std::string conversation_id;
  std::string text;
  std::int64_t fax_pages = 0;
  std::int64_t duration_s = 0; // voicemail
  std::string attachment_url;
  std::string transcript;
};

struct CommunicationEvent {
  std::string tenant_id;
  std::string event_id;
  std::string kind;       // "call" | "sms" | "fax" | "voicemail"
  std::string direction;  // "inbound" | "outbound" | "internal"
  std::string start_time; // ISO 8601 UTC
  Party from;
  Party to;
  Party agent; // our user who handled it (extension / email)
  CallDetails call;
  MessageDetails message;

  // The number on the other side of the conversation: the caller of an inbound call, the callee of an
  // outbound one. This is the number we match to a CRM contact.
  const Party& counterpart() const { return direction == "outbound" ? to : from; }
};

// Parses and validates a native event document. Errors are "validation" and name the field.
Result<CommunicationEvent> parse_event(const boost::json::value& doc, std::string_view default_tenant);

// The canonical JSON form (what is stored, and what parse_event reads back).
boost::json::value to_json(const CommunicationEvent& event);

// The key that groups events belonging to one CRM record: one call as handled by one agent, one
// message thread. Jobs with the same key run in order and update the same record.
std::string conversation_key(const CommunicationEvent& event);

} // namespace appconnect::ingest
