// How AppConnect's documents become HubSpot properties and back. Pure functions, no I/O.
//
// Property names and values:
//   calls           https://developers.hubspot.com/docs/api/crm/calls (hs_timestamp, hs_call_title, hs_call_body,
//                   hs_call_direction INBOUND|OUTBOUND, hs_call_duration in milliseconds, hs_call_status,
//                   hs_call_disposition = outcome GUID, hs_call_recording_url (HTTPS), hs_call_from_number,
//                   hs_call_to_number, hubspot_owner_id)
//   communications  https://developers.hubspot.com/docs/api/crm/communications (hs_communication_channel_type SMS,
//                   hs_communication_logged_from CRM, hs_communication_body, hs_timestamp, hubspot_owner_id)
//   notes           https://developers.hubspot.com/docs/api-reference/2026-03/crm/activities/notes/guide
//                   (hs_note_body up to 65,536 characters, hs_timestamp, hubspot_owner_id)
//   contacts        https://developers.hubspot.com/docs/api-reference/latest/crm/objects/contacts/guide
// Association type ids (HUBSPOT_DEFINED): call->contact 194, communication->contact 81, note->contact 202
// (calls/communications/notes guides and specs).
#pragma once

#include <appconnect/types.hpp>

#include <boost/json.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace appconnect::hubspot {

// Default call outcomes (hs_call_disposition GUIDs) every portal has (calls guide).
namespace outcome {
inline constexpr const char* kBusy = "9d9162e7-6cf3-4944-bf63-4dff82258764";
inline constexpr const char* kConnected = "f240bbac-87c9-4f6e-bf70-924b57d47db7";
inline constexpr const char* kLeftLiveMessage = "a4c4c377-d246-4b32-a13b-75a56a4cd0ff";
inline constexpr const char* kLeftVoicemail = "b2cf5968-551e-4856-9783-52b3da59a7d0";
inline constexpr const char* kNoAnswer = "73a0d17f-1163-4015-bdd5-ec830791da20";
inline constexpr const char* kWrongNumber = "17b47fee-58de-441e-a44c-c6300d46f273";
} // namespace outcome

// The HubSpot object a log of this kind lives in: "calls", "communications" (sms) or "notes" (fax,
// voicemail); empty for an unknown kind.
std::string object_for_kind(std::string_view kind);
// The HUBSPOT_DEFINED association type from that object to a contact (194, 81, 202); 0 if none.
int contact_association_type(std::string_view object);

// The national significant number of an E.164 number ("+14155550132" -> "4155550132"), which is what
// HubSpot's hs_searchable_calculated_*_number properties hold. Falls back to the shortest all-digit
// variant the host proposes when the number is not E.164.
std::string national_digits(const std::string& e164, const std::vector<std::string>& variants);

// hs_call_status and hs_call_disposition for an AppConnect call result (see docs/connectors/hubspot.md).
std::string call_status(std::string_view result, std::string_view direction);
std::string call_disposition(std::string_view result);

std::string body_html(std::string_view body, std::string_view format);

// hs_timestamp: the log's start time as ISO 8601 UTC with milliseconds, or `now_ms` when it has none.
std::string timestamp(const std::string& start_time, std::int64_t now_ms);

boost::json::object call_properties(const sdk::CallLog& log, const std::string& external_id_property,
                                    std::int64_t now_ms);
// Properties of the communication (sms) or note (fax, voicemail) for a message log.
// The body a message log was given, without the title line message_properties puts in front of it.
std::string strip_title_line(const std::string& html);

boost::json::object message_properties(const sdk::MessageLog& log, const std::string& external_id_property,
                                       std::int64_t now_ms);

// {"properties": ..., "associations": [{"to": {"id"}, "types": [{HUBSPOT_DEFINED, type}]}]} for a create.
boost::json::object create_body(boost::json::object properties, const std::string& contact_id, int association_type);

// A contact search result or created contact (SimplePublicObject) as an SDK Contact.
sdk::Contact contact_from(const boost::json::object& record, std::string url);

} // namespace appconnect::hubspot
