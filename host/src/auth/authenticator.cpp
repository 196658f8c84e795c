#include "auth/authenticator.hpp"

#include "common/log.hpp"

#include <appconnect/json_fields.hpp>

namespace appconnect::auth {
namespace {

// Compares without an early exit, so timing does not reveal how much of a guess was right (the
// bootstrap token is compared as text; API tokens are looked up by hash).
bool same_secret(const std::string& sent, const std::string& expected) {
  if (expected.empty() || sent.size() != expected.size()) return false;
  unsigned char diff = 0;
  for (std::size_t i = 0; i < sent.size(); ++i) diff |= static_cast<unsigned char>(sent[i] ^ expected[i]);
  return diff == 0;
}

int rank(Role role) {
  switch (role) {
    case Role::kOperator:
      return 3;
    case Role::kAdmin:
      return 2;
    case Role::kRep:
      return 1;
  }
  return 0;
}

} // namespace

Result<Principal> Authenticator::authenticate(const http::Request& request) const {
  const std::string header = request.header("authorization");
  static constexpr std::string_view kBearer = "Bearer ";
  if (header.size() <= kBearer.size() || header.compare(0, kBearer.size(), kBearer) != 0)
    return Error::make(kUnauthorized, "a valid 'Authorization: Bearer <token>' is required", false);
  const std::string token = header.substr(kBearer.size());
  if (same_secret(token, bootstrap_)) return Principal{Role::kOperator, "", "", "bootstrap", "admin_token"};
  if (tokens_ && token.rfind("act_", 0) == 0) {
    auto found = tokens_->find_active(token);
    if (!found) return found.error();
    if (found.value()) return found.value()->principal();
  }
  return Error::make(kUnauthorized, "a valid 'Authorization: Bearer <token>' is required", false);
}

bool reaches(Role role, Role least) {
  return rank(role) >= rank(least);
}

int status_for(const Error& e) {
  if (e.code == kUnauthorized) return 401;
  if (e.code == kForbidden) return 403;
  if (e.code == error_code::kValidation || e.code == error_code::kBadRequest) return 422;
  if (e.code == error_code::kNotFound) return 404;
  if (e.code == error_code::kConflict) return 409;
  if (e.code == error_code::kPermission) return 403;
  return e.retryable ? 503 : 500;
}

http::Response error_response(const Error& e) {
  return http::Response::error(status_for(e), e.code, e.message);
}

http::Handler guard(std::shared_ptr<const Authenticator> auth, Role least, GuardedHandler inner) {
  return [auth = std::move(auth), least, inner = std::move(inner)](const http::Request& r) -> http::Response {
    auto who = auth->authenticate(r);
    if (!who) return error_response(who.error());
    if (!reaches(who.value().role, least))
      return http::Response::error(403, kForbidden,
                                   "this route needs the " + std::string(role_name(least)) +
                                       " role or above; the "
                                       "token has the " +
                                       std::string(role_name(who.value().role)) + " role");
    try {
      return inner(r, who.value());
    } catch (const sdk::json_fields::FieldError& ex) {
      return http::Response::error(422, "validation", ex.what());
    } catch (const std::exception& ex) {
      log::error("admin", "admin request failed", {{"path", r.path}, {"error", ex.what()}});
      return http::Response::error(500, "internal", "the request could not be handled");
    }
  };
}

Result<std::string> tenant_scope(const Principal& principal, const std::string& requested) {
  if (requested.empty()) return principal.is_operator() ? std::string("default") : principal.tenant;
  if (!principal.sees_tenant(requested))
    return Error::make(error_code::kNotFound, "no tenant '" + requested + "'", false);
  return requested;
}

} // namespace appconnect::auth
