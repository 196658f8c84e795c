#include "hubspot/schema.hpp"

#include "framework/http_types.hpp"

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace appconnect::crm_sandbox::hubspot {

const PropertyDef* ObjectType::property(std::string_view property_name) const {
  for (const auto& p : properties)
    if (p.name == property_name) return &p;
  return nullptr;
}

namespace {

PropertyDef typed(std::string name, PropType type) {
  PropertyDef p;
  p.name = std::move(name);
  p.type = type;
  return p;
}

PropertyDef str(std::string name) {
  return typed(std::move(name), PropType::kString);
}

PropertyDef read_only(std::string name, PropType type = PropType::kString) {
  PropertyDef p = typed(std::move(name), type);
  p.read_only = true;
  return p;
}

PropertyDef enumeration(std::string name, std::vector<std::string> options) {
  PropertyDef p = typed(std::move(name), PropType::kEnumeration);
  p.options = std::move(options);
  return p;
}

PropertyDef owner_property() {
  PropertyDef p = typed("hubspot_owner_id", PropType::kEnumeration);
  p.owner = true;
  return p;
}

// Properties every activity (engagement) object has.
void add_activity_basics(ObjectType& o) {
  o.properties.push_back(typed("hs_timestamp", PropType::kDateTime));
  o.properties.push_back(owner_property());
  o.properties.push_back(str("hs_attachment_ids"));
  o.properties.push_back(read_only("hs_object_id", PropType::kNumber));
  o.properties.push_back(read_only("hs_createdate", PropType::kDateTime));
  o.properties.push_back(read_only("hs_lastmodifieddate", PropType::kDateTime));
  o.properties.push_back(read_only("hs_created_by_user_id", PropType::kNumber));
  o.default_properties = {"hs_createdate", "hs_lastmodifieddate", "hs_object_id"};
  o.required_on_create = {"hs_timestamp"};
  o.created_property = "hs_createdate";
  o.modified_property = "hs_lastmodifieddate";
}

} // namespace

Schema Schema::standard() {
  Schema s;

  ObjectType contacts;
  contacts.name = "contacts";
  contacts.singular = "contact";
  contacts.type_id = "0-1";
  contacts.first_id = 101;
  for (const char* name : {"firstname", "lastname", "email", "phone", "mobilephone", "company", "jobtitle", "city",
                           "state", "country", "zip", "address", "website", "fax"})
    contacts.properties.push_back(str(name));
  contacts.properties.push_back(owner_property());
  // https://knowledge.hubspot.com/records/use-lifecycle-stages (internal values)
  contacts.properties.push_back(
      enumeration("lifecyclestage", {"subscriber", "lead", "marketingqualifiedlead", "salesqualifiedlead",
                                     "opportunity", "customer", "evangelist", "other"}));
  contacts.properties.push_back(enumeration("hs_lead_status", {"NEW", "OPEN", "IN_PROGRESS", "OPEN_DEAL", "UNQUALIFIED",
                                                               "ATTEMPTED_TO_CONTACT", "CONNECTED", "BAD_TIMING"}));
  contacts.properties.push_back(read_only("hs_object_id", PropType::kNumber));
  contacts.properties.push_back(read_only("createdate", PropType::kDateTime));
  contacts.properties.push_back(read_only("lastmodifieddate", PropType::kDateTime));
  // Calculated by HubSpot from phone / mobilephone (docs/crm-and-telephony-apis.md 2.4).
  for (const char* name :
       {"hs_searchable_calculated_phone_number", "hs_searchable_calculated_mobile_number",
        "hs_searchable_calculated_international_phone_number", "hs_searchable_calculated_international_mobile_number",
        "hs_calculated_phone_number", "hs_calculated_mobile_number"})
    contacts.properties.push_back(read_only(name));
  contacts.default_properties = {"createdate", "email", "firstname", "hs_object_id", "lastmodifieddate", "lastname"};
  contacts.text_properties = {"firstname", "lastname", "email", "phone", "mobilephone", "company"};
  contacts.created_property = "createdate";
  contacts.modified_property = "lastmodifieddate";
  s.objects_.push_back(std::move(contacts));

  ObjectType calls;
  calls.name = "calls";
  calls.singular = "call";
  calls.type_id = "0-48";
  calls.first_id = 51000000001ULL;
  add_activity_basics(calls);
  for (const char* name :
       {"hs_call_title", "hs_call_body", "hs_call_recording_url", "hs_call_from_number", "hs_call_to_number",
        "hs_call_callee_object_id", "hs_call_callee_object_type", "hs_activity_type"})
    calls.properties.push_back(str(name));
  calls.properties.push_back(typed("hs_call_duration", PropType::kNumber));
  calls.properties.push_back(enumeration("hs_call_direction", {"INBOUND", "OUTBOUND"}));
  calls.properties.push_back(
      enumeration("hs_call_status", {"BUSY", "CALLING_CRM_USER", "CANCELED", "COMPLETED", "CONNECTING", "FAILED",
                                     "IN_PROGRESS", "NO_ANSWER", "QUEUED", "RINGING", "MISSED"}));
  // The default call outcomes of a portal (Busy, Connected, Left live message, Left voicemail, No answer,
  // Wrong number); portals may add their own (seed "call_outcomes").
  calls.properties.push_back(enumeration(
      "hs_call_disposition", {"9d9162e7-6cf3-4944-bf63-4dff82258764", "f240bbac-87c9-4f6e-bf70-924b57d47db7",
                              "a4c4c377-d246-4b32-a13b-75a56a4cd0ff", "b2cf5968-551e-4856-9783-52b3da59a7d0",
                              "73a0d17f-1163-4015-bdd5-ec830791da20", "17b47fee-58de-441e-a44c-c6300d46f273"}));
  calls.properties.push_back(enumeration("hs_call_source", {"INTEGRATIONS_PLATFORM"}));
  calls.properties.push_back(read_only("hs_call_has_voicemail", PropType::kBool));
  calls.text_properties = {"hs_call_title", "hs_call_body"};
  s.objects_.push_back(std::move(calls));

  ObjectType communications;
  communications.name = "communications";
  communications.singular = "communication";
  communications.type_id = "0-18";
  communications.first_id = 52000000001ULL;
  add_activity_basics(communications);
  communications.properties.push_back(
      enumeration("hs_communication_channel_type", {"SMS", "WHATS_APP", "LINKEDIN_MESSAGE"}));
  communications.properties.push_back(enumeration("hs_communication_logged_from", {"CRM"}));
  communications.properties.push_back(str("hs_communication_body"));
  communications.required_on_create = {"hs_timestamp", "hs_communication_channel_type", "hs_communication_logged_from"};
  communications.text_properties = {"hs_communication_body"};
  s.objects_.push_back(std::move(communications));

  ObjectType notes;
  notes.name = "notes";
  notes.singular = "note";
  notes.type_id = "0-46";
  notes.first_id = 53000000001ULL;
  add_activity_basics(notes);
  PropertyDef note_body = str("hs_note_body");
  note_body.max_length = 65536; // "up to 65,536 characters" (notes guide)
  notes.properties.push_back(std::move(note_body));
  notes.text_properties = {"hs_note_body"};
  s.objects_.push_back(std::move(notes));

  s.associations_ = {
      {"calls", "contacts", 194, "call_to_contact"},
      {"contacts", "calls", 193, "contact_to_call"},
      {"communications", "contacts", 81, "communication_to_contact"},
      {"contacts", "communications", 82, "contact_to_communication"},
      {"notes", "contacts", 202, "note_to_contact"},
      {"contacts", "notes", 201, "contact_to_note"},
  };
  return s;
}

const ObjectType* Schema::object(std::string_view name) const {
  for (const auto& o : objects_)
    if (iequals(o.name, name) || iequals(o.singular, name) || o.type_id == name) return &o;
  return nullptr;
}

void Schema::add_custom_property(std::string_view object, PropertyDef def) {
  for (auto& o : objects_) {
    if (!iequals(o.name, object) && !iequals(o.singular, object) && o.type_id != object) continue;
    if (def.name.empty()) throw std::invalid_argument("custom property without a name");
    if (o.property(def.name)) throw std::invalid_argument("property '" + def.name + "' already exists on " + o.name);
    o.properties.push_back(std::move(def));
    return;
  }
  throw std::invalid_argument("unknown object '" + std::string(object) + "'");
}

void Schema::add_option(std::string_view object, std::string_view property, std::string value) {
  for (auto& o : objects_)
    if (o.name == object)
      for (auto& p : o.properties)
        if (p.name == property) {
          p.options.push_back(std::move(value));
          return;
        }
  throw std::invalid_argument("no property '" + std::string(property) + "' on " + std::string(object));
}

const AssociationType* Schema::association(std::string_view from, int id) const {
  for (const auto& a : associations_)
    if (a.from == from && a.id == id) return &a;
  return nullptr;
}

const AssociationType* Schema::association_by_label(std::string_view from, std::string_view label) const {
  for (const auto& a : associations_)
    if (a.from == from && iequals(a.label, label)) return &a;
  return nullptr;
}

const AssociationType* Schema::default_association(std::string_view from, std::string_view to) const {
  for (const auto& a : associations_)
    if (a.from == from && a.to == to) return &a;
  return nullptr;
}

std::size_t calling_code_length(std::string_view digits) {
  if (digits.empty()) return 0;
  if (digits[0] == '1' || digits[0] == '7') return 1;
  // The two-digit ITU-T E.164 country codes; every other code has three digits.
  static constexpr std::string_view kTwoDigit[] = {"20", "27", "30", "31", "32", "33", "34", "36", "39", "40", "41",
                                                   "43", "44", "45", "46", "47", "48", "49", "51", "52", "53", "54",
                                                   "55", "56", "57", "58", "60", "61", "62", "63", "64", "65", "66",
                                                   "81", "82", "84", "86", "90", "91", "92", "93", "94", "95", "98"};
  if (digits.size() >= 2)
    for (auto code : kTwoDigit)
      if (digits.substr(0, 2) == code) return 2;
  return std::min<std::size_t>(3, digits.size());
}

std::optional<PhoneParts> split_phone(std::string_view raw, std::string_view default_country_code) {
  // An extension is not part of the number: "... ext. 12", "... x12", "...#12", "...;ext=12".
  std::string text;
  for (std::size_t i = 0; i < raw.size(); ++i) {
    const char c = raw[i];
    if (c == '#' || c == ';') break;
    const char lower = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if ((lower == 'x' || lower == 'e') && !text.empty()) break;
    text.push_back(c);
  }
  bool plus = false;
  std::string digits;
  for (char c : text) {
    if (c == '+' && digits.empty()) plus = true;
    if (c >= '0' && c <= '9') digits.push_back(c);
  }
  PhoneParts parts;
  if (!plus && digits.rfind("00", 0) == 0) {
    plus = true;
    digits.erase(0, 2);
  }
  if (plus) {
    const auto n = calling_code_length(digits);
    parts.country_code = digits.substr(0, n);
    parts.national = digits.substr(n);
  } else if (default_country_code == "1" && digits.size() == 11 && digits[0] == '1') {
    parts.country_code = "1";
    parts.national = digits.substr(1);
  } else {
    parts.country_code = std::string(default_country_code);
    parts.national = digits;
    if (parts.national.size() > 1 && parts.national[0] == '0') parts.national.erase(0, 1); // trunk prefix
  }
  if (parts.national.size() < 4) return std::nullopt;
  return parts;
}

} // namespace appconnect::crm_sandbox::hubspot
