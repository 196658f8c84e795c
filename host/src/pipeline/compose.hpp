// Builds the subject and body of a call record from an event. One composer for every connector, so a
// call reads the same in every CRM; connectors only place the text into their fields.
#pragma once

#include "ingest/event.hpp"

#include <appconnect/types.hpp>

#include <string>

namespace appconnect::pipeline {

// "Inbound call from +14155550132", "Missed call from ...", "Outbound call to ...".
std::string call_subject(const ingest::CommunicationEvent& event, const std::string& counterpart_e164);

// Plain-text body: direction, numbers, start, duration, result, recording link, notes.
std::string call_body(const ingest::CommunicationEvent& event);

// "1m 35s", "2h 01m 05s", "42s".
std::string format_duration(std::int64_t seconds);

// The call record for a connector, with the subject and body composed above.
sdk::CallLog make_call_log(const ingest::CommunicationEvent& event, const std::string& conversation_key,
                           const std::string& counterpart_e164, const std::string& contact_id,
                           const std::string& contact_type);

} // namespace appconnect::pipeline
