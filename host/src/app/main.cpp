// The `appconnect` command: `serve` runs the host; the other subcommands administer it.
#include "app/cli_admin.hpp"
#include "app/cli_doctor.hpp"
#include "app/cli_plugin_new.hpp"
#include "app/host.hpp"
#include "audit/audit_log.hpp"
#include "common/log.hpp"
#include "config/config.hpp"
#include "httpclient/http_client.hpp"
#include "plugins/host_services.hpp"
#include "plugins/plugin_registry.hpp"
#include "ringcentral/backfill.hpp"
#include "security/secret_box.hpp"
#include "store/admin_repositories.hpp"
#include "store/database.hpp"
#include "store/migrations.hpp"
#include "store/repositories.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

namespace {

using appconnect::config::Config;

constexpr const char* kUsage = R"(Usage: appconnect <command> [options]

Commands:
  serve [--config FILE] [--listen HOST:PORT] [--data-dir DIR] [--plugins DIR]... [--database URL] [--workers N]
        Run the host. Flags override the config file; with neither, the host listens on 127.0.0.1:8080,
        keeps its SQLite database in ./data and loads the bundled plugins.
  plugins list [--config FILE] [--plugins DIR]... [--json]
        Load every plugin from the plugin directories; print what loaded and why anything was refused.
  plugins inspect FILE [--json]
        Load one plugin file and print its manifest and capabilities, or why it is refused.
  rules simulate --url URL --token TOKEN (--events ID[,ID...] | --unresolved) [--tenant T] [--connection C]
                 [--matching FILE] [--json]
        Ask a running host what a rule set would do with stored events (matched, placeholder created,
        queued, skipped) without writing to the CRM. FILE holds the candidate "matching" settings.
  backfill --url URL [--token TOKEN] [--tenant T] [--concurrency N] FILE
        Post a RingCentral call-log export (a call-log response, a JSON array of them, or JSON Lines)
        to a running host as native events. Safe to repeat: already stored records count as duplicates.
  audit verify [--config FILE | --database URL]
        Check the audit trail's hash chain in the database. Prints "audit: N entries, chain intact"
        (exit 0) or the first bad position and why: altered, removed, reordered or inserted (exit 1).
  audit export [--config FILE | --database URL] [--tenant T] [--from POS] [--to POS]
        Print audit entries as JSON Lines (redirect to a file).
  secrets generate-key FILE
        Write a new random 256-bit key (base64) to FILE, readable by its owner only.
  secrets rotate --new-key-file FILE [--config FILE | --database URL]
        Re-encrypt every connection credential and secret tenant setting (and settings version) with
        the key in FILE (readable with the configured keys); then make FILE the config's secrets_key_file. See docs/security.md for the procedure.
  plugin new NAME [--dir DIR]
        Create a plugin project from the SDK template (builds against the installed SDK, written
        against the generic sandbox CRM, passes appconnect-plugin-check). See docs/plugin-guide/tutorial.md.
  doctor [--config FILE] [--json]
        Check a deployment: config, data directory, database and migrations, secrets key, plugins, and
        whether each connection's URLs accept connections. Exit 1 when a check fails.
  tokens create|list|revoke, tenants list|create, connections list|create|enable|disable,
  unresolved list|show|resolve|skip|rerun, jobs list|show|retry|discard,
  settings show|set|versions|rollback|mine|override, events list|show, audit list (and verify|export --url)
        Everything the admin API does, through a running host (--url, --token or APPCONNECT_URL and
        APPCONNECT_TOKEN, --json); `tokens create --offline --data-dir DIR` mints the first token directly
        in the database. `appconnect tokens` alone prints the details. Exit codes: 1 the host refused
        (4xx), 2 wrong usage, 3 the host could not be reached or failed (5xx).
  version
        Print the product name and version.
  help
        Print this text.

Exit codes: 0 success, 1 failure (the message says why), 2 wrong usage.
)";

struct Args {
  std::vector<std::string> positional;
  std::vector<std::pair<std::string, std::string>> options; // --name value
  bool json = false;
};

// Parses "--name value" and "--name=value"; boolean flags are listed in `flags`.
std::optional<Args> parse_args(int argc, char** argv, int first, std::string& error) {
  Args a;
  for (int i = first; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--json") {
      a.json = true;
    } else if (arg == "--unresolved") { // a flag: simulate over the open unresolved items
      a.options.emplace_back("unresolved", "true");
    } else if (arg.rfind("--", 0) == 0) {
      std::string name = arg.substr(2), value;
      if (auto eq = name.find('='); eq != std::string::npos) {
        value = name.substr(eq + 1);
        name = name.substr(0, eq);
      } else if (i + 1 < argc) {
        value = argv[++i];
      } else {
        error = "option --" + name + " needs a value";
        return std::nullopt;
      }
      a.options.emplace_back(name, value);
    } else {
      a.positional.push_back(arg);
    }
  }
  return a;
}

int usage_error(const std::string& message) {
  std::cerr << "appconnect: " << message << "\n\n" << kUsage;
  return 2;
}

// Builds the configuration from defaults, --config, then the other flags.
std::optional<Config> build_config(const Args& args, std::string& error) {
  Config config = appconnect::config::default_config();
  for (const auto& [name, value] : args.options) {
    if (name != "config") continue;
    auto loaded = appconnect::config::load_config_file(value, config);
    if (!loaded) {
      error = loaded.error().message;
      return std::nullopt;
    }
    config = std::move(loaded.value());
  }
  bool plugins_given = false;
  for (const auto& [name, value] : args.options) {
    if (name == "config") continue;
    if (name == "listen") {
      config.listen = value;
    } else if (name == "data-dir") {
      config.data_dir = value;
    } else if (name == "database") {
      config.database = value;
    } else if (name == "plugins") {
      if (!plugins_given) config.plugin_dirs.clear();
      plugins_given = true;
      config.plugin_dirs.emplace_back(value);
    } else if (name == "workers") {
      try {
        config.workers = std::stoi(value);
      } catch (...) {
        config.workers = 0;
      }
      if (config.workers < 1 || config.workers > 256) {
        error = "--workers must be a number from 1 to 256";
        return std::nullopt;
      }
    } else {
      error = "unknown option --" + name;
      return std::nullopt;
    }
  }
  if (auto listen = appconnect::config::parse_listen(config.listen); !listen) {
    error = listen.error().message;
    return std::nullopt;
  }
  return config;
}

int serve(const Args& args) {
  std::string error;
  auto config = build_config(args, error);
  if (!config) return usage_error(error);
  if (!args.positional.empty()) return usage_error("serve takes no arguments besides options");

  // Block the stop signals in every thread; the main thread waits for them below.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  auto host = appconnect::app::Host::create(*config);
  if (!host) {
    std::cerr << "appconnect: cannot start: " << host.error().message << "\n";
    return 1;
  }
  auto port = host.value()->start();
  if (!port) {
    std::cerr << "appconnect: cannot start: " << port.error().message << "\n";
    return 1;
  }
  // One line on stdout that scripts and tests wait for.
  std::printf("%s listening on %s\n", APPCONNECT_PRODUCT_NAME, host.value()->base_url().c_str());
  std::fflush(stdout);

  int received = 0;
  sigwait(&stop_signals, &received);
  appconnect::log::info("host", "stopping", {{"signal", received == SIGINT ? "SIGINT" : "SIGTERM"}});
  host.value()->stop();
  return 0;
}

std::string option(const Args& args, const std::string& name) {
  for (const auto& [k, v] : args.options)
    if (k == name) return v;
  return {};
}

int rules_command(const Args& args) {
  if (args.positional.size() != 1 || args.positional[0] != "simulate")
    return usage_error("rules needs the subcommand simulate");
  const std::string url = option(args, "url"), token = option(args, "token");
  if (url.empty() || token.empty()) return usage_error("rules simulate needs --url and --token");
  boost::json::object body{{"tenant", option(args, "tenant").empty() ? "default" : option(args, "tenant")}};
  if (!option(args, "connection").empty()) body["connection"] = option(args, "connection");
  if (const std::string events = option(args, "events"); !events.empty()) {
    boost::json::array ids;
    std::size_t start = 0;
    while (start <= events.size()) {
      const auto comma = events.find(',', start);
      const std::string id = events.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
      if (!id.empty()) ids.push_back(boost::json::string(id));
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
    body["events"] = std::move(ids);
  } else if (option(args, "unresolved") == "true") {
    body["scope"] = "unresolved";
  } else {
    return usage_error("rules simulate needs --events ID[,ID...] or --unresolved");
  }
  if (const std::string file = option(args, "matching"); !file.empty()) {
    std::ifstream in(file);
    std::stringstream text;
    text << in.rdbuf();
    boost::system::error_code ec;
    auto matching = boost::json::parse(text.str(), ec);
    if (!in || ec || !matching.is_object()) {
      std::cerr << "appconnect: " << file << " is not a readable JSON object\n";
      return 1;
    }
    body["matching"] = std::move(matching);
  }
  appconnect::httpclient::HttpClient client;
  appconnect::sdk::HttpRequest request;
  request.method = "POST";
  request.url = url + "/v1/admin/rules/simulate";
  request.headers = {{"Authorization", "Bearer " + token}, {"Content-Type", "application/json"}};
  request.body = boost::json::serialize(body);
  auto response = client.send(request);
  if (!response) {
    std::cerr << "appconnect: " << response.error().message << "\n";
    return 1;
  }
  if (!response.value().ok()) {
    std::cerr << "appconnect: the host answered " << response.value().status << ": " << response.value().body << "\n";
    return 1;
  }
  if (args.json) {
    std::cout << response.value().body << "\n";
    return 0;
  }
  const auto doc = response.value().json();
  for (const auto& r : doc.at("results").as_array()) {
    const auto& o = r.as_object();
    std::string what(o.at("outcome").as_string());
    if (const auto* c = o.if_contains("contact"))
      what += " " + std::string(c->at("name").as_string()) + " (" + std::string(c->at("id").as_string()) + ")";
    if (const auto* d = o.if_contains("decided_by")) what += " by " + std::string(d->as_string());
    if (const auto* why = o.if_contains("reason")) what += ": " + std::string(why->as_string());
    const auto* event = o.if_contains("event");
    std::cout << (event != nullptr && event->is_string() ? std::string(event->as_string()) : "?") << "  " << what
              << "\n";
  }
  std::cout << "summary:";
  for (const auto& kv : doc.at("summary").as_object()) std::cout << " " << kv.key() << "=" << kv.value();
  std::cout << "\n";
  return 0;
}

int backfill_command(const Args& args) {
  appconnect::ringcentral::BackfillOptions o;
  o.url = option(args, "url");
  o.token = option(args, "token");
  if (!option(args, "tenant").empty()) o.tenant = option(args, "tenant");
  if (args.positional.size() != 1 || o.url.empty()) return usage_error("backfill needs --url and one FILE");
  o.file = args.positional[0];
  if (const auto c = option(args, "concurrency"); !c.empty()) {
    o.concurrency = std::atoi(c.c_str());
    if (o.concurrency < 1 || o.concurrency > 64) return usage_error("--concurrency must be between 1 and 64");
  }
  while (!o.url.empty() && o.url.back() == '/') o.url.pop_back();
  auto report = appconnect::ringcentral::run_backfill(o, std::cout);
  if (!report) {
    std::cerr << "appconnect: " << report.error().message << "\n";
    return 1;
  }
  const auto& r = report.value();
  std::cout << "backfill: done: " << r.total << " records, " << r.sent << " sent (" << r.accepted << " new, "
            << r.duplicate << " duplicate), " << r.failures.size() << " failed\n";
  for (const auto& f : r.failures) std::cerr << "appconnect: backfill failed: " << f << "\n";
  return r.failures.empty() ? 0 : 1;
}

// The options of `args` that build_config knows, without the command's own (`own`).
Args without(const Args& args, std::initializer_list<std::string_view> own) {
  Args out;
  out.json = args.json;
  for (const auto& [k, v] : args.options)
    if (std::find(own.begin(), own.end(), k) == own.end()) out.options.emplace_back(k, v);
  return out;
}

// Opens the configured database for an offline command. Refuses to create a missing SQLite file (a
// typo in --database would otherwise "verify" an empty new database).
std::shared_ptr<appconnect::store::Database> open_database(const Config& config) {
  const std::string url = config.database_url();
  if (url.rfind("sqlite:", 0) == 0 && !std::filesystem::exists(url.substr(7))) {
    std::cerr << "appconnect: no database at " << url.substr(7) << "\n";
    return nullptr;
  }
  auto db = appconnect::store::Database::open(url, 2);
  if (!db) {
    std::cerr << "appconnect: " << db.error().message << "\n";
    return nullptr;
  }
  return db.value();
}

bool whole_number(const std::string& text, std::int64_t& out) {
  try {
    std::size_t used = 0;
    out = std::stoll(text, &used);
    return used == text.size() && out >= 0;
  } catch (...) {
    return false;
  }
}

int audit_command(const Args& args) {
  if (args.positional.size() != 1) return usage_error("audit needs a subcommand: verify or export");
  const std::string& sub = args.positional[0];
  std::string error;
  auto config = build_config(without(args, {"tenant", "from", "to"}), error);
  if (!config) return usage_error(error);
  if (sub != "verify" && sub != "export") return usage_error("unknown audit subcommand '" + sub + "'");
  auto db = open_database(*config);
  if (!db) return 1;
  auto version = appconnect::store::schema_version(*db);
  if (!version) {
    std::cerr << "appconnect: " << version.error().message << "\n";
    return 1;
  }
  if (version.value() < 5) {
    std::cerr << "appconnect: this database has no audit trail yet (schema version " << version.value()
              << "); start the host once to upgrade it\n";
    return 1;
  }
  appconnect::audit::AuditLog log(db);
  if (sub == "verify") {
    auto report = log.verify();
    if (!report) {
      std::cerr << "appconnect: " << report.error().message << "\n";
      return 1;
    }
    const auto& r = report.value();
    if (args.json) {
      boost::json::object o{{"intact", r.intact}, {"entries", r.entries}};
      if (!r.intact) o.insert({{"position", r.bad_position}, {"problem", r.problem}, {"message", r.message}});
      std::cout << boost::json::serialize(o) << "\n";
    } else if (r.intact) {
      std::cout << "audit: " << r.entries << " entries, chain intact\n";
    } else {
      std::cout << "audit: chain broken at position " << r.bad_position << " (" << r.problem << "): " << r.message
                << "\n";
    }
    return r.intact ? 0 : 1;
  }
  std::int64_t from = 1, to = 0;
  if (const auto f = option(args, "from"); !f.empty() && !whole_number(f, from))
    return usage_error("--from must be a position (a whole number)");
  if (const auto t = option(args, "to"); !t.empty() && !whole_number(t, to))
    return usage_error("--to must be a position (a whole number)");
  auto written = log.export_jsonl(std::cout, from, to, option(args, "tenant"));
  if (!written) {
    std::cerr << "appconnect: " << written.error().message << "\n";
    return 1;
  }
  std::cerr << "audit: exported " << written.value() << " entries\n";
  return 0;
}

int secrets_command(const Args& args) {
  using appconnect::security::SecretBox;
  using appconnect::security::SecretKey;
  if (args.positional.empty()) return usage_error("secrets needs a subcommand: generate-key or rotate");
  const std::string& sub = args.positional[0];
  if (sub == "generate-key") {
    if (args.positional.size() != 2) return usage_error("secrets generate-key takes one FILE");
    const std::filesystem::path file = args.positional[1];
    if (std::filesystem::exists(file)) {
      std::cerr << "appconnect: " << file.string() << " exists; a key is never overwritten\n";
      return 1;
    }
    const SecretKey key = SecretKey::generate();
    {
      std::ofstream out(file, std::ios::trunc);
      if (!out) {
        std::cerr << "appconnect: cannot write " << file.string() << "\n";
        return 1;
      }
      std::error_code ec;
      std::filesystem::permissions(file, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write, ec);
      out << key.to_base64() << "\n";
    }
    std::cout << "secrets: wrote key " << key.id << " to " << file.string() << "\n";
    return 0;
  }
  if (sub != "rotate" || args.positional.size() != 1) return usage_error("unknown secrets subcommand '" + sub + "'");
  const std::string new_file = option(args, "new-key-file");
  if (new_file.empty()) return usage_error("secrets rotate needs --new-key-file FILE");
  std::string error;
  auto config = build_config(without(args, {"new-key-file"}), error);
  if (!config) return usage_error(error);
  auto fresh = SecretKey::from_file(new_file);
  if (!fresh) {
    std::cerr << "appconnect: " << fresh.error().message << "\n";
    return 1;
  }
  auto current = appconnect::security::configured_keys(*config);
  if (!current) {
    std::cerr << "appconnect: " << current.error().message << "\n";
    return 1;
  }
  const std::string new_id = fresh.value().id;
  auto box = std::make_shared<const SecretBox>(std::move(fresh.value()), std::move(current.value()));
  auto db = open_database(*config);
  if (!db) return 1;
  appconnect::store::ConnectionRepository connections(db, box);
  auto changed = connections.reseal_credentials();
  if (!changed) {
    std::cerr << "appconnect: " << changed.error().message << "\n";
    return 1;
  }
  // Secret tenant settings and their versions are sealed with the same key.
  auto tenants = appconnect::store::TenantRepository(db, box).reseal_settings();
  if (!tenants) {
    std::cerr << "appconnect: " << tenants.error().message << "\n";
    return 1;
  }
  std::int64_t versions_changed = 0;
  if (auto version = appconnect::store::schema_version(*db); version && version.value() >= 6) {
    auto versions = appconnect::store::SettingsVersionRepository(db, box).reseal_settings();
    if (!versions) {
      std::cerr << "appconnect: " << versions.error().message << "\n";
      return 1;
    }
    versions_changed = versions.value();
  }
  if (changed.value() + tenants.value() + versions_changed > 0) {
    if (auto scrubbed = connections.scrub_released_space(); !scrubbed) {
      std::cerr << "appconnect: " << scrubbed.error().message << "\n";
      return 1;
    }
  }
  if (auto version = appconnect::store::schema_version(*db); version && version.value() >= 5) {
    appconnect::audit::AuditLog log(db);
    auto recorded = log.append({"", "cli", "secrets.rotated", "connections",
                                boost::json::object{{"connections", changed.value()},
                                                    {"tenants", tenants.value()},
                                                    {"settings_versions", versions_changed},
                                                    {"key_id", new_id}}});
    if (!recorded)
      std::cerr << "appconnect: warning: not recorded in the audit trail: " << recorded.error().message << "\n";
  }
  std::cout << "secrets: " << changed.value() << " connection(s) re-encrypted (and the secret settings of "
            << tenants.value() << " tenant(s) and " << versions_changed << " settings version(s)) with key " << new_id
            << "; now set secrets_key_file to " << new_file << " and restart the host\n";
  return 0;
}

int plugins_command(const Args& args) {
  if (args.positional.empty()) return usage_error("plugins needs a subcommand: list or inspect");
  auto services =
      std::make_shared<appconnect::plugins::HostServices>(std::make_shared<appconnect::httpclient::HttpClient>());
  const std::string& sub = args.positional[0];
  if (sub == "inspect") {
    if (args.positional.size() != 2) return usage_error("plugins inspect takes one FILE");
    auto report = appconnect::plugins::inspect_plugin_file(args.positional[1], services);
    std::cout << appconnect::plugins::render_inspect(report, args.json);
    return report.ok ? 0 : 1;
  }
  if (sub == "list") {
    std::string error;
    auto config = build_config(args, error);
    if (!config) return usage_error(error);
    appconnect::plugins::PluginRegistry registry(services);
    const auto dirs = config->plugin_dirs.empty() ? appconnect::app::default_plugin_dirs() : config->plugin_dirs;
    for (const auto& dir : dirs) registry.load_directory(dir);
    std::cout << appconnect::plugins::render_plugin_list(registry, args.json);
    return 0;
  }
  return usage_error("unknown plugins subcommand '" + sub + "'");
}

} // namespace

int main(int argc, char** argv) {
  if (argc < 2) return usage_error("a command is required");
  const std::string command = argv[1];
  if (command == "help" || command == "--help" || command == "-h") {
    std::cout << kUsage;
    return 0;
  }
  if (command == "version" || command == "--version") {
    std::cout << APPCONNECT_PRODUCT_NAME << " " << APPCONNECT_VERSION << "\n";
    return 0;
  }
  if (command == "plugin") return appconnect::app::plugin_command(argc, argv); // plugin new NAME [--dir D]
  if (command == "doctor") return appconnect::app::doctor_command(argc, argv); // doctor [--config F] [--json]
  if (appconnect::app::is_admin_cli_command(command)) return appconnect::app::admin_cli(argc, argv);
  if (command == "audit" && appconnect::app::audit_goes_to_host(argc, argv))
    return appconnect::app::admin_cli(argc, argv);
  std::string error;
  auto args = parse_args(argc, argv, 2, error);
  if (!args) return usage_error(error);
  if (command == "serve") return serve(*args);
  if (command == "plugins") return plugins_command(*args);
  if (command == "rules") return rules_command(*args);
  if (command == "backfill") return backfill_command(*args);
  if (command == "audit") return audit_command(*args);
  if (command == "secrets") return secrets_command(*args);
  return usage_error("unknown command '" + command + "'");
}
