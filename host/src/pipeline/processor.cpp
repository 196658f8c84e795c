#include "pipeline/processor.hpp"

#include "common/log.hpp"
#include "ingest/event.hpp"
#include "matching/conflict_rules.hpp"
#include "matching/policy.hpp"
#include "pipeline/compose.hpp"
#include "pipeline/conversation.hpp"
#include "settings/overrides.hpp"

#include <appconnect/types.hpp>

#include <appconnect/time.hpp>

#include <boost/json.hpp>

namespace appconnect::pipeline {
namespace {

JobOutcome failed(Error e) {
  JobOutcome o;
  o.kind = e.retryable ? JobOutcome::Kind::kRetry : JobOutcome::Kind::kFailed;
  o.error = std::move(e);
  return o;
}

JobOutcome done(std::string action, boost::json::object extra = {}) {
  JobOutcome o;
  o.detail = std::move(extra);
  o.detail["action"] = std::move(action);
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

// Everything the matching stage learned; it becomes the job's explanation.
struct Match {
  std::optional<sdk::Contact> contact;
  std::string decided_by; // single_match | rule name | placeholder | picked | created
  std::string unresolved_reason;
  std::string unresolved_message;
  std::vector<sdk::Contact> candidates;
  boost::json::object explanation;
  std::optional<Error> error;
};

struct Context {
  const store::JobRow& job;
  ingest::CommunicationEvent event;
  store::ConnectionRow connection;
  matching::MatchingPolicy policy;
  matching::NormalizedPhone phone;
  std::vector<std::string> variants;
  matching::OwnerDecision owner;
  boost::json::object tenant_settings;
};

boost::json::array candidates_json(const std::vector<sdk::Contact>& cs) {
  boost::json::array a;
  for (const auto& c : cs) a.push_back(boost::json::value_from(c));
  return a;
}

} // namespace

namespace {

// Loads the event, connection and policy of a job.
Result<Context> load(const ProcessorDeps& d, const store::JobRow& job, const boost::json::object* policy_override) {
  auto row = d.events->get_by_seq(job.event_seq);
  if (!row) return row.error();
  if (!row.value()) return Error::make(error_code::kNotFound, "the job's event is missing", false);
  boost::system::error_code ec;
  const auto doc = boost::json::parse(row.value()->payload, ec);
  if (ec) return Error::make(error_code::kInternal, "stored event is not JSON", false);
  auto event = ingest::parse_event(doc, row.value()->tenant_id);
  if (!event) return event.error();
  auto connection = d.connections->get_recent(job.connection_id);
  if (!connection) return connection.error();
  if (!connection.value())
    return Error::make(error_code::kNotFound, "connection '" + job.connection_id + "' is gone", false);
  boost::json::object tenant_settings;
  if (auto t = d.tenants->get_recent(event.value().tenant_id); t && t.value()) tenant_settings = t.value()->settings;
  settings::apply_rep_overrides(tenant_settings, {event.value().agent.extension_id, event.value().agent.email});
  boost::json::object connection_settings = connection.value()->settings;
  if (policy_override != nullptr) {
    tenant_settings["matching"] = *policy_override;
    connection_settings.erase("matching");
  }
  auto policy = matching::policy_from(tenant_settings, connection_settings, *d.phones);
  if (!policy) return policy.error();
  auto owner_policy = matching::owner_policy_from(tenant_settings, connection_settings);
  if (!owner_policy) return owner_policy.error();
  Context c{job, std::move(event.value()), *connection.value(), std::move(policy.value()), {}, {}, {}, tenant_settings};
  c.phone = d.phones->normalize(c.event.counterpart().phone, c.policy.default_region);
  c.variants = d.phones->search_variants(c.phone);
  const std::string connection_id = c.connection.id;
  c.owner = d.owners->resolve(
      connection_id, owner_policy.value(), c.event.agent, [&d, &connection_id]() -> Result<std::vector<sdk::CrmUser>> {
        auto r = decode<sdk::ListUsersResult>(d.connector->call(connection_id, "list_users", boost::json::object{}),
                                              "list_users");
        if (!r) return r.error();
        return std::move(r.value().users);
      });
  return c;
}

// Chooses the contact for a communication without writing anything to the CRM, except a placeholder
// when `allow_create` is set and the policy asks for one.
Match match_contact(const ProcessorDeps& d, const Context& c, bool allow_create, const std::string& claimant) {
  Match m;
  m.explanation["phone"] = c.phone.valid ? c.phone.e164 : c.phone.raw;
  if (!c.phone.valid) {
    m.unresolved_reason = "invalid_number";
    m.unresolved_message = "'" + c.phone.raw + "' is not a valid phone number (" + c.phone.error + ")";
    return m;
  }
  m.explanation["variants"] = sdk::json_fields::to_array(c.variants);
  bool hit = false;
  auto found = d.contacts->lookup(
      c.connection.id, c.phone.e164, c.policy.cache_ttl_ms,
      [&]() -> Result<std::vector<sdk::Contact>> {
        sdk::FindContactsRequest search;
        search.phone_e164 = c.phone.e164;
        search.variants = c.variants;
        search.limit = 20;
        auto r = decode<sdk::FindContactsResult>(
            d.connector->call(c.connection.id, "find_contacts", boost::json::value_from(search)), "find_contacts");
        if (!r) return r.error();
        return std::move(r.value().contacts);
      },
      &hit);
  if (!found) {
    m.error = found.error();
    return m;
  }
  m.candidates = found.value();
  m.explanation["cache"] = hit ? "hit" : "miss";
  m.explanation["candidates"] = static_cast<std::int64_t>(m.candidates.size());

  if (c.policy.shared_numbers.count(c.phone.e164)) {
    m.unresolved_reason = "shared_number";
    m.unresolved_message = c.phone.e164 +
                           " is marked as a shared number (switchboard or main line); it is never "
                           "linked to a person automatically";
    return m;
  }
  if (m.candidates.size() == 1) {
    m.contact = m.candidates.front();
    m.decided_by = "single_match";
    return m;
  }
  if (m.candidates.size() > 1) {
    const bool agent_known = c.owner.source == "agent_email" || c.owner.source == "override";
    auto resolution = matching::resolve(m.candidates, c.policy.rules, agent_known ? c.owner.owner_id : "");
    m.explanation["rules"] = resolution.to_json(m.candidates);
    if (resolution.chosen) {
      m.contact = m.candidates[*resolution.chosen];
      m.decided_by = resolution.decided_by ? matching::rule_name(*resolution.decided_by) : "rules";
      return m;
    }
    m.unresolved_reason = "multiple_matches";
    m.unresolved_message = std::to_string(m.candidates.size()) + " CRM records have the number " + c.phone.e164 +
                           " and the conflict rules could not choose one";
    return m;
  }
  // No record has the number.
  if (!c.policy.placeholder.enabled) {
    m.unresolved_reason = "no_match";
    m.unresolved_message = "no CRM record has the number " + c.phone.e164 + " and placeholder contacts are off";
    return m;
  }
  m.explanation["placeholder"] = true;
  if (!allow_create) {
    m.decided_by = "placeholder";
    return m;
  }
  // One placeholder per number, even when two calls arrive before the CRM's search index shows the
  // first one: the placeholders table admits one creator, the others wait for its result.
  auto claim = d.placeholders->claim(c.connection.id, c.phone.e164, claimant, 120000);
  if (!claim) {
    m.error = claim.error();
    return m;
  }
  if (claim.value().state == store::PlaceholderClaim::State::kReady) {
    try {
      m.contact = boost::json::value_to<sdk::Contact>(boost::json::value(claim.value().contact));
      m.decided_by = "placeholder";
    } catch (const std::exception& ex) {
      m.error =
          Error::make(error_code::kInternal, std::string("stored placeholder is unreadable: ") + ex.what(), false);
    }
    return m;
  }
  if (claim.value().state == store::PlaceholderClaim::State::kBusy) {
    Error busy = Error::make(error_code::kConflict, "a placeholder for " + c.phone.e164 + " is being created", true);
    busy.retry_after_ms = 1000;
    m.error = busy;
    return m;
  }
  sdk::CreateContactRequest create;
  create.type = c.policy.placeholder.type;
  create.last_name = matching::placeholder_name(c.policy.placeholder.name_template, c.event, c.phone.e164);
  create.phone = c.phone.e164;
  create.owner_id = c.owner.owner_id;
  create.source = "Phone Inquiry";
  auto created = decode<sdk::Contact>(
      d.connector->call(c.connection.id, "create_contact", boost::json::value_from(create)), "create_contact");
  if (!created) {
    (void)d.placeholders->abandon(c.connection.id, c.phone.e164, claimant);
    m.error = created.error();
    return m;
  }
  (void)d.placeholders->fulfil(c.connection.id, c.phone.e164, boost::json::value_from(created.value()).as_object());
  d.contacts->invalidate(c.connection.id, c.phone.e164);
  m.contact = created.value();
  m.decided_by = "placeholder";
  m.explanation["created"] = created.value().id;
  return m;
}

store::UnresolvedItem queue_item(const Context& c, const Match& m) {
  store::UnresolvedItem item;
  item.tenant_id = c.event.tenant_id;
  item.connection_id = c.connection.id;
  item.job_id = c.job.id;
  item.event_seq = c.job.event_seq;
  item.conversation_key = c.job.conversation_key;
  item.kind = c.event.kind;
  item.phone_e164 = c.phone.valid ? c.phone.e164 : c.phone.raw;
  item.agent = !c.event.agent.extension_id.empty() ? c.event.agent.extension_id : c.event.agent.email;
  item.reason = m.unresolved_reason;
  item.detail = {{"reason", m.unresolved_reason},
                 {"message", m.unresolved_message},
                 {"candidates", candidates_json(m.candidates)},
                 {"explanation", m.explanation},
                 {"event", ingest::to_json(c.event)}};
  return item;
}

} // namespace

namespace {

// What the record of a conversation will say, whatever its kind.
struct Conversation {
  bool is_call = false;
  MergedCall call;
  MessageThread thread;
  ComposeOptions options;
  bool all_at_once = false;
  std::int64_t max_wait_ms = 0;
  std::int64_t first_received_ms = 0; // when the host stored the conversation's first event
  std::int64_t earlier_events = 0;    // events of the conversation stored before the job's own
};

Result<Conversation> load_conversation(const ProcessorDeps& d, const Context& c) {
  Conversation conv;
  auto rows = d.events->list_for_conversation(c.job.connection_id, c.job.conversation_key);
  if (!rows) return rows.error();
  std::vector<ingest::CommunicationEvent> events;
  for (const auto& row : rows.value()) {
    if (conv.first_received_ms == 0 || row.received_at < conv.first_received_ms)
      conv.first_received_ms = row.received_at;
    if (row.seq < c.job.event_seq) ++conv.earlier_events;
    boost::system::error_code ec;
    const auto doc = boost::json::parse(row.payload, ec);
    if (ec) continue; // the store only holds documents it serialized; a damaged row cannot add anything
    auto e = ingest::parse_event(doc, row.tenant_id);
    if (e) events.push_back(std::move(e.value()));
  }
  if (events.empty()) events.push_back(c.event);
  conv.is_call = c.event.kind == "call";
  if (conv.is_call)
    conv.call = merge_call(std::move(events));
  else
    conv.thread = merge_messages(std::move(events));

  std::vector<std::string> formats;
  if (auto plugin = d.connector->plugin_for(c.connection); plugin) formats = plugin.value()->manifest().body_formats;
  auto options = compose_options_from(c.tenant_settings, c.connection.settings, formats);
  if (!options) return options.error();
  conv.options = std::move(options.value());

  // "All at once": for CRMs where the integration user may create records but not edit them, the
  // record is written once, when everything announced has arrived or the bounded wait is over.
  boost::json::object logging;
  for (const auto* settings : {&c.tenant_settings, &c.connection.settings})
    if (const auto* l = settings->if_contains("logging"); l && l->is_object())
      for (const auto& kv : l->get_object()) logging[kv.key()] = kv.value();
  const std::string mode = sdk::json_fields::get_string(logging, "write_mode", "update");
  if (mode != "update" && mode != "all_at_once")
    return Error::make(error_code::kValidation, "logging.write_mode must be 'update' or 'all_at_once'", false);
  conv.all_at_once = mode == "all_at_once";
  conv.max_wait_ms = sdk::json_fields::get_int(logging, "all_at_once_wait_s", 300) * 1000;
  return conv;
}

std::string capability_kind(const Conversation& conv) {
  return conv.is_call ? "call" : conv.thread.first.kind;
}

// When the call ended (Unix ms), from the merged call's end time or its start plus duration; 0 if unknown.
std::int64_t call_ended_ms(const MergedCall& call) {
  const auto& details = call.call.call;
  if (auto end = sdk::time::parse_iso8601_ms(details.end_time)) return *end;
  if (auto start = sdk::time::parse_iso8601_ms(call.call.start_time)) return *start + details.duration_s * 1000;
  return 0;
}

// The worker path for a loaded job. `ended_ms` receives the call's end time once the conversation is
// read (the dashboard's latency from call end to CRM record).
JobOutcome process_loaded(const ProcessorDeps& d_, const store::JobRow& job, Context& c, std::int64_t& ended_ms) {
  // Trial mode: the connection logs only its trial agent's communications (settings/overrides.hpp).
  if (settings::trial_skips(c.connection.settings, {c.event.agent.extension_id, c.event.agent.email}))
    return done("skipped", {{"reason", "trial_mode"}});
  if (auto why = matching::skip_reason(c.policy, c.event, c.phone)) return done("skipped", {{"reason", *why}});

  auto conversation = load_conversation(d_, c);
  if (!conversation) return failed(conversation.error());
  Conversation& conv = conversation.value();
  if (conv.is_call && conv.call.ended) ended_ms = call_ended_ms(conv.call);
  if (conv.is_call) {
    if (!conv.call.ended) return done("skipped", {{"reason", "the call has not ended; it is logged when it ends"}});
    // A queue offers the call to several agents; those who never picked up have nothing to log.
    if (conv.call.call.call.via_queue && !conv.call.answered)
      return done("skipped", {{"reason", "offered to this agent by a call queue and not answered"}});
  }
  const std::string kind = capability_kind(conv);
  const std::string create_op = conv.is_call ? "create_call_log" : "create_message_log";
  const std::string update_op = conv.is_call ? "update_call_log" : "update_message_log";

  auto decision = d_.unresolved->resolution_for_job(job.id);
  if (!decision) return failed(decision.error());
  const auto& resolution = decision.value();
  const std::string action = resolution ? sdk::json_fields::get_string(*resolution, "action") : std::string();
  if (action == "skip")
    return done("skipped", {{"reason", "skipped from the unresolved queue"}, {"decision", *resolution}});

  const std::string number = c.phone.valid ? c.phone.e164 : "";
  const Composed text = conv.is_call ? compose_call(conv.call, number, conv.options)
                                     : compose_messages(conv.thread, number, conv.options);
  const std::string& format = conv.options.format;

  // Writes the conversation's current state into an existing record, keeping whatever a person added
  // to its body outside the host's section.
  auto update_record = [&](const std::string& record_id, const std::string& contact_id,
                           const std::string& contact_type) -> Result<sdk::LogRecordRef> {
    std::optional<std::string> current;
    auto plugin = d_.connector->plugin_for(c.connection);
    if (plugin && plugin.value()->supports("get_log")) {
      auto read =
          decode<sdk::LogRecordRef>(d_.connector->call(job.connection_id, "get_log",
                                                       boost::json::value_from(sdk::GetLogRequest{record_id, kind})),
                                    "get_log");
      if (!read) return read.error();
      current = read.value().body;
    }
    const std::string body = merge_body(current, text.section, format);
    boost::json::value request;
    if (conv.is_call) {
      sdk::UpdateCallLogRequest u{record_id, make_call_log(conv.call, text, job.conversation_key, format)};
      u.log.body = body;
      u.log.contact_id = contact_id;
      u.log.contact_type = contact_type;
      request = boost::json::value_from(u);
    } else {
      sdk::UpdateMessageLogRequest u{record_id, make_message_log(conv.thread, text, job.conversation_key, format)};
      u.log.body = body;
      u.log.contact_id = contact_id;
      u.log.contact_type = contact_type;
      request = boost::json::value_from(u);
    }
    return decode<sdk::LogRecordRef>(d_.connector->call(job.connection_id, update_op, request), update_op.c_str());
  };

  // A conversation we already wrote: update its record, never create a second one.
  auto known = d_.log_records->find(job.connection_id, job.conversation_key);
  if (!known) return failed(known.error());
  if (known.value()) {
    if (conv.all_at_once)
      return done("unchanged", {{"reason", "written once (all-at-once mode never edits a record)"},
                                {"record", known.value()->crm_record_id}});
    auto reply = update_record(known.value()->crm_record_id, "", "");
    if (!reply) return failed(reply.error());
    return done("updated", {{"record", boost::json::value_from(reply.value())}});
  }

  // After a crash between "CRM created" and "mapping saved", the record exists but our map does not
  // know it: find it by the external id written into it. Only a conversation that has been attempted
  // before can have such a record. The first attempt of a job that never failed (no last error: a
  // crash shows as a second attempt, an admin retry or a throttled attempt leaves the error) for the
  // conversation's first event on this connection cannot: no earlier attempt of this job and no
  // earlier job of the conversation exists. Skipping the query there saves one CRM request of three
  // for every new call (docs/performance.md).
  const bool surely_unwritten = job.attempts == 1 && job.last_error.empty() && conv.earlier_events == 0;
  Result<sdk::FindLogByExternalIdResult> found = sdk::FindLogByExternalIdResult{};
  if (!surely_unwritten) {
    sdk::FindLogByExternalIdRequest find_log{job.conversation_key, kind};
    found = decode<sdk::FindLogByExternalIdResult>(
        d_.connector->call(job.connection_id, "find_log_by_external_id", boost::json::value_from(find_log)),
        "find_log_by_external_id");
  }
  if (!found && found.error().code != error_code::kUnsupported) return failed(found.error());
  if (found && found.value().record) {
    const auto& rec = *found.value().record;
    auto saved = d_.log_records->save(
        {job.connection_id, job.conversation_key, c.event.tenant_id, c.event.kind, rec.id, rec.type, rec.url});
    if (!saved) return failed(saved.error());
    if (conv.all_at_once) return done("recovered", {{"record", boost::json::value_from(rec)}});
    auto reply = update_record(rec.id, "", "");
    if (!reply) return failed(reply.error());
    return done("recovered", {{"record", boost::json::value_from(reply.value())}});
  }

  if (conv.all_at_once && conv.is_call && !conv.call.awaiting.empty()) {
    // The wait counts from when the host first heard of the call, on its own clock: the phone system's
    // clock may be off, and a backfilled old call must not be written at once without its recording.
    const std::int64_t since = conv.first_received_ms;
    const std::int64_t remaining = since + conv.max_wait_ms - store::now_ms();
    if (remaining > 0) {
      Error wait = Error::make(
          "awaiting_data",
          "waiting for " + conv.call.awaiting.front() + " before writing the record once (all-at-once mode)", true);
      wait.retry_after_ms = remaining;
      return failed(wait);
    }
  }

  Match m;
  if (action == "pick") {
    sdk::Contact picked;
    picked.id = sdk::json_fields::get_string(*resolution, "contact_id");
    picked.type = sdk::json_fields::get_string(*resolution, "contact_type");
    m.contact = picked;
    m.decided_by = "picked";
    m.explanation["decision"] = *resolution;
  } else if (action == "create") {
    sdk::CreateContactRequest create;
    create.type = sdk::json_fields::get_string(*resolution, "contact_type");
    create.first_name = sdk::json_fields::get_string(*resolution, "first_name");
    create.last_name = sdk::json_fields::get_string(*resolution, "last_name");
    if (create.last_name.empty()) create.last_name = c.phone.valid ? c.phone.e164 : c.phone.raw;
    create.phone = c.phone.valid ? c.phone.e164 : "";
    create.owner_id = c.owner.owner_id;
    create.source = "Phone Inquiry";
    auto created = decode<sdk::Contact>(
        d_.connector->call(job.connection_id, "create_contact", boost::json::value_from(create)), "create_contact");
    if (!created) return failed(created.error());
    if (c.phone.valid) d_.contacts->invalidate(job.connection_id, c.phone.e164);
    m.contact = created.value();
    m.decided_by = "created";
    m.explanation["decision"] = *resolution;
  } else {
    m = match_contact(d_, c, true, "job:" + std::to_string(job.id));
    if (m.error) return failed(*m.error);
    if (!m.contact) {
      JobOutcome o;
      o.kind = JobOutcome::Kind::kUnresolved;
      o.queue_item = queue_item(c, m);
      o.detail = o.queue_item->detail;
      return o;
    }
  }
  m.explanation["decided_by"] = m.decided_by;
  m.explanation["owner"] = boost::json::object{{"id", c.owner.owner_id}, {"source", c.owner.source}};

  const sdk::Contact& contact = *m.contact;
  boost::json::value request;
  if (conv.is_call) {
    sdk::CreateCallLogRequest create{make_call_log(conv.call, text, job.conversation_key, format)};
    create.log.contact_id = contact.id;
    create.log.contact_type = contact.type;
    create.log.owner_id = c.owner.owner_id;
    request = boost::json::value_from(create);
  } else {
    sdk::CreateMessageLogRequest create{make_message_log(conv.thread, text, job.conversation_key, format)};
    create.log.contact_id = contact.id;
    create.log.contact_type = contact.type;
    create.log.owner_id = c.owner.owner_id;
    request = boost::json::value_from(create);
  }
  auto created =
      decode<sdk::LogRecordRef>(d_.connector->call(job.connection_id, create_op, request), create_op.c_str());
  if (!created) return failed(created.error());
  const auto& rec = created.value();
  auto saved = d_.log_records->save(
      {job.connection_id, job.conversation_key, c.event.tenant_id, c.event.kind, rec.id, rec.type, rec.url});
  // If saving fails the CRM record exists; the next attempt finds it by external id.
  if (!saved) return failed(saved.error());
  return done("created", {{"record", boost::json::value_from(rec)},
                          {"contact", boost::json::value_from(contact)},
                          {"explanation", m.explanation}});
}

} // namespace

JobOutcome Processor::process(const store::JobRow& job) {
  auto loaded = load(d_, job, nullptr);
  if (!loaded) return failed(loaded.error());
  Context& c = loaded.value();
  std::int64_t ended_ms = 0;
  JobOutcome o = process_loaded(d_, job, c, ended_ms);
  o.agent = !c.event.agent.extension_id.empty() ? c.event.agent.extension_id : c.event.agent.email;
  o.event_id = c.event.event_id;
  // Only the first write of a conversation's record measures how long the CRM waited for it.
  if (o.kind == JobOutcome::Kind::kDone) {
    const auto* action = o.detail.if_contains("action");
    if (action && action->is_string() && (action->get_string() == "created" || action->get_string() == "recovered"))
      o.source_ended_ms = ended_ms;
  }
  return o;
}

Result<sdk::Contact> Processor::create_contact(const std::string& connection_id,
                                               const sdk::CreateContactRequest& request) {
  auto created = decode<sdk::Contact>(
      d_.connector->call(connection_id, "create_contact", boost::json::value_from(request)), "create_contact");
  if (created && !request.phone.empty()) d_.contacts->invalidate(connection_id, request.phone);
  return created;
}

std::string Processor::owner_for(const store::JobRow& job) {
  auto loaded = load(d_, job, nullptr);
  return loaded ? loaded.value().owner.owner_id : std::string();
}

boost::json::object Processor::simulate(const store::JobRow& job, const boost::json::object* policy_override) {
  auto loaded = load(d_, job, policy_override);
  if (!loaded) return {{"job", job.id}, {"outcome", "error"}, {"error", boost::json::value_from(loaded.error())}};
  const Context& c = loaded.value();
  boost::json::object out{{"job", job.id}, {"conversation_key", job.conversation_key}, {"event", c.event.event_id}};
  if (auto why = matching::skip_reason(c.policy, c.event, c.phone)) {
    out["outcome"] = "skipped";
    out["reason"] = *why;
    return out;
  }
  Match m = match_contact(d_, c, false, "");
  out["explanation"] = m.explanation;
  if (m.error) {
    out["outcome"] = "error";
    out["error"] = boost::json::value_from(*m.error);
  } else if (m.contact) {
    out["outcome"] = "matched";
    out["contact"] = boost::json::value_from(*m.contact);
    out["decided_by"] = m.decided_by;
  } else if (m.decided_by == "placeholder") {
    out["outcome"] = "placeholder_created";
  } else {
    out["outcome"] = "queued";
    out["reason"] = m.unresolved_reason;
    out["message"] = m.unresolved_message;
  }
  return out;
}

} // namespace appconnect::pipeline
