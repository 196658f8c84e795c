// The sandbox as a whole, minus the sockets: the control API (/__sandbox/...), and for CRM requests
// the request log, injected latency and faults around the active emulator.
#pragma once

#include "framework/emulator.hpp"
#include "framework/knobs.hpp"
#include "framework/request_log.hpp"
#include "framework/router.hpp"
#include "framework/sandbox_context.hpp"

#include <boost/json/value.hpp>

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

namespace appconnect::crm_sandbox {

class SandboxApp {
 public:
  // Throws std::invalid_argument for an unknown CRM and std::runtime_error for a bad seed.
  SandboxApp(std::string_view crm, boost::json::value seed);

  // Must be called once, before serving, with the URL clients reach the sandbox at.
  void set_base_url(std::string base_url);
  const std::string& base_url() const { return context_.base_url; }
  std::string_view crm() const { return emulator_->name(); }

  // Entry point for every HTTP request. Never throws.
  Response handle(const Request& request);
  // Back to the seeded state: records, tokens, knobs, faults, request log, API usage.
  void reset();

 private:
  Response handle_crm(const Request& request);
  Response handle_control(const Request& request);
  void add_control_routes();
  void load_seed_locked();

  SandboxContext context_;
  std::unique_ptr<CrmEmulator> emulator_;
  boost::json::value seed_;
  RequestLog log_;
  FaultInjector faults_;
  Router control_;
  std::int64_t started_ms_;
  std::mutex reset_mutex_;
};

} // namespace appconnect::crm_sandbox
