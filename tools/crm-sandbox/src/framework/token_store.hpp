// OAuth state shared by the emulators: authorization codes (single use), refresh tokens and access
// tokens. An access token's lifetime is checked when it is used, against the current knob, so tests
// can shorten it on a live sandbox; /__sandbox/expire-tokens drops every access token at once.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace appconnect::crm_sandbox {

struct AccessToken {
  std::string token;
  std::string user_id;
  std::string client_id;
  std::string scope;
  std::int64_t issued_ms = 0;
};

struct RefreshToken {
  std::string token;
  std::string user_id;
  std::string client_id;
  std::string scope;
};

struct AuthCode {
  std::string code;
  std::string client_id;
  std::string redirect_uri;
  std::string user_id;
  std::string scope;
  std::string code_challenge; // PKCE, empty when the client did not use it
  std::string code_challenge_method;
  std::int64_t issued_ms = 0;
};

class TokenStore {
 public:
  // Random URL-safe characters from a CSPRNG-seeded generator (tokens must not collide across resets).
  static std::string random_string(std::size_t length);

  void clear();

  AccessToken issue_access(std::string token, std::string user_id, std::string client_id, std::string scope,
                           std::int64_t now_ms);
  // The token when it is known and younger than `lifetime_s` (<= 0: no expiry).
  std::optional<AccessToken> find_access(const std::string& token, std::int64_t now_ms, double lifetime_s) const;
  bool revoke_access(const std::string& token);
  // Every access token issued so far becomes invalid; refresh tokens stay valid.
  void expire_all_access();
  std::size_t access_count() const;

  void add_refresh(RefreshToken token);
  std::optional<RefreshToken> find_refresh(const std::string& token) const;
  bool revoke_refresh(const std::string& token);

  void add_code(AuthCode code);
  // Removes and returns the code: an authorization code is good for one exchange.
  std::optional<AuthCode> take_code(const std::string& code);

 private:
  mutable std::mutex mutex_;
  std::unordered_map<std::string, AccessToken> access_;
  std::unordered_map<std::string, RefreshToken> refresh_;
  std::unordered_map<std::string, AuthCode> codes_;
};

} // namespace appconnect::crm_sandbox
