#include "admin/admin_routes.hpp"

#include "admin/request_bodies.hpp"

#include "common/log.hpp"
#include "http/paging.hpp"

#include <appconnect/json_fields.hpp>
#include <appconnect/types.hpp>

#include <boost/json.hpp>

#include <chrono>
#include <map>
#include <optional>
#include <sstream>

namespace appconnect::admin {
namespace jf = sdk::json_fields;
namespace {

using http::Request;
using http::Response;

using auth::error_response;
using auth::Principal;
using auth::Role;

// The tenant a request names (`requested`, may be empty), as the caller may see it; throws nothing,
// answers the 404 itself through `out` when the tenant is not visible.
std::optional<std::string> scope_or(const Principal& p, const std::string& requested, Response& out) {
  auto t = auth::tenant_scope(p, requested);
  if (!t) {
    out = error_response(t.error());
    return std::nullopt;
  }
  return t.value();
}

// ?tenant=T of the tenant-wide lists (audit, events): an operator may name any tenant or none (all of
// them); anyone else gets their own tenant, and naming another is refused like scope_or().
std::optional<std::string> tenant_filter(const Principal& p, const Request& r, Response& out) {
  std::string requested = r.query_param("tenant");
  if (p.is_operator()) return requested;
  return scope_or(p, requested, out);
}

// A rep sees an item only while it is open and was taken by them; anyone else of the tenant sees all.
bool visible_to(const Principal& p, const store::UnresolvedItem& i) {
  if (p.role != Role::kRep) return true;
  return !p.agent.empty() && i.agent == p.agent && i.state == "open";
}

boost::json::object body_object(const Request& r) {
  return parse_body_object(r.body);
}

std::int64_t int_param(const Request& r, const char* name, std::int64_t fallback) {
  if (auto n = r.int_param(name, fallback)) return *n;
  throw jf::FieldError(std::string("query parameter '") + name + "' must be a whole number");
}

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A stored JSON text as JSON; a text that is not JSON (older rows) as a string, never an error.
boost::json::value json_or_text(const std::string& text) {
  if (text.empty()) return nullptr;
  boost::system::error_code ec;
  auto v = boost::json::parse(text, ec);
  return ec ? boost::json::value(text) : v;
}

boost::json::object item_json(const store::UnresolvedItem& i) {
  boost::json::object o{{"id", i.id},
                        {"tenant", i.tenant_id},
                        {"connection", i.connection_id},
                        {"job", i.job_id},
                        {"conversation_key", i.conversation_key},
                        {"kind", i.kind},
                        {"phone", i.phone_e164},
                        {"agent", i.agent},
                        {"reason", i.reason},
                        {"state", i.state},
                        {"created_at_ms", i.created_at}};
  for (const char* key : {"message", "candidates", "explanation", "event"})
    if (const auto* v = i.detail.if_contains(key)) o[key] = *v;
  if (!i.resolution.empty()) o["resolution"] = i.resolution;
  if (!i.resolved_by.empty()) o["resolved_by"] = i.resolved_by;
  if (i.resolved_at > 0) o["resolved_at_ms"] = i.resolved_at;
  return o;
}

// Fills the record type of a picked contact from the item's candidates when the caller left it out.
void complete_pick(boost::json::object& decision, const store::UnresolvedItem& item) {
  if (decision["action"] != "pick" || !jf::get_string(decision, "contact_type").empty()) return;
  if (const auto* cs = item.detail.if_contains("candidates"); cs && cs->is_array())
    for (const auto& c : cs->get_array())
      if (c.is_object() && jf::get_string(c.get_object(), "id") == jf::get_string(decision, "contact_id"))
        decision["contact_type"] = jf::get_string(c.get_object(), "type");
}

// Who the decision is credited to: admins and operators may name a person ("by"); a rep is always themself.
std::string by_of(const Principal& p, const boost::json::object& body) {
  if (p.role == Role::kRep) return p.actor();
  return jf::get_string(body, "by", p.actor());
}

// Appends an admin action to the audit trail. The action has already been applied, so a failure to
// record it must not turn into an error the client would retry: it is logged loudly instead.
void record(const AdminDeps& d, const Principal& who, const std::string& tenant, const std::string& action,
            const std::string& subject, boost::json::object detail) {
  if (!d.audit) return;
  auto appended = d.audit->append({tenant, who.actor(), action, subject, std::move(detail)});
  if (!appended)
    log::error("audit", "an admin action could not be recorded in the audit trail",
               {{"action", action}, {"subject", subject}, {"error", appended.error().message}});
}

} // namespace

void add_admin_routes(http::Router& router, AdminDeps deps) {
  auto d = std::make_shared<AdminDeps>(std::move(deps));
  auto guarded = [d](Role least, auth::GuardedHandler inner) { return auth::guard(d->auth, least, std::move(inner)); };

  // Reps get their own open items only, whatever the filters say.
  router.add("GET", "/v1/admin/unresolved", guarded(Role::kRep, [d](const Request& r, const Principal& p) {
               store::UnresolvedFilter f;
               Response denied;
               auto tenant = scope_or(p, r.query_param("tenant"), denied);
               if (!tenant) return denied;
               f.tenant_id = *tenant;
               f.state = r.query_param("state", "open");
               if (f.state == "all") f.state.clear();
               f.connection_id = r.query_param("connection");
               f.agent = r.query_param("agent");
               if (p.role == Role::kRep) {
                 f.state = "open";
                 f.agent = p.agent.empty() ? std::string("\n") : p.agent; // a rep without an agent id sees nothing
               }
               f.kind = r.query_param("kind");
               f.phone_e164 = r.query_param("phone");
               if (const auto age = int_param(r, "older_than_s", 0); age > 0)
                 f.created_before_ms = now_ms() - age * 1000;
               f.after_id = int_param(r, "after", 0);
               f.limit = int_param(r, "limit", 50);
               if (f.limit < 1 || f.limit > 1000) throw jf::FieldError("'limit' must be between 1 and 1000");
               auto items = d->unresolved->list(f);
               if (!items) return error_response(items.error());
               auto total = d->unresolved->count_open(f.tenant_id);
               if (!total) return error_response(total.error());
               if (p.role == Role::kRep) // the tenant's total is not a rep's business: count their own
                 total = d->unresolved->count_open_for_agent(f.tenant_id, f.agent);
               if (!total) return error_response(total.error());
               boost::json::array list;
               for (const auto& i : items.value()) list.push_back(item_json(i));
               boost::json::object body{{"items", std::move(list)}, {"open_total", total.value()}};
               body["next_after"] = http::next_after(items.value(), f.limit, [](const auto& row) { return row.id; });
               return Response::json(200, body);
             }));

  // The open queue by number: how many items wait per number and connection, a page of groups at a time.
  router.add("GET", "/v1/admin/unresolved/groups", guarded(Role::kRep, [d](const Request& r, const Principal& p) {
               Response denied;
               auto tenant = scope_or(p, r.query_param("tenant"), denied);
               if (!tenant) return denied;
               std::string agent = r.query_param("agent");
               if (p.role == Role::kRep) agent = p.agent.empty() ? std::string("\n") : p.agent;
               const auto offset = int_param(r, "offset", 0);
               const auto limit = int_param(r, "limit", 50);
               if (offset < 0) throw jf::FieldError("'offset' must not be negative");
               if (limit < 1 || limit > 1000) throw jf::FieldError("'limit' must be between 1 and 1000");
               auto groups = d->unresolved->open_groups(*tenant, agent, offset, limit);
               if (!groups) return error_response(groups.error());
               auto total = d->unresolved->count_open_groups(*tenant, agent);
               if (!total) return error_response(total.error());
               boost::json::array list;
               for (const auto& g : groups.value())
                 list.push_back(boost::json::object{{"phone", g.phone_e164},
                                                    {"connection", g.connection_id},
                                                    {"count", g.count},
                                                    {"first_id", g.first_id},
                                                    {"newest_at_ms", g.newest_at}});
               const auto shown = static_cast<std::int64_t>(groups.value().size());
               boost::json::object body{{"groups", std::move(list)}, {"total_groups", total.value()}};
               body["next_offset"] =
                   offset + shown < total.value() ? boost::json::value(offset + shown) : boost::json::value(nullptr);
               return Response::json(200, body);
             }));

  router.add("GET", "/v1/admin/unresolved/{id}", guarded(Role::kRep, [d](const Request& r, const Principal& p) {
               Response denied;
               auto scoped = scope_or(p, r.query_param("tenant"), denied);
               if (!scoped) return denied;
               const std::string tenant = *scoped;
               std::int64_t id = 0;
               try {
                 id = std::stoll(r.params.at("id"));
               } catch (...) {
                 return Response::error(404, "not_found", "no unresolved item '" + r.params.at("id") + "'");
               }
               auto item = d->unresolved->get(tenant, id);
               if (!item) return error_response(item.error());
               if (!item.value() || !visible_to(p, *item.value()))
                 return Response::error(404, "not_found", "no unresolved item " + std::to_string(id));
               return Response::json(200, item_json(*item.value()));
             }));

  // Applies one decision to several items; each item succeeds or fails on its own.
  auto decide_many = [d](const Principal& p, const std::string& tenant, const std::vector<std::int64_t>& ids,
                         const boost::json::object& decision, const std::string& by) {
    boost::json::array results;
    std::int64_t ok = 0;
    for (auto id : ids) {
      auto item = d->unresolved->get(tenant, id);
      Result<Done> outcome = kDone;
      if (!item) {
        outcome = item.error();
      } else if (!item.value() || !visible_to(p, *item.value())) {
        outcome = Error::make(error_code::kNotFound, "no unresolved item " + std::to_string(id), false);
      } else {
        boost::json::object dec = decision;
        complete_pick(dec, *item.value());
        const bool skip = dec["action"] == "skip";
        outcome = d->unresolved->decide(tenant, id, skip ? "skipped" : "resolved", dec, by);
        if (outcome)
          record(*d, p, tenant, skip ? "unresolved.skipped" : "unresolved.resolved", std::to_string(id),
                 boost::json::object{{"decision", dec},
                                     {"by", by},
                                     {"connection", item.value()->connection_id},
                                     {"job", item.value()->job_id},
                                     {"batch", ids.size() > 1}});
      }
      if (outcome) {
        ++ok;
        results.push_back(boost::json::object{{"id", id}, {"status", "ok"}});
      } else {
        results.push_back(boost::json::object{
            {"id", id},
            {"status", "error"},
            {"error", boost::json::object{{"code", outcome.error().code}, {"message", outcome.error().message}}}});
      }
    }
    if (ok > 0 && d->wake_workers) d->wake_workers();
    return std::make_pair(ok, results);
  };

  router.add("POST", "/v1/admin/unresolved/{id}/resolve",
             guarded(Role::kRep, [d, decide_many](const Request& r, const Principal& p) {
               const auto body = body_object(r);
               std::int64_t id = 0;
               try {
                 id = std::stoll(r.params.at("id"));
               } catch (...) {
                 return Response::error(404, "not_found", "no unresolved item '" + r.params.at("id") + "'");
               }
               Response denied;
               auto scoped = scope_or(p, jf::get_string(body, "tenant", r.query_param("tenant")), denied);
               if (!scoped) return denied;
               auto [ok, results] = decide_many(p, *scoped, {id}, parse_decision(body), by_of(p, body));
               if (ok == 1) return Response::json(200, results.at(0));
               const auto& e = results.at(0).at("error");
               const std::string code(e.at("code").as_string());
               return Response::error(code == "not_found"  ? 404
                                      : code == "conflict" ? 409
                                                           : 503,
                                      code, std::string(e.at("message").as_string()));
             }));

  router.add("POST", "/v1/admin/unresolved/resolve",
             guarded(Role::kRep, [d, decide_many](const Request& r, const Principal& p) {
               const auto body = body_object(r);
               Response denied;
               auto scoped = scope_or(p, jf::get_string(body, "tenant"), denied);
               if (!scoped) return denied;
               const std::string tenant = *scoped;
               const auto ids = parse_item_ids(body);
               const auto decision = parse_decision(body);
               const std::string by = by_of(p, body);
               if (decision.at("action") != "create" || ids.size() == 1) {
                 auto [ok, results] = decide_many(p, tenant, ids, decision, by);
                 return Response::json(200, boost::json::object{{"resolved", ok},
                                                                {"failed", static_cast<std::int64_t>(ids.size()) - ok},
                                                                {"results", std::move(results)}});
               }
               // "Create a lead named ... for these": the person means one new record for the whole batch,
               // not one per call. It is created here, once per connection (a record lives in one CRM),
               // and every item is then resolved as a pick of it.
               boost::json::array results;
               boost::json::array created_list;
               std::int64_t ok = 0;
               std::map<std::string, std::vector<const store::UnresolvedItem*>> by_connection;
               std::vector<store::UnresolvedItem> items;
               items.reserve(ids.size());
               auto item_error = [&results](std::int64_t id, const Error& e) {
                 results.push_back(
                     boost::json::object{{"id", id},
                                         {"status", "error"},
                                         {"error", boost::json::object{{"code", e.code}, {"message", e.message}}}});
               };
               for (auto id : ids) {
                 auto item = d->unresolved->get(tenant, id);
                 if (!item)
                   item_error(id, item.error());
                 else if (!item.value() || !visible_to(p, *item.value()) || item.value()->state != "open")
                   item_error(
                       id, Error::make(error_code::kNotFound, "no open unresolved item " + std::to_string(id), false));
                 else
                   items.push_back(*item.value());
               }
               for (const auto& i : items) by_connection[i.connection_id].push_back(&i);
               for (const auto& [connection, members] : by_connection) {
                 sdk::CreateContactRequest request;
                 request.type = jf::get_string(decision, "contact_type");
                 request.first_name = jf::get_string(decision, "first_name");
                 request.last_name = jf::get_string(decision, "last_name");
                 request.phone = members.front()->phone_e164; // the batch's first number; the others are in its logs
                 request.source = "Phone Inquiry";
                 // Owned like the record the worker would have created for the first call.
                 if (auto job = d->jobs->get(members.front()->job_id); job && job.value())
                   request.owner_id = d->processor->owner_for(*job.value());
                 auto contact = d->processor->create_contact(connection, request);
                 if (!contact) {
                   for (const auto* m : members) item_error(m->id, contact.error());
                   continue;
                 }
                 boost::json::array member_ids;
                 for (const auto* m : members) member_ids.push_back(m->id);
                 record(*d, p, tenant, "unresolved.contact_created", contact.value().id,
                        boost::json::object{{"connection", connection},
                                            {"type", contact.value().type},
                                            {"last_name", request.last_name},
                                            {"items", member_ids}});
                 created_list.push_back(boost::json::object{{"connection", connection},
                                                            {"contact", boost::json::value_from(contact.value())},
                                                            {"items", std::move(member_ids)}});
                 boost::json::object pick{{"action", "pick"},
                                          {"contact_id", contact.value().id},
                                          {"contact_type", contact.value().type},
                                          {"created_for_batch", true}};
                 std::vector<std::int64_t> member_list;
                 for (const auto* m : members) member_list.push_back(m->id);
                 auto [n, decided] = decide_many(p, tenant, member_list, pick, by);
                 ok += n;
                 for (auto& entry : decided) results.push_back(std::move(entry));
               }
               return Response::json(200, boost::json::object{{"resolved", ok},
                                                              {"failed", static_cast<std::int64_t>(ids.size()) - ok},
                                                              {"created", std::move(created_list)},
                                                              {"results", std::move(results)}});
             }));

  router.add("POST", "/v1/admin/unresolved/rerun", guarded(Role::kAdmin, [d](const Request& r, const Principal& p) {
               const auto body = body_object(r);
               Response denied;
               auto scoped = scope_or(p, jf::get_string(body, "tenant"), denied);
               if (!scoped) return denied;
               const std::string tenant = *scoped;
               std::vector<std::int64_t> ids;
               if (jf::get_bool(body, "all")) {
                 store::UnresolvedFilter f;
                 f.tenant_id = tenant;
                 f.limit = 1000;
                 for (;;) {
                   auto page = d->unresolved->list(f);
                   if (!page) return error_response(page.error());
                   for (const auto& i : page.value()) ids.push_back(i.id);
                   if (page.value().size() < 1000) break;
                   f.after_id = page.value().back().id;
                 }
               } else if (const auto* list = body.if_contains("ids"); list && list->is_array()) {
                 for (const auto& v : list->get_array())
                   if (v.is_int64()) ids.push_back(v.get_int64());
               } else {
                 throw jf::FieldError("give 'ids' (an array of item ids) or \"all\": true");
               }
               // The admin re-runs because the CRM changed: forget cached lookups of these numbers.
               for (auto id : ids)
                 if (auto item = d->unresolved->get(tenant, id); item && item.value())
                   d->contacts->invalidate(item.value()->connection_id, item.value()->phone_e164);
               auto n = d->unresolved->rerun(tenant, ids);
               if (!n) return error_response(n.error());
               boost::json::array id_list;
               for (auto id : ids) id_list.push_back(id);
               record(*d, p, tenant, "rules.rerun", jf::get_bool(body, "all") ? "all" : "items",
                      boost::json::object{{"items", std::move(id_list)}, {"requeued", n.value()}});
               if (n.value() > 0 && d->wake_workers) d->wake_workers();
               return Response::json(200, boost::json::object{{"requeued", n.value()}});
             }));

  // Runs the matching stage for stored events with a candidate rule set; writes nothing to the CRM.
  router.add("POST", "/v1/admin/rules/simulate", guarded(Role::kAdmin, [d](const Request& r, const Principal& p) {
               const auto body = body_object(r);
               const auto request = parse_simulate(body);
               Response denied;
               auto scoped = scope_or(p, jf::get_string(body, "tenant"), denied);
               if (!scoped) return denied;
               const std::string tenant = *scoped;
               const std::string& connection = request.connection;
               const boost::json::object* matching = request.has_matching ? &request.matching : nullptr;
               std::vector<store::JobRow> jobs;
               if (request.unresolved_scope) {
                 store::UnresolvedFilter f;
                 f.tenant_id = tenant;
                 f.connection_id = connection;
                 f.limit = 1000;
                 auto items = d->unresolved->list(f);
                 if (!items) return error_response(items.error());
                 for (const auto& i : items.value()) {
                   auto event_jobs = d->jobs->list_for_event(i.event_seq);
                   if (!event_jobs) return error_response(event_jobs.error());
                   for (const auto& j : event_jobs.value())
                     if (j.id == i.job_id) jobs.push_back(j);
                 }
               } else {
                 for (const auto& id : request.events) {
                   auto ev = d->events->get(tenant, id);
                   if (!ev) return error_response(ev.error());
                   if (!ev.value()) throw jf::FieldError("no event '" + id + "' for tenant '" + tenant + "'");
                   auto event_jobs = d->jobs->list_for_event(ev.value()->seq);
                   if (!event_jobs) return error_response(event_jobs.error());
                   for (const auto& j : event_jobs.value())
                     if (connection.empty() || j.connection_id == connection) jobs.push_back(j);
                 }
               }
               boost::json::array results;
               std::map<std::string, std::int64_t> totals;
               for (const auto& j : jobs) {
                 auto one = d->processor->simulate(j, matching);
                 totals[std::string(one.at("outcome").as_string())]++;
                 results.push_back(std::move(one));
               }
               boost::json::object summary;
               for (const auto& [k, v] : totals) summary[k] = v;
               return Response::json(
                   200, boost::json::object{{"summary", std::move(summary)}, {"results", std::move(results)}});
             }));

  // The audit trail, oldest first, in pages: ?tenant=T (optional) &after=POS &limit=N.
  // Operators read every tenant's entries (or one, with ?tenant=); admins only their own tenant's.
  router.add("GET", "/v1/admin/audit", guarded(Role::kAdmin, [d](const Request& r, const Principal& p) {
               if (!d->audit) return Response::error(503, "unavailable", "the audit trail is not available");
               audit::ListFilter f;
               Response denied;
               auto scoped = tenant_filter(p, r, denied);
               if (!scoped) return denied;
               f.tenant = *scoped;
               f.after = int_param(r, "after", 0);
               f.limit = int_param(r, "limit", 100);
               if (f.limit < 1 || f.limit > 1000) throw jf::FieldError("'limit' must be between 1 and 1000");
               if (f.after < 0) throw jf::FieldError("'after' must not be negative");
               auto entries = d->audit->list(f);
               if (!entries) return error_response(entries.error());
               boost::json::array list;
               for (const auto& e : entries.value()) list.push_back(e.to_json());
               boost::json::object body{{"entries", std::move(list)}};
               body["next_after"] =
                   http::next_after(entries.value(), f.limit, [](const auto& row) { return row.position; });
               return Response::json(200, body);
             }));

  // JSON Lines: ?tenant=T &from=POS &to=POS (both inclusive, optional).
  router.add("GET", "/v1/admin/audit/export", guarded(Role::kAdmin, [d](const Request& r, const Principal& p) {
               if (!d->audit) return Response::error(503, "unavailable", "the audit trail is not available");
               Response denied;
               auto scoped = tenant_filter(p, r, denied);
               if (!scoped) return denied;
               const std::string tenant = *scoped;
               const auto from = int_param(r, "from", 1), to = int_param(r, "to", 0);
               if (from < 0 || to < 0) throw jf::FieldError("'from' and 'to' must not be negative");
               std::ostringstream out;
               auto written = d->audit->export_jsonl(out, from, to, tenant);
               if (!written) return error_response(written.error());
               Response response;
               response.status = 200;
               response.content_type = "application/x-ndjson";
               response.body = out.str();
               return response;
             }));

  // Stored events, oldest first, in pages by arrival (seq): ?tenant=T &kind=K &after=SEQ &limit=N.
  // Operators read every tenant's (or one, with ?tenant=); admins only their own tenant's.
  router.add("GET", "/v1/admin/events", guarded(Role::kAdmin, [d](const Request& r, const Principal& p) {
               Response denied;
               auto scoped = tenant_filter(p, r, denied);
               if (!scoped) return denied;
               const std::string tenant = *scoped;
               const auto after = int_param(r, "after", 0), limit = int_param(r, "limit", 50);
               if (limit < 1 || limit > 1000) throw jf::FieldError("'limit' must be between 1 and 1000");
               if (after < 0) throw jf::FieldError("'after' must not be negative");
               auto events = d->events->list(tenant, r.query_param("kind"), after, limit);
               if (!events) return error_response(events.error());
               boost::json::array list;
               for (const auto& e : events.value())
                 list.push_back(boost::json::object{{"id", e.event_id},
                                                    {"tenant", e.tenant_id},
                                                    {"seq", e.seq},
                                                    {"kind", e.kind},
                                                    {"conversation_key", e.conversation_key},
                                                    {"received_at_ms", e.received_at}});
               boost::json::object body{{"events", std::move(list)}};
               body["next_after"] = http::next_after(events.value(), limit, [](const auto& row) { return row.seq; });
               return Response::json(200, body);
             }));

  // What became of one event ("why was this call logged there?"): the event and every job it made, with
  // the CRM record written (outcome, which names the contact picked and why) or why not. ?tenant=T;
  // another tenant's event answers like one that does not exist.
  router.add("GET", "/v1/admin/events/{id}", guarded(Role::kAdmin, [d](const Request& r, const Principal& p) {
               Response denied;
               auto tenant = scope_or(p, r.query_param("tenant"), denied);
               if (!tenant) return denied;
               const std::string& id = r.params.at("id");
               auto row = d->events->get(*tenant, id);
               if (!row) return error_response(row.error());
               if (!row.value())
                 return Response::error(404, "not_found", "no event '" + id + "' for tenant '" + *tenant + "'");
               auto jobs = d->jobs->list_for_event(row.value()->seq);
               if (!jobs) return error_response(jobs.error());
               boost::json::array list;
               for (const auto& j : jobs.value()) {
                 boost::json::object o{{"id", j.id},
                                       {"connection", j.connection_id},
                                       {"state", j.state},
                                       {"attempts", j.attempts},
                                       {"updated_at_ms", j.updated_at}};
                 if (!j.outcome.empty()) o["outcome"] = json_or_text(j.outcome);
                 if (!j.last_error.empty())
                   o[j.state == "unresolved" ? "reason" : "last_error"] = json_or_text(j.last_error);
                 list.push_back(std::move(o));
               }
               return Response::json(200, boost::json::object{{"id", row.value()->event_id},
                                                              {"tenant", row.value()->tenant_id},
                                                              {"seq", row.value()->seq},
                                                              {"kind", row.value()->kind},
                                                              {"conversation_key", row.value()->conversation_key},
                                                              {"received_at_ms", row.value()->received_at},
                                                              {"event", json_or_text(row.value()->payload)},
                                                              {"jobs", std::move(list)}});
             }));

  // Walks the whole chain (every tenant's entries: operators only); 200 either way, "intact" says the verdict.
  router.add("POST", "/v1/admin/audit/verify", guarded(Role::kOperator, [d](const Request&, const Principal&) {
               if (!d->audit) return Response::error(503, "unavailable", "the audit trail is not available");
               auto report = d->audit->verify();
               if (!report) return error_response(report.error());
               const auto& v = report.value();
               boost::json::object body{{"intact", v.intact}, {"entries", v.entries}};
               if (!v.intact) {
                 body["position"] = v.bad_position;
                 body["problem"] = v.problem;
                 body["message"] = v.message;
               }
               return Response::json(200, body);
             }));
}

} // namespace appconnect::admin
