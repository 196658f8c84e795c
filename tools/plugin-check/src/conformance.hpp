// The plugin conformance suite behind appconnect-plugin-check.
//
// A run loads one plugin file through the host's loader (in process, or in a worker with --isolated) and records one
// CheckResult per check, in order:
//   load, manifest.*            always (a plugin the loader refuses stops the run there);
//   call.*                      the boundary itself: unknown operation, unusable request;
//   op.*, idempotency.*         every declared operation against a sandbox, then the record found again by
//                               its external id;
//   errors.*, timeout,          faults injected through the sandbox's control API (fail_next, latency_ms)
//   large_payload, concurrency  and load from 8 threads.
// Without a sandbox URL or a transcript the sandbox checks are reported as skipped, never as passed.
//
// With a record file the plugin talks to the sandbox through a loopback recording proxy; with a transcript the
// plugin and the control calls talk to a loopback replay server instead of a sandbox (transcript.hpp).
#pragma once

#include <boost/json/object.hpp>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace appconnect::plugin_check {

enum class Status { kPass, kFail, kSkip };

struct CheckResult {
  std::string name;
  Status status = Status::kPass;
  std::string detail; // what was observed (on failure: what was expected instead)
  std::int64_t elapsed_ms = 0;
};

struct Options {
  std::filesystem::path plugin;
  std::string sandbox_url; // empty: no sandbox checks
  // {"settings": {...}, "credentials": {...}}; "${SANDBOX_URL}" in any string becomes sandbox_url.
  // Without it, every manifest setting that holds a URL (an http default, or a key ending in _url or
  // _domain) points at the sandbox, and the access token comes from POST /__sandbox/issue-token.
  std::optional<boost::json::object> connection;
  int threads = 8;
  // Run the plugin out of process, through appconnect-plugin-worker (as a host with plugin_isolation
  // would), with one worker per thread of the concurrency check.
  bool isolated = false;
  std::int64_t large_payload_bytes = 256 * 1024;
  // With sandbox_url: write every exchange between the plugin and the sandbox to this file (JSON Lines).
  std::filesystem::path record_file;
  // Instead of sandbox_url: answer the plugin from this recorded file. The run reuses the recording's nonce,
  // phone number, clock and thread count so that it sends the same requests.
  std::filesystem::path transcript_file;
};

struct Report {
  std::string plugin_id, plugin_version;
  int abi_major = 0, abi_minor = 0;
  std::string sandbox_crm; // what the sandbox says it emulates
  std::vector<CheckResult> checks;

  int count(Status s) const;
  bool ok() const { return count(Status::kFail) == 0 && !checks.empty(); }
};

Report run_checks(const Options& options);

std::string render_text(const Options& options, const Report& report);
boost::json::object render_json(const Options& options, const Report& report);

} // namespace appconnect::plugin_check
