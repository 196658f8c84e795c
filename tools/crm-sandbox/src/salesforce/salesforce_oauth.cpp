// Salesforce OAuth 2.0: the authorize endpoint (auto-consent), the token endpoint's grants and
// errors, token revocation and the identity URL.
// Token response fields (access_token, instance_url, id, token_type, issued_at, signature, scope):
//   https://jsforce.github.io/jsforce/types/oauth2.TokenResponse.html
//   https://developer.salesforce.com/docs/atlas.en-us.262.0.chatterapi.meta/chatterapi/quickstart_connecting.htm
// Error pairs and grant rules: docs/crm-and-telephony-apis.md 1.2.
#include "salesforce/salesforce_emulator.hpp"

#include "salesforce/ids.hpp"

#include "framework/crypto.hpp"
#include "framework/json_util.hpp"

namespace appconnect::crm_sandbox::salesforce {

namespace {

// Authorization codes are valid for 15 minutes.
constexpr std::int64_t kCodeLifetimeMs = 15 * 60 * 1000;

Response oauth_error(const std::string& error, const std::string& description, int status = 400) {
  return Response::json(status, boost::json::object{{"error", error}, {"error_description", description}});
}

// Token requests carry form fields in the body; some clients put them in the query string, which
// Salesforce also reads.
std::map<std::string, std::string> form_fields(const Request& request) {
  std::map<std::string, std::string> out;
  for (const auto& [k, v] : request.query) out[k] = v;
  for (const auto& [k, v] : parse_query_string(request.body)) out[k] = v;
  return out;
}

std::string field(const std::map<std::string, std::string>& form, const std::string& name) {
  auto it = form.find(name);
  return it == form.end() ? std::string() : it->second;
}

bool has_scope(const std::string& scopes, std::string_view wanted) {
  std::size_t start = 0;
  while (start < scopes.size()) {
    auto end = scopes.find(' ', start);
    if (end == std::string::npos) end = scopes.size();
    if (std::string_view(scopes).substr(start, end - start) == wanted) return true;
    start = end + 1;
  }
  return false;
}

} // namespace

std::optional<SalesforceEmulator::ConnectedApp> SalesforceEmulator::find_app(const std::string& client_id) const {
  std::shared_lock lock(config_mutex_);
  auto it = apps_.find(client_id);
  if (it == apps_.end()) return std::nullopt;
  return it->second;
}

bool SalesforceEmulator::redirect_allowed(const ConnectedApp& app, const std::string& redirect_uri) {
  return redirect_uri_allowed(app.redirect_uris, app.allow_loopback_redirects, redirect_uri);
}

Response SalesforceEmulator::oauth_authorize(const Request& request, const PathParams&) {
  auto param = [&](std::string_view name) { return request.query_value(name); };
  const std::string client_id = param("client_id");
  const std::string redirect_uri = param("redirect_uri");
  const std::string state = param("state");
  // Client and redirect problems are shown to the user, never redirected (RFC 6749 4.1.2.1).
  auto app = find_app(client_id);
  if (!app) return oauth_error("invalid_client_id", "client identifier invalid");
  if (!redirect_allowed(*app, redirect_uri))
    return oauth_error("redirect_uri_mismatch", "redirect_uri must match configuration");

  auto redirect_error = [&](const std::string& error, const std::string& description) {
    std::vector<std::pair<std::string, std::string>> q{{"error", error}, {"error_description", description}};
    if (!state.empty()) q.emplace_back("state", state);
    return Response::redirect(append_query(redirect_uri, q));
  };
  if (param("response_type") != "code")
    return redirect_error("unsupported_response_type", "response type not supported");
  const std::string method = param("code_challenge_method");
  if (!param("code_challenge").empty() && !method.empty() && method != "S256" && method != "plain")
    return redirect_error("invalid_request", "invalid code_challenge_method");

  // Auto-consent as the login_hint user when given, else the seed's oauth_user.
  std::string user_id;
  if (const auto hint = param("login_hint"); !hint.empty()) {
    user_id = resolve_user(hint);
  } else {
    std::shared_lock lock(config_mutex_);
    user_id = default_user_id_;
  }
  if (user_id.empty()) return redirect_error("access_denied", "end-user denied authorization");
  if (auto user = ctx_.store.get("User", user_id)) {
    const auto* active = user->fields.if_contains("IsActive");
    if (active && active->is_bool() && !active->get_bool())
      return redirect_error("access_denied", "end-user denied authorization");
  }

  AuthCode code;
  code.code = "aPrx" + TokenStore::random_string(60);
  code.client_id = client_id;
  code.redirect_uri = redirect_uri;
  code.user_id = user_id;
  code.scope = param("scope").empty() ? app->scope : param("scope");
  code.code_challenge = param("code_challenge");
  code.code_challenge_method = method.empty() ? "S256" : method;
  code.issued_ms = now_ms();
  std::vector<std::pair<std::string, std::string>> q{{"code", code.code}};
  if (!state.empty()) q.emplace_back("state", state);
  ctx_.tokens.add_code(std::move(code));
  return Response::redirect(append_query(redirect_uri, q));
}

boost::json::object SalesforceEmulator::token_body(const ConnectedApp& app, const std::string& user_id,
                                                   const std::string& scope, const std::string& base_url,
                                                   const std::string& refresh_token, bool client_credentials) {
  std::string org_id;
  {
    std::shared_lock lock(config_mutex_);
    org_id = org_id_;
  }
  const auto token = ctx_.tokens.issue_access(new_access_token(), user_id, app.client_id, scope, now_ms());
  const std::string issued_at = std::to_string(token.issued_ms);
  // The identity URL points back at this sandbox (GET it with the token), not login.salesforce.com.
  const std::string id = base_url + "/id/" + org_id + "/" + user_id;
  boost::json::object body;
  body["access_token"] = token.token;
  if (!refresh_token.empty()) body["refresh_token"] = refresh_token;
  // signature = base64(HMAC-SHA256(key = client secret, id + issued_at)).
  body["signature"] = base64_encode(hmac_sha256(app.client_secret, id + issued_at));
  body["scope"] = scope;
  body["instance_url"] = base_url;
  body["id"] = id;
  body["token_type"] = "Bearer";
  body["issued_at"] = issued_at;
  if (client_credentials) body["api_instance_url"] = base_url;
  return body;
}

Response SalesforceEmulator::oauth_token(const Request& request, const PathParams&) {
  const auto form = form_fields(request);
  const std::string grant = field(form, "grant_type");
  if (grant.empty()) return oauth_error("invalid_request", "grant type is missing");
  if (grant != "authorization_code" && grant != "refresh_token" && grant != "client_credentials")
    return oauth_error("unsupported_grant_type", "grant type not supported");

  // Client authentication: form fields, or HTTP Basic (client_credentials clients often use it).
  std::string client_id = field(form, "client_id");
  std::string client_secret = field(form, "client_secret");
  const std::string auth = request.header("authorization");
  if (auth.size() > 6 && iequals(std::string_view(auth).substr(0, 6), "Basic ")) {
    if (auto decoded = base64_decode(auth.substr(6))) {
      const auto colon = decoded->find(':');
      if (colon != std::string::npos) {
        client_id = percent_decode(decoded->substr(0, colon), true);
        client_secret = percent_decode(decoded->substr(colon + 1), true);
      }
    }
  }
  auto app = find_app(client_id);
  if (!app) return oauth_error("invalid_client_id", "client identifier invalid");
  const bool secret_needed = app->require_secret || grant == "client_credentials";
  if ((secret_needed || !client_secret.empty()) && client_secret != app->client_secret)
    return oauth_error("invalid_client", "invalid client credentials");

  auto user_active = [&](const std::string& user_id) {
    auto user = ctx_.store.get("User", user_id);
    if (!user) return false;
    const auto* active = user->fields.if_contains("IsActive");
    return !(active && active->is_bool() && !active->get_bool());
  };

  if (grant == "authorization_code") {
    const std::string code_text = field(form, "code");
    auto code = code_text.empty() ? std::nullopt : ctx_.tokens.take_code(code_text);
    if (!code || code->client_id != client_id) return oauth_error("invalid_grant", "invalid authorization code");
    if (now_ms() - code->issued_ms > kCodeLifetimeMs) return oauth_error("invalid_grant", "expired authorization code");
    if (field(form, "redirect_uri") != code->redirect_uri)
      return oauth_error("invalid_grant", "redirect_uri must match configuration");
    if (!code->code_challenge.empty()) {
      const std::string verifier = field(form, "code_verifier");
      const std::string expected =
          code->code_challenge_method == "plain" ? verifier : base64_encode(sha256(verifier), true);
      if (verifier.empty() || expected != code->code_challenge)
        return oauth_error("invalid_grant", "invalid code verifier");
    }
    if (!user_active(code->user_id)) return oauth_error("invalid_grant", "inactive user");
    // A refresh token only when the app has the refresh_token (or offline_access) scope.
    std::string refresh;
    if (has_scope(code->scope, "refresh_token") || has_scope(code->scope, "offline_access")) {
      refresh = "5Aep861" + TokenStore::random_string(80);
      ctx_.tokens.add_refresh({refresh, code->user_id, client_id, code->scope});
    }
    return Response::json(200, token_body(*app, code->user_id, code->scope, request.base_url, refresh, false));
  }

  if (grant == "refresh_token") {
    const std::string token = field(form, "refresh_token");
    auto rt = token.empty() ? std::nullopt : ctx_.tokens.find_refresh(token);
    if (!rt || rt->client_id != client_id) return oauth_error("invalid_grant", "expired access/refresh token");
    if (!user_active(rt->user_id)) return oauth_error("invalid_grant", "inactive user");
    // No new refresh token unless rotation is on; with rotation the old one stops working.
    std::string rotated;
    if (ctx_.knobs.snapshot().refresh_token_rotation) {
      rotated = "5Aep861" + TokenStore::random_string(80);
      ctx_.tokens.revoke_refresh(token);
      ctx_.tokens.add_refresh({rotated, rt->user_id, client_id, rt->scope});
    }
    return Response::json(200, token_body(*app, rt->user_id, rt->scope, request.base_url, rotated, false));
  }

  // client_credentials: runs as the app's "Run As" user; never a refresh token.
  if (app->run_as_user.empty()) return oauth_error("invalid_grant", "no client credentials user enabled");
  return Response::json(200, token_body(*app, app->run_as_user, app->scope, request.base_url, {}, true));
}

Response SalesforceEmulator::oauth_revoke(const Request& request, const PathParams&) {
  const auto form = form_fields(request);
  const std::string token = field(form, "token");
  if (!token.empty() && (ctx_.tokens.revoke_access(token) || ctx_.tokens.revoke_refresh(token))) {
    Response r;
    r.status = 200;
    return r;
  }
  return oauth_error("unsupported_token_type", "this token type is not supported");
}

Response SalesforceEmulator::identity(const Request& request, const PathParams& params) {
  const std::string auth = request.header("authorization");
  std::string token;
  if (auth.size() > 7 && iequals(std::string_view(auth).substr(0, 7), "Bearer ")) token = auth.substr(7);
  const auto access =
      token.empty() ? std::nullopt : ctx_.tokens.find_access(token, now_ms(), ctx_.knobs.snapshot().token_lifetime_s);
  // The identity service answers a bad token with a plain 403, not the REST error array.
  if (!access) {
    Response r;
    r.status = 403;
    r.body = "Bad_OAuth_Token";
    r.set_header("Content-Type", "text/plain;charset=UTF-8");
    return r;
  }
  std::string org_id;
  {
    std::shared_lock lock(config_mutex_);
    org_id = org_id_;
  }
  auto user_id = normalize_id(params["user"]);
  auto user = user_id ? ctx_.store.get("User", *user_id) : std::nullopt;
  if (!user || normalize_id(params["org"]).value_or("") != org_id) {
    Response r;
    r.status = 404;
    r.body = "Bad_Id";
    r.set_header("Content-Type", "text/plain;charset=UTF-8");
    return r;
  }
  const auto& f = user->fields;
  const std::string base = request.base_url;
  // "{version}" is literal in the real identity response: clients substitute it.
  const boost::json::object urls{{"enterprise", base + "/services/Soap/c/{version}/" + org_id},
                                 {"partner", base + "/services/Soap/u/{version}/" + org_id},
                                 {"rest", base + "/services/data/v{version}/"},
                                 {"sobjects", base + "/services/data/v{version}/sobjects/"},
                                 {"search", base + "/services/data/v{version}/search/"},
                                 {"query", base + "/services/data/v{version}/query/"},
                                 {"profile", base + "/" + user->id}};
  return Response::json(200, boost::json::object{{"id", base + "/id/" + org_id + "/" + user->id},
                                                 {"asserted_user", true},
                                                 {"user_id", user->id},
                                                 {"organization_id", org_id},
                                                 {"username", json_string(f, "Username")},
                                                 {"nick_name", json_string(f, "Alias")},
                                                 {"display_name", json_string(f, "Name")},
                                                 {"email", json_string(f, "Email")},
                                                 {"email_verified", true},
                                                 {"first_name", json_string(f, "FirstName")},
                                                 {"last_name", json_string(f, "LastName")},
                                                 {"timezone", json_string(f, "TimeZoneSidKey")},
                                                 {"active", json_bool(f, "IsActive", true)},
                                                 {"user_type", "STANDARD"},
                                                 {"language", json_string(f, "LanguageLocaleKey")},
                                                 {"locale", json_string(f, "LocaleSidKey")},
                                                 {"urls", urls},
                                                 {"last_modified_date", json_string(f, "LastModifiedDate")}});
}

} // namespace appconnect::crm_sandbox::salesforce
