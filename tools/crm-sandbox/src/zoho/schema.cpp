#include "zoho/schema.hpp"

#include "framework/http_types.hpp"

#include <stdexcept>

namespace appconnect::crm_sandbox::zoho {

std::string_view type_name(FieldType type) {
  switch (type) {
    case FieldType::kId:
      return "bigint";
    case FieldType::kText:
      return "text";
    case FieldType::kTextArea:
      return "textarea";
    case FieldType::kPhone:
      return "phone";
    case FieldType::kEmail:
      return "email";
    case FieldType::kUrl:
      return "website";
    case FieldType::kPicklist:
      return "picklist";
    case FieldType::kDateTime:
      return "datetime";
    case FieldType::kInteger:
      return "integer";
    case FieldType::kBoolean:
      return "boolean";
    case FieldType::kOwner:
      return "ownerlookup";
    case FieldType::kUser:
      return "userlookup";
    case FieldType::kLookup:
      return "lookup";
    case FieldType::kMultiLookup:
      return "multimodulelookup";
  }
  return "text";
}

bool is_text(FieldType type) {
  switch (type) {
    case FieldType::kText:
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

const FieldDef* ModuleDef::field(std::string_view name) const {
  for (const auto& f : fields)
    if (f.api_name == name) return &f;
  return nullptr;
}

namespace {

FieldDef text(std::string name, int length = 255, FieldType type = FieldType::kText) {
  FieldDef f;
  f.api_name = std::move(name);
  f.type = type;
  f.length = length;
  return f;
}
FieldDef phone(std::string name) {
  return text(std::move(name), 30, FieldType::kPhone);
}
FieldDef email(std::string name) {
  return text(std::move(name), 100, FieldType::kEmail);
}
FieldDef area(std::string name, int length = 32000) {
  return text(std::move(name), length, FieldType::kTextArea);
}
FieldDef mandatory(FieldDef f) {
  f.mandatory = true;
  return f;
}
FieldDef typed(std::string name, FieldType type) {
  FieldDef f;
  f.api_name = std::move(name);
  f.type = type;
  return f;
}
FieldDef system(std::string name, FieldType type) {
  FieldDef f = typed(std::move(name), type);
  f.read_only = true;
  return f;
}
FieldDef picklist(std::string name, std::vector<std::string> values, bool restricted = false) {
  FieldDef f = typed(std::move(name), FieldType::kPicklist);
  f.length = 120;
  f.picklist = std::move(values);
  f.restricted = restricted;
  return f;
}
FieldDef lookup(std::string name, std::vector<std::string> modules, FieldType type = FieldType::kLookup) {
  FieldDef f = typed(std::move(name), type);
  f.lookup_modules = std::move(modules);
  return f;
}

// Fields every module has: id, owner and the audit stamps.
void add_common(ModuleDef& m) {
  m.fields.insert(m.fields.begin(), {system("id", FieldType::kId), typed("Owner", FieldType::kOwner)});
  for (auto f : {system("Created_Time", FieldType::kDateTime), system("Modified_Time", FieldType::kDateTime),
                 system("Created_By", FieldType::kUser), system("Modified_By", FieldType::kUser)})
    m.fields.push_back(std::move(f));
}

// Standard Lead_Source values of a new org (Setup > Modules > Leads > Lead Source); not restricted,
// as Zoho adds unknown picklist values sent through the API.
const std::vector<std::string> kLeadSources = {
    "-None-",           "Advertisement", "Cold Call",        "Employee Referral", "External Referral",
    "Online Store",     "Partner",       "Public Relations", "Sales Email Alias", "Seminar Partner",
    "Internal Seminar", "Trade Show",    "Web Download",     "Web Research",      "Chat"};

} // namespace

Schema Schema::standard() {
  Schema s;

  ModuleDef accounts{"Accounts", "Account_Name", true, {}};
  accounts.fields = {mandatory(text("Account_Name", 200)),  phone("Phone"),        phone("Fax"),
                     text("Website", 255, FieldType::kUrl), text("Industry", 120), area("Description")};
  add_common(accounts);
  s.modules_.push_back(std::move(accounts));

  ModuleDef contacts{"Contacts", "Full_Name", true, {}};
  contacts.fields = {text("First_Name", 40),
                     mandatory(text("Last_Name", 80)),
                     system("Full_Name", FieldType::kText),
                     text("Salutation", 20),
                     email("Email"),
                     email("Secondary_Email"),
                     phone("Phone"),
                     phone("Mobile"),
                     phone("Home_Phone"),
                     phone("Other_Phone"),
                     phone("Asst_Phone"),
                     phone("Fax"),
                     text("Title", 100),
                     text("Department", 100),
                     lookup("Account_Name", {"Accounts"}),
                     picklist("Lead_Source", kLeadSources),
                     text("Mailing_City", 100),
                     text("Mailing_Country", 100),
                     area("Description"),
                     system("Last_Activity_Time", FieldType::kDateTime)};
  add_common(contacts);
  s.modules_.push_back(std::move(contacts));

  ModuleDef leads{"Leads", "Full_Name", true, {}};
  // Company is mandatory in the standard Leads layout (docs/crm-and-telephony-apis.md 3.4).
  leads.fields = {
      text("First_Name", 40),
      mandatory(text("Last_Name", 80)),
      system("Full_Name", FieldType::kText),
      mandatory(text("Company", 200)),
      text("Designation", 100),
      email("Email"),
      phone("Phone"),
      phone("Mobile"),
      phone("Fax"),
      picklist("Lead_Source", kLeadSources),
      picklist("Lead_Status", {"-None-", "Attempted to Contact", "Contact in Future", "Contacted", "Junk Lead",
                               "Lost Lead", "Not Contacted", "Pre-Qualified", "Not Qualified"}),
      text("City", 100),
      text("Country", 100),
      area("Description"),
      system("Last_Activity_Time", FieldType::kDateTime),
      system("$converted", FieldType::kBoolean)};
  add_common(leads);
  s.modules_.push_back(std::move(leads));

  ModuleDef calls{"Calls", "Subject", true, {}};
  calls.fields = {
      mandatory(text("Subject", 255)),
      mandatory(picklist("Call_Type", {"Inbound", "Outbound", "Missed"}, true)),
      mandatory(typed("Call_Start_Time", FieldType::kDateTime)),
      text("Call_Duration", 10),
      system("Call_Duration_in_seconds", FieldType::kInteger),
      picklist("Call_Purpose", {"-None-", "Prospecting", "Administrative", "Negotiation", "Demo", "Project", "Desk"}),
      picklist("Call_Result", {"-None-", "Interested", "Not interested", "No response/Busy", "Requested more info",
                               "Requested call back", "Invalid number"}),
      picklist("Outgoing_Call_Status", {"Scheduled", "Completed", "Overdue", "Cancelled"}),
      area("Description"),
      lookup("Who_Id", {"Contacts"}),
      lookup("What_Id", {"Accounts", "Leads"}, FieldType::kMultiLookup),
      phone("Caller_ID"),
      phone("Dialled_Number"),
      text("Voice_Recording__s", 1000, FieldType::kUrl),
      typed("Billable", FieldType::kBoolean),
      text("Call_Agenda", 2000)};
  add_common(calls);
  s.modules_.push_back(std::move(calls));

  ModuleDef notes{"Notes", "Note_Title", true, {}};
  notes.fields = {text("Note_Title", 120), mandatory(area("Note_Content")),
                  mandatory(lookup("Parent_Id", {"Contacts", "Leads", "Accounts", "Calls"}, FieldType::kMultiLookup))};
  add_common(notes);
  s.modules_.push_back(std::move(notes));
  return s;
}

const ModuleDef* Schema::module(std::string_view name) const {
  for (const auto& m : modules_)
    if (iequals(m.api_name, name)) return &m;
  return nullptr;
}

void Schema::add_custom_field(std::string_view module, FieldDef field) {
  for (auto& m : modules_) {
    if (!iequals(m.api_name, module)) continue;
    if (field.api_name.empty()) throw std::invalid_argument("custom field without api_name");
    if (m.field(field.api_name)) throw std::invalid_argument(m.api_name + " already has a field " + field.api_name);
    field.custom = true;
    m.fields.push_back(std::move(field));
    return;
  }
  throw std::invalid_argument("no module '" + std::string(module) + "' for custom fields");
}

} // namespace appconnect::crm_sandbox::zoho
