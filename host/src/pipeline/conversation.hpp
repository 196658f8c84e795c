// One CRM record is the sum of every event of its conversation. Notifications arrive late, twice or out
// of order (a "disconnected" before its "answered", a recording link minutes later); merging all of
// them, in the source's own order, gives the same final record whatever the delivery order was.
#pragma once

#include "ingest/event.hpp"

#include <string>
#include <vector>

namespace appconnect::pipeline {

// A call as one agent handled it, merged from all its events.
struct MergedCall {
  ingest::CommunicationEvent call; // the merged view (parties, details, journey)
  bool ended = false;
  bool answered = false;             // the agent talked (some event said answered)
  std::vector<std::string> awaiting; // data announced but not here yet ("recording", ...)
  std::size_t events = 0;
};

// Orders events as the source produced them (sequence, then event time, then arrival) and merges them.
// Later non-empty values win; the state only moves forward; a call that ended without being answered
// is "missed" unless the source said otherwise.
MergedCall merge_call(std::vector<ingest::CommunicationEvent> events);

// A message conversation: an SMS digest (a day with one person, or a shared-inbox thread), or the single
// fax or voicemail of its record. Messages appear once each (by message id), oldest first.
struct MessageThread {
  ingest::CommunicationEvent first;                 // parties, agent and kind of the conversation
  std::vector<ingest::CommunicationEvent> messages; // deduplicated by message id, in time order
  std::string direction;                            // inbound | outbound | mixed
};

MessageThread merge_messages(std::vector<ingest::CommunicationEvent> events);

} // namespace appconnect::pipeline
