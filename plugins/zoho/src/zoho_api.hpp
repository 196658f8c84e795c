// Zoho CRM REST API plumbing for the connector: hosts per data centre, requests, criteria escaping, Zoho's
// datetime and duration spellings, and the mapping of Zoho's error bodies onto SDK errors.
// Sources:
//   API hosts and versions: https://www.zoho.com/crm/developer/docs/api/v2/multi-dc.html
//   Accounts servers and the api_domain of the token response:
//     https://www.zoho.com/accounts/protocol/oauth/multi-dc/client-authorization.html
//   Error body {"code","details","message","status"} and status codes:
//     https://www.zoho.com/crm/developer/docs/api/v2/status-codes.html,
//     https://github.com/zoho/crm-oas (v8.0 API_Exception and its examples)
//   Criteria escaping: https://www.zoho.com/crm/developer/docs/api/v2/search-records.html
#pragma once

#include <appconnect/plugin.hpp>

#include <boost/json.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace appconnect::zoho {

using sdk::Context;
using sdk::Error;
using sdk::HttpRequest;
using sdk::HttpResponse;
using sdk::Result;

// The Zoho Accounts server (token and authorize endpoints), without a trailing slash.
std::string accounts_url(const Context& ctx);
// The API domain for an accounts server of a known data centre ("https://accounts.zoho.eu" ->
// "https://www.zohoapis.eu"); empty when the host is not one of Zoho's.
std::string api_domain_for(std::string_view accounts);
// "{api_domain}/crm/{api_version}", or auth_expired when no API domain is known yet (a refresh learns it).
Result<std::string> api_base(const Context& ctx);
// The major API version of the connection: "v2.1" -> 2, "v8" -> 8.
int api_major(const Context& ctx);

// An authenticated request to the CRM API; `path` is relative to api_base() (e.g. "/Calls").
Result<HttpResponse> call(const Context& ctx, std::string method, const std::string& path,
                          const boost::json::value* body = nullptr);

// Turns a failed response into an SDK error: request-level bodies, record-level "data" items and OAuth
// {"error"} bodies all keep Zoho's code and message.
Error error_from(const HttpResponse& response);
// The id of the first record a write answered, or its record-level error (MANDATORY_NOT_FOUND, ...).
Result<std::string> written_id(const Result<HttpResponse>& response);

// Escapes a value for criteria: backslash before "(", ")", "," and "\" (the caller URL-encodes the whole).
std::string criteria_escape(std::string_view value);

// A string field of a record, or empty when missing or null.
std::string field(const boost::json::object& record, std::string_view name);
// The "id" / "name" of a lookup field ({"name","id"}), or empty.
std::string lookup_id(const boost::json::object& record, std::string_view name);
std::string lookup_name(const boost::json::object& record, std::string_view name);

// SDK UTC time ("2026-11-25T09:30:00Z") as Zoho's input format ("2026-11-25T09:30:00+00:00"); empty when it
// cannot be parsed.
std::string to_zoho_time(const std::string& utc);
// Zoho times ("2024-05-01T15:30:00+05:30") as SDK UTC times.
std::string to_utc(const std::string& zoho_time);
// Seconds as Zoho's Call_Duration "mm:ss" (minutes may exceed 59: 3725 s -> "62:05").
std::string duration_mmss(std::int64_t seconds);

// Link that opens a record in the CRM web UI (https://crm.zoho.com/crm/tab/Contacts/{id} for the US DC).
std::string record_url(const Context& ctx, std::string_view module, std::string_view id);

} // namespace appconnect::zoho
