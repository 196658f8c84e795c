// One composer for every connector: subject and body of every record (calls, SMS digests, faxes,
// voicemails), in the body format the connector declares (text, HTML or Markdown), with the fields the
// admin switched on. Connectors only place the text into their fields, so a call reads the same in
// every CRM.
//
// The body the host writes is one section between two marker lines. On update the host replaces only
// that section and keeps every other character of the record's current body, so what an agent typed
// into the record survives, and repeated updates never duplicate lines.
#pragma once

#include "common/result.hpp"
#include "common/time_zone.hpp"
#include "ingest/event.hpp"
#include "pipeline/conversation.hpp"

#include <appconnect/types.hpp>

#include <boost/json/object.hpp>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace appconnect::pipeline {

// Which parts of a record the admin wants written (settings "logging.fields"; all on by default).
struct ComposeFields {
  bool notes = true, date_time = true, duration = true, result = true, recording_link = true, transcript = true,
       ai_summary = true, journey = true, numbers = true;
};

struct ComposeOptions {
  std::string format = "text"; // "text" | "html" | "markdown"
  ComposeFields fields;
  std::shared_ptr<const TimeZone> zone; // times are printed in the tenant's zone; UTC when null
};

// Reads tenant settings "logging" ({"fields": {...}, "body_format": "..."}), then the connection's
// "logging" over it, and picks the body format: the configured one if the connector renders it, else the
// connector's first declared format, else text. Unknown keys are refused by name.
Result<ComposeOptions> compose_options_from(const boost::json::object& tenant_settings,
                                            const boost::json::object& connection_settings,
                                            const std::vector<std::string>& connector_formats);

struct Composed {
  std::string subject;
  std::string section; // the host's section, markers included, in options.format
};

Composed compose_call(const MergedCall& call, const std::string& counterpart_e164, const ComposeOptions& options);
Composed compose_messages(const MessageThread& thread, const std::string& counterpart_e164,
                          const ComposeOptions& options);

// The record's new body: `current` with the host's section replaced by `section` (or, when `current`
// has no section yet, `current` followed by it). An empty or absent current body yields the section.
std::string merge_body(const std::optional<std::string>& current, const std::string& section,
                       const std::string& format);

// "1m 35s", "2h 01m 05s", "42s".
std::string format_duration(std::int64_t seconds);

// The records handed to connectors.
sdk::CallLog make_call_log(const MergedCall& call, const Composed& text, const std::string& external_id,
                           const std::string& format);
sdk::MessageLog make_message_log(const MessageThread& thread, const Composed& text, const std::string& external_id,
                                 const std::string& format);

inline constexpr const char* kSectionBegin = "--- AppConnect log (updated automatically; add your notes outside) ---";
inline constexpr const char* kSectionEnd = "--- end of AppConnect log ---";

} // namespace appconnect::pipeline
