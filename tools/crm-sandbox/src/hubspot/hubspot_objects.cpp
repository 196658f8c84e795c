// CRM v3 object endpoints (create, list, read, update, archive, associations) and the owners API.
// Sources:
//   paths, status codes (POST 201, PATCH 200, DELETE 204), SimplePublicObject[WithAssociations],
//   SimplePublicObjectInputForCreate {properties, associations:[{to:{id}, types:[{associationCategory,
//   associationTypeId}]}]}, query parameters properties / associations / archived / idProperty:
//     https://github.com/HubSpot/HubSpot-public-api-spec-collection/blob/main/PublicApiSpecs/CRM/Calls/Rollouts/424/v3/calls.json
//     (and the contacts/communications/notes siblings, which share the shapes)
//   v3 association PUT/DELETE /crm/v3/objects/{type}/{id}/associations/{toType}/{toId}/{associationType}:
//     https://developers.hubspot.com/docs/api/crm/calls ("Associate existing calls with records")
//   owners:
//   https://github.com/HubSpot/HubSpot-public-api-spec-collection/blob/main/PublicApiSpecs/CRM/Crm%20Owners/Rollouts/146888/v3/crmOwners.json
//   409 "Contact already exists. Existing ID: N" (CONFLICT): docs/crm-and-telephony-apis.md 2.5 (observed).
// All property values are strings on the wire; datetimes are stored and returned as ISO 8601 UTC with
// milliseconds ("2024-06-01T09:30:00.123Z").
#include "hubspot/hubspot_emulator.hpp"
#include "hubspot/values.hpp"

#include "framework/json_util.hpp"

#include <appconnect/time.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <iterator>
#include <map>

namespace appconnect::crm_sandbox::hubspot {

namespace {

std::string iso(std::int64_t ms) {
  return sdk::time::format_iso8601_utc(ms, true);
}

// A request body as JSON; HubSpot answers unreadable bodies with 400 VALIDATION_ERROR.
boost::json::value parse_body(const Request& request) {
  std::string error;
  auto v = try_parse_json(request.body.empty() ? std::string_view("{}") : std::string_view(request.body), &error);
  if (!v) throw HsError(400, "VALIDATION_ERROR", "Invalid input JSON on line 1, column 1: " + error);
  if (!v->is_object()) throw HsError(400, "VALIDATION_ERROR", "Invalid input JSON: expected an object");
  return std::move(*v);
}

// "a,b" and repeated parameters alike (the spec's style: form, explode: true).
std::vector<std::string> list_param(const Request& request, std::string_view name) {
  std::vector<std::string> out;
  for (const auto& value : request.query_params(name)) {
    std::size_t start = 0;
    while (start <= value.size()) {
      auto comma = value.find(',', start);
      if (comma == std::string::npos) comma = value.size();
      if (comma > start) out.push_back(value.substr(start, comma - start));
      start = comma + 1;
    }
  }
  return out;
}

bool archived_param(const Request& request) {
  const auto* a = request.query_param("archived");
  return a && iequals(*a, "true");
}

std::size_t paging_param(const Request& request, const char* name, std::size_t fallback, std::size_t max) {
  const auto* v = request.query_param(name);
  if (!v || v->empty()) return fallback;
  if (!all_digits(*v)) throw HsError(400, "VALIDATION_ERROR", std::string("Invalid ") + name + ": " + *v);
  return std::min<std::size_t>(static_cast<std::size_t>(std::stoull(*v)), max);
}

bool is_archived(const Record& r) {
  return json_bool(r.fields, "archived", false);
}

std::string property_text(const Record& r, std::string_view name) {
  const auto* props = r.fields.if_contains("properties");
  if (!props || !props->is_object()) return {};
  const auto* v = props->as_object().if_contains(name);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

std::optional<std::string> normalized_number(const std::string& text) {
  if (text.empty()) return std::nullopt;
  char* end = nullptr;
  const double d = std::strtod(text.c_str(), &end);
  if (end == nullptr || *end != '\0' || !std::isfinite(d)) return std::nullopt;
  if (std::floor(d) == d && std::fabs(d) < 9e15) return std::to_string(static_cast<long long>(d));
  return text;
}

bool calculated(std::string_view name) {
  return name.rfind("hs_searchable_calculated_", 0) == 0 || name.rfind("hs_calculated_", 0) == 0;
}

} // namespace

const ObjectType& HubSpotEmulator::object_or_throw(std::string_view name) const {
  const ObjectType* def = schema_.object(name);
  if (!def) throw HsError(400, "VALIDATION_ERROR", "Unable to infer object type from: " + std::string(name));
  return *def;
}

boost::json::object HubSpotEmulator::validate_properties(const ObjectType& object, const boost::json::value* properties,
                                                         bool creating) const {
  if (properties != nullptr && !properties->is_null() && !properties->is_object())
    throw HsError(400, "VALIDATION_ERROR", "Invalid input JSON: \"properties\" must be an object");
  std::vector<PropertyProblem> problems;
  boost::json::object out;
  if (properties != nullptr && properties->is_object()) {
    for (const auto& kv : properties->as_object()) {
      const std::string name(kv.key());
      const PropertyDef* def = object.property(name);
      if (!def) {
        problems.push_back({name, "PROPERTY_DOESNT_EXIST", "Property \"" + name + "\" does not exist"});
        continue;
      }
      if (def->read_only) {
        problems.push_back({name, "READ_ONLY_VALUE",
                            "\"" + name + "\" is a " + (calculated(name) ? "calculated" : "read only") +
                                " property; its value cannot be set."});
        continue;
      }
      auto text = scalar_text(kv.value());
      if (!text) {
        problems.push_back({name, "INVALID_VALUE", "Property \"" + name + "\" must be a string, number or boolean"});
        continue;
      }
      if (text->empty()) { // an empty string clears the property
        out[name] = nullptr;
        continue;
      }
      switch (def->type) {
        case PropType::kNumber:
          if (auto n = normalized_number(*text))
            *text = *n;
          else
            problems.push_back({name, "INVALID_LONG", *text + " was not a valid long."});
          break;
        case PropType::kDateTime:
          if (auto ms = datetime_ms(*text))
            *text = iso(*ms);
          else
            problems.push_back({name, "INVALID_DATE",
                                *text + " is not a valid date time; use a Unix timestamp in milliseconds or an ISO "
                                        "8601 UTC string."});
          break;
        case PropType::kBool:
          if (iequals(*text, "true") || iequals(*text, "false"))
            *text = iequals(*text, "true") ? "true" : "false";
          else
            problems.push_back({name, "INVALID_BOOLEAN", *text + " is not a valid boolean."});
          break;
        case PropType::kEnumeration:
          if (def->owner) {
            auto owner = ctx_.store.get("owners", *text);
            if (!owner || json_bool(owner->fields, "archived", false))
              problems.push_back({name, "INVALID_OWNER_ID", *text + " is not a valid owner id"});
          } else if (std::find(def->options.begin(), def->options.end(), *text) == def->options.end()) {
            std::string allowed;
            for (const auto& o : def->options) allowed += (allowed.empty() ? "" : ", ") + o;
            problems.push_back(
                {name, "INVALID_OPTION", *text + " was not one of the allowed options: [" + allowed + "]"});
          }
          break;
        case PropType::kString:
          if (text->size() > def->max_length)
            problems.push_back({name, "INVALID_STRING_LENGTH",
                                "Property \"" + name + "\" exceeds the maximum length of " +
                                    std::to_string(def->max_length) + " characters"});
          break;
      }
      out[name] = *text;
    }
  }
  if (creating)
    for (const auto& required : object.required_on_create) {
      const auto* v = out.if_contains(required);
      if (!v || v->is_null()) problems.push_back({required, "REQUIRED_PROPERTY", required + " is required"});
    }
  if (!problems.empty()) throw property_error(problems);
  return out;
}

void HubSpotEmulator::recalculate(const ObjectType& object, boost::json::object& properties) const {
  if (object.name != "contacts") return;
  std::string country;
  {
    std::shared_lock lock(config_mutex_);
    country = default_country_code_;
  }
  // HubSpot derives these from phone / mobilephone (docs/crm-and-telephony-apis.md 2.4): the searchable
  // ones hold digits without (and with) the country code, the calculated one the international form.
  auto derive = [&](const char* source, const char* searchable, const char* international,
                    const char* calculated_name) {
    const auto* v = properties.if_contains(source);
    std::optional<PhoneParts> parts;
    if (v && v->is_string()) parts = split_phone(v->get_string(), country);
    if (parts) {
      properties[searchable] = parts->national;
      properties[international] = parts->country_code + parts->national;
      properties[calculated_name] = "+" + parts->country_code + parts->national;
    } else {
      properties[searchable] = nullptr;
      properties[international] = nullptr;
      properties[calculated_name] = nullptr;
    }
  };
  derive("phone", "hs_searchable_calculated_phone_number", "hs_searchable_calculated_international_phone_number",
         "hs_calculated_phone_number");
  derive("mobilephone", "hs_searchable_calculated_mobile_number",
         "hs_searchable_calculated_international_mobile_number", "hs_calculated_mobile_number");
}

std::string HubSpotEmulator::insert_record(const ObjectType& object, boost::json::object properties,
                                           const std::string& created_by, bool preexisting,
                                           std::optional<std::int64_t> created_ms,
                                           std::optional<std::int64_t> updated_ms) {
  const std::int64_t now = now_ms();
  const std::int64_t created = created_ms.value_or(now);
  const std::int64_t updated = updated_ms.value_or(created);
  const std::string id = next_id(object.name, object.first_id);
  properties["hs_object_id"] = id;
  properties[object.created_property] = iso(created);
  properties[object.modified_property] = iso(updated);
  if (!created_by.empty() && object.property("hs_created_by_user_id")) properties["hs_created_by_user_id"] = created_by;
  recalculate(object, properties);
  Record record;
  record.id = id;
  record.fields = boost::json::object{{"properties", std::move(properties)},
                                      {"createdAt", iso(created)},
                                      {"updatedAt", iso(updated)},
                                      {"archived", false},
                                      {"associations", boost::json::object{}}};
  record.created_ms = now;
  record.preexisting = preexisting;
  ctx_.store.insert(object.name, std::move(record));
  return id;
}

void HubSpotEmulator::add_association(const ObjectType& from, const std::string& from_id, const AssociationType& type,
                                      const std::string& to_id, const std::string& category) {
  auto link = [](Record& r, const std::string& to_object, const std::string& target, int type_id,
                 const std::string& label, const std::string& cat) {
    auto& all = r.fields["associations"];
    if (!all.is_object()) all = boost::json::object{};
    auto& list = all.as_object()[to_object];
    if (!list.is_array()) list = boost::json::array{};
    for (const auto& e : list.as_array())
      if (json_string(e.as_object(), "id") == target && json_int(e.as_object(), "typeId") == type_id) return;
    list.as_array().push_back(
        boost::json::object{{"id", target}, {"typeId", type_id}, {"label", label}, {"category", cat}});
  };
  ctx_.store.update(from.name, from_id, [&](Record& r) { link(r, type.to, to_id, type.id, type.label, category); });
  // HubSpot associations are two-way: the target lists the reverse type.
  if (const AssociationType* reverse = schema_.default_association(type.to, from.name))
    ctx_.store.update(type.to, to_id,
                      [&](Record& r) { link(r, from.name, from_id, reverse->id, reverse->label, category); });
}

boost::json::object HubSpotEmulator::render(const ObjectType& object, const Record& record,
                                            const std::vector<std::string>* wanted, bool all,
                                            const std::vector<std::string>* associations) const {
  const auto* stored_value = record.fields.if_contains("properties");
  const boost::json::object empty;
  const auto& stored = stored_value && stored_value->is_object() ? stored_value->as_object() : empty;
  // HubSpot lists properties alphabetically.
  std::map<std::string, boost::json::value> sorted;
  if (all) {
    for (const auto& kv : stored)
      if (!kv.value().is_null()) sorted[std::string(kv.key())] = kv.value();
  } else {
    // Unknown names are left out; defined but unset ones come back as null (search guide). The id and
    // the created/modified dates always come along with the names asked for.
    std::vector<std::string> names = object.default_properties;
    if (wanted && !wanted->empty()) {
      names = *wanted;
      names.insert(names.end(), {object.created_property, object.modified_property, "hs_object_id"});
    }
    for (const auto& name : names) {
      if (!object.property(name)) continue;
      const auto* v = stored.if_contains(name);
      sorted[name] = v ? *v : boost::json::value(nullptr);
    }
  }
  boost::json::object props;
  for (auto& [name, value] : sorted) props[name] = std::move(value);
  boost::json::object out{{"id", record.id},
                          {"properties", std::move(props)},
                          {"createdAt", json_string(record.fields, "createdAt")},
                          {"updatedAt", json_string(record.fields, "updatedAt")},
                          {"archived", is_archived(record)}};
  if (is_archived(record)) out["archivedAt"] = json_string(record.fields, "archivedAt");
  if (associations && !associations->empty()) {
    boost::json::object assoc;
    const auto* stored_assoc = record.fields.if_contains("associations");
    for (const auto& wanted_type : *associations) {
      const ObjectType* to = schema_.object(wanted_type);
      if (!to || !stored_assoc || !stored_assoc->is_object()) continue;
      const auto* list = stored_assoc->as_object().if_contains(to->name);
      if (!list || !list->is_array() || list->as_array().empty()) continue;
      boost::json::array results;
      for (const auto& e : list->as_array())
        results.push_back(boost::json::object{{"id", json_string(e.as_object(), "id")},
                                              {"type", json_string(e.as_object(), "label")}});
      assoc[to->name] = boost::json::object{{"results", std::move(results)}};
    }
    if (!assoc.empty()) out["associations"] = std::move(assoc);
  }
  return out;
}

std::optional<Record> HubSpotEmulator::find_record(const ObjectType& object, const std::string& id,
                                                   const Request& request) const {
  const bool archived = archived_param(request);
  const auto* id_property = request.query_param("idProperty");
  std::optional<Record> found;
  if (id_property && !id_property->empty() && *id_property != "hs_object_id") {
    if (!object.property(*id_property))
      throw HsError(400, "VALIDATION_ERROR", "Property \"" + *id_property + "\" does not exist");
    ctx_.store.scan(object.name, [&](const Record& r) {
      if (property_text(r, *id_property) == id && is_archived(r) == archived) {
        found = r;
        return false;
      }
      return true;
    });
    return found;
  }
  found = ctx_.store.get(object.name, id);
  if (found && is_archived(*found) != archived) return std::nullopt;
  return found;
}

Response HubSpotEmulator::create(ApiCall& call) {
  const ObjectType& object = object_or_throw(call.params["type"]);
  const auto body = parse_body(call.request);
  auto properties = validate_properties(object, body.as_object().if_contains("properties"), true);

  // Associations are checked before anything is written.
  struct Link {
    const AssociationType* type;
    std::string to_id;
    std::string category;
  };
  std::vector<Link> links;
  if (const auto* assoc = body.as_object().if_contains("associations"); assoc && !assoc->is_null()) {
    if (!assoc->is_array())
      throw HsError(400, "VALIDATION_ERROR", "Invalid input JSON: \"associations\" must be an array");
    for (const auto& a : assoc->as_array()) {
      const auto* to = a.is_object() ? a.as_object().if_contains("to") : nullptr;
      const auto* types = a.is_object() ? a.as_object().if_contains("types") : nullptr;
      std::optional<std::string> to_id;
      if (to && to->is_object())
        if (const auto* id = to->as_object().if_contains("id")) to_id = scalar_text(*id);
      if (!to_id || to_id->empty() || !types || !types->is_array() || types->as_array().empty())
        throw HsError(400, "VALIDATION_ERROR", "Invalid input JSON: associations need \"to\": {\"id\"} and \"types\"");
      for (const auto& t : types->as_array()) {
        const std::string category = t.is_object() ? json_string(t.as_object(), "associationCategory") : "";
        const auto type_id = t.is_object() ? json_int(t.as_object(), "associationTypeId", 0) : 0;
        if (category != "HUBSPOT_DEFINED" && category != "USER_DEFINED" && category != "INTEGRATOR_DEFINED" &&
            category != "WORK")
          throw HsError(400, "VALIDATION_ERROR", "Invalid associationCategory: " + category);
        const AssociationType* type = schema_.association(object.name, static_cast<int>(type_id));
        if (!type || category != "HUBSPOT_DEFINED")
          throw HsError(
              400, "VALIDATION_ERROR",
              "association type id " + std::to_string(type_id) + " (" + category + ") is not valid for " + object.name,
              boost::json::object{{"subCategory", "crm-object-associations.INVALID_ASSOCIATION_TYPE"}});
        auto target = ctx_.store.get(type->to, *to_id);
        if (!target || is_archived(*target))
          throw HsError(400, "VALIDATION_ERROR", "No " + type->to + " with id " + *to_id + " exists",
                        boost::json::object{
                            {"subCategory", "crm-object-associations.OBJECT_NOT_FOUND"},
                            {"context", boost::json::object{{"id", boost::json::array{boost::json::string(*to_id)}}}}});
        links.push_back({type, *to_id, category});
      }
    }
  }
  if (object.name == "contacts") {
    const auto* email = properties.if_contains("email");
    if (email && email->is_string()) {
      std::string existing;
      ctx_.store.scan("contacts", [&](const Record& r) {
        if (!is_archived(r) && iequals(property_text(r, "email"), email->get_string())) {
          existing = r.id;
          return false;
        }
        return true;
      });
      if (!existing.empty()) throw HsError(409, "CONFLICT", "Contact already exists. Existing ID: " + existing);
    }
  }
  std::string created_by;
  if (!call.caller.owner_id.empty())
    if (auto owner = ctx_.store.get("owners", call.caller.owner_id))
      created_by = std::to_string(json_int(owner->fields, "userId"));
  for (auto it = properties.begin(); it != properties.end();) // nothing to clear on a new record
    it = it->value().is_null() ? properties.erase(it) : std::next(it);
  const std::string id = insert_record(object, std::move(properties), created_by, false);
  for (const auto& l : links) add_association(object, id, *l.type, l.to_id, l.category);
  auto record = ctx_.store.get(object.name, id);
  return Response::json(201, render(object, *record, nullptr, true));
}

Response HubSpotEmulator::read(ApiCall& call) {
  const ObjectType& object = object_or_throw(call.params["type"]);
  auto record = find_record(object, call.params["id"], call.request);
  if (!record) throw HsError(404, "OBJECT_NOT_FOUND", kNotFoundMessage);
  const auto wanted = list_param(call.request, "properties");
  const auto associations = list_param(call.request, "associations");
  return Response::json(200, render(object, *record, &wanted, false, &associations));
}

Response HubSpotEmulator::list(ApiCall& call) {
  const ObjectType& object = object_or_throw(call.params["type"]);
  const std::size_t limit = paging_param(call.request, "limit", 10, 100);
  const std::size_t offset = paging_param(call.request, "after", 0, SIZE_MAX);
  const bool archived = archived_param(call.request);
  const auto wanted = list_param(call.request, "properties");
  const auto associations = list_param(call.request, "associations");
  boost::json::array results;
  std::size_t index = 0;
  bool more = false;
  ctx_.store.scan(object.name, [&](const Record& r) {
    if (is_archived(r) != archived) return true;
    if (index++ < offset) return true;
    if (results.size() == limit) {
      more = true;
      return false;
    }
    results.push_back(render(object, r, &wanted, false, &associations));
    return true;
  });
  boost::json::object out{{"results", std::move(results)}};
  if (more) {
    const std::string after = std::to_string(offset + limit);
    out["paging"] = boost::json::object{
        {"next",
         boost::json::object{{"after", after},
                             {"link", call.request.base_url + "/crm/v3/objects/" + object.name + "?after=" + after}}}};
  }
  return Response::json(200, out);
}

Response HubSpotEmulator::update(ApiCall& call) {
  const ObjectType& object = object_or_throw(call.params["type"]);
  auto record = find_record(object, call.params["id"], call.request);
  if (!record) throw HsError(404, "OBJECT_NOT_FOUND", kNotFoundMessage);
  const auto body = parse_body(call.request);
  const auto properties = validate_properties(object, body.as_object().if_contains("properties"), false);
  if (object.name == "contacts")
    if (const auto* email = properties.if_contains("email"); email && email->is_string()) {
      std::string existing;
      ctx_.store.scan("contacts", [&](const Record& r) {
        if (r.id != record->id && !is_archived(r) && iequals(property_text(r, "email"), email->get_string())) {
          existing = r.id;
          return false;
        }
        return true;
      });
      if (!existing.empty()) throw HsError(409, "CONFLICT", "Contact already exists. Existing ID: " + existing);
    }
  const std::string now = iso(now_ms());
  ctx_.store.update(object.name, record->id, [&](Record& r) {
    auto& stored = r.fields["properties"].as_object();
    for (const auto& kv : properties) stored[kv.key()] = kv.value();
    stored[object.modified_property] = now;
    recalculate(object, stored);
    r.fields["updatedAt"] = now;
  });
  auto updated = ctx_.store.get(object.name, record->id);
  return Response::json(200, render(object, *updated, nullptr, true));
}

Response HubSpotEmulator::archive(ApiCall& call) {
  const ObjectType& object = object_or_throw(call.params["type"]);
  // Archiving moves the record to the recycling bin; archiving an unknown or archived id is a no-op 204.
  const std::string now = iso(now_ms());
  ctx_.store.update(object.name, call.params["id"], [&](Record& r) {
    if (is_archived(r)) return;
    r.fields["archived"] = true;
    r.fields["archivedAt"] = now;
  });
  return Response::no_content(204);
}

Response HubSpotEmulator::associate(ApiCall& call) {
  const ObjectType& object = object_or_throw(call.params["type"]);
  const ObjectType& to = object_or_throw(call.params["toType"]);
  auto record = find_record(object, call.params["id"], call.request);
  if (!record) throw HsError(404, "OBJECT_NOT_FOUND", kNotFoundMessage);
  const std::string& raw_type = call.params["assocType"];
  const AssociationType* type = all_digits(raw_type) ? schema_.association(object.name, std::stoi(raw_type))
                                                     : schema_.association_by_label(object.name, raw_type);
  if (!type || type->to != to.name)
    throw HsError(400, "VALIDATION_ERROR",
                  raw_type + " is not a valid association type between " + object.name + " and " + to.name);
  auto target = ctx_.store.get(to.name, call.params["toId"]);
  if (!target || is_archived(*target)) throw HsError(404, "OBJECT_NOT_FOUND", kNotFoundMessage);
  add_association(object, record->id, *type, target->id, "HUBSPOT_DEFINED");
  auto updated = ctx_.store.get(object.name, record->id);
  const std::vector<std::string> names{to.name};
  return Response::json(200, render(object, *updated, nullptr, false, &names));
}

Response HubSpotEmulator::disassociate(ApiCall& call) {
  const ObjectType& object = object_or_throw(call.params["type"]);
  const ObjectType& to = object_or_throw(call.params["toType"]);
  const std::string from_id = call.params["id"];
  const std::string to_id = call.params["toId"];
  auto unlink = [](Record& r, const std::string& to_object, const std::string& target) {
    auto* all = r.fields.if_contains("associations");
    if (!all || !all->is_object()) return;
    auto* list = all->as_object().if_contains(to_object);
    if (!list || !list->is_array()) return;
    auto& a = list->as_array();
    for (auto it = a.begin(); it != a.end();)
      it = json_string(it->as_object(), "id") == target ? a.erase(it) : std::next(it);
  };
  ctx_.store.update(object.name, from_id, [&](Record& r) { unlink(r, to.name, to_id); });
  ctx_.store.update(to.name, to_id, [&](Record& r) { unlink(r, object.name, from_id); });
  return Response::no_content(204);
}

Response HubSpotEmulator::list_associations(ApiCall& call) {
  const ObjectType& object = object_or_throw(call.params["type"]);
  const ObjectType& to = object_or_throw(call.params["toType"]);
  auto record = find_record(object, call.params["id"], call.request);
  if (!record) throw HsError(404, "OBJECT_NOT_FOUND", kNotFoundMessage);
  boost::json::array results;
  if (const auto* all = record->fields.if_contains("associations"); all && all->is_object())
    if (const auto* list = all->as_object().if_contains(to.name); list && list->is_array())
      for (const auto& e : list->as_array())
        results.push_back(boost::json::object{{"id", json_string(e.as_object(), "id")},
                                              {"type", json_string(e.as_object(), "label")}});
  return Response::json(200, boost::json::object{{"results", std::move(results)}});
}

Response HubSpotEmulator::owners(ApiCall& call) {
  // GET /crm/v3/owners?email=&after=&limit=(default 100)&archived=false -> CollectionResponsePublicOwnerForwardPaging.
  const std::size_t limit = std::max<std::size_t>(1, paging_param(call.request, "limit", 100, 500));
  const std::size_t offset = paging_param(call.request, "after", 0, SIZE_MAX);
  const bool archived = archived_param(call.request);
  const auto* email = call.request.query_param("email");
  boost::json::array results;
  std::size_t index = 0;
  bool more = false;
  ctx_.store.scan("owners", [&](const Record& r) {
    if (json_bool(r.fields, "archived", false) != archived) return true;
    if (email && !email->empty() && !iequals(json_string(r.fields, "email"), *email)) return true;
    if (index++ < offset) return true;
    if (results.size() == limit) {
      more = true;
      return false;
    }
    results.push_back(r.fields);
    return true;
  });
  boost::json::object out{{"results", std::move(results)}};
  if (more) {
    const std::string after = std::to_string(offset + limit);
    out["paging"] = boost::json::object{
        {"next",
         boost::json::object{{"after", after}, {"link", call.request.base_url + "/crm/v3/owners/?after=" + after}}}};
  }
  return Response::json(200, out);
}

Response HubSpotEmulator::owner(ApiCall& call) {
  const std::string& id = call.params["ownerId"];
  const auto* id_property = call.request.query_param("idProperty");
  const bool archived = archived_param(call.request);
  std::optional<Record> found;
  if (id_property && *id_property == "userId") {
    ctx_.store.scan("owners", [&](const Record& r) {
      if (std::to_string(json_int(r.fields, "userId")) == id) {
        found = r;
        return false;
      }
      return true;
    });
  } else {
    found = ctx_.store.get("owners", id);
  }
  if (!found || json_bool(found->fields, "archived", false) != archived)
    throw HsError(404, "OBJECT_NOT_FOUND", kNotFoundMessage);
  return Response::json(200, found->fields);
}

} // namespace appconnect::crm_sandbox::hubspot
