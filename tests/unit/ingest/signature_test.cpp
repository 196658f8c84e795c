#include "ingest/signature.hpp"

#include <gtest/gtest.h>

namespace appconnect::ingest {
namespace {

TEST(Signature, KnownVector) {
  // HMAC-SHA256("secret", "1700000000.{}"), computed independently with
  // `printf '1700000000.{}' | openssl dgst -sha256 -hmac secret`.
  EXPECT_EQ(sign_body("secret", 1700000000, "{}"), "b8569b78799ff9e3cbff0fc2d63a33a2b57f3282abd07c37ae5e8e7d79a5f163");
}

TEST(Signature, AcceptsAFreshMatchingSignatureOnly) {
  const std::string body = R"({"id":"e-1"})";
  const std::int64_t now = 1700000000;
  EXPECT_EQ(verify_signature(signature_header("s3cret", now, body), body, "s3cret", now), SignatureCheck::kOk);
  EXPECT_EQ(verify_signature(signature_header("s3cret", now - 300, body), body, "s3cret", now), SignatureCheck::kOk);
  EXPECT_EQ(verify_signature(signature_header("s3cret", now - 301, body), body, "s3cret", now),
            SignatureCheck::kExpired);
  EXPECT_EQ(verify_signature(signature_header("s3cret", now + 301, body), body, "s3cret", now),
            SignatureCheck::kExpired);
  EXPECT_EQ(verify_signature(signature_header("other", now, body), body, "s3cret", now), SignatureCheck::kMismatch);
  EXPECT_EQ(verify_signature(signature_header("s3cret", now, body), body + " ", "s3cret", now),
            SignatureCheck::kMismatch);
  // The timestamp is signed: moving it invalidates the digest.
  const std::string digest = sign_body("s3cret", now, body);
  EXPECT_EQ(verify_signature("t=" + std::to_string(now + 1) + ",v1=" + digest, body, "s3cret", now),
            SignatureCheck::kMismatch);
  // Spaces around parts, an unknown scheme and a second v1 value are fine.
  EXPECT_EQ(verify_signature(" t=" + std::to_string(now) + " , v0=zz, v1=00, v1=" + digest, body, "s3cret", now),
            SignatureCheck::kOk);
}

TEST(Signature, MalformedHeaders) {
  const std::int64_t now = 1700000000;
  EXPECT_EQ(verify_signature("", "{}", "s", now), SignatureCheck::kMissing);
  for (const char* h : {"garbage", "t=abc,v1=00", "t=1700000000", "v1=00", "t=1,t=2,v1=00", "t=17e8,v1=00",
                        "t=99999999999999999999999,v1=00"})
    EXPECT_EQ(verify_signature(h, "{}", "s", now), SignatureCheck::kMalformed) << h;
  EXPECT_EQ(verify_signature(std::string(2000, 'x'), "{}", "s", now), SignatureCheck::kMalformed);
}

} // namespace
} // namespace appconnect::ingest
