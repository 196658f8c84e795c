#include "app/cli_operations.hpp"

#include <boost/json.hpp>

#include <ctime>
#include <iostream>
#include <string>
#include <vector>

namespace appconnect::app {

const char* const kOperationsUsage =
    R"(  appconnect unresolved list [--tenant T] [--state open|resolved|skipped|all] [--connection C] [--agent A]
                             [--kind K] [--phone E164] [--older-than-s N] [--after ID] [--limit N]
  appconnect unresolved show ID [--tenant T]
  appconnect unresolved resolve ID... --action pick --contact-id X [--contact-type T] [--by NAME] [--tenant T]
  appconnect unresolved resolve ID... --action create --last-name L [--first-name F] [--by NAME] [--tenant T]
  appconnect unresolved skip ID... [--by NAME] [--tenant T]
  appconnect unresolved rerun (ID... | --all) [--tenant T]
  appconnect jobs list [--state failed|pending|running|done|unresolved|discarded] [--tenant T] [--after ID] [--limit N]
  appconnect jobs show ID | retry ID | discard ID
  appconnect settings show [--tenant T | --connection C]
  appconnect settings set KEY=JSON... [--file PATCH.json] [--tenant T | --connection C]
        (a merge patch of top-level keys: KEY=null removes KEY; a VALUE that is not JSON is a string)
  appconnect settings versions [--tenant T | --connection C]
  appconnect settings rollback VERSION [--tenant T | --connection C]
  appconnect settings mine                       (a rep's own overrides and what may be overridden)
  appconnect settings override PATH=JSON... | --clear      (replaces the caller's own overrides)
  appconnect events list [--tenant T] [--kind K] [--after SEQ] [--limit N]
  appconnect events show ID [--tenant T]         (every job of the event: the CRM record written and why, or why not)
  appconnect audit list [--tenant T] [--after POS] [--limit N]
  appconnect audit export --url URL [--tenant T] [--from POS] [--to POS]   (JSON Lines)
  appconnect audit verify --url URL              (operators; exit 1 when the chain is broken)
)";

namespace {
using cli::Cli;
using cli::field;
using cli::kExitOk;
using cli::kExitRefused;
using cli::usage; // also found through the argument (a cli::Cli)

// "2026-11-25T18:33:09Z" from milliseconds since the epoch ("-" when unknown).
std::string when(const boost::json::value& o, const char* key) {
  const auto* v = o.is_object() ? o.as_object().if_contains(key) : nullptr;
  if (v == nullptr || !v->is_int64() || v->get_int64() <= 0) return "-";
  const std::time_t seconds = static_cast<std::time_t>(v->get_int64() / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char out[32];
  std::strftime(out, sizeof out, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return out;
}

// Tells a person at a terminal how to get the next page; scripts use --json and next_after.
void more_hint(const boost::json::value& doc) {
  if (const auto* n = doc.as_object().if_contains("next_after"); n && !n->is_null())
    std::cerr << "(more: --after " << cli::text(*n) << ")\n";
}

// Item and job ids from the positional words; nullopt (usage printed) when one is not a number.
std::optional<boost::json::array> ids_of(const Cli& cli, std::size_t first, int& exit_code) {
  boost::json::array ids;
  for (std::size_t i = first; i < cli.positional.size(); ++i) {
    auto n = cli::whole_number(cli.positional[i]);
    if (!n) {
      exit_code = usage(cli, "'" + cli.positional[i] + "' is not an id (a whole number)");
      return std::nullopt;
    }
    ids.push_back(*n);
  }
  return ids;
}

// ---------------------------------------------------------------------------------------- unresolved

void print_item(const boost::json::value& i) {
  std::cout << field(i, "id") << "\t" << field(i, "state") << "\t" << field(i, "kind") << "\t" << field(i, "phone")
            << "\t" << field(i, "agent") << "\t" << field(i, "connection") << "\t" << field(i, "reason") << "\n";
}

void print_item_details(const boost::json::value& i) {
  for (const char* key : {"id", "tenant", "connection", "job", "conversation_key", "kind", "phone", "agent", "reason",
                          "message", "state", "resolution", "resolved_by"})
    if (i.as_object().contains(key)) std::cout << key << ": " << field(i, key) << "\n";
  std::cout << "created: " << when(i, "created_at_ms") << "\n";
  if (const auto* cs = i.as_object().if_contains("candidates"); cs && cs->is_array())
    for (const auto& c : cs->get_array())
      std::cout << "candidate: " << field(c, "id") << "\t" << field(c, "type") << "\t" << field(c, "name") << "\n";
}

// The decision body from --action and its options; nullopt (usage printed) when incomplete.
std::optional<boost::json::object> decision_of(const Cli& cli, const std::string& action, int& exit_code) {
  boost::json::object d{{"action", action}};
  if (action == "pick") {
    if (cli.opt("contact-id").empty()) {
      exit_code = usage(cli, "--action pick needs --contact-id");
      return std::nullopt;
    }
    d["contact_id"] = cli.opt("contact-id");
    if (!cli.opt("contact-type").empty()) d["contact_type"] = cli.opt("contact-type");
  } else if (action == "create") {
    if (cli.opt("last-name").empty()) {
      exit_code = usage(cli, "--action create needs --last-name");
      return std::nullopt;
    }
    d["last_name"] = cli.opt("last-name");
    if (!cli.opt("first-name").empty()) d["first_name"] = cli.opt("first-name");
  } else if (action != "skip") {
    exit_code = usage(cli, "--action must be pick, create or skip");
    return std::nullopt;
  }
  if (!cli.opt("by").empty()) d["by"] = cli.opt("by");
  if (!cli.opt("tenant").empty()) d["tenant"] = cli.opt("tenant");
  return d;
}

// One item goes to its own route (its error is the answer's status); several go to the batch route,
// where each succeeds or fails on its own: any failure makes the exit code 1.
int resolve(const Cli& cli, const std::string& action) {
  int code = kExitOk;
  auto ids = ids_of(cli, 0, code);
  if (!ids) return code;
  if (ids->empty()) return usage(cli, "unresolved " + cli.sub + " needs at least one item id");
  auto decision = decision_of(cli, action, code);
  if (!decision) return code;
  if (ids->size() == 1)
    return cli::call(
        cli, "POST", "/v1/admin/unresolved/" + cli::text(ids->front()) + "/resolve", *decision,
        [](const boost::json::value& r) { std::cout << field(r, "id") << "\t" << field(r, "status") << "\n"; });
  (*decision)["ids"] = std::move(*ids);
  auto doc = cli::request(cli, "POST", "/v1/admin/unresolved/resolve", *decision, code);
  if (!doc) return code;
  if (cli.flag("json")) {
    std::cout << boost::json::serialize(*doc) << "\n";
  } else {
    for (const auto& r : doc->at("results").as_array()) {
      std::cout << field(r, "id") << "\t" << field(r, "status");
      if (const auto* e = r.as_object().if_contains("error")) std::cout << "\t" << field(*e, "message");
      std::cout << "\n";
    }
  }
  const auto failed = doc->at("failed").to_number<std::int64_t>();
  if (failed > 0) {
    std::cerr << "appconnect: " << failed << " of " << (*decision)["ids"].as_array().size()
              << " item(s) were not resolved\n";
    return kExitRefused;
  }
  return kExitOk;
}

int unresolved(const Cli& cli) {
  if (cli.sub == "list")
    return cli::call(cli, "GET",
                     "/v1/admin/unresolved" + cli::query(cli, {"tenant", "state", "connection", "agent", "kind",
                                                               "phone", "older-than-s", "after", "limit"}),
                     nullptr, [](const boost::json::value& doc) {
                       for (const auto& i : doc.at("items").as_array()) print_item(i);
                       std::cerr << "open: " << field(doc, "open_total") << "\n";
                       more_hint(doc);
                     });
  if (cli.sub == "show") {
    if (cli.positional.size() != 1 || !cli::whole_number(cli.positional[0]))
      return usage(cli, "unresolved show needs one item id");
    return cli::call(cli, "GET", "/v1/admin/unresolved/" + cli.positional[0] + cli::query(cli, {"tenant"}), nullptr,
                     print_item_details);
  }
  if (cli.sub == "resolve") {
    if (cli.opt("action").empty()) return usage(cli, "unresolved resolve needs --action pick|create|skip");
    return resolve(cli, cli.opt("action"));
  }
  if (cli.sub == "skip") return resolve(cli, "skip");
  if (cli.sub == "rerun") {
    int code = kExitOk;
    auto ids = ids_of(cli, 0, code);
    if (!ids) return code;
    if (ids->empty() == !cli.flag("all")) return usage(cli, "unresolved rerun needs item ids or --all (not both)");
    boost::json::object body;
    if (cli.flag("all"))
      body["all"] = true;
    else
      body["ids"] = std::move(*ids);
    if (!cli.opt("tenant").empty()) body["tenant"] = cli.opt("tenant");
    return cli::call(cli, "POST", "/v1/admin/unresolved/rerun", body,
                     [](const boost::json::value& r) { std::cout << "requeued " << field(r, "requeued") << "\n"; });
  }
  return usage(cli, "unresolved needs list, show, resolve, skip or rerun");
}

// ---------------------------------------------------------------------------------------------- jobs

void print_job(const boost::json::value& j) {
  std::cout << field(j, "id") << "\t" << field(j, "state") << "\t" << field(j, "tenant") << "\t"
            << field(j, "connection") << "\t" << field(j, "attempts") << "\t" << when(j, "updated_at_ms") << "\t"
            << field(j, "last_error") << "\n";
}

int jobs(const Cli& cli) {
  if (cli.sub == "list")
    return cli::call(cli, "GET", "/v1/admin/jobs" + cli::query(cli, {"state", "tenant", "after", "limit"}), nullptr,
                     [](const boost::json::value& doc) {
                       for (const auto& j : doc.at("jobs").as_array()) print_job(j);
                       std::cerr << field(doc, "state") << ": " << field(doc, "total") << "\n";
                       more_hint(doc);
                     });
  if (cli.sub == "show" || cli.sub == "retry" || cli.sub == "discard") {
    if (cli.positional.size() != 1 || !cli::whole_number(cli.positional[0]))
      return usage(cli, "jobs " + cli.sub + " needs one job id");
    const std::string path = "/v1/admin/jobs/" + cli.positional[0];
    if (cli.sub == "show") return cli::call(cli, "GET", path, nullptr, print_job);
    return cli::call(cli, "POST", path + "/" + cli.sub, nullptr, print_job);
  }
  return usage(cli, "jobs needs list, show, retry or discard");
}

// ------------------------------------------------------------------------------------------ settings

// The settings' owner: --connection C, --tenant T, or the caller's own tenant (asked from whoami).
std::optional<std::string> settings_base(const Cli& cli, int& exit_code) {
  if (!cli.opt("connection").empty() && !cli.opt("tenant").empty()) {
    exit_code = usage(cli, "give --tenant or --connection, not both");
    return std::nullopt;
  }
  if (!cli.opt("connection").empty()) return "/v1/admin/connections/" + cli::encode(cli.opt("connection"));
  std::string tenant = cli.opt("tenant");
  if (tenant.empty()) {
    auto me = cli::request(cli, "GET", "/v1/admin/whoami", nullptr, exit_code);
    if (!me) return std::nullopt;
    tenant = field(*me, "tenant");
    if (tenant == "-" || tenant.empty()) {
      exit_code = usage(cli, "an operator token has no tenant of its own: give --tenant or --connection");
      return std::nullopt;
    }
  }
  return "/v1/admin/tenants/" + cli::encode(tenant);
}

// Settings as "path = value" lines, nested objects flattened with dots.
void print_settings(const boost::json::value& v, const std::string& prefix) {
  if (v.is_object() && !v.as_object().empty()) {
    for (const auto& kv : v.as_object())
      print_settings(kv.value(), prefix.empty() ? std::string(kv.key()) : prefix + "." + std::string(kv.key()));
    return;
  }
  if (!prefix.empty()) std::cout << prefix << " = " << boost::json::serialize(v) << "\n";
}

// KEY=VALUE words as an object; VALUE is JSON when it parses, else the text itself.
std::optional<boost::json::object> pairs_of(const Cli& cli, std::size_t first, int& exit_code) {
  boost::json::object out;
  for (std::size_t i = first; i < cli.positional.size(); ++i) {
    const std::string& word = cli.positional[i];
    const auto eq = word.find('=');
    if (eq == std::string::npos || eq == 0) {
      exit_code = usage(cli, "'" + word + "' is not KEY=VALUE");
      return std::nullopt;
    }
    boost::system::error_code ec;
    auto value = boost::json::parse(word.substr(eq + 1), ec);
    out[word.substr(0, eq)] = ec ? boost::json::value(word.substr(eq + 1)) : std::move(value);
  }
  return out;
}

int settings(const Cli& cli) {
  int code = kExitOk;
  if (cli.sub == "mine")
    return cli::call(cli, "GET", "/v1/admin/me/settings", nullptr, [](const boost::json::value& doc) {
      std::cout << "agent: " << field(doc, "agent") << "\n";
      for (const auto& p : doc.at("overridable").as_array()) std::cout << "overridable: " << cli::text(p) << "\n";
      print_settings(doc.at("settings"), "");
    });
  if (cli.sub == "override") {
    auto wanted = pairs_of(cli, 0, code);
    if (!wanted) return code;
    if (wanted->empty() != cli.flag("clear")) return usage(cli, "settings override needs PATH=VALUE... or --clear");
    return cli::call(cli, "PUT", "/v1/admin/me/settings", boost::json::object{{"settings", std::move(*wanted)}},
                     [](const boost::json::value& doc) {
                       std::cout << "overrides of agent " << field(doc, "agent") << ":\n";
                       print_settings(doc.at("settings"), "");
                     });
  }
  if (cli.sub != "show" && cli.sub != "set" && cli.sub != "versions" && cli.sub != "rollback")
    return usage(cli, "settings needs show, set, versions, rollback, mine or override");
  // Check the words before asking the host anything.
  std::optional<boost::json::object> patch;
  std::optional<std::int64_t> version;
  if (cli.sub == "set") {
    patch = pairs_of(cli, 0, code);
    if (!patch) return code;
    if (!cli.opt("file").empty()) {
      auto from_file = cli::object_file(cli.opt("file"));
      if (!from_file) return kExitRefused;
      for (auto& kv : *from_file) (*patch)[kv.key()] = kv.value();
    }
    if (patch->empty()) return usage(cli, "settings set needs KEY=VALUE... or --file");
  } else if (cli.sub == "rollback") {
    if (cli.positional.size() == 1) version = cli::whole_number(cli.positional[0]);
    if (!version) return usage(cli, "settings rollback needs one version number");
  } else if (!cli.positional.empty()) {
    return usage(cli, "settings " + cli.sub + " takes no words (use --tenant or --connection)");
  }
  auto base = settings_base(cli, code);
  if (!base) return code;
  auto show = [](const boost::json::value& doc) { print_settings(doc.at("settings"), ""); };
  if (cli.sub == "show") return cli::call(cli, "GET", *base, nullptr, show);
  if (cli.sub == "set")
    return cli::call(cli, "PATCH", *base, boost::json::object{{"settings", std::move(*patch)}}, show);
  if (cli.sub == "versions")
    return cli::call(cli, "GET", *base + "/settings/versions", nullptr, [](const boost::json::value& doc) {
      for (const auto& v : doc.at("versions").as_array())
        std::cout << field(v, "version") << "\t" << when(v, "at_ms") << "\t" << field(v, "actor") << "\n";
    });
  return cli::call(cli, "POST", *base + "/settings/rollback", boost::json::object{{"version", *version}}, show);
}

// -------------------------------------------------------------------------------------------- events

int events(const Cli& cli) {
  if (cli.sub == "list")
    return cli::call(cli, "GET", "/v1/admin/events" + cli::query(cli, {"tenant", "kind", "after", "limit"}), nullptr,
                     [](const boost::json::value& doc) {
                       for (const auto& e : doc.at("events").as_array())
                         std::cout << field(e, "seq") << "\t" << field(e, "id") << "\t" << field(e, "tenant") << "\t"
                                   << field(e, "kind") << "\t" << when(e, "received_at_ms") << "\t"
                                   << field(e, "conversation_key") << "\n";
                       more_hint(doc);
                     });
  if (cli.sub == "show") {
    if (cli.positional.size() != 1) return usage(cli, "events show needs one event id");
    return cli::call(cli, "GET", "/v1/admin/events/" + cli::encode(cli.positional[0]) + cli::query(cli, {"tenant"}),
                     nullptr, [](const boost::json::value& doc) {
                       std::cout << "event " << field(doc, "id") << " (" << field(doc, "kind") << ", tenant "
                                 << field(doc, "tenant") << ", seq " << field(doc, "seq") << ", received "
                                 << when(doc, "received_at_ms") << ")\n";
                       const auto& jobs = doc.at("jobs").as_array();
                       if (jobs.empty()) std::cout << "no job: the tenant had no connection when it arrived\n";
                       for (const auto& j : jobs) {
                         std::cout << "job " << field(j, "id") << "\t" << field(j, "connection") << "\t"
                                   << field(j, "state") << "\tattempts " << field(j, "attempts") << "\n";
                         for (const char* key : {"outcome", "reason", "last_error"})
                           if (j.as_object().contains(key)) std::cout << "  " << key << ": " << field(j, key) << "\n";
                       }
                     });
  }
  return usage(cli, "events needs list or show");
}

// --------------------------------------------------------------------------------------------- audit

int audit(const Cli& cli) {
  if (cli.sub == "list")
    return cli::call(cli, "GET", "/v1/admin/audit" + cli::query(cli, {"tenant", "after", "limit"}), nullptr,
                     [](const boost::json::value& doc) {
                       for (const auto& e : doc.at("entries").as_array())
                         std::cout << field(e, "position") << "\t" << when(e, "at_ms") << "\t" << field(e, "tenant")
                                   << "\t" << field(e, "actor") << "\t" << field(e, "action") << "\t"
                                   << field(e, "subject") << "\n";
                       more_hint(doc);
                     });
  if (cli.sub == "export")
    return cli::call_raw(cli, "/v1/admin/audit/export" + cli::query(cli, {"tenant", "from", "to"}));
  if (cli.sub == "verify") {
    int code = kExitOk;
    auto doc = cli::request(cli, "POST", "/v1/admin/audit/verify", nullptr, code);
    if (!doc) return code;
    const bool intact = doc->at("intact").as_bool();
    if (cli.flag("json"))
      std::cout << boost::json::serialize(*doc) << "\n";
    else if (intact)
      std::cout << "audit: " << field(*doc, "entries") << " entries, chain intact\n";
    else
      std::cout << "audit: chain broken at position " << field(*doc, "position") << " (" << field(*doc, "problem")
                << "): " << field(*doc, "message") << "\n";
    return intact ? kExitOk : kExitRefused;
  }
  return usage(cli, "audit needs list, export or verify");
}

} // namespace

bool is_operations_command(const std::string& command) {
  return command == "unresolved" || command == "jobs" || command == "settings" || command == "events" ||
         command == "audit";
}

int operations_cli(const Cli& cli) {
  if (cli.command == "unresolved") return unresolved(cli);
  if (cli.command == "jobs") return jobs(cli);
  if (cli.command == "settings") return settings(cli);
  if (cli.command == "events") return events(cli);
  return audit(cli);
}

} // namespace appconnect::app
