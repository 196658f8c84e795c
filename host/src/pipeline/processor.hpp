// Turns one job (an event for one connection) into CRM effects:
//   1. skip rules (blocked numbers, internal calls, switched-off kinds) close the job without writing;
//   2. a conversation we already wrote is updated, never written twice (log_records, then the
//      connector's find_log_by_external_id after a crash);
//   3. otherwise the contact is chosen — a person's decision from the unresolved queue, else a lookup
//      through the contact cache, the conflict rules, or a race-free placeholder — and the record is
//      created. What cannot be decided goes to the unresolved queue with its candidates and reasons.
// Every outcome carries an explanation (variants tried, candidates, the rule that decided).
#pragma once

#include "common/result.hpp"
#include "matching/contact_cache.hpp"
#include "matching/owners.hpp"
#include "matching/phone.hpp"
#include "pipeline/connector_client.hpp"
#include "store/matching_repositories.hpp"
#include "store/repositories.hpp"

#include <boost/json/object.hpp>

#include <memory>
#include <optional>
#include <string>

namespace appconnect::pipeline {

struct JobOutcome {
  enum class Kind { kDone, kUnresolved, kFailed, kRetry } kind = Kind::kDone;
  boost::json::object detail;                      // what happened (done) or why not (unresolved)
  Error error;                                     // for kFailed / kRetry
  std::optional<store::UnresolvedItem> queue_item; // for kUnresolved: the item a person will see
  std::string agent;                               // the event's agent (extension id or email), if known
  std::string event_id;                            // the job's event, when it could be loaded
  std::int64_t source_ended_ms = 0; // a call's end (Unix ms) when this attempt first wrote its record, else 0
};

struct ProcessorDeps {
  std::shared_ptr<store::EventRepository> events;
  std::shared_ptr<store::ConnectionRepository> connections;
  std::shared_ptr<store::TenantRepository> tenants;
  std::shared_ptr<store::LogRecordRepository> log_records;
  std::shared_ptr<store::UnresolvedRepository> unresolved;
  std::shared_ptr<store::PlaceholderRepository> placeholders;
  std::shared_ptr<ConnectorClient> connector;
  std::shared_ptr<matching::PhoneNormalizer> phones;
  std::shared_ptr<matching::ContactCache> contacts;
  std::shared_ptr<matching::OwnerResolver> owners;
};

class Processor {
 public:
  explicit Processor(ProcessorDeps deps) : d_(std::move(deps)) {}
  JobOutcome process(const store::JobRow& job);

  // Runs only the matching stage (no CRM writes): what would happen to this job's event now.
  // Used by the rules simulation. `policy_override` replaces the stored matching settings.
  boost::json::object simulate(const store::JobRow& job, const boost::json::object* policy_override);

  // Creates one contact (lead) on a connection for a person's decision that covers several queue items
  // ("one lead for these calls"); forgets the cached lookups of its number so later calls find it.
  Result<sdk::Contact> create_contact(const std::string& connection_id, const sdk::CreateContactRequest& request);
  // The CRM owner the worker would give this job's records (the agent's CRM user per the owner
  // policy); empty when it cannot be told.
  std::string owner_for(const store::JobRow& job);

 private:
  ProcessorDeps d_;
};

} // namespace appconnect::pipeline
