// The admin HTTP API for jobs the workers gave up on (/v1/admin/jobs): list them by state with their
// last CRM error, run a failed job again with a fresh retry budget, or discard it. Admins see their own
// tenant's jobs (another tenant's job answers 404); operators see all, or one tenant with ?tenant=.
#pragma once

#include "audit/audit_log.hpp"
#include "auth/authenticator.hpp"
#include "http/server.hpp"
#include "store/attempts.hpp"
#include "store/repositories.hpp"

#include <functional>
#include <memory>
#include <string>

namespace appconnect::admin {

struct JobRoutesDeps {
  std::shared_ptr<const auth::Authenticator> auth;
  std::shared_ptr<store::JobRepository> jobs;
  std::function<void()> wake_workers;
  std::shared_ptr<audit::AuditLog> audit; // retries and discards are recorded with the caller; null: not recorded
  std::shared_ptr<store::AttemptRepository> attempts; // GET /v1/admin/jobs/{id} shows its history; null: omitted
};

void add_job_routes(http::Router& router, JobRoutesDeps deps);

} // namespace appconnect::admin
