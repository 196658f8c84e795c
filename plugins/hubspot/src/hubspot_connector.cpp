// The HubSpot connector: people are contacts; a call is a call engagement, an SMS digest a communication,
// a fax or voicemail a note, each associated to the contact.
//
//   find_contacts       POST /crm/v3/objects/contacts/search, four filter groups (HubSpot allows five):
//                       hs_searchable_calculated_phone_number / _mobile_number EQ the national digits (HubSpot
//                       computes them from whatever spelling is stored), phone / mobilephone IN the E.164 and
//                       every spelling the host proposes (those two compare the raw stored text). Pages through
//                       paging.next.after until `limit` contacts are found.
//   create_contact      POST /crm/v3/objects/contacts (type "lead": lifecyclestage=lead on the contact).
//   call logs           POST /crm/v3/objects/calls with the association to the contact (type 194), PATCH to
//                       update; the host's external id goes into a custom property (setting
//                       external_id_property, default appconnect_external_id) so find_log_by_external_id can
//                       search for it after a crash instead of creating a second call.
//   message logs        SMS: POST /crm/v3/objects/communications (channel SMS, logged from CRM, type 81);
//                       fax and voicemail: POST /crm/v3/objects/notes (type 202).
//   list_users          GET /crm/v3/owners, paged.
//   oauth_*             https://app.hubspot.com/oauth/authorize and POST /oauth/v1/token; with a private app
//                       token there is nothing to refresh and the token itself is the access token.
#include "hubspot_api.hpp"
#include "hubspot_mapping.hpp"

#include <appconnect/plugin.hpp>

#include <algorithm>
#include <cctype>
#include <set>

namespace appconnect::hubspot {
namespace {

using sdk::Contact;
using sdk::LogRecordRef;

constexpr int kMaxPages = 100;               // a runaway paging loop stops here
constexpr std::size_t kMaxSpellings = 20;    // values in one IN filter
constexpr std::int64_t kMaxSearchPage = 200; // HubSpot's search limit per page

bool wants_contacts(const std::vector<std::string>& types) {
  if (types.empty()) return true;
  return std::any_of(types.begin(), types.end(), [](const std::string& t) {
    std::string lower = t;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    return lower == "contact" || lower == "lead";
  });
}

boost::json::object filter(const std::string& property_name, const std::vector<std::string>& values) {
  if (values.size() == 1)
    return boost::json::object{{"propertyName", property_name}, {"operator", "EQ"}, {"value", values.front()}};
  boost::json::array list;
  for (const auto& v : values) list.emplace_back(v);
  return boost::json::object{{"propertyName", property_name}, {"operator", "IN"}, {"values", std::move(list)}};
}

boost::json::object group(boost::json::object f) {
  return boost::json::object{{"filters", boost::json::array{std::move(f)}}};
}

Result<LogRecordRef> created_ref(const Context& ctx, Result<boost::json::object> answer, const std::string& object,
                                 const std::string& contact_id) {
  if (!answer) return answer.error();
  const std::string id = field(answer.value(), "id");
  if (id.empty()) return Error::make(sdk::error_code::kInternal, "HubSpot create answer has no id", false);
  return LogRecordRef{id, object, contact_url(ctx, contact_id)};
}

class HubSpotConnector final : public sdk::Connector {
 public:
  Result<sdk::FindContactsResult> find_contacts(Context& ctx, const sdk::FindContactsRequest& req) override {
    sdk::FindContactsResult result;
    if (!wants_contacts(req.types)) return result;
    const auto limit = std::clamp<std::int64_t>(req.limit, 1, 10000);
    std::int64_t page_size = kMaxSearchPage;
    try {
      page_size = std::stoll(ctx.setting("search_page_size", "100"));
    } catch (...) {
    }
    page_size = std::clamp<std::int64_t>(std::min(page_size, limit), 1, kMaxSearchPage);

    // The raw phone/mobilephone fields compare the stored text exactly: try every spelling we know.
    std::vector<std::string> spellings{req.phone_e164};
    for (const auto& v : req.variants)
      if (spellings.size() < kMaxSpellings && std::find(spellings.begin(), spellings.end(), v) == spellings.end())
        spellings.push_back(v);
    boost::json::array groups;
    if (const std::string national = national_digits(req.phone_e164, req.variants); !national.empty()) {
      groups.push_back(group(filter("hs_searchable_calculated_phone_number", {national})));
      groups.push_back(group(filter("hs_searchable_calculated_mobile_number", {national})));
    }
    groups.push_back(group(filter("phone", spellings)));
    groups.push_back(group(filter("mobilephone", spellings)));

    boost::json::object search{
        {"filterGroups", std::move(groups)},
        {"properties", boost::json::array{"firstname", "lastname", "email", "phone", "mobilephone", "company",
                                          "hubspot_owner_id", "createdate", "lastmodifieddate"}},
        {"sorts",
         boost::json::array{boost::json::object{{"propertyName", "lastmodifieddate"}, {"direction", "DESCENDING"}}}},
        {"limit", page_size}};
    std::set<std::string> seen;
    for (int page = 0; page < kMaxPages; ++page) {
      const boost::json::value body(search);
      auto answer = call_json(ctx, "POST", "/crm/v3/objects/contacts/search", &body);
      if (!answer) return answer.error();
      if (const auto* list = answer.value().if_contains("results"); list && list->is_array())
        for (const auto& item : list->get_array()) {
          if (!item.is_object()) continue;
          const std::string id = field(item.get_object(), "id");
          if (id.empty() || !seen.insert(id).second) continue;
          result.contacts.push_back(contact_from(item.get_object(), contact_url(ctx, id)));
          if (static_cast<std::int64_t>(result.contacts.size()) >= limit) return result;
        }
      const std::string after = next_after(answer.value());
      if (after.empty()) break;
      search["after"] = after;
    }
    return result;
  }

  Result<Contact> create_contact(Context& ctx, const sdk::CreateContactRequest& req) override {
    std::string type = req.type.empty() ? "contact" : req.type;
    std::transform(type.begin(), type.end(), type.begin(), [](unsigned char c) { return std::tolower(c); });
    if (type != "contact" && type != "lead")
      return Error::make(sdk::error_code::kValidation, "HubSpot contact type must be contact or lead, got " + req.type,
                         false);
    boost::json::object properties{{"lastname", req.last_name}};
    if (!req.first_name.empty()) properties["firstname"] = req.first_name;
    if (!req.phone.empty()) properties["phone"] = req.phone;
    if (!req.company.empty()) properties["company"] = req.company;
    if (!req.owner_id.empty()) properties["hubspot_owner_id"] = req.owner_id;
    // HubSpot's Leads object needs a contact anyway; a lead is a contact at lifecycle stage "lead".
    if (type == "lead") properties["lifecyclestage"] = "lead";
    const boost::json::value body(boost::json::object{{"properties", std::move(properties)}});
    auto answer = call_json(ctx, "POST", "/crm/v3/objects/contacts", &body);
    if (!answer) return answer.error();
    const std::string id = field(answer.value(), "id");
    if (id.empty()) return Error::make(sdk::error_code::kInternal, "HubSpot create answer has no id", false);
    return contact_from(answer.value(), contact_url(ctx, id));
  }

  Result<LogRecordRef> create_call_log(Context& ctx, const sdk::CreateCallLogRequest& req) override {
    auto properties = call_properties(req.log, external_id_property(ctx), ctx.now_unix_ms());
    const boost::json::value body(create_body(std::move(properties), req.log.contact_id, 194));
    return created_ref(ctx, call_json(ctx, "POST", "/crm/v3/objects/calls", &body), "calls", req.log.contact_id);
  }

  Result<LogRecordRef> update_call_log(Context& ctx, const sdk::UpdateCallLogRequest& req) override {
    return update(ctx, "calls", req.id, call_properties(req.log, external_id_property(ctx), ctx.now_unix_ms()),
                  req.log.contact_id);
  }

  Result<sdk::FindLogByExternalIdResult> find_log_by_external_id(Context& ctx,
                                                                 const sdk::FindLogByExternalIdRequest& req) override {
    const std::string object = object_for_kind(req.kind);
    if (object.empty()) return Error::make(sdk::error_code::kBadRequest, "unknown log kind '" + req.kind + "'", false);
    const std::string property_name = external_id_property(ctx);
    const boost::json::value body(
        boost::json::object{{"filterGroups", boost::json::array{group(filter(property_name, {req.external_id}))}},
                            {"properties", boost::json::array{boost::json::string(property_name)}},
                            {"limit", 10}});
    auto answer = call_json(ctx, "POST", "/crm/v3/objects/" + object + "/search", &body);
    if (!answer) return answer.error();
    sdk::FindLogByExternalIdResult result;
    if (const auto* list = answer.value().if_contains("results"); list && list->is_array())
      for (const auto& item : list->get_array()) {
        // HubSpot compares strings case-insensitively; our ids are case-sensitive.
        if (!item.is_object() || property(item.get_object(), property_name) != req.external_id) continue;
        result.record = LogRecordRef{field(item.get_object(), "id"), object, ""};
        break;
      }
    return result;
  }

  Result<LogRecordRef> get_log(Context& ctx, const sdk::GetLogRequest& req) override {
    const std::string object = object_for_kind(req.kind);
    if (object.empty()) return Error::make(sdk::error_code::kBadRequest, "unknown log kind '" + req.kind + "'", false);
    const std::string body_property = object == "calls"            ? "hs_call_body"
                                      : object == "communications" ? "hs_communication_body"
                                                                   : "hs_note_body";
    auto answer = call_json(
        ctx, "GET", "/crm/v3/objects/" + object + "/" + sdk::url_encode(req.id) + "?properties=" + body_property);
    if (!answer) return answer.error();
    LogRecordRef ref{req.id, object, "", strip_title_line(property(answer.value(), body_property))};
    return ref;
  }

  Result<LogRecordRef> create_message_log(Context& ctx, const sdk::CreateMessageLogRequest& req) override {
    const std::string object = object_for_kind(req.log.kind);
    if (object.empty() || object == "calls")
      return Error::make(sdk::error_code::kBadRequest, "unknown message kind '" + req.log.kind + "'", false);
    auto properties = message_properties(req.log, external_id_property(ctx), ctx.now_unix_ms());
    const boost::json::value body(
        create_body(std::move(properties), req.log.contact_id, contact_association_type(object)));
    return created_ref(ctx, call_json(ctx, "POST", "/crm/v3/objects/" + object, &body), object, req.log.contact_id);
  }

  Result<LogRecordRef> update_message_log(Context& ctx, const sdk::UpdateMessageLogRequest& req) override {
    const std::string object = object_for_kind(req.log.kind);
    if (object.empty() || object == "calls")
      return Error::make(sdk::error_code::kBadRequest, "unknown message kind '" + req.log.kind + "'", false);
    return update(ctx, object, req.id, message_properties(req.log, external_id_property(ctx), ctx.now_unix_ms()),
                  req.log.contact_id);
  }

  Result<sdk::ListUsersResult> list_users(Context& ctx) override {
    sdk::ListUsersResult result;
    std::string after;
    for (int page = 0; page < kMaxPages; ++page) {
      std::string path = "/crm/v3/owners?limit=100&archived=false";
      if (!after.empty()) path += "&after=" + sdk::url_encode(after);
      auto answer = call_json(ctx, "GET", path);
      if (!answer) return answer.error();
      if (const auto* list = answer.value().if_contains("results"); list && list->is_array())
        for (const auto& item : list->get_array()) {
          if (!item.is_object()) continue;
          const auto& o = item.get_object();
          std::string name = field(o, "firstName");
          if (const std::string last = field(o, "lastName"); !last.empty()) name += (name.empty() ? "" : " ") + last;
          if (name.empty()) name = field(o, "email");
          const auto* archived = o.if_contains("archived");
          result.users.push_back(sdk::CrmUser{field(o, "id"), name, field(o, "email"),
                                              !(archived && archived->is_bool() && archived->get_bool())});
        }
      after = next_after(answer.value());
      if (after.empty()) break;
    }
    return result;
  }

  Result<sdk::OAuthAuthorizeUrlResult> oauth_authorize_url(Context& ctx,
                                                           const sdk::OAuthAuthorizeUrlRequest& req) override {
    // https://developers.hubspot.com/docs/guides/apps/authentication/working-with-oauth
    std::vector<std::pair<std::string, std::string>> query{
        {"client_id", ctx.credential("client_id")},
        {"scope",
         ctx.setting("scopes", "crm.objects.contacts.read crm.objects.contacts.write crm.objects.owners.read")},
        {"redirect_uri", req.redirect_uri}};
    if (!req.state.empty()) query.emplace_back("state", req.state);
    return sdk::OAuthAuthorizeUrlResult{app_base(ctx) + "/oauth/authorize?" + sdk::form_encode(query)};
  }

  Result<sdk::OAuthTokens> oauth_exchange_code(Context& ctx, const sdk::OAuthExchangeCodeRequest& req) override {
    std::vector<std::pair<std::string, std::string>> form{{"grant_type", "authorization_code"},
                                                          {"client_id", ctx.credential("client_id")},
                                                          {"client_secret", ctx.credential("client_secret")},
                                                          {"redirect_uri", req.redirect_uri},
                                                          {"code", req.code}};
    if (!req.code_verifier.empty()) form.emplace_back("code_verifier", req.code_verifier);
    return token_request(ctx, form);
  }

  Result<sdk::OAuthTokens> oauth_refresh(Context& ctx) override {
    // A private app token is the access token, and it does not expire.
    if (const std::string pat = ctx.credential("private_app_token"); !pat.empty()) {
      sdk::OAuthTokens tokens;
      tokens.access_token = pat;
      return tokens;
    }
    const std::string refresh_token = ctx.credential("refresh_token");
    if (refresh_token.empty())
      return Error::make(sdk::error_code::kAuthRevoked,
                         "no refresh token or private app token: connect the HubSpot account first", false);
    return token_request(ctx, {{"grant_type", "refresh_token"},
                               {"client_id", ctx.credential("client_id")},
                               {"client_secret", ctx.credential("client_secret")},
                               {"refresh_token", refresh_token}});
  }

 private:
  static Result<LogRecordRef> update(Context& ctx, const std::string& object, const std::string& id,
                                     boost::json::object properties, const std::string& contact_id) {
    const boost::json::value body(boost::json::object{{"properties", std::move(properties)}});
    auto answer = call_json(ctx, "PATCH", "/crm/v3/objects/" + object + "/" + sdk::url_encode(id), &body);
    if (!answer) return answer.error();
    // The contact may have been resolved after the log was created; associating twice is harmless.
    if (!contact_id.empty()) {
      auto linked = call_json(ctx, "PUT",
                              "/crm/v3/objects/" + object + "/" + sdk::url_encode(id) + "/associations/contacts/" +
                                  sdk::url_encode(contact_id) + "/" + std::to_string(contact_association_type(object)));
      if (!linked) return linked.error();
    }
    return LogRecordRef{id, object, contact_url(ctx, contact_id)};
  }

  static Result<sdk::OAuthTokens> token_request(Context& ctx,
                                                const std::vector<std::pair<std::string, std::string>>& form) {
    // POST /oauth/v1/token, form-encoded; answer {token_type, refresh_token, access_token, expires_in[, hub_id]}
    // (https://github.com/HubSpot/HubSpot-public-api-spec-collection/blob/main/PublicApiSpecs/Auth/Oauth/Rollouts/155908/v1/oauth.json).
    sdk::HttpRequest request;
    request.method = "POST";
    request.url = oauth_base(ctx) + "/oauth/v1/token";
    request.headers["Content-Type"] = "application/x-www-form-urlencoded;charset=utf-8";
    request.headers["Accept"] = "application/json";
    request.body = sdk::form_encode(form);
    auto response = ctx.http(request);
    if (!response) return response.error();
    if (!response.value().ok()) {
      Error e = error_from(ctx, response.value());
      // 400 BAD_REFRESH_TOKEN / BAD_AUTH_CODE / BAD_CLIENT_ID ...: only a new consent (or fixed app
      // credentials) helps.
      if (response.value().status == 400 || response.value().status == 401) {
        e.code = sdk::error_code::kAuthRevoked;
        e.retryable = false;
        e.retry_after_ms.reset();
      }
      return e;
    }
    const auto doc = response.value().json();
    if (!doc.is_object()) return Error::make(sdk::error_code::kInternal, "HubSpot token answer is not JSON", true);
    const auto& o = doc.get_object();
    sdk::OAuthTokens tokens;
    tokens.access_token = field(o, "access_token");
    if (tokens.access_token.empty())
      return Error::make(sdk::error_code::kInternal, "HubSpot token answer has no access_token", true);
    tokens.refresh_token = field(o, "refresh_token");
    if (const auto* expires = o.if_contains("expires_in"); expires && expires->is_number())
      tokens.expires_in_s = expires->to_number<std::int64_t>();
    // The account id, for record links (optional in the answer).
    if (const auto* hub = o.if_contains("hub_id"); hub && hub->is_number())
      tokens.settings["portal_id"] = std::to_string(hub->to_number<std::int64_t>());
    return tokens;
  }
};

} // namespace
} // namespace appconnect::hubspot

APPCONNECT_PLUGIN(appconnect::hubspot::HubSpotConnector)
