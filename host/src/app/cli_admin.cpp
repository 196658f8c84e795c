#include "app/cli_admin.hpp"
#include "app/cli_http.hpp"
#include "app/cli_operations.hpp"

#include "auth/token_store.hpp"
#include "config/config.hpp"
#include "httpclient/http_client.hpp"
#include "store/database.hpp"
#include "store/migrations.hpp"

#include <boost/json.hpp>

#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace appconnect::app {
namespace {
using cli::call;
using cli::Cli;
using cli::fail;
using cli::field;
using cli::object_file;

constexpr const char* kUsage = R"(Usage (admin API from scripts; every command takes --url URL --token TOKEN [--json]):
  appconnect tokens create --name N --role operator|admin|rep [--tenant T] [--agent A]
  appconnect tokens create --offline (--data-dir DIR | --database URL | --config FILE) --name N --role R [--tenant T] [--agent A]
  appconnect tokens list [--tenant T]
  appconnect tokens revoke ID
  appconnect tenants list
  appconnect tenants create ID [--name N] [--settings FILE]
  appconnect connections list [--tenant T]
  appconnect connections create ID --connector C [--tenant T] [--settings FILE] [--credentials FILE] [--disabled]
  appconnect connections enable ID | disable ID
)";

// After the operations' lines (app/cli_operations.hpp), so the whole list comes first.
constexpr const char* kUsageEnd =
    R"(--url and --token may come from the environment instead: APPCONNECT_URL, APPCONNECT_TOKEN.
Exit codes: 0 success, 1 refused (the host answered 4xx; its error is printed) or a local failure,
2 wrong usage, 3 the host could not be reached, failed (5xx) or answered something that is not the API.
)";

void print_token(const boost::json::value& t) {
  std::cout << field(t, "id") << "\t" << field(t, "role") << "\t" << field(t, "tenant") << "\t" << field(t, "name")
            << "\t" << (field(t, "revoked_at_ms") == "-" ? "active" : "revoked") << "\n";
}

void print_connection(const boost::json::value& c) {
  std::cout << field(c, "id") << "\t" << field(c, "tenant") << "\t" << field(c, "connector") << "\t"
            << (field(c, "enabled") == "true" ? "enabled" : "disabled") << "\n";
}

// Mints a token straight into the database: the first token of a host that has no admin_token.
int offline_token(const Cli& cli, const boost::json::object& body) {
  std::string url = cli.opt("database");
  if (url.empty() && !cli.opt("data-dir").empty()) {
    config::Config c;
    c.data_dir = cli.opt("data-dir");
    std::error_code ec; // a fresh data directory, as `serve` would create it
    std::filesystem::create_directories(c.data_dir, ec);
    if (ec) return fail("cannot create " + c.data_dir.string() + ": " + ec.message());
    url = c.database_url();
  }
  if (url.empty() && !cli.opt("config").empty()) {
    auto loaded = config::load_config_file(cli.opt("config"));
    if (!loaded) return fail(loaded.error().message);
    url = loaded.value().database_url();
  }
  if (url.empty()) return cli::usage(cli, "tokens create --offline needs --data-dir, --database or --config");
  auto role = auth::role_from(std::string(body.at("role").as_string()));
  if (!role) return cli::usage(cli, "--role must be operator, admin or rep");
  auth::TokenRow row;
  row.name = std::string(body.at("name").as_string());
  row.role = *role;
  if (const auto* t = body.if_contains("tenant")) row.tenant = std::string(t->as_string());
  if (const auto* a = body.if_contains("agent")) row.agent = std::string(a->as_string());
  if (row.role == auth::Role::kOperator && !row.tenant.empty())
    return cli::usage(cli, "an operator token has no --tenant");
  if (row.role != auth::Role::kOperator && row.tenant.empty())
    return cli::usage(cli, "admin and rep tokens need --tenant");
  if (row.role == auth::Role::kRep && row.agent.empty()) return cli::usage(cli, "a rep token needs --agent");
  row.created_by = "cli:offline";
  auto db = store::Database::open(url, 2);
  if (!db) return fail(db.error().message);
  // The table may not exist yet on a fresh data directory: bring the schema up as the host would.
  if (auto migrated = store::migrate(*db.value()); !migrated) return fail(migrated.error().message);
  auto created = auth::TokenRepository(db.value()).create(row);
  if (!created) return fail(created.error().message);
  const auto& [saved, secret] = created.value();
  if (cli.flag("json")) {
    std::cout << boost::json::serialize(boost::json::object{{"id", saved.id},
                                                            {"name", saved.name},
                                                            {"role", auth::role_name(saved.role)},
                                                            {"tenant", saved.tenant},
                                                            {"agent", saved.agent},
                                                            {"token", secret}})
              << "\n";
  } else {
    std::cout << "token " << saved.id << " (" << auth::role_name(saved.role) << "): " << secret
              << "\nIt is shown only now: store it in a secret manager.\n";
  }
  return 0;
}

int tokens(const Cli& cli) {
  if (cli.sub == "create") {
    if (cli.opt("name").empty() || cli.opt("role").empty())
      return cli::usage(cli, "tokens create needs --name and --role");
    boost::json::object body{{"name", cli.opt("name")}, {"role", cli.opt("role")}};
    if (!cli.opt("tenant").empty()) body["tenant"] = cli.opt("tenant");
    if (!cli.opt("agent").empty()) body["agent"] = cli.opt("agent");
    if (cli.flag("offline")) return offline_token(cli, body);
    return call(cli, "POST", "/v1/admin/tokens", body, [](const boost::json::value& t) {
      std::cout << "token " << field(t, "id") << " (" << field(t, "role") << "): " << field(t, "token")
                << "\nIt is shown only now: store it in a secret manager.\n";
    });
  }
  if (cli.sub == "list") {
    const std::string q = cli.opt("tenant").empty() ? "" : "?tenant=" + cli.opt("tenant");
    return call(cli, "GET", "/v1/admin/tokens" + q, nullptr, [](const boost::json::value& doc) {
      for (const auto& t : doc.at("tokens").as_array()) print_token(t);
    });
  }
  if (cli.sub == "revoke") {
    if (cli.positional.size() != 1) return cli::usage(cli, "tokens revoke needs one token id");
    return call(cli, "DELETE", "/v1/admin/tokens/" + cli.positional[0], nullptr,
                [](const boost::json::value& t) { std::cout << "revoked " << field(t, "id") << "\n"; });
  }
  return cli::usage(cli, "tokens needs create, list or revoke");
}

int tenants(const Cli& cli) {
  if (cli.sub == "list")
    return call(cli, "GET", "/v1/admin/tenants", nullptr, [](const boost::json::value& doc) {
      for (const auto& t : doc.at("tenants").as_array())
        std::cout << field(t, "id") << "\t" << field(t, "name") << "\n";
    });
  if (cli.sub == "create") {
    if (cli.positional.size() != 1) return cli::usage(cli, "tenants create needs one tenant id");
    boost::json::object body{{"id", cli.positional[0]}};
    if (!cli.opt("name").empty()) body["name"] = cli.opt("name");
    if (!cli.opt("settings").empty()) {
      auto s = object_file(cli.opt("settings"));
      if (!s) return 1;
      body["settings"] = std::move(*s);
    }
    return call(cli, "POST", "/v1/admin/tenants", body,
                [](const boost::json::value& t) { std::cout << "created tenant " << field(t, "id") << "\n"; });
  }
  return cli::usage(cli, "tenants needs list or create");
}

int connections(const Cli& cli) {
  if (cli.sub == "list") {
    const std::string q = cli.opt("tenant").empty() ? "" : "?tenant=" + cli.opt("tenant");
    return call(cli, "GET", "/v1/admin/connections" + q, nullptr, [](const boost::json::value& doc) {
      for (const auto& c : doc.at("connections").as_array()) print_connection(c);
    });
  }
  if (cli.sub == "create") {
    if (cli.positional.size() != 1 || cli.opt("connector").empty())
      return cli::usage(cli, "connections create needs one connection id and --connector");
    boost::json::object body{{"id", cli.positional[0]}, {"connector", cli.opt("connector")}};
    if (!cli.opt("tenant").empty()) body["tenant"] = cli.opt("tenant");
    for (const char* key : {"settings", "credentials"})
      if (!cli.opt(key).empty()) {
        auto o = object_file(cli.opt(key));
        if (!o) return 1;
        body[key] = std::move(*o);
      }
    if (cli.flag("disabled")) body["enabled"] = false;
    return call(cli, "POST", "/v1/admin/connections", body, print_connection);
  }
  if (cli.sub == "enable" || cli.sub == "disable") {
    if (cli.positional.size() != 1) return cli::usage(cli, "connections " + cli.sub + " needs one connection id");
    return call(cli, "PATCH", "/v1/admin/connections/" + cli.positional[0],
                boost::json::object{{"enabled", cli.sub == "enable"}}, print_connection);
  }
  return cli::usage(cli, "connections needs list, create, enable or disable");
}

} // namespace

bool is_admin_cli_command(const std::string& command) {
  return command == "tokens" || command == "tenants" || command == "connections" ||
         (command != "audit" && is_operations_command(command));
}

bool audit_goes_to_host(int argc, char** argv) {
  for (int i = 2; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "list" || arg == "--url" || arg.rfind("--url=", 0) == 0) return true;
  }
  return false;
}

int admin_cli(int argc, char** argv) {
  std::string error;
  auto parsed = cli::parse(argc, argv, {"json", "offline", "disabled", "all", "clear"}, error);
  if (!parsed) {
    std::cerr << "appconnect: " << error << "\n" << kUsage << kOperationsUsage << kUsageEnd;
    return cli::kExitUsage;
  }
  Cli& cli = *parsed;
  cli.usage_text = std::string(kUsage) + kOperationsUsage + kUsageEnd;
  if (cli.command == "tokens") return tokens(cli);
  if (cli.command == "tenants") return tenants(cli);
  if (cli.command == "connections") return connections(cli);
  if (is_operations_command(cli.command)) return operations_cli(cli);
  return cli::usage(cli, "unknown command '" + cli.command + "'");
}

} // namespace appconnect::app
