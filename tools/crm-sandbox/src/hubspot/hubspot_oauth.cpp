// HubSpot OAuth 2.0: the authorize page (auto-consent), the v1 token endpoint's grants and errors, and the
// token metadata endpoints.
// Sources:
//   authorize URL and parameters   https://developers.hubspot.com/docs/guides/apps/authentication/working-with-oauth
//                                  (https://app.hubspot.com/oauth/authorize?client_id&scope&redirect_uri[&optional_scope&state])
//   POST /oauth/v1/token, token metadata, AccessTokenResponse (access_token, refresh_token, expires_in,
//   token_type, token_use, hub_id, user_id, scopes):
//     https://github.com/HubSpot/HubSpot-public-api-spec-collection/blob/main/PublicApiSpecs/Auth/Oauth/Rollouts/155908/v1/oauth.json
//   error bodies {"status":"BAD_REFRESH_TOKEN","message":..,"correlationId","requestId"} and the other status
//   words (BAD_AUTH_CODE, BAD_CLIENT_ID, BAD_REDIRECT_URI, EXPIRED_AUTH_CODE): docs/crm-and-telephony-apis.md 2.2
//   (observed). BAD_GRANT_TYPE and BAD_CLIENT_SECRET are the emulator's words for cases not seen in the wild.
#include "hubspot/hubspot_emulator.hpp"

#include "framework/crypto.hpp"
#include "framework/json_util.hpp"

namespace appconnect::crm_sandbox::hubspot {

namespace {

// Authorization codes are short-lived; ten minutes is generous for any redirect.
constexpr std::int64_t kCodeLifetimeMs = 10 * 60 * 1000;

Response token_error(const std::string& status, const std::string& message) {
  const std::string correlation = new_correlation_id();
  auto r = Response::json(400, boost::json::object{{"status", status},
                                                   {"message", message},
                                                   {"correlationId", correlation},
                                                   {"requestId", new_correlation_id()}});
  r.set_header("x-hubspot-correlation-id", correlation);
  return r;
}

// The token endpoint takes form fields in the body; the spec also lists client_secret and refresh_token
// as query parameters, so both places are read (the body wins).
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

std::vector<std::string> split_scopes(std::string_view text) {
  std::vector<std::string> out;
  std::string item;
  for (char c : text) {
    if (c == ' ' || c == '+' || c == ',') {
      if (!item.empty()) out.push_back(std::move(item));
      item.clear();
    } else {
      item.push_back(c);
    }
  }
  if (!item.empty()) out.push_back(std::move(item));
  return out;
}

} // namespace

std::optional<HubSpotEmulator::App> HubSpotEmulator::find_app(const std::string& client_id) const {
  std::shared_lock lock(config_mutex_);
  auto it = apps_.find(client_id);
  if (it == apps_.end()) return std::nullopt;
  return it->second;
}

bool HubSpotEmulator::redirect_allowed(const App& app, const std::string& redirect_uri) {
  return redirect_uri_allowed(app.redirect_uris, app.allow_loopback_redirects, redirect_uri);
}

Response HubSpotEmulator::oauth_authorize(const Request& request, const PathParams&) {
  auto param = [&](std::string_view name) { return request.query_value(name); };
  const std::string client_id = param("client_id");
  const std::string redirect_uri = param("redirect_uri");
  const std::string state = param("state");
  // Client, redirect and scope problems are shown to the user on HubSpot's page, never redirected.
  auto app = find_app(client_id);
  if (!app) return error_response(400, "VALIDATION_ERROR", "Authorization failed because the client_id is unknown.");
  if (redirect_uri.empty() || !redirect_allowed(*app, redirect_uri))
    return error_response(400, "VALIDATION_ERROR",
                          "Authorization failed because the redirect URL doesn't match the app's redirect URLs.");
  const auto requested = split_scopes(param("scope"));
  if (requested.empty())
    return error_response(400, "VALIDATION_ERROR", "Authorization failed because no scope was requested.");
  std::vector<std::string> granted;
  for (const auto& scope : requested) {
    if (std::find(app->scopes.begin(), app->scopes.end(), scope) == app->scopes.end())
      return error_response(400, "VALIDATION_ERROR",
                            "Authorization failed because there was a mismatch between the requested scopes and the "
                            "scopes required by the app: " +
                                scope);
    granted.push_back(scope);
  }
  // Optional scopes are granted when the app has them, silently dropped otherwise.
  for (const auto& scope : split_scopes(param("optional_scope")))
    if (std::find(app->scopes.begin(), app->scopes.end(), scope) != app->scopes.end() &&
        std::find(granted.begin(), granted.end(), scope) == granted.end())
      granted.push_back(scope);

  std::string owner;
  {
    std::shared_lock lock(config_mutex_);
    owner = oauth_owner_id_;
  }
  if (owner.empty()) {
    std::vector<std::pair<std::string, std::string>> q{{"error", "access_denied"}};
    if (!state.empty()) q.emplace_back("state", state);
    return Response::redirect(append_query(redirect_uri, q));
  }
  AuthCode code;
  code.code = "na1-" + new_correlation_id();
  code.client_id = client_id;
  code.redirect_uri = redirect_uri;
  code.user_id = owner;
  std::string scope;
  for (const auto& s : granted) scope += (scope.empty() ? "" : " ") + s;
  code.scope = scope;
  code.code_challenge = param("code_challenge");
  code.code_challenge_method = param("code_challenge_method").empty() ? "S256" : param("code_challenge_method");
  code.issued_ms = now_ms();
  std::vector<std::pair<std::string, std::string>> q{{"code", code.code}};
  if (!state.empty()) q.emplace_back("state", state);
  ctx_.tokens.add_code(std::move(code));
  return Response::redirect(append_query(redirect_uri, q));
}

boost::json::object HubSpotEmulator::token_body(const App& app, const std::string& owner_id, const std::string& scope,
                                                const std::string& refresh_token) {
  const auto token = ctx_.tokens.issue_access(new_access_token(), owner_id, app.client_id, scope, now_ms());
  {
    std::lock_guard lock(issued_mutex_);
    issued_[token.token] = IssuedToken{token.issued_ms, app.client_id};
  }
  const double lifetime = ctx_.knobs.snapshot().token_lifetime_s;
  std::int64_t user_id = 0;
  if (auto owner = ctx_.store.get("owners", owner_id)) user_id = json_int(owner->fields, "userId");
  std::int64_t hub_id = 0;
  {
    std::shared_lock lock(config_mutex_);
    hub_id = portal_id_;
  }
  boost::json::array scopes;
  for (const auto& s : split_scopes(scope)) scopes.emplace_back(s);
  return {
      {"token_type", "bearer"},
      {"refresh_token", refresh_token},
      {"access_token", token.token},
      {"expires_in", lifetime > 0 ? static_cast<std::int64_t>(lifetime) : static_cast<std::int64_t>(kTokenLifetimeS)},
      {"token_use", "access_token"},
      {"hub_id", hub_id},
      {"user_id", user_id},
      {"scopes", std::move(scopes)}};
}

Response HubSpotEmulator::oauth_token(const Request& request, const PathParams&) {
  const auto form = form_fields(request);
  const std::string grant = field(form, "grant_type");
  if (grant != "authorization_code" && grant != "refresh_token")
    return token_error("BAD_GRANT_TYPE", "grant_type must be authorization_code or refresh_token");
  const std::string client_id = field(form, "client_id");
  auto app = find_app(client_id);
  if (!app) return token_error("BAD_CLIENT_ID", "missing or invalid client_id");
  if (field(form, "client_secret") != app->client_secret)
    return token_error("BAD_CLIENT_SECRET", "missing or invalid client_secret");

  if (grant == "authorization_code") {
    const std::string code_text = field(form, "code");
    auto code = code_text.empty() ? std::nullopt : ctx_.tokens.take_code(code_text);
    if (!code || code->client_id != client_id) return token_error("BAD_AUTH_CODE", "missing or unknown auth code");
    if (now_ms() - code->issued_ms > kCodeLifetimeMs) return token_error("EXPIRED_AUTH_CODE", "auth code is expired");
    if (field(form, "redirect_uri") != code->redirect_uri)
      return token_error("BAD_REDIRECT_URI", "redirect_uri does not match initial auth code URL");
    if (!code->code_challenge.empty()) {
      const std::string verifier = field(form, "code_verifier");
      const std::string expected =
          code->code_challenge_method == "plain" ? verifier : base64_encode(sha256(verifier), true);
      if (verifier.empty() || expected != code->code_challenge)
        return token_error("BAD_AUTH_CODE", "code_verifier does not match the code challenge");
    }
    const std::string refresh = "na1-" + new_correlation_id();
    ctx_.tokens.add_refresh({refresh, code->user_id, client_id, code->scope});
    return Response::json(200, token_body(*app, code->user_id, code->scope, refresh));
  }

  const std::string token = field(form, "refresh_token");
  auto rt = token.empty() ? std::nullopt : ctx_.tokens.find_refresh(token);
  if (!rt || rt->client_id != client_id) return token_error("BAD_REFRESH_TOKEN", "missing or invalid refresh token");
  // HubSpot hands back the same refresh token; the rotation knob makes it issue a new one instead.
  std::string refresh = token;
  if (ctx_.knobs.snapshot().refresh_token_rotation) {
    refresh = "na1-" + new_correlation_id();
    ctx_.tokens.revoke_refresh(token);
    ctx_.tokens.add_refresh({refresh, rt->user_id, client_id, rt->scope});
  }
  return Response::json(200, token_body(*app, rt->user_id, rt->scope, refresh));
}

Response HubSpotEmulator::access_token_info(const Request&, const PathParams& params) {
  const std::string token = params["token"];
  const double lifetime = ctx_.knobs.snapshot().token_lifetime_s;
  const auto access = ctx_.tokens.find_access(token, now_ms(), lifetime);
  if (!access) return error_response(404, "OBJECT_NOT_FOUND", "Token not found or expired");
  auto owner = ctx_.store.get("owners", access->user_id);
  auto app = find_app(access->client_id);
  std::shared_lock lock(config_mutex_);
  boost::json::array scopes;
  for (const auto& s : split_scopes(access->scope)) scopes.emplace_back(s);
  const std::int64_t left_ms =
      lifetime > 0 ? access->issued_ms + static_cast<std::int64_t>(lifetime * 1000.0) - now_ms() : 0;
  return Response::json(200, boost::json::object{{"token", token},
                                                 {"user", owner ? json_string(owner->fields, "email") : ""},
                                                 {"hub_domain", hub_domain_},
                                                 {"scopes", std::move(scopes)},
                                                 {"hub_id", portal_id_},
                                                 {"app_id", app ? app->app_id : 0},
                                                 {"expires_in", std::max<std::int64_t>(0, left_ms / 1000)},
                                                 {"user_id", owner ? json_int(owner->fields, "userId") : 0},
                                                 {"token_type", "access"},
                                                 {"is_private_distribution", false}});
}

Response HubSpotEmulator::refresh_token_info(const Request&, const PathParams& params) {
  const std::string token = params["token"];
  const auto rt = ctx_.tokens.find_refresh(token);
  if (!rt) return error_response(404, "OBJECT_NOT_FOUND", "Token not found");
  auto owner = ctx_.store.get("owners", rt->user_id);
  std::shared_lock lock(config_mutex_);
  boost::json::array scopes;
  for (const auto& s : split_scopes(rt->scope)) scopes.emplace_back(s);
  return Response::json(200, boost::json::object{{"token", token},
                                                 {"user", owner ? json_string(owner->fields, "email") : ""},
                                                 {"hub_domain", hub_domain_},
                                                 {"scopes", std::move(scopes)},
                                                 {"hub_id", portal_id_},
                                                 {"client_id", rt->client_id},
                                                 {"user_id", owner ? json_int(owner->fields, "userId") : 0},
                                                 {"token_type", "refresh"}});
}

Response HubSpotEmulator::refresh_token_delete(const Request&, const PathParams& params) {
  if (!ctx_.tokens.revoke_refresh(params["token"])) return error_response(404, "OBJECT_NOT_FOUND", "Token not found");
  return Response::no_content(204);
}

} // namespace appconnect::crm_sandbox::hubspot
