// The dashboard's numbers (GET /v1/admin/stats) and the attempt history of jobs as JSON. Counts are per
// UTC day and connection; an admin sees the tenant, a rep only the calls and queue items of their agent id.
#pragma once

#include "auth/authenticator.hpp"
#include "http/server.hpp"
#include "store/attempts.hpp"

#include <boost/json.hpp>

#include <memory>
#include <vector>

namespace appconnect::admin {

struct StatsRoutesDeps {
  std::shared_ptr<const auth::Authenticator> auth;
  std::shared_ptr<store::AttemptRepository> attempts;
};

void add_stats_routes(http::Router& router, StatsRoutesDeps deps);

// A job's attempts as the API shows them (oldest first): number, times, result, error, next attempt.
boost::json::array attempts_json(const std::vector<store::AttemptRow>& rows);

} // namespace appconnect::admin
