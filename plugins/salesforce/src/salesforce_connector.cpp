// The Salesforce connector: people are Contacts and Leads, every communication is a Task.
//
//   find_contacts       SOSL "FIND {digits} IN PHONE FIELDS" over Contact and unconverted Lead; when the
//                       search index has not caught up (new records can take minutes), SOQL equality on
//                       the phone fields with every stored spelling the host proposes.
//   create_contact      POST /sobjects/Contact or /sobjects/Lead (Leads need Company).
//   call logs           Task with TaskSubtype=Call, CallType, CallDurationInSeconds, CallDisposition and
//                       CallObject = the host's external id, so a retry finds the Task instead of
//                       creating a second one.
//   message logs        Task with TaskSubtype=Task (Salesforce has no SMS or fax object).
//   list_users          SOQL over active Users.
//   oauth_*             the web-server flow against login_url; instance_url comes back with the token.
#include "salesforce_api.hpp"

#include <appconnect/plugin.hpp>

#include <algorithm>
#include <set>

namespace appconnect::salesforce {
namespace {

using sdk::CallLog;
using sdk::Contact;
using sdk::LogRecordRef;
using sdk::MessageLog;

constexpr std::size_t kSubjectMax = 255;
constexpr std::size_t kDescriptionMax = 32000;

std::string call_type(const std::string& direction) {
  if (direction == "outbound") return "Outbound";
  if (direction == "internal") return "Internal";
  return "Inbound";
}

std::string disposition(const std::string& result) {
  if (result.empty() || result == "unknown") return "";
  std::string label = result;
  label[0] = static_cast<char>(label[0] - 'a' + 'A');
  return label;
}

std::string clip(std::string text, std::size_t max) {
  if (text.size() > max) text.resize(max);
  return text;
}

// "2026-11-25T09:30:00Z" -> "2026-11-25" (ActivityDate is a date field).
std::string activity_date(const std::string& start_time) {
  return start_time.size() >= 10 ? start_time.substr(0, 10) : start_time;
}

std::string description_of(const std::string& body, const std::string& recording_url) {
  std::string text = body;
  if (!recording_url.empty() && text.find(recording_url) == std::string::npos) {
    if (!text.empty() && text.back() != '\n') text.push_back('\n');
    text += "Recording: " + recording_url + "\n";
  }
  return clip(text, kDescriptionMax);
}

Contact contact_from(const Context& ctx, const boost::json::object& r, const std::string& type) {
  Contact c;
  c.id = field(r, "Id");
  c.type = type;
  c.name = field(r, "Name");
  c.phone = field(r, "Phone");
  c.mobile_phone = field(r, "MobilePhone");
  c.email = field(r, "Email");
  c.company = field(r, "Company");
  c.owner_id = field(r, "OwnerId");
  c.created_at = to_utc(field(r, "CreatedDate"));
  c.modified_at = to_utc(field(r, "LastModifiedDate"));
  c.url = record_url(ctx, type, c.id);
  return c;
}

std::string record_type(const boost::json::object& r) {
  if (const auto* a = r.if_contains("attributes"); a && a->is_object()) return field(a->get_object(), "type");
  return {};
}

bool all_digits(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

constexpr const char* kContactFields = "Id, Name, Phone, MobilePhone, Email, OwnerId, CreatedDate, LastModifiedDate";
constexpr const char* kLeadFields =
    "Id, Name, Company, Phone, MobilePhone, Email, OwnerId, CreatedDate, LastModifiedDate";

Result<LogRecordRef> created_ref(const Context& ctx, const Result<sdk::HttpResponse>& response, const char* type) {
  if (!response) return response.error();
  if (!response.value().ok()) return error_from(response.value());
  const auto doc = response.value().json();
  if (!doc.is_object() || field(doc.get_object(), "id").empty())
    return Error::make(sdk::error_code::kInternal, "Salesforce create answer has no id", false);
  const std::string id = field(doc.get_object(), "id");
  return LogRecordRef{id, type, record_url(ctx, type, id)};
}

class SalesforceConnector final : public sdk::Connector {
 public:
  Result<sdk::FindContactsResult> find_contacts(Context& ctx, const sdk::FindContactsRequest& req) override {
    const bool want_contacts = req.types.empty() || std::count(req.types.begin(), req.types.end(), "Contact");
    const bool want_leads = req.types.empty() || std::count(req.types.begin(), req.types.end(), "Lead");
    const auto limit = std::clamp<std::int64_t>(req.limit, 1, 200);

    // SOSL matches phone fields whatever their formatting, given the digits. The national digits are the
    // shortest all-digit spelling the host proposes (e.g. 4155550132 for +14155550132).
    std::string digits;
    for (const auto& v : req.variants)
      if (all_digits(v) && (digits.empty() || v.size() < digits.size())) digits = v;
    if (digits.empty()) digits = req.phone_e164.substr(req.phone_e164.rfind('+') + 1);

    std::string returning;
    if (want_contacts) returning += std::string("Contact(") + kContactFields + ")";
    if (want_leads) {
      if (!returning.empty()) returning += ", ";
      returning += std::string("Lead(") + kLeadFields + " WHERE IsConverted = false)";
    }
    const std::string sosl =
        "FIND {" + sosl_escape(digits) + "} IN PHONE FIELDS RETURNING " + returning + " LIMIT " + std::to_string(limit);
    auto response = call(ctx, "GET", "/search/?q=" + sdk::url_encode(sosl));
    if (!response) return response.error();
    if (!response.value().ok()) return error_from(response.value());
    sdk::FindContactsResult result;
    const auto doc = response.value().json();
    if (doc.is_object())
      if (const auto* list = doc.get_object().if_contains("searchRecords"); list && list->is_array())
        for (const auto& item : list->get_array())
          if (item.is_object())
            result.contacts.push_back(contact_from(ctx, item.get_object(), record_type(item.get_object())));
    if (!result.contacts.empty()) return result;

    // The search index lags behind writes; SOQL sees a record the moment it exists, but compares exact
    // strings, so try every spelling a person may have typed.
    std::vector<std::string> spellings = req.variants;
    if (std::find(spellings.begin(), spellings.end(), req.phone_e164) == spellings.end())
      spellings.insert(spellings.begin(), req.phone_e164);
    std::string in_list;
    for (const auto& s : spellings) in_list += (in_list.empty() ? "" : ", ") + soql_quote(s);
    const std::string where = "(Phone IN (" + in_list + ") OR MobilePhone IN (" + in_list + "))";
    std::set<std::string> seen;
    auto collect = [&](const std::string& soql, const std::string& type) -> Result<sdk::Done> {
      auto rows = query_all(ctx, soql);
      if (!rows) return rows.error();
      for (const auto& r : rows.value())
        if (seen.insert(field(r, "Id")).second) result.contacts.push_back(contact_from(ctx, r, type));
      return sdk::Done{};
    };
    if (want_contacts) {
      auto ok = collect(
          std::string("SELECT ") + kContactFields + " FROM Contact WHERE " + where + " LIMIT " + std::to_string(limit),
          "Contact");
      if (!ok) return ok.error();
    }
    if (want_leads) {
      auto ok = collect(std::string("SELECT ") + kLeadFields + " FROM Lead WHERE IsConverted = false AND " + where +
                            " LIMIT " + std::to_string(limit),
                        "Lead");
      if (!ok) return ok.error();
    }
    return result;
  }

  Result<Contact> create_contact(Context& ctx, const sdk::CreateContactRequest& req) override {
    const std::string type = req.type.empty() ? "Lead" : req.type;
    if (type != "Contact" && type != "Lead")
      return Error::make(sdk::error_code::kValidation, "Salesforce contact type must be Contact or Lead, got " + type,
                         false);
    boost::json::object body{{"LastName", req.last_name}};
    if (!req.first_name.empty()) body["FirstName"] = req.first_name;
    if (!req.phone.empty()) body["Phone"] = req.phone;
    if (!req.owner_id.empty()) body["OwnerId"] = req.owner_id;
    if (type == "Lead") {
      body["Company"] = req.company.empty() ? ctx.setting("lead_company", "Unknown") : req.company;
      if (!req.source.empty()) body["LeadSource"] = req.source;
    }
    const boost::json::value doc(std::move(body));
    auto ref = created_ref(ctx, call(ctx, "POST", "/sobjects/" + type + "/", &doc), type.c_str());
    if (!ref) return ref.error();
    // Read it back so the caller gets the CRM's own view (Name, owner, timestamps).
    auto read = call(ctx, "GET", "/sobjects/" + type + "/" + ref.value().id);
    if (!read) return read.error();
    if (!read.value().ok()) return error_from(read.value());
    const auto record = read.value().json();
    if (!record.is_object()) return Error::make(sdk::error_code::kInternal, "Salesforce record is not an object", true);
    return contact_from(ctx, record.get_object(), type);
  }

  Result<LogRecordRef> create_call_log(Context& ctx, const sdk::CreateCallLogRequest& req) override {
    boost::json::object task = call_fields(req.log);
    task["TaskSubtype"] = "Call"; // settable only when the Task is created
    if (!req.log.contact_id.empty()) task["WhoId"] = req.log.contact_id;
    const boost::json::value doc(std::move(task));
    return created_ref(ctx, call(ctx, "POST", "/sobjects/Task/", &doc), "Task");
  }

  Result<LogRecordRef> update_call_log(Context& ctx, const sdk::UpdateCallLogRequest& req) override {
    boost::json::object task = call_fields(req.log);
    if (!req.log.contact_id.empty()) task["WhoId"] = req.log.contact_id;
    return patch_task(ctx, req.id, std::move(task));
  }

  Result<sdk::FindLogByExternalIdResult> find_log_by_external_id(Context& ctx,
                                                                 const sdk::FindLogByExternalIdRequest& req) override {
    auto rows = query_all(ctx, "SELECT Id FROM Task WHERE CallObject = " + soql_quote(req.external_id) + " LIMIT 1");
    if (!rows) return rows.error();
    sdk::FindLogByExternalIdResult result;
    if (!rows.value().empty()) {
      const std::string id = field(rows.value().front(), "Id");
      result.record = LogRecordRef{id, "Task", record_url(ctx, "Task", id)};
    }
    return result;
  }

  Result<LogRecordRef> get_log(Context& ctx, const sdk::GetLogRequest& req) override {
    auto read = call(ctx, "GET", "/sobjects/Task/" + sdk::url_encode(req.id) + "?fields=Id,Description");
    if (!read) return read.error();
    if (!read.value().ok()) return error_from(read.value());
    const auto record = read.value().json();
    if (!record.is_object()) return Error::make(sdk::error_code::kInternal, "Salesforce Task is not an object", true);
    LogRecordRef ref{req.id, "Task", record_url(ctx, "Task", req.id), std::string()};
    if (const auto* d = record.get_object().if_contains("Description"); d && d->is_string())
      ref.body = std::string(d->get_string());
    return ref;
  }

  Result<LogRecordRef> create_message_log(Context& ctx, const sdk::CreateMessageLogRequest& req) override {
    boost::json::object task = message_fields(req.log);
    task["TaskSubtype"] = "Task";
    if (!req.log.contact_id.empty()) task["WhoId"] = req.log.contact_id;
    const boost::json::value doc(std::move(task));
    return created_ref(ctx, call(ctx, "POST", "/sobjects/Task/", &doc), "Task");
  }

  Result<LogRecordRef> update_message_log(Context& ctx, const sdk::UpdateMessageLogRequest& req) override {
    return patch_task(ctx, req.id, message_fields(req.log));
  }

  Result<sdk::ListUsersResult> list_users(Context& ctx) override {
    auto rows = query_all(ctx, "SELECT Id, Name, Email, IsActive FROM User WHERE IsActive = true ORDER BY Name");
    if (!rows) return rows.error();
    sdk::ListUsersResult result;
    for (const auto& r : rows.value()) {
      const auto* active = r.if_contains("IsActive");
      result.users.push_back(sdk::CrmUser{field(r, "Id"), field(r, "Name"), field(r, "Email"),
                                          !active || !active->is_bool() || active->get_bool()});
    }
    return result;
  }

  Result<sdk::OAuthAuthorizeUrlResult> oauth_authorize_url(Context& ctx,
                                                           const sdk::OAuthAuthorizeUrlRequest& req) override {
    const std::string query = sdk::form_encode({{"response_type", "code"},
                                                {"client_id", ctx.credential("client_id")},
                                                {"redirect_uri", req.redirect_uri},
                                                {"scope", "api refresh_token"},
                                                {"state", req.state}});
    return sdk::OAuthAuthorizeUrlResult{login_url(ctx) + "/services/oauth2/authorize?" + query};
  }

  Result<sdk::OAuthTokens> oauth_exchange_code(Context& ctx, const sdk::OAuthExchangeCodeRequest& req) override {
    std::vector<std::pair<std::string, std::string>> form{{"grant_type", "authorization_code"},
                                                          {"code", req.code},
                                                          {"client_id", ctx.credential("client_id")},
                                                          {"client_secret", ctx.credential("client_secret")},
                                                          {"redirect_uri", req.redirect_uri}};
    if (!req.code_verifier.empty()) form.emplace_back("code_verifier", req.code_verifier);
    return token_request(ctx, form);
  }

  Result<sdk::OAuthTokens> oauth_refresh(Context& ctx) override {
    const std::string refresh_token = ctx.credential("refresh_token");
    if (refresh_token.empty())
      return Error::make(sdk::error_code::kAuthRevoked, "no refresh token: connect the Salesforce org first", false);
    return token_request(ctx, {{"grant_type", "refresh_token"},
                               {"refresh_token", refresh_token},
                               {"client_id", ctx.credential("client_id")},
                               {"client_secret", ctx.credential("client_secret")}});
  }

 private:
  static boost::json::object call_fields(const CallLog& log) {
    boost::json::object task{{"Subject", clip(log.subject, kSubjectMax)},
                             {"CallType", call_type(log.direction)},
                             {"CallDurationInSeconds", log.duration_s},
                             {"CallObject", clip(log.external_id, 255)},
                             {"ActivityDate", activity_date(log.start_time)},
                             {"Status", "Completed"},
                             {"Description", description_of(log.body, log.recording_url)}};
    if (const std::string d = disposition(log.result); !d.empty()) task["CallDisposition"] = d;
    if (!log.owner_id.empty()) task["OwnerId"] = log.owner_id;
    return task;
  }

  static boost::json::object message_fields(const MessageLog& log) {
    boost::json::object task{{"Subject", clip(log.subject, kSubjectMax)},
                             {"CallObject", clip(log.external_id, 255)},
                             {"ActivityDate", activity_date(log.start_time)},
                             {"Status", "Completed"},
                             {"Description", description_of(log.body, log.attachment_url)}};
    if (!log.owner_id.empty()) task["OwnerId"] = log.owner_id;
    return task;
  }

  static Result<LogRecordRef> patch_task(Context& ctx, const std::string& id, boost::json::object fields) {
    const boost::json::value doc(std::move(fields));
    auto response = call(ctx, "PATCH", "/sobjects/Task/" + id, &doc);
    if (!response) return response.error();
    if (!response.value().ok()) return error_from(response.value());
    return LogRecordRef{id, "Task", record_url(ctx, "Task", id)};
  }

  static Result<sdk::OAuthTokens> token_request(Context& ctx,
                                                const std::vector<std::pair<std::string, std::string>>& form) {
    sdk::HttpRequest request;
    request.method = "POST";
    request.url = login_url(ctx) + "/services/oauth2/token";
    request.headers["Content-Type"] = "application/x-www-form-urlencoded";
    request.headers["Accept"] = "application/json";
    request.body = sdk::form_encode(form);
    auto response = ctx.http(request);
    if (!response) return response.error();
    if (!response.value().ok()) {
      Error e = error_from(response.value());
      // 400 invalid_grant: the refresh token was revoked or expired; only a new consent helps.
      if (response.value().status == 400) {
        e.code = sdk::error_code::kAuthRevoked;
        e.retryable = false;
      }
      return e;
    }
    const auto doc = response.value().json();
    if (!doc.is_object()) return Error::make(sdk::error_code::kInternal, "Salesforce token answer is not JSON", true);
    const auto& o = doc.get_object();
    sdk::OAuthTokens tokens;
    tokens.access_token = field(o, "access_token");
    tokens.refresh_token = field(o, "refresh_token"); // only with refresh token rotation
    if (tokens.access_token.empty())
      return Error::make(sdk::error_code::kInternal, "Salesforce token answer has no access_token", true);
    if (const std::string instance = field(o, "instance_url"); !instance.empty())
      tokens.settings["instance_url"] = instance;
    return tokens;
  }
};

} // namespace
} // namespace appconnect::salesforce

APPCONNECT_PLUGIN(appconnect::salesforce::SalesforceConnector)
