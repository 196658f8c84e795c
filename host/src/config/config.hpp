// The host's configuration: built-in defaults, then an optional JSON file, then command-line flags
// (flags win, so scripts can start a host on any port and data directory without writing a file).
#pragma once

#include "common/result.hpp"

#include <boost/json/object.hpp>

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace appconnect::config {

struct TenantConfig {
  std::string id;
  std::string name;
  std::string default_region = "US"; // ISO 3166 region for numbers written without a country code
  boost::json::object settings;      // tenant settings, e.g. {"matching": {...}} (docs/admin/rules.md)
};

struct ConnectionConfig {
  std::string id;
  std::string tenant_id = "default";
  std::string connector; // plugin id
  boost::json::object settings;
  boost::json::object credentials;
  bool enabled = true;
};

// How workers run jobs ("jobs" in the config file). See docs/adr/0003-storage-and-jobs.md.
struct JobsConfig {
  // A claimed job is leased for this long and the lease is renewed every third of it while the job
  // runs; a process that dies leaves its jobs to others once the lease ran out.
  std::int64_t lease_ms = 60000;
  std::int64_t retry_base_delay_ms = 1000; // backoff: base * 2^(attempt-1), full jitter, capped
  std::int64_t retry_max_delay_ms = 5 * 60 * 1000;
  std::int64_t max_attempts = 12; // then the job is parked as failed with the CRM's error
  // Circuit breaker per connection: after this many consecutive outage errors (unavailable, timeout,
  // transport) the connection is not called for the cool-down; its jobs wait without using attempts.
  std::int64_t breaker_failures = 5;
  std::int64_t breaker_cooldown_ms = 30000;
  // Store hygiene (store/housekeeping.hpp): finished jobs and their events older than this are deleted;
  // 0 keeps everything. The round (and the SQLite WAL checkpoint) runs every housekeeping_interval_ms.
  std::int64_t retention_days = 30;
  std::int64_t housekeeping_interval_ms = 10 * 60 * 1000;
};

// The listener ("tls" in the config file): both files set = the host serves HTTPS only.
struct TlsConfig {
  std::filesystem::path cert_file; // PEM certificate (chain)
  std::filesystem::path key_file;  // PEM private key, unencrypted
  bool enabled() const { return !cert_file.empty() || !key_file.empty(); }
};

// Limits of the HTTP listener ("http" in the config file); the body limit is max_body_bytes.
struct HttpLimits {
  int max_connections = 64;         // requests handled at once (one thread each)
  int max_queued_connections = 256; // accepted connections waiting for a thread; more are closed
  std::int64_t timeout_ms = 30000;  // socket receive/send timeout: a client that stalls is dropped
  std::int64_t keep_alive_timeout_ms = 10000;
  int max_keep_alive_requests = 1000;
};

// Plugins run out of process ("plugin_isolation" in the config file; docs/plugin-guide/isolation.md).
// Each listed plugin is loaded by appconnect-plugin-worker processes instead of inside the host, so a crash,
// hang or leak in it costs a worker restart and a retry, never the host. In-process is the default.
struct PluginIsolationConfig {
  std::vector<std::string> plugins;       // plugin ids; "*" = every plugin
  std::int64_t invoke_timeout_ms = 60000; // a call longer than this: the worker is killed, the call retried
  std::int64_t memory_limit_mb = 1024;    // address-space cap of each worker (RLIMIT_AS); 0 = none
  int workers_per_plugin = 2;             // calls of one plugin served at once
  std::filesystem::path worker;           // the worker executable; empty = beside the host's own
};

struct Config {
  std::string listen = "127.0.0.1:8080";
  std::filesystem::path data_dir = "data";
  std::string database;                           // empty = sqlite:<data_dir>/appconnect.db
  std::vector<std::filesystem::path> plugin_dirs; // empty = the bundled plugin directory
  PluginIsolationConfig plugin_isolation;
  std::filesystem::path web_dir; // the console's files; empty = web::default_web_dir()
  int workers = 4;
  std::string ingest_token; // when set, POST /v1/events requires "Authorization: Bearer <token>"
  std::string admin_token;  // the admin API (/v1/admin) requires it; empty = admin API disabled
  std::int64_t max_body_bytes = 1 << 20;
  // When set, POST /v1/events also requires X-AppConnect-Signature (HMAC-SHA256 of "<t>.<body>"); a
  // tenant setting "ingest_hmac_secret" overrides it for that tenant's events (docs/events.md).
  std::string ingest_hmac_secret;
  std::string metrics_token;       // when set, GET /metrics requires "Authorization: Bearer <token>"
  std::string log_format = "json"; // "json" (one object per line) | "text" (for a person at a terminal)
  TlsConfig tls;
  HttpLimits http;
  JobsConfig jobs;
  // Connection credentials are encrypted with this key (docs/security.md). Empty: the environment
  // variable APPCONNECT_SECRETS_KEY, else no key (then the host refuses to start with credentials).
  std::filesystem::path secrets_key_file;
  std::vector<std::filesystem::path> secrets_old_key_files; // still accepted for reading (key rotation)
  std::vector<TenantConfig> tenants;
  std::vector<ConnectionConfig> connections;

  std::string database_url() const;
};

// Defaults: one tenant "default" (region US), no connections.
Config default_config();

// Reads a JSON config file over the defaults. Unknown keys are errors (a typo must not silently
// leave a setting at its default); the error names the key and the file.
Result<Config> load_config_file(const std::filesystem::path& file, Config base = default_config());

// The same for a config document already read; `file` names it in errors and anchors relative paths.
Result<Config> parse_config_text(std::string_view text, const std::filesystem::path& file,
                                 Config base = default_config());

// Parses "HOST:PORT" ("[::1]:8080" for IPv6). Port 0 asks the OS for a free port.
Result<std::pair<std::string, int>> parse_listen(const std::string& text);

} // namespace appconnect::config
