// Connections through the admin API, and the OAuth authorization-code flow that gives one its tokens:
//
//   POST /v1/admin/connections/{id}/oauth/start -> {authorize_url, state}; the state (32 random bytes)
//        is stored hashed with an expiry, bound to the tenant and connection.
//   The person opens authorize_url, consents; the CRM redirects the browser to
//   GET /v1/oauth/callback?code=..&state=.. -> the state is taken (it works once), the plugin exchanges
//        the code (oauth_exchange_code), the tokens are stored sealed with the connection's credentials,
//        and the audit trail names who started the flow.
#include "admin/management_routes.hpp"

#include "common/log.hpp"
#include "security/crypto.hpp"
#include "settings/overrides.hpp"

#include <appconnect/http.hpp>
#include <appconnect/json_fields.hpp>
#include <appconnect/types.hpp>

#include <boost/json.hpp>

#include <chrono>

namespace appconnect::admin {
namespace jf = sdk::json_fields;
using auth::error_response;
using auth::Principal;
using auth::Role;
using detail::body_object;
using http::Request;
using http::Response;

namespace {

// How long a started OAuth flow waits for its callback.
constexpr std::int64_t kOAuthStateLifetimeMs = 10 * 60 * 1000;
constexpr const char* kCallbackPath = "/v1/oauth/callback";

std::int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The connection `id` when it exists and the caller may see its tenant; otherwise one 404 for both.
Result<store::ConnectionRow> visible_connection(const ManagementDeps& d, const Principal& p, const std::string& id) {
  auto c = d.connections->get(id);
  if (!c) return c.error();
  if (!c.value() || !p.sees_tenant(c.value()->tenant_id))
    return Error::make(error_code::kNotFound, "no connection '" + id + "'", false);
  return std::move(*c.value());
}

boost::json::object health_json(const ManagementDeps& d, const store::ConnectionRow& c) {
  boost::json::object h{{"needs_reauthorization", pipeline::needs_reauthorization(c)}};
  if (const auto* s = c.settings.if_contains("auth_status"); s && s->is_object()) h["auth_status"] = *s;
  boost::json::value circuit = boost::json::object{{"circuit", "closed"}, {"failures", 0}};
  if (d.guard) {
    const auto all = d.guard->status();
    if (const auto* mine = all.if_contains(c.id)) circuit = *mine;
  }
  h["circuit"] = std::move(circuit);
  if (auto a = d.jobs->activity(c.id)) {
    h["last_success_ms"] = a.value().last_success_ms > 0 ? boost::json::value(a.value().last_success_ms) : nullptr;
    boost::json::value error = nullptr;
    if (!a.value().last_error.empty()) {
      boost::system::error_code ec;
      error = boost::json::parse(a.value().last_error, ec);
      if (ec) error = boost::json::string(a.value().last_error);
    }
    h["last_error"] = std::move(error);
    h["last_error_ms"] = a.value().last_error_ms > 0 ? boost::json::value(a.value().last_error_ms) : nullptr;
  }
  return h;
}

boost::json::object connection_json(const ManagementDeps& d, const store::ConnectionRow& c) {
  boost::json::array keys; // which credentials are set, never their values
  for (const auto& kv : c.credentials) keys.push_back(boost::json::string(kv.key()));
  boost::json::value trial = boost::json::object{{"enabled", false}, {"agent", ""}};
  if (const auto* t = c.settings.if_contains(settings::kTrialModeKey); t && t->is_object()) trial = *t;
  return boost::json::object{{"id", c.id},
                             {"tenant", c.tenant_id},
                             {"connector", c.connector},
                             {"enabled", c.enabled},
                             {"settings", c.settings},
                             {"credentials_set", std::move(keys)},
                             {"trial_mode", std::move(trial)},
                             {"health", health_json(d, c)}};
}

// {"enabled": bool, "agent": "<agent id>"}; enabling needs an agent.
boost::json::object trial_mode_from(const boost::json::value& v) {
  const auto& o = jf::as_object(v, "trial_mode");
  const auto* enabled = o.if_contains("enabled");
  if (enabled == nullptr || !enabled->is_bool()) throw jf::FieldError("'trial_mode.enabled' must be true or false");
  const std::string agent = jf::get_string(o, "agent");
  if (enabled->get_bool() && agent.empty())
    throw jf::FieldError("'trial_mode.agent' must name the agent whose calls are logged during the trial");
  return boost::json::object{{"enabled", enabled->get_bool()}, {"agent", agent}};
}

// Credentials may only be written when they can be sealed (docs/security.md).
void check_can_store(const ManagementDeps& d, const boost::json::object& credentials) {
  if (!credentials.empty() && !d.can_encrypt)
    throw jf::FieldError("credentials are encrypted at rest and no secrets key is configured: set 'secrets_key_file'");
  for (const auto& kv : credentials)
    if (!kv.value().is_string() && !kv.value().is_null())
      throw jf::FieldError("credential '" + std::string(kv.key()) + "' must be a string (or null to remove it)");
}

// Records the audit entry of a change (its settings version, if any, was written with it); returns the
// connection as it is now.
Response saved_connection(const ManagementDeps& d, const Principal& p, const store::ConnectionRow& before,
                          const std::string& action, boost::json::object detail, std::optional<std::int64_t> version) {
  auto now = d.connections->get(before.id);
  if (!now) return error_response(now.error());
  if (!now.value()) return Response::error(404, "not_found", "no connection '" + before.id + "'");
  if (version) detail["version"] = *version;
  detail::record(d, before.tenant_id, p.actor(), action, before.id, std::move(detail));
  return Response::json(200, connection_json(d, *now.value()));
}

std::string callback_url(const ManagementDeps&, const store::ConnectionRow& c, const Request& r) {
  // A host behind a proxy names its public callback in the connection's settings; otherwise the address
  // the admin reached the host with is the one their browser can come back to.
  if (auto configured = jf::get_string(c.settings, "oauth_redirect_uri"); !configured.empty()) return configured;
  std::string host = r.header("host");
  if (host.empty()) host = "127.0.0.1";
  return "http://" + host + kCallbackPath;
}

// The callback is opened by a browser: a short page for people, JSON for scripts and tests.
Response callback_answer(const Request& r, int status, const std::string& code, const std::string& message,
                         const boost::json::object& extra = {}) {
  const bool html = r.header("accept").find("text/html") != std::string::npos;
  if (!html) {
    if (status >= 400) return Response::error(status, code, message);
    boost::json::object o = extra;
    o["status"] = code;
    o["message"] = message;
    return Response::json(status, o);
  }
  Response page;
  page.status = status;
  page.content_type = "text/html; charset=utf-8";
  page.body =
      "<!doctype html><html><head><meta charset=\"utf-8\"><title>AppConnect</title><link rel=\"icon\" "
      "href=\"data:,\"></head><body><h1>" +
      std::string(status < 400 ? "Connected" : "Not connected") + "</h1><p>" + sdk::html_escape(message) +
      "</p><p><a href=\"/console#/connections\">Back to the console</a></p></body></html>";
  return page;
}

void add_crud_routes(http::Router& router, const std::shared_ptr<const ManagementDeps>& d) {
  router.add(
      "GET", "/v1/admin/connections", auth::guard(d->auth, Role::kAdmin, [d](const Request& r, const Principal& p) {
        auto tenant = auth::tenant_scope(p, r.query_param("tenant"));
        if (!tenant) return error_response(tenant.error());
        auto rows = d->connections->list_for_tenant(tenant.value());
        if (!rows) return error_response(rows.error());
        boost::json::array list;
        for (const auto& c : rows.value()) list.push_back(connection_json(*d, c));
        return Response::json(200, boost::json::object{{"tenant", tenant.value()}, {"connections", std::move(list)}});
      }));

  // {"id", "tenant"?, "connector", "settings"?, "credentials"?, "enabled"? (true), "trial_mode"?}
  router.add(
      "POST", "/v1/admin/connections", auth::guard(d->auth, Role::kAdmin, [d](const Request& r, const Principal& p) {
        const auto body = body_object(r);
        store::ConnectionRow c;
        c.id = jf::require_string(body, "id");
        if (!detail::valid_id(c.id))
          throw jf::FieldError("'id' must be 1 to 64 characters of letters, digits, '.', '_' or '-'");
        auto tenant = auth::tenant_scope(p, jf::get_string(body, "tenant"));
        if (!tenant) return error_response(tenant.error());
        auto t = d->tenants->get(tenant.value());
        if (!t) return error_response(t.error());
        if (!t.value()) return Response::error(404, "not_found", "no tenant '" + tenant.value() + "'");
        c.tenant_id = tenant.value();
        c.connector = jf::require_string(body, "connector");
        if (d->registry->find(c.connector) == nullptr)
          throw jf::FieldError("no loaded plugin has the id '" + c.connector + "'");
        if (const auto* s = body.if_contains("settings")) c.settings = jf::as_object(*s, "settings");
        if (c.settings.contains("auth_status")) throw jf::FieldError("'auth_status' is kept by the host");
        if (const auto* tm = body.if_contains("trial_mode")) c.settings[settings::kTrialModeKey] = trial_mode_from(*tm);
        if (const auto* cr = body.if_contains("credentials")) c.credentials = jf::as_object(*cr, "credentials");
        check_can_store(*d, c.credentials);
        for (auto it = c.credentials.begin(); it != c.credentials.end();)
          it = it->value().is_null() ? c.credentials.erase(it) : std::next(it);
        c.enabled = jf::get_bool(body, "enabled", true);
        auto existing = d->connections->get(c.id);
        if (!existing) return error_response(existing.error());
        // Another tenant's connection id answers like any taken id: the caller learns nothing more.
        if (existing.value()) return Response::error(409, "conflict", "the connection id '" + c.id + "' is taken");
        // The connection and its first settings version commit together.
        auto saved = d->connections->upsert(c, [&](Poco::Data::Session& session) {
          d->versions->append_change(session, "connection", c.id, std::nullopt, c.settings, p.actor());
        });
        if (!saved) return error_response(saved.error());
        boost::json::array keys;
        for (const auto& kv : c.credentials) keys.push_back(boost::json::string(kv.key()));
        detail::record(*d, c.tenant_id, p.actor(), "connection.created", c.id,
                       boost::json::object{
                           {"connector", c.connector}, {"enabled", c.enabled}, {"credential_fields", std::move(keys)}});
        return Response::json(201, connection_json(*d, c));
      }));

  router.add("GET", "/v1/admin/connections/{id}",
             auth::guard(d->auth, Role::kAdmin, [d](const Request& r, const Principal& p) {
               auto c = visible_connection(*d, p, r.params.at("id"));
               if (!c) return error_response(c.error());
               return Response::json(200, connection_json(*d, c.value()));
             }));

  // {"settings"?: merge patch, "credentials"?: merge patch (null removes a key), "enabled"?, "trial_mode"?}
  router.add(
      "PATCH", "/v1/admin/connections/{id}",
      auth::guard(d->auth, Role::kAdmin, [d](const Request& r, const Principal& p) {
        const auto body = body_object(r);
        auto c = visible_connection(*d, p, r.params.at("id"));
        if (!c) return error_response(c.error());
        // Everything that depends only on the body is checked first, outside the lock.
        std::optional<boost::json::object> settings_patch, credentials_patch;
        std::optional<boost::json::value> trial_mode;
        std::optional<bool> enabled;
        boost::json::object detail;
        if (const auto* s = body.if_contains("settings")) {
          settings_patch = jf::as_object(*s, "settings");
          if (settings_patch->contains("auth_status")) throw jf::FieldError("'auth_status' is kept by the host");
          boost::json::array keys;
          for (const auto& kv : *settings_patch) keys.push_back(boost::json::string(kv.key()));
          detail["settings_keys"] = std::move(keys);
        }
        if (const auto* tm = body.if_contains("trial_mode")) {
          trial_mode = trial_mode_from(*tm);
          detail["trial_mode"] = *trial_mode;
        }
        if (const auto* cr = body.if_contains("credentials")) {
          credentials_patch = jf::as_object(*cr, "credentials");
          check_can_store(*d, *credentials_patch);
          boost::json::array keys;
          for (const auto& kv : *credentials_patch) keys.push_back(boost::json::string(kv.key()));
          detail["credential_fields"] = std::move(keys); // names only, never values
        }
        if (const auto* e = body.if_contains("enabled")) {
          if (!e->is_bool()) throw jf::FieldError("'enabled' must be true or false");
          enabled = e->get_bool();
          detail["enabled"] = *enabled;
        }
        // The merge patches apply to the connection as it is under the refresh lock: a token
        // refresh that finished meanwhile keeps its new tokens and settings, and one that starts
        // meanwhile waits and then reads what this PATCH wrote.
        store::ConnectionRow before = c.value();
        std::optional<std::int64_t> version;
        auto updated = d->connector->with_refresh_lock(before.id, [&]() -> Result<Done> {
          auto current = d->connections->get(before.id);
          if (!current) return current.error();
          if (!current.value()) return Error::make(error_code::kNotFound, "no connection '" + before.id + "'", false);
          before = *current.value();
          std::optional<boost::json::object> settings, credentials;
          if (settings_patch) settings = detail::merge_patch(before.settings, *settings_patch);
          if (trial_mode) {
            if (!settings) settings = before.settings;
            (*settings)[settings::kTrialModeKey] = *trial_mode;
          }
          if (credentials_patch) credentials = detail::merge_patch(before.credentials, *credentials_patch);
          return d->connections->update(before.id, settings, credentials, enabled, [&](Poco::Data::Session& session) {
            if (settings)
              version =
                  d->versions->append_change(session, "connection", before.id, before.settings, *settings, p.actor());
          });
        });
        if (!updated) return error_response(updated.error());
        return saved_connection(*d, p, before, "connection.updated", std::move(detail), version);
      }));

  router.add("DELETE", "/v1/admin/connections/{id}",
             auth::guard(d->auth, Role::kAdmin, [d](const Request& r, const Principal& p) {
               auto c = visible_connection(*d, p, r.params.at("id"));
               if (!c) return error_response(c.error());
               auto removed = d->connections->remove(c.value().id);
               if (!removed) return error_response(removed.error());
               detail::record(*d, c.value().tenant_id, p.actor(), "connection.deleted", c.value().id,
                              boost::json::object{{"connector", c.value().connector}});
               return Response::json(200, boost::json::object{{"id", c.value().id}, {"deleted", removed.value()}});
             }));

  router.add("GET", "/v1/admin/connections/{id}/settings/versions",
             auth::guard(d->auth, Role::kAdmin, [d](const Request& r, const Principal& p) {
               auto c = visible_connection(*d, p, r.params.at("id"));
               if (!c) return error_response(c.error());
               auto versions = d->versions->list("connection", c.value().id);
               if (!versions) return error_response(versions.error());
               boost::json::array list;
               for (const auto& v : versions.value()) list.push_back(detail::version_json(v));
               return Response::json(200, boost::json::object{{"versions", std::move(list)}});
             }));

  // The host's own record of the connection's authorization (auth_status) is not part of a rollback.
  router.add(
      "POST", "/v1/admin/connections/{id}/settings/rollback",
      auth::guard(d->auth, Role::kAdmin, [d](const Request& r, const Principal& p) {
        const auto body = body_object(r);
        const auto* v = body.if_contains("version");
        if (v == nullptr || !v->is_int64()) throw jf::FieldError("'version' must be a version number");
        auto c = visible_connection(*d, p, r.params.at("id"));
        if (!c) return error_response(c.error());
        auto old = d->versions->get("connection", c.value().id, v->get_int64());
        if (!old) return error_response(old.error());
        if (!old.value()) return Response::error(404, "not_found", "no version " + std::to_string(v->get_int64()));
        // Under the refresh lock, with the auth_status as it is then: a refresh finishing meanwhile
        // keeps its record.
        std::optional<std::int64_t> version;
        const std::string id = c.value().id;
        auto updated = d->connector->with_refresh_lock(id, [&]() -> Result<Done> {
          auto current = d->connections->get(id);
          if (!current) return current.error();
          if (!current.value()) return Error::make(error_code::kNotFound, "no connection '" + id + "'", false);
          boost::json::object settings = old.value()->settings;
          settings.erase("auth_status");
          if (const auto* a = current.value()->settings.if_contains("auth_status")) settings["auth_status"] = *a;
          return d->connections->update(id, settings, std::nullopt, std::nullopt, [&](Poco::Data::Session& session) {
            version =
                d->versions->append_change(session, "connection", id, current.value()->settings, settings, p.actor());
          });
        });
        if (!updated) return error_response(updated.error());
        return saved_connection(*d, p, c.value(), "connection.settings_rolled_back",
                                boost::json::object{{"to_version", v->get_int64()}}, version);
      }));
}

void add_oauth_routes(http::Router& router, const std::shared_ptr<const ManagementDeps>& d) {
  router.add(
      "POST", "/v1/admin/connections/{id}/oauth/start",
      auth::guard(d->auth, Role::kAdmin, [d](const Request& r, const Principal& p) {
        auto c = visible_connection(*d, p, r.params.at("id"));
        if (!c) return error_response(c.error());
        const auto* plugin = d->registry->find(c.value().connector);
        if (plugin == nullptr || !plugin->supports("oauth"))
          return Response::error(422, "validation",
                                 "connector '" + c.value().connector + "' has no OAuth connect flow");
        if (!d->can_encrypt)
          return Response::error(422, "validation", "tokens are encrypted at rest and no secrets key is configured");
        const std::string state = security::base64_encode(security::random_bytes(32));
        std::string url_state; // base64url: the state travels in URLs
        for (char ch : state)
          if (ch != '=') url_state.push_back(ch == '+' ? '-' : ch == '/' ? '_' : ch);
        const std::string redirect = callback_url(*d, c.value(), r);
        auto reply = d->connector->grant(c.value(), "oauth_authorize_url",
                                         boost::json::value_from(sdk::OAuthAuthorizeUrlRequest{redirect, url_state}));
        if (!reply) return error_response(reply.error());
        sdk::OAuthAuthorizeUrlResult url;
        try {
          url = boost::json::value_to<sdk::OAuthAuthorizeUrlResult>(reply.value());
        } catch (const std::exception& ex) {
          return Response::error(502, "internal", std::string("the plugin's authorize URL is unusable: ") + ex.what());
        }
        const std::int64_t expires = wall_ms() + kOAuthStateLifetimeMs;
        auto stored =
            d->oauth_states->put(security::sha256_hex(url_state),
                                 store::OAuthState{c.value().tenant_id, c.value().id, redirect, p.actor(), expires});
        if (!stored) return error_response(stored.error());
        detail::record(*d, c.value().tenant_id, p.actor(), "connection.oauth_started", c.value().id,
                       boost::json::object{{"redirect_uri", redirect}});
        return Response::json(200, boost::json::object{{"authorize_url", url.url},
                                                       {"state", url_state},
                                                       {"redirect_uri", redirect},
                                                       {"expires_at_ms", expires}});
      }));

  // No bearer token: the browser arrives from the CRM's consent page. The state is the credential.
  router.add("GET", kCallbackPath, [d](const Request& r) -> Response {
    const std::string state = r.query_param("state");
    if (state.empty() || state.size() > 256)
      return callback_answer(r, 400, "invalid_state", "the callback has no valid state; start the connect again");
    auto taken = d->oauth_states->take(security::sha256_hex(state));
    if (!taken) return error_response(taken.error());
    if (!taken.value() || taken.value()->expires_at < wall_ms())
      return callback_answer(r, 400, "invalid_state", "this connect link is unknown, used or expired; start again");
    const store::OAuthState flow = *taken.value();
    if (const std::string denied = r.query_param("error"); !denied.empty()) {
      detail::record(*d, flow.tenant_id, flow.actor, "connection.oauth_denied", flow.connection_id,
                     boost::json::object{{"error", denied}});
      return callback_answer(r, 400, "oauth_denied", "the CRM reported '" + denied + "'; nothing was changed");
    }
    const std::string code = r.query_param("code");
    if (code.empty()) return callback_answer(r, 400, "validation", "the callback has no 'code'");
    auto c = d->connections->get(flow.connection_id);
    if (!c) return error_response(c.error());
    if (!c.value() || c.value()->tenant_id != flow.tenant_id)
      return callback_answer(r, 404, "not_found", "the connection of this connect link is gone");
    auto reply =
        d->connector->grant(*c.value(), "oauth_exchange_code",
                            boost::json::value_from(sdk::OAuthExchangeCodeRequest{code, flow.redirect_uri, ""}));
    if (!reply) {
      // The CRM's message only: it never contains the code or a token.
      detail::record(*d, flow.tenant_id, flow.actor, "connection.oauth_failed", flow.connection_id,
                     boost::json::object{{"code", reply.error().code}});
      return callback_answer(r, 502, "oauth_exchange_failed",
                             "the CRM did not accept the authorization: " + reply.error().message);
    }
    sdk::OAuthTokens tokens;
    try {
      tokens = boost::json::value_to<sdk::OAuthTokens>(reply.value());
    } catch (const std::exception& ex) {
      return callback_answer(r, 502, "oauth_exchange_failed",
                             std::string("the plugin's tokens are unusable: ") + ex.what());
    }
    // Merged into the credentials as they are now (the exchange took a while), under the refresh lock.
    const std::string connection_id = c.value()->id;
    auto saved = d->connector->with_refresh_lock(connection_id, [&]() -> Result<Done> {
      auto current = d->connections->get(connection_id);
      if (!current) return current.error();
      if (!current.value()) return Error::make(error_code::kNotFound, "no connection '" + connection_id + "'", false);
      auto issued = pipeline::merge_issued_tokens(current.value()->credentials, tokens, wall_ms());
      issued.settings_update["auth_status"].as_object()["via"] = "oauth";
      return d->connections->update_auth(connection_id, issued.credentials, issued.settings_update);
    });
    if (!saved) return error_response(saved.error());
    boost::json::array learned;
    for (const auto& kv : tokens.settings) learned.push_back(boost::json::string(kv.key()));
    detail::record(
        *d, flow.tenant_id, flow.actor, "connection.oauth_connected", flow.connection_id,
        boost::json::object{{"refresh_token", !tokens.refresh_token.empty()}, {"settings", std::move(learned)}});
    log::info("auth", "connection authorized through OAuth", {{"connection", flow.connection_id}});
    return callback_answer(r, 200, "connected", "connection '" + flow.connection_id + "' is connected",
                           boost::json::object{{"connection", flow.connection_id}, {"tenant", flow.tenant_id}});
  });
}

} // namespace

void add_connection_routes(http::Router& router, std::shared_ptr<const ManagementDeps> deps) {
  add_crud_routes(router, deps);
  add_oauth_routes(router, deps);
}

} // namespace appconnect::admin
