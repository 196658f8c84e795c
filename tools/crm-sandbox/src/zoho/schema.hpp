// The Zoho CRM modules the sandbox emulates (Contacts, Leads, Accounts, Calls, Notes) with the subset of
// their standard fields a telephony connector touches: API name, type, length, mandatory-ness, lookups.
// Drives validation, search and the shape of returned records.
// Field facts: https://www.zoho.com/crm/developer/docs/api/v2/modules-api.html (field metadata),
// Calls fields per Kaizen #38 https://help.zoho.com/portal/en/community/topic/kaizen-38-calls-api,
// Notes keys per https://www.zoho.com/crm/developer/docs/api/v2/create-notes.html.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace appconnect::crm_sandbox::zoho {

enum class FieldType {
  kId,
  kText,
  kTextArea,
  kPhone,
  kEmail,
  kUrl,
  kPicklist,
  kDateTime,
  kInteger,
  kBoolean,
  kOwner,       // "Owner": a user, rendered {"name","id","email"}
  kUser,        // Created_By / Modified_By: a user, read-only
  kLookup,      // one target module, e.g. Who_Id -> Contacts, Account_Name -> Accounts
  kMultiLookup, // What_Id / Parent_Id: the module is named by "$se_module"
};

// The type name Zoho's field metadata uses ("text", "phone", "ownerlookup", ...).
std::string_view type_name(FieldType type);
// Types whose values are text (searched case-insensitively).
bool is_text(FieldType type);

struct FieldDef {
  std::string api_name;
  FieldType type = FieldType::kText;
  int length = 0;          // max characters for text types (0: unchecked)
  bool mandatory = false;  // MANDATORY_NOT_FOUND when missing on create
  bool read_only = false;  // system fields: silently ignored on write
  bool restricted = false; // picklist values outside `picklist` are INVALID_DATA
  bool custom = false;
  std::vector<std::string> picklist;
  std::vector<std::string> lookup_modules; // kLookup: one; kMultiLookup: the allowed $se_module values
};

struct ModuleDef {
  std::string api_name;   // "Contacts"
  std::string name_field; // what a lookup to this module shows as "name"
  bool searchable = true;
  std::vector<FieldDef> fields;

  const FieldDef* field(std::string_view api_name) const; // exact: Zoho API names are case-sensitive
};

class Schema {
 public:
  static Schema standard();

  const ModuleDef* module(std::string_view name) const; // case-insensitive, as in Zoho URLs
  const std::vector<ModuleDef>& modules() const { return modules_; }
  // Adds a custom field (the sandbox's stand-in for Setup > Modules and Fields). Throws std::invalid_argument.
  void add_custom_field(std::string_view module, FieldDef field);

 private:
  std::vector<ModuleDef> modules_;
};

} // namespace appconnect::crm_sandbox::zoho
