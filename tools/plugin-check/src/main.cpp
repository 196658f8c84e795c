// appconnect-plugin-check PLUGIN.so [--sandbox URL [--record FILE] | --transcript FILE] [--connection-settings FILE]
//                         [--threads N] [--isolated] [--json]
// Runs the conformance suite (conformance.hpp) and prints a pass/fail report. Exit codes: 0 every check
// passed or was skipped, 1 a check failed, 2 wrong usage.
#include "conformance.hpp"

#include <boost/json.hpp>

#include <csignal>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

namespace {

constexpr const char* kUsage =
    R"(Usage: appconnect-plugin-check PLUGIN.so [--sandbox URL [--record FILE] | --transcript FILE]
                              [--connection-settings FILE] [--threads N] [--isolated] [--json]

Loads PLUGIN.so through the AppConnect host's plugin loader and checks it: the manifest, the call
boundary and, with --sandbox, every declared operation against a CRM sandbox (appconnect-crm-sandbox),
external-id idempotency, error mapping (401, 429 with Retry-After, 5xx, validation) injected through the
sandbox's /__sandbox control API, a call deadline, a 256 KiB note, and N threads at once (default 8).

  --sandbox URL                 base URL of a running appconnect-crm-sandbox for the plugin's CRM
  --record FILE                 with --sandbox: put a loopback proxy between the plugin and the sandbox and
                                write every exchange to FILE (JSON Lines; no request headers, tokens in
                                bodies redacted)
  --transcript FILE             instead of --sandbox: answer the plugin from a FILE written by --record,
                                offline. A request the file cannot answer fails the check that made it.
                                The run reuses the recording's thread count (--threads is ignored).
  --connection-settings FILE    {"settings": {...}, "credentials": {...}} of the test connection;
                                "${SANDBOX_URL}" in any value becomes the URL the plugin is to call
                                (the sandbox, the recording proxy or the replay server). Default: every
                                URL-like manifest setting points at the sandbox, and the sandbox issues
                                the access token.
  --isolated                    load and call the plugin out of process, through appconnect-plugin-worker
                                (beside this program, or $APPCONNECT_PLUGIN_WORKER), as a host does for
                                plugins listed in plugin_isolation
  --json                        print the report as one JSON document

Exit codes: 0 all checks passed (or were skipped), 1 a check failed, 2 wrong usage.
)";

int usage(const std::string& message) {
  std::cerr << "appconnect-plugin-check: " << message << "\n\n" << kUsage;
  return 2;
}

} // namespace

int main(int argc, char** argv) {
  std::signal(SIGPIPE, SIG_IGN);
  appconnect::plugin_check::Options options;
  bool as_json = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&](std::string& out) {
      if (i + 1 >= argc) return false;
      out = argv[++i];
      return true;
    };
    if (arg == "--help" || arg == "-h") {
      std::cout << kUsage;
      return 0;
    } else if (arg == "--json") {
      as_json = true;
    } else if (arg == "--isolated") {
      options.isolated = true;
    } else if (arg == "--sandbox") {
      if (!value(options.sandbox_url)) return usage("--sandbox needs a URL");
      while (!options.sandbox_url.empty() && options.sandbox_url.back() == '/') options.sandbox_url.pop_back();
    } else if (arg == "--record" || arg == "--transcript") {
      std::string file;
      if (!value(file) || file.empty()) return usage(arg + " needs a FILE");
      (arg == "--record" ? options.record_file : options.transcript_file) = file;
    } else if (arg == "--connection-settings") {
      std::string file;
      if (!value(file)) return usage("--connection-settings needs a FILE");
      std::ifstream in(file);
      std::stringstream text;
      text << in.rdbuf();
      boost::system::error_code ec;
      auto doc = boost::json::parse(text.str(), ec);
      if (!in || ec || !doc.is_object()) {
        std::cerr << "appconnect-plugin-check: " << file << " is not a readable JSON object\n";
        return 2;
      }
      options.connection = doc.get_object();
    } else if (arg == "--threads") {
      std::string n;
      if (!value(n)) return usage("--threads needs a number");
      try {
        options.threads = std::stoi(n);
      } catch (...) {
        options.threads = 0;
      }
      if (options.threads < 1 || options.threads > 64) return usage("--threads must be from 1 to 64");
    } else if (arg.rfind("--", 0) == 0) {
      return usage("unknown option " + arg);
    } else if (options.plugin.empty()) {
      options.plugin = arg;
    } else {
      return usage("one PLUGIN.so only");
    }
  }
  if (options.plugin.empty()) return usage("PLUGIN.so is required");
  if (!options.transcript_file.empty() && !options.sandbox_url.empty())
    return usage("--transcript replaces --sandbox: give one of them");
  if (!options.record_file.empty() && options.sandbox_url.empty()) return usage("--record needs --sandbox");
  if (options.connection && options.sandbox_url.empty() && options.transcript_file.empty())
    return usage("--connection-settings needs --sandbox or --transcript");

  const auto report = appconnect::plugin_check::run_checks(options);
  if (as_json)
    std::cout << boost::json::serialize(appconnect::plugin_check::render_json(options, report)) << "\n";
  else
    std::cout << appconnect::plugin_check::render_text(options, report);
  return report.ok() ? 0 : 1;
}
