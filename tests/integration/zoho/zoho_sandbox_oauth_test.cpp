// The Zoho sandbox's accounts server on the wire: the authorize redirect, the token grants and their answers,
// errors as HTTP 200 {"error": ...}, refresh tokens only for offline access, revocation, and how an access
// token stops working.
#include "zoho_fixture.hpp"

#include <gmock/gmock.h>

#include <thread>

namespace appconnect::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

class ZohoOAuth : public ZohoSandboxTest {
 protected:
  HttpResult token(const std::vector<std::pair<std::string, std::string>>& fields) const {
    return sandbox().request("POST", "/oauth/v2/token", form(fields),
                             {{"Content-Type", "application/x-www-form-urlencoded"}});
  }
  HttpResult refresh(const std::string& refresh_token = kZohoRefresh, const std::string& secret = kZohoSecret) const {
    return token({{"grant_type", "refresh_token"},
                  {"client_id", kZohoClient},
                  {"client_secret", secret},
                  {"refresh_token", refresh_token}});
  }
  HttpResult authorize(const std::string& redirect, const std::string& extra = {}) const {
    return sandbox().request(
        "GET", "/oauth/v2/auth?scope=ZohoCRM.modules.ALL%2CZohoCRM.users.READ&client_id=" + std::string(kZohoClient) +
                   "&response_type=code&redirect_uri=" + url_encode(redirect) + "&state=xyz" + extra);
  }
  // A fresh grant token from the auto-consenting authorize endpoint.
  std::string code_for(const std::string& redirect, const std::string& extra) const {
    auto r = authorize(redirect, extra);
    EXPECT_EQ(r.status, 302) << r.body;
    return url_param(r.header("Location"), "code");
  }
  HttpResult exchange(const std::string& code, const std::string& redirect) const {
    return token({{"grant_type", "authorization_code"},
                  {"client_id", kZohoClient},
                  {"client_secret", kZohoSecret},
                  {"redirect_uri", redirect},
                  {"code", code}});
  }
  static void expect_error(const HttpResult& r, const std::string& error) {
    EXPECT_EQ(r.status, 200) << "Zoho answers token errors with HTTP 200: " << r.body;
    EXPECT_EQ(r.json(), boost::json::value({{"error", error}})) << r.body;
  }
  HttpResult with_token(const std::string& access_token) const {
    return sandbox().request("GET", "/crm/v2/users?type=CurrentUser", {},
                             {{"Authorization", "Zoho-oauthtoken " + access_token}});
  }
};

TEST_F(ZohoOAuth, RefreshAnswersTokenAndApiDomainWithoutNewRefreshToken) {
  auto r = refresh();
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_THAT(r.header("Content-Type"), StartsWith("application/json"));
  const auto body = r.json().as_object();
  EXPECT_THAT(str_of(body, "access_token"), StartsWith("1000."));
  EXPECT_EQ(str_of(body, "api_domain"), sandbox().base_url());
  EXPECT_EQ(str_of(body, "token_type"), "Bearer");
  EXPECT_EQ(body.at("expires_in"), 3600);
  EXPECT_FALSE(body.contains("refresh_token"));
  EXPECT_EQ(with_token(str_of(body, "access_token")).status, 200);
}

TEST_F(ZohoOAuth, ExpiresInFollowsTheTokenLifetimeKnob) {
  sandbox().configure({{"token_lifetime_s", 120}});
  auto r = refresh();
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.json().at("expires_in"), 120);
}

TEST_F(ZohoOAuth, TokenErrorsComeWithHttp200) {
  expect_error(refresh("1000.not.a-token"), "invalid_code");
  expect_error(refresh(kZohoRefresh, "wrong-secret"), "invalid_client_secret");
  expect_error(token({{"grant_type", "refresh_token"}, {"client_id", "1000.NOPE"}, {"refresh_token", kZohoRefresh}}),
               "invalid_client");
  expect_error(token({{"grant_type", "password"}, {"client_id", kZohoClient}}), "unsupported_grant_type");
}

TEST_F(ZohoOAuth, FieldsMayComeAsQueryParameters) {
  // Zoho's own examples put the grant in the query string of the POST.
  auto r = sandbox().request("POST", "/oauth/v2/token?grant_type=refresh_token&client_id=" + std::string(kZohoClient) +
                                         "&client_secret=" + kZohoSecret + "&refresh_token=" + kZohoRefresh);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(r.json().as_object().contains("access_token"));
}

TEST_F(ZohoOAuth, AuthorizeRedirectsWithCodeLocationAndAccountsServer) {
  auto r = authorize("http://127.0.0.1:8080/cb", "&access_type=offline&prompt=consent");
  ASSERT_EQ(r.status, 302) << r.body;
  const std::string location = r.header("Location");
  EXPECT_THAT(location, StartsWith("http://127.0.0.1:8080/cb?state=xyz&code=1000."));
  EXPECT_EQ(url_param(location, "location"), "us");
  EXPECT_EQ(url_param(location, "accounts-server"), url_encode(sandbox().base_url()));
}

TEST_F(ZohoOAuth, AuthorizeRefusesUnknownClientsAndRedirects) {
  auto unknown = sandbox().request("GET",
                                   "/oauth/v2/auth?scope=ZohoCRM.modules.ALL&client_id=1000.NOPE"
                                   "&response_type=code&redirect_uri=http%3A%2F%2F127.0.0.1%2Fcb");
  EXPECT_EQ(unknown.status, 400);
  EXPECT_EQ(str_of(unknown.json(), "error"), "invalid_client");
  auto elsewhere = authorize("https://evil.example/cb");
  EXPECT_EQ(elsewhere.status, 400);
  EXPECT_EQ(str_of(elsewhere.json(), "error"), "invalid_redirect_uri");
  auto no_scope = sandbox().request("GET", "/oauth/v2/auth?client_id=" + std::string(kZohoClient) +
                                               "&response_type=code&redirect_uri=http%3A%2F%2F127.0.0.1%2Fcb&state=s");
  ASSERT_EQ(no_scope.status, 302);
  EXPECT_EQ(url_param(no_scope.header("Location"), "error"), "invalid_scope");
}

TEST_F(ZohoOAuth, CodeExchangeWithConsentGivesARefreshToken) {
  const std::string redirect = "http://127.0.0.1/oauth/callback";
  const std::string code = code_for(redirect, "&access_type=offline&prompt=consent");
  auto r = exchange(code, redirect);
  ASSERT_EQ(r.status, 200) << r.body;
  const auto body = r.json().as_object();
  EXPECT_THAT(str_of(body, "refresh_token"), StartsWith("1000."));
  EXPECT_EQ(str_of(body, "api_domain"), sandbox().base_url());
  EXPECT_EQ(body.at("expires_in"), 3600);
  // The new refresh token works, and the grant token was single use.
  EXPECT_EQ(refresh(str_of(body, "refresh_token")).status, 200);
  EXPECT_TRUE(refresh(str_of(body, "refresh_token")).json().as_object().contains("access_token"));
  expect_error(exchange(code, redirect), "invalid_code");
}

TEST_F(ZohoOAuth, OfflineWithoutConsentGivesARefreshTokenOnlyTheFirstTime) {
  const std::string redirect = "http://127.0.0.1/oauth/callback";
  // The seed's demo-refresh-token already belongs to this user and client: no second one without consent.
  auto again = exchange(code_for(redirect, "&access_type=offline"), redirect);
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_FALSE(again.json().as_object().contains("refresh_token"));
  // Online access never gets one.
  auto online = exchange(code_for(redirect, "&prompt=consent"), redirect);
  ASSERT_EQ(online.status, 200);
  EXPECT_FALSE(online.json().as_object().contains("refresh_token"));
  EXPECT_TRUE(online.json().as_object().contains("access_token"));
}

TEST_F(ZohoOAuth, CodeExchangeChecksTheRedirect) {
  const std::string code = code_for("http://127.0.0.1/oauth/callback", "&access_type=offline");
  expect_error(exchange(code, "http://127.0.0.1/other"), "invalid_redirect_uri");
}

TEST_F(ZohoOAuth, RevokedRefreshTokenIsInvalidCode) {
  auto r = sandbox().request("POST", "/oauth/v2/token/revoke?token=" + std::string(kZohoRefresh));
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(str_of(r.json(), "status"), "success");
  expect_error(refresh(), "invalid_code");
}

TEST_F(ZohoOAuth, ExpiredAndUnknownTokensAre401InvalidToken) {
  const std::string fresh = str_of(refresh().json(), "access_token");
  ASSERT_EQ(with_token(fresh).status, 200);
  sandbox().expire_tokens();
  auto r = with_token(fresh);
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.json(), boost::json::value({{"code", "INVALID_TOKEN"},
                                          {"details", boost::json::object{}},
                                          {"message", "invalid oauth token"},
                                          {"status", "error"}}));
  // Refresh tokens survive the expiry.
  EXPECT_EQ(with_token(str_of(refresh().json(), "access_token")).status, 200);
}

TEST_F(ZohoOAuth, TokensExpireWithTheirLifetime) {
  sandbox().configure({{"token_lifetime_s", 0.3}});
  const std::string fresh = str_of(refresh().json(), "access_token");
  EXPECT_EQ(with_token(fresh).status, 200);
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  EXPECT_EQ(with_token(fresh).status, 401);
}

TEST_F(ZohoOAuth, TokenEndpointFaultsSpeakOAuth) {
  sandbox().configure({{"fail_next", {{{"status", 429}, {"path_prefix", "/oauth/"}, {"retry_after_s", 3}}}}});
  auto r = refresh();
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(r.header("Retry-After"), "3");
  EXPECT_THAT(str_of(r.json(), "error_description"), HasSubstr("too many requests"));
}

} // namespace
} // namespace appconnect::testing
