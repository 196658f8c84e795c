// Shared by the fuzz targets: quiet logs and a JSON parse that never throws.
#pragma once

#include "common/log.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace appconnect::fuzz {

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

inline std::optional<boost::json::value> parse_json(std::string_view text) {
  boost::system::error_code ec;
  auto v = boost::json::parse(text, ec);
  if (ec) return std::nullopt;
  return v;
}

// Warnings the code under test logs for bad input would drown the fuzzer's own output.
inline void quiet_logs() {
  log::set_min_level(log::Level::kError);
}

} // namespace appconnect::fuzz
