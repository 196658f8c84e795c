// Runs <bin>/appconnect-crm-sandbox as a child process on a free loopback port and talks to its
// control API. One per test suite is the intended use (start/stop costs ~0.3 s); call reset()
// between tests to get back to the seeded state.
#pragma once

#include "support/child_process.hpp"
#include "support/http_client.hpp"
#include "support/temp_dir.hpp"

#include <boost/json.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace appconnect::testing {

struct SandboxOptions {
  std::string crm = "salesforce";
  // Seed file. Empty: tools/crm-sandbox/seeds/<crm>-demo.json; "none": start without a seed.
  std::string seed;
  std::vector<std::string> extra_args;
  std::chrono::milliseconds startup_timeout{15000};
};

class SandboxProcess {
 public:
  // Starts the sandbox and waits for "listening on ..."; throws std::runtime_error (with the
  // sandbox's stderr) when it does not come up.
  explicit SandboxProcess(SandboxOptions options = {});
  ~SandboxProcess();
  SandboxProcess(const SandboxProcess&) = delete;
  SandboxProcess& operator=(const SandboxProcess&) = delete;

  const std::string& base_url() const { return base_url_; }
  int port() const { return port_; }
  ChildProcess& process() { return process_; }
  const TempDir& dir() const { return dir_; }

  // base_url() + path.
  std::string url(const std::string& path) const { return base_url_ + path; }
  HttpResult request(std::string_view method, const std::string& path, const std::string& body = {},
                     const std::map<std::string, std::string>& headers = {}) const;

  // JSON helpers for the control API (and any JSON endpoint); throw std::runtime_error on non-2xx.
  boost::json::value get_json(const std::string& path) const;
  boost::json::value post_json(const std::string& path, const boost::json::value& body = boost::json::object{}) const;

  // Everything stored for an object type (GET /__sandbox/records/{object}).
  boost::json::array records(const std::string& object) const;
  // Seeds one record directly and returns its id.
  std::string seed_record(const std::string& object, const boost::json::object& fields) const;
  // POST /__sandbox/config; returns the knobs after the change.
  boost::json::object configure(const boost::json::object& knobs) const;
  void reset() const;
  void expire_tokens() const;
  // The request log entries after `since` (GET /__sandbox/requests?since=N).
  boost::json::array requests(std::uint64_t since = 0) const;
  void clear_requests() const;
  // A valid access token without the OAuth dance (POST /__sandbox/issue-token).
  std::string access_token(const std::string& user = {}) const;

  // SIGTERM and wait; returns the exit code.
  std::optional<int> stop();

 private:
  TempDir dir_;
  ChildProcess process_;
  std::string base_url_;
  int port_ = 0;
};

} // namespace appconnect::testing
