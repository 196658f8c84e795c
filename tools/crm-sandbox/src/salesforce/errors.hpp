// Salesforce's error vocabulary. Every REST error body is a JSON array of
// {"message","errorCode"[,"fields"]} — source:
// https://developer.salesforce.com/docs/platform/api-rest/guide/errorcodes.html
#pragma once

#include "framework/http_types.hpp"

#include <stdexcept>
#include <string>
#include <vector>

namespace appconnect::crm_sandbox::salesforce {

// Thrown anywhere inside a request; the API wrapper turns it into the status and error array.
class SfError : public std::runtime_error {
 public:
  SfError(int status, std::string code, const std::string& message, std::vector<std::string> fields = {})
      : std::runtime_error(message), status_(status), code_(std::move(code)), fields_(std::move(fields)) {}

  int status() const noexcept { return status_; }
  const std::string& code() const noexcept { return code_; }
  const std::vector<std::string>& fields() const noexcept { return fields_; }

 private:
  int status_;
  std::string code_;
  std::vector<std::string> fields_;
};

// [{"message":..,"errorCode":..[,"fields":[..]]}] with the given status.
Response error_response(int status, const std::string& code, const std::string& message,
                        const std::vector<std::string>& fields = {}, bool with_fields = false);
Response error_response(const SfError& error);

// The messages Salesforce uses for the common cases (verbatim where documented).
inline constexpr const char* kNotFoundMessage = "The requested resource does not exist";
inline constexpr const char* kSessionInvalidMessage = "Session expired or invalid";
inline constexpr const char* kLimitExceededMessage = "TotalRequests Limit exceeded.";

} // namespace appconnect::crm_sandbox::salesforce
