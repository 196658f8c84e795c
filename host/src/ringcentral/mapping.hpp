// RingCentral -> native events: pure functions from RingCentral JSON (webhook notifications, call log
// records) to native event documents (docs/events.md). No I/O: the webhook route and the backfill
// command feed them and send the results to the ingest service.
//
// Every produced event has a deterministic id derived from RingCentral's own ids, so a re-delivered
// notification or a second backfill run maps to the same ids and the host's deduplication absorbs it.
#pragma once

#include "common/result.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace appconnect::ringcentral {

inline constexpr const char* kSourceWebhook = "ringcentral";
inline constexpr const char* kSourceCallLog = "ringcentral-call-log";

struct MapOptions {
  std::string tenant = "default";
  // Extension ids of call queues (RingCentral "Department" extensions) and other shared mailboxes. They
  // are not people: a queue's own party in a telephony session is not logged, a member's party offered
  // the call through the queue gets call.via_queue, and messages owned by them get message.shared_inbox.
  // Tenant setting "ringcentral.queue_extension_ids".
  std::set<std::string> queue_extension_ids;
};

// What one notification turned into.
struct Mapping {
  std::string notification; // "telephony-session", "message", or the event filter when unknown
  std::vector<boost::json::object> events;
  // Non-empty: the notification is authentic but carries nothing we can map (e.g. message-store change
  // counters, presence). The caller keeps the raw body for inspection.
  std::string unsupported;
  // Parties or details deliberately left out (outside callers, the queue's own party), for the summary.
  std::vector<std::string> skipped;
};

// Maps one webhook notification envelope {"uuid","event","timestamp","ownerId","body":{...}}.
// Never throws: a document of an unexpected shape is reported through `unsupported`.
Mapping map_notification(const boost::json::value& notification, const MapOptions& options);

// Maps one call log record (GET .../call-log, Simple or Detailed view) to one native event.
// Errors are "validation" and say what the record lacks.
Result<boost::json::object> map_call_log_record(const boost::json::value& record, const MapOptions& options);

// The records of a call log export: one response object {"records":[...]}, a JSON array of such pages
// (or of bare records), or JSON Lines of pages. Errors name the line that is not JSON.
Result<std::vector<boost::json::value>> call_log_records(std::string_view text);

// Reads the tenant's "ringcentral" settings object into options (queue_extension_ids).
MapOptions options_from_settings(const std::string& tenant, const boost::json::object& tenant_settings);

} // namespace appconnect::ringcentral
