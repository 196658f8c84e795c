#include "ingest/ingest_service.hpp"

#include "common/time_zone.hpp"
#include "observability/metrics.hpp"

#include <appconnect/json_fields.hpp>
#include <appconnect/time.hpp>

#include <boost/json.hpp>

namespace appconnect::ingest {

IngestService::IngestService(std::shared_ptr<store::EventRepository> events,
                             std::shared_ptr<store::TenantRepository> tenants, std::function<void()> on_new_jobs)
    : commits_(std::move(events)), tenants_(std::move(tenants)), on_new_jobs_(std::move(on_new_jobs)) {}

Result<Accepted> IngestService::accept(const CommunicationEvent& event) {
  auto tenant = tenants_->get_recent(event.tenant_id);
  if (!tenant) return tenant.error();
  if (!tenant.value()) return Error::make(error_code::kNotFound, "unknown tenant '" + event.tenant_id + "'", false);

  // Direct texts are grouped per local day of the tenant, so the digest follows the company's calendar.
  std::string local_day;
  if (event.kind == "sms") {
    auto zone = TimeZone::load(sdk::json_fields::get_string(tenant.value()->settings, "time_zone", "UTC"));
    if (!zone) return zone.error();
    if (auto ms = sdk::time::parse_iso8601_ms(event.start_time)) local_day = zone.value()->local_date(*ms);
  }

  std::vector<store::NewEvent> rows;
  for (const auto& part : split_group_message(event)) {
    store::NewEvent row;
    row.tenant_id = part.tenant_id;
    row.event_id = part.event_id;
    row.kind = part.kind;
    row.conversation_key = conversation_key(part, local_day);
    row.payload = boost::json::serialize(to_json(part));
    row.to_enabled_connections = true; // one job per connection enabled when it is stored
    rows.push_back(std::move(row));
  }
  auto stored = commits_.store(rows);
  if (!stored) return stored.error();
  if (stored.value().empty()) return Error::make(error_code::kBadRequest, "the event has nothing to store", false);
  const auto& first = stored.value().front();
  Accepted total{first.seq, first.duplicate, 0, rows.front().conversation_key};
  for (const auto& s : stored.value()) total.jobs += s.jobs_created;
  if (!total.duplicate) observability::Metrics::global().event_received(event.tenant_id, event.kind);
  if (total.jobs > 0 && on_new_jobs_) on_new_jobs_();
  return total;
}

} // namespace appconnect::ingest
