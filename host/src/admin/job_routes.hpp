// The admin HTTP API for jobs the workers gave up on (/v1/admin/jobs): list them by state with their
// last CRM error, run a failed job again with a fresh retry budget, or discard it. Same
// "Authorization: Bearer <admin token>" rule as the other admin routes.
#pragma once

#include "http/server.hpp"
#include "store/repositories.hpp"

#include <functional>
#include <memory>
#include <string>

namespace appconnect::admin {

struct JobRoutesDeps {
  std::string admin_token;
  std::shared_ptr<store::JobRepository> jobs;
  std::function<void()> wake_workers;
};

void add_job_routes(http::Router& router, JobRoutesDeps deps);

} // namespace appconnect::admin
