// The "generic" CRM: a small REST API invented for plugin authors, not a copy of any vendor. The plugin
// template (`appconnect plugin new`) is written against it, so a new plugin builds, passes
// appconnect-plugin-check and logs a call before its author has touched a real CRM. The wire format is
// documented in docs/plugin-guide/generic-sandbox.md; keep the two in step.
//
// Shape: bearer-token auth, JSON bodies, errors as {"error":{"code","message"}}; contacts searched by
// phone, activities (call, sms, fax, voicemail) created, patched, read and found by external id, users,
// and an OAuth 2 authorization-code / refresh-token endpoint pair. Faults and latency come from the
// framework's knobs like every other emulator. Started without --seed it serves seeds/generic-demo.json
// (embedded at build time).
#pragma once

#include "framework/emulator.hpp"
#include "framework/router.hpp"

#include <atomic>
#include <map>
#include <mutex>
#include <optional>
#include <string>

namespace appconnect::crm_sandbox::generic {

class GenericEmulator final : public CrmEmulator {
 public:
  explicit GenericEmulator(SandboxContext& context);

  std::string_view name() const override { return "generic"; }
  void reset() override;
  void load_seed(const boost::json::value& seed) override;
  Response handle(const Request& request) override;
  Response fault_response(const Request& request, const Fault& fault) override;
  std::string canonical_object(std::string_view object) const override;
  std::string seed_record(std::string_view object, boost::json::object fields) override;
  boost::json::object export_record(std::string_view object, const Record& record) const override;
  boost::json::object issue_test_token(const boost::json::object& request) override;

  // Largest activity body accepted (bytes); larger is a validation error.
  static constexpr std::size_t kMaxBodyBytes = 1 << 20;

 private:
  struct Client {
    std::string client_id, client_secret;
  };
  using Authed = Response (GenericEmulator::*)(const Request&, const PathParams&, const AccessToken&);

  void add_routes();
  Handler authed(Authed method);

  Response oauth_authorize(const Request& request);
  Response oauth_token(const Request& request);
  Response list_users(const Request& request, const PathParams& params, const AccessToken& token);
  Response search_contacts(const Request& request, const PathParams& params, const AccessToken& token);
  Response create_contact(const Request& request, const PathParams& params, const AccessToken& token);
  Response get_contact(const Request& request, const PathParams& params, const AccessToken& token);
  Response find_activities(const Request& request, const PathParams& params, const AccessToken& token);
  Response create_activity(const Request& request, const PathParams& params, const AccessToken& token);
  Response get_activity(const Request& request, const PathParams& params, const AccessToken& token);
  Response update_activity(const Request& request, const PathParams& params, const AccessToken& token);

  std::string insert(const char* object, const char* prefix, boost::json::object fields, bool preexisting);
  boost::json::object render(std::string_view object, const Record& record) const;
  std::optional<Client> client(const std::string& id) const;
  std::string first_user_id() const;

  SandboxContext& ctx_;
  Router router_;
  std::atomic<std::uint64_t> next_id_{1};
  mutable std::mutex config_mutex_;
  std::map<std::string, Client> clients_;
};

} // namespace appconnect::crm_sandbox::generic
