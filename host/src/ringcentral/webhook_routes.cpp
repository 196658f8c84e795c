#include "ringcentral/webhook_routes.hpp"

#include "common/log.hpp"
#include "http/paging.hpp"
#include "ingest/event.hpp"
#include "ringcentral/mapping.hpp"

#include <boost/json.hpp>

namespace appconnect::ringcentral {
namespace json = boost::json;
namespace {

using http::Request;
using http::Response;

constexpr const char* kSource = "ringcentral";

// Compares without an early exit, so response timing does not reveal how much of a guess was right.
bool same_secret(const std::string& sent, const std::string& expected) {
  if (expected.empty() || sent.size() != expected.size()) return false;
  unsigned char diff = 0;
  for (std::size_t i = 0; i < sent.size(); ++i) diff |= static_cast<unsigned char>(sent[i] ^ expected[i]);
  return diff == 0;
}

// The tenant's "ringcentral.verification_token": nested {"ringcentral":{"verification_token"}} or the
// flat key "ringcentral.verification_token". Empty = verification is off.
std::string verification_token(const json::object& settings) {
  if (const auto* rc = settings.if_contains("ringcentral"); rc != nullptr && rc->is_object())
    if (const auto* t = rc->get_object().if_contains("verification_token"); t != nullptr && t->is_string())
      return std::string(t->get_string());
  if (const auto* t = settings.if_contains("ringcentral.verification_token"); t != nullptr && t->is_string())
    return std::string(t->get_string());
  return {};
}

int status_for(const Error& e) {
  if (e.code == error_code::kValidation || e.code == error_code::kBadRequest) return 422;
  if (e.code == error_code::kNotFound) return 404;
  return 503; // store trouble: RingCentral delivers again later, and ids make that harmless
}

// A notification envelope (as opposed to the handshake's empty body) has a "body" object.
bool is_envelope(const std::string& body) {
  boost::system::error_code ec;
  auto v = json::parse(body, ec);
  return !ec && v.is_object() && v.get_object().contains("body");
}

Response keep_unsupported(const WebhookDeps& d, const std::string& tenant, const std::string& reason,
                          const std::string& body) {
  auto kept = d.inbox->add(tenant, kSource, reason, body);
  if (!kept) return Response::error(503, kept.error().code, kept.error().message);
  log::warn("ringcentral", "notification kept in the webhook inbox", {{"tenant", tenant}, {"reason", reason}});
  auto r = Response::error(422, "unsupported_notification", reason);
  auto doc = json::parse(r.body);
  doc.as_object()["inbox_id"] = kept.value();
  r.body = json::serialize(doc);
  return r;
}

Response receive(const WebhookDeps& d, const Request& r) {
  // Subscription handshake: echo the token. It carries no data, so no tenant is involved.
  const std::string validation = r.header("validation-token");
  if (!validation.empty() && !is_envelope(r.body)) {
    auto resp = Response::json(200, json::object{});
    resp.headers.emplace_back("Validation-Token", validation);
    return resp;
  }

  const std::string tenant = r.query_param("tenant", "default");
  auto row = d.tenants->get_recent(tenant);
  if (!row) return Response::error(503, row.error().code, row.error().message);
  if (!row.value()) return Response::error(404, "not_found", "unknown tenant '" + tenant + "'");
  const auto& settings = row.value()->settings;

  if (const auto expected = verification_token(settings); !expected.empty()) {
    // Current deliveries send Verification-Token; older documentation shows the same value as
    // validation-token on deliveries, so either header is accepted.
    std::string sent = r.header("verification-token");
    if (sent.empty()) sent = validation;
    if (!same_secret(sent, expected))
      return Response::error(401, "unauthorized", "the Verification-Token header is missing or does not match");
  }

  boost::system::error_code ec;
  auto doc = json::parse(r.body, ec);
  if (ec) return Response::error(400, "invalid_json", "the body is not valid JSON: " + ec.message());

  const auto mapping = map_notification(doc, options_from_settings(tenant, settings));
  if (!mapping.unsupported.empty()) return keep_unsupported(d, tenant, mapping.unsupported, r.body);

  std::int64_t accepted = 0, duplicate = 0;
  json::array ids, rejected;
  for (const auto& e : mapping.events) {
    auto event = ingest::parse_event(e, tenant);
    if (!event) {
      rejected.push_back(json::object{{"id", e.contains("id") ? e.at("id") : json::value(nullptr)},
                                      {"message", event.error().message}});
      continue;
    }
    event.value().tenant_id = tenant; // the URL decides the tenant, whatever a body might claim
    auto stored = d.ingest->accept(event.value());
    if (!stored) return Response::error(status_for(stored.error()), stored.error().code, stored.error().message);
    (stored.value().duplicate ? duplicate : accepted) += 1;
    ids.push_back(json::string(event.value().event_id));
  }
  if (!rejected.empty()) {
    // Keep the body so the mapping can be fixed and the notification replayed.
    auto kept = d.inbox->add(tenant, kSource, "mapped events failed validation: " + json::serialize(rejected), r.body);
    if (!kept) return Response::error(503, kept.error().code, kept.error().message);
    if (ids.empty())
      return Response::error(422, "validation", "no event of this notification is valid: " + json::serialize(rejected));
  }
  json::array skipped;
  for (const auto& s : mapping.skipped) skipped.push_back(json::string(s));
  return Response::json(200, json::object{{"status", "ok"},
                                          {"tenant", tenant},
                                          {"notification", mapping.notification},
                                          {"events", static_cast<std::int64_t>(mapping.events.size())},
                                          {"accepted", accepted},
                                          {"duplicate", duplicate},
                                          {"ids", std::move(ids)},
                                          {"rejected", std::move(rejected)},
                                          {"skipped", std::move(skipped)}});
}

Response list_inbox(const WebhookDeps& d, const Request& r, const auth::Principal& p) {
  auto tenant = auth::tenant_scope(p, r.query_param("tenant"));
  if (!tenant) return auth::error_response(tenant.error());
  const auto after_param = r.int_param("after", 0), limit_param = r.int_param("limit", 50);
  if (!after_param || !limit_param)
    return Response::error(422, "validation", "'after' and 'limit' must be whole numbers");
  const std::int64_t after = *after_param, limit = *limit_param;
  if (limit < 1 || limit > 1000) return Response::error(422, "validation", "'limit' must be between 1 and 1000");
  auto rows = d.inbox->list(tenant.value(), r.query_param("source"), after, limit);
  if (!rows) return Response::error(503, rows.error().code, rows.error().message);
  json::array items;
  for (const auto& row : rows.value()) {
    boost::system::error_code ec;
    auto body = json::parse(row.body, ec);
    items.push_back(json::object{{"id", row.id},
                                 {"tenant", row.tenant_id},
                                 {"source", row.source},
                                 {"received_at_ms", row.received_at},
                                 {"reason", row.reason},
                                 {"body", ec ? json::value(row.body) : body}});
  }
  json::object out{{"items", std::move(items)}};
  out["next_after"] = http::next_after(rows.value(), limit, [](const auto& row) { return row.id; });
  return Response::json(200, out);
}

} // namespace

void add_ringcentral_routes(http::Router& router, WebhookDeps deps) {
  auto d = std::make_shared<WebhookDeps>(std::move(deps));
  router.add("POST", "/v1/webhooks/ringcentral", [d](const Request& r) { return receive(*d, r); });
  router.add("GET", "/v1/admin/webhooks/inbox",
             auth::guard(d->auth, auth::Role::kAdmin,
                         [d](const Request& r, const auth::Principal& p) { return list_inbox(*d, r, p); }));
}

} // namespace appconnect::ringcentral
