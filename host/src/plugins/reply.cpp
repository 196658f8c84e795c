#include "plugins/reply.hpp"

#include "common/log.hpp"

#include <appconnect/abi.h>

#include <boost/json.hpp>

#include <algorithm>
#include <array>

namespace appconnect::plugins {
namespace {

constexpr std::array<std::string_view, 14> kKnownErrorCodes = {
    error_code::kAuthExpired, error_code::kAuthRevoked, error_code::kRateLimited, error_code::kQuotaExhausted,
    error_code::kUnavailable, error_code::kTimeout,     error_code::kTransport,   error_code::kValidation,
    error_code::kNotFound,    error_code::kPermission,  error_code::kConflict,    error_code::kUnsupported,
    error_code::kBadRequest,  error_code::kInternal};

} // namespace

Error plugin_fault(const std::string& id, std::string_view operation, const std::string& what) {
  std::string message = "plugin '" + id + "' " + what + " (operation '" + std::string(operation) + "')";
  log::warn("plugins", message, {{"plugin", id}, {"operation", operation}});
  return Error::make(error_code::kInternal, std::move(message), false);
}

Result<boost::json::value> decode_reply(const RawReply& reply, const std::string& id, std::string_view op) {
  switch (reply.status) {
    case APPCONNECT_STATUS_OK: {
      if (!reply.written) return plugin_fault(id, op, "returned OK without a result document");
      if (reply.lost) return plugin_fault(id, op, "wrote a result document the host could not copy");
      boost::system::error_code ec;
      boost::json::value result = boost::json::parse(reply.text, ec);
      if (ec) return plugin_fault(id, op, "returned a result that is not valid JSON: " + ec.message());
      return result;
    }
    case APPCONNECT_STATUS_UNSUPPORTED:
      return Error::make(error_code::kUnsupported,
                         "plugin '" + id + "' does not support operation '" + std::string(op) + "'", false);
    case APPCONNECT_STATUS_ERROR:
    case APPCONNECT_STATUS_BAD_REQUEST: {
      if (!reply.written || reply.lost) return plugin_fault(id, op, "reported a failure without an error document");
      boost::system::error_code ec;
      const boost::json::value doc = boost::json::parse(reply.text, ec);
      if (ec) return plugin_fault(id, op, "returned an error document that is not valid JSON: " + ec.message());
      if (!doc.is_object()) return plugin_fault(id, op, "returned an error document that is not a JSON object");
      Error e;
      try {
        e = boost::json::value_to<Error>(doc);
      } catch (const std::exception& ex) {
        // E.g. a fractional retry_after_ms or a message that is not a string (found by fuzz/plugin_reply).
        return plugin_fault(id, op, std::string("returned an error document the host cannot read: ") + ex.what());
      }
      if (!doc.get_object().contains("code"))
        e.code = reply.status == APPCONNECT_STATUS_BAD_REQUEST ? error_code::kBadRequest : error_code::kInternal;
      if (std::find(kKnownErrorCodes.begin(), kKnownErrorCodes.end(), e.code) == kKnownErrorCodes.end()) {
        // The pipeline's retry rules key on the code, so only the SDK's codes may pass through.
        e.message = "[" + e.code + "] " + e.message;
        e.code = error_code::kInternal;
      }
      if (e.message.empty())
        e.message = "plugin '" + id + "' failed operation '" + std::string(op) + "' (" + e.code + ")";
      return e;
    }
    default:
      return plugin_fault(id, op, "returned unknown status " + std::to_string(reply.status));
  }
}

} // namespace appconnect::plugins
