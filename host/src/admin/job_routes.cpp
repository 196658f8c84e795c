#include "admin/job_routes.hpp"

#include "admin/stats_routes.hpp"
#include "common/log.hpp"
#include "http/paging.hpp"

#include <boost/json.hpp>

#include <optional>
#include <set>

namespace appconnect::admin {
namespace {

using http::Request;
using http::Response;

Response error_response(const Error& e) {
  int status = e.retryable ? 503 : 500;
  if (e.code == error_code::kNotFound) status = 404;
  if (e.code == error_code::kConflict) status = 409;
  if (e.code == error_code::kValidation) status = 422;
  return Response::error(status, e.code, e.message);
}

// A job id from the path: digits only.
std::optional<std::int64_t> whole_number(const std::string& text) {
  if (text.empty() || text.size() > 18) return std::nullopt;
  for (char c : text)
    if (c < '0' || c > '9') return std::nullopt;
  return std::stoll(text);
}

boost::json::value parsed_or_text(const std::string& text) {
  if (text.empty()) return nullptr;
  boost::system::error_code ec;
  auto v = boost::json::parse(text, ec);
  return ec ? boost::json::value(text) : v;
}

boost::json::object job_json(const store::JobRow& j) {
  boost::json::object o{{"id", j.id},
                        {"event_seq", j.event_seq},
                        {"tenant", j.tenant_id},
                        {"connection", j.connection_id},
                        {"conversation_key", j.conversation_key},
                        {"state", j.state},
                        {"attempts", j.attempts},
                        {"next_attempt_at_ms", j.next_attempt_at},
                        {"updated_at_ms", j.updated_at}};
  if (!j.last_error.empty()) o["last_error"] = parsed_or_text(j.last_error);
  if (!j.outcome.empty()) o["outcome"] = parsed_or_text(j.outcome);
  return o;
}

} // namespace

void add_job_routes(http::Router& router, JobRoutesDeps deps) {
  auto d = std::make_shared<JobRoutesDeps>(std::move(deps));
  auto guarded = [d](auth::GuardedHandler inner) { return auth::guard(d->auth, auth::Role::kAdmin, std::move(inner)); };
  auto job_id = [](const Request& r) { return whole_number(r.params.at("id")); };

  router.add(
      "GET", "/v1/admin/jobs", guarded([d](const Request& r, const auth::Principal& p) {
        static const std::set<std::string> kStates{"pending", "running", "done", "unresolved", "failed", "discarded"};
        const std::string state = r.query_param("state", "failed");
        if (!kStates.count(state))
          return Response::error(422, "validation",
                                 "'state' must be pending, running, done, unresolved, failed or discarded");
        const auto after = r.int_param("after", 0);
        const auto limit = r.int_param("limit", 50);
        if (!after || !limit || *after < 0 || *limit < 1 || *limit > 1000)
          return Response::error(422, "validation", "'after' must be a job id and 'limit' a number from 1 to 1000");
        std::string tenant = r.query_param("tenant");
        if (!p.is_operator() || !tenant.empty()) {
          auto scoped = auth::tenant_scope(p, tenant);
          if (!scoped) return auth::error_response(scoped.error());
          tenant = scoped.value();
        }
        auto jobs = d->jobs->list_in_state(state, *after, *limit, tenant);
        if (!jobs) return error_response(jobs.error());
        auto total = d->jobs->count_in_state(state, tenant);
        if (!total) return error_response(total.error());
        boost::json::array list;
        for (const auto& j : jobs.value()) list.push_back(job_json(j));
        boost::json::object body{{"state", state}, {"total", total.value()}, {"jobs", std::move(list)}};
        body["next_after"] = http::next_after(jobs.value(), *limit, [](const auto& row) { return row.id; });
        return Response::json(200, body);
      }));

  router.add("GET", "/v1/admin/jobs/{id}", guarded([d, job_id](const Request& r, const auth::Principal& p) {
               const auto id = job_id(r);
               if (!id) return Response::error(404, "not_found", "no job '" + r.params.at("id") + "'");
               auto job = d->jobs->get(*id);
               if (!job) return error_response(job.error());
               if (!job.value() || !p.sees_tenant(job.value()->tenant_id))
                 return Response::error(404, "not_found", "no job " + std::to_string(*id));
               auto body = job_json(*job.value());
               if (d->attempts) {
                 auto history = d->attempts->list_for_job(*id);
                 if (!history) return error_response(history.error());
                 body["history"] = attempts_json(history.value());
               }
               return Response::json(200, body);
             }));

  // Both actions answer with the job as it is afterwards.
  auto act = [d, job_id](bool retry) {
    return [d, job_id, retry](const Request& r, const auth::Principal& p) {
      const auto id = job_id(r);
      if (!id) return Response::error(404, "not_found", "no job '" + r.params.at("id") + "'");
      // Another tenant's job is answered exactly like a job that does not exist.
      auto before = d->jobs->get(*id);
      if (!before) return error_response(before.error());
      if (!before.value() || !p.sees_tenant(before.value()->tenant_id))
        return Response::error(404, "not_found", "no job " + std::to_string(*id));
      auto changed = retry ? d->jobs->retry_failed(*id) : d->jobs->discard_failed(*id);
      if (!changed) return error_response(changed.error());
      if (d->audit) {
        auto recorded =
            d->audit->append({before.value()->tenant_id, p.actor(), retry ? "job.retried" : "job.discarded",
                              std::to_string(*id), boost::json::object{{"connection", before.value()->connection_id}}});
        if (!recorded) // the change is made: a client retry would not help, so it is logged loudly instead
          log::error("audit", "an admin action could not be recorded in the audit trail",
                     {{"job", *id}, {"error", recorded.error().message}});
      }
      if (retry && d->wake_workers) d->wake_workers();
      auto job = d->jobs->get(*id);
      if (!job || !job.value()) return Response::json(200, boost::json::object{{"id", *id}});
      return Response::json(200, job_json(*job.value()));
    };
  };
  router.add("POST", "/v1/admin/jobs/{id}/retry", guarded(act(true)));
  router.add("POST", "/v1/admin/jobs/{id}/discard", guarded(act(false)));
}

} // namespace appconnect::admin
