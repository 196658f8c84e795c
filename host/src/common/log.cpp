#include "common/log.hpp"

#include <appconnect/time.hpp>

#include <boost/json/serialize.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>

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

} // namespace

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
  for (const auto& kv : fields) line[kv.key()] = kv.value();
  std::string text = boost::json::serialize(line);
  text.push_back('\n');
  // One fwrite per line keeps lines whole when several threads log at once.
  static std::mutex m;
  std::lock_guard lock(m);
  std::fwrite(text.data(), 1, text.size(), stderr);
}

} // namespace appconnect::log
