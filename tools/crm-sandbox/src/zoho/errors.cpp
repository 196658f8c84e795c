#include "zoho/errors.hpp"

#include <boost/json.hpp>

namespace appconnect::crm_sandbox::zoho {

boost::json::object error_body(const std::string& code, const std::string& message, boost::json::object details) {
  return {{"code", code}, {"details", std::move(details)}, {"message", message}, {"status", "error"}};
}

Response error_response(int status, const std::string& code, const std::string& message, boost::json::object details) {
  return Response::json(status, error_body(code, message, std::move(details)));
}

Response error_response(const ZohoError& error) {
  return error_response(error.status(), error.code(), error.what(), error.details());
}

} // namespace appconnect::crm_sandbox::zoho
