#include "salesforce/schema.hpp"

#include "framework/http_types.hpp"

#include <stdexcept>

namespace appconnect::crm_sandbox::salesforce {

std::string_view type_name(FieldType type) {
  switch (type) {
    case FieldType::kId:
      return "id";
    case FieldType::kString:
      return "string";
    case FieldType::kTextArea:
      return "textarea";
    case FieldType::kPhone:
      return "phone";
    case FieldType::kEmail:
      return "email";
    case FieldType::kUrl:
      return "url";
    case FieldType::kPicklist:
      return "picklist";
    case FieldType::kReference:
      return "reference";
    case FieldType::kBoolean:
      return "boolean";
    case FieldType::kInt:
      return "int";
    case FieldType::kDouble:
      return "double";
    case FieldType::kDate:
      return "date";
    case FieldType::kDateTime:
      return "datetime";
  }
  return "string";
}

bool is_text(FieldType type) {
  switch (type) {
    case FieldType::kString:
    case FieldType::kTextArea:
    case FieldType::kPhone:
    case FieldType::kEmail:
    case FieldType::kUrl:
    case FieldType::kPicklist:
      return true;
    default:
      return false;
  }
}

boost::json::object FieldDef::describe() const {
  boost::json::array values;
  for (const auto& v : picklist)
    values.push_back(
        {{"active", true}, {"defaultValue", v == default_value}, {"label", v}, {"validFor", nullptr}, {"value", v}});
  boost::json::array refs;
  for (const auto& r : reference_to) refs.push_back(boost::json::string(r));
  return {{"name", name},
          {"label", label},
          {"type", type_name(type)},
          {"length", length},
          {"createable", createable},
          {"updateable", updateable},
          {"nillable", !required && type != FieldType::kBoolean && type != FieldType::kId},
          {"defaultedOnCreate", !default_value.empty() || type == FieldType::kBoolean},
          {"custom", custom},
          {"nameField", name == "Name"},
          {"restrictedPicklist", restricted},
          {"picklistValues", std::move(values)},
          {"referenceTo", std::move(refs)},
          {"relationshipName",
           relationship_name.empty() ? boost::json::value(nullptr) : boost::json::value(relationship_name)}};
}

const FieldDef* ObjectDef::field(std::string_view name) const {
  auto it = by_name_.find(to_lower(name));
  return it == by_name_.end() ? nullptr : &fields[it->second];
}

const FieldDef* ObjectDef::relationship(std::string_view name) const {
  auto it = by_relationship_.find(to_lower(name));
  return it == by_relationship_.end() ? nullptr : &fields[it->second];
}

void ObjectDef::index() {
  by_name_.clear();
  by_relationship_.clear();
  for (std::size_t i = 0; i < fields.size(); ++i) {
    by_name_[to_lower(fields[i].name)] = i;
    if (!fields[i].relationship_name.empty()) by_relationship_[to_lower(fields[i].relationship_name)] = i;
  }
}

boost::json::object ObjectDef::describe() const {
  boost::json::array f;
  for (const auto& def : fields) f.push_back(def.describe());
  return {{"name", name},      {"label", label},     {"labelPlural", label_plural}, {"keyPrefix", key_prefix},
          {"custom", false},   {"createable", true}, {"updateable", true},          {"deletable", true},
          {"queryable", true}, {"searchable", true}, {"fields", std::move(f)}};
}

namespace {

// Small builders keep the tables below readable.
FieldDef text(std::string name, std::string label, int length, FieldType type = FieldType::kString) {
  FieldDef f;
  f.name = std::move(name);
  f.label = std::move(label);
  f.type = type;
  f.length = length;
  return f;
}
FieldDef phone(std::string name, std::string label) {
  return text(std::move(name), std::move(label), 40, FieldType::kPhone);
}
FieldDef email(std::string name, std::string label) {
  return text(std::move(name), std::move(label), 80, FieldType::kEmail);
}
FieldDef area(std::string name, std::string label, int length) {
  return text(std::move(name), std::move(label), length, FieldType::kTextArea);
}
FieldDef required(FieldDef f) {
  f.required = true;
  return f;
}
FieldDef named(FieldDef f) {
  f.name_field = true;
  return f;
}
FieldDef read_only(FieldDef f) {
  f.createable = false;
  f.updateable = false;
  return f;
}
FieldDef create_only(FieldDef f) {
  f.updateable = false;
  return f;
}
FieldDef typed(std::string name, std::string label, FieldType type) {
  FieldDef f;
  f.name = std::move(name);
  f.label = std::move(label);
  f.type = type;
  return f;
}
FieldDef pick(std::string name, std::string label, std::vector<std::string> values, bool restricted = false,
              std::string default_value = {}) {
  FieldDef f = text(std::move(name), std::move(label), 255, FieldType::kPicklist);
  f.picklist = std::move(values);
  f.restricted = restricted;
  f.default_value = std::move(default_value);
  return f;
}
FieldDef ref(std::string name, std::string label, std::vector<std::string> to, std::string relationship) {
  FieldDef f = text(std::move(name), std::move(label), 18, FieldType::kReference);
  f.reference_to = std::move(to);
  f.relationship_name = std::move(relationship);
  return f;
}

ObjectDef make_object(std::string name, std::string label, std::string plural, std::string prefix, bool searchable) {
  ObjectDef o;
  o.name = std::move(name);
  o.label = std::move(label);
  o.label_plural = std::move(plural);
  o.key_prefix = std::move(prefix);
  o.searchable = searchable;
  return o;
}

// Fields every object has, maintained by the platform.
void add_system_fields(std::vector<FieldDef>& f) {
  FieldDef id = typed("Id", "Record ID", FieldType::kId);
  id.length = 18;
  f.insert(f.begin(), read_only(id));
  f.push_back(read_only(typed("IsDeleted", "Deleted", FieldType::kBoolean)));
  f.push_back(read_only(typed("CreatedDate", "Created Date", FieldType::kDateTime)));
  f.push_back(read_only(ref("CreatedById", "Created By ID", {"User"}, "CreatedBy")));
  f.push_back(read_only(typed("LastModifiedDate", "Last Modified Date", FieldType::kDateTime)));
  f.push_back(read_only(ref("LastModifiedById", "Last Modified By ID", {"User"}, "LastModifiedBy")));
  f.push_back(read_only(typed("SystemModstamp", "System Modstamp", FieldType::kDateTime)));
}

const std::vector<std::string> kSalutations = {"Mr.", "Ms.", "Mrs.", "Dr.", "Prof."};
const std::vector<std::string> kLeadSources = {"Web", "Phone Inquiry", "Partner Referral", "Purchased List", "Other"};
const std::vector<std::string> kIndustries = {"Agriculture", "Banking", "Construction",   "Education", "Healthcare",
                                              "Technology",  "Retail",  "Transportation", "Other"};

ObjectDef account() {
  ObjectDef o = make_object("Account", "Account", "Accounts", "001", true);
  auto& f = o.fields;
  f.push_back(required(named(text("Name", "Account Name", 255))));
  f.push_back(
      pick("Type", "Account Type", {"Prospect", "Customer - Direct", "Customer - Channel", "Partner", "Other"}));
  f.push_back(phone("Phone", "Account Phone"));
  f.push_back(phone("Fax", "Account Fax"));
  f.push_back(text("Website", "Website", 255, FieldType::kUrl));
  f.push_back(pick("Industry", "Industry", kIndustries));
  f.push_back(typed("NumberOfEmployees", "Employees", FieldType::kInt));
  f.push_back(typed("AnnualRevenue", "Annual Revenue", FieldType::kDouble));
  f.push_back(area("BillingStreet", "Billing Street", 255));
  f.push_back(text("BillingCity", "Billing City", 40));
  f.push_back(text("BillingState", "Billing State/Province", 80));
  f.push_back(text("BillingPostalCode", "Billing Zip/Postal Code", 20));
  f.push_back(text("BillingCountry", "Billing Country", 80));
  f.push_back(area("Description", "Account Description", 32000));
  f.push_back(ref("OwnerId", "Owner ID", {"User"}, "Owner"));
  add_system_fields(f);
  return o;
}

ObjectDef contact() {
  ObjectDef o = make_object("Contact", "Contact", "Contacts", "003", true);
  auto& f = o.fields;
  f.push_back(ref("AccountId", "Account ID", {"Account"}, "Account"));
  f.push_back(pick("Salutation", "Salutation", kSalutations));
  f.push_back(named(text("FirstName", "First Name", 40)));
  f.push_back(required(named(text("LastName", "Last Name", 80))));
  f.push_back(read_only(named(text("Name", "Full Name", 121))));
  f.push_back(text("Title", "Title", 128));
  f.push_back(text("Department", "Department", 80));
  f.push_back(email("Email", "Email"));
  f.push_back(phone("Phone", "Business Phone"));
  f.push_back(phone("MobilePhone", "Mobile Phone"));
  f.push_back(phone("HomePhone", "Home Phone"));
  f.push_back(phone("OtherPhone", "Other Phone"));
  f.push_back(phone("AssistantPhone", "Asst. Phone"));
  f.push_back(text("AssistantName", "Assistant's Name", 40));
  f.push_back(phone("Fax", "Business Fax"));
  f.push_back(area("MailingStreet", "Mailing Street", 255));
  f.push_back(text("MailingCity", "Mailing City", 40));
  f.push_back(text("MailingState", "Mailing State/Province", 80));
  f.push_back(text("MailingPostalCode", "Mailing Zip/Postal Code", 20));
  f.push_back(text("MailingCountry", "Mailing Country", 80));
  f.push_back(pick("LeadSource", "Lead Source", kLeadSources));
  f.push_back(area("Description", "Contact Description", 32000));
  f.push_back(typed("DoNotCall", "Do Not Call", FieldType::kBoolean));
  f.push_back(typed("HasOptedOutOfEmail", "Email Opt Out", FieldType::kBoolean));
  f.push_back(read_only(typed("LastActivityDate", "Last Activity", FieldType::kDate)));
  f.push_back(ref("OwnerId", "Owner ID", {"User"}, "Owner"));
  add_system_fields(f);
  return o;
}

ObjectDef lead() {
  ObjectDef o = make_object("Lead", "Lead", "Leads", "00Q", true);
  auto& f = o.fields;
  f.push_back(pick("Salutation", "Salutation", kSalutations));
  f.push_back(named(text("FirstName", "First Name", 40)));
  f.push_back(required(named(text("LastName", "Last Name", 80))));
  f.push_back(read_only(named(text("Name", "Full Name", 121))));
  f.push_back(text("Title", "Title", 128));
  f.push_back(required(named(text("Company", "Company", 255))));
  f.push_back(email("Email", "Email"));
  f.push_back(phone("Phone", "Phone"));
  f.push_back(phone("MobilePhone", "Mobile Phone"));
  f.push_back(phone("Fax", "Fax"));
  f.push_back(text("Website", "Website", 255, FieldType::kUrl));
  f.push_back(area("Street", "Street", 255));
  f.push_back(text("City", "City", 40));
  f.push_back(text("State", "State/Province", 80));
  f.push_back(text("PostalCode", "Zip/Postal Code", 20));
  f.push_back(text("Country", "Country", 80));
  // Status is required in the UI but defaulted on create, so the API does not demand it.
  f.push_back(pick("Status", "Lead Status",
                   {"Open - Not Contacted", "Working - Contacted", "Closed - Converted", "Closed - Not Converted"},
                   false, "Open - Not Contacted"));
  f.push_back(pick("LeadSource", "Lead Source", kLeadSources));
  f.push_back(pick("Industry", "Industry", kIndustries));
  f.push_back(pick("Rating", "Rating", {"Hot", "Warm", "Cold"}));
  f.push_back(area("Description", "Description", 32000));
  f.push_back(typed("DoNotCall", "Do Not Call", FieldType::kBoolean));
  f.push_back(read_only(typed("IsConverted", "Converted", FieldType::kBoolean)));
  f.push_back(read_only(typed("ConvertedDate", "Converted Date", FieldType::kDate)));
  f.push_back(read_only(ref("ConvertedContactId", "Converted Contact ID", {"Contact"}, "ConvertedContact")));
  f.push_back(read_only(ref("ConvertedAccountId", "Converted Account ID", {"Account"}, "ConvertedAccount")));
  f.push_back(typed("IsUnreadByOwner", "Unread By Owner", FieldType::kBoolean));
  f.push_back(ref("OwnerId", "Owner ID", {"User"}, "Owner"));
  add_system_fields(f);
  return o;
}

ObjectDef task() {
  ObjectDef o = make_object("Task", "Task", "Tasks", "00T", false);
  auto& f = o.fields;
  f.push_back(ref("WhoId", "Name ID", {"Contact", "Lead"}, "Who"));
  f.push_back(ref("WhatId", "Related To ID", {"Account"}, "What"));
  f.push_back(named(text("Subject", "Subject", 255)));
  f.push_back(typed("ActivityDate", "Due Date Only", FieldType::kDate));
  f.push_back(pick("Status", "Status",
                   {"Not Started", "In Progress", "Completed", "Waiting on someone else", "Deferred"}, true,
                   "Not Started"));
  f.push_back(pick("Priority", "Priority", {"High", "Normal", "Low"}, false, "Normal"));
  f.push_back(read_only(typed("IsHighPriority", "High Priority", FieldType::kBoolean)));
  f.push_back(read_only(typed("IsClosed", "Closed", FieldType::kBoolean)));
  f.push_back(area("Description", "Description", 32000));
  f.push_back(pick("Type", "Type", {"Call", "Email", "Meeting", "Other"}));
  f.push_back(typed("CallDurationInSeconds", "Call Duration", FieldType::kInt));
  f.push_back(pick("CallType", "Call Type", {"Inbound", "Outbound", "Internal"}, true));
  f.push_back(text("CallDisposition", "Call Result", 255));
  f.push_back(text("CallObject", "Call Object Identifier", 255));
  // TaskSubtype can be set only when the task is created.
  f.push_back(create_only(pick("TaskSubtype", "Task Subtype",
                               {"Task", "Email", "ListEmail", "Cadence", "Call", "LinkedIn"}, true, "Task")));
  f.push_back(typed("ReminderDateTime", "Reminder Date/Time", FieldType::kDateTime));
  f.push_back(typed("IsReminderSet", "Reminder Set", FieldType::kBoolean));
  f.push_back(read_only(typed("CompletedDateTime", "Completed Date/Time", FieldType::kDateTime)));
  f.push_back(read_only(ref("AccountId", "Account ID", {"Account"}, "Account")));
  f.push_back(ref("OwnerId", "Assigned To ID", {"User"}, "Owner"));
  add_system_fields(f);
  return o;
}

ObjectDef user() {
  ObjectDef o = make_object("User", "User", "Users", "005", false);
  auto& f = o.fields;
  f.push_back(required(text("Username", "Username", 80)));
  f.push_back(named(text("FirstName", "First Name", 40)));
  f.push_back(required(named(text("LastName", "Last Name", 80))));
  f.push_back(read_only(named(text("Name", "Full Name", 121))));
  f.push_back(required(text("Alias", "Alias", 8)));
  f.push_back(required(email("Email", "Email")));
  f.push_back(phone("Phone", "Phone"));
  f.push_back(text("Extension", "Extension", 40));
  f.push_back(phone("MobilePhone", "Mobile"));
  f.push_back(text("Title", "Title", 80));
  f.push_back(text("Department", "Department", 80));
  f.push_back(text("CompanyName", "Company Name", 80));
  f.push_back(typed("IsActive", "Active", FieldType::kBoolean));
  f.push_back(text("FederationIdentifier", "SAML Federation ID", 512));
  f.push_back(required(pick("TimeZoneSidKey", "Time Zone",
                            {"America/Los_Angeles", "America/Denver", "America/Chicago", "America/New_York",
                             "Europe/London", "Europe/Paris", "Asia/Tokyo", "GMT"})));
  f.push_back(required(pick("LocaleSidKey", "Locale", {"en_US", "en_GB", "fr_FR", "de_DE", "ja_JP"})));
  f.push_back(required(pick("EmailEncodingKey", "Email Encoding", {"UTF-8", "ISO-8859-1"})));
  f.push_back(required(pick("LanguageLocaleKey", "Language", {"en_US", "fr", "de", "ja"})));
  f.push_back(required(ref("ProfileId", "Profile ID", {"Profile"}, "Profile")));
  add_system_fields(f);
  return o;
}

} // namespace

Schema Schema::standard() {
  Schema s;
  s.objects_ = {account(), contact(), lead(), task(), user()};
  for (auto& o : s.objects_) o.index();
  return s;
}

const ObjectDef* Schema::object(std::string_view name) const {
  for (const auto& o : objects_)
    if (iequals(o.name, name)) return &o;
  return nullptr;
}

const ObjectDef* Schema::object_for_id(std::string_view id) const {
  if (id.size() < 3) return nullptr;
  for (const auto& o : objects_)
    if (id.substr(0, 3) == o.key_prefix) return &o;
  return nullptr;
}

void Schema::add_custom_field(std::string_view object, FieldDef field) {
  ObjectDef* target = nullptr;
  for (auto& o : objects_)
    if (iequals(o.name, object)) target = &o;
  if (!target) throw std::invalid_argument("custom field on unknown object '" + std::string(object) + "'");
  if (field.name.size() < 4 || field.name.substr(field.name.size() - 3) != "__c")
    throw std::invalid_argument("custom field names end in __c: '" + field.name + "'");
  if (target->field(field.name)) throw std::invalid_argument("duplicate field '" + field.name + "'");
  field.custom = true;
  if (field.label.empty()) field.label = field.name.substr(0, field.name.size() - 3);
  // Keep the platform's system fields at the end, as describe lists them.
  target->fields.push_back(std::move(field));
  target->index();
}

} // namespace appconnect::crm_sandbox::salesforce
