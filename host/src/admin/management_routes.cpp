#include "admin/management_routes.hpp"

#include "common/log.hpp"
#include "settings/overrides.hpp"
#include "store/settings_secrets.hpp"

#include <appconnect/json_fields.hpp>

#include <boost/json.hpp>

#include <cctype>

namespace appconnect::admin {
namespace jf = sdk::json_fields;
using auth::error_response;
using auth::Principal;
using auth::Role;
using http::Request;
using http::Response;

namespace detail {

void record(const ManagementDeps& d, const std::string& tenant, const std::string& actor, const std::string& action,
            const std::string& subject, boost::json::object detail) {
  if (!d.audit) return;
  auto appended = d.audit->append({tenant, actor, action, subject, std::move(detail)});
  if (!appended)
    log::error("audit", "an admin action could not be recorded in the audit trail",
               {{"action", action}, {"subject", subject}, {"error", appended.error().message}});
}

boost::json::object merge_patch(boost::json::object base, const boost::json::object& patch) {
  for (const auto& kv : patch) {
    if (kv.value().is_null())
      base.erase(kv.key());
    else
      base[kv.key()] = kv.value();
  }
  return base;
}

// Tenant settings may hold secrets (ingest_hmac_secret, ringcentral.verification_token): answers say only
// that they are set, so no secret ever appears in a response body.
boost::json::object redacted(boost::json::object settings) {
  for (auto& kv : settings) {
    if (store::is_secret_setting(kv.key())) {
      if (!kv.value().is_null()) kv.value() = "(set)";
    } else if (kv.value().is_object()) {
      kv.value() = redacted(kv.value().get_object());
    }
  }
  return settings;
}

boost::json::object version_json(const store::SettingsVersion& v) {
  return boost::json::object{
      {"version", v.version}, {"settings", redacted(v.settings)}, {"actor", v.actor}, {"at_ms", v.at_ms}};
}

bool valid_id(const std::string& id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.')) return false;
  return true;
}

boost::json::object body_object(const Request& r) {
  if (r.body.empty()) return {};
  boost::system::error_code ec;
  auto v = boost::json::parse(r.body, ec);
  if (ec) throw jf::FieldError("the body is not valid JSON: " + ec.message());
  if (!v.is_object()) throw jf::FieldError("the body must be a JSON object");
  return std::move(v.get_object());
}

} // namespace detail

namespace {
using detail::body_object;

boost::json::object token_json(const auth::TokenRow& t) {
  boost::json::object o{{"id", t.id},
                        {"name", t.name},
                        {"role", auth::role_name(t.role)},
                        {"tenant", t.tenant.empty() ? boost::json::value(nullptr) : boost::json::value(t.tenant)},
                        {"agent", t.agent},
                        {"created_by", t.created_by},
                        {"created_at_ms", t.created_at}};
  o["last_used_at_ms"] = t.last_used_at > 0 ? boost::json::value(t.last_used_at) : boost::json::value(nullptr);
  o["revoked_at_ms"] = t.revoked_at > 0 ? boost::json::value(t.revoked_at) : boost::json::value(nullptr);
  return o;
}

// Secret settings are sealed at rest like credentials: without a secrets key they are refused rather
// than written in clear.
void check_can_store_secrets(const ManagementDeps& d, const boost::json::object& settings) {
  if (!d.can_encrypt && store::has_plain_secret_settings(settings))
    throw jf::FieldError(
        "these settings hold a secret, which is encrypted at rest, and no secrets key is configured: set "
        "'secrets_key_file'");
}

Response not_found(const std::string& what) {
  return Response::error(404, "not_found", "no " + what);
}

// The tenant `id` when the caller may see it and it exists; else the answer to give.
Result<store::TenantRow> visible_tenant(const ManagementDeps& d, const Principal& p, const std::string& id) {
  if (!p.sees_tenant(id)) return Error::make(error_code::kNotFound, "no tenant '" + id + "'", false);
  auto t = d.tenants->get(id);
  if (!t) return t.error();
  if (!t.value()) return Error::make(error_code::kNotFound, "no tenant '" + id + "'", false);
  return std::move(*t.value());
}

boost::json::object tenant_json(const ManagementDeps& d, const store::TenantRow& t) {
  boost::json::array connections;
  if (auto list = d.connections->list_for_tenant(t.id))
    for (const auto& c : list.value()) connections.push_back(boost::json::string(c.id));
  return boost::json::object{{"id", t.id},
                             {"name", t.name},
                             {"settings", detail::redacted(t.settings)},
                             {"connections", std::move(connections)}};
}

// Saves new tenant settings with their version (one transaction) and audit entry; answers the tenant.
Response save_tenant_settings(const ManagementDeps& d, const Principal& p, store::TenantRow tenant,
                              const boost::json::object& settings, const std::string& action,
                              boost::json::object detail) {
  check_can_store_secrets(d, settings);
  const boost::json::object before = tenant.settings;
  tenant.settings = settings;
  auto version = d.versions->save_tenant(*d.tenants, tenant, before, p.actor());
  if (!version) return error_response(version.error());
  if (version.value()) detail["version"] = *version.value();
  detail::record(d, tenant.id, p.actor(), action, tenant.id, std::move(detail));
  return Response::json(200, tenant_json(d, tenant));
}

void add_token_routes(http::Router& router, const std::shared_ptr<const ManagementDeps>& d) {
  router.add("GET", "/v1/admin/whoami", auth::guard(d->auth, Role::kRep, [](const Request&, const Principal& p) {
               return Response::json(
                   200, boost::json::object{
                            {"role", auth::role_name(p.role)},
                            {"tenant", p.tenant.empty() ? boost::json::value(nullptr) : boost::json::value(p.tenant)},
                            {"agent", p.agent},
                            {"token_id", p.token_id},
                            {"name", p.name}});
             }));

  // Operators mint any token; an admin mints admin and rep tokens of their own tenant.
  router.add("POST", "/v1/admin/tokens", auth::guard(d->auth, Role::kAdmin, [d](const Request& r, const Principal& p) {
               const auto body = body_object(r);
               auth::TokenRow row;
               row.name = jf::require_string(body, "name");
               const auto role = auth::role_from(jf::require_string(body, "role"));
               if (!role) throw jf::FieldError("'role' must be operator, admin or rep");
               row.role = *role;
               row.agent = jf::get_string(body, "agent");
               row.created_by = p.actor();
               if (row.role == Role::kOperator) {
                 if (!p.is_operator())
                   return Response::error(403, auth::kForbidden, "only an operator may create operator tokens");
                 if (!jf::get_string(body, "tenant").empty())
                   throw jf::FieldError("an operator token belongs to no tenant: leave 'tenant' out");
               } else {
                 const std::string tenant =
                     p.is_operator() ? jf::require_string(body, "tenant") : jf::get_string(body, "tenant", p.tenant);
                 auto t = visible_tenant(*d, p, tenant);
                 if (!t) return error_response(t.error());
                 row.tenant = tenant;
               }
               if (row.role == Role::kRep && row.agent.empty())
                 throw jf::FieldError("a rep token needs 'agent' (the extension id or email events carry)");
               auto created = d->tokens->create(row);
               if (!created) return error_response(created.error());
               const auto& [saved, secret] = created.value();
               detail::record(*d, saved.tenant, p.actor(), "token.created", saved.id,
                              boost::json::object{
                                  {"name", saved.name}, {"role", auth::role_name(saved.role)}, {"agent", saved.agent}});
               auto out = token_json(saved);
               out["token"] = secret; // the only time the token is ever shown
               return Response::json(201, out);
             }));

  router.add("GET", "/v1/admin/tokens", auth::guard(d->auth, Role::kAdmin, [d](const Request& r, const Principal& p) {
               std::string tenant = r.query_param("tenant");
               if (!p.is_operator() || !tenant.empty()) {
                 auto scoped = auth::tenant_scope(p, tenant);
                 if (!scoped) return error_response(scoped.error());
                 tenant = scoped.value();
               }
               auto rows = d->tokens->list(tenant);
               if (!rows) return error_response(rows.error());
               boost::json::array list;
               for (const auto& t : rows.value()) list.push_back(token_json(t));
               return Response::json(200, boost::json::object{{"tokens", std::move(list)}});
             }));

  router.add(
      "DELETE", "/v1/admin/tokens/{id}", auth::guard(d->auth, Role::kAdmin, [d](const Request& r, const Principal& p) {
        const std::string id = r.params.at("id");
        auto row = d->tokens->get(id);
        if (!row) return error_response(row.error());
        // An admin sees the tokens of their tenant; operator tokens belong to no tenant.
        if (!row.value() || (!p.is_operator() && (row.value()->tenant.empty() || row.value()->tenant != p.tenant)))
          return not_found("token '" + id + "'");
        auto revoked = d->tokens->revoke(id);
        if (!revoked) return error_response(revoked.error());
        detail::record(*d, row.value()->tenant, p.actor(), "token.revoked", id,
                       boost::json::object{{"name", row.value()->name}});
        auto after = d->tokens->get(id);
        if (!after || !after.value()) return Response::json(200, boost::json::object{{"id", id}});
        return Response::json(200, token_json(*after.value()));
      }));
}

void add_tenant_routes(http::Router& router, const std::shared_ptr<const ManagementDeps>& d) {
  router.add("GET", "/v1/admin/tenants", auth::guard(d->auth, Role::kAdmin, [d](const Request&, const Principal& p) {
               boost::json::array list;
               if (p.is_operator()) {
                 auto all = d->tenants->list();
                 if (!all) return error_response(all.error());
                 for (const auto& t : all.value()) list.push_back(tenant_json(*d, t));
               } else {
                 auto own = d->tenants->get(p.tenant);
                 if (!own) return error_response(own.error());
                 if (own.value()) list.push_back(tenant_json(*d, *own.value()));
               }
               return Response::json(200, boost::json::object{{"tenants", std::move(list)}});
             }));

  router.add("POST", "/v1/admin/tenants",
             auth::guard(d->auth, Role::kOperator, [d](const Request& r, const Principal& p) {
               const auto body = body_object(r);
               store::TenantRow t;
               t.id = jf::require_string(body, "id");
               if (!detail::valid_id(t.id))
                 throw jf::FieldError("'id' must be 1 to 64 characters of letters, digits, '.', '_' or '-'");
               t.name = jf::get_string(body, "name", t.id);
               if (const auto* s = body.if_contains("settings")) t.settings = jf::as_object(*s, "settings");
               auto existing = d->tenants->get(t.id);
               if (!existing) return error_response(existing.error());
               if (existing.value()) return Response::error(409, "conflict", "tenant '" + t.id + "' exists");
               check_can_store_secrets(*d, t.settings);
               auto version = d->versions->save_tenant(*d->tenants, t, std::nullopt, p.actor());
               if (!version) return error_response(version.error());
               detail::record(*d, t.id, p.actor(), "tenant.created", t.id, boost::json::object{{"name", t.name}});
               return Response::json(201, tenant_json(*d, t));
             }));

  router.add("GET", "/v1/admin/tenants/{id}",
             auth::guard(d->auth, Role::kAdmin, [d](const Request& r, const Principal& p) {
               auto t = visible_tenant(*d, p, r.params.at("id"));
               if (!t) return error_response(t.error());
               return Response::json(200, tenant_json(*d, t.value()));
             }));

  // {"name"?, "settings"?}: settings is a merge patch (a key replaces, null removes).
  router.add("PATCH", "/v1/admin/tenants/{id}",
             auth::guard(d->auth, Role::kAdmin, [d](const Request& r, const Principal& p) {
               const auto body = body_object(r);
               auto t = visible_tenant(*d, p, r.params.at("id"));
               if (!t) return error_response(t.error());
               store::TenantRow tenant = t.value();
               boost::json::object detail;
               if (const auto* n = body.if_contains("name")) {
                 if (!n->is_string() || n->get_string().empty())
                   throw jf::FieldError("'name' must be a non-empty string");
                 tenant.name = std::string(n->get_string());
                 detail["name"] = tenant.name;
               }
               boost::json::object settings = tenant.settings;
               if (const auto* s = body.if_contains("settings")) {
                 const auto& patch = jf::as_object(*s, "settings");
                 boost::json::array keys;
                 for (const auto& kv : patch) keys.push_back(boost::json::string(kv.key()));
                 detail["settings_keys"] = std::move(keys);
                 settings = detail::merge_patch(settings, patch);
               }
               return save_tenant_settings(*d, p, tenant, settings, "tenant.updated", std::move(detail));
             }));

  router.add("GET", "/v1/admin/tenants/{id}/settings/versions",
             auth::guard(d->auth, Role::kAdmin, [d](const Request& r, const Principal& p) {
               auto t = visible_tenant(*d, p, r.params.at("id"));
               if (!t) return error_response(t.error());
               auto versions = d->versions->list("tenant", t.value().id);
               if (!versions) return error_response(versions.error());
               boost::json::array list;
               for (const auto& v : versions.value()) list.push_back(detail::version_json(v));
               return Response::json(200, boost::json::object{{"versions", std::move(list)}});
             }));

  // Makes an earlier version current again, as a new version (history is never rewritten).
  router.add("POST", "/v1/admin/tenants/{id}/settings/rollback",
             auth::guard(d->auth, Role::kAdmin, [d](const Request& r, const Principal& p) {
               const auto body = body_object(r);
               const auto* v = body.if_contains("version");
               if (v == nullptr || !v->is_int64()) throw jf::FieldError("'version' must be a version number");
               auto t = visible_tenant(*d, p, r.params.at("id"));
               if (!t) return error_response(t.error());
               auto old = d->versions->get("tenant", t.value().id, v->get_int64());
               if (!old) return error_response(old.error());
               if (!old.value()) return not_found("version " + std::to_string(v->get_int64()));
               return save_tenant_settings(*d, p, t.value(), old.value()->settings, "tenant.settings_rolled_back",
                                           boost::json::object{{"to_version", v->get_int64()}});
             }));
}

// A rep's own logging overrides (settings/overrides.hpp): only the paths the tenant lists in
// rep_overridable; every other setting is mandated.
void add_me_routes(http::Router& router, const std::shared_ptr<const ManagementDeps>& d) {
  router.add(
      "GET", "/v1/admin/me/settings", auth::guard(d->auth, Role::kRep, [d](const Request&, const Principal& p) {
        if (p.tenant.empty())
          return Response::error(422, "validation", "an operator token has no tenant and no own settings");
        auto t = visible_tenant(*d, p, p.tenant);
        if (!t) return error_response(t.error());
        const auto& s = t.value().settings;
        boost::json::value overridable = boost::json::array{};
        if (const auto* o = s.if_contains(settings::kOverridableKey); o && o->is_array()) overridable = *o;
        boost::json::value mine = boost::json::object{};
        if (const auto* all = s.if_contains(settings::kOverridesKey); all && all->is_object() && !p.agent.empty())
          if (const auto* m = all->get_object().if_contains(p.agent); m && m->is_object()) mine = *m;
        return Response::json(
            200, boost::json::object{
                     {"agent", p.agent}, {"overridable", std::move(overridable)}, {"settings", std::move(mine)}});
      }));

  // {"settings": {"<path>": value, ...}} replaces the caller's overrides; {} clears them.
  router.add("PUT", "/v1/admin/me/settings",
             auth::guard(d->auth, Role::kRep, [d](const Request& r, const Principal& p) {
               const auto body = body_object(r);
               if (p.tenant.empty() || p.agent.empty())
                 return Response::error(422, "validation",
                                        "own settings need a token with a tenant and an agent (a rep token)");
               const auto* s = body.if_contains("settings");
               if (s == nullptr) throw jf::FieldError("give 'settings': an object of setting paths and values");
               const auto& wanted = jf::as_object(*s, "settings");
               auto t = visible_tenant(*d, p, p.tenant);
               if (!t) return error_response(t.error());
               for (const auto& kv : wanted)
                 if (!settings::is_overridable(t.value().settings, kv.key()))
                   return Response::error(403, auth::kForbidden,
                                          "'" + std::string(kv.key()) +
                                              "' is set by the tenant's admin; reps may set only the paths listed in "
                                              "rep_overridable");
               boost::json::object next = t.value().settings;
               auto& all = next[settings::kOverridesKey];
               if (!all.is_object()) all = boost::json::object{};
               if (wanted.empty())
                 all.get_object().erase(p.agent);
               else
                 all.get_object()[p.agent] = wanted;
               boost::json::array keys;
               for (const auto& kv : wanted) keys.push_back(boost::json::string(kv.key()));
               auto saved = save_tenant_settings(*d, p, t.value(), next, "rep.settings_changed",
                                                 boost::json::object{{"agent", p.agent}, {"paths", std::move(keys)}});
               if (saved.status != 200) return saved;
               return Response::json(200, boost::json::object{{"agent", p.agent}, {"settings", wanted}});
             }));
}

} // namespace

void add_management_routes(http::Router& router, std::shared_ptr<const ManagementDeps> deps) {
  add_token_routes(router, deps);
  add_tenant_routes(router, deps);
  add_me_routes(router, deps);
}

} // namespace appconnect::admin
