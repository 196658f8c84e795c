// Runs `appconnect serve` as a child process on a free loopback port with a generated config file, and
// offers the calls integration tests make against it (post an event, wait until its jobs settle, use
// the admin API).
#pragma once

#include "support/child_process.hpp"
#include "support/http_client.hpp"
#include "support/temp_dir.hpp"

#include <boost/json.hpp>

#include <chrono>
#include <string>
#include <vector>

namespace appconnect::testing {

class HostProcess {
 public:
  // `config` is the config file's JSON (listen/data_dir/plugin_dirs/admin_token are filled in when
  // absent; so is secrets_key_file: one fixed test key, the same for every test host).
  // Extra command-line arguments may follow. Throws std::runtime_error with the host's stderr when it
  // does not come up.
  explicit HostProcess(boost::json::object config, std::vector<std::string> extra_args = {});
  ~HostProcess();

  const std::string& base_url() const { return base_url_; }
  ChildProcess& process() { return process_; }
  const TempDir& dir() const { return dir_; }
  const std::string& admin_token() const { return admin_token_; }

  HttpResult post_event(const boost::json::value& event) const;
  // Polls GET /v1/events/{id} until no job is pending or running; returns the document (fails the test
  // on timeout).
  boost::json::value wait_settled(const std::string& event_id, const std::string& tenant = "default",
                                  std::chrono::milliseconds timeout = std::chrono::seconds(30)) const;
  // The admin API with the configured admin token.
  HttpResult admin(std::string_view method, const std::string& path, const boost::json::value& body = nullptr) const;

 private:
  TempDir dir_;
  ChildProcess process_;
  std::string base_url_;
  std::string admin_token_;
};

// A Salesforce connection document for the sandbox at `sandbox_url` (the demo app's credentials).
boost::json::object salesforce_connection(const std::string& id, const std::string& tenant,
                                          const std::string& sandbox_url, boost::json::object settings = {});

// A native call event: inbound from `phone`, agent extension 101, ended, 95 s, answered.
boost::json::value call_event(const std::string& id, const std::string& session, const std::string& phone,
                              const std::string& tenant = "default");

} // namespace appconnect::testing
