// The normalized communication event: what every source (native JSON API, RingCentral webhooks,
// backfill files) is turned into before it is stored. docs/events.md documents its JSON form.
#pragma once

#include "common/result.hpp"

#include <boost/json/value.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace appconnect::ingest {

struct Party {
  std::string phone; // as received; normalized later, per tenant region
  std::string name;
  std::string extension_id; // the phone system's user id, for owner mapping
  std::string email;
};

// One step of a call's journey: rang a queue, offered to an agent, answered, transferred, ...
struct CallLeg {
  std::string action; // "queue" | "ring" | "answer" | "transfer" | "forward" | "voicemail" | free text
  Party agent;
  std::string start_time;
  std::string end_time;
  std::string result;
  std::string from; // numbers of this leg
  std::string to;
};

struct CallDetails {
  std::string session_id;
  std::string state = "ended"; // "ringing" | "answered" | "ended"
  std::int64_t duration_s = 0;
  std::string result; // "answered" | "missed" | "voicemail" | "busy" | "rejected" | "failed" | "unknown"
  std::string recording_url;
  std::string notes;
  std::string end_time;
  bool via_queue = false;            // offered to this agent as a call-queue member
  std::vector<std::string> awaiting; // data still to come: "recording", "transcript", "ai_summary", "notes"
  std::string transcript;
  std::string ai_summary;
  std::string disposition;
  std::vector<CallLeg> legs;
};

struct Attachment {
  std::string url;
  std::string content_type;
};

struct MessageDetails {
  std::string message_id;
  std::string conversation_id;
  std::string text;
  bool shared_inbox = false;           // a shared inbox thread: one record per conversation, not per day
  std::vector<Party> participants;     // a group message: the other people in it (each gets it in their digest)
  std::vector<Attachment> attachments; // MMS pictures, files
  std::string status;                  // as the phone system reports it ("Received", "Sent", "SendingFailed", ...)
  std::int64_t fax_pages = 0;
  std::int64_t duration_s = 0; // voicemail
  std::string attachment_url;
  std::string transcript;
};

struct CommunicationEvent {
  std::string tenant_id;
  std::string event_id;
  std::string kind;          // "call" | "sms" | "fax" | "voicemail"
  std::string direction;     // "inbound" | "outbound" | "internal"
  std::string start_time;    // ISO 8601 UTC
  std::string source;        // "native" (default), "ringcentral", "ringcentral-call-log", ...
  std::int64_t sequence = 0; // the source's order within one conversation (later wins); 0 = unknown
  std::string event_time;    // when the source produced this notification (ISO 8601 UTC), or empty
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

// The key that groups events belonging to one CRM record. Jobs with the same key run in order and
// update the same record:
//   call:{session}:{agent}                 one call as handled by one agent
//   sms:{agent}:{number digits}:{local day} a day of direct texts with one person (tenant's time zone)
//   sms-thread:{conversation id}           a shared-inbox conversation
//   fax:{message id}:{agent}, voicemail:{message id}:{agent}
// `local_day` is the message's date in the tenant's time zone (only used for direct SMS).
std::string conversation_key(const CommunicationEvent& event, std::string_view local_day = {});

// A group message becomes one event per other participant, so each person's digest gets it. The first
// keeps the original id; the others get "{id}~{n}". Any other event is returned as is.
std::vector<CommunicationEvent> split_group_message(const CommunicationEvent& event);

} // namespace appconnect::ingest
