// API tokens of the admin API. A token is "act_" + 32 random bytes (base64url); it is shown once, when
// it is created, and only its SHA-256 is stored: a copy of the database lets nobody call the API.
// Looking a token up by its hash needs no constant-time compare (the hash of a guess reveals nothing
// about the stored hashes).
#pragma once

#include "auth/principal.hpp"
#include "common/result.hpp"
#include "store/database.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace appconnect::auth {

struct TokenRow {
  std::string id;
  std::string name;
  Role role = Role::kRep;
  std::string tenant; // empty for operators
  std::string agent;
  std::string created_by; // actor
  std::int64_t created_at = 0;
  std::int64_t last_used_at = 0; // 0: never
  std::int64_t revoked_at = 0;   // 0: active

  Principal principal() const { return Principal{role, tenant, agent, id, name}; }
};

// A fresh secret token text ("act_..."), and the hex SHA-256 stored for it.
std::string generate_token();
std::string token_hash(const std::string& token);

class TokenRepository {
 public:
  explicit TokenRepository(std::shared_ptr<store::Database> db) : db_(std::move(db)) {}

  // Stores a new token (row.id and created_at are filled in) and returns it with the secret text,
  // which is not kept anywhere.
  Result<std::pair<TokenRow, std::string>> create(TokenRow row);
  // The active token with this secret text, or nullopt; updates last_used_at (at most once a minute).
  Result<std::optional<TokenRow>> find_active(const std::string& token);
  Result<std::optional<TokenRow>> get(const std::string& id);
  // Every token (tenant empty) or one tenant's, revoked ones included, oldest first.
  Result<std::vector<TokenRow>> list(const std::string& tenant);
  // Marks the token revoked; kNotFound when there is no such token, kConflict when already revoked.
  Result<Done> revoke(const std::string& id);

 private:
  std::shared_ptr<store::Database> db_;
};

} // namespace appconnect::auth
