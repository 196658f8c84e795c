// HTTP documents exchanged with the host's HTTP service, plus the helpers every connector needs:
// URL and form encoding, and one shared classification of HTTP failures into SDK errors, so that every
// connector retries the same way (4xx other than 408/429 is permanent; 408, 429 and 5xx retry).
#pragma once

#include <appconnect/error.hpp>
#include <appconnect/json_fields.hpp>

#include <boost/json.hpp>

#include <cctype>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace appconnect::sdk {

struct HttpRequest {
  std::string method = "GET";
  std::string url;
  std::map<std::string, std::string> headers;
  std::string body;
  std::int64_t timeout_ms = 30000;
};

struct HttpResponse {
  int status = 0;
  std::map<std::string, std::string> headers; // names in lower case
  std::string body;

  bool ok() const noexcept { return status >= 200 && status < 300; }

  // Header by lower-case name, or empty.
  std::string header(std::string_view lower_name) const {
    auto it = headers.find(std::string(lower_name));
    return it == headers.end() ? std::string() : it->second;
  }

  // The body parsed as JSON; null when it is empty or not JSON.
  boost::json::value json() const {
    if (body.empty()) return nullptr;
    boost::system::error_code ec;
    auto v = boost::json::parse(body, ec);
    return ec ? boost::json::value(nullptr) : v;
  }
};

inline void tag_invoke(const boost::json::value_from_tag&, boost::json::value& out, const HttpRequest& r) {
  boost::json::object headers;
  for (const auto& [k, v] : r.headers) headers[k] = v;
  out = boost::json::object{{"method", r.method},
                            {"url", r.url},
                            {"headers", std::move(headers)},
                            {"body", r.body},
                            {"timeout_ms", r.timeout_ms}};
}

inline HttpRequest tag_invoke(const boost::json::value_to_tag<HttpRequest>&, const boost::json::value& v) {
  const auto& o = json_fields::as_object(v, "http request");
  HttpRequest r;
  r.method = json_fields::get_string(o, "method", "GET");
  r.url = json_fields::require_string(o, "url");
  if (const auto* h = o.if_contains("headers"); h && h->is_object())
    for (const auto& kv : h->get_object())
      if (kv.value().is_string()) r.headers[std::string(kv.key())] = std::string(kv.value().get_string());
  r.body = json_fields::get_string(o, "body");
  r.timeout_ms = json_fields::get_int(o, "timeout_ms", 30000);
  return r;
}

inline void tag_invoke(const boost::json::value_from_tag&, boost::json::value& out, const HttpResponse& r) {
  boost::json::object headers;
  for (const auto& [k, v] : r.headers) headers[k] = v;
  out = boost::json::object{{"status", r.status}, {"headers", std::move(headers)}, {"body", r.body}};
}

inline HttpResponse tag_invoke(const boost::json::value_to_tag<HttpResponse>&, const boost::json::value& v) {
  const auto& o = json_fields::as_object(v, "http response");
  HttpResponse r;
  r.status = static_cast<int>(json_fields::get_int(o, "status"));
  if (const auto* h = o.if_contains("headers"); h && h->is_object())
    for (const auto& kv : h->get_object())
      if (kv.value().is_string()) {
        std::string name(kv.key());
        for (auto& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        r.headers[name] = std::string(kv.value().get_string());
      }
  r.body = json_fields::get_string(o, "body");
  return r;
}

// Percent-encodes everything but RFC 3986 unreserved characters.
inline std::string url_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size() * 3);
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xF]);
    }
  }
  return out;
}

// application/x-www-form-urlencoded body (or query string) from ordered pairs.
inline std::string form_encode(const std::vector<std::pair<std::string, std::string>>& fields) {
  std::string out;
  for (const auto& [k, v] : fields) {
    if (!out.empty()) out.push_back('&');
    out += url_encode(k);
    out.push_back('=');
    out += url_encode(v);
  }
  return out;
}

// Retry-After in milliseconds from a response: delta-seconds only (HTTP dates are rare from CRMs).
inline std::optional<std::int64_t> retry_after_ms(const HttpResponse& r) {
  std::string value = r.header("retry-after");
  if (value.empty()) return std::nullopt;
  try {
    std::size_t used = 0;
    double seconds = std::stod(value, &used);
    if (used == 0 || seconds < 0) return std::nullopt;
    return static_cast<std::int64_t>(seconds * 1000.0);
  } catch (...) {
    return std::nullopt;
  }
}

// The generic mapping from an HTTP failure to an SDK error. Connectors call it last, after handling
// their CRM's own signals (e.g. Salesforce's 403 REQUEST_LIMIT_EXCEEDED). `crm_message` is the CRM's
// human-readable message when the connector extracted one.
inline Error classify_http_error(const HttpResponse& r, std::string crm_message = {}) {
  Error e;
  e.crm_status = r.status;
  e.crm_error = r.json();
  if (e.crm_error.is_null() && !r.body.empty()) e.crm_error = boost::json::string(r.body.substr(0, 2000));
  std::string what = crm_message.empty() ? ("HTTP " + std::to_string(r.status)) : crm_message;
  if (r.status == 401) {
    e.code = error_code::kAuthExpired;
    e.retryable = true;
  } else if (r.status == 403) {
    e.code = error_code::kPermission;
  } else if (r.status == 404) {
    e.code = error_code::kNotFound;
  } else if (r.status == 408) {
    e.code = error_code::kTimeout;
    e.retryable = true;
  } else if (r.status == 409) {
    e.code = error_code::kConflict;
  } else if (r.status == 429) {
    e.code = error_code::kRateLimited;
    e.retryable = true;
  } else if (r.status >= 500) {
    e.code = error_code::kUnavailable;
    e.retryable = true;
  } else if (r.status >= 400) {
    e.code = error_code::kValidation;
  } else {
    e.code = error_code::kInternal;
    what = "unexpected HTTP status " + std::to_string(r.status) + (crm_message.empty() ? "" : ": " + crm_message);
  }
  e.message = std::move(what);
  if (e.retryable) e.retry_after_ms = retry_after_ms(r);
  return e;
}

} // namespace appconnect::sdk
