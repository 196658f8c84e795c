// Owner mapping: which CRM user owns the record of a communication. The agent who took it, matched by
// email against the connector's list_users (cached per connection), unless an admin override names the
// user for that extension or email; else the fallback owner; or, in "admin" mode, always the admin's
// user. An empty owner lets the CRM default to the connected user.
//
// Settings (tenant "matching" → "owners", connection overrides win, like the rest of the policy):
//   {"mode": "agent" | "admin", "admin_owner_id": "005...", "fallback_owner_id": "005...",
//    "overrides": {"101": "005...", "sam@example.com": "005..."}}
#pragma once

#include "common/result.hpp"
#include "ingest/event.hpp"

#include <appconnect/types.hpp>

#include <boost/json/object.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace appconnect::matching {

struct OwnerPolicy {
  std::string mode = "agent";
  std::string admin_owner_id;
  std::string fallback_owner_id;
  std::map<std::string, std::string> overrides; // extension id or lower-case email -> CRM user id
};

// Reads "owners" from the tenant and connection settings' "matching" objects.
Result<OwnerPolicy> owner_policy_from(const boost::json::object& tenant_settings,
                                      const boost::json::object& connection_settings);

struct OwnerDecision {
  std::string owner_id;
  std::string source; // override | agent_email | fallback | admin | none
};

class OwnerResolver {
 public:
  using ListUsers = std::function<Result<std::vector<sdk::CrmUser>>()>;
  explicit OwnerResolver(std::int64_t ttl_ms = 10 * 60 * 1000) : ttl_ms_(ttl_ms) {}

  // `list_users` is called at most once per connection per TTL (and not at all when an override or the
  // mode decides). A failing user list degrades to the fallback instead of failing the job.
  OwnerDecision resolve(const std::string& connection_id, const OwnerPolicy& policy, const ingest::Party& agent,
                        const ListUsers& list_users);

 private:
  struct Directory {
    std::int64_t fetched_at_ms = 0;
    std::unordered_map<std::string, std::string> by_email; // lower-case email -> id
  };
  std::int64_t ttl_ms_;
  std::mutex mutex_;
  std::unordered_map<std::string, Directory> directories_;
};

} // namespace appconnect::matching
