// A host against a CRM that goes away, throttles, or revokes the host's authorization: events are
// accepted and wait on disk, the host stops hammering the CRM (circuit breaker, Retry-After), nothing
// is failed or dropped, and everything is logged once the CRM is usable again.
#include "support/pg_cluster.hpp"
#include "support/testing.hpp"

#include <appconnect/time.hpp>

#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

namespace appconnect::testing {
namespace {
using namespace std::chrono_literals;

// Short delays so the tests run in seconds; the mechanisms are the production ones.
boost::json::object host_config(const std::string& sandbox_url, const std::string& refresh_token = {}) {
  auto connection = salesforce_connection("sf", "default", sandbox_url);
  if (!refresh_token.empty()) connection["credentials"].as_object()["refresh_token"] = refresh_token;
  return boost::json::object{
      {"workers", 4},
      {"jobs", boost::json::object{{"lease_ms", 5000},
                                   {"retry_base_delay_ms", 100},
                                   {"retry_max_delay_ms", 1000},
                                   {"max_attempts", 6},
                                   {"breaker_failures", 3},
                                   {"breaker_cooldown_ms", 1000}}},
      {"tenants", boost::json::array{boost::json::object{{"id", "default"}, {"name", "Resilience"}}}},
      {"connections", boost::json::array{std::move(connection)}}};
}

// A seeded demo contact's number: every event matches it, each event is its own call.
constexpr const char* kPhone = "+1 (617) 555-0171";

int tasks_with(const SandboxProcess& sandbox, const std::string& call_object) {
  int n = 0;
  for (const auto& t : sandbox.records("Task"))
    if (str(t, "CallObject") == call_object) ++n;
  return n;
}

std::string posted_key(const HostProcess& host, const std::string& id, const std::string& session) {
  auto r = host.post_event(call_event(id, session, kPhone));
  EXPECT_EQ(r.status, 202) << r.body;
  return r.status == 202 ? str(r.json(), "conversation_key") : std::string();
}

std::string job_state(const HostProcess& host, const std::string& id) {
  auto r = http("GET", host.base_url() + "/v1/events/" + id);
  if (r.status != 200) return "?";
  return str(r.json().at("jobs").at(0), "state");
}

TEST(Resilience, EventsWaitOutACrmOutageAndAreAllLoggedAfterRecovery) {
  auto sandbox = std::make_unique<SandboxProcess>(SandboxOptions{});
  const int port = sandbox->port();
  HostProcess host(host_config(sandbox->base_url()));
  // Warm up: the host has a token and knows the org.
  ASSERT_FALSE(posted_key(host, "warm", "warm").empty());
  ASSERT_EQ(str(host.wait_settled("warm").at("jobs").at(0), "state"), "done");

  sandbox->stop();
  std::vector<std::pair<std::string, std::string>> events; // id, conversation key
  for (int i = 0; i < 12; ++i) {
    const std::string id = "down-" + std::to_string(i);
    events.emplace_back(id, posted_key(host, id, "down-session-" + std::to_string(i)));
  }
  // While the CRM is down the circuit opens; the jobs wait (not failed) without using up attempts.
  bool open_seen = false;
  for (int i = 0; i < 40 && !open_seen; ++i) {
    std::this_thread::sleep_for(100ms);
    auto health = http("GET", host.base_url() + "/healthz").json();
    const auto* c = health.as_object().if_contains("connections");
    open_seen = c != nullptr && c->as_object().contains("sf") && str(c->at("sf"), "circuit") != "closed";
  }
  EXPECT_TRUE(open_seen) << "the circuit of 'sf' never opened";
  std::this_thread::sleep_for(4s); // several cool-downs: a budget of 6 attempts would be gone without the breaker
  for (const auto& [id, key] : events) EXPECT_NE(job_state(host, id), "failed") << id;

  // The CRM comes back on the same address (a fresh org: the host must also get a new token).
  sandbox = std::make_unique<SandboxProcess>(
      SandboxOptions{"salesforce", {}, {"--listen", "127.0.0.1:" + std::to_string(port)}});
  for (const auto& [id, key] : events) {
    auto settled = host.wait_settled(id, "default", 30s);
    EXPECT_EQ(str(settled.at("jobs").at(0), "state"), "done") << boost::json::serialize(settled);
    EXPECT_EQ(tasks_with(*sandbox, key), 1) << key;
  }
}

// Milliseconds of the request log's "time".
std::int64_t at_ms(const boost::json::value& entry) {
  return sdk::time::parse_iso8601_ms(str(entry, "time")).value_or(0);
}

TEST(Resilience, AThrottledConnectionWaitsForRetryAfterBeforeCallingAgain) {
  SandboxProcess sandbox(SandboxOptions{});
  HostProcess host(host_config(sandbox.base_url()));
  ASSERT_FALSE(posted_key(host, "warm", "warm").empty());
  host.wait_settled("warm");
  sandbox.clear_requests();
  // The next API call is answered 429 with Retry-After: 2.
  sandbox.configure({{"fail_next", boost::json::array{boost::json::object{
                                       {"status", 429}, {"retry_after_s", 2}, {"path_prefix", "/services/data"}}}}});
  std::vector<std::pair<std::string, std::string>> events;
  for (int i = 0; i < 20; ++i) {
    const std::string id = "storm-" + std::to_string(i);
    events.emplace_back(id, posted_key(host, id, "storm-session-" + std::to_string(i)));
  }
  for (const auto& [id, key] : events) {
    auto settled = host.wait_settled(id, "default", 30s);
    EXPECT_EQ(str(settled.at("jobs").at(0), "state"), "done") << boost::json::serialize(settled);
    EXPECT_EQ(tasks_with(sandbox, key), 1) << key;
  }
  const auto log = sandbox.requests();
  std::int64_t throttled_at = 0;
  for (const auto& e : log)
    if (e.at("status").to_number<int>() == 429) {
      throttled_at = at_ms(e);
      break;
    }
  ASSERT_GT(throttled_at, 0) << "the sandbox never answered 429";
  // Calls already on the wire when the 429 came back may land just after it; after that, silence
  // until Retry-After has passed.
  int during = 0, after = 0;
  for (const auto& e : log) {
    const auto t = at_ms(e);
    if (t > throttled_at + 250 && t < throttled_at + 1900) ++during;
    if (t >= throttled_at + 1900) ++after;
  }
  EXPECT_EQ(during, 0) << "CRM calls during the Retry-After window: " << boost::json::serialize(log);
  EXPECT_GT(after, 0);
}

// A burst against HubSpot's limits: a rolling window of 20 requests per 2 s (described by the
// X-HubSpot-RateLimit-* headers of every answer) and 3 searches per second (whose 429s carry no headers).
// The host learns both from the CRM's answers and paces itself: each limit is tripped at most once, and
// every call is logged once.
TEST(Resilience, ABurstTripsEachHubSpotLimitAtMostOnce) {
  TempDir dir("appconnect-burst");
  std::ifstream in(source_path("tools/crm-sandbox/seeds/hubspot-demo.json"));
  std::stringstream text;
  text << in.rdbuf();
  auto seed = boost::json::parse(text.str()).as_object();
  seed["rate_limits"] =
      boost::json::object{{"oauth_ten_secondly", 20}, {"interval_ms", 2000}, {"search_per_second", 3}};
  const auto seed_path = dir.file("hubspot-seed.json").string();
  std::ofstream(seed_path) << boost::json::serialize(seed);
  SandboxOptions options;
  options.crm = "hubspot";
  options.seed = seed_path;
  SandboxProcess sandbox(options);
  const std::string url = sandbox.base_url();
  boost::json::object connection{
      {"id", "hs"},
      {"tenant", "default"},
      {"connector", "hubspot"},
      {"settings", boost::json::object{{"api_base_url", url}, {"oauth_base_url", url}, {"app_base_url", url}}},
      {"credentials", boost::json::object{{"client_id", "appconnect-demo"},
                                          {"client_secret", "demo-secret"},
                                          {"refresh_token", "demo-refresh-token"}}}};
  auto config = host_config(url);
  config["connections"] = boost::json::array{connection};
  HostProcess host(config);
  constexpr int kCalls = 30;
  for (int i = 0; i < kCalls; ++i) {
    auto r = host.post_event(call_event("burst-" + std::to_string(i), "burst-" + std::to_string(i), "+14155550148"));
    ASSERT_EQ(r.status, 202) << r.body;
  }
  for (int i = 0; i < kCalls; ++i) {
    auto settled = host.wait_settled("burst-" + std::to_string(i), "default", 60s);
    EXPECT_EQ(str(settled.at("jobs").at(0), "state"), "done") << boost::json::serialize(settled);
  }
  // A trip is a 429 more than half a second after the previous one of its limit: requests already on the
  // wire when the first refusal comes back are refused together.
  int search_429 = 0, window_429 = 0, calls_created = 0;
  std::int64_t last_search_429 = 0, last_window_429 = 0;
  for (const auto& e : sandbox.requests()) {
    const std::string path = str(e, "path");
    if (e.at("status").to_number<int>() == 429) {
      const bool search = path.find("/search") != std::string::npos;
      auto& last = search ? last_search_429 : last_window_429;
      if (at_ms(e) - last > 500) ++(search ? search_429 : window_429);
      last = at_ms(e);
    }
    if (str(e, "method") == "POST" && path == "/crm/v3/objects/calls") ++calls_created;
  }
  EXPECT_LE(search_429, 1) << "the search limit was tripped again after it was learned";
  EXPECT_LE(window_429, 1) << "the rolling window was tripped again although every answer describes it";
  EXPECT_EQ(calls_created, kCalls);
  // What the host learned is visible.
  const auto health = http("GET", host.base_url() + "/healthz").json();
  const auto& limits = health.at("connections").at("hs").at("limits");
  EXPECT_EQ(limits.at("window").at("max"), 20);
  EXPECT_TRUE(limits.at("daily").as_object().contains("remaining"));
  const auto metrics = http("GET", host.base_url() + "/metrics").body;
  EXPECT_NE(metrics.find("appconnect_quota_remaining{connection=\"hs\"}"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("appconnect_quota_limit{connection=\"hs\"} 5000000"), std::string::npos) << metrics;
}

// Two hosts on one PostgreSQL database, and the CRM's access token expires while both have work: the
// token is refreshed once for both (a cross-process lock; the second host finds the new token), which
// matters because Salesforce can rotate refresh tokens: a second refresh with the old one would fail.
TEST(Resilience, TwoHostsOnPostgresRefreshAnExpiredTokenOnce) {
  SandboxProcess sandbox(SandboxOptions{});
  sandbox.configure({{"refresh_token_rotation", true}});
  auto config = host_config(sandbox.base_url());
  config["database"] = shared_pg_cluster().create_database("refresh_single_flight");
  HostProcess first(config);
  HostProcess second(config);
  ASSERT_FALSE(posted_key(first, "warm", "warm").empty());
  first.wait_settled("warm");
  sandbox.expire_tokens();
  // Slow answers: both hosts' first calls come back 401 at about the same time and both want to refresh.
  sandbox.configure({{"latency_ms", 300}});
  sandbox.clear_requests();
  for (int i = 0; i < 10; ++i) {
    ASSERT_FALSE(posted_key(first, "a-" + std::to_string(i), "a-" + std::to_string(i)).empty());
    ASSERT_FALSE(posted_key(second, "b-" + std::to_string(i), "b-" + std::to_string(i)).empty());
  }
  for (int i = 0; i < 10; ++i)
    for (const char* prefix : {"a-", "b-"}) {
      auto settled = first.wait_settled(prefix + std::to_string(i), "default", 30s);
      EXPECT_EQ(str(settled.at("jobs").at(0), "state"), "done") << boost::json::serialize(settled);
    }
  int token_requests = 0;
  for (const auto& e : sandbox.requests())
    if (str(e, "path") == "/services/oauth2/token") ++token_requests;
  EXPECT_EQ(token_requests, 1);
}

// A new refresh token from the sandbox's authorization-code flow (what "reconnect" gives an admin).
std::string fresh_refresh_token(const SandboxProcess& sandbox) {
  const std::string redirect = "http://127.0.0.1/oauth/callback";
  auto authorize = sandbox.request("GET",
                                   "/services/oauth2/authorize?response_type=code&client_id=appconnect-demo"
                                   "&redirect_uri=" +
                                       url_encode(redirect) + "&state=s");
  std::smatch m;
  const std::string location = authorize.header("Location");
  if (!std::regex_search(location, m, std::regex("[?&]code=([^&]*)"))) return {};
  auto token = sandbox.request("POST", "/services/oauth2/token",
                               form({{"grant_type", "authorization_code"},
                                     {"code", m[1].str()},
                                     {"client_id", "appconnect-demo"},
                                     {"client_secret", "demo-secret"},
                                     {"redirect_uri", redirect}}),
                               {{"Content-Type", "application/x-www-form-urlencoded"}});
  return token.status == 200 ? str(token.json(), "refresh_token") : std::string();
}

TEST(Resilience, ARevokedRefreshTokenHoldsJobsUntilTheConnectionIsReauthorized) {
  SandboxProcess sandbox(SandboxOptions{});
  TempDir data("appconnect-reauth");
  auto config = host_config(sandbox.base_url());
  config["data_dir"] = data.file("data").string();
  auto host = std::make_unique<HostProcess>(config);
  ASSERT_FALSE(posted_key(*host, "warm", "warm").empty());
  ASSERT_EQ(str(host->wait_settled("warm").at("jobs").at(0), "state"), "done");

  // An expired token is refreshed transparently.
  sandbox.expire_tokens();
  const std::string expired_key = posted_key(*host, "after-expiry", "after-expiry");
  EXPECT_EQ(str(host->wait_settled("after-expiry").at("jobs").at(0), "state"), "done");
  EXPECT_EQ(tasks_with(sandbox, expired_key), 1);

  // A revoked refresh token: the connection needs re-authorization; jobs wait, nothing fails.
  ASSERT_EQ(sandbox
                .request("POST", "/services/oauth2/revoke", "token=demo-refresh-token",
                         {{"Content-Type", "application/x-www-form-urlencoded"}})
                .status,
            200);
  sandbox.expire_tokens();
  const std::string held_key = posted_key(*host, "held", "held");
  bool flagged = false;
  for (int i = 0; i < 100 && !flagged; ++i) {
    std::this_thread::sleep_for(100ms);
    auto health = http("GET", host->base_url() + "/healthz").json();
    flagged = health.as_object().contains("needs_reauthorization") &&
              health.at("needs_reauthorization").as_array().size() == 1 &&
              health.at("needs_reauthorization").at(0) == "sf" && str(health, "status") == "degraded";
  }
  EXPECT_TRUE(flagged) << http("GET", host->base_url() + "/healthz").body;
  sandbox.clear_requests();
  std::this_thread::sleep_for(2500ms);
  EXPECT_EQ(job_state(*host, "held"), "pending");
  // Held means no hot loop against the CRM's token endpoint.
  EXPECT_LE(sandbox.requests().size(), 3u) << boost::json::serialize(sandbox.requests());

  // New credentials (the admin reconnected): the held job runs.
  const std::string refresh = fresh_refresh_token(sandbox);
  ASSERT_FALSE(refresh.empty());
  host->process().stop();
  auto reconnected = host_config(sandbox.base_url(), refresh);
  reconnected["data_dir"] = config["data_dir"];
  host = std::make_unique<HostProcess>(reconnected);
  auto settled = host->wait_settled("held", "default", 30s);
  EXPECT_EQ(str(settled.at("jobs").at(0), "state"), "done") << boost::json::serialize(settled);
  EXPECT_EQ(tasks_with(sandbox, held_key), 1);
  auto health = http("GET", host->base_url() + "/healthz").json();
  EXPECT_FALSE(health.as_object().contains("needs_reauthorization")) << boost::json::serialize(health);
}

TEST(Resilience, APermanentCrmErrorFailsAtOnceAndAnAdminCanRetryOrDiscardTheJob) {
  SandboxProcess sandbox(SandboxOptions{});
  HostProcess host(host_config(sandbox.base_url()));
  // The CRM refuses the next two record creations for good (404): no retries, the job is failed with
  // the CRM's error.
  sandbox.configure(
      {{"fail_next", boost::json::array{boost::json::object{
                         {"status", 404}, {"count", 2}, {"method", "POST"}, {"path_prefix", "/services/data"}}}}});
  const std::string key_a = posted_key(host, "refused-a", "refused-a");
  auto a = host.wait_settled("refused-a");
  ASSERT_EQ(str(a.at("jobs").at(0), "state"), "failed") << boost::json::serialize(a);
  EXPECT_EQ(a.at("jobs").at(0).at("attempts").to_number<int>(), 1);
  EXPECT_EQ(str(a.at("jobs").at(0).at("last_error"), "code"), "not_found");
  const std::string key_b = posted_key(host, "refused-b", "refused-b");
  ASSERT_EQ(str(host.wait_settled("refused-b").at("jobs").at(0), "state"), "failed");

  EXPECT_EQ(http("GET", host.base_url() + "/v1/admin/jobs?state=failed").status, 401);
  auto listed = host.admin("GET", "/v1/admin/jobs?state=failed");
  ASSERT_EQ(listed.status, 200) << listed.body;
  const auto failed = listed.json();
  ASSERT_EQ(failed.at("total").to_number<int>(), 2) << listed.body;
  const auto job_a = failed.at("jobs").at(0).at("id").to_number<std::int64_t>();
  const auto job_b = failed.at("jobs").at(1).at("id").to_number<std::int64_t>();
  EXPECT_EQ(str(failed.at("jobs").at(0).at("last_error"), "code"), "not_found");
  EXPECT_EQ(host.admin("GET", "/v1/admin/jobs?state=bogus").status, 422);

  // Retry: the CRM accepts it now.
  auto retried = host.admin("POST", "/v1/admin/jobs/" + std::to_string(job_a) + "/retry");
  ASSERT_EQ(retried.status, 200) << retried.body;
  EXPECT_EQ(str(host.wait_settled("refused-a").at("jobs").at(0), "state"), "done");
  EXPECT_EQ(tasks_with(sandbox, key_a), 1);
  // Discard: given up, visible, and not failed any more; acting again is a conflict.
  auto discarded = host.admin("POST", "/v1/admin/jobs/" + std::to_string(job_b) + "/discard");
  ASSERT_EQ(discarded.status, 200) << discarded.body;
  EXPECT_EQ(str(discarded.json(), "state"), "discarded");
  EXPECT_EQ(host.admin("POST", "/v1/admin/jobs/" + std::to_string(job_b) + "/retry").status, 409);
  EXPECT_EQ(host.admin("POST", "/v1/admin/jobs/999999/retry").status, 404);
  EXPECT_EQ(tasks_with(sandbox, key_b), 0);
  EXPECT_EQ(host.admin("GET", "/v1/admin/jobs?state=failed").json().at("total").to_number<int>(), 0);
}

} // namespace
} // namespace appconnect::testing
