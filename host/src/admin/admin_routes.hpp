// The admin HTTP API (/v1/admin/...): the unresolved queue, the rules simulation and the audit trail. Every route
// goes through auth::guard (auth/authenticator.hpp): reps may list and resolve their own open items; the rest needs
// an admin of the tenant or an operator; verifying the whole chain needs an operator.
#pragma once

#include "audit/audit_log.hpp"
#include "auth/authenticator.hpp"
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
  std::shared_ptr<const auth::Authenticator> auth;
  std::shared_ptr<store::UnresolvedRepository> unresolved;
  std::shared_ptr<store::EventRepository> events;
  std::shared_ptr<store::JobRepository> jobs;
  std::shared_ptr<pipeline::Processor> processor;
  std::shared_ptr<matching::ContactCache> contacts; // re-running rules must see the CRM as it is now
  std::function<void()> wake_workers;
  // Every admin action that changes something is appended here (actor: the caller's token, auth::Principal::actor());
  // null: not recorded.
  std::shared_ptr<audit::AuditLog> audit;
};

void add_admin_routes(http::Router& router, AdminDeps deps);

} // namespace appconnect::admin
