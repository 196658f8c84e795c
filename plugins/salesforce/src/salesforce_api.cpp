#include "salesforce_api.hpp"

namespace appconnect::salesforce {

std::string login_url(const Context& ctx) {
  std::string url = ctx.setting("login_url", "https://login.salesforce.com");
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

namespace {
std::string instance_url(const Context& ctx) {
  std::string url = ctx.setting("instance_url");
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}
} // namespace

Result<std::string> data_url(const Context& ctx) {
  const std::string base = instance_url(ctx);
  if (base.empty())
    return Error::make(sdk::error_code::kAuthExpired,
                       "no Salesforce instance URL yet: the connection has not completed a token exchange", true);
  return base + "/services/data/" + ctx.setting("api_version", "v62.0");
}

namespace {
Result<HttpResponse> send(const Context& ctx, HttpRequest request) {
  request.headers["Authorization"] = "Bearer " + ctx.credential("access_token");
  request.headers["Accept"] = "application/json";
  if (!request.body.empty()) request.headers["Content-Type"] = "application/json";
  return ctx.http(request);
}
} // namespace

Result<HttpResponse> call(const Context& ctx, std::string method, const std::string& path,
                          const boost::json::value* body) {
  auto base = data_url(ctx);
  if (!base) return base.error();
  HttpRequest request;
  request.method = std::move(method);
  request.url = base.value() + path;
  if (body != nullptr) request.body = boost::json::serialize(*body);
  return send(ctx, std::move(request));
}

Result<HttpResponse> call_instance_path(const Context& ctx, const std::string& path) {
  HttpRequest request;
  request.url = instance_url(ctx) + path;
  return send(ctx, std::move(request));
}

Error error_from(const HttpResponse& response) {
  // Salesforce error bodies are arrays: [{"message":"...","errorCode":"...","fields":[...]}].
  std::string code, message;
  const auto doc = response.json();
  if (doc.is_array() && !doc.get_array().empty() && doc.get_array()[0].is_object()) {
    const auto& first = doc.get_array()[0].get_object();
    code = field(first, "errorCode");
    message = field(first, "message");
    if (const auto* fields = first.if_contains("fields"); fields && fields->is_array() && !fields->get_array().empty())
      message += " (fields: " + boost::json::serialize(*fields) + ")";
  } else if (doc.is_object()) { // OAuth endpoints answer {"error","error_description"}
    code = field(doc.get_object(), "error");
    message = field(doc.get_object(), "error_description");
  }
  const std::string crm_message = code.empty() ? message : (message.empty() ? code : code + ": " + message);
  Error e = sdk::classify_http_error(response, crm_message);
  // Salesforce signals its API limits with 403, not 429. The daily budget resets over a rolling 24 h,
  // so waiting is right and retrying soon is pointless: suggest an hour unless told otherwise.
  if (response.status == 403 && code == "REQUEST_LIMIT_EXCEEDED") {
    e.code = sdk::error_code::kQuotaExhausted;
    e.retryable = true;
    if (!e.retry_after_ms) e.retry_after_ms = sdk::retry_after_ms(response).value_or(60LL * 60 * 1000);
  } else if (code == "UNABLE_TO_LOCK_ROW") {
    e.code = sdk::error_code::kConflict;
    e.retryable = true;
  } else if (response.status == 400 && code == "INVALID_SESSION_ID") {
    e.code = sdk::error_code::kAuthExpired;
    e.retryable = true;
  }
  return e;
}

Result<std::vector<boost::json::object>> query_all(const Context& ctx, const std::string& soql) {
  std::vector<boost::json::object> records;
  auto response = call(ctx, "GET", "/query/?q=" + sdk::url_encode(soql));
  for (int page = 0; page < 1000; ++page) {
    if (!response) return response.error();
    if (!response.value().ok()) return error_from(response.value());
    const auto doc = response.value().json();
    if (!doc.is_object())
      return Error::make(sdk::error_code::kInternal, "Salesforce query answer is not an object", true);
    const auto& o = doc.get_object();
    if (const auto* list = o.if_contains("records"); list && list->is_array())
      for (const auto& r : list->get_array())
        if (r.is_object()) records.push_back(r.get_object());
    const auto* done = o.if_contains("done");
    const std::string next = field(o, "nextRecordsUrl");
    if ((done != nullptr && done->is_bool() && done->get_bool()) || next.empty()) return records;
    response = call_instance_path(ctx, next);
  }
  return records;
}

std::string soql_quote(std::string_view value) {
  std::string out = "'";
  for (char c : value) {
    if (c == '\'' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('\'');
  return out;
}

std::string sosl_escape(std::string_view term) {
  static constexpr std::string_view kReserved = "?&|!{}[]()^~*:\\\"'+-";
  std::string out;
  for (char c : term) {
    if (kReserved.find(c) != std::string_view::npos) out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

std::string field(const boost::json::object& record, std::string_view name) {
  const auto* v = record.if_contains(name);
  if (v == nullptr || !v->is_string()) return {};
  return std::string(v->get_string());
}

std::string to_utc(const std::string& salesforce_time) {
  return salesforce_time.empty() ? salesforce_time : sdk::time::to_utc(salesforce_time);
}

std::string record_url(const Context& ctx, std::string_view type, std::string_view id) {
  return instance_url(ctx) + "/lightning/r/" + std::string(type) + "/" + std::string(id) + "/view";
}

} // namespace appconnect::salesforce
