#include "web/console_routes.hpp"

#include <array>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>

namespace appconnect::web {
namespace {

// A file name the console may ask for: letters, digits, '.', '-', '_', not starting with a dot. This
// keeps every request inside the web directory (no "..", no hidden files, no subfolders).
bool safe_name(std::string_view name) {
  if (name.empty() || name.size() > 128 || name.front() == '.') return false;
  for (const char c : name) {
    const bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

http::Response serve_file(const std::filesystem::path& web_dir, const std::string& name) {
  const auto not_found = [&name] {
    return http::Response::error(404, "not_found", "the console has no file '" + name + "'");
  };
  if (web_dir.empty())
    return http::Response::error(404, "not_found",
                                 "the console files were not found; set 'web_dir' in the config file");
  if (!safe_name(name)) return not_found();
  const auto type = content_type_for(name);
  if (!type) return not_found();
  const auto file = web_dir / name;
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec)) return not_found();
  std::ifstream in(file, std::ios::binary);
  if (!in) return not_found();
  std::ostringstream text;
  text << in.rdbuf();
  http::Response r;
  r.status = 200;
  r.content_type = std::string(*type);
  r.body = text.str();
  // The files change with the host version; revalidating each time keeps an upgraded console consistent.
  r.headers.emplace_back("Cache-Control", "no-cache");
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  // Everything the console loads comes from the host itself.
  r.headers.emplace_back("Content-Security-Policy",
                         "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
                         "connect-src 'self'; frame-ancestors 'none'");
  return r;
}

} // namespace

std::filesystem::path default_web_dir() {
  std::error_code ec;
  const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return {};
  const auto prefix = exe.parent_path().parent_path();
  for (const auto& candidate : {prefix / "web", prefix / "share" / "appconnect" / "web"})
    if (std::filesystem::is_regular_file(candidate / "index.html", ec)) return candidate;
  return {};
}

std::optional<std::string_view> content_type_for(std::string_view file_name) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 8> kTypes{{
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".ico", "image/x-icon"},
      {".json", "application/json"},
  }};
  for (const auto& [ext, type] : kTypes)
    if (file_name.size() > ext.size() && file_name.substr(file_name.size() - ext.size()) == ext) return type;
  return std::nullopt;
}

void add_console_routes(http::Router& router, std::filesystem::path web_dir) {
  router.add("GET", "/", [](const http::Request&) {
    http::Response r;
    r.status = 302;
    r.content_type = "text/plain; charset=utf-8";
    r.body = "See /console\n";
    r.headers.emplace_back("Location", "/console");
    return r;
  });
  router.add("GET", "/console", [web_dir](const http::Request&) { return serve_file(web_dir, "index.html"); });
  router.add("GET", "/console/{file}",
             [web_dir](const http::Request& r) { return serve_file(web_dir, r.params.at("file")); });
}

} // namespace appconnect::web
