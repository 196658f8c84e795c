// The HTTP request and response as emulators see them. Deliberately independent of Poco: the
// framework converts at the socket edge, so emulators can dispatch requests internally (Salesforce
// composite) and stay unit-testable without sockets.
#pragma once

#include <boost/json/value.hpp>

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace appconnect::crm_sandbox {

struct Request {
  std::string method;                                     // upper case, e.g. "PATCH"
  std::string path;                                       // percent-decoded, without the query
  std::string query_string;                               // raw, as received
  std::vector<std::pair<std::string, std::string>> query; // decoded pairs in order; names may repeat
  std::map<std::string, std::string> headers;             // lower-case names
  std::string body;
  std::string base_url; // "http://127.0.0.1:PORT": how clients reach this sandbox

  // First value of a query parameter, or nullptr.
  const std::string* query_param(std::string_view name) const;
  // The parameter's value, or an empty string when it is absent.
  std::string query_value(std::string_view name) const;
  // Every value of a repeatable query parameter (Salesforce parameterizedSearch `sobject=`).
  std::vector<std::string> query_params(std::string_view name) const;
  // Header by lower-case name, or empty.
  std::string header(std::string_view lower_name) const;
};

struct Response {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  // Sets a header, replacing any with the same name (case-insensitive).
  void set_header(std::string name, std::string value);
  const std::string* find_header(std::string_view name) const;

  static Response json(int status, const boost::json::value& body);
  static Response no_content(int status = 204);
  static Response redirect(std::string location, int status = 302);
};

// Decodes %XX escapes; `plus_as_space` for application/x-www-form-urlencoded and query strings.
std::string percent_decode(std::string_view text, bool plus_as_space);
// Encodes everything but RFC 3986 unreserved characters.
std::string percent_encode(std::string_view text);
// `uri` with the parameters appended as a query string (after '?' or '&'), e.g. an OAuth redirect.
std::string append_query(const std::string& uri, const std::vector<std::pair<std::string, std::string>>& params);
// Whether an OAuth client may be redirected to `redirect_uri`: one of its registered URIs, or, when
// `allow_loopback` is set, any port and path on a loopback host (test harnesses listen anywhere).
bool redirect_uri_allowed(const std::vector<std::string>& registered, bool allow_loopback,
                          const std::string& redirect_uri);
// "a=1&b=x+y" -> {{"a","1"},{"b","x y"}}; also used for form-encoded bodies.
std::vector<std::pair<std::string, std::string>> parse_query_string(std::string_view text);

bool iequals(std::string_view a, std::string_view b);
std::string to_lower(std::string_view text);

} // namespace appconnect::crm_sandbox
