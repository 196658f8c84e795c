// OAuth against the Salesforce emulator: the grants, their error bodies, the 401 shape and token
// expiry (forced and by lifetime).
#include "salesforce_fixture.hpp"

#include "support/http_client.hpp"

#include <Poco/Base64Encoder.h>
#include <Poco/HMACEngine.h>
#include <Poco/SHA2Engine.h>

#include <regex>
#include <sstream>
#include <thread>

namespace appconnect::testing {
namespace {

constexpr const char* kClient = "appconnect-demo";
constexpr const char* kSecret = "demo-secret";

class Sha256 : public Poco::SHA2Engine {
 public:
  enum { BLOCK_SIZE = 64, DIGEST_SIZE = 32 };
  Sha256() : Poco::SHA2Engine(SHA_256) {}
};

std::string base64(const std::vector<unsigned char>& bytes, bool url = false) {
  std::ostringstream out;
  Poco::Base64Encoder enc(out, url ? Poco::BASE64_URL_ENCODING | Poco::BASE64_NO_PADDING : 0);
  enc.rdbuf()->setLineLength(0);
  enc.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  enc.close();
  return out.str();
}

std::string hmac_sha256_base64(const std::string& key, const std::string& data) {
  Poco::HMACEngine<Sha256> h(key);
  h.update(data);
  return base64(h.digest());
}

std::string query_param(const std::string& url, const std::string& name) {
  std::smatch m;
  if (!std::regex_search(url, m, std::regex("[?&]" + name + "=([^&]*)"))) return {};
  return m[1].str();
}

class SalesforceOAuth : public SalesforceSandboxTest {
 protected:
  HttpResult token(const std::vector<std::pair<std::string, std::string>>& fields) const {
    return sandbox().request("POST", "/services/oauth2/token", form(fields),
                             {{"Content-Type", "application/x-www-form-urlencoded"}});
  }
  HttpResult refresh(const std::string& refresh_token = "demo-refresh-token") const {
    return token({{"grant_type", "refresh_token"},
                  {"client_id", kClient},
                  {"client_secret", kSecret},
                  {"refresh_token", refresh_token}});
  }
  HttpResult authorize(const std::string& redirect, const std::string& extra = {}) const {
    return sandbox().request("GET", "/services/oauth2/authorize?response_type=code&client_id=" + std::string(kClient) +
                                        "&redirect_uri=" + url_encode(redirect) + "&state=xyz" + extra);
  }
  static void expect_oauth_error(const HttpResult& r, const std::string& error, const std::string& description) {
    EXPECT_EQ(r.status, 400) << r.body;
    EXPECT_EQ(r.json(), boost::json::value({{"error", error}, {"error_description", description}})) << r.body;
  }
  HttpResult with_token(const std::string& access_token) const {
    return sandbox().request("GET", std::string(kApi) + "/limits", {}, {{"Authorization", "Bearer " + access_token}});
  }
};

TEST_F(SalesforceOAuth, RefreshGrantReturnsSignedTokenWithoutNewRefreshToken) {
  auto r = refresh();
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.header("Content-Type").find("application/json"), std::string::npos);
  auto body = r.json().as_object();
  for (const char* key : {"access_token", "instance_url", "id", "token_type", "issued_at", "signature", "scope"})
    ASSERT_TRUE(body.contains(key) && body.at(key).is_string()) << key << " in " << r.body;
  EXPECT_FALSE(body.contains("refresh_token")) << "no rotation by default";
  EXPECT_EQ(body.at("token_type").as_string(), "Bearer");
  EXPECT_EQ(body.at("instance_url").as_string(), sandbox().base_url());
  const std::string id(body.at("id").as_string());
  EXPECT_TRUE(std::regex_match(id, std::regex(sandbox().base_url() + "/id/00D[A-Za-z0-9]{15}/005[A-Za-z0-9]{15}")))
      << id;
  const std::string issued_at(body.at("issued_at").as_string());
  EXPECT_TRUE(std::regex_match(issued_at, std::regex("[0-9]{13}"))) << issued_at;
  EXPECT_EQ(body.at("signature").as_string(), hmac_sha256_base64(kSecret, id + issued_at));

  EXPECT_EQ(with_token(std::string(body.at("access_token").as_string())).status, 200);
}

TEST_F(SalesforceOAuth, RefreshTokenRotationKnobIssuesNewTokenAndRetiresOldOne) {
  sandbox().configure({{"refresh_token_rotation", true}});
  auto r = refresh();
  ASSERT_EQ(r.status, 200) << r.body;
  const std::string rotated(r.json().at("refresh_token").as_string());
  EXPECT_NE(rotated, "demo-refresh-token");
  expect_oauth_error(refresh(), "invalid_grant", "expired access/refresh token");
  EXPECT_EQ(refresh(rotated).status, 200);
}

TEST_F(SalesforceOAuth, AuthorizationCodeFlowAutoConsentsAndIssuesRefreshToken) {
  // Any loopback port is accepted as a redirect: test harnesses listen wherever they can.
  const std::string redirect = "http://127.0.0.1:45678/oauth/callback";
  auto a = authorize(redirect);
  ASSERT_EQ(a.status, 302) << a.body;
  const std::string location = a.header("Location");
  EXPECT_EQ(location.rfind(redirect + "?code=", 0), 0u) << location;
  EXPECT_EQ(query_param(location, "state"), "xyz");
  const std::string code = query_param(location, "code");
  ASSERT_FALSE(code.empty());

  auto exchange = [&] {
    return token({{"grant_type", "authorization_code"},
                  {"code", code},
                  {"client_id", kClient},
                  {"client_secret", kSecret},
                  {"redirect_uri", redirect}});
  };
  auto t = exchange();
  ASSERT_EQ(t.status, 200) << t.body;
  auto body = t.json().as_object();
  EXPECT_TRUE(body.contains("refresh_token"));
  EXPECT_EQ(body.at("scope").as_string(), "api refresh_token");
  EXPECT_EQ(with_token(std::string(body.at("access_token").as_string())).status, 200);
  // The new refresh token works; the code is single use.
  EXPECT_EQ(refresh(std::string(body.at("refresh_token").as_string())).status, 200);
  expect_oauth_error(exchange(), "invalid_grant", "invalid authorization code");
}

TEST_F(SalesforceOAuth, AuthorizeRefusesUnknownClientAndForeignRedirect) {
  auto unknown = sandbox().request("GET", "/services/oauth2/authorize?response_type=code&client_id=nope&redirect_uri=" +
                                              url_encode("http://127.0.0.1/oauth/callback"));
  expect_oauth_error(unknown, "invalid_client_id", "client identifier invalid");
  expect_oauth_error(authorize("https://evil.example/callback"), "redirect_uri_mismatch",
                     "redirect_uri must match configuration");
  // response_type problems go back to the (valid) redirect URI.
  auto bad_type =
      sandbox().request("GET", "/services/oauth2/authorize?response_type=token&client_id=" + std::string(kClient) +
                                   "&redirect_uri=" + url_encode("http://127.0.0.1/oauth/callback") + "&state=s1");
  ASSERT_EQ(bad_type.status, 302);
  EXPECT_EQ(query_param(bad_type.header("Location"), "error"), "unsupported_response_type");
  EXPECT_EQ(query_param(bad_type.header("Location"), "state"), "s1");
}

TEST_F(SalesforceOAuth, CodeExchangeChecksRedirectUriAndPkceVerifier) {
  const std::string redirect = "http://127.0.0.1/oauth/callback";
  const std::string verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
  Sha256 sha;
  sha.update(verifier);
  const std::string challenge = base64(sha.digest(), true);

  auto code_for = [&](const std::string& extra) {
    auto a = authorize(redirect, extra);
    EXPECT_EQ(a.status, 302);
    return query_param(a.header("Location"), "code");
  };
  auto exchange = [&](const std::string& code, const std::string& redirect_uri, const std::string& code_verifier) {
    std::vector<std::pair<std::string, std::string>> f{{"grant_type", "authorization_code"},
                                                       {"code", code},
                                                       {"client_id", kClient},
                                                       {"client_secret", kSecret},
                                                       {"redirect_uri", redirect_uri}};
    if (!code_verifier.empty()) f.emplace_back("code_verifier", code_verifier);
    return token(f);
  };
  expect_oauth_error(exchange(code_for(""), "http://127.0.0.1/other", ""), "invalid_grant",
                     "redirect_uri must match configuration");
  const std::string pkce = "&code_challenge=" + challenge + "&code_challenge_method=S256";
  expect_oauth_error(exchange(code_for(pkce), redirect, "wrong-verifier"), "invalid_grant", "invalid code verifier");
  auto ok = exchange(code_for(pkce), redirect, verifier);
  EXPECT_EQ(ok.status, 200) << ok.body;
}

TEST_F(SalesforceOAuth, TokenEndpointErrorsUseOAuthShape) {
  expect_oauth_error(token({{"client_id", kClient}}), "invalid_request", "grant type is missing");
  expect_oauth_error(token({{"grant_type", "password"}, {"client_id", kClient}}), "unsupported_grant_type",
                     "grant type not supported");
  expect_oauth_error(
      token({{"grant_type", "refresh_token"}, {"client_id", "nope"}, {"refresh_token", "demo-refresh-token"}}),
      "invalid_client_id", "client identifier invalid");
  expect_oauth_error(token({{"grant_type", "refresh_token"},
                            {"client_id", kClient},
                            {"client_secret", "wrong"},
                            {"refresh_token", "demo-refresh-token"}}),
                     "invalid_client", "invalid client credentials");
  expect_oauth_error(refresh("not-a-token"), "invalid_grant", "expired access/refresh token");
}

TEST_F(SalesforceOAuth, ClientCredentialsRunsAsRunAsUserWithoutRefreshToken) {
  auto r = token({{"grant_type", "client_credentials"}, {"client_id", kClient}, {"client_secret", kSecret}});
  ASSERT_EQ(r.status, 200) << r.body;
  auto body = r.json().as_object();
  EXPECT_FALSE(body.contains("refresh_token"));
  EXPECT_EQ(body.at("api_instance_url").as_string(), sandbox().base_url());
  // HTTP Basic client authentication works too.
  const std::string basic = base64({'a', 'p', 'p', 'c', 'o', 'n', 'n', 'e', 'c', 't', '-', 'd', 'e', 'm',
                                    'o', ':', 'd', 'e', 'm', 'o', '-', 's', 'e', 'c', 'r', 'e', 't'});
  auto b =
      sandbox().request("POST", "/services/oauth2/token", "grant_type=client_credentials",
                        {{"Content-Type", "application/x-www-form-urlencoded"}, {"Authorization", "Basic " + basic}});
  EXPECT_EQ(b.status, 200) << b.body;
}

TEST_F(SalesforceOAuth, MissingOrUnknownBearerGets401SessionArray) {
  const boost::json::value expected =
      boost::json::parse(R"([{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}])");
  auto none = sandbox().request("GET", std::string(kApi) + "/limits");
  EXPECT_EQ(none.status, 401);
  EXPECT_EQ(none.json(), expected);
  auto unknown = with_token("00Dxx0000000001!bogus");
  EXPECT_EQ(unknown.status, 401);
  EXPECT_EQ(unknown.json(), expected);
  // The older "OAuth <token>" scheme is accepted.
  auto oauth = sandbox().request("GET", std::string(kApi) + "/limits", {}, {{"Authorization", "OAuth " + token_}});
  EXPECT_EQ(oauth.status, 200);
}

TEST_F(SalesforceOAuth, ExpireTokensInvalidatesAccessTokensButNotRefreshTokens) {
  auto r = refresh();
  ASSERT_EQ(r.status, 200);
  const std::string access(r.json().at("access_token").as_string());
  ASSERT_EQ(with_token(access).status, 200);
  sandbox().expire_tokens();
  EXPECT_EQ(with_token(access).status, 401);
  auto again = refresh();
  ASSERT_EQ(again.status, 200);
  EXPECT_EQ(with_token(std::string(again.json().at("access_token").as_string())).status, 200);
}

TEST_F(SalesforceOAuth, TokenLifetimeKnobExpiresTokensInPlace) {
  sandbox().configure({{"token_lifetime_s", 0.3}});
  auto r = refresh();
  ASSERT_EQ(r.status, 200);
  const std::string access(r.json().at("access_token").as_string());
  EXPECT_EQ(with_token(access).status, 200);
  std::this_thread::sleep_for(std::chrono::milliseconds(450));
  EXPECT_EQ(with_token(access).status, 401);
}

TEST_F(SalesforceOAuth, IdentityUrlDescribesTheUser) {
  auto r = refresh();
  ASSERT_EQ(r.status, 200);
  const auto body = r.json();
  const std::string id(body.at("id").as_string());
  const std::string access(body.at("access_token").as_string());
  auto who = http("GET", id, {}, {{"Authorization", "Bearer " + access}});
  ASSERT_EQ(who.status, 200) << who.body;
  EXPECT_EQ(who.json().at("username").as_string(), "maria.garcia@acme-demo.example");
  EXPECT_EQ(who.json().at("email").as_string(), "maria.garcia@acme-demo.example");
  EXPECT_EQ(http("GET", id).status, 403);
}

TEST_F(SalesforceOAuth, RevokedRefreshTokenStopsWorking) {
  auto r = sandbox().request("POST", "/services/oauth2/revoke", "token=demo-refresh-token",
                             {{"Content-Type", "application/x-www-form-urlencoded"}});
  EXPECT_EQ(r.status, 200);
  expect_oauth_error(refresh(), "invalid_grant", "expired access/refresh token");
}

} // namespace
} // namespace appconnect::testing
