// HMAC signatures of native event bodies (POST /v1/events; docs/events.md "Signed requests").
//
//   X-AppConnect-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">
//
// The timestamp is part of the signed text, so a captured request cannot be replayed with a fresh one,
// and it must be within the tolerance of the host's clock. Several v1= values may be present (a sender
// rotating secrets signs with both); one match is enough.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace appconnect::ingest {

inline constexpr const char* kSignatureHeader = "x-appconnect-signature";
inline constexpr std::int64_t kSignatureToleranceS = 300;

enum class SignatureCheck { kOk, kMissing, kMalformed, kExpired, kMismatch };

// Lower-case hex HMAC-SHA256 of "<t>.<body>" with `secret`.
std::string sign_body(std::string_view secret, std::int64_t t, std::string_view body);

// Checks `header` (the raw header value) against `body`. Comparison is constant-time in the digest.
SignatureCheck verify_signature(std::string_view header, std::string_view body, std::string_view secret,
                                std::int64_t now_s, std::int64_t tolerance_s = kSignatureToleranceS);

// The value of a whole X-AppConnect-Signature header for `body` at `t` (for senders, tests, the docs).
std::string signature_header(std::string_view secret, std::int64_t t, std::string_view body);

} // namespace appconnect::ingest
