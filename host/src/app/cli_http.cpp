#include "app/cli_http.hpp"

#include "httpclient/http_client.hpp"

#include <boost/json.hpp>

#include <cctype>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

namespace appconnect::app::cli {
namespace {

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v == nullptr ? std::string() : std::string(v);
}

// The error message of a {"error":{"code","message"}} body, else the body itself.
std::string host_message(const std::string& body) {
  boost::system::error_code ec;
  const auto doc = boost::json::parse(body, ec);
  if (!ec && doc.is_object())
    if (const auto* e = doc.as_object().if_contains("error"); e && e->is_object())
      if (const auto* m = e->as_object().if_contains("message"); m && m->is_string())
        return std::string(m->get_string());
  return body;
}

struct Exchange {
  int exit_code = kExitOk;
  std::string body;
};

// Sends one request. On anything but a 2xx the reason is printed (and the error body too with --json,
// so scripts can read the code) and exit_code says which kind of failure it was.
Exchange send(const Cli& cli, const std::string& method, const std::string& path, const boost::json::value& body) {
  const std::string url = cli.opt("url"), token = cli.opt("token");
  if (url.empty() || token.empty())
    return {
        usage(cli, cli.command + " " + cli.sub + " needs --url and --token (or " + kUrlEnv + " and " + kTokenEnv + ")"),
        {}};
  httpclient::HttpClient client;
  sdk::HttpRequest request;
  request.method = method;
  request.url = url + path;
  request.headers = {{"Authorization", "Bearer " + token}};
  if (!body.is_null()) {
    request.headers["Content-Type"] = "application/json";
    request.body = boost::json::serialize(body);
  }
  auto response = client.send(request);
  if (!response) {
    fail("cannot reach " + url + ": " + response.error().message);
    return {kExitUnavailable, {}};
  }
  const auto& r = response.value();
  if (!r.ok()) {
    if (cli.flag("json")) std::cout << r.body << "\n";
    fail("the host answered " + std::to_string(r.status) + ": " + host_message(r.body));
    return {r.status >= 400 && r.status < 500 ? kExitRefused : kExitUnavailable, {}};
  }
  return {kExitOk, r.body};
}

} // namespace

std::string Cli::opt(const std::string& name) const {
  if (auto it = options.find(name); it != options.end()) return it->second;
  // Scripts keep the host and its token in the environment rather than on every command line (where
  // the token would show in the process list).
  if (name == "url") return env(kUrlEnv);
  if (name == "token") return env(kTokenEnv);
  return {};
}

std::optional<Cli> parse(int argc, char** argv, const std::set<std::string>& flags, std::string& error) {
  Cli cli;
  cli.command = argc > 1 ? argv[1] : "";
  for (int i = 2; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg.rfind("--", 0) == 0) {
      std::string name = arg.substr(2), value;
      if (const auto eq = name.find('='); eq != std::string::npos) {
        value = name.substr(eq + 1);
        name = name.substr(0, eq);
      } else if (flags.count(name)) {
        cli.flags.insert(name);
        continue;
      } else if (i + 1 < argc) {
        value = argv[++i];
      } else {
        error = "--" + name + " needs a value";
        return std::nullopt;
      }
      cli.options[name] = value;
    } else if (cli.sub.empty()) {
      cli.sub = arg;
    } else {
      cli.positional.push_back(arg);
    }
  }
  return cli;
}

int usage(const Cli& cli, const std::string& message) {
  std::cerr << "appconnect: " << message << "\n" << cli.usage_text;
  return kExitUsage;
}

int fail(const std::string& message) {
  std::cerr << "appconnect: " << message << "\n";
  return kExitRefused;
}

std::optional<boost::json::object> object_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream content;
  content << in.rdbuf();
  boost::system::error_code ec;
  auto v = boost::json::parse(content.str(), ec);
  if (!in || ec || !v.is_object()) {
    std::cerr << "appconnect: " << path << " is not a readable JSON object\n";
    return std::nullopt;
  }
  return std::move(v.get_object());
}

std::optional<std::int64_t> whole_number(const std::string& text) {
  if (text.empty() || text.size() > 18) return std::nullopt;
  for (char c : text)
    if (c < '0' || c > '9') return std::nullopt;
  return std::stoll(text);
}

std::string encode(const std::string& text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string query(const Cli& cli, const std::vector<std::string>& names) {
  std::string q;
  for (const auto& name : names) {
    const std::string value = cli.opt(name);
    if (value.empty()) continue;
    std::string param = name;
    for (auto& c : param)
      if (c == '-') c = '_';
    q += (q.empty() ? "?" : "&") + param + "=" + encode(value);
  }
  return q;
}

int call(const Cli& cli, const std::string& method, const std::string& path, const boost::json::value& body,
         const std::function<void(const boost::json::value&)>& human) {
  auto exchange = send(cli, method, path, body);
  if (exchange.exit_code != kExitOk) return exchange.exit_code;
  boost::system::error_code ec;
  const auto doc = boost::json::parse(exchange.body, ec);
  if (ec) {
    std::cerr << "appconnect: the host's answer is not JSON\n";
    return kExitUnavailable;
  }
  if (cli.flag("json"))
    std::cout << exchange.body << "\n";
  else
    human(doc);
  return kExitOk;
}

int call_raw(const Cli& cli, const std::string& path) {
  auto exchange = send(cli, "GET", path, nullptr);
  if (exchange.exit_code == kExitOk) std::cout << exchange.body << std::flush;
  return exchange.exit_code;
}

std::optional<boost::json::value> request(const Cli& cli, const std::string& method, const std::string& path,
                                          const boost::json::value& body, int& exit_code) {
  auto exchange = send(cli, method, path, body);
  exit_code = exchange.exit_code;
  if (exit_code != kExitOk) return std::nullopt;
  boost::system::error_code ec;
  auto doc = boost::json::parse(exchange.body, ec);
  if (ec) {
    std::cerr << "appconnect: the host's answer is not JSON\n";
    exit_code = kExitUnavailable;
    return std::nullopt;
  }
  return doc;
}

std::string text(const boost::json::value& v) {
  if (v.is_string()) return std::string(v.get_string());
  if (v.is_null()) return "-";
  return boost::json::serialize(v);
}

std::string field(const boost::json::value& o, const char* key) {
  if (!o.is_object()) return "-";
  const auto* v = o.as_object().if_contains(key);
  return v ? text(*v) : "-";
}

} // namespace appconnect::app::cli
