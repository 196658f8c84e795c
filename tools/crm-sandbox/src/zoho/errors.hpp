// Zoho CRM's error vocabulary. Every error body has the same four keys, as a top-level object for
// request-level errors and as an item of the "data" array for record-level errors:
//   {"code":"INVALID_TOKEN","details":{},"message":"invalid oauth token","status":"error"}
// Source: zoho/crm-oas v8.0 `API_Exception` component and its operation examples, e.g.
//   https://github.com/zoho/crm-oas/blob/main/v8.0/record/operations/createRecords/examples/response-400-invaliddata.md
//   https://github.com/zoho/crm-oas/blob/main/v8.0/notes/operations/deleteNotesModule/examples/response-404-invalidurlpattern.md
// and the "Status codes" / "Possible errors" sections of https://www.zoho.com/crm/developer/docs/api/v2/
#pragma once

#include "framework/http_types.hpp"

#include <boost/json/object.hpp>

#include <stdexcept>
#include <string>

namespace appconnect::crm_sandbox::zoho {

// Thrown anywhere inside a request; the API wrapper turns it into the status and the error object.
class ZohoError : public std::runtime_error {
 public:
  ZohoError(int status, std::string code, const std::string& message, boost::json::object details = {})
      : std::runtime_error(message), status_(status), code_(std::move(code)), details_(std::move(details)) {}

  int status() const noexcept { return status_; }
  const std::string& code() const noexcept { return code_; }
  const boost::json::object& details() const noexcept { return details_; }

 private:
  int status_;
  std::string code_;
  boost::json::object details_;
};

// {"code","details","message","status":"error"}: Zoho always sends all four keys.
boost::json::object error_body(const std::string& code, const std::string& message, boost::json::object details = {});
Response error_response(int status, const std::string& code, const std::string& message,
                        boost::json::object details = {});
Response error_response(const ZohoError& error);

// The messages Zoho uses for the common cases (verbatim where documented).
inline constexpr const char* kInvalidTokenMessage = "invalid oauth token";
inline constexpr const char* kAuthFailureMessage = "Authentication failed";
inline constexpr const char* kScopeMismatchMessage = "invalid oauth scope to access this URL";
inline constexpr const char* kInvalidUrlMessage = "Please check if the URL trying to access is a correct one";
inline constexpr const char* kInvalidModuleMessage = "the module name given seems to be invalid";
inline constexpr const char* kInvalidMethodMessage = "The http request method type is not a valid one";
inline constexpr const char* kMandatoryMessage = "required field not found";
inline constexpr const char* kInvalidDataMessage = "invalid data";
inline constexpr const char* kInvalidIdMessage = "the id given seems to be invalid";
inline constexpr const char* kInvalidRelatedIdMessage = "the related id given seems to be invalid";
inline constexpr const char* kParamMissingMessage = "required param is missing";
inline constexpr const char* kInvalidQueryMessage = "invalid query formed";
inline constexpr const char* kInternalErrorMessage = "Internal Server Error";
// The exact 429 text is not documented for credits (docs/crm-and-telephony-apis.md 3.9 / section 7);
// the crm-oas 429 example says this, and seeds may override it ("limits": {"message": ...}).
inline constexpr const char* kTooManyRequestsMessage = "Rate limit exceeded. Please retry after the specified time.";

} // namespace appconnect::crm_sandbox::zoho
