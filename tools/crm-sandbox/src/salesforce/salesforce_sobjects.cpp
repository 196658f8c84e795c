// Salesforce sObject resources: versions, resources, limits, describe, and record create / read /
// update / delete with the platform's validation and system fields.
// Create (201 {"id","errors":[],"success":true}; "The Id field should not be specified..."):
//   https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api/dome_sobject_create.htm
// Update (PATCH, 204, no body): https://developer.salesforce.com/docs/platform/api-rest/guide/dome-update-fields.md
// Versions list ([{label,url,version}]): https://developer.salesforce.com/docs/platform/api-rest/guide/dome-versions.md
// Limits ({"DailyApiRequests":{"Max","Remaining"}}):
// https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_limits.htm
#include "salesforce/salesforce_emulator.hpp"

#include "salesforce/ids.hpp"

#include "framework/json_util.hpp"

#include <appconnect/time.hpp>

#include <algorithm>
#include <cctype>
#include <cmath>

namespace appconnect::crm_sandbox::salesforce {

namespace {

std::string version_label(int major) {
  // Three releases a year since Summer '14 (v31.0): Summer, Winter (next year), Spring.
  static constexpr const char* kSeasons[] = {"Summer", "Winter", "Spring"};
  const int i = major - 31;
  const int year = 14 + (i + 2) / 3;
  return std::string(kSeasons[i % 3]) + " '" + (year < 10 ? "0" : "") + std::to_string(year);
}

std::string join(const std::vector<std::string>& items, std::string_view sep) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : std::string(sep)) + i;
  return out;
}

bool valid_email(std::string_view v) {
  const auto at = v.find('@');
  if (at == std::string_view::npos || at == 0 || at != v.rfind('@')) return false;
  const auto domain = v.substr(at + 1);
  const auto dot = domain.find('.');
  return dot != std::string_view::npos && dot > 0 && dot + 1 < domain.size() &&
         std::none_of(v.begin(), v.end(), [](char c) { return std::isspace(static_cast<unsigned char>(c)); });
}

bool valid_date(std::string_view v) {
  return v.size() == 10 && sdk::time::parse_iso8601_ms(v).has_value();
}

[[noreturn]] void parser_error(const FieldDef& f, const boost::json::value& v) {
  // Salesforce reports type mismatches from its JSON deserializer.
  const std::string shown = v.is_string() ? std::string(v.get_string()) : boost::json::serialize(v);
  const std::string token = v.is_string()   ? "VALUE_STRING"
                            : v.is_bool()   ? (v.get_bool() ? "VALUE_TRUE" : "VALUE_FALSE")
                            : v.is_object() ? "START_OBJECT"
                            : v.is_array()  ? "START_ARRAY"
                                            : "VALUE_NUMBER_INT";
  throw SfError(400, "JSON_PARSER_ERROR",
                "Cannot deserialize instance of " + std::string(type_name(f.type)) + " from " + token + " value " +
                    shown + " or request may be missing a required field at [line:1, column:1]");
}

// A request value converted to how Salesforce stores it for this field type.
boost::json::value coerce(const FieldDef& f, const boost::json::value& v) {
  if (v.is_null()) return nullptr;
  if (v.is_object() || v.is_array()) parser_error(f, v);
  switch (f.type) {
    case FieldType::kBoolean:
      if (v.is_bool()) return v;
      if (v.is_string() && (v.get_string() == "true" || v.get_string() == "false")) return v.get_string() == "true";
      parser_error(f, v);
    case FieldType::kInt: {
      if (v.is_int64() || v.is_uint64()) return v;
      if (v.is_double() && std::floor(v.get_double()) == v.get_double())
        return static_cast<std::int64_t>(v.get_double());
      if (v.is_string()) {
        try {
          std::size_t used = 0;
          const long long n = std::stoll(std::string(v.get_string()), &used);
          if (used == v.get_string().size()) return static_cast<std::int64_t>(n);
        } catch (const std::exception&) {
        }
      }
      parser_error(f, v);
    }
    case FieldType::kDouble: {
      if (auto n = as_number(v)) return *n;
      if (v.is_string()) {
        try {
          return std::stod(std::string(v.get_string()));
        } catch (const std::exception&) {
        }
      }
      parser_error(f, v);
    }
    case FieldType::kDate:
      if (v.is_string() && valid_date(v.get_string())) return v;
      if (v.is_string() && v.get_string().empty()) return nullptr;
      parser_error(f, v);
    case FieldType::kDateTime: {
      if (v.is_string()) {
        if (v.get_string().empty()) return nullptr;
        if (auto ms = sdk::time::parse_iso8601_ms(v.get_string()); ms && v.get_string().size() > 10)
          return boost::json::string(sf_datetime(*ms));
      }
      parser_error(f, v);
    }
    default: {
      // Text types: numbers and booleans are accepted and stored as text; "" is stored as null.
      std::string text = v.is_string() ? std::string(v.get_string()) : boost::json::serialize(v);
      if (text.empty()) return nullptr;
      return boost::json::value(text);
    }
  }
}

} // namespace

const ObjectDef& SalesforceEmulator::object_or_404(std::string_view name) const {
  const ObjectDef* object = schema_.object(name);
  if (!object) throw SfError(404, "NOT_FOUND", kNotFoundMessage);
  return *object;
}

std::string SalesforceEmulator::record_id_or_error(const ObjectDef& object, std::string_view raw) const {
  auto id = normalize_id(raw);
  if (!id) throw SfError(400, "MALFORMED_ID", "Malformed Id: " + std::string(raw));
  // A well-formed id of another object type is simply not a record of this one.
  if (id->substr(0, 3) != object.key_prefix) throw SfError(404, "NOT_FOUND", kNotFoundMessage);
  return *id;
}

Response SalesforceEmulator::versions(const Request&, const PathParams&) {
  // Unauthenticated and not counted against the limit (hence no Sforce-Limit-Info either).
  boost::json::array list;
  for (int v = kOldestVersion; v <= kNewestVersion; ++v) {
    const std::string version = std::to_string(v) + ".0";
    list.push_back({{"label", version_label(v)}, {"url", "/services/data/v" + version}, {"version", version}});
  }
  return Response::json(200, list);
}

Response SalesforceEmulator::resources(ApiCall& call) {
  const std::string base = "/services/data/v" + call.version;
  return Response::json(200, boost::json::object{{"sobjects", base + "/sobjects"},
                                                 {"query", base + "/query"},
                                                 {"queryAll", base + "/queryAll"},
                                                 {"search", base + "/search"},
                                                 {"parameterizedSearch", base + "/parameterizedSearch"},
                                                 {"composite", base + "/composite"},
                                                 {"limits", base + "/limits"}});
}

Response SalesforceEmulator::limits(ApiCall&) {
  const std::int64_t max = ctx_.knobs.snapshot().daily_api_limit;
  const std::int64_t remaining = std::max<std::int64_t>(0, max - ctx_.usage.used());
  return Response::json(200, boost::json::object{{"DailyApiRequests", {{"Max", max}, {"Remaining", remaining}}},
                                                 {"DailyBulkApiBatches", {{"Max", 15000}, {"Remaining", 15000}}},
                                                 {"DataStorageMB", {{"Max", 1024}, {"Remaining", 1020}}}});
}

Response SalesforceEmulator::describe_global(ApiCall& call) {
  boost::json::array list;
  for (const auto& o : schema_.objects()) {
    const std::string base = "/services/data/v" + call.version + "/sobjects/" + o.name;
    list.push_back({{"name", o.name},
                    {"label", o.label},
                    {"labelPlural", o.label_plural},
                    {"keyPrefix", o.key_prefix},
                    {"custom", false},
                    {"queryable", true},
                    {"searchable", true},
                    {"urls", {{"sobject", base}, {"describe", base + "/describe"}, {"rowTemplate", base + "/{ID}"}}}});
  }
  return Response::json(200, boost::json::object{{"encoding", "UTF-8"}, {"maxBatchSize", 200}, {"sobjects", list}});
}

Response SalesforceEmulator::sobject_info(ApiCall& call) {
  const ObjectDef& object = object_or_404(call.params["object"]);
  return Response::json(200, boost::json::object{{"objectDescribe",
                                                  {{"name", object.name},
                                                   {"label", object.label},
                                                   {"keyPrefix", object.key_prefix},
                                                   {"createable", true},
                                                   {"queryable", true}}},
                                                 {"recentItems", boost::json::array{}}});
}

Response SalesforceEmulator::describe(ApiCall& call) {
  return Response::json(200, object_or_404(call.params["object"]).describe());
}

// Checks the names in a create/update body and converts the values; the errors come in the order
// Salesforce's deserializer and field-permission checks raise them.
boost::json::object SalesforceEmulator::prepare_fields(const ObjectDef& object, const boost::json::object& body,
                                                       bool creating) const {
  boost::json::object fields;
  std::vector<std::string> read_only;
  for (const auto& kv : body) {
    const std::string_view key = kv.key();
    if (key == "attributes") continue; // clients may echo a record back; Salesforce ignores it
    const FieldDef* f = object.field(key);
    if (!f)
      throw SfError(400, "INVALID_FIELD",
                    "No such column '" + std::string(key) + "' on sobject of type " + object.name);
    if (f->name == "Id")
      throw SfError(400, "INVALID_FIELD", "The Id field should not be specified in the sobject data.");
    if (creating ? !f->createable : !f->updateable) {
      read_only.push_back(f->name);
      continue;
    }
    fields[f->name] = coerce(*f, kv.value());
  }
  if (!read_only.empty())
    throw SfError(400, "INVALID_FIELD_FOR_INSERT_UPDATE",
                  "Unable to create/update fields: " + join(read_only, ", ") +
                      ". Please check the security settings of this field and verify that it is read/write for your "
                      "profile or permission set.",
                  read_only);
  return fields;
}

void SalesforceEmulator::validate_fields(const ObjectDef& object, const boost::json::object& fields,
                                         bool creating) const {
  std::vector<std::string> missing;
  for (const auto& f : object.fields) {
    if (!f.required) continue;
    const auto* v = fields.if_contains(f.name);
    if ((creating && (!v || v->is_null())) || (!creating && v && v->is_null())) missing.push_back(f.name);
  }
  if (!missing.empty())
    throw SfError(400, "REQUIRED_FIELD_MISSING", "Required fields are missing: [" + join(missing, ", ") + "]", missing);

  for (const auto& kv : fields) {
    const FieldDef* f = object.field(kv.key());
    if (!f || !kv.value().is_string()) continue;
    const std::string_view v = kv.value().get_string();
    if (f->type == FieldType::kPicklist && f->restricted &&
        std::find(f->picklist.begin(), f->picklist.end(), v) == f->picklist.end())
      throw SfError(400, "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
                    f->label + ": bad value for restricted picklist field: " + std::string(v), {f->name});
    if (f->length > 0 && is_text(f->type) && static_cast<int>(v.size()) > f->length)
      throw SfError(400, "STRING_TOO_LONG",
                    f->label + ": data value too large: " + std::string(v.substr(0, 40)) +
                        " (max length=" + std::to_string(f->length) + ")",
                    {f->name});
    if (f->type == FieldType::kEmail && !valid_email(v))
      throw SfError(400, "INVALID_EMAIL_ADDRESS", f->label + ": invalid email address: " + std::string(v), {f->name});
    if (f->type == FieldType::kReference) {
      auto id = normalize_id(v);
      const ObjectDef* target = id ? schema_.object_for_id(*id) : nullptr;
      const bool known_prefix =
          id && std::any_of(f->reference_to.begin(), f->reference_to.end(), [&](const std::string& t) {
            const ObjectDef* o = schema_.object(t);
            return o ? o->key_prefix == id->substr(0, 3) : !target;
          });
      if (!known_prefix)
        throw SfError(400, "FIELD_INTEGRITY_EXCEPTION", f->label + ": id value of incorrect type: " + std::string(v),
                      {f->name});
      if (target && !ctx_.store.contains(target->name, *id))
        throw SfError(400, "INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", {f->name});
    }
  }
}

void SalesforceEmulator::apply_derived_fields(const ObjectDef& object, boost::json::object& f) const {
  if (object.field("FirstName") && object.field("LastName") && object.field("Name")) {
    std::string name = json_string(f, "FirstName");
    const std::string last = json_string(f, "LastName");
    if (!last.empty()) name += (name.empty() ? "" : " ") + last;
    f["Name"] = name.empty() ? boost::json::value(nullptr) : boost::json::value(name);
  }
  // Normalize reference ids to the 18-character form the API always returns.
  for (auto& kv : f) {
    const FieldDef* def = object.field(kv.key());
    if (def && def->type == FieldType::kReference && kv.value().is_string())
      if (auto id = normalize_id(kv.value().get_string())) kv.value() = *id;
  }
  if (object.name == "Task") {
    const bool closed = json_string(f, "Status") == "Completed";
    f["IsClosed"] = closed;
    f["IsHighPriority"] = json_string(f, "Priority") == "High";
    const auto* done = f.if_contains("CompletedDateTime");
    if (closed && (!done || done->is_null()))
      f["CompletedDateTime"] = sf_datetime(now_ms());
    else if (!closed)
      f["CompletedDateTime"] = nullptr;
    // AccountId follows WhatId when it is an account, else the contact's account.
    const std::string what = json_string(f, "WhatId");
    const std::string who = json_string(f, "WhoId");
    boost::json::value account = nullptr;
    if (what.rfind("001", 0) == 0) {
      account = what;
    } else if (who.rfind("003", 0) == 0) {
      if (auto c = ctx_.store.get("Contact", who))
        if (const auto* a = c->fields.if_contains("AccountId")) account = *a;
    }
    f["AccountId"] = account;
  }
}

std::string SalesforceEmulator::insert_record(const ObjectDef& object, boost::json::object fields,
                                              const std::string& user_id, bool preexisting) {
  const std::int64_t now = now_ms();
  const std::string id = next_id(object);
  const std::string stamp = sf_datetime(now);
  auto set_default = [&](const std::string& name, const boost::json::value& v) {
    if (!object.field(name)) return;
    const auto* cur = fields.if_contains(name);
    if (!cur || cur->is_null()) fields[name] = v;
  };
  fields["Id"] = id;
  set_default("IsDeleted", false);
  set_default("CreatedDate", boost::json::string(stamp));
  set_default("LastModifiedDate", boost::json::string(stamp));
  set_default("SystemModstamp", boost::json::string(stamp));
  if (!user_id.empty()) {
    set_default("CreatedById", boost::json::string(user_id));
    set_default("LastModifiedById", boost::json::string(user_id));
    set_default("OwnerId", boost::json::string(user_id));
  }
  for (const auto& f : object.fields) {
    if (!f.default_value.empty()) set_default(f.name, boost::json::string(f.default_value));
    if (f.type == FieldType::kBoolean) set_default(f.name, object.name == "User" && f.name == "IsActive");
  }
  apply_derived_fields(object, fields);
  Record record;
  record.id = id;
  record.fields = std::move(fields);
  record.created_ms = now;
  record.preexisting = preexisting;
  ctx_.store.insert(object.name, std::move(record));
  if (undo_journal_) undo_journal_->push_back({UndoEntry::Kind::kCreated, object.name, Record{id, {}, 0, 0, false}});
  return id;
}

namespace {
boost::json::object parse_body(const std::string& body) {
  std::string error;
  auto v = try_parse_json(body, &error);
  if (!v)
    throw SfError(400, "JSON_PARSER_ERROR",
                  body.empty() ? "The request body is empty." : "Unexpected character in JSON input: " + error);
  if (!v->is_object())
    throw SfError(400, "JSON_PARSER_ERROR",
                  "Cannot deserialize instance of sobject from " +
                      std::string(v->is_array() ? "START_ARRAY" : "VALUE") +
                      " value or request may be missing a required field at [line:1, column:1]");
  return std::move(v->as_object());
}
} // namespace

Response SalesforceEmulator::create(ApiCall& call) {
  const ObjectDef& object = object_or_404(call.params["object"]);
  auto fields = prepare_fields(object, parse_body(call.request.body), true);
  validate_fields(object, fields, true);
  const std::string id = insert_record(object, std::move(fields), call.token.user_id, false);
  // Field order as in the documented example: id, errors, success.
  auto r = Response::json(201, boost::json::object{{"id", id}, {"errors", boost::json::array{}}, {"success", true}});
  r.set_header("Location", "/services/data/v" + call.version + "/sobjects/" + object.name + "/" + id);
  return r;
}

Response SalesforceEmulator::read(ApiCall& call) {
  const ObjectDef& object = object_or_404(call.params["object"]);
  const std::string id = record_id_or_error(object, call.params["id"]);
  auto record = ctx_.store.get(object.name, id);
  if (!record) throw SfError(404, "NOT_FOUND", kNotFoundMessage);
  std::vector<PathInfo> fields;
  if (const auto* list = call.request.query_param("fields"); list && !list->empty()) {
    fields.push_back(engine_.bind_path(object, "Id")); // Id always comes back
    std::size_t start = 0;
    while (start <= list->size()) {
      auto end = list->find(',', start);
      if (end == std::string::npos) end = list->size();
      std::string name = list->substr(start, end - start);
      name.erase(
          std::remove_if(name.begin(), name.end(), [](char c) { return std::isspace(static_cast<unsigned char>(c)); }),
          name.end());
      if (!name.empty()) {
        PathInfo p = engine_.bind_path(object, name);
        if (std::none_of(fields.begin(), fields.end(), [&](const PathInfo& q) { return q.canonical == p.canonical; }))
          fields.push_back(std::move(p));
      }
      start = end + 1;
    }
  }
  auto r = Response::json(200, engine_.project(object, *record, fields, call.version));
  return r;
}

Response SalesforceEmulator::update(ApiCall& call) {
  const ObjectDef& object = object_or_404(call.params["object"]);
  const std::string id = record_id_or_error(object, call.params["id"]);
  auto changes = prepare_fields(object, parse_body(call.request.body), false);
  validate_fields(object, changes, false);
  auto current = ctx_.store.get(object.name, id);
  if (!current) {
    std::lock_guard lock(tombstone_mutex_);
    if (tombstones_.count(id)) throw SfError(404, "ENTITY_IS_DELETED", "entity is deleted");
    throw SfError(404, "NOT_FOUND", kNotFoundMessage);
  }
  // Merge and derive outside the store lock (deriving may read other records), then write back.
  boost::json::object merged = current->fields;
  for (auto& kv : changes) merged[kv.key()] = std::move(kv.value());
  const std::string stamp = sf_datetime(now_ms());
  merged["LastModifiedDate"] = stamp;
  merged["SystemModstamp"] = stamp;
  merged["LastModifiedById"] = call.token.user_id;
  apply_derived_fields(object, merged);
  const bool updated = ctx_.store.update(object.name, id, [&](Record& r) { r.fields = std::move(merged); });
  if (!updated) throw SfError(404, "ENTITY_IS_DELETED", "entity is deleted");
  if (undo_journal_) undo_journal_->push_back({UndoEntry::Kind::kUpdated, object.name, *current});
  return Response::no_content();
}

Response SalesforceEmulator::remove(ApiCall& call) {
  const ObjectDef& object = object_or_404(call.params["object"]);
  const std::string id = record_id_or_error(object, call.params["id"]);
  auto removed = ctx_.store.remove(object.name, id);
  std::lock_guard lock(tombstone_mutex_);
  if (!removed) {
    // Deleted records sit in the recycle bin: deleting twice says so instead of NOT_FOUND.
    if (tombstones_.count(id)) throw SfError(404, "ENTITY_IS_DELETED", "entity is deleted");
    throw SfError(404, "NOT_FOUND", kNotFoundMessage);
  }
  tombstones_[id] = object.name;
  if (undo_journal_) undo_journal_->push_back({UndoEntry::Kind::kDeleted, object.name, std::move(*removed)});
  return Response::no_content();
}

} // namespace appconnect::crm_sandbox::salesforce
