#include "admin/stats_routes.hpp"

#include "store/repositories.hpp"

#include <appconnect/time.hpp>

namespace appconnect::admin {
namespace {

using http::Request;
using http::Response;

constexpr std::int64_t kDayMs = 86400000;
constexpr std::int64_t kMaxDays = 90;

boost::json::value parsed_or_text(const std::string& text) {
  if (text.empty()) return nullptr;
  boost::system::error_code ec;
  auto v = boost::json::parse(text, ec);
  return ec ? boost::json::value(text) : v;
}

boost::json::object day_json(const store::DailyStats& d) {
  boost::json::object o{{"day", d.day},
                        {"connection", d.connection_id},
                        {"logged", d.logged},
                        {"placeholder", d.placeholder},
                        {"updated", d.updated},
                        {"skipped", d.skipped},
                        {"queued", d.queued},
                        {"still_open", d.still_open},
                        {"failed", d.failed},
                        {"retried", d.retried},
                        {"latency_samples", d.latency_samples}};
  // Without a sample there is no latency to report, which is not the same as 0 ms.
  o["latency_p50_ms"] = d.latency_samples > 0 ? boost::json::value(d.latency_p50_ms) : boost::json::value(nullptr);
  o["latency_p95_ms"] = d.latency_samples > 0 ? boost::json::value(d.latency_p95_ms) : boost::json::value(nullptr);
  return o;
}

} // namespace

boost::json::array attempts_json(const std::vector<store::AttemptRow>& rows) {
  boost::json::array list;
  for (const auto& a : rows) {
    boost::json::object o{{"attempt", a.attempt},
                          {"started_at_ms", a.started_at},
                          {"finished_at_ms", a.finished_at},
                          {"result", a.result}};
    if (!a.error.empty()) o["error"] = parsed_or_text(a.error);
    if (a.next_attempt_at > 0) o["next_attempt_at_ms"] = a.next_attempt_at;
    list.push_back(std::move(o));
  }
  return list;
}

void add_stats_routes(http::Router& router, StatsRoutesDeps deps) {
  auto d = std::make_shared<StatsRoutesDeps>(std::move(deps));
  router.add(
      "GET", "/v1/admin/stats", auth::guard(d->auth, auth::Role::kRep, [d](const Request& r, const auth::Principal& p) {
        auto tenant = auth::tenant_scope(p, r.query_param("tenant"));
        if (!tenant) return auth::error_response(tenant.error());
        const auto days = r.int_param("days", 14);
        if (!days || *days < 1 || *days > kMaxDays)
          return Response::error(422, "validation", "'days' must be a number from 1 to 90");
        store::StatsQuery q;
        q.tenant_id = tenant.value();
        q.connection_id = r.query_param("connection");
        // A rep's dashboard is their own work; a rep token without an agent id matches nothing.
        if (p.role == auth::Role::kRep) q.agent = p.agent.empty() ? std::string("\n") : p.agent;
        const std::int64_t today = store::now_ms() / kDayMs;
        q.since_ms = (today - (*days - 1)) * kDayMs;
        auto rows = d->attempts->daily(q);
        if (!rows) return auth::error_response(rows.error());
        boost::json::array series;
        store::DailyStats total;
        for (const auto& s : rows.value()) {
          series.push_back(day_json(s));
          total.logged += s.logged;
          total.placeholder += s.placeholder;
          total.updated += s.updated;
          total.skipped += s.skipped;
          total.queued += s.queued;
          total.still_open += s.still_open;
          total.failed += s.failed;
          total.retried += s.retried;
          total.latency_samples += s.latency_samples;
        }
        boost::json::object totals{
            {"logged", total.logged},   {"placeholder", total.placeholder}, {"updated", total.updated},
            {"skipped", total.skipped}, {"queued", total.queued},           {"still_open", total.still_open},
            {"failed", total.failed},   {"retried", total.retried},         {"latency_samples", total.latency_samples}};
        const auto day = [](std::int64_t n) { return sdk::time::format_iso8601_utc(n * kDayMs).substr(0, 10); };
        return Response::json(200, boost::json::object{{"tenant", q.tenant_id},
                                                       {"days", *days},
                                                       {"from", day(today - (*days - 1))},
                                                       {"to", day(today)},
                                                       {"series", std::move(series)},
                                                       {"totals", std::move(totals)}});
      }));
}

} // namespace appconnect::admin
