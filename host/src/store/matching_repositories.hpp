// Tables of the matching stage: the unresolved queue (communications a person must place) and the
// placeholder claims that make "create a contact for an unknown number" race-free across threads and
// processes.
#pragma once

#include "common/result.hpp"
#include "store/database.hpp"
#include "store/repositories.hpp"

#include <boost/json/object.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace appconnect::store {

struct UnresolvedItem {
  std::int64_t id = 0;
  std::string tenant_id;
  std::string connection_id;
  std::int64_t job_id = 0;
  std::int64_t event_seq = 0;
  std::string conversation_key;
  std::string kind;
  std::string phone_e164;
  std::string agent;          // extension or email of the agent who took it
  std::string owner_id;       // the agent's CRM user id, when mapped
  std::string reason;         // no_match | multiple_matches | shared_number | invalid_number
  boost::json::object detail; // candidates, explanation, message
  std::string state;          // open | resolved | skipped
  boost::json::object resolution;
  std::string resolved_by;
  std::int64_t created_at = 0;
  std::int64_t resolved_at = 0;
};

struct UnresolvedFilter {
  std::string tenant_id;
  std::string state = "open";
  std::string connection_id;
  std::string agent;
  std::string kind;
  std::string phone_e164;
  std::int64_t created_before_ms = 0; // 0 = no bound (age filter)
  std::int64_t after_id = 0;          // keyset paging
  std::int64_t limit = 50;
};

class UnresolvedRepository {
 public:
  explicit UnresolvedRepository(std::shared_ptr<Database> db) : db_(std::move(db)) {}

  // Parks the job as unresolved and opens (or refreshes) its queue item, in one transaction. With a
  // lease, only while the job is still running under it (else kLeaseLost and nothing changes).
  Result<std::int64_t> open(const UnresolvedItem& item, const std::optional<Lease>& lease = std::nullopt,
                            const AlsoInTransaction& also = {});
  Result<std::vector<UnresolvedItem>> list(const UnresolvedFilter& filter);
  Result<std::optional<UnresolvedItem>> get(const std::string& tenant_id, std::int64_t id);
  Result<std::int64_t> count_open(const std::string& tenant_id);
  // Open items of one agent (a rep's own total), counted in the database, however many there are.
  Result<std::int64_t> count_open_for_agent(const std::string& tenant_id, const std::string& agent);

  // The open queue grouped by number and connection, biggest group first, one page at a time: the
  // console shows "N calls from this number" without loading the items themselves.
  struct Group {
    std::string phone_e164;
    std::string connection_id;
    std::int64_t count = 0;
    std::int64_t first_id = 0;
    std::int64_t newest_at = 0;
  };
  // `agent` non-empty: that agent's items only. Returns at most `limit` groups after skipping `offset`.
  Result<std::vector<Group>> open_groups(const std::string& tenant_id, const std::string& agent, std::int64_t offset,
                                         std::int64_t limit);
  Result<std::int64_t> count_open_groups(const std::string& tenant_id, const std::string& agent);

  // Records a person's decision and sends the job back to the workers with it, in one transaction.
  // `state` is "resolved" (the job will log to the chosen or created contact) or "skipped" (the job is
  // closed without a CRM record). Fails with "conflict" when the item is no longer open.
  Result<Done> decide(const std::string& tenant_id, std::int64_t id, const std::string& state,
                      const boost::json::object& resolution, const std::string& decided_by);
  // Sends open items' jobs back through the rules (after CRM data or rules changed).
  Result<std::int64_t> rerun(const std::string& tenant_id, const std::vector<std::int64_t>& ids);

  // The decision stored on a job, if a person made one.
  Result<std::optional<boost::json::object>> resolution_for_job(std::int64_t job_id);

 private:
  std::shared_ptr<Database> db_;
};

// The outcome of trying to become the one who creates the placeholder for a number.
struct PlaceholderClaim {
  enum class State { kClaimed, kReady, kBusy } state = State::kClaimed;
  boost::json::object contact; // when kReady
};

class PlaceholderRepository {
 public:
  explicit PlaceholderRepository(std::shared_ptr<Database> db) : db_(std::move(db)) {}
  // kClaimed: the caller must create the contact and call fulfil(); kReady: use `contact`;
  // kBusy: someone else is creating it right now (retry shortly). A claim older than stale_ms (its
  // creator died) is taken over.
  Result<PlaceholderClaim> claim(const std::string& connection_id, const std::string& phone_e164,
                                 const std::string& claimant, std::int64_t stale_ms);
  Result<Done> fulfil(const std::string& connection_id, const std::string& phone_e164,
                      const boost::json::object& contact);
  // Gives up a claim (the CRM refused the create), so the next attempt can try again.
  Result<Done> abandon(const std::string& connection_id, const std::string& phone_e164, const std::string& claimant);

 private:
  std::shared_ptr<Database> db_;
};

} // namespace appconnect::store
