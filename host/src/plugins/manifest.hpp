// A plugin's manifest: what it is and what it can do, as the plugin reports it (embedded in the library,
// returned through appconnect_plugin::manifest_json) and as it ships beside it (<file>.manifest.json).
//
// Format (unknown fields are kept in `raw` and otherwise ignored, so newer plugins stay readable):
//
//   {
//     "id": "salesforce",                      required; ^[a-z][a-z0-9_-]{1,63}$; the connector id admins use
//     "name": "Salesforce",                    required; non-empty display name
//     "version": "1.0.0",                      required; MAJOR.MINOR.PATCH, optional -prerelease / +build
//     "vendor": "AppConnect",                  optional string
//     "abi": {"major": 1, "minor": 0},         required; must equal the version in the plugin's table
//     "capabilities": ["find_contacts", "create_call_log"],   required; known names only (kKnownCapabilities)
//     "contact_types": ["Contact", "Lead"],    optional; the CRM's record types create_contact may use
//     "body_formats": ["text"],                optional; "text" | "html" | "markdown" the CRM renders
//     "phone_search_formats": ["e164", "national_digits"],    optional; spellings find_contacts understands
//     "oauth": {...},                          optional object: endpoints and scopes
//     "settings": [{"key": "login_url", "description": "...", "default": "https://login.salesforce.com"}]
//   }
#pragma once

#include "common/result.hpp"

#include <boost/json/object.hpp>

#include <array>
#include <string>
#include <string_view>
#include <vector>

namespace appconnect::plugins {

// Capability names a v1 manifest may declare. An unknown name is refused rather than ignored: it is far
// more likely a typo (which would silently disable a feature) than a capability from the future, since a
// plugin built for a newer ABI minor is refused before its manifest is read.
inline constexpr std::array<std::string_view, 10> kKnownCapabilities = {
    "find_contacts",      "create_contact",     "create_call_log", "update_call_log", "find_log_by_external_id",
    "create_message_log", "update_message_log", "get_log",         "list_users",      "oauth"};

struct Manifest {
  std::string id, name, version;
  int abi_major = 0, abi_minor = 0;
  std::vector<std::string> capabilities, contact_types, body_formats;
  boost::json::object raw; // the whole document, for fields the host reads later (oauth, settings, ...)
};

// Parses and validates a manifest. The error (code "validation") names the offending field.
Result<Manifest> parse_manifest(std::string_view json_text);

} // namespace appconnect::plugins
