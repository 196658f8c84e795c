#include "store/attempts.hpp"

#include "store/row_helpers.hpp"

#include <appconnect/time.hpp>

#include <Poco/Data/Session.h>
#include <Poco/Nullable.h>
#include <Poco/Tuple.h>

#include <map>
#include <tuple>

using namespace Poco::Data::Keywords;

namespace appconnect::store {
namespace {

constexpr std::int64_t kDayMs = 86400000;

Poco::Nullable<Poco::Int64> null_if_zero(std::int64_t v) {
  return v == 0 ? Poco::Nullable<Poco::Int64>() : Poco::Nullable<Poco::Int64>(v);
}

std::string day_text(std::int64_t day) {
  return sdk::time::format_iso8601_utc(day * kDayMs).substr(0, 10);
}

// The filters every stats query shares; an empty agent or connection matches all. Each `?` pair is
// bound twice (the value, then the value again) so the SQL needs no per-filter variants.
constexpr const char* kScope = " tenant_id = ? AND (? = '' OR agent = ?) AND (? = '' OR connection_id = ?) ";

} // namespace

Result<Done> AttemptRepository::record(const AttemptRow& row) {
  try {
    auto s = db_->session();
    record_in(*s, row);
    return kDone;
  } catch (const Poco::Exception& ex) {
    return db_error("cannot record a job attempt", ex);
  }
}

void AttemptRepository::record_in(Poco::Data::Session& session, const AttemptRow& row) const {
  AttemptRow r = row;
  Poco::Nullable<std::string> error;
  if (!r.error.empty()) error = r.error;
  auto next = null_if_zero(r.next_attempt_at);
  auto ended = null_if_zero(r.source_ended_at);
  session << db_->sql(
      "INSERT INTO job_attempts (job_id, tenant_id, connection_id, agent, attempt, started_at, "
      "finished_at, result, error, next_attempt_at, source_ended_at) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
      use(r.job_id), use(r.tenant_id), use(r.connection_id), use(r.agent), use(r.attempt), use(r.started_at),
      use(r.finished_at), use(r.result), use(error), use(next), use(ended), now;
}

Result<std::vector<AttemptRow>> AttemptRepository::list_for_job(std::int64_t job_id, std::int64_t limit) {
  try {
    auto s = db_->session();
    using Row = Poco::Tuple<Poco::Int64, std::string, std::string, std::string, Poco::Int64, Poco::Int64, Poco::Int64,
                            std::string, std::string, Poco::Int64, Poco::Int64>;
    std::vector<Row> rows;
    std::int64_t id = job_id, n = limit;
    *s << db_->sql(
        "SELECT job_id, tenant_id, connection_id, agent, attempt, started_at, finished_at, result, "
        "COALESCE(error, ''), COALESCE(next_attempt_at, 0), COALESCE(source_ended_at, 0) "
        "FROM job_attempts WHERE job_id = ? ORDER BY id LIMIT ?"),
        use(id), use(n), into(rows), now;
    std::vector<AttemptRow> out;
    out.reserve(rows.size());
    for (const auto& t : rows)
      out.push_back(AttemptRow{t.get<0>(), t.get<1>(), t.get<2>(), t.get<3>(), t.get<4>(), t.get<5>(), t.get<6>(),
                               t.get<7>(), t.get<8>(), t.get<9>(), t.get<10>()});
    return out;
  } catch (const Poco::Exception& ex) {
    return db_error("cannot list a job's attempts", ex);
  }
}

Result<std::vector<DailyStats>> AttemptRepository::daily(const StatsQuery& q) {
  try {
    auto s = db_->session();
    std::string tenant = q.tenant_id, agent = q.agent, connection = q.connection_id;
    std::int64_t since = q.since_ms;
    std::map<std::pair<std::int64_t, std::string>, DailyStats> by_key;
    auto at = [&](std::int64_t day, const std::string& conn) -> DailyStats& {
      auto& d = by_key[{day, conn}];
      d.day = day_text(day);
      d.connection_id = conn;
      return d;
    };

    // Outcomes of attempts, by the day they finished. Integer division gives the UTC day on both engines.
    using Count = Poco::Tuple<Poco::Int64, std::string, std::string, Poco::Int64>;
    std::vector<Count> counts;
    *s << db_->sql(std::string("SELECT finished_at / 86400000 AS day, connection_id, result, COUNT(*) "
                               "FROM job_attempts WHERE") +
                   kScope + "AND finished_at >= ? GROUP BY finished_at / 86400000, connection_id, result"),
        use(tenant), use(agent), use(agent), use(connection), use(connection), use(since), into(counts), now;
    for (const auto& c : counts) {
      auto& d = at(c.get<0>(), c.get<1>());
      const std::string& result = c.get<2>();
      const std::int64_t n = c.get<3>();
      if (result == "logged")
        d.logged += n;
      else if (result == "placeholder")
        d.placeholder += n;
      else if (result == "updated")
        d.updated += n;
      else if (result == "skipped")
        d.skipped += n;
      else if (result == "failed")
        d.failed += n;
      else if (result == "retry")
        d.retried += n;
    }

    // What went to the unresolved queue, by the day it was queued, and how much of it still waits.
    std::vector<Count> queued;
    *s << db_->sql(std::string("SELECT created_at / 86400000 AS day, connection_id, state, COUNT(*) "
                               "FROM unresolved_items WHERE") +
                   kScope + "AND created_at >= ? GROUP BY created_at / 86400000, connection_id, state"),
        use(tenant), use(agent), use(agent), use(connection), use(connection), use(since), into(queued), now;
    for (const auto& c : queued) {
      auto& d = at(c.get<0>(), c.get<1>());
      d.queued += c.get<3>();
      if (c.get<2>() == "open") d.still_open += c.get<3>();
    }

    // Nearest-rank percentiles with window functions (SQLite >= 3.25 and PostgreSQL alike): the k-th
    // smallest delay of a group, k = ceil(p * n / 100) written as integer arithmetic.
    using Latency = Poco::Tuple<Poco::Int64, std::string, Poco::Int64, Poco::Int64, Poco::Int64>;
    std::vector<Latency> latency;
    *s << db_->sql(
        std::string("SELECT day, connection_id, COUNT(*), MAX(CASE WHEN rn = (50 * n + 99) / 100 THEN delay END), "
                    "MAX(CASE WHEN rn = (95 * n + 99) / 100 THEN delay END) FROM ("
                    " SELECT finished_at / 86400000 AS day, connection_id, delay,"
                    "  ROW_NUMBER() OVER (PARTITION BY finished_at / 86400000, connection_id ORDER BY delay) AS rn,"
                    "  COUNT(*) OVER (PARTITION BY finished_at / 86400000, connection_id) AS n"
                    " FROM (SELECT finished_at, connection_id,"
                    "   CASE WHEN finished_at > source_ended_at THEN finished_at - source_ended_at ELSE 0 END"
                    "   AS delay FROM job_attempts WHERE") +
        kScope +
        "AND finished_at >= ? AND source_ended_at IS NOT NULL) AS samples) AS ranked "
        "GROUP BY day, connection_id"),
        use(tenant), use(agent), use(agent), use(connection), use(connection), use(since), into(latency), now;
    for (const auto& l : latency) {
      auto& d = at(l.get<0>(), l.get<1>());
      d.latency_samples = l.get<2>();
      d.latency_p50_ms = l.get<3>();
      d.latency_p95_ms = l.get<4>();
    }

    std::vector<DailyStats> out;
    out.reserve(by_key.size());
    for (auto& [key, d] : by_key) out.push_back(std::move(d));
    return out;
  } catch (const Poco::Exception& ex) {
    return db_error("cannot compute the dashboard's statistics", ex);
  }
}

} // namespace appconnect::store
