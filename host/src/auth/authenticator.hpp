// Authentication and the one access guard every /v1/admin route goes through.
//
//   no token, an unknown or revoked token      -> 401 {"error":{"code":"unauthorized"}}
//   a role below the route's least role        -> 403 {"error":{"code":"forbidden"}}
//   a tenant (or an object of a tenant) the caller may not see -> 404, exactly as if it did not exist
//
// The config file's `admin_token` stays valid as a bootstrap operator token, so a new host can mint
// its first tokens (and existing scripts keep working).
#pragma once

#include "auth/principal.hpp"
#include "auth/token_store.hpp"
#include "common/result.hpp"
#include "http/server.hpp"

#include <functional>
#include <memory>
#include <string>

namespace appconnect::auth {

inline constexpr const char* kUnauthorized = "unauthorized";
inline constexpr const char* kForbidden = "forbidden";

class Authenticator {
 public:
  Authenticator(std::string bootstrap_token, std::shared_ptr<TokenRepository> tokens)
      : bootstrap_(std::move(bootstrap_token)), tokens_(std::move(tokens)) {}

  // The caller behind "Authorization: Bearer <token>"; an error with code kUnauthorized otherwise.
  Result<Principal> authenticate(const http::Request& request) const;

 private:
  std::string bootstrap_;
  std::shared_ptr<TokenRepository> tokens_;
};

// Whether `role` reaches `least` (operator > admin > rep).
bool reaches(Role role, Role least);

using GuardedHandler = std::function<http::Response(const http::Request&, const Principal&)>;

// Authenticates, checks the role, then runs `inner`. Also turns a malformed body or parameter
// (sdk::json_fields::FieldError) into 422 and any other exception into a 500 JSON error, so no input
// can take the host down.
http::Handler guard(std::shared_ptr<const Authenticator> auth, Role least, GuardedHandler inner);

// The tenant a request addresses. `requested` empty: the caller's own tenant (operators: "default").
// A tenant the caller may not see is kNotFound ("no tenant"), never a permission error, so a guess
// does not even learn that the tenant exists.
Result<std::string> tenant_scope(const Principal& principal, const std::string& requested);

// {"error":{...}} with the status that fits the error code (404, 409, 422, 403, 503, 500).
http::Response error_response(const Error& e);
int status_for(const Error& e);

} // namespace appconnect::auth
