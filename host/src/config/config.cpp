#include "config/config.hpp"

#include <appconnect/json_fields.hpp>

#include <boost/json.hpp>

#include <fstream>
#include <set>
#include <sstream>

namespace appconnect::config {
namespace jf = sdk::json_fields;

std::string Config::database_url() const {
  if (!database.empty()) return database;
  return "sqlite:" + (data_dir / "appconnect.db").string();
}

Config default_config() {
  Config c;
  c.tenants.push_back(TenantConfig{"default", "Default tenant", "US", {}});
  return c;
}

namespace {

void reject_unknown(const boost::json::object& o, const std::set<std::string>& known, const std::string& where) {
  for (const auto& kv : o)
    if (!known.count(std::string(kv.key())))
      throw jf::FieldError("unknown key '" + std::string(kv.key()) + "' in " + where);
}

boost::json::object object_field(const boost::json::object& o, const char* key) {
  const auto* v = o.if_contains(key);
  if (v == nullptr || v->is_null()) return {};
  if (!v->is_object()) throw jf::FieldError(std::string("'") + key + "' must be an object");
  return v->get_object();
}

} // namespace

Result<Config> load_config_file(const std::filesystem::path& file, Config base) {
  std::ifstream in(file);
  if (!in) return Error::make(error_code::kNotFound, "cannot read config file " + file.string(), false);
  std::stringstream text;
  text << in.rdbuf();
  return parse_config_text(text.str(), file, std::move(base));
}

Result<Config> parse_config_text(std::string_view text, const std::filesystem::path& file, Config base) {
  boost::system::error_code ec;
  auto doc = boost::json::parse(text, ec);
  if (ec) return Error::make(error_code::kValidation, file.string() + ": invalid JSON: " + ec.message(), false);
  try {
    const auto& o = jf::as_object(doc, "the config file");
    reject_unknown(o,
                   {"listen",
                    "data_dir",
                    "database",
                    "plugin_dirs",
                    "plugin_isolation",
                    "workers",
                    "ingest_token",
                    "admin_token",
                    "max_body_bytes",
                    "jobs",
                    "tenants",
                    "connections",
                    "secrets_key_file",
                    "secrets_old_key_files",
                    "ingest_hmac_secret",
                    "metrics_token",
                    "log_format",
                    "tls",
                    "http",
                    "web_dir"},
                   "the config file");
    Config c = std::move(base);
    c.listen = jf::get_string(o, "listen", c.listen);
    // Relative paths in a config file are relative to the file, so a config can travel with its data.
    const auto dir = file.parent_path();
    auto resolve = [&dir](const std::string& p) {
      std::filesystem::path path(p);
      return path.is_absolute() ? path : dir / path;
    };
    if (o.contains("data_dir")) c.data_dir = resolve(jf::require_string(o, "data_dir"));
    c.database = jf::get_string(o, "database", c.database);
    if (c.database.rfind("sqlite:", 0) == 0) c.database = "sqlite:" + resolve(c.database.substr(7)).string();
    if (o.contains("plugin_dirs")) {
      c.plugin_dirs.clear();
      for (const auto& p : jf::get_strings(o, "plugin_dirs")) c.plugin_dirs.push_back(resolve(p));
    }
    if (o.contains("plugin_isolation")) {
      const auto iso = object_field(o, "plugin_isolation");
      reject_unknown(iso, {"plugins", "invoke_timeout_ms", "memory_limit_mb", "workers_per_plugin", "worker"},
                     "'plugin_isolation'");
      auto bounded = [&iso](const char* key, std::int64_t current, std::int64_t min, std::int64_t max) {
        const std::int64_t v = jf::get_int(iso, key, current);
        if (v < min || v > max)
          throw jf::FieldError("'plugin_isolation." + std::string(key) + "' must be between " + std::to_string(min) +
                               " and " + std::to_string(max));
        return v;
      };
      auto& pi = c.plugin_isolation;
      if (iso.contains("plugins")) pi.plugins = jf::get_strings(iso, "plugins");
      pi.invoke_timeout_ms = bounded("invoke_timeout_ms", pi.invoke_timeout_ms, 100, 3600000);
      pi.memory_limit_mb = bounded("memory_limit_mb", pi.memory_limit_mb, 0, 1 << 20);
      if (pi.memory_limit_mb != 0 && pi.memory_limit_mb < 64)
        throw jf::FieldError("'plugin_isolation.memory_limit_mb' must be 0 (no limit) or at least 64");
      pi.workers_per_plugin = static_cast<int>(bounded("workers_per_plugin", pi.workers_per_plugin, 1, 64));
      if (iso.contains("worker")) pi.worker = resolve(jf::require_string(iso, "worker"));
    }
    if (o.contains("web_dir")) c.web_dir = resolve(jf::require_string(o, "web_dir"));
    c.workers = static_cast<int>(jf::get_int(o, "workers", c.workers));
    if (c.workers < 1 || c.workers > 256) throw jf::FieldError("'workers' must be between 1 and 256");
    c.ingest_token = jf::get_string(o, "ingest_token", c.ingest_token);
    c.admin_token = jf::get_string(o, "admin_token", c.admin_token);
    c.max_body_bytes = jf::get_int(o, "max_body_bytes", c.max_body_bytes);
    if (c.max_body_bytes < 1 || c.max_body_bytes > (1LL << 30))
      throw jf::FieldError("'max_body_bytes' must be between 1 and 1073741824");
    c.ingest_hmac_secret = jf::get_string(o, "ingest_hmac_secret", c.ingest_hmac_secret);
    c.metrics_token = jf::get_string(o, "metrics_token", c.metrics_token);
    c.log_format = jf::get_string(o, "log_format", c.log_format);
    if (c.log_format != "json" && c.log_format != "text") throw jf::FieldError("'log_format' must be json or text");
    if (o.contains("tls")) {
      const auto tls = object_field(o, "tls");
      reject_unknown(tls, {"cert_file", "key_file"}, "'tls'");
      c.tls = {};
      if (!tls.empty()) {
        c.tls.cert_file = resolve(jf::require_string(tls, "cert_file"));
        c.tls.key_file = resolve(jf::require_string(tls, "key_file"));
      }
    }
    if (o.contains("http")) {
      const auto http = object_field(o, "http");
      reject_unknown(http,
                     {"max_connections", "max_queued_connections", "timeout_ms", "keep_alive_timeout_ms",
                      "max_keep_alive_requests"},
                     "'http'");
      auto bounded = [&http](const char* key, std::int64_t current, std::int64_t min, std::int64_t max) {
        const std::int64_t v = jf::get_int(http, key, current);
        if (v < min || v > max)
          throw jf::FieldError("'http." + std::string(key) + "' must be between " + std::to_string(min) + " and " +
                               std::to_string(max));
        return v;
      };
      auto& h = c.http;
      h.max_connections = static_cast<int>(bounded("max_connections", h.max_connections, 1, 4096));
      h.max_queued_connections =
          static_cast<int>(bounded("max_queued_connections", h.max_queued_connections, 1, 65536));
      h.timeout_ms = bounded("timeout_ms", h.timeout_ms, 100, 3600000);
      h.keep_alive_timeout_ms = bounded("keep_alive_timeout_ms", h.keep_alive_timeout_ms, 100, 3600000);
      h.max_keep_alive_requests =
          static_cast<int>(bounded("max_keep_alive_requests", h.max_keep_alive_requests, 1, 1000000));
    }
    if (o.contains("jobs")) {
      const auto jobs = object_field(o, "jobs");
      reject_unknown(jobs,
                     {"lease_ms", "retry_base_delay_ms", "retry_max_delay_ms", "max_attempts", "breaker_failures",
                      "breaker_cooldown_ms", "retention_days", "housekeeping_interval_ms"},
                     "'jobs'");
      auto& j = c.jobs;
      auto positive = [&jobs](const char* key, std::int64_t current, std::int64_t min, std::int64_t max) {
        const std::int64_t v = jf::get_int(jobs, key, current);
        if (v < min || v > max)
          throw jf::FieldError("'jobs." + std::string(key) + "' must be between " + std::to_string(min) + " and " +
                               std::to_string(max));
        return v;
      };
      constexpr std::int64_t kDay = 24LL * 60 * 60 * 1000;
      j.lease_ms = positive("lease_ms", j.lease_ms, 500, kDay);
      j.retry_base_delay_ms = positive("retry_base_delay_ms", j.retry_base_delay_ms, 1, kDay);
      j.retry_max_delay_ms = positive("retry_max_delay_ms", j.retry_max_delay_ms, 1, kDay);
      j.max_attempts = positive("max_attempts", j.max_attempts, 1, 1000);
      j.breaker_failures = positive("breaker_failures", j.breaker_failures, 1, 1000);
      j.breaker_cooldown_ms = positive("breaker_cooldown_ms", j.breaker_cooldown_ms, 1, kDay);
      j.retention_days = positive("retention_days", j.retention_days, 0, 3650);
      j.housekeeping_interval_ms = positive("housekeeping_interval_ms", j.housekeeping_interval_ms, 1000, kDay);
    }
    if (o.contains("secrets_key_file")) c.secrets_key_file = resolve(jf::require_string(o, "secrets_key_file"));
    if (o.contains("secrets_old_key_files")) {
      c.secrets_old_key_files.clear();
      for (const auto& p : jf::get_strings(o, "secrets_old_key_files")) c.secrets_old_key_files.push_back(resolve(p));
    }
    if (const auto* t = o.if_contains("tenants")) {
      if (!t->is_array()) throw jf::FieldError("'tenants' must be an array");
      c.tenants.clear();
      for (const auto& item : t->get_array()) {
        const auto& to = jf::as_object(item, "a tenant");
        reject_unknown(to, {"id", "name", "default_region", "settings"}, "a tenant");
        TenantConfig tc;
        tc.id = jf::require_string(to, "id");
        tc.name = jf::get_string(to, "name", tc.id);
        tc.default_region = jf::get_string(to, "default_region", "US");
        tc.settings = object_field(to, "settings");
        c.tenants.push_back(std::move(tc));
      }
    }
    if (const auto* list = o.if_contains("connections")) {
      if (!list->is_array()) throw jf::FieldError("'connections' must be an array");
      c.connections.clear();
      for (const auto& item : list->get_array()) {
        const auto& co = jf::as_object(item, "a connection");
        reject_unknown(co, {"id", "tenant", "connector", "settings", "credentials", "enabled"}, "a connection");
        ConnectionConfig cc;
        cc.id = jf::require_string(co, "id");
        cc.tenant_id = jf::get_string(co, "tenant", "default");
        cc.connector = jf::require_string(co, "connector");
        cc.settings = object_field(co, "settings");
        cc.credentials = object_field(co, "credentials");
        cc.enabled = jf::get_bool(co, "enabled", true);
        bool tenant_known = false;
        for (const auto& t : c.tenants) tenant_known = tenant_known || t.id == cc.tenant_id;
        if (!tenant_known)
          throw jf::FieldError("connection '" + cc.id + "' names unknown tenant '" + cc.tenant_id + "'");
        c.connections.push_back(std::move(cc));
      }
    }
    return c;
  } catch (const jf::FieldError& ex) {
    return Error::make(error_code::kValidation, file.string() + ": " + ex.what(), false);
  }
}

Result<std::pair<std::string, int>> parse_listen(const std::string& text) {
  auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0)
    return Error::make(error_code::kValidation, "listen address must be HOST:PORT, got '" + text + "'", false);
  std::string host = text.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  int port = -1;
  try {
    std::size_t used = 0;
    port = std::stoi(text.substr(colon + 1), &used);
    if (used != text.size() - colon - 1) port = -1;
  } catch (...) {
    port = -1;
  }
  if (port < 0 || port > 65535)
    return Error::make(error_code::kValidation, "listen port must be 0..65535, got '" + text + "'", false);
  return std::make_pair(host, port);
}

} // namespace appconnect::config
