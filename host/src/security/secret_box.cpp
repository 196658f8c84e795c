#include "security/secret_box.hpp"

#include "common/log.hpp"
#include "config/config.hpp"
#include "security/crypto.hpp"

#include <openssl/evp.h>

#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace appconnect::security {
namespace {

constexpr std::size_t kKeyBytes = 32;
constexpr std::size_t kNonceBytes = 12;
constexpr std::size_t kTagBytes = 16;
constexpr std::string_view kPrefix = "enc:v1:";

std::string key_id(std::string_view bytes) {
  // A domain-separated hash, so the id can never equal a hash computed for another purpose.
  constexpr std::string_view kDomain = "appconnect secrets key id\n";
  std::string input;
  input.reserve(kDomain.size() + bytes.size());
  input.append(kDomain);
  input.append(bytes);
  return sha256_hex(input).substr(0, 16);
}

Error decrypt_error(const std::string& why) {
  return Error::make(error_code::kInternal, "cannot decrypt a stored secret: " + why, false);
}

struct CipherCtx {
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  ~CipherCtx() { EVP_CIPHER_CTX_free(ctx); }
  CipherCtx() = default;
  CipherCtx(const CipherCtx&) = delete;
  CipherCtx& operator=(const CipherCtx&) = delete;
};

const unsigned char* u8(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

} // namespace

Result<SecretKey> SecretKey::from_base64(std::string_view text, const std::string& origin) {
  auto bytes = base64_decode(text);
  if (!bytes || bytes->size() != kKeyBytes)
    return Error::make(error_code::kValidation,
                       origin +
                           " must hold a 256-bit key as base64 (32 random bytes, e.g. `head -c 32 /dev/urandom | "
                           "base64`)",
                       false);
  return SecretKey{key_id(*bytes), std::move(*bytes)};
}

Result<SecretKey> SecretKey::from_file(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return Error::make(error_code::kNotFound, "cannot read the secrets key file " + file.string(), false);
  std::stringstream text;
  text << in.rdbuf();
  struct stat st {};
  // Anyone who can read the key can read every credential: say so, but do not refuse (a container may
  // mount the file with its own notion of ownership).
  if (::stat(file.c_str(), &st) == 0 && (st.st_mode & (S_IRWXG | S_IRWXO)) != 0)
    log::warn("security", "the secrets key file is readable by other users; chmod 600 it", {{"file", file.string()}});
  return from_base64(text.str(), "the secrets key file " + file.string());
}

SecretKey SecretKey::generate() {
  std::string bytes = random_bytes(kKeyBytes);
  return SecretKey{key_id(bytes), std::move(bytes)};
}

std::string SecretKey::to_base64() const {
  return base64_encode(bytes);
}

SecretBox::SecretBox(SecretKey primary, std::vector<SecretKey> older)
    : primary_(std::move(primary)), older_(std::move(older)) {}

bool SecretBox::knows(std::string_view id) const {
  return key_for(id) != nullptr;
}

const SecretKey* SecretBox::key_for(std::string_view id) const {
  if (primary_.id == id) return &primary_;
  for (const auto& k : older_)
    if (k.id == id) return &k;
  return nullptr;
}

bool SecretBox::is_envelope(std::string_view text) {
  return text.substr(0, 4) == "enc:";
}

std::string SecretBox::key_id_of(std::string_view envelope) {
  if (envelope.substr(0, kPrefix.size()) != kPrefix) return {};
  envelope.remove_prefix(kPrefix.size());
  const auto colon = envelope.find(':');
  return colon == std::string_view::npos ? std::string() : std::string(envelope.substr(0, colon));
}

std::string SecretBox::seal(std::string_view plaintext, std::string_view context) const {
  const std::string nonce = random_bytes(kNonceBytes);
  std::string out(plaintext.size(), '\0');
  unsigned char tag[kTagBytes];
  CipherCtx c;
  int n = 0;
  bool ok = c.ctx != nullptr && EVP_EncryptInit_ex(c.ctx, EVP_aes_256_gcm(), nullptr, nullptr, nullptr) == 1 &&
            EVP_CIPHER_CTX_ctrl(c.ctx, EVP_CTRL_GCM_SET_IVLEN, static_cast<int>(kNonceBytes), nullptr) == 1 &&
            EVP_EncryptInit_ex(c.ctx, nullptr, nullptr, u8(primary_.bytes), u8(nonce)) == 1 &&
            EVP_EncryptUpdate(c.ctx, nullptr, &n, u8(context), static_cast<int>(context.size())) == 1 &&
            EVP_EncryptUpdate(c.ctx, reinterpret_cast<unsigned char*>(out.data()), &n, u8(plaintext),
                              static_cast<int>(plaintext.size())) == 1 &&
            EVP_EncryptFinal_ex(c.ctx, reinterpret_cast<unsigned char*>(out.data()) + n, &n) == 1 &&
            EVP_CIPHER_CTX_ctrl(c.ctx, EVP_CTRL_GCM_GET_TAG, static_cast<int>(kTagBytes), tag) == 1;
  // Encryption with a valid key cannot fail short of memory exhaustion; writing a secret in clear
  // instead would be worse than stopping.
  if (!ok) throw std::runtime_error("AES-256-GCM encryption failed");
  std::string blob = nonce + out + std::string(reinterpret_cast<const char*>(tag), kTagBytes);
  return std::string(kPrefix) + primary_.id + ":" + base64_encode(blob);
}

Result<std::string> SecretBox::open(std::string_view envelope, std::string_view context) const {
  if (envelope.substr(0, kPrefix.size()) != kPrefix)
    return decrypt_error(is_envelope(envelope) ? "unknown envelope version" : "not an encrypted value");
  std::string_view rest = envelope.substr(kPrefix.size());
  const auto colon = rest.find(':');
  if (colon == std::string_view::npos) return decrypt_error("malformed envelope");
  const std::string_view id = rest.substr(0, colon);
  const SecretKey* key = key_for(id);
  if (key == nullptr)
    return decrypt_error("it was encrypted with key " + std::string(id) +
                         ", which is not configured (secrets_key_file / secrets_old_key_files)");
  auto blob = base64_decode(rest.substr(colon + 1));
  if (!blob || blob->size() < kNonceBytes + kTagBytes) return decrypt_error("malformed envelope");
  const std::string_view all(*blob);
  const std::string_view nonce = all.substr(0, kNonceBytes);
  const std::string_view cipher = all.substr(kNonceBytes, all.size() - kNonceBytes - kTagBytes);
  std::string tag(all.substr(all.size() - kTagBytes));
  std::string out(cipher.size(), '\0');
  CipherCtx c;
  int n = 0;
  bool ok = c.ctx != nullptr && EVP_DecryptInit_ex(c.ctx, EVP_aes_256_gcm(), nullptr, nullptr, nullptr) == 1 &&
            EVP_CIPHER_CTX_ctrl(c.ctx, EVP_CTRL_GCM_SET_IVLEN, static_cast<int>(kNonceBytes), nullptr) == 1 &&
            EVP_DecryptInit_ex(c.ctx, nullptr, nullptr, u8(key->bytes), u8(nonce)) == 1 &&
            EVP_DecryptUpdate(c.ctx, nullptr, &n, u8(context), static_cast<int>(context.size())) == 1 &&
            EVP_DecryptUpdate(c.ctx, reinterpret_cast<unsigned char*>(out.data()), &n, u8(cipher),
                              static_cast<int>(cipher.size())) == 1 &&
            EVP_CIPHER_CTX_ctrl(c.ctx, EVP_CTRL_GCM_SET_TAG, static_cast<int>(kTagBytes), tag.data()) == 1;
  int tail = 0;
  if (!ok || EVP_DecryptFinal_ex(c.ctx, reinterpret_cast<unsigned char*>(out.data()) + n, &tail) != 1)
    return decrypt_error("authentication failed (wrong key, wrong context or an altered value)");
  return out;
}

Result<std::vector<SecretKey>> configured_keys(const config::Config& config) {
  std::vector<SecretKey> keys;
  if (!config.secrets_key_file.empty()) {
    auto key = SecretKey::from_file(config.secrets_key_file);
    if (!key) return key.error();
    keys.push_back(std::move(key.value()));
  } else if (const char* env = std::getenv(kSecretsKeyEnv); env != nullptr && *env != '\0') {
    auto key = SecretKey::from_base64(env, "the environment variable APPCONNECT_SECRETS_KEY");
    if (!key) return key.error();
    keys.push_back(std::move(key.value()));
  }
  if (keys.empty() && !config.secrets_old_key_files.empty())
    return Error::make(error_code::kValidation,
                       "'secrets_old_key_files' is set but 'secrets_key_file' is not: configure the current key",
                       false);
  for (const auto& file : config.secrets_old_key_files) {
    auto key = SecretKey::from_file(file);
    if (!key) return key.error();
    keys.push_back(std::move(key.value()));
  }
  return keys;
}

Result<std::shared_ptr<const SecretBox>> load_secret_box(const config::Config& config) {
  auto keys = configured_keys(config);
  if (!keys) return keys.error();
  if (keys.value().empty()) return std::shared_ptr<const SecretBox>();
  SecretKey primary = std::move(keys.value().front());
  std::vector<SecretKey> older(std::make_move_iterator(keys.value().begin() + 1),
                               std::make_move_iterator(keys.value().end()));
  return std::shared_ptr<const SecretBox>(std::make_shared<SecretBox>(std::move(primary), std::move(older)));
}

} // namespace appconnect::security
