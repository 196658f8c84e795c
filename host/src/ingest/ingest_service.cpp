#include "ingest/ingest_service.hpp"

#include <boost/json.hpp>

namespace appconnect::ingest {

IngestService::IngestService(std::shared_ptr<store::EventRepository> events,
                             std::shared_ptr<store::ConnectionRepository> connections,
                             std::shared_ptr<store::TenantRepository> tenants, std::function<void()> on_new_jobs)
    : events_(std::move(events)),
      connections_(std::move(connections)),
      tenants_(std::move(tenants)),
      on_new_jobs_(std::move(on_new_jobs)) {}

Result<Accepted> IngestService::accept(const CommunicationEvent& event) {
  auto tenant = tenants_->get(event.tenant_id);
  if (!tenant) return tenant.error();
  if (!tenant.value()) return Error::make(error_code::kNotFound, "unknown tenant '" + event.tenant_id + "'", false);
  auto connections = connections_->list_for_tenant(event.tenant_id);
  if (!connections) return connections.error();

  store::NewEvent row;
  row.tenant_id = event.tenant_id;
  row.event_id = event.event_id;
  row.kind = event.kind;
  row.conversation_key = conversation_key(event);
  row.payload = boost::json::serialize(to_json(event));
  for (const auto& c : connections.value())
    if (c.enabled) row.connection_ids.push_back(c.id);

  auto stored = events_->store(row);
  if (!stored) return stored.error();
  if (stored.value().jobs_created > 0 && on_new_jobs_) on_new_jobs_();
  return Accepted{stored.value().seq, stored.value().duplicate, stored.value().jobs_created, row.conversation_key};
}

} // namespace appconnect::ingest
