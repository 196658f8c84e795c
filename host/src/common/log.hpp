// Structured logging: one JSON object per line on stderr, with a level, a component and fields (or, with
// the text format, one readable line). Lines written while a ScopedContext is alive on the thread carry
// its fields too (the request id of the HTTP request being served, the event id it is about).
// Never pass secrets (tokens, credentials, context documents) as fields or in the message.
#pragma once

#include <boost/json/object.hpp>

#include <string>
#include <string_view>

namespace appconnect::log {

enum class Level { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };

// Lines below this level are dropped (default kInfo; APPCONNECT_LOG_LEVEL=debug|info|warn|error).
void set_min_level(Level level);
Level min_level();

enum class Format { kJson, kText };
// kJson by default; config "log_format".
void set_format(Format format);

// Adds `key: value` to every line this thread writes until destroyed (nested scopes stack; an inner
// value for the same key wins).
class ScopedContext {
 public:
  ScopedContext(std::string key, std::string value);
  ~ScopedContext();
  ScopedContext(const ScopedContext&) = delete;
  ScopedContext& operator=(const ScopedContext&) = delete;
};

// The value of `key` in this thread's context, or empty.
std::string context_value(std::string_view key);

void write(Level level, std::string_view component, std::string_view message, const boost::json::object& fields = {});

inline void debug(std::string_view c, std::string_view m, const boost::json::object& f = {}) {
  write(Level::kDebug, c, m, f);
}
inline void info(std::string_view c, std::string_view m, const boost::json::object& f = {}) {
  write(Level::kInfo, c, m, f);
}
inline void warn(std::string_view c, std::string_view m, const boost::json::object& f = {}) {
  write(Level::kWarn, c, m, f);
}
inline void error(std::string_view c, std::string_view m, const boost::json::object& f = {}) {
  write(Level::kError, c, m, f);
}

} // namespace appconnect::log
