// HubSpot API plumbing for the connector: base URLs, authenticated requests, and the mapping of HubSpot's
// error bodies and rate-limit signals onto SDK errors.
// Sources (shapes cited where they are used):
//   error body {status, message, correlationId, category, errors[], context, links} — the `Error` schema of
//     https://github.com/HubSpot/HubSpot-public-api-spec-collection (e.g.
//     PublicApiSpecs/CRM/Calls/Rollouts/424/v3/calls.json)
//   429 bodies {status, message, errorType:"RATE_LIMIT", policyName: SECONDLY | TEN_SECONDLY_ROLLING | DAILY}
//     and the X-HubSpot-RateLimit-* headers — https://developers.hubspot.com/docs/guides/apps/api-usage/usage-details
//     and
//     https://developers.hubspot.com/changelog/2018-11-06-rate-limit-information-headers-will-be-included-in-http-responses
//   401 categories EXPIRED_AUTHENTICATION / INVALID_AUTHENTICATION, 403 MISSING_SCOPES — observed bodies,
//     docs/crm-and-telephony-apis.md 2.10
#pragma once

#include <appconnect/plugin.hpp>

#include <boost/json.hpp>

#include <string>
#include <string_view>

namespace appconnect::hubspot {

using sdk::Context;
using sdk::Error;
using sdk::HttpRequest;
using sdk::HttpResponse;
using sdk::Result;

// Settings, without trailing slashes.
std::string api_base(const Context& ctx);   // https://api.hubapi.com
std::string oauth_base(const Context& ctx); // https://api.hubapi.com (POST /oauth/v1/token)
std::string app_base(const Context& ctx);   // https://app.hubspot.com (authorize page, record links)
std::string external_id_property(const Context& ctx);

// Whether the connection authenticates with a private app token (static, never refreshed).
bool uses_private_app(const Context& ctx);

// An authenticated JSON request to the CRM API; `path` starts with "/crm/...".
Result<HttpResponse> call(const Context& ctx, std::string method, const std::string& path,
                          const boost::json::value* body = nullptr);

// Turns a non-2xx answer of the CRM API or the token endpoint into an SDK error, keeping HubSpot's message.
Error error_from(const Context& ctx, const HttpResponse& response);

// A call whose 2xx answer must be a JSON object; anything else becomes an error.
Result<boost::json::object> call_json(const Context& ctx, std::string method, const std::string& path,
                                      const boost::json::value* body = nullptr);

// A string member, or empty when missing, null or not a string.
std::string field(const boost::json::object& o, std::string_view name);
// A property of a SimplePublicObject ({"id", "properties": {...}}), or empty.
std::string property(const boost::json::object& record, std::string_view name);
// paging.next.after of a collection answer, or empty on the last page.
std::string next_after(const boost::json::object& answer);

// https://app.hubspot.com/contacts/{portal}/record/0-1/{id}; empty when the portal id is unknown.
std::string contact_url(const Context& ctx, std::string_view contact_id);

} // namespace appconnect::hubspot
