// `appconnect backfill`: replays a RingCentral call-log export into a running host. Records are mapped
// with map_call_log_record and posted to POST /v1/events over a few keep-alive connections. Event ids
// come from the call log record ids, so a second run stores nothing new.
#pragma once

#include "common/result.hpp"

#include <cstdint>
#include <filesystem>
#include <ostream>
#include <string>
#include <vector>

namespace appconnect::ringcentral {

struct BackfillOptions {
  std::string url; // the host, e.g. http://127.0.0.1:8080
  std::string token;
  std::string tenant = "default";
  std::filesystem::path file;
  int concurrency = 4;
  std::int64_t progress_every = 500; // a progress line each time this many more records are done
  int attempts = 3;                  // per record, for transport errors and 5xx answers
};

struct BackfillReport {
  std::int64_t total = 0;            // records in the file
  std::int64_t sent = 0;             // records the host answered 2xx
  std::int64_t accepted = 0;         // new events
  std::int64_t duplicate = 0;        // already stored
  std::vector<std::string> failures; // "record <id>: <why>", in record order
};

// Reads, maps and posts. An Error means nothing could be attempted (unreadable file, bad export);
// per-record failures are in the report.
Result<BackfillReport> run_backfill(const BackfillOptions& options, std::ostream& progress);

} // namespace appconnect::ringcentral
