// The matching policy of a connection: the tenant's settings with the connection's overrides on top.
// Everything an admin decides about "which record does this communication land on" lives here:
// conflict rules, placeholder contacts, shared (switchboard) numbers, skip rules, the contact cache.
//
// JSON form (tenant settings "matching", connection settings "matching"; the connection's keys win):
//   {"rules": ["type_priority", "last_modified"], "type_priority": ["Contact", "Lead"],
//    "placeholder": {"enabled": true, "type": "Lead", "name_template": "New Lead - {phone}"},
//    "shared_numbers": ["+14155550100"], "blocked_numbers": ["+19005550100"], "blocked_extensions": ["999"],
//    "log_internal_calls": false, "kinds": {"call": true, "sms": true, "fax": true, "voicemail": true},
//    "directions": {"inbound": true, "outbound": true}, "cache_ttl_s": 300}
#pragma once

#include "common/result.hpp"
#include "ingest/event.hpp"
#include "matching/conflict_rules.hpp"
#include "matching/phone.hpp"

#include <boost/json/object.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>

namespace appconnect::matching {

struct PlaceholderPolicy {
  bool enabled = false;
  std::string type;                                 // a contact type of the connector; empty = its first
  std::string name_template = "New Lead - {phone}"; // {phone}, {caller_id_name}, {date}
};

struct MatchingPolicy {
  RuleSet rules;
  PlaceholderPolicy placeholder;
  std::set<std::string> shared_numbers;  // E.164; never auto-linked to a person
  std::set<std::string> blocked_numbers; // E.164; never logged
  std::set<std::string> blocked_extensions;
  bool log_internal_calls = false;
  std::map<std::string, bool> kinds;      // missing = logged
  std::map<std::string, bool> directions; // missing = logged
  std::int64_t cache_ttl_ms = 300000;
  std::string default_region = "US";
};

// The defaults: Contact before Lead, then the most recently modified; no placeholders.
MatchingPolicy default_policy();

// Merges tenant and connection settings over the defaults. Numbers are normalized with the tenant's
// region; a malformed value is an error naming the key, so a typo never silently changes behaviour.
Result<MatchingPolicy> policy_from(const boost::json::object& tenant_settings,
                                   const boost::json::object& connection_settings, const PhoneNormalizer& phones);

// Why this event must not be logged (blocked number, internal call, kind or direction switched off),
// or nullopt when it should be.
std::optional<std::string> skip_reason(const MatchingPolicy& policy, const ingest::CommunicationEvent& event,
                                       const NormalizedPhone& counterpart);

// The placeholder's name from the template: "New Lead - {phone}" -> "New Lead - +14155550132".
std::string placeholder_name(const std::string& name_template, const ingest::CommunicationEvent& event,
                             const std::string& phone_e164);

} // namespace appconnect::matching
