// The registry of CRM emulators. To add one (HubSpot, Zoho): implement CrmEmulator in its own folder
// and add a line to kEmulators.
#include "framework/emulator.hpp"

#include "generic/generic_emulator.hpp"
#include "hubspot/hubspot_emulator.hpp"
#include "salesforce/salesforce_emulator.hpp"
#include "zoho/zoho_emulator.hpp"

#include <functional>

namespace appconnect::crm_sandbox {

namespace {
struct Entry {
  const char* name;
  std::unique_ptr<CrmEmulator> (*make)(SandboxContext&);
};

const Entry kEmulators[] = {
    {"salesforce",
     [](SandboxContext& c) -> std::unique_ptr<CrmEmulator> {
       return std::make_unique<salesforce::SalesforceEmulator>(c);
     }},
    {"zoho", [](SandboxContext& c) -> std::unique_ptr<CrmEmulator> { return std::make_unique<zoho::ZohoEmulator>(c); }},
    {"hubspot",
     [](SandboxContext& c) -> std::unique_ptr<CrmEmulator> { return std::make_unique<hubspot::HubSpotEmulator>(c); }},
    // Not a vendor: the documented API the plugin template is written against (docs/plugin-guide/generic-sandbox.md).
    {"generic",
     [](SandboxContext& c) -> std::unique_ptr<CrmEmulator> { return std::make_unique<generic::GenericEmulator>(c); }},
};
} // namespace

std::unique_ptr<CrmEmulator> make_emulator(std::string_view crm, SandboxContext& context) {
  for (const auto& e : kEmulators)
    if (crm == e.name) return e.make(context);
  return nullptr;
}

std::vector<std::string> emulator_names() {
  std::vector<std::string> out;
  for (const auto& e : kEmulators) out.emplace_back(e.name);
  return out;
}

} // namespace appconnect::crm_sandbox
