// The sObjects the sandbox emulates (Contact, Lead, Task, User, Account) with a realistic subset of
// their standard fields: type, length, create/update permissions, required-ness, picklists and
// references. Drives validation, describe, SOQL/SOSL binding and the shape of returned records.
// Field facts:
// https://developer.salesforce.com/docs/platform/object-reference/references/standard-objects/object-task.html and the
// sibling Contact/Lead/User/Account object reference pages.
#pragma once

#include <boost/json/object.hpp>

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace appconnect::crm_sandbox::salesforce {

enum class FieldType {
  kId,
  kString,
  kTextArea,
  kPhone,
  kEmail,
  kUrl,
  kPicklist,
  kReference,
  kBoolean,
  kInt,
  kDouble,
  kDate,
  kDateTime
};

// The type name describe() reports ("string", "phone", "reference", ...).
std::string_view type_name(FieldType type);
// Types whose values are text (compared case-insensitively, searched by SOSL).
bool is_text(FieldType type);

struct FieldDef {
  std::string name;
  std::string label;
  FieldType type = FieldType::kString;
  int length = 0; // max characters for text types (0: unchecked)
  bool createable = true;
  bool updateable = true;
  bool required = false;   // must be given on create (not nillable and no default)
  bool name_field = false; // searched by SOSL NAME FIELDS
  bool restricted = false; // restricted picklist: other values are rejected
  std::vector<std::string> picklist;
  std::string default_value; // picklist default applied on create
  std::vector<std::string> reference_to;
  std::string relationship_name; // "Owner" for OwnerId
  bool custom = false;

  boost::json::object describe() const;
};

struct ObjectDef {
  std::string name;
  std::string label;
  std::string label_plural;
  std::string key_prefix;
  bool searchable = true; // part of a SOSL search without RETURNING
  std::vector<FieldDef> fields;

  const FieldDef* field(std::string_view name) const;        // case-insensitive
  const FieldDef* relationship(std::string_view name) const; // "owner" -> OwnerId's def
  void index();                                              // rebuild the lookups
  boost::json::object describe() const;

 private:
  std::unordered_map<std::string, std::size_t> by_name_;
  std::unordered_map<std::string, std::size_t> by_relationship_;
};

class Schema {
 public:
  static Schema standard();

  const ObjectDef* object(std::string_view name) const; // case-insensitive
  // The object whose key prefix starts `id`, or nullptr.
  const ObjectDef* object_for_id(std::string_view id) const;
  const std::vector<ObjectDef>& objects() const { return objects_; }
  // Adds a custom field (name must end in __c). Throws std::invalid_argument.
  void add_custom_field(std::string_view object, FieldDef field);

 private:
  std::vector<ObjectDef> objects_;
};

} // namespace appconnect::crm_sandbox::salesforce
