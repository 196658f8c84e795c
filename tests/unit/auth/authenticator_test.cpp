// The guard's decisions without a database: bearer parsing, the bootstrap operator token, role order,
// tenant scoping, and that a handler's bad input becomes a JSON 422 instead of an exception.
#include "auth/authenticator.hpp"

#include <appconnect/json_fields.hpp>

#include <boost/json.hpp>

#include <gtest/gtest.h>

namespace appconnect::auth {
namespace {

http::Request with_auth(const std::string& header) {
  http::Request r;
  r.method = "GET";
  r.path = "/v1/admin/whoami";
  if (!header.empty()) r.headers["authorization"] = header;
  return r;
}

TEST(Authenticator, TheBootstrapTokenIsAnOperatorAndNothingElseIs) {
  auto auth = std::make_shared<const Authenticator>("boot-secret", nullptr);
  auto op = auth->authenticate(with_auth("Bearer boot-secret"));
  ASSERT_TRUE(op);
  EXPECT_EQ(op.value().role, Role::kOperator);
  EXPECT_EQ(op.value().actor(), "operator:admin_token#bootstrap");
  for (const char* bad :
       {"", "Bearer ", "Bearer boot-secreT", "Basic boot-secret", "bearer boot-secret", "Bearer act_unknown"}) {
    auto r = auth->authenticate(with_auth(bad));
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, kUnauthorized);
  }
  // No bootstrap token configured: an empty bearer never matches it.
  auto none = std::make_shared<const Authenticator>("", nullptr);
  EXPECT_FALSE(none->authenticate(with_auth("Bearer ")));
}

TEST(Authenticator, RolesAreOrderedAndTenantsScoped) {
  EXPECT_TRUE(reaches(Role::kOperator, Role::kAdmin));
  EXPECT_TRUE(reaches(Role::kAdmin, Role::kRep));
  EXPECT_FALSE(reaches(Role::kRep, Role::kAdmin));
  EXPECT_FALSE(reaches(Role::kAdmin, Role::kOperator));
  const Principal admin{Role::kAdmin, "acme", "", "tok_1", "a"};
  EXPECT_EQ(tenant_scope(admin, "").value(), "acme");
  EXPECT_EQ(tenant_scope(admin, "acme").value(), "acme");
  EXPECT_EQ(tenant_scope(admin, "globex").error().code, "not_found");
  const Principal op{Role::kOperator, "", "", "bootstrap", "admin_token"};
  EXPECT_EQ(tenant_scope(op, "").value(), "default");
  EXPECT_EQ(tenant_scope(op, "globex").value(), "globex");
}

TEST(Guard, AnswersEveryRefusalAsJson) {
  auto auth = std::make_shared<const Authenticator>("boot", nullptr);
  auto handler = guard(auth, Role::kOperator, [](const http::Request&, const Principal&) -> http::Response {
    throw sdk::json_fields::FieldError("'x' must be a number");
  });
  auto unauthenticated = handler(with_auth(""));
  EXPECT_EQ(unauthenticated.status, 401);
  EXPECT_EQ(boost::json::parse(unauthenticated.body).at("error").at("code"), "unauthorized");
  auto bad_input = handler(with_auth("Bearer boot"));
  EXPECT_EQ(bad_input.status, 422);
  EXPECT_EQ(boost::json::parse(bad_input.body).at("error").at("code"), "validation");
  auto crash = guard(auth, Role::kRep, [](const http::Request&, const Principal&) -> http::Response {
    throw std::runtime_error("boom");
  })(with_auth("Bearer boot"));
  EXPECT_EQ(crash.status, 500);
  EXPECT_EQ(boost::json::parse(crash.body).at("error").at("code"), "internal");
}

} // namespace
} // namespace appconnect::auth
