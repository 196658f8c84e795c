// Accepts events: validates, stores them durably (with one job per enabled connection of the tenant)
// and only then answers 2xx. A repeated event id is answered 200 with the original's sequence and
// creates nothing new.
#pragma once

#include "common/result.hpp"
#include "ingest/event.hpp"
#include "ingest/group_commit.hpp"
#include "store/repositories.hpp"

#include <functional>
#include <memory>
#include <string>

namespace appconnect::ingest {

struct Accepted {
  std::int64_t seq = 0;
  bool duplicate = false;
  std::int64_t jobs = 0;
  std::string conversation_key;
};

class IngestService {
 public:
  IngestService(std::shared_ptr<store::EventRepository> events, std::shared_ptr<store::TenantRepository> tenants,
                std::function<void()> on_new_jobs);

  // Concurrent calls are committed together (GroupCommit); each returns after its event is durable.
  Result<Accepted> accept(const CommunicationEvent& event);

 private:
  GroupCommit commits_;
  std::shared_ptr<store::TenantRepository> tenants_;
  std::function<void()> on_new_jobs_;
};

} // namespace appconnect::ingest
