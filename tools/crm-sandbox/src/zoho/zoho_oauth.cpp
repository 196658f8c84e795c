// Zoho Accounts OAuth 2.0 as the CRM uses it: the authorize endpoint (auto-consent), the token endpoint's
// authorization_code and refresh_token grants, and revocation.
//   Authorize parameters and the multi-DC redirect (?code&location&accounts-server):
//     https://www.zoho.com/accounts/protocol/oauth/multi-dc/client-authorization.html
//     https://www.zoho.com/crm/developer/docs/api/v2/auth-request.html
//   Token response {access_token, refresh_token, api_domain, token_type, expires_in}; no refresh_token on
//   refresh; refresh token only the first time unless prompt=consent:
//     https://www.zoho.com/crm/developer/docs/api/v2/access-refresh.html
//     https://www.zoho.com/thrive/resources/api/identify-user-location.html
//   Errors as HTTP 200 {"error":"invalid_code"} (also invalid_client, invalid_client_secret,
//   invalid_redirect_uri): https://help.zoho.com/portal/en/community/topic/kaizen-4-troubleshooting-oauth2-0
//   and docs/crm-and-telephony-apis.md 3.2 [OBS].
#include "zoho/zoho_emulator.hpp"

#include "framework/json_util.hpp"

namespace appconnect::crm_sandbox::zoho {

namespace {

// Grant tokens are short-lived: 2 minutes for server-based clients.
constexpr std::int64_t kCodeLifetimeMs = 2 * 60 * 1000;

// Zoho's token endpoint answers most failures with HTTP 200 and only an "error" key.
Response oauth_error(const std::string& error) {
  return Response::json(200, boost::json::object{{"error", error}});
}

// Fields may come as a form body or as query parameters; Zoho reads both.
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

} // namespace

std::optional<ZohoEmulator::Client> ZohoEmulator::find_client(const std::string& client_id) const {
  std::shared_lock lock(config_mutex_);
  auto it = clients_.find(client_id);
  if (it == clients_.end()) return std::nullopt;
  return it->second;
}

bool ZohoEmulator::redirect_allowed(const Client& client, const std::string& redirect_uri) {
  return redirect_uri_allowed(client.redirect_uris, client.allow_loopback_redirects, redirect_uri);
}

Response ZohoEmulator::oauth_authorize(const Request& request, const PathParams&) {
  auto param = [&](std::string_view name) { return request.query_value(name); };
  const std::string client_id = param("client_id");
  const std::string redirect_uri = param("redirect_uri");
  const std::string state = param("state");
  // Client and redirect problems are shown to the user (Zoho renders an error page), never redirected.
  auto client = find_client(client_id);
  if (!client) return Response::json(400, boost::json::object{{"error", "invalid_client"}});
  if (!redirect_allowed(*client, redirect_uri))
    return Response::json(400, boost::json::object{{"error", "invalid_redirect_uri"}});

  auto redirect_error = [&](const std::string& error) {
    std::vector<std::pair<std::string, std::string>> q;
    if (!state.empty()) q.emplace_back("state", state);
    q.emplace_back("error", error);
    return Response::redirect(append_query(redirect_uri, q));
  };
  if (param("response_type") != "code") return redirect_error("unsupported_response_type");
  if (param("scope").empty()) return redirect_error("invalid_scope");

  // Auto-consent as the seed's oauth_user (or login_hint, when it names a user).
  std::string user_id;
  if (const auto hint = param("login_hint"); !hint.empty()) {
    user_id = resolve_user(hint);
  } else {
    std::shared_lock lock(config_mutex_);
    user_id = default_user_id_;
  }
  if (user_id.empty() || !user_active(user_id)) return redirect_error("access_denied");

  AuthCode code;
  code.code = new_token("code");
  code.client_id = client_id;
  code.redirect_uri = redirect_uri;
  code.user_id = user_id;
  code.scope = param("scope");
  code.issued_ms = now_ms();
  {
    std::lock_guard lock(oauth_mutex_);
    code_flags_[code.code] = CodeFlags{iequals(param("access_type"), "offline"), iequals(param("prompt"), "consent")};
  }
  std::string location;
  {
    std::shared_lock lock(config_mutex_);
    location = location_;
  }
  std::vector<std::pair<std::string, std::string>> q;
  if (!state.empty()) q.emplace_back("state", state);
  q.emplace_back("code", code.code);
  q.emplace_back("location", location);
  q.emplace_back("accounts-server", request.base_url); // the accounts server of the user's DC: this sandbox
  ctx_.tokens.add_code(std::move(code));
  return Response::redirect(append_query(redirect_uri, q));
}

boost::json::object ZohoEmulator::token_body(const std::string& access_token, const std::string& refresh_token,
                                             const std::string& base_url) const {
  const double lifetime = ctx_.knobs.snapshot().token_lifetime_s;
  boost::json::object body;
  body["access_token"] = access_token;
  if (!refresh_token.empty()) body["refresh_token"] = refresh_token;
  body["api_domain"] = base_url; // where the CRM API lives for this user: this sandbox
  body["token_type"] = "Bearer";
  body["expires_in"] = static_cast<std::int64_t>(lifetime > 0 ? lifetime : 3600);
  return body;
}

Response ZohoEmulator::oauth_token(const Request& request, const PathParams&) {
  const auto form = form_fields(request);
  const std::string grant = field(form, "grant_type");
  if (grant != "authorization_code" && grant != "refresh_token") return oauth_error("unsupported_grant_type");

  const std::string client_id = field(form, "client_id");
  auto client = find_client(client_id);
  if (!client) return oauth_error("invalid_client");
  if (field(form, "client_secret") != client->client_secret) return oauth_error("invalid_client_secret");

  if (grant == "authorization_code") {
    const std::string code_text = field(form, "code");
    auto code = code_text.empty() ? std::nullopt : ctx_.tokens.take_code(code_text);
    CodeFlags flags;
    {
      std::lock_guard lock(oauth_mutex_);
      if (auto it = code_flags_.find(code_text); it != code_flags_.end()) {
        flags = it->second;
        code_flags_.erase(it);
      }
    }
    // Unknown, used, expired or someone else's grant token: all "invalid_code".
    if (!code || code->client_id != client_id || now_ms() - code->issued_ms > kCodeLifetimeMs)
      return oauth_error("invalid_code");
    if (field(form, "redirect_uri") != code->redirect_uri) return oauth_error("invalid_redirect_uri");
    if (!user_active(code->user_id)) return oauth_error("invalid_code");
    // A refresh token only for access_type=offline, and only the first time unless prompt=consent.
    std::string refresh;
    if (flags.offline) {
      std::lock_guard lock(oauth_mutex_);
      const auto key = std::make_pair(client_id, code->user_id);
      if (flags.consent || !offline_granted_.count(key)) {
        refresh = new_token("refresh");
        offline_granted_.insert(key);
      }
    }
    if (!refresh.empty()) ctx_.tokens.add_refresh({refresh, code->user_id, client_id, code->scope});
    const auto access = ctx_.tokens.issue_access(new_token("access"), code->user_id, client_id, code->scope, now_ms());
    return Response::json(200, token_body(access.token, refresh, request.base_url));
  }

  const std::string token = field(form, "refresh_token");
  auto rt = token.empty() ? std::nullopt : ctx_.tokens.find_refresh(token);
  // A revoked or unknown refresh token is "invalid_code" too.
  if (!rt || rt->client_id != client_id || !user_active(rt->user_id)) return oauth_error("invalid_code");
  int limit = 0;
  {
    std::shared_lock lock(config_mutex_);
    limit = refresh_limit_per_minute_;
  }
  if (limit > 0) {
    std::lock_guard lock(oauth_mutex_);
    auto& times = refresh_times_[token];
    const std::int64_t now = now_ms();
    while (!times.empty() && now - times.front() >= 60'000) times.pop_front();
    if (static_cast<int>(times.size()) >= limit)
      return Response::json(
          400, boost::json::object{{"error_description",
                                    "You have made too many requests continuously. Please try again after some time."},
                                   {"error", "Access Denied"},
                                   {"status", "failure"}});
    times.push_back(now);
  }
  const auto access = ctx_.tokens.issue_access(new_token("access"), rt->user_id, client_id, rt->scope, now_ms());
  return Response::json(200, token_body(access.token, {}, request.base_url));
}

Response ZohoEmulator::oauth_revoke(const Request& request, const PathParams&) {
  const auto form = form_fields(request);
  const std::string token = field(form, "token");
  if (!token.empty() && (ctx_.tokens.revoke_refresh(token) || ctx_.tokens.revoke_access(token)))
    return Response::json(200, boost::json::object{{"status", "success"}});
  return oauth_error("invalid_token");
}

} // namespace appconnect::crm_sandbox::zoho
