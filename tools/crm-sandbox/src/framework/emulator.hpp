// The interface every CRM emulator implements. The framework owns transport, the control API,
// logging, latency and fault scheduling; an emulator owns its CRM's wire format: routes, bodies,
// error shapes, auth and limits. Add a CRM by implementing this in its own folder and registering a
// factory in emulators.cpp.
#pragma once

#include "framework/http_types.hpp"
#include "framework/knobs.hpp"
#include "framework/record_store.hpp"
#include "framework/sandbox_context.hpp"

#include <boost/json/value.hpp>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace appconnect::crm_sandbox {

class CrmEmulator {
 public:
  virtual ~CrmEmulator() = default;

  virtual std::string_view name() const = 0;

  // Forgets emulator-private state (id counters, query cursors, connected apps). The framework has
  // already cleared the shared context; load_seed follows.
  virtual void reset() = 0;
  // Loads a seed document (null: no seed). Throws std::runtime_error with a readable message.
  virtual void load_seed(const boost::json::value& seed) = 0;

  // Answers one CRM request (never a /__sandbox/ one). Must not throw for bad input: bad requests get
  // the CRM's own error responses.
  virtual Response handle(const Request& request) = 0;
  // The CRM's own answer for an injected fault (status, body shape, Retry-After).
  virtual Response fault_response(const Request& request, const Fault& fault) = 0;

  // Control API support: the canonical name of an object type ("contact" -> "Contact"), or empty.
  virtual std::string canonical_object(std::string_view object) const = 0;
  // Stores a record directly, bypassing validation but filling system fields; returns its id.
  // Throws std::invalid_argument for an unknown object.
  virtual std::string seed_record(std::string_view object, boost::json::object fields) = 0;
  // A stored record as the control API shows it.
  virtual boost::json::object export_record(std::string_view object, const Record& record) const = 0;
  // POST /__sandbox/issue-token: a valid access token without the OAuth dance, for tests that are not
  // about OAuth. `request` may name "user" (id, username or email) and "client_id". Returns at least
  // {"access_token", "instance_url"}; throws std::invalid_argument for an unknown user or client.
  virtual boost::json::object issue_test_token(const boost::json::object& request) = 0;
};

// Creates the emulator registered under `crm` ("salesforce", ...), or nullptr when there is none.
std::unique_ptr<CrmEmulator> make_emulator(std::string_view crm, SandboxContext& context);
// The registered names, for usage messages.
std::vector<std::string> emulator_names();

} // namespace appconnect::crm_sandbox
