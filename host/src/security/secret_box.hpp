// Secrets at rest: AES-256-GCM with a random 96-bit nonce per value, in a versioned text envelope
//
//   enc:v1:<key id>:<base64(nonce[12] | ciphertext | tag[16])>
//
// The key id is derived from the key (a truncated SHA-256), so an envelope names the key that sealed
// it without revealing anything about it, and several keys can be configured at once during a
// rotation. A `context` string (e.g. "connection:<id>:credentials") is bound to the value as GCM
// associated data: an envelope copied into another row does not open there.
#pragma once

#include "common/result.hpp"

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace appconnect::config {
struct Config;
}

namespace appconnect::security {

struct SecretKey {
  std::string id;    // 16 hex digits derived from the key bytes
  std::string bytes; // exactly 32 bytes

  // `text` is base64 of 32 bytes; `origin` names where it came from in error messages.
  static Result<SecretKey> from_base64(std::string_view text, const std::string& origin);
  // A file holding base64 of 32 bytes (surrounding whitespace ignored).
  static Result<SecretKey> from_file(const std::filesystem::path& file);
  static SecretKey generate();
  std::string to_base64() const;
};

class SecretBox {
 public:
  // `primary` seals; `primary` and every key in `older` open (older keys: during a key rotation).
  explicit SecretBox(SecretKey primary, std::vector<SecretKey> older = {});

  std::string seal(std::string_view plaintext, std::string_view context) const;
  // Fails (never throws) on a malformed envelope, an unknown key id, a wrong key, a different
  // context or any altered byte.
  Result<std::string> open(std::string_view envelope, std::string_view context) const;

  const std::string& primary_id() const { return primary_.id; }
  bool knows(std::string_view key_id) const;

  // True when `text` starts like an envelope ("enc:"), whether or not it is well formed.
  static bool is_envelope(std::string_view text);
  // The key id named by an envelope, or empty.
  static std::string key_id_of(std::string_view envelope);

 private:
  const SecretKey* key_for(std::string_view id) const;
  SecretKey primary_;
  std::vector<SecretKey> older_;
};

// The keys configured for this host: the current one first (`secrets_key_file`, else the environment
// variable), then `secrets_old_key_files`. Empty when none is configured.
Result<std::vector<SecretKey>> configured_keys(const config::Config& config);

// The box configured for this host: `secrets_key_file` (or, when the config names none, the
// environment variable APPCONNECT_SECRETS_KEY holding base64 of 32 bytes), plus every file in
// `secrets_old_key_files` for reading only. nullptr when no key is configured at all.
Result<std::shared_ptr<const SecretBox>> load_secret_box(const config::Config& config);

inline constexpr const char* kSecretsKeyEnv = "APPCONNECT_SECRETS_KEY";

} // namespace appconnect::security
