// HubSpot's error vocabulary, as the emulator speaks it.
//
// CRM API errors are JSON objects
//   {"status":"error","message":..,"correlationId":"<uuid>","category":..[,"subCategory"]
//    [,"context":{"key":["value",..]}][,"errors":[{"message","code","in","subCategory","context"}]][,"links":{..}]}
// Sources: the `Error` / `ErrorDetail` schemas of the official specs
//   https://github.com/HubSpot/HubSpot-public-api-spec-collection/blob/main/PublicApiSpecs/CRM/Calls/Rollouts/424/v3/calls.json
//   (components.schemas.Error: message, correlationId, category required), the "status":"error" member and the
//   category/message pairs observed in real responses (docs/crm-and-telephony-apis.md 2.10), e.g. the validation
//   body quoted in https://github.com/gregorspan/csc-frodx/issues/21 and the 401 EXPIRED_AUTHENTICATION body.
// Rate-limit bodies ({"status":"error","message":"You have reached your ten_secondly_rolling limit.",
// "errorType":"RATE_LIMIT","correlationId","policyName","requestId"}) follow docs/crm-and-telephony-apis.md 2.11.
#pragma once

#include "framework/http_types.hpp"

#include <boost/json/object.hpp>

#include <stdexcept>
#include <string>
#include <vector>

namespace appconnect::crm_sandbox::hubspot {

// Thrown anywhere inside an API request; the API wrapper turns it into the status and error object.
class HsError : public std::runtime_error {
 public:
  HsError(int status, std::string category, const std::string& message, boost::json::object extra = {})
      : std::runtime_error(message), status_(status), category_(std::move(category)), extra_(std::move(extra)) {}

  int status() const noexcept { return status_; }
  const std::string& category() const noexcept { return category_; }
  // Further members of the body (context, errors, links, subCategory).
  const boost::json::object& extra() const noexcept { return extra_; }

 private:
  int status_;
  std::string category_;
  boost::json::object extra_;
};

// A random UUID (version 4), the format of HubSpot's correlationId.
std::string new_correlation_id();

// {"status":"error","message","correlationId","category", ...extra} with the given status, plus the
// x-hubspot-correlation-id header HubSpot sends with every answer.
Response error_response(int status, const std::string& category, const std::string& message,
                        const boost::json::object& extra = {});
Response error_response(const HsError& error);

// One invalid property of a create/update, as listed in "Property values were not valid: [...]".
struct PropertyProblem {
  std::string name;
  std::string error;   // PROPERTY_DOESNT_EXIST, READ_ONLY_VALUE, INVALID_OPTION, ...
  std::string message; // human-readable
};

// 400 VALIDATION_ERROR whose message embeds the JSON list of problems, as HubSpot does, and whose
// `errors` array repeats them as ErrorDetail objects.
HsError property_error(const std::vector<PropertyProblem>& problems);

// 429 bodies. `policy` is TEN_SECONDLY_ROLLING, SECONDLY or DAILY.
Response rate_limit_response(const std::string& policy);

// Messages HubSpot uses for the common cases (verbatim where observed).
inline constexpr const char* kNotFoundMessage = "resource not found";
inline constexpr const char* kMissingCredentialsMessage =
    "Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more "
    "details at https://developers.hubspot.com/docs/methods/auth/oauth-overview";
inline constexpr const char* kMissingScopesMessage =
    "This app hasn't been granted all required scopes to make this call. Read more about required scopes here: "
    "https://developers.hubspot.com/scopes.";

} // namespace appconnect::crm_sandbox::hubspot
