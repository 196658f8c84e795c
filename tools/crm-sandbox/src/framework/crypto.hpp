// The few primitives OAuth emulation needs: Salesforce signs token responses with HMAC-SHA256,
// PKCE compares base64url(SHA-256(verifier)), and clients may authenticate with HTTP Basic.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace appconnect::crm_sandbox {

std::string sha256(std::string_view data);                            // raw 32 bytes
std::string hmac_sha256(std::string_view key, std::string_view data); // raw 32 bytes
// Standard alphabet with padding, or base64url without padding (RFC 7636 PKCE).
std::string base64_encode(std::string_view bytes, bool url_safe = false);
// Accepts both alphabets, padding optional; nullopt on invalid input.
std::optional<std::string> base64_decode(std::string_view text);

} // namespace appconnect::crm_sandbox
