// The admin HTTP API (/v1/admin/...): the unresolved queue, the rules simulation and the audit trail. Every route needs
// "Authorization: Bearer <admin token>"; without a configured token the admin API refuses everything.
#pragma once

#include "audit/audit_log.hpp"
#include "http/server.hpp"
#include "matching/contact_cache.hpp"
#include "pipeline/processor.hpp"
#include "store/matching_repositories.hpp"
#include "store/repositories.hpp"

#include <functional>
#include <memory>
#include <string>

namespace appconnect::admin {

struct AdminDeps {
  std::string admin_token;
  std::shared_ptr<store::UnresolvedRepository> unresolved;
  std::shared_ptr<store::EventRepository> events;
  std::shared_ptr<store::JobRepository> jobs;
  std::shared_ptr<pipeline::Processor> processor;
  std::shared_ptr<matching::ContactCache> contacts; // re-running rules must see the CRM as it is now
  std::function<void()> wake_workers;
  // Every admin action that changes something is appended here (actor "admin"); null: not recorded.
  std::shared_ptr<audit::AuditLog> audit;
};

void add_admin_routes(http::Router& router, AdminDeps deps);

} // namespace appconnect::admin
