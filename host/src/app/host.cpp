#include "app/host.hpp"

#include "admin/admin_routes.hpp"
#include "admin/job_routes.hpp"
#include "admin/management_routes.hpp"
#include "admin/stats_routes.hpp"
#include "audit/audit_log.hpp"
#include "auth/authenticator.hpp"
#include "common/log.hpp"
#include "http/server.hpp"
#include "httpclient/http_client.hpp"
#include "ingest/event.hpp"
#include "ingest/ingest_service.hpp"
#include "ingest/signature.hpp"
#include "matching/contact_cache.hpp"
#include "matching/owners.hpp"
#include "matching/phone.hpp"
#include "observability/ops_routes.hpp"
#include "pipeline/connector_client.hpp"
#include "pipeline/processor.hpp"
#include "pipeline/rate_limiter.hpp"
#include "pipeline/worker_pool.hpp"
#include "plugins/host_services.hpp"
#include "plugins/plugin_registry.hpp"
#include "ringcentral/webhook_routes.hpp"
#include "security/secret_box.hpp"
#include "store/admin_repositories.hpp"
#include "store/database.hpp"
#include "store/housekeeping.hpp"
#include "store/matching_repositories.hpp"
#include "store/migrations.hpp"
#include "store/repositories.hpp"
#include "store/settings_secrets.hpp"
#include "store/webhook_inbox.hpp"
#include "web/console_routes.hpp"

#include <Poco/Exception.h>

#include <boost/json.hpp>

#include <unistd.h>

#include <chrono>
#include <filesystem>

namespace appconnect::app {

std::vector<std::filesystem::path> default_plugin_dirs() {
  std::vector<std::filesystem::path> dirs;
  std::error_code ec;
  const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return dirs;
  const auto prefix = exe.parent_path().parent_path();
  for (const auto& candidate : {prefix / "plugins", prefix / "lib" / "appconnect" / "plugins"})
    if (std::filesystem::is_directory(candidate, ec)) dirs.push_back(candidate);
  return dirs;
}

void configure_isolation(plugins::PluginRegistry& registry, const config::Config& config) {
  const auto& c = config.plugin_isolation;
  if (c.plugins.empty()) return;
  plugins::IsolationSettings isolation;
  isolation.worker_executable = c.worker;
  isolation.invoke_timeout_ms = c.invoke_timeout_ms;
  isolation.memory_limit_mb = c.memory_limit_mb;
  isolation.workers = c.workers_per_plugin;
  registry.set_isolation(c.plugins, std::move(isolation));
}

struct Host::Parts {
  config::Config config;
  std::shared_ptr<store::Database> db;
  std::shared_ptr<const security::SecretBox> secrets; // null: no key configured (then no credentials exist)
  std::shared_ptr<audit::AuditLog> audit;
  std::shared_ptr<store::TenantRepository> tenants;
  std::shared_ptr<store::ConnectionRepository> connections;
  std::shared_ptr<store::EventRepository> events;
  std::shared_ptr<store::JobRepository> jobs;
  std::shared_ptr<store::LogRecordRepository> log_records;
  std::shared_ptr<store::UnresolvedRepository> unresolved;
  std::shared_ptr<store::PlaceholderRepository> placeholders;
  std::shared_ptr<store::AttemptRepository> attempts;
  std::shared_ptr<httpclient::HttpClient> http_client;
  std::shared_ptr<plugins::HostServices> services;
  std::shared_ptr<plugins::PluginRegistry> registry;
  std::shared_ptr<pipeline::ConnectionGuard> guard;
  std::shared_ptr<pipeline::RateLimiter> limiter;
  std::shared_ptr<pipeline::ConnectorClient> connector;
  std::shared_ptr<matching::ContactCache> contacts;
  std::shared_ptr<pipeline::Processor> processor;
  std::unique_ptr<pipeline::WorkerPool> workers;
  std::unique_ptr<store::Housekeeper> housekeeper;
  std::shared_ptr<ingest::IngestService> ingest;
  std::unique_ptr<http::Server> server;
  int port = 0;
  std::string host_name;
};

namespace {

int status_for(const Error& e) {
  if (e.code == error_code::kValidation || e.code == error_code::kBadRequest) return 422;
  if (e.code == error_code::kNotFound) return 404;
  if (e.code == error_code::kPermission) return 403;
  if (e.code == error_code::kUnavailable || e.code == error_code::kTimeout) return 503;
  return 500;
}

http::Response error_response(const Error& e) {
  return http::Response::error(status_for(e), e.code, e.message);
}

bool authorized(const config::Config& c, const http::Request& r) {
  if (c.ingest_token.empty()) return true;
  return r.header("authorization") == "Bearer " + c.ingest_token;
}

// With an HMAC secret for the event's tenant (tenant setting "ingest_hmac_secret", else the config's),
// the raw body must carry a valid, fresh X-AppConnect-Signature. nullopt = accepted.
std::optional<http::Response> signature_refusal(Host::Parts& p, const http::Request& r, const std::string& tenant) {
  std::string secret = p.config.ingest_hmac_secret;
  if (auto row = p.tenants->get_recent(tenant); row && row.value())
    if (const auto* s = row.value()->settings.if_contains("ingest_hmac_secret"); s && s->is_string())
      secret = std::string(s->get_string());
  if (secret.empty()) return std::nullopt;
  const auto now_s =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  switch (ingest::verify_signature(r.header(ingest::kSignatureHeader), r.body, secret, now_s)) {
    case ingest::SignatureCheck::kOk:
      return std::nullopt;
    case ingest::SignatureCheck::kMissing:
      return http::Response::error(401, "signature_required",
                                   "this tenant requires 'X-AppConnect-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 "
                                   "of \"<t>.<body>\">'");
    case ingest::SignatureCheck::kMalformed:
      return http::Response::error(401, "signature_invalid",
                                   "X-AppConnect-Signature must be 't=<unix seconds>,v1=<hex digest>'");
    case ingest::SignatureCheck::kExpired:
      return http::Response::error(401, "signature_expired",
                                   "the signature's timestamp is more than " +
                                       std::to_string(ingest::kSignatureToleranceS) + " s from the host's clock");
    case ingest::SignatureCheck::kMismatch:
      break;
  }
  return http::Response::error(401, "signature_invalid", "the signature does not match the body");
}

boost::json::value parse_or_null(const std::string& text) {
  if (text.empty()) return nullptr;
  boost::system::error_code ec;
  auto v = boost::json::parse(text, ec);
  return ec ? boost::json::value(text) : v;
}

std::shared_ptr<http::Router> make_routes(Host::Parts& p);

} // namespace

Host::Host(std::unique_ptr<Parts> parts) : p_(std::move(parts)) {}

Host::~Host() {
  stop();
}

Result<std::unique_ptr<Host>> Host::create(const config::Config& config) {
  auto p = std::make_unique<Parts>();
  p->config = config;
  log::set_format(config.log_format == "text" ? log::Format::kText : log::Format::kJson);
  std::error_code ec;
  std::filesystem::create_directories(config.data_dir, ec);
  if (ec)
    return Error::make(error_code::kUnavailable,
                       "cannot create data directory " + config.data_dir.string() + ": " + ec.message(), false);
  auto db = store::Database::open(config.database_url(), config.workers + 8);
  if (!db) return db.error();
  p->db = db.value();
  auto version = store::migrate(*p->db);
  if (!version) return version.error();

  auto secrets = security::load_secret_box(config);
  if (!secrets) return secrets.error();
  p->secrets = secrets.value();
  p->audit = std::make_shared<audit::AuditLog>(p->db);
  p->tenants = std::make_shared<store::TenantRepository>(p->db, p->secrets);
  p->connections = std::make_shared<store::ConnectionRepository>(p->db, p->secrets);
  if (!p->secrets) {
    // Credentials are never written in clear by a configured host, and a key is never made up
    // silently (a generated key lost with a container would make every credential unreadable).
    bool configured = false;
    for (const auto& c : config.connections) configured = configured || !c.credentials.empty();
    // Secret tenant settings (ingest_hmac_secret, ringcentral.verification_token) likewise.
    for (const auto& t : config.tenants) configured = configured || store::has_plain_secret_settings(t.settings);
    auto stored = p->connections->any_credentials();
    if (!stored) return stored.error();
    if (configured || stored.value())
      return Error::make(error_code::kValidation,
                         "connection credentials and secret tenant settings are encrypted at rest, but no secrets "
                         "key is configured: set "
                         "'secrets_key_file' in the config file (a file holding base64 of 32 random bytes, e.g. "
                         "`head -c 32 /dev/urandom | base64 > secrets.key`) or the environment variable " +
                             std::string(security::kSecretsKeyEnv) + " (see docs/security.md)",
                         false);
  }
  p->events = std::make_shared<store::EventRepository>(p->db);
  p->jobs = std::make_shared<store::JobRepository>(p->db);
  p->log_records = std::make_shared<store::LogRecordRepository>(p->db);
  p->unresolved = std::make_shared<store::UnresolvedRepository>(p->db);
  p->placeholders = std::make_shared<store::PlaceholderRepository>(p->db);
  p->attempts = std::make_shared<store::AttemptRepository>(p->db);

  // Tenants and connections named in the config file are (re)applied at every start. Tokens obtained
  // since (refreshed access tokens) are kept unless the file supplies new ones.
  for (const auto& t : config.tenants) {
    boost::json::object settings = t.settings;
    settings["default_region"] = t.default_region;
    auto saved = p->tenants->upsert({t.id, t.name, settings});
    if (!saved) return saved.error();
  }
  for (const auto& c : config.connections) {
    auto existing = p->connections->get(c.id);
    if (!existing) return existing.error();
    boost::json::object credentials = c.credentials;
    boost::json::object settings = c.settings;
    boost::json::array changed; // names of credential fields the file sets to a new value, never values
    for (const auto& kv : c.credentials) {
      const auto* before = existing.value() ? existing.value()->credentials.if_contains(kv.key()) : nullptr;
      if (before == nullptr || *before != kv.value()) changed.push_back(boost::json::string(kv.key()));
    }
    if (existing.value()) {
      for (const auto& kv : existing.value()->credentials)
        if (!credentials.contains(kv.key())) credentials[kv.key()] = kv.value();
      for (const auto& kv : existing.value()->settings)
        if (!settings.contains(kv.key())) settings[kv.key()] = kv.value();
    }
    auto saved = p->connections->upsert({c.id, c.tenant_id, c.connector, settings, credentials, c.enabled});
    if (!saved) return saved.error();
    if (!changed.empty()) {
      auto recorded = p->audit->append(
          {c.tenant_id, "system", "connection.credentials_changed", c.id,
           boost::json::object{
               {"source", "config file"}, {"fields", std::move(changed)}, {"created", !existing.value().has_value()}}});
      if (!recorded) return recorded.error();
    }
  }
  if (p->secrets) {
    // Plaintext left by a host without encryption, and values under an older key (rotation), are
    // sealed with the current key now rather than at their next write.
    auto resealed = p->connections->reseal_credentials();
    if (!resealed) return resealed.error();
    auto tenants_resealed = p->tenants->reseal_settings();
    if (!tenants_resealed) return tenants_resealed.error();
    auto versions_resealed = store::SettingsVersionRepository(p->db, p->secrets).reseal_settings();
    if (!versions_resealed) return versions_resealed.error();
    if (resealed.value() + tenants_resealed.value() + versions_resealed.value() > 0) {
      if (auto scrubbed = p->connections->scrub_released_space(); !scrubbed) return scrubbed.error();
      const boost::json::object counts{{"connections", resealed.value()},
                                       {"tenants", tenants_resealed.value()},
                                       {"settings_versions", versions_resealed.value()},
                                       {"key_id", p->secrets->primary_id()}};
      log::info("security", "stored secrets re-encrypted with the current key",
                {{"connections", resealed.value()},
                 {"tenants", tenants_resealed.value()},
                 {"settings_versions", versions_resealed.value()},
                 {"key_id", p->secrets->primary_id()}});
      auto recorded = p->audit->append({"", "system", "secrets.resealed", "connections", counts});
      if (!recorded) return recorded.error();
    }
  }

  p->http_client = std::make_shared<httpclient::HttpClient>();
  p->services = std::make_shared<plugins::HostServices>(p->http_client);
  p->registry = std::make_shared<plugins::PluginRegistry>(p->services);
  configure_isolation(*p->registry, config);
  const auto dirs = config.plugin_dirs.empty() ? default_plugin_dirs() : config.plugin_dirs;
  for (const auto& dir : dirs) p->registry->load_directory(dir);
  for (const auto& r : p->registry->refusals())
    log::warn("plugins", "plugin refused", {{"file", r.path.string()}, {"reason", r.reason}});
  for (const auto* plugin : p->registry->plugins())
    log::info("plugins", "plugin loaded",
              {{"id", plugin->manifest().id},
               {"version", plugin->manifest().version},
               {"file", plugin->path().string()},
               {"isolated", plugin->isolated() != nullptr}});

  // Every CRM request of a connection is paced by what the CRM says about its limits (rate_limiter.hpp).
  p->limiter = std::make_shared<pipeline::RateLimiter>();
  p->services->set_http_hook(
      [limiter = p->limiter](const plugins::CallScope& scope, const sdk::HttpRequest& request,
                             const plugins::HttpNext& next) { return limiter->around(scope, request, next); });
  p->guard = std::make_shared<pipeline::ConnectionGuard>(
      pipeline::GuardSettings{config.jobs.breaker_failures, config.jobs.breaker_cooldown_ms});
  // Jobs of a connection waiting for re-authorization look again after one breaker cool-down.
  p->connector = std::make_shared<pipeline::ConnectorClient>(p->registry, p->connections, 30000, p->guard,
                                                             config.jobs.breaker_cooldown_ms);
  auto phones = std::make_shared<matching::PhoneNormalizer>();
  p->contacts = std::make_shared<matching::ContactCache>();
  p->processor = std::make_shared<pipeline::Processor>(
      pipeline::ProcessorDeps{p->events, p->connections, p->tenants, p->log_records, p->unresolved, p->placeholders,
                              p->connector, phones, p->contacts, std::make_shared<matching::OwnerResolver>()});
  char hostname[256] = {0};
  ::gethostname(hostname, sizeof hostname - 1);
  p->host_name = hostname;
  pipeline::WorkerSettings worker_settings;
  worker_settings.threads = config.workers;
  worker_settings.owner_prefix = p->host_name + ":" + std::to_string(::getpid());
  worker_settings.retry =
      pipeline::RetryPolicy{config.jobs.retry_base_delay_ms, config.jobs.retry_max_delay_ms, config.jobs.max_attempts};
  worker_settings.lease_ms = config.jobs.lease_ms;
  worker_settings.guard = p->guard;
  worker_settings.attempts = p->attempts;
  // Every decision the pipeline makes goes into the audit trail: where a communication was logged and
  // why, what was queued for a person, what was skipped.
  worker_settings.record_decision = [audit = p->audit](Poco::Data::Session& session, const store::JobRow& job,
                                                       const pipeline::JobOutcome& outcome) {
    std::string action = "decision.queued";
    boost::json::value explanation(outcome.detail); // a queued item's detail is its explanation
    if (outcome.kind == pipeline::JobOutcome::Kind::kDone) {
      const std::string done = sdk::json_fields::get_string(outcome.detail, "action");
      if (done == "unchanged") return; // nothing was decided or written
      action = "decision." + done;     // created | updated | recovered | skipped
      explanation = nullptr;
      if (const auto* e = outcome.detail.if_contains("explanation"); e && e->is_object()) {
        explanation = *e;
        if (done == "created" && sdk::json_fields::get_string(e->get_object(), "decided_by") == "placeholder")
          action = "decision.placeholder_created";
      }
    }
    // One flat document: the explanation (rule trace, candidates, reason) with where it went.
    boost::json::object detail = explanation.is_object() ? explanation.get_object() : boost::json::object{};
    detail["conversation"] = job.conversation_key;
    for (const char* key : {"record", "contact", "reason"})
      if (const auto* v = outcome.detail.if_contains(key)) detail[key] = *v;
    // Decisions are made only about events the processor loaded: the outcome carries the event's id.
    audit->append_in(session, audit::decision_entry(job.tenant_id, outcome.event_id, job.id, job.connection_id, action,
                                                    std::move(detail)));
  };
  p->workers = std::make_unique<pipeline::WorkerPool>(p->jobs, p->unresolved, p->processor, worker_settings);
  p->housekeeper = std::make_unique<store::Housekeeper>(p->db, config.jobs.retention_days * 24LL * 60 * 60 * 1000,
                                                        config.jobs.housekeeping_interval_ms);
  auto* workers = p->workers.get();
  p->ingest = std::make_shared<ingest::IngestService>(p->events, p->tenants, [workers] { workers->notify(); });
  return std::unique_ptr<Host>(new Host(std::move(p)));
}

Result<int> Host::start() {
  auto listen = config::parse_listen(p_->config.listen);
  if (!listen) return listen.error();
  http::ServerOptions options;
  options.host = listen.value().first;
  options.port = listen.value().second;
  options.max_body_bytes = p_->config.max_body_bytes;
  options.max_threads = p_->config.http.max_connections;
  options.max_queued = p_->config.http.max_queued_connections;
  options.timeout_ms = p_->config.http.timeout_ms;
  options.keep_alive_timeout_ms = p_->config.http.keep_alive_timeout_ms;
  options.max_keep_alive_requests = p_->config.http.max_keep_alive_requests;
  options.tls_cert_file = p_->config.tls.cert_file.string();
  options.tls_key_file = p_->config.tls.key_file.string();
  p_->server = std::make_unique<http::Server>(make_routes(*p_), options);
  try {
    p_->server->start();
  } catch (const Poco::Exception& ex) {
    return Error::make(error_code::kUnavailable, "cannot listen on " + p_->config.listen + ": " + ex.displayText(),
                       false);
  }
  p_->port = p_->server->port();
  p_->workers->start();
  p_->housekeeper->start();
  log::info("host", "ready", {{"url", base_url()}, {"database", p_->db->description()}});
  return p_->port;
}

void Host::stop() {
  if (!p_) return;
  if (p_->server) p_->server->stop();
  if (p_->workers) p_->workers->stop();
  if (p_->housekeeper) p_->housekeeper->stop();
}

int Host::port() const {
  return p_->port;
}

std::vector<std::pair<std::string, std::string>> Host::routes() const {
  return make_routes(*p_)->list(); // a throwaway table: building it only wires handlers
}

std::string Host::base_url() const {
  auto listen = config::parse_listen(p_->config.listen);
  std::string host = listen ? listen.value().first : "127.0.0.1";
  if (host == "0.0.0.0" || host.empty()) host = "127.0.0.1";
  if (host.find(':') != std::string::npos) host = "[" + host + "]";
  return (p_->config.tls.enabled() ? "https://" : "http://") + host + ":" + std::to_string(p_->port);
}

namespace {

std::shared_ptr<http::Router> make_routes(Host::Parts& p) {
  auto router = std::make_shared<http::Router>();

  router->add("GET", "/healthz", [&p](const http::Request&) {
    auto pending = p.jobs->count_in_state("pending");
    boost::json::object body{{"status", pending ? "ok" : "degraded"},
                             {"product", APPCONNECT_PRODUCT_NAME},
                             {"version", APPCONNECT_VERSION},
                             {"database", p.db->dialect() == store::Dialect::kSqlite ? "sqlite" : "postgresql"},
                             {"plugins", p.registry->plugins().size()}};
    if (pending) body["jobs_pending"] = pending.value();
    // Connections that need a person (revoked authorization) or wait for the CRM (circuit open,
    // throttled). The host itself is fine, so the status code stays 200: a load balancer must not take
    // it out of rotation because a CRM is down.
    boost::json::array reauthorize;
    if (auto all = p.connections->list_all())
      for (const auto& c : all.value())
        if (pipeline::needs_reauthorization(c)) reauthorize.push_back(boost::json::value(c.id));
    if (!reauthorize.empty()) {
      body["status"] = "degraded";
      body["needs_reauthorization"] = std::move(reauthorize);
    }
    auto guarded = p.guard->status();
    // What each CRM said about its limits: window, daily quota left, learned pace.
    for (auto& [id, limits] : p.limiter->status()) {
      auto& entry = guarded[id];
      if (!entry.is_object()) entry = boost::json::object{};
      entry.as_object()["limits"] = limits;
    }
    if (!guarded.empty()) body["connections"] = std::move(guarded);
    return http::Response::json(pending ? 200 : 503, body);
  });

  router->add("POST", "/v1/events", [&p](const http::Request& r) {
    if (!authorized(p.config, r))
      return http::Response::error(401, "unauthorized", "a valid 'Authorization: Bearer <ingest token>' is required");
    boost::system::error_code ec;
    auto doc = boost::json::parse(r.body, ec);
    // The signature is checked before anything else is said about the body (a malformed body from an
    // unauthenticated sender gets 401, not a parse error).
    std::string tenant = "default";
    if (const auto* o = doc.if_object())
      if (const auto* t = o->if_contains("tenant"); t && t->is_string()) tenant = std::string(t->get_string());
    if (auto refused = signature_refusal(p, r, tenant)) return *refused;
    if (ec) return http::Response::error(400, "invalid_json", "the body is not valid JSON: " + ec.message());
    auto event = ingest::parse_event(doc, "default");
    if (!event) return error_response(event.error());
    const log::ScopedContext event_scope("event_id", event.value().event_id);
    auto accepted = p.ingest->accept(event.value());
    if (!accepted) return error_response(accepted.error());
    const auto& a = accepted.value();
    log::info("ingest", a.duplicate ? "event already stored" : "event accepted",
              {{"tenant", event.value().tenant_id}, {"seq", a.seq}, {"jobs", a.jobs}});
    return http::Response::json(a.duplicate ? 200 : 202,
                                boost::json::object{{"status", a.duplicate ? "duplicate" : "accepted"},
                                                    {"id", event.value().event_id},
                                                    {"tenant", event.value().tenant_id},
                                                    {"seq", a.seq},
                                                    {"jobs", a.jobs},
                                                    {"conversation_key", a.conversation_key}});
  });

  // What became of an event: its jobs, their state, and the CRM record or the reason.
  router->add("GET", "/v1/events/{id}", [&p](const http::Request& r) {
    if (!authorized(p.config, r))
      return http::Response::error(401, "unauthorized", "a valid 'Authorization: Bearer <ingest token>' is required");
    const std::string tenant = r.query_param("tenant", "default");
    auto row = p.events->get(tenant, r.params.at("id"));
    if (!row) return error_response(row.error());
    if (!row.value())
      return http::Response::error(404, "not_found",
                                   "no event '" + r.params.at("id") + "' for tenant '" + tenant + "'");
    auto jobs = p.jobs->list_for_event(row.value()->seq);
    if (!jobs) return error_response(jobs.error());
    boost::json::array list;
    for (const auto& j : jobs.value()) {
      boost::json::object o{
          {"id", j.id}, {"connection", j.connection_id}, {"state", j.state}, {"attempts", j.attempts}};
      if (!j.outcome.empty()) o["outcome"] = parse_or_null(j.outcome);
      if (!j.last_error.empty()) o[j.state == "unresolved" ? "reason" : "last_error"] = parse_or_null(j.last_error);
      // Every attempt, not only the last: when it ran, what came of it, the CRM's error, the next try.
      auto history = p.attempts->list_for_job(j.id);
      if (!history) return error_response(history.error());
      o["history"] = admin::attempts_json(history.value());
      list.push_back(std::move(o));
    }
    return http::Response::json(200, boost::json::object{{"id", row.value()->event_id},
                                                         {"tenant", row.value()->tenant_id},
                                                         {"seq", row.value()->seq},
                                                         {"kind", row.value()->kind},
                                                         {"conversation_key", row.value()->conversation_key},
                                                         {"event", parse_or_null(row.value()->payload)},
                                                         {"jobs", std::move(list)}});
  });
  observability::add_ops_routes(*router, observability::OpsDeps{p.config.metrics_token, p.db, p.jobs, p.connections,
                                                                p.guard, p.registry, p.limiter});
  auto* workers = p.workers.get();
  // One authenticator for every admin route (auth/authenticator.hpp); admin_token is the bootstrap operator.
  auto tokens = std::make_shared<auth::TokenRepository>(p.db);
  auto authn = std::make_shared<const auth::Authenticator>(p.config.admin_token, tokens);
  admin::add_admin_routes(*router, admin::AdminDeps{authn, p.unresolved, p.events, p.jobs, p.processor, p.contacts,
                                                    [workers] { workers->notify(); }, p.audit});
  ringcentral::add_ringcentral_routes(
      *router,
      ringcentral::WebhookDeps{p.tenants, p.ingest, std::make_shared<store::WebhookInboxRepository>(p.db), authn});
  admin::add_job_routes(*router,
                        admin::JobRoutesDeps{authn, p.jobs, [workers] { workers->notify(); }, p.audit, p.attempts});
  admin::add_stats_routes(*router, admin::StatsRoutesDeps{authn, p.attempts});
  auto management = std::make_shared<const admin::ManagementDeps>(
      admin::ManagementDeps{authn, tokens, p.tenants, p.connections, p.jobs,
                            std::make_shared<store::SettingsVersionRepository>(p.db, p.secrets),
                            std::make_shared<store::OAuthStateRepository>(p.db), p.registry, p.connector, p.guard,
                            p.audit, p.secrets != nullptr});
  admin::add_management_routes(*router, management);
  admin::add_connection_routes(*router, management);
  web::add_console_routes(*router, p.config.web_dir.empty() ? web::default_web_dir() : p.config.web_dir);
  return router;
}

} // namespace
} // namespace appconnect::app
