#include "common/log.hpp"

#include <appconnect/time.hpp>

#include <boost/json/serialize.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace appconnect::log {
namespace {

Level level_from_env() {
  const char* v = std::getenv("APPCONNECT_LOG_LEVEL");
  if (v == nullptr) return Level::kInfo;
  const std::string s(v);
  if (s == "debug") return Level::kDebug;
  if (s == "warn") return Level::kWarn;
  if (s == "error") return Level::kError;
  return Level::kInfo;
}

std::atomic<int>& threshold() {
  static std::atomic<int> t{static_cast<int>(level_from_env())};
  return t;
}

const char* level_name(Level l) {
  switch (l) {
    case Level::kDebug:
      return "debug";
    case Level::kInfo:
      return "info";
    case Level::kWarn:
      return "warn";
    case Level::kError:
      return "error";
  }
  return "info";
}

std::atomic<int>& format_flag() {
  static std::atomic<int> f{static_cast<int>(Format::kJson)};
  return f;
}

std::vector<std::pair<std::string, std::string>>& context() {
  thread_local std::vector<std::pair<std::string, std::string>> c;
  return c;
}

// key=value, quoting values with spaces, quotes or '=' so a line stays splittable.
void append_text_field(std::string& out, std::string_view key, const boost::json::value& v) {
  out.push_back(' ');
  out.append(key).push_back('=');
  std::string text = v.is_string() ? std::string(v.get_string()) : boost::json::serialize(v);
  if (text.find_first_of(" \t\"=") == std::string::npos && !text.empty()) {
    out.append(text);
    return;
  }
  out.append(boost::json::serialize(boost::json::value(text)));
}

} // namespace

void set_format(Format format) {
  format_flag().store(static_cast<int>(format));
}

ScopedContext::ScopedContext(std::string key, std::string value) {
  context().emplace_back(std::move(key), std::move(value));
}

ScopedContext::~ScopedContext() {
  context().pop_back();
}

std::string context_value(std::string_view key) {
  const auto& c = context();
  for (auto it = c.rbegin(); it != c.rend(); ++it)
    if (it->first == key) return it->second;
  return {};
}

void set_min_level(Level level) {
  threshold().store(static_cast<int>(level));
}
Level min_level() {
  return static_cast<Level>(threshold().load());
}

void write(Level level, std::string_view component, std::string_view message, const boost::json::object& fields) {
  if (static_cast<int>(level) < threshold().load(std::memory_order_relaxed)) return;
  const auto now_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  boost::json::object line;
  line["ts"] = sdk::time::format_iso8601_utc(now_ms, true);
  line["level"] = level_name(level);
  line["component"] = component;
  line["msg"] = message;
  for (const auto& [k, v] : context())
    if (!fields.contains(k)) line[k] = v; // inner scopes come later and overwrite outer ones
  for (const auto& kv : fields) line[kv.key()] = kv.value();
  std::string text;
  if (format_flag().load(std::memory_order_relaxed) == static_cast<int>(Format::kText)) {
    text.append(line["ts"].get_string()).push_back(' ');
    text.append(level_name(level)).push_back(' ');
    text.append(component).append(": ").append(message);
    for (const auto& kv : line) {
      const auto k = kv.key();
      if (k == "ts" || k == "level" || k == "component" || k == "msg") continue;
      append_text_field(text, k, kv.value());
    }
  } else {
    text = boost::json::serialize(line);
  }
  text.push_back('\n');
  // One fwrite per line keeps lines whole when several threads log at once.
  static std::mutex m;
  std::lock_guard lock(m);
  std::fwrite(text.data(), 1, text.size(), stderr);
}

} // namespace appconnect::log
