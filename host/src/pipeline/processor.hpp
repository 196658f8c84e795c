// Turns one job (an event for one connection) into CRM effects:
//   known conversation -> update its record;
//   otherwise find the record by external id (crash recovery), else match the contact and create it.
// The outcome of each step is returned as data; the worker decides about retries and parking.
#pragma once

#include "common/result.hpp"
#include "matching/phone.hpp"
#include "pipeline/connector_client.hpp"
#include "store/repositories.hpp"

#include <boost/json/object.hpp>

#include <memory>
#include <string>

namespace appconnect::pipeline {

struct JobOutcome {
  enum class Kind { kDone, kUnresolved, kFailed, kRetry } kind = Kind::kDone;
  boost::json::object detail;  // what happened (done) or why not (unresolved/failed/retry)
  Error error;                 // for kFailed / kRetry
};

struct ProcessorDeps {
  std::shared_ptr<store::EventRepository> events;
  std::shared_ptr<store::ConnectionRepository> connections;
  std::shared_ptr<store::TenantRepository> tenants;
  std::shared_ptr<store::LogRecordRepository> log_records;
  std::shared_ptr<ConnectorClient> connector;
  std::shared_ptr<matching::PhoneNormalizer> phones;
};

class Processor {
 public:
  explicit Processor(ProcessorDeps deps) : d_(std::move(deps)) {}
  JobOutcome process(const store::JobRow& job);

 private:
  ProcessorDeps d_;
};

} // namespace appconnect::pipeline
