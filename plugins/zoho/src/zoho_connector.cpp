// The Zoho CRM connector: people are Contacts and Leads, calls are records of the Calls module, SMS
// digests, faxes and voicemails are Notes on the person.
//
//   find_contacts       GET /{Contacts|Leads}/search?criteria=((Phone:equals:v)or(Mobile:equals:v)...) with every
//                       spelling the host proposes (Phone and Mobile are free text: Zoho compares the stored
//                       text), at most 10 conditions per request, plus GET /{module}/search?phone=<digits>
//                       (Zoho's search over every phone field); results merged, pages followed, 204 = none.
//                       Setting phone_search = both (default) | criteria | phone trades credits for coverage.
//   create_contact      POST /Contacts or /Leads (Last_Name; Leads also Company), then GET it back.
//   call logs           POST /Calls (Subject, Call_Type, Call_Start_Time, Call_Duration "mm:ss", Call_Result,
//                       Description, Who_Id for a Contact or What_Id + $se_module "Leads" for a Lead, Owner,
//                       Caller_ID / Dialled_Number) with the host's external id in a custom text field;
//                       PUT /Calls/{id} later (never Call_Type or Owner: Zoho refuses both on completed calls).
//   message logs        POST /Notes on the Contact/Lead (Parent_Id + se_module; v6+ Parent_Id{module,id}),
//                       PUT /Notes/{id} as an SMS digest grows.
//   find_log_...        GET /{Calls|Notes}/search?criteria=(<external id field>:equals:<key>).
//   list_users          GET /users?type=ActiveUsers, every page.
//   oauth_*             accounts_url/oauth/v2/{auth,token}; api_domain from the token answer becomes a setting;
//                       token errors arrive as HTTP 200 {"error": ...}.
// Sources are cited in zoho_api.hpp and docs/connectors/zoho.md.
#include "zoho_api.hpp"

#include <appconnect/plugin.hpp>

#include <algorithm>
#include <set>

namespace appconnect::zoho {
namespace {

using sdk::CallLog;
using sdk::Contact;
using sdk::LogRecordRef;
using sdk::MessageLog;

constexpr const char* kContacts = "Contacts";
constexpr const char* kLeads = "Leads";
constexpr const char* kCalls = "Calls";
constexpr const char* kNotes = "Notes";
constexpr std::size_t kSubjectMax = 255;      // Calls.Subject
constexpr std::size_t kNoteTitleMax = 120;    // Notes.Note_Title
constexpr std::size_t kTextAreaMax = 32000;   // Description, Note_Content
constexpr std::size_t kPhoneMax = 30;         // phone fields
constexpr std::size_t kSpellingsPerQuery = 5; // x 2 fields = Zoho's limit of 10 criteria per search
constexpr int kMaxPages = 10;                 // search returns at most 2,000 records (10 x 200)

std::string clip(std::string text, std::size_t max) {
  if (text.size() > max) text.resize(max);
  return text;
}

// The module for a contact type; the host may use Zoho's plural names or the singular ones.
std::string module_of(const std::string& type) {
  if (type == kContacts || type == "Contact" || type == "contact" || type == "contacts") return kContacts;
  if (type == kLeads || type == "Lead" || type == "lead" || type == "leads") return kLeads;
  return {};
}

std::string text_with_link(const std::string& body, const std::string& label, const std::string& url) {
  std::string text = body;
  if (!url.empty() && text.find(url) == std::string::npos) {
    if (!text.empty() && text.back() != '\n') text.push_back('\n');
    text += label + ": " + url + "\n";
  }
  return clip(text, kTextAreaMax);
}

bool all_digits(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Call_Type: Inbound / Outbound / Missed. "Missed" is Zoho's word for an unanswered incoming call, so it is
// used when an inbound call was missed or went to voicemail; an outbound call stays Outbound whatever
// happened (its Call_Result says it).
std::string call_type(const CallLog& log) {
  if (log.direction == "outbound") return "Outbound";
  if (log.result == "missed" || log.result == "voicemail") return "Missed";
  return "Inbound";
}

// Call_Result is a picklist Zoho extends with values sent through the API (Kaizen #38).
std::string call_result(const std::string& result) {
  if (result.empty() || result == "unknown") return "";
  std::string label = result;
  label[0] = static_cast<char>(label[0] - 'a' + 'A');
  return label;
}

Contact contact_from(const Context& ctx, const boost::json::object& r, const std::string& module) {
  Contact c;
  c.id = field(r, "id");
  c.type = module;
  c.name = field(r, "Full_Name");
  if (c.name.empty()) {
    c.name = field(r, "First_Name");
    const std::string last = field(r, "Last_Name");
    if (!last.empty()) c.name += (c.name.empty() ? "" : " ") + last;
  }
  c.phone = field(r, "Phone");
  c.mobile_phone = field(r, "Mobile");
  c.email = field(r, "Email");
  c.company = module == kLeads ? field(r, "Company") : lookup_name(r, "Account_Name");
  c.owner_id = lookup_id(r, "Owner");
  c.created_at = to_utc(field(r, "Created_Time"));
  c.modified_at = to_utc(field(r, "Modified_Time"));
  c.url = record_url(ctx, module, c.id);
  return c;
}

std::string external_id_field(const Context& ctx, bool note) {
  const std::string calls = ctx.setting("external_id_field", "AppConnect_External_Id");
  if (!note) return calls;
  // An explicit empty note_external_id_field turns it off for Notes (orgs without a custom field there).
  const auto& s = ctx.settings();
  if (const auto* v = s.if_contains("note_external_id_field"); v && v->is_string()) return std::string(v->get_string());
  return calls;
}

class ZohoConnector final : public sdk::Connector {
 public:
  Result<sdk::FindContactsResult> find_contacts(Context& ctx, const sdk::FindContactsRequest& req) override {
    std::vector<std::string> modules;
    for (const char* m : {kContacts, kLeads})
      if (req.types.empty() ||
          std::any_of(req.types.begin(), req.types.end(), [&](const std::string& t) { return module_of(t) == m; }))
        modules.emplace_back(m);
    if (modules.empty())
      return Error::make(sdk::error_code::kValidation, "Zoho contact types are Contacts and Leads", false);
    // Zoho's search returns at most 2,000 records (10 pages of 200).
    const auto limit = static_cast<std::size_t>(std::clamp<std::int64_t>(req.limit, 1, 2000));
    const std::string mode = ctx.setting("phone_search", "both"); // both | criteria | phone

    // Phone and Mobile are free text: criteria "equals" compares the stored spelling, so ask for every
    // spelling the host proposes, ten conditions (five spellings) per request.
    std::vector<std::string> spellings;
    auto add = [&](const std::string& s) {
      if (!s.empty() && s.size() <= kPhoneMax && std::find(spellings.begin(), spellings.end(), s) == spellings.end())
        spellings.push_back(s);
    };
    add(req.phone_e164);
    for (const auto& v : req.variants) add(v);
    // Zoho's phone search looks at every phone field (Home_Phone, Other_Phone, ...) and finds spellings nobody
    // predicted ("415.555.0132"). The national digits are the shortest all-digit spelling the host proposes.
    std::string digits;
    for (const auto& v : req.variants)
      if (all_digits(v) && (digits.empty() || v.size() < digits.size())) digits = v;
    if (digits.empty()) digits = req.phone_e164.substr(req.phone_e164.rfind('+') + 1);

    sdk::FindContactsResult result;
    std::set<std::string> seen;
    for (const auto& module : modules) {
      if (mode != "phone") {
        for (std::size_t i = 0; i < spellings.size() && result.contacts.size() < limit; i += kSpellingsPerQuery) {
          std::string criteria;
          for (std::size_t j = i; j < std::min(spellings.size(), i + kSpellingsPerQuery); ++j) {
            const std::string v = criteria_escape(spellings[j]);
            criteria += (criteria.empty() ? "" : "or");
            criteria += "(Phone:equals:" + v + ")or(Mobile:equals:" + v + ")";
          }
          auto ok = search(ctx, module, "criteria=" + sdk::url_encode("(" + criteria + ")"), limit, seen, result);
          if (!ok) return ok.error();
        }
      }
      if (mode != "criteria" && !digits.empty() && result.contacts.size() < limit) {
        auto ok = search(ctx, module, "phone=" + sdk::url_encode(digits), limit, seen, result);
        if (!ok) return ok.error();
      }
    }
    return result;
  }

  Result<Contact> create_contact(Context& ctx, const sdk::CreateContactRequest& req) override {
    const std::string module = module_of(req.type.empty() ? kLeads : req.type);
    if (module.empty())
      return Error::make(sdk::error_code::kValidation, "Zoho contact type must be Contacts or Leads, got " + req.type,
                         false);
    boost::json::object record{{"Last_Name", clip(req.last_name, 80)}};
    if (!req.first_name.empty()) record["First_Name"] = clip(req.first_name, 40);
    if (!req.phone.empty()) record["Phone"] = clip(req.phone, kPhoneMax);
    if (!req.owner_id.empty()) record["Owner"] = boost::json::object{{"id", req.owner_id}};
    if (!req.source.empty()) record["Lead_Source"] = req.source;
    if (module == kLeads)
      record["Company"] = req.company.empty() ? ctx.setting("lead_company", "Unknown") : req.company;
    const auto doc = as_data(std::move(record));
    auto id = written_id(call(ctx, "POST", "/" + module, &doc));
    if (!id) return id.error();
    // Read it back so the caller gets Zoho's own view (Full_Name, owner, timestamps).
    auto read = call(ctx, "GET", "/" + module + "/" + id.value());
    if (!read) return read.error();
    if (!read.value().ok()) return error_from(read.value());
    const auto answer = read.value().json();
    const auto* data = answer.is_object() ? answer.get_object().if_contains("data") : nullptr;
    if (!data || !data->is_array() || data->get_array().empty() || !data->get_array()[0].is_object()) {
      Contact c; // 204: not readable yet; answer with what was written
      c.id = id.value();
      c.type = module;
      c.name = req.first_name.empty() ? req.last_name : req.first_name + " " + req.last_name;
      c.phone = req.phone;
      c.owner_id = req.owner_id;
      c.url = record_url(ctx, module, c.id);
      return c;
    }
    return contact_from(ctx, data->get_array()[0].get_object(), module);
  }

  Result<LogRecordRef> create_call_log(Context& ctx, const sdk::CreateCallLogRequest& req) override {
    auto record = call_fields(ctx, req.log, true);
    if (!record) return record.error();
    const auto doc = as_data(std::move(record.value()));
    auto id = written_id(call(ctx, "POST", std::string("/") + kCalls, &doc));
    if (!id) return id.error();
    return LogRecordRef{id.value(), kCalls, record_url(ctx, kCalls, id.value())};
  }

  Result<LogRecordRef> update_call_log(Context& ctx, const sdk::UpdateCallLogRequest& req) override {
    auto record = call_fields(ctx, req.log, false);
    if (!record) return record.error();
    const auto doc = as_data(std::move(record.value()));
    auto id = written_id(call(ctx, "PUT", std::string("/") + kCalls + "/" + req.id, &doc));
    if (!id) return id.error();
    return LogRecordRef{req.id, kCalls, record_url(ctx, kCalls, req.id)};
  }

  Result<sdk::FindLogByExternalIdResult> find_log_by_external_id(Context& ctx,
                                                                 const sdk::FindLogByExternalIdRequest& req) override {
    const bool note = req.kind != "call";
    const std::string module = note ? kNotes : kCalls;
    const std::string key_field = external_id_field(ctx, note);
    sdk::FindLogByExternalIdResult result;
    if (key_field.empty()) return result; // not stored on this module: nothing can be found
    const std::string criteria = "(" + key_field + ":equals:" + criteria_escape(req.external_id) + ")";
    auto response = call(ctx, "GET", "/" + module + "/search?criteria=" + sdk::url_encode(criteria) + "&per_page=1");
    if (!response) return response.error();
    if (response.value().status == 204) return result; // Zoho: no match is 204 with an empty body
    if (!response.value().ok()) return error_from(response.value());
    const auto doc = response.value().json();
    if (doc.is_object())
      if (const auto* data = doc.get_object().if_contains("data");
          data && data->is_array() && !data->get_array().empty() && data->get_array()[0].is_object()) {
        const std::string id = field(data->get_array()[0].get_object(), "id");
        result.record = LogRecordRef{id, module, record_url(ctx, module, id)};
      }
    return result;
  }

  Result<LogRecordRef> get_log(Context& ctx, const sdk::GetLogRequest& req) override {
    const bool note = req.kind != "call";
    const std::string module = note ? kNotes : kCalls;
    auto response = call(ctx, "GET", "/" + module + "/" + sdk::url_encode(req.id));
    if (!response) return response.error();
    if (response.value().status == 204)
      return Error::make(sdk::error_code::kNotFound, "Zoho has no " + module + " record " + req.id, false);
    if (!response.value().ok()) return error_from(response.value());
    const auto doc = response.value().json();
    LogRecordRef ref{req.id, module, note ? std::string() : record_url(ctx, module, req.id), std::string()};
    if (doc.is_object())
      if (const auto* data = doc.get_object().if_contains("data");
          data && data->is_array() && !data->get_array().empty() && data->get_array()[0].is_object())
        ref.body = field(data->get_array()[0].get_object(), note ? "Note_Content" : "Description");
    return ref;
  }

  Result<LogRecordRef> create_message_log(Context& ctx, const sdk::CreateMessageLogRequest& req) override {
    const MessageLog& log = req.log;
    const std::string parent = module_of(log.contact_type.empty() ? kContacts : log.contact_type);
    if (log.contact_id.empty() || parent.empty())
      return Error::make(sdk::error_code::kValidation,
                         "a Zoho note belongs to a Contact or a Lead: the message log needs contact_id and type",
                         false);
    boost::json::object note = note_fields(ctx, log);
    if (api_major(ctx) >= 6) {
      // v6+: {"Parent_Id":{"module":{"api_name":"Leads"},"id":"..."}}
      note["Parent_Id"] = boost::json::object{{"module", {{"api_name", parent}}}, {"id", log.contact_id}};
    } else {
      note["Parent_Id"] = log.contact_id;
      note["se_module"] = parent;
    }
    const auto doc = as_data(std::move(note));
    auto id = written_id(call(ctx, "POST", std::string("/") + kNotes, &doc));
    if (!id) return id.error();
    return LogRecordRef{id.value(), kNotes, record_url(ctx, parent, log.contact_id)};
  }

  Result<LogRecordRef> update_message_log(Context& ctx, const sdk::UpdateMessageLogRequest& req) override {
    const auto doc = as_data(note_fields(ctx, req.log));
    auto id = written_id(call(ctx, "PUT", std::string("/") + kNotes + "/" + req.id, &doc));
    if (!id) return id.error();
    const std::string parent = module_of(req.log.contact_type.empty() ? kContacts : req.log.contact_type);
    return LogRecordRef{
        req.id, kNotes,
        req.log.contact_id.empty() || parent.empty() ? std::string() : record_url(ctx, parent, req.log.contact_id)};
  }

  Result<sdk::ListUsersResult> list_users(Context& ctx) override {
    sdk::ListUsersResult result;
    for (int page = 1; page <= 1000; ++page) {
      auto response = call(ctx, "GET", "/users?type=ActiveUsers&page=" + std::to_string(page) + "&per_page=200");
      if (!response) return response.error();
      if (response.value().status == 204) break; // no (more) users
      if (!response.value().ok()) return error_from(response.value());
      const auto doc = response.value().json();
      if (!doc.is_object()) return Error::make(sdk::error_code::kInternal, "Zoho users answer is not an object", true);
      if (const auto* users = doc.get_object().if_contains("users"); users && users->is_array())
        for (const auto& u : users->get_array()) {
          if (!u.is_object()) continue;
          const auto& o = u.get_object();
          std::string name = field(o, "full_name");
          if (name.empty())
            name = field(o, "first_name") + (field(o, "first_name").empty() ? "" : " ") + field(o, "last_name");
          result.users.push_back(sdk::CrmUser{field(o, "id"), name, field(o, "email"), field(o, "status") == "active"});
        }
      if (!more_records(doc)) break;
    }
    return result;
  }

  Result<sdk::OAuthAuthorizeUrlResult> oauth_authorize_url(Context& ctx,
                                                           const sdk::OAuthAuthorizeUrlRequest& req) override {
    // access_type=offline yields a refresh token; prompt=consent yields a new one on every reconnect
    // (without it Zoho returns a refresh token only the first time).
    const std::string query =
        sdk::form_encode({{"scope", "ZohoCRM.modules.ALL,ZohoCRM.users.READ,ZohoSearch.securesearch.READ"},
                          {"client_id", ctx.credential("client_id")},
                          {"response_type", "code"},
                          {"access_type", "offline"},
                          {"prompt", "consent"},
                          {"redirect_uri", req.redirect_uri},
                          {"state", req.state}});
    return sdk::OAuthAuthorizeUrlResult{accounts_url(ctx) + "/oauth/v2/auth?" + query};
  }

  Result<sdk::OAuthTokens> oauth_exchange_code(Context& ctx, const sdk::OAuthExchangeCodeRequest& req) override {
    return token_request(ctx, {{"grant_type", "authorization_code"},
                               {"client_id", ctx.credential("client_id")},
                               {"client_secret", ctx.credential("client_secret")},
                               {"redirect_uri", req.redirect_uri},
                               {"code", req.code}});
  }

  Result<sdk::OAuthTokens> oauth_refresh(Context& ctx) override {
    const std::string refresh_token = ctx.credential("refresh_token");
    if (refresh_token.empty())
      return Error::make(sdk::error_code::kAuthRevoked, "no refresh token: connect the Zoho CRM org first", false);
    return token_request(ctx, {{"grant_type", "refresh_token"},
                               {"client_id", ctx.credential("client_id")},
                               {"client_secret", ctx.credential("client_secret")},
                               {"refresh_token", refresh_token}});
  }

 private:
  // A write body: {"data":[record]}.
  static boost::json::value as_data(boost::json::object record) {
    return boost::json::object{{"data", boost::json::array{std::move(record)}}};
  }

  static bool more_records(const boost::json::value& doc) {
    const auto* info = doc.is_object() ? doc.get_object().if_contains("info") : nullptr;
    if (!info || !info->is_object()) return false;
    const auto* more = info->get_object().if_contains("more_records");
    return more && more->is_bool() && more->get_bool();
  }

  // One search (criteria=/phone=) on one module, every page until `limit` people are known.
  static Result<sdk::Done> search(Context& ctx, const std::string& module, const std::string& query, std::size_t limit,
                                  std::set<std::string>& seen, sdk::FindContactsResult& result) {
    // Converted Leads stay out: search leaves them out unless converted=true|both.
    for (int page = 1; page <= kMaxPages && result.contacts.size() < limit; ++page) {
      auto response = call(ctx, "GET",
                           "/" + module + "/search?" + query + "&page=" + std::to_string(page) +
                               "&per_page=" + std::to_string(std::min<std::size_t>(200, limit)));
      if (!response) return response.error();
      if (response.value().status == 204) break; // nothing (more) matches
      if (!response.value().ok()) return error_from(response.value());
      const auto doc = response.value().json();
      if (!doc.is_object()) return Error::make(sdk::error_code::kInternal, "Zoho search answer is not an object", true);
      if (const auto* data = doc.get_object().if_contains("data"); data && data->is_array())
        for (const auto& r : data->get_array()) {
          if (!r.is_object() || result.contacts.size() >= limit) continue;
          Contact c = contact_from(ctx, r.get_object(), module);
          if (!c.id.empty() && seen.insert(c.id).second) result.contacts.push_back(std::move(c));
        }
      if (!more_records(doc)) break;
    }
    return sdk::Done{};
  }

  static Result<boost::json::object> call_fields(const Context& ctx, const CallLog& log, bool creating) {
    const std::string type = call_type(log);
    const std::string start = to_zoho_time(log.start_time);
    if (start.empty())
      return Error::make(sdk::error_code::kValidation, "Zoho calls need a start time, got '" + log.start_time + "'",
                         false);
    std::string subject = clip(log.subject, kSubjectMax);
    if (subject.empty()) subject = type + " call";
    boost::json::object record{{"Subject", subject},
                               {"Call_Start_Time", start},
                               {"Description", text_with_link(log.body, "Recording", log.recording_url)}};
    // Call_Type cannot change after creation, and a completed call's Owner cannot either (Kaizen #38).
    if (creating) {
      record["Call_Type"] = type;
      if (!log.owner_id.empty()) record["Owner"] = boost::json::object{{"id", log.owner_id}};
    }
    if (type != "Missed") record["Call_Duration"] = duration_mmss(log.duration_s);
    if (const std::string r = call_result(log.result); !r.empty()) record["Call_Result"] = r;
    if (log.direction == "outbound" && !log.to_phone.empty()) record["Dialled_Number"] = clip(log.to_phone, kPhoneMax);
    if (log.direction != "outbound" && !log.from_phone.empty()) record["Caller_ID"] = clip(log.from_phone, kPhoneMax);
    if (const std::string key = external_id_field(ctx, false); !key.empty()) record[key] = clip(log.external_id, 255);
    if (!log.contact_id.empty()) {
      // Who_Id takes Contacts only; a Lead is linked through What_Id with $se_module.
      if (module_of(log.contact_type.empty() ? kContacts : log.contact_type) == kLeads) {
        record["What_Id"] = boost::json::object{{"id", log.contact_id}};
        record["$se_module"] = kLeads;
      } else {
        record["Who_Id"] = boost::json::object{{"id", log.contact_id}};
      }
    }
    return record;
  }

  static boost::json::object note_fields(const Context& ctx, const MessageLog& log) {
    std::string title = log.subject;
    if (title.empty()) title = log.kind == "fax" ? "Fax" : (log.kind == "voicemail" ? "Voicemail" : "SMS");
    const char* label = log.kind == "fax" ? "Fax document" : (log.kind == "voicemail" ? "Voicemail" : "Attachment");
    std::string content = text_with_link(log.body, label, log.attachment_url);
    if (content.empty()) content = title; // Note_Content is mandatory
    boost::json::object note{{"Note_Title", clip(title, kNoteTitleMax)}, {"Note_Content", content}};
    if (const std::string key = external_id_field(ctx, true); !key.empty()) note[key] = clip(log.external_id, 255);
    return note;
  }

  static Result<sdk::OAuthTokens> token_request(Context& ctx,
                                                const std::vector<std::pair<std::string, std::string>>& form) {
    sdk::HttpRequest request;
    request.method = "POST";
    request.url = accounts_url(ctx) + "/oauth/v2/token";
    request.headers["Content-Type"] = "application/x-www-form-urlencoded";
    request.headers["Accept"] = "application/json";
    request.body = sdk::form_encode(form);
    auto response = ctx.http(request);
    if (!response) return response.error();
    const HttpResponse& r = response.value();
    const auto doc = r.json();
    // Zoho answers token failures with HTTP 200 and {"error": "invalid_code"}: look at the body, not the status.
    if (doc.is_object() && doc.get_object().contains("error")) {
      const std::string error = field(doc.get_object(), "error");
      const std::string description = field(doc.get_object(), "error_description");
      Error e;
      e.crm_status = r.status;
      e.crm_error = doc;
      e.message = "Zoho token endpoint: " + error + (description.empty() ? "" : " (" + description + ")");
      if (description.find("too many requests") != std::string::npos || error == "Access Denied") {
        // More than a few token requests a minute: wait, the refresh token itself is fine.
        e.code = sdk::error_code::kRateLimited;
        e.retryable = true;
        e.retry_after_ms = sdk::retry_after_ms(r).value_or(60'000);
      } else if (r.status >= 500) {
        e.code = sdk::error_code::kUnavailable;
        e.retryable = true;
      } else {
        // invalid_code (bad, used or revoked grant/refresh token), invalid_client, invalid_client_secret,
        // invalid_redirect_uri: only a new consent (or new client credentials) helps.
        e.code = sdk::error_code::kAuthRevoked;
        e.retryable = false;
      }
      return e;
    }
    if (!r.ok()) return error_from(r);
    if (!doc.is_object()) return Error::make(sdk::error_code::kInternal, "Zoho token answer is not JSON", true);
    const auto& o = doc.get_object();
    sdk::OAuthTokens tokens;
    tokens.access_token = field(o, "access_token");
    tokens.refresh_token = field(o, "refresh_token"); // only from a code exchange with access_type=offline
    if (tokens.access_token.empty())
      return Error::make(sdk::error_code::kInternal, "Zoho token answer has no access_token", true);
    if (const auto* exp = o.if_contains("expires_in"); exp && exp->is_number())
      tokens.expires_in_s = static_cast<std::int64_t>(exp->to_number<double>());
    if (const std::string domain = field(o, "api_domain"); !domain.empty()) tokens.settings["api_domain"] = domain;
    return tokens;
  }
};

} // namespace
} // namespace appconnect::zoho

APPCONNECT_PLUGIN(appconnect::zoho::ZohoConnector)
