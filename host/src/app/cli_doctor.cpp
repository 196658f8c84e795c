#include "app/cli_doctor.hpp"

#include "app/host.hpp"
#include "config/config.hpp"
#include "httpclient/http_client.hpp"
#include "plugins/host_services.hpp"
#include "plugins/plugin_registry.hpp"
#include "security/secret_box.hpp"
#include "store/database.hpp"
#include "store/migrations.hpp"
#include "store/repositories.hpp"

#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/URI.h>

#include <boost/json.hpp>

#include <unistd.h>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>
#include <string>
#include <vector>

namespace appconnect::app {

namespace {

namespace json = boost::json;
enum class Status { kOk, kWarn, kFail };

struct Check {
  std::string name;
  Status status;
  std::string detail;
};

const char* word(Status s) {
  return s == Status::kOk ? "ok" : s == Status::kWarn ? "warn" : "FAIL";
}

// Whether a TCP connection to the URL's host and port opens within `timeout_ms`.
std::string reach(const std::string& url, int timeout_ms) {
  try {
    Poco::URI uri(url);
    if (uri.getHost().empty()) return "no host in " + url;
    Poco::Net::StreamSocket socket;
    socket.connect(Poco::Net::SocketAddress(uri.getHost(), uri.getPort()), Poco::Timespan(0, timeout_ms * 1000));
    socket.close();
    return {};
  } catch (const std::exception& e) {
    return e.what();
  }
}

class Doctor {
 public:
  void add(std::string name, Status status, std::string detail) {
    checks_.push_back({std::move(name), status, std::move(detail)});
  }

  void run(const std::string& config_file) {
    config::Config config = config::default_config();
    if (config_file.empty()) {
      add("config", Status::kWarn, "no --config: checking the built-in defaults");
    } else {
      auto loaded = config::load_config_file(config_file, config);
      if (!loaded) return add("config", Status::kFail, loaded.error().message);
      config = std::move(loaded.value());
      add("config", Status::kOk,
          config_file + ": " + std::to_string(config.tenants.size()) + " tenant(s), " +
              std::to_string(config.connections.size()) + " connection(s)");
    }
    data_dir(config);
    auto db = database(config);
    secrets(config, db);
    plugins(config);
    connectivity(config);
  }

  bool ok() const {
    for (const auto& c : checks_)
      if (c.status == Status::kFail) return false;
    return true;
  }

  void print(bool as_json) const {
    if (as_json) {
      json::array list;
      for (const auto& c : checks_)
        list.push_back(json::object{{"name", c.name}, {"status", word(c.status)}, {"detail", c.detail}});
      std::cout << json::serialize(json::object{{"ok", ok()}, {"checks", std::move(list)}}) << "\n";
      return;
    }
    for (const auto& c : checks_) {
      std::string label = std::string("[") + word(c.status) + "]";
      label.resize(7, ' ');
      std::cout << label << " " << c.name;
      for (std::size_t i = c.name.size(); i < 20; ++i) std::cout << ' ';
      std::cout << " " << c.detail << "\n";
    }
    std::cout << "doctor: " << (ok() ? "no problems found" : "problems found") << "\n";
  }

 private:
  void data_dir(const config::Config& config) {
    std::error_code ec;
    const auto dir = std::filesystem::absolute(config.data_dir, ec);
    if (!std::filesystem::exists(dir, ec)) {
      // A check must not change the deployment: see whether the host could create it, without doing so.
      auto parent = dir.parent_path();
      while (!parent.empty() && !std::filesystem::exists(parent, ec) && parent != parent.root_path())
        parent = parent.parent_path();
      if (::access(parent.c_str(), W_OK | X_OK) != 0)
        return add("data_dir", Status::kFail,
                   dir.string() + " does not exist and " + parent.string() + " is not writable");
      return add("data_dir", Status::kWarn, dir.string() + " does not exist yet (the host creates it at first start)");
    }
    const auto probe = dir / (".doctor-" + std::to_string(::getpid()));
    {
      std::ofstream out(probe);
      out << "probe\n";
      if (!out) return add("data_dir", Status::kFail, dir.string() + " is not writable by this user");
    }
    std::filesystem::remove(probe, ec);
    add("data_dir", Status::kOk, dir.string() + " is writable");
  }

  std::shared_ptr<store::Database> database(const config::Config& config) {
    const std::string url = config.database_url();
    if (url.rfind("sqlite:", 0) == 0 && !std::filesystem::exists(url.substr(7))) {
      add("database", Status::kWarn, "no database yet at " + url.substr(7) + " (created and migrated at first start)");
      return nullptr;
    }
    auto db = store::Database::open(url, 1);
    if (!db) {
      add("database", Status::kFail, db.error().message);
      return nullptr;
    }
    auto version = store::schema_version(*db.value());
    if (!version) {
      add("database", Status::kFail, version.error().message);
      return nullptr;
    }
    const int newest = store::migrations().empty() ? 0 : store::migrations().back().version;
    if (version.value() > newest)
      add("database", Status::kFail,
          "schema version " + std::to_string(version.value()) + " is newer than this host (" + std::to_string(newest) +
              "): upgrade the host");
    else if (version.value() < newest)
      add("database", Status::kWarn,
          "schema version " + std::to_string(version.value()) + " of " + std::to_string(newest) +
              ": the host migrates it at its next start");
    else
      add("database", Status::kOk, "opens; schema version " + std::to_string(version.value()) + " (current)");
    return db.value();
  }

  void secrets(const config::Config& config, const std::shared_ptr<store::Database>& db) {
    bool needed = false;
    std::string why;
    for (const auto& c : config.connections)
      if (!c.credentials.empty()) {
        needed = true;
        why = "connection " + c.id + " has credentials in the config";
      }
    if (!needed && db) {
      store::ConnectionRepository connections(db);
      auto stored = connections.any_credentials();
      if (stored && stored.value()) {
        needed = true;
        why = "the database holds connection credentials";
      }
    }
    auto box = security::load_secret_box(config);
    if (!box) return add("secrets", Status::kFail, box.error().message);
    if (box.value()) return add("secrets", Status::kOk, "a secrets key is configured and readable");
    if (needed)
      return add("secrets", Status::kFail,
                 why + " but no secrets key is configured (secrets_key_file or " + security::kSecretsKeyEnv + ")");
    add("secrets", Status::kOk, "no credentials yet, no key needed");
  }

  void plugins(const config::Config& config) {
    auto services = std::make_shared<plugins::HostServices>(std::make_shared<httpclient::HttpClient>());
    plugins::PluginRegistry registry(services);
    configure_isolation(registry, config); // an untrusted plugin must not take the doctor down either
    const auto dirs = config.plugin_dirs.empty() ? default_plugin_dirs() : config.plugin_dirs;
    if (dirs.empty())
      return add("plugins", Status::kFail, "no plugin directory (none configured, none beside the binary)");
    for (const auto& dir : dirs) registry.load_directory(dir);
    std::string loaded;
    for (const auto* p : registry.plugins())
      loaded += (loaded.empty() ? "" : ", ") + p->manifest().id + " " + p->manifest().version;
    for (const auto& r : registry.refusals()) add("plugins", Status::kFail, "refused: " + r.reason);
    for (const auto& c : config.connections)
      if (c.enabled && registry.find(c.connector) == nullptr)
        add("plugins", Status::kFail,
            "connection " + c.id + " needs connector '" + c.connector + "', which is not loaded");
    add("plugins", registry.plugins().empty() ? Status::kFail : Status::kOk,
        registry.plugins().empty() ? "no plugin loaded" : "loaded: " + loaded);
  }

  void connectivity(const config::Config& config) {
    for (const auto& c : config.connections) {
      if (!c.enabled) continue;
      std::set<std::string> urls;
      for (const auto& kv : c.settings)
        if (kv.value().is_string()) {
          const std::string v(kv.value().get_string());
          if (v.rfind("http://", 0) == 0 || v.rfind("https://", 0) == 0) urls.insert(v);
        }
      if (urls.empty()) {
        add("reach:" + c.id, Status::kWarn, "no URL in the connection's settings (the connector's defaults apply)");
        continue;
      }
      for (const auto& url : urls) {
        const std::string problem = reach(url, 2000);
        add("reach:" + c.id, problem.empty() ? Status::kOk : Status::kFail,
            problem.empty() ? url + " accepts connections" : url + ": " + problem);
      }
    }
  }

  std::vector<Check> checks_;
};

} // namespace

int doctor_command(int argc, char** argv) {
  std::string config_file;
  bool as_json = false;
  for (int i = 2; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--json") {
      as_json = true;
    } else if (arg == "--config" && i + 1 < argc) {
      config_file = argv[++i];
    } else if (arg.rfind("--config=", 0) == 0) {
      config_file = arg.substr(9);
    } else {
      std::cerr << "appconnect: doctor takes [--config FILE] [--json], not " << arg << "\n";
      return 2;
    }
  }
  Doctor doctor;
  doctor.run(config_file);
  doctor.print(as_json);
  return doctor.ok() ? 0 : 1;
}

} // namespace appconnect::app
