// A connector for the generic sandbox CRM (see the plugin guide's generic-sandbox.md for its API).
// Every operation of the SDK is here, each a short mapping between the SDK's typed documents and the
// CRM's JSON; to support your CRM, change the paths, field names and error reading below.
//
// Rules a connector keeps (the host relies on them; appconnect-plugin-check tests them):
//   - no state per connection in members: everything comes from the call's Context;
//   - an HTTP error status is classified into an sdk::Error (401 -> auth_expired, 429 -> rate_limited with
//     retry_after_ms, 5xx -> unavailable and retryable, 4xx validation -> not retryable);
//   - a log record carries the host's external_id, so find_log_by_external_id finds it after a crash.
#include <appconnect/plugin.hpp>

#include <algorithm>
#include <string>
#include <vector>

namespace {

namespace sdk = appconnect::sdk;
namespace json = boost::json;
using sdk::Context;
using sdk::Error;
using sdk::Result;

// ---- talking to the CRM

std::string base_url(const Context& ctx) {
  std::string url = ctx.setting("base_url");
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

// The CRM's error body is {"error":{"code","message"}}; the SDK maps the HTTP status to its error model.
Error error_from(const sdk::HttpResponse& response) {
  std::string message;
  const json::value doc = response.json();
  if (const auto* o = doc.if_object())
    if (const auto* e = o->if_contains("error"); e && e->is_object())
      message = sdk::json_fields::get_string(e->get_object(), "code") + ": " +
                sdk::json_fields::get_string(e->get_object(), "message");
  return sdk::classify_http_error(response, message);
}

// One authenticated JSON request; the parsed body of a 2xx answer, or the classified error.
Result<json::value> call(const Context& ctx, const std::string& method, const std::string& path,
                         const json::value* body = nullptr) {
  if (base_url(ctx).empty()) return Error::make(sdk::error_code::kValidation, "setting base_url is required", false);
  sdk::HttpRequest request;
  request.method = method;
  request.url = base_url(ctx) + path;
  request.headers["Authorization"] = "Bearer " + ctx.credential("access_token");
  request.headers["Accept"] = "application/json";
  if (body != nullptr) {
    request.headers["Content-Type"] = "application/json";
    request.body = json::serialize(*body);
  }
  auto response = ctx.http(request);
  if (!response) return response.error();
  if (!response->ok()) return error_from(response.value());
  return response->json();
}

std::string str(const json::object& o, std::string_view key) {
  return sdk::json_fields::get_string(o, key);
}

// ---- mapping between the CRM's records and the SDK's documents

sdk::Contact to_contact(const json::object& o) {
  sdk::Contact c;
  c.id = str(o, "id");
  c.type = str(o, "type");
  c.name = str(o, "name");
  c.phone = str(o, "phone");
  c.mobile_phone = str(o, "mobile_phone");
  c.email = str(o, "email");
  c.company = str(o, "company");
  c.owner_id = str(o, "owner_id");
  c.created_at = str(o, "created_at");
  c.modified_at = str(o, "updated_at");
  c.url = str(o, "url");
  return c;
}

sdk::LogRecordRef to_ref(const json::value& doc) {
  sdk::LogRecordRef ref;
  if (const auto* o = doc.if_object()) {
    ref.id = str(*o, "id");
    ref.type = "activity";
    ref.url = str(*o, "url");
    if (const auto* b = o->if_contains("body"); b && b->is_string()) ref.body = std::string(b->get_string());
  }
  return ref;
}

void put(json::object& o, const char* key, const std::string& value) {
  if (!value.empty()) o[key] = value;
}

json::object call_fields(const sdk::CallLog& log) {
  json::object o;
  put(o, "contact_id", log.contact_id);
  put(o, "owner_id", log.owner_id);
  put(o, "direction", log.direction);
  put(o, "from_phone", log.from_phone);
  put(o, "to_phone", log.to_phone);
  put(o, "start_time", log.start_time);
  put(o, "result", log.result);
  put(o, "subject", log.subject);
  o["body"] = log.body;
  put(o, "body_format", log.body_format);
  put(o, "recording_url", log.recording_url);
  o["duration_s"] = log.duration_s;
  o["pending"] = log.pending;
  return o;
}

json::object message_fields(const sdk::MessageLog& log) {
  json::object o;
  put(o, "contact_id", log.contact_id);
  put(o, "owner_id", log.owner_id);
  put(o, "direction", log.direction);
  put(o, "from_phone", log.from_phone);
  put(o, "to_phone", log.to_phone);
  put(o, "start_time", log.start_time);
  put(o, "subject", log.subject);
  o["body"] = log.body;
  put(o, "body_format", log.body_format);
  put(o, "attachment_url", log.attachment_url);
  o["message_count"] = log.message_count;
  if (log.duration_s > 0) o["duration_s"] = log.duration_s;
  return o;
}

// Creates an activity. A 409 conflict means one with this kind and external id exists (an earlier attempt
// whose answer was lost): return that record instead of failing, so a retried create never duplicates.
Result<sdk::LogRecordRef> create_activity(const Context& ctx, const std::string& kind, const std::string& external_id,
                                          json::object fields) {
  fields["kind"] = kind;
  fields["external_id"] = external_id;
  const json::value body = std::move(fields);
  auto created = call(ctx, "POST", "/api/v1/activities", &body);
  if (created) return to_ref(created.value());
  if (created.error().crm_status == 409)
    if (const auto* o = created.error().crm_error.if_object())
      if (const auto* e = o->if_contains("error"); e && e->is_object())
        if (std::string existing = str(e->get_object(), "existing_id"); !existing.empty()) {
          auto again = call(ctx, "GET", "/api/v1/activities/" + sdk::url_encode(existing));
          if (again) return to_ref(again.value());
        }
  return created.error();
}

Result<sdk::LogRecordRef> patch_activity(const Context& ctx, const std::string& id, json::object fields) {
  const json::value body = std::move(fields);
  auto updated = call(ctx, "PATCH", "/api/v1/activities/" + sdk::url_encode(id), &body);
  if (!updated) return updated.error();
  return to_ref(updated.value());
}

Result<sdk::OAuthTokens> token_request(const Context& ctx, std::vector<std::pair<std::string, std::string>> form) {
  form.emplace_back("client_id", ctx.credential("client_id"));
  form.emplace_back("client_secret", ctx.credential("client_secret"));
  sdk::HttpRequest request;
  request.method = "POST";
  request.url = base_url(ctx) + "/oauth/token";
  request.headers["Content-Type"] = "application/x-www-form-urlencoded";
  request.body = sdk::form_encode(form);
  auto response = ctx.http(request);
  if (!response) return response.error();
  if (!response->ok()) {
    Error e = error_from(response.value());
    // A refused grant cannot succeed on retry: the admin must connect the CRM again.
    if (response->status == 400 || response->status == 401) {
      e.code = sdk::error_code::kAuthRevoked;
      e.retryable = false;
    }
    return e;
  }
  const json::value doc = response->json();
  if (!doc.is_object() || str(doc.get_object(), "access_token").empty())
    return Error::make(sdk::error_code::kInternal, "token answer without access_token", true);
  sdk::OAuthTokens tokens;
  tokens.access_token = str(doc.get_object(), "access_token");
  tokens.refresh_token = str(doc.get_object(), "refresh_token");
  tokens.expires_in_s = sdk::json_fields::get_optional_int(doc.get_object(), "expires_in");
  return tokens;
}

// ---- the connector

class GenericConnector final : public sdk::Connector {
 public:
  Result<sdk::FindContactsResult> find_contacts(Context& ctx, const sdk::FindContactsRequest& req) override {
    auto doc = call(ctx, "GET", "/api/v1/contacts?phone=" + sdk::url_encode(req.phone_e164));
    if (!doc) return doc.error();
    sdk::FindContactsResult result;
    if (const auto* o = doc->if_object())
      if (const auto* list = o->if_contains("contacts"); list && list->is_array())
        for (const auto& item : list->get_array()) {
          if (!item.is_object()) continue;
          sdk::Contact c = to_contact(item.get_object());
          const bool wanted =
              req.types.empty() || std::find(req.types.begin(), req.types.end(), c.type) != req.types.end();
          if (wanted && static_cast<std::int64_t>(result.contacts.size()) < req.limit)
            result.contacts.push_back(std::move(c));
        }
    return result;
  }

  Result<sdk::Contact> create_contact(Context& ctx, const sdk::CreateContactRequest& req) override {
    const std::string type = req.type.empty() ? "contact" : req.type;
    if (type != "contact" && type != "lead")
      return Error::make(sdk::error_code::kValidation, "contact type must be contact or lead, got " + type, false);
    json::object body{{"type", type}, {"last_name", req.last_name}};
    put(body, "first_name", req.first_name);
    put(body, "phone", req.phone);
    put(body, "company", req.company);
    put(body, "owner_id", req.owner_id);
    const json::value doc = std::move(body);
    auto created = call(ctx, "POST", "/api/v1/contacts", &doc);
    if (!created) return created.error();
    if (!created->is_object()) return Error::make(sdk::error_code::kInternal, "contact answer is not an object", true);
    return to_contact(created->get_object());
  }

  Result<sdk::LogRecordRef> create_call_log(Context& ctx, const sdk::CreateCallLogRequest& req) override {
    return create_activity(ctx, "call", req.log.external_id, call_fields(req.log));
  }

  Result<sdk::LogRecordRef> update_call_log(Context& ctx, const sdk::UpdateCallLogRequest& req) override {
    return patch_activity(ctx, req.id, call_fields(req.log));
  }

  Result<sdk::FindLogByExternalIdResult> find_log_by_external_id(Context& ctx,
                                                                 const sdk::FindLogByExternalIdRequest& req) override {
    auto doc = call(
        ctx, "GET",
        "/api/v1/activities?external_id=" + sdk::url_encode(req.external_id) + "&kind=" + sdk::url_encode(req.kind));
    if (!doc) return doc.error();
    sdk::FindLogByExternalIdResult result;
    if (const auto* o = doc->if_object())
      if (const auto* list = o->if_contains("activities"); list && list->is_array() && !list->get_array().empty())
        result.record = to_ref(list->get_array().front());
    return result;
  }

  Result<sdk::LogRecordRef> create_message_log(Context& ctx, const sdk::CreateMessageLogRequest& req) override {
    return create_activity(ctx, req.log.kind, req.log.external_id, message_fields(req.log));
  }

  Result<sdk::LogRecordRef> update_message_log(Context& ctx, const sdk::UpdateMessageLogRequest& req) override {
    return patch_activity(ctx, req.id, message_fields(req.log));
  }

  Result<sdk::LogRecordRef> get_log(Context& ctx, const sdk::GetLogRequest& req) override {
    auto doc = call(ctx, "GET", "/api/v1/activities/" + sdk::url_encode(req.id));
    if (!doc) return doc.error();
    return to_ref(doc.value());
  }

  Result<sdk::ListUsersResult> list_users(Context& ctx) override {
    auto doc = call(ctx, "GET", "/api/v1/users");
    if (!doc) return doc.error();
    sdk::ListUsersResult result;
    if (const auto* o = doc->if_object())
      if (const auto* list = o->if_contains("users"); list && list->is_array())
        for (const auto& item : list->get_array())
          if (const auto* u = item.if_object())
            result.users.push_back(
                {str(*u, "id"), str(*u, "name"), str(*u, "email"), sdk::json_fields::get_bool(*u, "active", true)});
    return result;
  }

  Result<sdk::OAuthAuthorizeUrlResult> oauth_authorize_url(Context& ctx,
                                                           const sdk::OAuthAuthorizeUrlRequest& req) override {
    return sdk::OAuthAuthorizeUrlResult{base_url(ctx) + "/oauth/authorize?response_type=code&client_id=" +
                                        sdk::url_encode(ctx.credential("client_id")) + "&redirect_uri=" +
                                        sdk::url_encode(req.redirect_uri) + "&state=" + sdk::url_encode(req.state)};
  }

  Result<sdk::OAuthTokens> oauth_exchange_code(Context& ctx, const sdk::OAuthExchangeCodeRequest& req) override {
    return token_request(
        ctx, {{"grant_type", "authorization_code"}, {"code", req.code}, {"redirect_uri", req.redirect_uri}});
  }

  Result<sdk::OAuthTokens> oauth_refresh(Context& ctx) override {
    return token_request(ctx, {{"grant_type", "refresh_token"}, {"refresh_token", ctx.credential("refresh_token")}});
  }
};

} // namespace

APPCONNECT_PLUGIN(GenericConnector)
