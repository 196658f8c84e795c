// The `appconnect` command: `serve` runs the host; the other subcommands administer it.
#include "app/host.hpp"
#include "common/log.hpp"
#include "config/config.hpp"
#include "httpclient/http_client.hpp"
#include "plugins/host_services.hpp"
#include "plugins/plugin_registry.hpp"
#include "ringcentral/backfill.hpp"

#include <boost/json.hpp>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
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
  std::string error;
  auto args = parse_args(argc, argv, 2, error);
  if (!args) return usage_error(error);
  if (command == "serve") return serve(*args);
  if (command == "plugins") return plugins_command(*args);
  if (command == "rules") return rules_command(*args);
  if (command == "backfill") return backfill_command(*args);
  return usage_error("unknown command '" + command + "'");
}
