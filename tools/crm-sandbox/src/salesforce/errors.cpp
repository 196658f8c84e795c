#include "salesforce/errors.hpp"

#include <boost/json.hpp>

namespace appconnect::crm_sandbox::salesforce {

Response error_response(int status, const std::string& code, const std::string& message,
                        const std::vector<std::string>& fields, bool with_fields) {
  boost::json::object e{{"message", message}, {"errorCode", code}};
  // Field-level errors carry "fields"; others omit it, as in the documented examples.
  if (with_fields || !fields.empty()) {
    boost::json::array f;
    for (const auto& name : fields) f.push_back(boost::json::string(name));
    e["fields"] = std::move(f);
  }
  return Response::json(status, boost::json::array{std::move(e)});
}

Response error_response(const SfError& error) {
  return error_response(error.status(), error.code(), error.what(), error.fields());
}

} // namespace appconnect::crm_sandbox::salesforce
