// Typed documents of the SDK v1 operations, with their JSON conversions.
//
// Each struct here is one JSON document of docs/plugin-guide/operations.md. Conversions are lenient on
// input (unknown fields ignored, optional fields defaulted) and omit empty optional fields on output.
// Times are ISO 8601 strings in UTC ("2026-11-25T09:30:00Z"); durations carry their unit in the name.
#pragma once

#include <appconnect/json_fields.hpp>

#include <boost/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace appconnect::sdk {

namespace detail_json = json_fields;

// ---------------------------------------------------------------------------------------------------
// Contacts

// A person record in the CRM (a Contact, a Lead, ...). `type` is the CRM's own word for the record type,
// so conflict rules can prefer one type over another.
struct Contact {
  std::string id;
  std::string type;
  std::string name;
  std::string phone;
  std::string mobile_phone;
  std::string email;
  std::string company;
  std::string owner_id;
  std::string created_at;  // ISO 8601 UTC
  std::string modified_at; // ISO 8601 UTC
  std::string url;         // opens the record in the CRM's UI
};

// find_contacts: people whose phone fields hold the number.
struct FindContactsRequest {
  std::string phone_e164;            // "+14155550132"
  std::vector<std::string> variants; // other spellings to try in free-text fields ("(415) 555-0132", ...)
  std::vector<std::string> types;    // record types to search; empty = all the plugin supports
  std::int64_t limit = 20;
};

struct FindContactsResult {
  std::vector<Contact> contacts;
};

// create_contact: a new person record, typically a placeholder for an unknown caller.
struct CreateContactRequest {
  std::string type; // one of the manifest's contact_types
  std::string first_name;
  std::string last_name; // required by most CRMs; the host always fills it
  std::string phone;     // E.164
  std::string company;   // required for e.g. Salesforce Leads; the plugin may default it
  std::string owner_id;
  std::string source; // e.g. "Phone Inquiry"
};

// ---------------------------------------------------------------------------------------------------
// Activity logs

// The record a connector writes for one call. `external_id` is the host's conversation key; the plugin
// stores it in the CRM record (e.g. Salesforce Task.CallObject) so find_log_by_external_id finds it.
struct CallLog {
  std::string external_id;
  std::string contact_id;
  std::string contact_type;
  std::string owner_id;
  std::string direction; // "inbound" | "outbound" | "internal"
  std::string from_phone;
  std::string to_phone;
  std::string start_time; // ISO 8601 UTC
  std::int64_t duration_s = 0;
  std::string result;               // "answered" | "missed" | "voicemail" | "busy" | "rejected" | "failed" | "unknown"
  std::string subject;              // composed by the host
  std::string body;                 // composed by the host, in body_format
  std::string body_format = "text"; // "text" | "html" | "markdown"
  std::string recording_url;
  bool pending = false; // more data (recording, notes) is expected; the record will be updated
};

struct CreateCallLogRequest {
  CallLog log;
};

struct UpdateCallLogRequest {
  std::string id; // the CRM record id returned by create_call_log
  CallLog log;
};

// The written record's identity, returned by every create/update/find of a log.
struct LogRecordRef {
  std::string id;
  std::string type; // CRM object, e.g. "Task", "calls", "Calls"
  std::string url;
};

// A message log: an SMS digest, a fax or a voicemail, attached to a contact.
struct MessageLog {
  std::string external_id;
  std::string kind; // "sms" | "fax" | "voicemail"
  std::string contact_id;
  std::string contact_type;
  std::string owner_id;
  std::string direction; // "inbound" | "outbound" | "mixed" (an SMS digest holds both)
  std::string from_phone;
  std::string to_phone;
  std::string start_time; // first message
  std::string subject;
  std::string body;
  std::string body_format = "text";
  std::int64_t message_count = 1;
  std::int64_t fax_pages = 0;
  std::int64_t duration_s = 0; // voicemail length
  std::string attachment_url;  // fax document or voicemail audio
};

struct CreateMessageLogRequest {
  MessageLog log;
};

struct UpdateMessageLogRequest {
  std::string id;
  MessageLog log;
};

struct FindLogByExternalIdRequest {
  std::string external_id;
  std::string kind = "call"; // "call" | "sms" | "fax" | "voicemail"
};

struct FindLogByExternalIdResult {
  std::optional<LogRecordRef> record; // absent when no record carries the external id
};

// ---------------------------------------------------------------------------------------------------
// Users and OAuth

struct CrmUser {
  std::string id;
  std::string name;
  std::string email;
  bool active = true;
};

struct ListUsersResult {
  std::vector<CrmUser> users;
};

struct OAuthAuthorizeUrlRequest {
  std::string redirect_uri;
  std::string state;
};

struct OAuthAuthorizeUrlResult {
  std::string url;
};

struct OAuthExchangeCodeRequest {
  std::string code;
  std::string redirect_uri;
  std::string code_verifier;
};

// oauth_refresh takes no input beyond the context's credentials.
struct OAuthRefreshRequest {};

// Tokens from the CRM. `settings` carries connection settings learned at login (Salesforce
// instance_url, Zoho api_domain) that the host merges into the connection.
struct OAuthTokens {
  std::string access_token;
  std::string refresh_token; // empty = keep the one we have
  std::optional<std::int64_t> expires_in_s;
  boost::json::object settings;
};

// ---------------------------------------------------------------------------------------------------
// JSON conversions (Boost.JSON tag_invoke customization points)

namespace j = boost::json;

inline void tag_invoke(const j::value_from_tag&, j::value& out, const Contact& c) {
  j::object o;
  o["id"] = c.id;
  o["type"] = c.type;
  o["name"] = c.name;
  detail_json::put_if(o, "phone", c.phone);
  detail_json::put_if(o, "mobile_phone", c.mobile_phone);
  detail_json::put_if(o, "email", c.email);
  detail_json::put_if(o, "company", c.company);
  detail_json::put_if(o, "owner_id", c.owner_id);
  detail_json::put_if(o, "created_at", c.created_at);
  detail_json::put_if(o, "modified_at", c.modified_at);
  detail_json::put_if(o, "url", c.url);
  out = std::move(o);
}

inline Contact tag_invoke(const j::value_to_tag<Contact>&, const j::value& v) {
  const auto& o = detail_json::as_object(v, "contact");
  Contact c;
  c.id = detail_json::require_string(o, "id");
  c.type = detail_json::get_string(o, "type");
  c.name = detail_json::get_string(o, "name");
  c.phone = detail_json::get_string(o, "phone");
  c.mobile_phone = detail_json::get_string(o, "mobile_phone");
  c.email = detail_json::get_string(o, "email");
  c.company = detail_json::get_string(o, "company");
  c.owner_id = detail_json::get_string(o, "owner_id");
  c.created_at = detail_json::get_string(o, "created_at");
  c.modified_at = detail_json::get_string(o, "modified_at");
  c.url = detail_json::get_string(o, "url");
  return c;
}

inline void tag_invoke(const j::value_from_tag&, j::value& out, const FindContactsRequest& r) {
  j::object o;
  o["phone_e164"] = r.phone_e164;
  o["variants"] = detail_json::to_array(r.variants);
  o["types"] = detail_json::to_array(r.types);
  o["limit"] = r.limit;
  out = std::move(o);
}

inline FindContactsRequest tag_invoke(const j::value_to_tag<FindContactsRequest>&, const j::value& v) {
  const auto& o = detail_json::as_object(v, "find_contacts request");
  FindContactsRequest r;
  r.phone_e164 = detail_json::require_string(o, "phone_e164");
  r.variants = detail_json::get_strings(o, "variants");
  r.types = detail_json::get_strings(o, "types");
  r.limit = detail_json::get_int(o, "limit", 20);
  return r;
}

inline void tag_invoke(const j::value_from_tag&, j::value& out, const FindContactsResult& r) {
  j::array contacts;
  for (const auto& c : r.contacts) contacts.push_back(j::value_from(c));
  out = j::object{{"contacts", std::move(contacts)}};
}

inline FindContactsResult tag_invoke(const j::value_to_tag<FindContactsResult>&, const j::value& v) {
  const auto& o = detail_json::as_object(v, "find_contacts result");
  FindContactsResult r;
  if (const auto* list = o.if_contains("contacts"); list && list->is_array())
    for (const auto& item : list->get_array()) r.contacts.push_back(j::value_to<Contact>(item));
  return r;
}

inline void tag_invoke(const j::value_from_tag&, j::value& out, const CreateContactRequest& r) {
  j::object o;
  o["type"] = r.type;
  detail_json::put_if(o, "first_name", r.first_name);
  o["last_name"] = r.last_name;
  detail_json::put_if(o, "phone", r.phone);
  detail_json::put_if(o, "company", r.company);
  detail_json::put_if(o, "owner_id", r.owner_id);
  detail_json::put_if(o, "source", r.source);
  out = std::move(o);
}

inline CreateContactRequest tag_invoke(const j::value_to_tag<CreateContactRequest>&, const j::value& v) {
  const auto& o = detail_json::as_object(v, "create_contact request");
  CreateContactRequest r;
  r.type = detail_json::get_string(o, "type");
  r.first_name = detail_json::get_string(o, "first_name");
  r.last_name = detail_json::require_string(o, "last_name");
  r.phone = detail_json::get_string(o, "phone");
  r.company = detail_json::get_string(o, "company");
  r.owner_id = detail_json::get_string(o, "owner_id");
  r.source = detail_json::get_string(o, "source");
  return r;
}

inline void tag_invoke(const j::value_from_tag&, j::value& out, const CallLog& l) {
  j::object o;
  o["external_id"] = l.external_id;
  o["contact_id"] = l.contact_id;
  detail_json::put_if(o, "contact_type", l.contact_type);
  detail_json::put_if(o, "owner_id", l.owner_id);
  o["direction"] = l.direction;
  detail_json::put_if(o, "from_phone", l.from_phone);
  detail_json::put_if(o, "to_phone", l.to_phone);
  o["start_time"] = l.start_time;
  o["duration_s"] = l.duration_s;
  detail_json::put_if(o, "result", l.result);
  o["subject"] = l.subject;
  o["body"] = l.body;
  o["body_format"] = l.body_format;
  detail_json::put_if(o, "recording_url", l.recording_url);
  o["pending"] = l.pending;
  out = std::move(o);
}

inline CallLog tag_invoke(const j::value_to_tag<CallLog>&, const j::value& v) {
  const auto& o = detail_json::as_object(v, "call log");
  CallLog l;
  l.external_id = detail_json::require_string(o, "external_id");
  l.contact_id = detail_json::get_string(o, "contact_id");
  l.contact_type = detail_json::get_string(o, "contact_type");
  l.owner_id = detail_json::get_string(o, "owner_id");
  l.direction = detail_json::get_string(o, "direction", "inbound");
  l.from_phone = detail_json::get_string(o, "from_phone");
  l.to_phone = detail_json::get_string(o, "to_phone");
  l.start_time = detail_json::get_string(o, "start_time");
  l.duration_s = detail_json::get_int(o, "duration_s");
  l.result = detail_json::get_string(o, "result");
  l.subject = detail_json::get_string(o, "subject");
  l.body = detail_json::get_string(o, "body");
  l.body_format = detail_json::get_string(o, "body_format", "text");
  l.recording_url = detail_json::get_string(o, "recording_url");
  l.pending = detail_json::get_bool(o, "pending");
  return l;
}

inline void tag_invoke(const j::value_from_tag&, j::value& out, const CreateCallLogRequest& r) {
  out = j::object{{"log", j::value_from(r.log)}};
}

inline CreateCallLogRequest tag_invoke(const j::value_to_tag<CreateCallLogRequest>&, const j::value& v) {
  const auto& o = detail_json::as_object(v, "create_call_log request");
  const auto* log = o.if_contains("log");
  if (log == nullptr) throw detail_json::FieldError("field 'log' is required");
  return CreateCallLogRequest{j::value_to<CallLog>(*log)};
}

inline void tag_invoke(const j::value_from_tag&, j::value& out, const UpdateCallLogRequest& r) {
  out = j::object{{"id", r.id}, {"log", j::value_from(r.log)}};
}

inline UpdateCallLogRequest tag_invoke(const j::value_to_tag<UpdateCallLogRequest>&, const j::value& v) {
  const auto& o = detail_json::as_object(v, "update_call_log request");
  const auto* log = o.if_contains("log");
  if (log == nullptr) throw detail_json::FieldError("field 'log' is required");
  return UpdateCallLogRequest{detail_json::require_string(o, "id"), j::value_to<CallLog>(*log)};
}

inline void tag_invoke(const j::value_from_tag&, j::value& out, const LogRecordRef& r) {
  j::object o;
  o["id"] = r.id;
  detail_json::put_if(o, "type", r.type);
  detail_json::put_if(o, "url", r.url);
  out = std::move(o);
}

inline LogRecordRef tag_invoke(const j::value_to_tag<LogRecordRef>&, const j::value& v) {
  const auto& o = detail_json::as_object(v, "log record");
  return LogRecordRef{detail_json::require_string(o, "id"), detail_json::get_string(o, "type"),
                      detail_json::get_string(o, "url")};
}

inline void tag_invoke(const j::value_from_tag&, j::value& out, const MessageLog& l) {
  j::object o;
  o["external_id"] = l.external_id;
  o["kind"] = l.kind;
  o["contact_id"] = l.contact_id;
  detail_json::put_if(o, "contact_type", l.contact_type);
  detail_json::put_if(o, "owner_id", l.owner_id);
  o["direction"] = l.direction;
  detail_json::put_if(o, "from_phone", l.from_phone);
  detail_json::put_if(o, "to_phone", l.to_phone);
  o["start_time"] = l.start_time;
  o["subject"] = l.subject;
  o["body"] = l.body;
  o["body_format"] = l.body_format;
  o["message_count"] = l.message_count;
  if (l.fax_pages > 0) o["fax_pages"] = l.fax_pages;
  if (l.duration_s > 0) o["duration_s"] = l.duration_s;
  detail_json::put_if(o, "attachment_url", l.attachment_url);
  out = std::move(o);
}

inline MessageLog tag_invoke(const j::value_to_tag<MessageLog>&, const j::value& v) {
  const auto& o = detail_json::as_object(v, "message log");
  MessageLog l;
  l.external_id = detail_json::require_string(o, "external_id");
  l.kind = detail_json::get_string(o, "kind", "sms");
  l.contact_id = detail_json::get_string(o, "contact_id");
  l.contact_type = detail_json::get_string(o, "contact_type");
  l.owner_id = detail_json::get_string(o, "owner_id");
  l.direction = detail_json::get_string(o, "direction", "inbound");
  l.from_phone = detail_json::get_string(o, "from_phone");
  l.to_phone = detail_json::get_string(o, "to_phone");
  l.start_time = detail_json::get_string(o, "start_time");
  l.subject = detail_json::get_string(o, "subject");
  l.body = detail_json::get_string(o, "body");
  l.body_format = detail_json::get_string(o, "body_format", "text");
  l.message_count = detail_json::get_int(o, "message_count", 1);
  l.fax_pages = detail_json::get_int(o, "fax_pages");
  l.duration_s = detail_json::get_int(o, "duration_s");
  l.attachment_url = detail_json::get_string(o, "attachment_url");
  return l;
}

inline void tag_invoke(const j::value_from_tag&, j::value& out, const CreateMessageLogRequest& r) {
  out = j::object{{"log", j::value_from(r.log)}};
}

inline CreateMessageLogRequest tag_invoke(const j::value_to_tag<CreateMessageLogRequest>&, const j::value& v) {
  const auto& o = detail_json::as_object(v, "create_message_log request");
  const auto* log = o.if_contains("log");
  if (log == nullptr) throw detail_json::FieldError("field 'log' is required");
  return CreateMessageLogRequest{j::value_to<MessageLog>(*log)};
}

inline void tag_invoke(const j::value_from_tag&, j::value& out, const UpdateMessageLogRequest& r) {
  out = j::object{{"id", r.id}, {"log", j::value_from(r.log)}};
}

inline UpdateMessageLogRequest tag_invoke(const j::value_to_tag<UpdateMessageLogRequest>&, const j::value& v) {
  const auto& o = detail_json::as_object(v, "update_message_log request");
  const auto* log = o.if_contains("log");
  if (log == nullptr) throw detail_json::FieldError("field 'log' is required");
  return UpdateMessageLogRequest{detail_json::require_string(o, "id"), j::value_to<MessageLog>(*log)};
}

inline void tag_invoke(const j::value_from_tag&, j::value& out, const FindLogByExternalIdRequest& r) {
  out = j::object{{"external_id", r.external_id}, {"kind", r.kind}};
}

inline FindLogByExternalIdRequest tag_invoke(const j::value_to_tag<FindLogByExternalIdRequest>&, const j::value& v) {
  const auto& o = detail_json::as_object(v, "find_log_by_external_id request");
  return FindLogByExternalIdRequest{detail_json::require_string(o, "external_id"),
                                    detail_json::get_string(o, "kind", "call")};
}

inline void tag_invoke(const j::value_from_tag&, j::value& out, const FindLogByExternalIdResult& r) {
  j::object o;
  o["found"] = r.record.has_value();
  if (r.record) o["record"] = j::value_from(*r.record);
  out = std::move(o);
}

inline FindLogByExternalIdResult tag_invoke(const j::value_to_tag<FindLogByExternalIdResult>&, const j::value& v) {
  const auto& o = detail_json::as_object(v, "find_log_by_external_id result");
  FindLogByExternalIdResult r;
  if (const auto* rec = o.if_contains("record"); rec && rec->is_object()) r.record = j::value_to<LogRecordRef>(*rec);
  return r;
}

inline void tag_invoke(const j::value_from_tag&, j::value& out, const CrmUser& u) {
  out = j::object{{"id", u.id}, {"name", u.name}, {"email", u.email}, {"active", u.active}};
}

inline CrmUser tag_invoke(const j::value_to_tag<CrmUser>&, const j::value& v) {
  const auto& o = detail_json::as_object(v, "user");
  return CrmUser{detail_json::require_string(o, "id"), detail_json::get_string(o, "name"),
                 detail_json::get_string(o, "email"), detail_json::get_bool(o, "active", true)};
}

inline void tag_invoke(const j::value_from_tag&, j::value& out, const ListUsersResult& r) {
  j::array users;
  for (const auto& u : r.users) users.push_back(j::value_from(u));
  out = j::object{{"users", std::move(users)}};
}

inline ListUsersResult tag_invoke(const j::value_to_tag<ListUsersResult>&, const j::value& v) {
  const auto& o = detail_json::as_object(v, "list_users result");
  ListUsersResult r;
  if (const auto* list = o.if_contains("users"); list && list->is_array())
    for (const auto& item : list->get_array()) r.users.push_back(j::value_to<CrmUser>(item));
  return r;
}

inline void tag_invoke(const j::value_from_tag&, j::value& out, const OAuthAuthorizeUrlRequest& r) {
  out = j::object{{"redirect_uri", r.redirect_uri}, {"state", r.state}};
}

inline OAuthAuthorizeUrlRequest tag_invoke(const j::value_to_tag<OAuthAuthorizeUrlRequest>&, const j::value& v) {
  const auto& o = detail_json::as_object(v, "oauth_authorize_url request");
  return OAuthAuthorizeUrlRequest{detail_json::require_string(o, "redirect_uri"), detail_json::get_string(o, "state")};
}

inline void tag_invoke(const j::value_from_tag&, j::value& out, const OAuthAuthorizeUrlResult& r) {
  out = j::object{{"url", r.url}};
}

inline OAuthAuthorizeUrlResult tag_invoke(const j::value_to_tag<OAuthAuthorizeUrlResult>&, const j::value& v) {
  return OAuthAuthorizeUrlResult{detail_json::require_string(detail_json::as_object(v, "authorize url"), "url")};
}

inline void tag_invoke(const j::value_from_tag&, j::value& out, const OAuthExchangeCodeRequest& r) {
  j::object o{{"code", r.code}, {"redirect_uri", r.redirect_uri}};
  detail_json::put_if(o, "code_verifier", r.code_verifier);
  out = std::move(o);
}

inline OAuthExchangeCodeRequest tag_invoke(const j::value_to_tag<OAuthExchangeCodeRequest>&, const j::value& v) {
  const auto& o = detail_json::as_object(v, "oauth_exchange_code request");
  return OAuthExchangeCodeRequest{detail_json::require_string(o, "code"), detail_json::get_string(o, "redirect_uri"),
                                  detail_json::get_string(o, "code_verifier")};
}

inline void tag_invoke(const j::value_from_tag&, j::value& out, const OAuthRefreshRequest&) {
  out = j::object{};
}

inline OAuthRefreshRequest tag_invoke(const j::value_to_tag<OAuthRefreshRequest>&, const j::value&) {
  return {};
}

inline void tag_invoke(const j::value_from_tag&, j::value& out, const OAuthTokens& t) {
  j::object o;
  o["access_token"] = t.access_token;
  detail_json::put_if(o, "refresh_token", t.refresh_token);
  if (t.expires_in_s) o["expires_in_s"] = *t.expires_in_s;
  if (!t.settings.empty()) o["settings"] = t.settings;
  out = std::move(o);
}

inline OAuthTokens tag_invoke(const j::value_to_tag<OAuthTokens>&, const j::value& v) {
  const auto& o = detail_json::as_object(v, "oauth tokens");
  OAuthTokens t;
  t.access_token = detail_json::require_string(o, "access_token");
  t.refresh_token = detail_json::get_string(o, "refresh_token");
  t.expires_in_s = detail_json::get_optional_int(o, "expires_in_s");
  if (const auto* s = o.if_contains("settings"); s && s->is_object()) t.settings = s->get_object();
  return t;
}

} // namespace appconnect::sdk
