// Small cryptographic building blocks over OpenSSL's libcrypto: SHA-256, base64, random bytes.
// Kept apart from the secret box so the audit chain can hash without knowing about keys.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace appconnect::security {

// SHA-256 of `data`, as 64 lower-case hex digits.
std::string sha256_hex(std::string_view data);

// Standard base64 (RFC 4648, with padding), no line breaks.
std::string base64_encode(std::string_view bytes);
// Strict decoding: nullopt on characters outside the alphabet or a length that is not a multiple of 4.
// Surrounding whitespace (a trailing newline in a key file) is ignored.
std::optional<std::string> base64_decode(std::string_view text);

// `n` bytes from the operating system's CSPRNG (OpenSSL RAND_bytes). Throws std::runtime_error if the
// generator fails, which only happens when the system has no entropy source at all.
std::string random_bytes(std::size_t n);

} // namespace appconnect::security
