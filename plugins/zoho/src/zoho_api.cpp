#include "zoho_api.hpp"

#include <cstdio>

namespace appconnect::zoho {

namespace {

std::string trimmed_url(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

// "https://www.zohoapis.eu/x" -> "www.zohoapis.eu".
std::string host_of(std::string_view url) {
  const auto scheme = url.find("://");
  if (scheme != std::string_view::npos) url.remove_prefix(scheme + 3);
  const auto end = url.find_first_of("/:?");
  return std::string(url.substr(0, end));
}

// Data centres: accounts server host -> API domain and CRM web host.
// https://www.zoho.com/crm/developer/docs/api/v2/multi-dc.html (CA and SA per docs/crm-and-telephony-apis.md 3.1).
struct DataCentre {
  const char* accounts;
  const char* api;
  const char* web;
};
constexpr DataCentre kDataCentres[] = {
    {"accounts.zoho.com", "https://www.zohoapis.com", "https://crm.zoho.com"},
    {"accounts.zoho.eu", "https://www.zohoapis.eu", "https://crm.zoho.eu"},
    {"accounts.zoho.in", "https://www.zohoapis.in", "https://crm.zoho.in"},
    {"accounts.zoho.com.au", "https://www.zohoapis.com.au", "https://crm.zoho.com.au"},
    {"accounts.zoho.jp", "https://www.zohoapis.jp", "https://crm.zoho.jp"},
    {"accounts.zoho.com.cn", "https://www.zohoapis.com.cn", "https://crm.zoho.com.cn"},
    {"accounts.zohocloud.ca", "https://www.zohoapis.ca", "https://crm.zohocloud.ca"},
    {"accounts.zoho.sa", "https://www.zohoapis.sa", "https://crm.zoho.sa"},
    {"accounts.zoho.uk", "https://www.zohoapis.uk", "https://crm.zoho.uk"},
};

} // namespace

std::string accounts_url(const Context& ctx) {
  return trimmed_url(ctx.setting("accounts_url", "https://accounts.zoho.com"));
}

std::string api_domain_for(std::string_view accounts) {
  const std::string host = host_of(accounts);
  for (const auto& dc : kDataCentres)
    if (host == dc.accounts) return dc.api;
  return {};
}

Result<std::string> api_base(const Context& ctx) {
  std::string domain = trimmed_url(ctx.setting("api_domain"));
  if (domain.empty()) domain = api_domain_for(accounts_url(ctx));
  if (domain.empty())
    return Error::make(sdk::error_code::kAuthExpired,
                       "no Zoho API domain yet: the connection has not completed a token exchange", true);
  return domain + "/crm/" + ctx.setting("api_version", "v2");
}

int api_major(const Context& ctx) {
  const std::string v = ctx.setting("api_version", "v2");
  int major = 0;
  for (std::size_t i = 1; i < v.size() && v[i] >= '0' && v[i] <= '9'; ++i) major = major * 10 + (v[i] - '0');
  return major == 0 ? 2 : major;
}

Result<HttpResponse> call(const Context& ctx, std::string method, const std::string& path,
                          const boost::json::value* body) {
  auto base = api_base(ctx);
  if (!base) return base.error();
  HttpRequest request;
  request.method = std::move(method);
  request.url = base.value() + path;
  // Zoho's own scheme, not "Bearer": https://www.zoho.com/crm/developer/docs/api/v2/oauth-overview.html
  request.headers["Authorization"] = "Zoho-oauthtoken " + ctx.credential("access_token");
  request.headers["Accept"] = "application/json";
  if (body != nullptr) {
    request.body = boost::json::serialize(*body);
    request.headers["Content-Type"] = "application/json";
  }
  return ctx.http(request);
}

std::string field(const boost::json::object& record, std::string_view name) {
  const auto* v = record.if_contains(name);
  if (v == nullptr || !v->is_string()) return {};
  return std::string(v->get_string());
}

std::string lookup_id(const boost::json::object& record, std::string_view name) {
  const auto* v = record.if_contains(name);
  if (v == nullptr) return {};
  if (v->is_string()) return std::string(v->get_string());
  return v->is_object() ? field(v->get_object(), "id") : std::string();
}

std::string lookup_name(const boost::json::object& record, std::string_view name) {
  const auto* v = record.if_contains(name);
  return v != nullptr && v->is_object() ? field(v->get_object(), "name") : std::string();
}

namespace {

// Zoho's code, message and details from any of its error shapes.
struct ZohoFailure {
  std::string code;
  std::string message;
  boost::json::object details;
};

ZohoFailure failure_of(const boost::json::value& doc) {
  ZohoFailure f;
  if (!doc.is_object()) return f;
  const auto& o = doc.get_object();
  const boost::json::object* e = &o;
  if (!o.contains("code"))
    if (const auto* data = o.if_contains("data");
        data && data->is_array() && !data->get_array().empty() && data->get_array()[0].is_object())
      e = &data->get_array()[0].get_object();
  f.code = field(*e, "code");
  f.message = field(*e, "message");
  if (const auto* d = e->if_contains("details"); d && d->is_object()) f.details = d->get_object();
  if (f.code.empty()) { // the accounts server: {"error", "error_description"}
    f.code = field(o, "error");
    f.message = field(o, "error_description");
  }
  return f;
}

Error error_for(const HttpResponse& response, const ZohoFailure& f) {
  std::string crm_message = f.code.empty() ? f.message : (f.message.empty() ? f.code : f.code + ": " + f.message);
  if (!f.details.empty()) crm_message += " " + boost::json::serialize(f.details);
  Error e = sdk::classify_http_error(response, crm_message);
  if (f.code == "OAUTH_SCOPE_MISMATCH" || f.code == "NO_PERMISSION") {
    // A refreshed token carries the same scopes: only the admin can fix it.
    e.code = sdk::error_code::kPermission;
    e.retryable = false;
    e.retry_after_ms.reset();
  } else if (f.code == "INVALID_TOKEN" || f.code == "AUTHENTICATION_FAILURE") {
    e.code = sdk::error_code::kAuthExpired;
    e.retryable = true;
  } else if (response.status == 429 || f.code == "TOO_MANY_REQUESTS") {
    e.code = sdk::error_code::kRateLimited;
    e.retryable = true;
    if (!e.retry_after_ms)
      if (const auto* ra = f.details.if_contains("retry_after"); ra && ra->is_number())
        e.retry_after_ms = static_cast<std::int64_t>(ra->to_number<double>() * 1000.0);
  } else if (f.code == "DUPLICATE_DATA") {
    e.code = sdk::error_code::kConflict;
    e.retryable = false;
  } else if (f.code == "INVALID_DATA" && f.message == "the id given seems to be invalid") {
    e.code = sdk::error_code::kNotFound; // updating a record that was deleted in the CRM
    e.retryable = false;
  } else if (f.code == "INTERNAL_ERROR") {
    e.code = sdk::error_code::kUnavailable;
    e.retryable = true;
  }
  return e;
}

} // namespace

Error error_from(const HttpResponse& response) {
  return error_for(response, failure_of(response.json()));
}

Result<std::string> written_id(const Result<HttpResponse>& result) {
  if (!result) return result.error();
  const HttpResponse& response = result.value();
  const auto doc = response.json();
  const boost::json::object* item = nullptr;
  if (doc.is_object())
    if (const auto* data = doc.get_object().if_contains("data");
        data && data->is_array() && !data->get_array().empty() && data->get_array()[0].is_object())
      item = &data->get_array()[0].get_object();
  if (item == nullptr || field(*item, "status") != "success") {
    if (response.ok() && item == nullptr)
      return Error::make(sdk::error_code::kInternal, "Zoho write answer has no data item", true);
    // A record-level error may come with 200/202/207 (partial success) or 400 (every record failed).
    HttpResponse as_failure = response;
    if (as_failure.ok()) as_failure.status = 400;
    Error e = error_from(as_failure);
    e.crm_status = response.status;
    return e;
  }
  const auto* details = item->if_contains("details");
  const std::string id = details && details->is_object() ? field(details->get_object(), "id") : std::string();
  if (id.empty()) return Error::make(sdk::error_code::kInternal, "Zoho write answer has no record id", true);
  return id;
}

std::string criteria_escape(std::string_view value) {
  std::string out;
  for (char c : value) {
    if (c == '(' || c == ')' || c == ',' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

std::string to_zoho_time(const std::string& utc) {
  const auto ms = sdk::time::parse_iso8601_ms(utc);
  if (!ms) return {};
  std::string text = sdk::time::format_iso8601_utc(*ms); // whole seconds, "...Z"
  text.pop_back();
  return text + "+00:00";
}

std::string to_utc(const std::string& zoho_time) {
  return zoho_time.empty() ? zoho_time : sdk::time::to_utc(zoho_time);
}

std::string duration_mmss(std::int64_t seconds) {
  if (seconds < 0) seconds = 0;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%02lld:%02lld", static_cast<long long>(seconds / 60),
                static_cast<long long>(seconds % 60));
  return buf;
}

std::string record_url(const Context& ctx, std::string_view module, std::string_view id) {
  std::string base = trimmed_url(ctx.setting("web_url"));
  if (base.empty()) {
    const std::string domain = trimmed_url(ctx.setting("api_domain"));
    const std::string host = host_of(domain.empty() ? api_domain_for(accounts_url(ctx)) : domain);
    for (const auto& dc : kDataCentres)
      if (host == host_of(dc.api)) base = dc.web;
    if (base.empty() && host == "sandbox.zohoapis.com") base = "https://crmsandbox.zoho.com";
    // Anything else (a test sandbox, a proxy) serves its own links.
    if (base.empty()) base = domain;
  }
  return base + "/crm/tab/" + std::string(module) + "/" + std::string(id);
}

} // namespace appconnect::zoho
