// A tiny blocking HTTP/1.1 client for tests (plain http only: everything under test is on loopback).
// Redirects are not followed, so tests can assert a 302 and its Location.
#pragma once

#include <boost/json/value.hpp>

#include <chrono>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace appconnect::testing {

struct HttpResult {
  int status = 0;
  std::map<std::string, std::string> headers; // lower-case names
  std::string body;

  // Header by name (any case), or empty.
  std::string header(std::string_view name) const;
  // The body as JSON; throws std::runtime_error quoting the body when it is not JSON.
  boost::json::value json() const;
};

// `headers` are sent as given; a non-empty body without a Content-Type header is sent as
// application/json. Throws std::runtime_error on connection failures.
HttpResult http(std::string_view method, const std::string& url, const std::string& body = {},
                const std::map<std::string, std::string>& headers = {},
                std::chrono::milliseconds timeout = std::chrono::seconds(30));

// application/x-www-form-urlencoded body or query string from ordered pairs.
std::string form(const std::vector<std::pair<std::string, std::string>>& fields);
// Percent-encodes a query parameter value.
std::string url_encode(std::string_view text);
// The string member `key` of a JSON object; "" when it is absent or not a string, or `v` is not an object.
std::string str(const boost::json::value& v, std::string_view key);

} // namespace appconnect::testing
