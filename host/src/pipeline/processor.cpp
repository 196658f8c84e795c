#include "pipeline/processor.hpp"

#include "common/log.hpp"
#include "ingest/event.hpp"
#include "pipeline/compose.hpp"

#include <appconnect/types.hpp>

#include <boost/json.hpp>

namespace appconnect::pipeline {
namespace {

JobOutcome failed(Error e) {
  JobOutcome o;
  o.kind = e.retryable ? JobOutcome::Kind::kRetry : JobOutcome::Kind::kFailed;
  o.error = std::move(e);
  return o;
}

JobOutcome unresolved(std::string reason, std::string message, boost::json::object extra = {}) {
  JobOutcome o;
  o.kind = JobOutcome::Kind::kUnresolved;
  o.detail = std::move(extra);
  o.detail["reason"] = std::move(reason);
  o.detail["message"] = std::move(message);
  return o;
}

JobOutcome done(std::string action, const sdk::LogRecordRef& record, boost::json::object extra = {}) {
  JobOutcome o;
  o.detail = std::move(extra);
  o.detail["action"] = std::move(action);
  o.detail["record"] = boost::json::value_from(record);
  return o;
}

template <class T>
Result<T> decode(const Result<boost::json::value>& reply, const char* operation) {
  if (!reply) return reply.error();
  try {
    return boost::json::value_to<T>(reply.value());
  } catch (const std::exception& ex) {
    return Error::make(error_code::kInternal,
                       std::string("plugin reply to ") + operation + " is not a valid document: " + ex.what(), false);
  }
}

} // namespace

JobOutcome Processor::process(const store::JobRow& job) {
  auto row = d_.events->get_by_seq(job.event_seq);
  if (!row) return failed(row.error());
  if (!row.value()) return failed(Error::make(error_code::kNotFound, "the job's event is missing", false));
  boost::system::error_code ec;
  const auto doc = boost::json::parse(row.value()->payload, ec);
  if (ec) return failed(Error::make(error_code::kInternal, "stored event is not JSON", false));
  auto parsed = ingest::parse_event(doc, row.value()->tenant_id);
  if (!parsed) return failed(parsed.error());
  const ingest::CommunicationEvent& event = parsed.value();

  if (event.kind != "call")
    return failed(Error::make(error_code::kUnsupported,
                              "events of kind '" + event.kind + "' are stored but not yet logged by this host", false));
  if (event.call.state != "ended") {
    JobOutcome o;
    o.detail = {{"action", "skipped"}, {"reason", "the call has not ended; it is logged when it ends"}};
    return o;
  }

  // A conversation we already wrote: update its record, never create a second one.
  auto known = d_.log_records->find(job.connection_id, job.conversation_key);
  if (!known) return failed(known.error());

  std::string region = "US";
  if (auto t = d_.tenants->get(event.tenant_id); t && t.value()) {
    if (const auto* r = t.value()->settings.if_contains("default_region"); r && r->is_string())
      region = std::string(r->get_string());
  }
  const auto& counterpart = event.counterpart();
  const matching::NormalizedPhone phone = d_.phones->normalize(counterpart.phone, region);

  if (known.value()) {
    const auto& rec = *known.value();
    sdk::UpdateCallLogRequest update{rec.crm_record_id,
                                     make_call_log(event, job.conversation_key, phone.e164, "", "")};
    auto reply = decode<sdk::LogRecordRef>(
        d_.connector->call(job.connection_id, "update_call_log", boost::json::value_from(update)), "update_call_log");
    if (!reply) return failed(reply.error());
    return done("updated", reply.value());
  }

  // After a crash between "CRM created" and "mapping saved", the record exists but our map does not
  // know it: find it by the external id written into it.
  sdk::FindLogByExternalIdRequest find_log{job.conversation_key, "call"};
  auto found = decode<sdk::FindLogByExternalIdResult>(
      d_.connector->call(job.connection_id, "find_log_by_external_id", boost::json::value_from(find_log)),
      "find_log_by_external_id");
  if (!found && found.error().code != error_code::kUnsupported) return failed(found.error());
  if (found && found.value().record) {
    const auto& rec = *found.value().record;
    auto saved = d_.log_records->save({job.connection_id, job.conversation_key, event.tenant_id, event.kind, rec.id,
                                       rec.type, rec.url});
    if (!saved) return failed(saved.error());
    sdk::UpdateCallLogRequest update{rec.id, make_call_log(event, job.conversation_key, phone.e164, "", "")};
    auto reply = decode<sdk::LogRecordRef>(
        d_.connector->call(job.connection_id, "update_call_log", boost::json::value_from(update)), "update_call_log");
    if (!reply) return failed(reply.error());
    return done("recovered", reply.value());
  }

  if (!phone.valid)
    return unresolved("invalid_number", "'" + counterpart.phone + "' is not a valid phone number (" + phone.error + ")");

  sdk::FindContactsRequest search;
  search.phone_e164 = phone.e164;
  search.variants = d_.phones->search_variants(phone);
  search.limit = 20;
  auto contacts = decode<sdk::FindContactsResult>(
      d_.connector->call(job.connection_id, "find_contacts", boost::json::value_from(search)), "find_contacts");
  if (!contacts) return failed(contacts.error());
  const auto& matches = contacts.value().contacts;
  boost::json::object tried{{"phone_e164", phone.e164}, {"variants", sdk::json_fields::to_array(search.variants)}};
  if (matches.empty())
    return unresolved("no_match", "no CRM contact has the number " + phone.e164, {{"search", tried}});
  if (matches.size() > 1) {
    boost::json::array candidates;
    for (const auto& c : matches) candidates.push_back(boost::json::value_from(c));
    return unresolved("multiple_matches",
                      std::to_string(matches.size()) + " CRM records have the number " + phone.e164,
                      {{"search", tried}, {"candidates", std::move(candidates)}});
  }
  const sdk::Contact& contact = matches.front();
  sdk::CreateCallLogRequest create{make_call_log(event, job.conversation_key, phone.e164, contact.id, contact.type)};
  auto created = decode<sdk::LogRecordRef>(
      d_.connector->call(job.connection_id, "create_call_log", boost::json::value_from(create)), "create_call_log");
  if (!created) return failed(created.error());
  const auto& rec = created.value();
  auto saved = d_.log_records->save(
      {job.connection_id, job.conversation_key, event.tenant_id, event.kind, rec.id, rec.type, rec.url});
  if (!saved) {
    // The CRM record exists; the next attempt finds it by external id instead of creating another.
    return failed(saved.error());
  }
  return done("created", rec, {{"contact", boost::json::value_from(contact)}});
}

} // namespace appconnect::pipeline
