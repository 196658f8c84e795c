// Small conversions every repository needs between database values and the host's types.
#pragma once

#include "common/result.hpp"

#include <Poco/Exception.h>

#include <boost/json.hpp>

#include <string>

namespace appconnect::store {

// A database failure as an Error: "unavailable" and retryable, since most are transient (locks,
// connection loss); the message says what was being done.
inline Error db_error(const std::string& what, const Poco::Exception& ex) {
  return Error::make(error_code::kUnavailable, what + ": " + ex.displayText(), true);
}

// A JSON object column; an empty object when the text is missing or not an object.
inline boost::json::object parse_object(const std::string& text) {
  boost::system::error_code ec;
  auto v = boost::json::parse(text, ec);
  if (ec || !v.is_object()) return {};
  return std::move(v.get_object());
}

} // namespace appconnect::store
