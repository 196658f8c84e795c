// Record and replay of a plugin's CRM traffic for appconnect-plugin-check (--record FILE, --transcript FILE).
//
// A transcript is JSON Lines. The first line is {"plugin_check_transcript": 1, ...meta}: what the run needs to
// send the same requests again (its nonce, phone number, clock and thread count). Every other line is one
// exchange, {"seq", "request": {"method","path","query","body"}, "response": {"status","headers","body"}},
// plus "injected": true when the response was a fault the suite asked the sandbox for. Request headers are
// never written (they carry the Authorization header); token-like fields in bodies are redacted.
//
// Both servers listen on 127.0.0.1 only.
#pragma once

#include <boost/json/object.hpp>

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace appconnect::plugin_check {

// What a transcript must hold to send the recorded requests again.
struct TranscriptMeta {
  std::string nonce, phone;
  std::int64_t clock_ms = 0; // the time the call and message logs say they started (minus their offsets)
  int threads = 8;
  std::string crm, plugin_id, plugin_version;

  boost::json::object to_json() const;
  static std::optional<TranscriptMeta> from_json(const boost::json::object& o);
};

// A loopback reverse proxy to `upstream` that appends every exchange to `file`.
class RecordingProxy {
 public:
  // Throws std::runtime_error when the file cannot be written or the port cannot be bound.
  RecordingProxy(std::string upstream, const std::filesystem::path& file, const TranscriptMeta& meta);
  ~RecordingProxy();
  RecordingProxy(const RecordingProxy&) = delete;
  RecordingProxy& operator=(const RecordingProxy&) = delete;

  std::string url() const;
  // The next `count` exchanges to arrive answer a fault injected through the sandbox's control API; they are
  // marked so that a replay hands them out only while the same fault is pending.
  void expect_faults(int count);
  std::size_t recorded() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// A loopback server answering from a transcript, with the part of the sandbox control API the suite uses
// (health, issue-token, config with fail_next and latency_ms).
class ReplayServer {
 public:
  // Throws std::runtime_error with a readable reason when the file is missing or malformed.
  explicit ReplayServer(const std::filesystem::path& file);
  ~ReplayServer();
  ReplayServer(const ReplayServer&) = delete;
  ReplayServer& operator=(const ReplayServer&) = delete;

  std::string url() const;
  const TranscriptMeta& meta() const;
  std::size_t exchanges() const;
  // How many injected faults with this status the transcript holds.
  int injected(int status) const;
  // The requests no unused exchange matched since the last call ("GET /path?query"), oldest first.
  std::vector<std::string> take_unmatched();
  // The requests answered only by the method + path fallback since the last call: "GET /path?query with the
  // recording of ?other-query". Shown beside a failed check, where they are the likely cause.
  std::vector<std::string> take_loose_matches();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

} // namespace appconnect::plugin_check
