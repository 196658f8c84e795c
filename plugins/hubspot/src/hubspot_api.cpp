#include "hubspot_api.hpp"

#include <algorithm>
#include <optional>

namespace appconnect::hubspot {

namespace {

std::string without_trailing_slash(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

// The daily limit resets at midnight in the account's time zone, which the connector does not know:
// waiting an hour and trying again is cheap and never hammers an exhausted account.
constexpr std::int64_t kDailyRetryMs = 60LL * 60 * 1000;
// Burst limits: the search limit counts per second, the general one over a rolling ten seconds.
constexpr std::int64_t kSecondlyRetryMs = 1000;
constexpr std::int64_t kTenSecondlyRetryMs = 10000;

std::optional<std::int64_t> header_ms(const HttpResponse& r, std::string_view name) {
  const std::string value = r.header(name);
  if (value.empty()) return std::nullopt;
  try {
    std::size_t used = 0;
    const long long ms = std::stoll(value, &used);
    if (used == 0 || ms < 0) return std::nullopt;
    return ms;
  } catch (...) {
    return std::nullopt;
  }
}

} // namespace

std::string api_base(const Context& ctx) {
  return without_trailing_slash(ctx.setting("api_base_url", "https://api.hubapi.com"));
}

std::string oauth_base(const Context& ctx) {
  return without_trailing_slash(ctx.setting("oauth_base_url", "https://api.hubapi.com"));
}

std::string app_base(const Context& ctx) {
  return without_trailing_slash(ctx.setting("app_base_url", "https://app.hubspot.com"));
}

std::string external_id_property(const Context& ctx) {
  const std::string name = ctx.setting("external_id_property");
  return name.empty() ? "appconnect_external_id" : name;
}

bool uses_private_app(const Context& ctx) {
  return !ctx.credential("private_app_token").empty();
}

Result<HttpResponse> call(const Context& ctx, std::string method, const std::string& path,
                          const boost::json::value* body) {
  // Private apps authenticate with their static token as a Bearer token, OAuth apps with the access token
  // the host keeps fresh (https://developers.hubspot.com/docs/guides/apps/private-apps/overview).
  std::string token = ctx.credential("private_app_token");
  if (token.empty()) token = ctx.credential("access_token");
  if (token.empty())
    return Error::make(sdk::error_code::kAuthExpired,
                       "no HubSpot access token yet: the connection has not completed a token exchange", true);
  HttpRequest request;
  request.method = std::move(method);
  request.url = api_base(ctx) + path;
  request.headers["Authorization"] = "Bearer " + token;
  request.headers["Accept"] = "application/json";
  if (body != nullptr) {
    request.body = boost::json::serialize(*body);
    request.headers["Content-Type"] = "application/json";
  }
  return ctx.http(request);
}

Result<boost::json::object> call_json(const Context& ctx, std::string method, const std::string& path,
                                      const boost::json::value* body) {
  auto response = call(ctx, std::move(method), path, body);
  if (!response) return response.error();
  if (!response.value().ok()) return error_from(ctx, response.value());
  auto doc = response.value().json();
  if (!doc.is_object())
    return Error::make(sdk::error_code::kInternal,
                       "HubSpot answered " + path + " with something that is not a JSON object", true);
  return std::move(doc.get_object());
}

Error error_from(const Context& ctx, const HttpResponse& response) {
  std::string category, message, policy;
  const auto doc = response.json();
  if (doc.is_object()) {
    const auto& o = doc.get_object();
    category = field(o, "category");
    message = field(o, "message");
    policy = field(o, "policyName");
    // The token endpoint says what went wrong in "status" (BAD_REFRESH_TOKEN, BAD_AUTH_CODE, ...).
    if (category.empty() && field(o, "status") != "error") category = field(o, "status");
    // MISSING_SCOPES lists the scopes the call needs in errors[].context.requiredGranularScopes.
    if (const auto* errors = o.if_contains("errors"); errors && errors->is_array())
      for (const auto& e : errors->get_array()) {
        if (!e.is_object()) continue;
        const auto* context = e.get_object().if_contains("context");
        const auto* scopes =
            context && context->is_object() ? context->get_object().if_contains("requiredGranularScopes") : nullptr;
        if (scopes && scopes->is_array()) message += " Required scopes: " + boost::json::serialize(*scopes);
      }
  }
  std::string crm_message = category.empty() ? message : (message.empty() ? category : category + ": " + message);
  if (!crm_message.empty()) crm_message = "HubSpot " + crm_message;
  Error e = sdk::classify_http_error(response, crm_message);

  if (response.status == 401 && uses_private_app(ctx)) {
    // A private app token does not expire; refreshing cannot help. The admin must rotate or re-paste it.
    e.code = sdk::error_code::kAuthRevoked;
    e.retryable = false;
    e.retry_after_ms.reset();
    e.message = "HubSpot rejected the private app token (" + (crm_message.empty() ? "HTTP 401" : crm_message) + ")";
  } else if (response.status == 429) {
    e.retryable = true;
    if (policy == "DAILY") {
      e.code = sdk::error_code::kQuotaExhausted;
      e.retry_after_ms = sdk::retry_after_ms(response).value_or(kDailyRetryMs);
    } else {
      e.code = sdk::error_code::kRateLimited;
      auto wait = sdk::retry_after_ms(response);
      if (!wait && policy == "SECONDLY") wait = kSecondlyRetryMs; // search: its own per-second window
      if (!wait) wait = header_ms(response, "x-hubspot-ratelimit-interval-milliseconds");
      e.retry_after_ms = wait.value_or(kTenSecondlyRetryMs);
    }
  } else if (response.status == 423) {
    // 423 Locked: another request holds the record; trying again shortly succeeds.
    e.code = sdk::error_code::kConflict;
    e.retryable = true;
  } else if (response.status == 400 && message.find("PROPERTY_DOESNT_EXIST") != std::string::npos &&
             message.find(external_id_property(ctx)) != std::string::npos) {
    e.message += "; create the custom property '" + external_id_property(ctx) +
                 "' (single-line text) on calls, communications and notes, or set the external_id_property setting";
  }
  return e;
}

std::string field(const boost::json::object& o, std::string_view name) {
  const auto* v = o.if_contains(name);
  if (v == nullptr || !v->is_string()) return {};
  return std::string(v->get_string());
}

std::string property(const boost::json::object& record, std::string_view name) {
  const auto* props = record.if_contains("properties");
  if (props == nullptr || !props->is_object()) return {};
  return field(props->get_object(), name);
}

std::string next_after(const boost::json::object& answer) {
  const auto* paging = answer.if_contains("paging");
  if (paging == nullptr || !paging->is_object()) return {};
  const auto* next = paging->get_object().if_contains("next");
  if (next == nullptr || !next->is_object()) return {};
  const auto* after = next->get_object().if_contains("after");
  if (after == nullptr) return {};
  if (after->is_string()) return std::string(after->get_string());
  if (after->is_int64()) return std::to_string(after->get_int64());
  return {};
}

std::string contact_url(const Context& ctx, std::string_view contact_id) {
  const std::string portal = ctx.setting("portal_id");
  if (portal.empty() || contact_id.empty()) return {};
  return app_base(ctx) + "/contacts/" + portal + "/record/0-1/" + std::string(contact_id);
}

} // namespace appconnect::hubspot
