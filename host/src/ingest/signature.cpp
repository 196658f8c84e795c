#include "ingest/signature.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <charconv>
#include <stdexcept>
#include <vector>

namespace appconnect::ingest {
namespace {

std::string hex(const unsigned char* data, std::size_t n) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(n * 2);
  for (std::size_t i = 0; i < n; ++i) {
    out.push_back(kHex[data[i] >> 4]);
    out.push_back(kHex[data[i] & 0x0f]);
  }
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

} // namespace

std::string sign_body(std::string_view secret, std::int64_t t, std::string_view body) {
  const std::string prefix = std::to_string(t) + ".";
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  // Two updates instead of concatenating: bodies may be up to max_body_bytes.
  EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  if (mac == nullptr) throw std::runtime_error("HMAC unavailable");
  EVP_MAC_CTX* ctx = EVP_MAC_CTX_new(mac);
  EVP_MAC_free(mac);
  if (ctx == nullptr) throw std::runtime_error("HMAC unavailable");
  char digest_name[] = "SHA256";
  const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string("digest", digest_name, 0), OSSL_PARAM_construct_end()};
  std::size_t out_length = 0;
  const bool ok =
      EVP_MAC_init(ctx, reinterpret_cast<const unsigned char*>(secret.data()), secret.size(), params) == 1 &&
      EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(prefix.data()), prefix.size()) == 1 &&
      EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(body.data()), body.size()) == 1 &&
      EVP_MAC_final(ctx, digest, &out_length, sizeof digest) == 1;
  EVP_MAC_CTX_free(ctx);
  if (!ok) throw std::runtime_error("HMAC failed");
  length = static_cast<unsigned int>(out_length);
  return hex(digest, length);
}

std::string signature_header(std::string_view secret, std::int64_t t, std::string_view body) {
  return "t=" + std::to_string(t) + ",v1=" + sign_body(secret, t, body);
}

SignatureCheck verify_signature(std::string_view header, std::string_view body, std::string_view secret,
                                std::int64_t now_s, std::int64_t tolerance_s) {
  header = trim(header);
  if (header.empty()) return SignatureCheck::kMissing;
  if (header.size() > 1024) return SignatureCheck::kMalformed;
  bool have_t = false;
  std::int64_t t = 0;
  std::vector<std::string_view> candidates;
  while (!header.empty()) {
    const auto comma = header.find(',');
    const auto part = trim(header.substr(0, comma));
    header = comma == std::string_view::npos ? std::string_view() : header.substr(comma + 1);
    const auto eq = part.find('=');
    if (eq == std::string_view::npos) return SignatureCheck::kMalformed;
    const auto key = part.substr(0, eq);
    const auto value = part.substr(eq + 1);
    if (key == "t") {
      const auto* end = value.data() + value.size();
      auto [p, ec] = std::from_chars(value.data(), end, t);
      if (ec != std::errc() || p != end || have_t) return SignatureCheck::kMalformed;
      have_t = true;
    } else if (key == "v1") {
      candidates.push_back(value);
    } // other schemes are ignored, so a sender can add a future one alongside v1
  }
  if (!have_t || candidates.empty()) return SignatureCheck::kMalformed;
  if (t < now_s - tolerance_s || t > now_s + tolerance_s) return SignatureCheck::kExpired;
  const std::string expected = sign_body(secret, t, body);
  bool match = false;
  for (const auto& c : candidates)
    if (c.size() == expected.size() && CRYPTO_memcmp(c.data(), expected.data(), expected.size()) == 0) match = true;
  return match ? SignatureCheck::kOk : SignatureCheck::kMismatch;
}

} // namespace appconnect::ingest
