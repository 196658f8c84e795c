// The CRM objects the HubSpot emulator serves, their properties, and the association types between them.
//
// Objects (name / object type id, https://developers.hubspot.com/docs/guides/api/crm/understanding-the-crm):
//   contacts 0-1, calls 0-48, communications 0-18, notes 0-46.
// Property names and meanings:
//   contacts        https://developers.hubspot.com/docs/api-reference/latest/crm/objects/contacts/guide and the
//                   phone helpers of docs/crm-and-telephony-apis.md 2.4
//   calls           https://developers.hubspot.com/docs/api/crm/calls (hs_timestamp required, hs_call_* fields,
//                   status and outcome GUIDs as listed in docs/crm-and-telephony-apis.md 2.6)
//   communications  https://developers.hubspot.com/docs/api/crm/communications
//   notes           https://developers.hubspot.com/docs/api-reference/2026-03/crm/activities/notes/guide
// Association type ids (HUBSPOT_DEFINED): call->contact 194 (calls guide), communication->contact 81
// (communications guide), note->contact 202 (notes spec example); the reverse ids 193/82/201 are HubSpot's
// documented defaults list (associations v4 "association type id values").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace appconnect::crm_sandbox::hubspot {

enum class PropType { kString, kNumber, kDateTime, kEnumeration, kBool };

struct PropertyDef {
  std::string name;
  PropType type = PropType::kString;
  bool read_only = false;           // system or calculated: a write is refused (READ_ONLY_VALUE)
  std::vector<std::string> options; // enumeration values (case-sensitive, as HubSpot compares them)
  bool owner = false;               // hubspot_owner_id: the value must be an owner id
  std::size_t max_length = 65536;   // HubSpot's limit for string properties
};

struct ObjectType {
  std::string name;     // "contacts" (the path segment, and the record store's table name)
  std::string singular; // "contact" (association labels: "call_to_contact")
  std::string type_id;  // "0-1"
  std::uint64_t first_id = 1;
  std::vector<PropertyDef> properties;
  std::vector<std::string> default_properties; // returned when a request names none
  std::vector<std::string> required_on_create; // e.g. hs_timestamp on activities
  std::vector<std::string> text_properties;    // what the search "query" matches
  std::string created_property;                // createdate | hs_createdate
  std::string modified_property;               // lastmodifieddate | hs_lastmodifieddate

  const PropertyDef* property(std::string_view property_name) const;
};

struct AssociationType {
  std::string from; // object names
  std::string to;
  int id = 0;
  std::string label; // "call_to_contact"
};

class Schema {
 public:
  static Schema standard();

  // By name ("contacts"), singular ("contact") or type id ("0-1"), case-insensitively.
  const ObjectType* object(std::string_view name) const;
  const std::vector<ObjectType>& objects() const { return objects_; }

  // Adds a custom property (portal-defined, e.g. appconnect_external_id); throws std::invalid_argument
  // for an unknown object or a name that exists.
  void add_custom_property(std::string_view object, PropertyDef def);

  // Adds an allowed value to an enumeration property (e.g. a portal's own call outcome).
  void add_option(std::string_view object, std::string_view property, std::string value);

  const AssociationType* association(std::string_view from, int id) const;
  const AssociationType* association_by_label(std::string_view from, std::string_view label) const;
  // The HUBSPOT_DEFINED default between two objects (e.g. calls -> contacts: 194).
  const AssociationType* default_association(std::string_view from, std::string_view to) const;

 private:
  std::vector<ObjectType> objects_;
  std::vector<AssociationType> associations_;
};

// A phone number split the way HubSpot's calculated phone properties see it: the country calling code
// and the national significant number, digits only. nullopt when the value holds too few digits.
struct PhoneParts {
  std::string country_code; // "1"
  std::string national;     // "4155550132"
};
std::optional<PhoneParts> split_phone(std::string_view raw, std::string_view default_country_code);

// The length of the ITU country calling code that starts `digits` (1, 2 or 3; calling codes are a
// prefix-free set).
std::size_t calling_code_length(std::string_view digits);

} // namespace appconnect::crm_sandbox::hubspot
