#include "observability/ops_routes.hpp"

#include "observability/metrics.hpp"
#include "pipeline/connection_guard.hpp"
#include "pipeline/connector_client.hpp"
#include "pipeline/rate_limiter.hpp"
#include "plugins/plugin_registry.hpp"
#include "store/database.hpp"
#include "store/migrations.hpp"
#include "store/repositories.hpp"

#include <Poco/Data/Session.h>
#include <Poco/Exception.h>

#include <boost/json.hpp>

#include <openssl/crypto.h>

#include <array>
#include <set>

using namespace Poco::Data::Keywords;

namespace appconnect::observability {
namespace {

bool token_matches(const std::string& header, const std::string& token) {
  const std::string expected = "Bearer " + token;
  return header.size() == expected.size() && CRYPTO_memcmp(header.data(), expected.data(), expected.size()) == 0;
}

// Gauges read at scrape time from the store and the connection guard.
void render_gauges(const OpsDeps& d, Exposition& out) {
  out.family("appconnect_jobs", "gauge", "Jobs in the store, by state.");
  for (const char* state : {"pending", "running", "done", "failed", "unresolved", "discarded"})
    if (auto n = d.jobs->count_in_state(state)) out.sample("appconnect_jobs", {{"state", state}}, double(n.value()));

  const auto guarded = d.guard ? d.guard->status() : boost::json::object{};
  auto all = d.connections->list_all();
  out.family("appconnect_connection_needs_reauthorization", "gauge",
             "1 when the CRM refused the connection's refresh token and a person must re-authorize it.");
  if (all)
    for (const auto& c : all.value())
      out.sample("appconnect_connection_needs_reauthorization", {{"connection", c.id}},
                 pipeline::needs_reauthorization(c) ? 1 : 0);
  out.family("appconnect_circuit_open", "gauge",
             "1 while the connection's circuit breaker holds calls back (open or half-open).");
  if (all)
    for (const auto& c : all.value()) {
      bool open = false;
      if (const auto* s = guarded.if_contains(c.id); s && s->is_object())
        if (const auto* circuit = s->get_object().if_contains("circuit"); circuit && circuit->is_string())
          open = circuit->get_string() != "closed";
      out.sample("appconnect_circuit_open", {{"connection", c.id}}, open ? 1 : 0);
    }
  // Daily quotas and windows as the CRMs announce them (rate_limiter.hpp); only connections whose CRM
  // said something have a sample.
  if (d.limiter && all) {
    struct Gauge {
      const char* name;
      const char* help;
      std::optional<std::int64_t> pipeline::ConnectionLimits::*field;
    };
    static constexpr Gauge kGauges[] = {
        {"appconnect_quota_remaining",
         "Requests left in the CRM's daily quota, as its last answer reported (HubSpot, Salesforce).",
         &pipeline::ConnectionLimits::daily_remaining},
        {"appconnect_quota_limit", "The CRM's daily request quota, as its last answer reported.",
         &pipeline::ConnectionLimits::daily_limit},
        {"appconnect_rate_window_remaining",
         "Requests left in the CRM's current rate-limit window, as its last answer reported.",
         &pipeline::ConnectionLimits::window_remaining}};
    for (const auto& g : kGauges) {
      out.family(g.name, "gauge", g.help);
      for (const auto& c : all.value())
        if (const auto limits = d.limiter->limits(c.id); limits && (*limits).*g.field)
          out.sample(g.name, {{"connection", c.id}}, double(*((*limits).*g.field)));
    }
  }
}

} // namespace

void add_ops_routes(http::Router& router, OpsDeps deps) {
  auto d = std::make_shared<OpsDeps>(std::move(deps));

  router.add("GET", "/metrics", [d](const http::Request& r) {
    if (!d->metrics_token.empty() && !token_matches(r.header("authorization"), d->metrics_token))
      return http::Response::error(401, "unauthorized", "a valid 'Authorization: Bearer <metrics token>' is required");
    Exposition out;
    Metrics::global().render(out);
    render_gauges(*d, out);
    http::Response response;
    response.content_type = "text/plain; version=0.0.4; charset=utf-8";
    response.body = out.text();
    return response;
  });

  // Ready = this host can do its work now: the database answers, its schema is the one this host
  // expects, and the plugins every enabled connection needs are loaded. Liveness is /healthz.
  router.add("GET", "/readyz", [d](const http::Request&) {
    boost::json::object checks;
    bool ready = true;
    auto fail = [&](const char* check, std::string why) {
      checks[check] = boost::json::object{{"ok", false}, {"reason", std::move(why)}};
      ready = false;
    };
    try {
      auto s = d->db->session();
      int one = 0;
      *s << "SELECT 1", into(one), now;
      if (one == 1)
        checks["database"] = boost::json::object{{"ok", true}};
      else
        fail("database", "SELECT 1 did not answer 1");
    } catch (const Poco::Exception& ex) {
      fail("database", "the database does not answer: " + ex.displayText());
    }
    if (ready) {
      const int newest = store::migrations().empty() ? 0 : store::migrations().back().version;
      auto version = store::schema_version(*d->db);
      if (!version)
        fail("migrations", version.error().message);
      else if (version.value() != newest)
        fail("migrations",
             "schema version " + std::to_string(version.value()) + ", this host expects " + std::to_string(newest));
      else
        checks["migrations"] = boost::json::object{{"ok", true}, {"version", newest}};
    }
    const auto loaded = d->registry->plugins();
    std::set<std::string> ids;
    for (const auto* p : loaded) ids.insert(p->manifest().id);
    boost::json::array missing;
    if (auto all = d->connections->list_all(); all) {
      for (const auto& c : all.value())
        if (c.enabled && !ids.count(c.connector)) missing.push_back(boost::json::value(c.id + ":" + c.connector));
    } else if (ready) {
      fail("plugins", all.error().message);
    }
    if (loaded.empty())
      fail("plugins", "no connector plugin is loaded");
    else if (!missing.empty())
      fail("plugins", "connections whose connector plugin is not loaded: " + boost::json::serialize(missing));
    else if (!checks.contains("plugins"))
      checks["plugins"] = boost::json::object{{"ok", true}, {"loaded", loaded.size()}};
    if (ready)
      return http::Response::json(200, boost::json::object{{"status", "ready"}, {"checks", std::move(checks)}});
    http::Response response = http::Response::json(
        503, boost::json::object{
                 {"error", boost::json::object{{"code", "not_ready"}, {"message", "the host is not ready to serve"}}},
                 {"status", "not_ready"},
                 {"checks", std::move(checks)}});
    return response;
  });
}

} // namespace appconnect::observability
