// The error model of the plugin boundary, shared by host and plugins.
//
// Every failed operation is described by one Error. Its `code` is a stable, machine-readable word from
// the list below; `retryable` tells the host whether trying the same call later can succeed; and the
// CRM's own status and error body are kept so an admin sees what the CRM said.
#pragma once

#include <boost/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace appconnect::sdk {

// Stable error codes. Hosts treat unknown codes as "internal" (retryable = as flagged).
namespace error_code {
inline constexpr const char* kAuthExpired = "auth_expired";       // token expired: refresh once, retry
inline constexpr const char* kAuthRevoked = "auth_revoked";       // refresh refused: admin must reconnect
inline constexpr const char* kRateLimited = "rate_limited";       // short-term limit: wait retry_after_ms
inline constexpr const char* kQuotaExhausted = "quota_exhausted"; // daily/credit budget spent
inline constexpr const char* kUnavailable = "unavailable";        // 5xx, maintenance
inline constexpr const char* kTimeout = "timeout";                // no answer in time
inline constexpr const char* kTransport = "transport";            // connection refused, TLS, DNS
inline constexpr const char* kValidation = "validation";          // the CRM rejected the data
inline constexpr const char* kNotFound = "not_found";             // record or resource missing
inline constexpr const char* kPermission = "permission";          // the CRM user may not do this
inline constexpr const char* kConflict = "conflict";              // duplicate / concurrent change
inline constexpr const char* kUnsupported = "unsupported";        // operation not offered
inline constexpr const char* kBadRequest = "bad_request";         // the host sent something unusable
inline constexpr const char* kInternal = "internal";              // a bug or an unexpected reply
} // namespace error_code

struct Error {
  std::string code = error_code::kInternal;
  std::string message;
  bool retryable = false;
  std::optional<std::int64_t> retry_after_ms;
  std::optional<int> crm_status; // HTTP status the CRM answered with, if any
  boost::json::value crm_error;  // the CRM's error body (parsed JSON, or a string), null if none

  static Error make(std::string code, std::string message, bool retryable) {
    Error e;
    e.code = std::move(code);
    e.message = std::move(message);
    e.retryable = retryable;
    return e;
  }
};

inline void tag_invoke(const boost::json::value_from_tag&, boost::json::value& out, const Error& e) {
  boost::json::object o;
  o["code"] = e.code;
  o["message"] = e.message;
  o["retryable"] = e.retryable;
  if (e.retry_after_ms) o["retry_after_ms"] = *e.retry_after_ms;
  if (e.crm_status) o["crm_status"] = *e.crm_status;
  if (!e.crm_error.is_null()) o["crm_error"] = e.crm_error;
  out = std::move(o);
}

inline Error tag_invoke(const boost::json::value_to_tag<Error>&, const boost::json::value& v) {
  Error e;
  const auto& o = v.as_object();
  if (auto* p = o.if_contains("code"); p && p->is_string()) e.code = std::string(p->get_string());
  if (auto* p = o.if_contains("message"); p && p->is_string()) e.message = std::string(p->get_string());
  if (auto* p = o.if_contains("retryable"); p && p->is_bool()) e.retryable = p->get_bool();
  if (auto* p = o.if_contains("retry_after_ms"); p && p->is_number()) e.retry_after_ms = p->to_number<std::int64_t>();
  if (auto* p = o.if_contains("crm_status"); p && p->is_number()) e.crm_status = p->to_number<int>();
  if (auto* p = o.if_contains("crm_error")) e.crm_error = *p;
  return e;
}

// The value of a Result that yields nothing but may fail: Result<Done>.
struct Done {};

// A value or the Error that prevented it. Operations return Result<T>; exceptions are only a fallback
// (the SDK's trampolines turn an escaped exception into an "internal" error document).
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}     // NOLINT(google-explicit-constructor)
  Result(Error error) : state_(std::move(error)) {} // NOLINT(google-explicit-constructor)

  bool ok() const noexcept { return state_.index() == 0; }
  explicit operator bool() const noexcept { return ok(); }

  T& value() & { return std::get<0>(state_); }
  const T& value() const& { return std::get<0>(state_); }
  T&& value() && { return std::get<0>(std::move(state_)); }
  const Error& error() const { return std::get<1>(state_); }

  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, Error> state_;
};

} // namespace appconnect::sdk
