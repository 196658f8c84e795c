// Structured logging: one JSON object per line on stderr, with a level, a component and fields.
// Never pass secrets (tokens, credentials, context documents) as fields or in the message.
#pragma once

#include <boost/json/object.hpp>

#include <string_view>

namespace appconnect::log {

enum class Level { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };

// Lines below this level are dropped (default kInfo; APPCONNECT_LOG_LEVEL=debug|info|warn|error).
void set_min_level(Level level);
Level min_level();

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
