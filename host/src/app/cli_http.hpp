// What every admin-API subcommand of `appconnect` shares: the parsed command line, the call to the host
// (--url/--token, or APPCONNECT_URL/APPCONNECT_TOKEN), `--json` output and the exit codes scripts test.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace appconnect::app::cli {

// Exit codes. 1 is also every local failure (an unreadable file); 3 means trying again later may help.
inline constexpr int kExitOk = 0;
inline constexpr int kExitRefused = 1;     // the host answered 4xx: the request itself was refused
inline constexpr int kExitUsage = 2;       // wrong command line; nothing was sent
inline constexpr int kExitUnavailable = 3; // no answer, a 5xx, or an answer that is not what the API sends

inline constexpr const char* kUrlEnv = "APPCONNECT_URL";
inline constexpr const char* kTokenEnv = "APPCONNECT_TOKEN";

struct Cli {
  std::string command, sub;
  std::vector<std::string> positional;
  std::map<std::string, std::string> options;
  std::set<std::string> flags;
  std::string usage_text; // printed after a usage error

  std::string opt(const std::string& name) const;
  bool flag(const std::string& name) const { return flags.count(name) > 0; }
};

// argv[1] is the command, argv[2] (the first word that is not an option) the subcommand. Options are
// "--name value" or "--name=value"; names in `flags` take no value. nullopt: the reason is in `error`.
std::optional<Cli> parse(int argc, char** argv, const std::set<std::string>& flags, std::string& error);

int usage(const Cli& cli, const std::string& message);
int fail(const std::string& message);

// A JSON object from a file, or nullopt with the reason printed.
std::optional<boost::json::object> object_file(const std::string& path);
// A whole number >= 0 from the command line, or nullopt.
std::optional<std::int64_t> whole_number(const std::string& text);
// Percent-encodes one query parameter or path segment.
std::string encode(const std::string& text);
// "?a=1&b=2" from the options named in `names` that were given (query parameter = option name, with
// '-' turned into '_'); empty when none was.
std::string query(const Cli& cli, const std::vector<std::string>& names);

// One admin API call; prints the body as it came (--json) or through `human`. Returns the exit code.
int call(const Cli& cli, const std::string& method, const std::string& path, const boost::json::value& body,
         const std::function<void(const boost::json::value&)>& human);
// The same for an answer that is not JSON (JSON Lines): printed as it came, whatever --json says.
int call_raw(const Cli& cli, const std::string& path);
// A call whose JSON answer the caller needs before deciding what to print or return (whoami before
// the real call, a batch whose items may fail on their own); prints nothing on success, the reason on
// failure (with `exit_code` set).
std::optional<boost::json::value> request(const Cli& cli, const std::string& method, const std::string& path,
                                          const boost::json::value& body, int& exit_code);

// Table cells: a string as it is, null as "-", anything else as JSON.
std::string text(const boost::json::value& v);
std::string field(const boost::json::value& o, const char* key);

} // namespace appconnect::app::cli
