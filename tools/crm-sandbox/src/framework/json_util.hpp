// Small JSON and clock helpers shared by the framework and the emulators.
#pragma once

#include <boost/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace appconnect::crm_sandbox {

// Milliseconds since the Unix epoch (wall clock: the CRMs stamp records with wall time).
std::int64_t now_ms();

// Parses `text`; on failure returns nullopt and, when `error` is given, a short reason.
std::optional<boost::json::value> try_parse_json(std::string_view text, std::string* error = nullptr);

// Lenient typed reads with defaults; a present value of the wrong type yields the default.
std::string json_string(const boost::json::object& o, std::string_view key, std::string fallback = {});
std::int64_t json_int(const boost::json::object& o, std::string_view key, std::int64_t fallback = 0);
double json_double(const boost::json::object& o, std::string_view key, double fallback = 0.0);
bool json_bool(const boost::json::object& o, std::string_view key, bool fallback = false);

// A JSON number (int64, uint64 or double) as double; nullopt for anything else.
std::optional<double> as_number(const boost::json::value& v);

} // namespace appconnect::crm_sandbox
