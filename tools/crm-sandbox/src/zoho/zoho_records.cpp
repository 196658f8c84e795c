// Records: insert, update (one or many), read, list, delete, notes under a record, and how a stored record
// is rendered.
//   Insert: POST /crm/v2/{module} {"data":[...]} -> 201, each item {"code":"SUCCESS","details":{"id",
//     "Created_Time","Modified_Time","Created_By","Modified_By"},"message":"record added","status":"success"};
//     record-level errors inside "data", 400 when every item failed, 202 (v2) / 207 (later) when some did:
//     https://www.zoho.com/crm/developer/docs/api/v2/insert-records.html
//     https://github.com/zoho/crm-oas/blob/main/v8.0/record/operations/createRecords/examples/response-201-success.md
//   Update: PUT /crm/v2/{module}/{id} or PUT /crm/v2/{module} with "id" in each item -> 200 "record updated":
//     https://www.zoho.com/crm/developer/docs/api/v2/update-records.html
//   Calls rules (Call_Type/Call_Start_Time mandatory, Call_Duration "mm:ss" for completed calls, Call_Type and
//     a completed call's Owner not updatable, Who_Id = Contacts only, leads through What_Id + $se_module):
//     https://help.zoho.com/portal/en/community/topic/kaizen-38-calls-api
//   Notes (Note_Content, Parent_Id + se_module in v2..v5; Parent_Id {"module":{"api_name"},"id"} in v6+):
//     https://www.zoho.com/crm/developer/docs/api/v2/create-notes.html
//     https://www.zoho.com/crm/developer/docs/api/v6/create-notes.html
#include "zoho/zoho_emulator.hpp"

#include "framework/json_util.hpp"

#include <appconnect/time.hpp>

#include <algorithm>

namespace appconnect::crm_sandbox::zoho {

namespace {

constexpr std::size_t kMaxRecordsPerCall = 100;

boost::json::object parse_body(const std::string& body) {
  if (body.empty()) throw ZohoError(400, "REQUIRED_PARAM_MISSING", kParamMissingMessage, {{"param_name", "data"}});
  std::string error;
  auto v = try_parse_json(body, &error);
  if (!v || !v->is_object()) throw ZohoError(400, "INVALID_DATA", "the request body is not a valid JSON object");
  return std::move(v->as_object());
}

const boost::json::array& data_array(const boost::json::object& body) {
  const auto* data = body.if_contains("data");
  if (!data || !data->is_array() || data->as_array().empty())
    throw ZohoError(400, "REQUIRED_PARAM_MISSING", kParamMissingMessage, {{"param_name", "data"}});
  if (data->as_array().size() > kMaxRecordsPerCall)
    throw ZohoError(400, "LIMIT_EXCEEDED", "the number of records exceeds the limit",
                    {{"limit", static_cast<std::int64_t>(kMaxRecordsPerCall)}});
  return data->as_array();
}

// A record id from "123", 123 or {"id":"123"}; empty when there is none.
std::string id_of(const boost::json::value& v) {
  if (v.is_string()) return std::string(v.get_string());
  if (v.is_int64()) return std::to_string(v.get_int64());
  if (v.is_uint64()) return std::to_string(v.get_uint64());
  if (v.is_object())
    if (const auto* id = v.as_object().if_contains("id")) return id_of(*id);
  return {};
}

bool valid_email(std::string_view v) {
  const auto at = v.find('@');
  return at != std::string_view::npos && at > 0 && v.find('.', at) != std::string_view::npos && v.back() != '.' &&
         v.find(' ') == std::string_view::npos;
}

// "mm:ss": minutes of any length, seconds 00..59 (Zoho and Bigin response docs: "10:00" = 600 s).
std::optional<std::int64_t> duration_seconds(std::string_view v) {
  const auto colon = v.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon > 5 || v.size() != colon + 3) return std::nullopt;
  std::int64_t minutes = 0;
  for (char c : v.substr(0, colon)) {
    if (c < '0' || c > '9') return std::nullopt;
    minutes = minutes * 10 + (c - '0');
  }
  const char s1 = v[colon + 1], s2 = v[colon + 2];
  if (s1 < '0' || s1 > '5' || s2 < '0' || s2 > '9') return std::nullopt;
  return minutes * 60 + (s1 - '0') * 10 + (s2 - '0');
}

bool is_empty(const boost::json::value* v) {
  return v == nullptr || v->is_null() || (v->is_string() && v->get_string().empty());
}

} // namespace

std::pair<std::size_t, std::size_t> ZohoEmulator::paging(const Request& request) {
  auto number = [&](const char* name, std::int64_t fallback, std::int64_t max) -> std::size_t {
    const auto* v = request.query_param(name);
    if (!v) return static_cast<std::size_t>(fallback);
    std::int64_t n = -1;
    try {
      std::size_t used = 0;
      n = std::stoll(*v, &used);
      if (used != v->size()) n = -1;
    } catch (const std::exception&) {
      n = -1;
    }
    if (n < 1 || n > max) throw ZohoError(400, "INVALID_DATA", kInvalidDataMessage, {{"param_name", name}});
    return static_cast<std::size_t>(n);
  };
  return {number("page", 1, 1'000'000), number("per_page", 200, 200)};
}

std::vector<std::string> ZohoEmulator::fields_param(const Request& request) {
  std::vector<std::string> out;
  const auto* list = request.query_param("fields");
  if (!list) return out;
  std::string current;
  for (char c : *list + ",") {
    if (c == ',') {
      if (!current.empty()) out.push_back(std::move(current));
      current.clear();
    } else if (c != ' ') {
      current.push_back(c);
    }
  }
  return out;
}

boost::json::object ZohoEmulator::page_info(std::size_t per_page, std::size_t count, std::size_t page, bool more) {
  return {{"per_page", per_page}, {"count", count}, {"page", page}, {"more_records", more}};
}

boost::json::value ZohoEmulator::lookup_ref(const std::string& module, const std::string& id) const {
  const ModuleDef* m = schema_.module(module);
  auto record = m ? ctx_.store.get(m->api_name, id) : std::nullopt;
  boost::json::value name = nullptr;
  if (record)
    if (const auto* n = record->fields.if_contains(m->name_field)) name = *n;
  return boost::json::object{{"name", name}, {"id", id}};
}

const ModuleDef& ZohoEmulator::module_or_error(std::string_view name) const {
  const ModuleDef* m = schema_.module(name);
  if (!m) throw ZohoError(400, "INVALID_MODULE", kInvalidModuleMessage, {{"resource_path_index", 0}});
  return *m;
}

boost::json::object ZohoEmulator::prepare(const ModuleDef& module, const boost::json::object& item, bool creating,
                                          const boost::json::object* current, std::size_t index, int version) const {
  // Record-level error with the keys Zoho puts in "details"; v4+ also point at the JSON path.
  auto fail = [&](const char* code, const std::string& message, const std::string& api_name,
                  boost::json::object extra = {}) -> ZohoError {
    boost::json::object details;
    details["api_name"] = api_name;
    if (version >= 4) details["json_path"] = "$.data[" + std::to_string(index) + "]." + api_name;
    for (auto& kv : extra) details[kv.key()] = std::move(kv.value());
    return ZohoError(400, code, message, std::move(details));
  };

  std::string se_module;
  for (const char* key : {"$se_module", "se_module"})
    if (const auto* v = item.if_contains(key); v && v->is_string()) se_module = std::string(v->get_string());

  boost::json::object out;
  for (const auto& kv : item) {
    const std::string key(kv.key());
    // Unknown and system fields are ignored, as Zoho does; "$..." keys are handled below.
    const FieldDef* f = module.field(key);
    if (key == "id" || !f || f->read_only) continue;
    const boost::json::value& v = kv.value();
    if (is_empty(&v)) {
      out[key] = nullptr;
      continue;
    }
    switch (f->type) {
      case FieldType::kText:
      case FieldType::kTextArea:
      case FieldType::kPhone:
      case FieldType::kEmail:
      case FieldType::kUrl:
      case FieldType::kPicklist: {
        std::string text;
        if (v.is_string())
          text = std::string(v.get_string());
        else if (v.is_int64() || v.is_uint64() || v.is_double())
          text = boost::json::serialize(v);
        else
          throw fail("INVALID_DATA", kInvalidDataMessage, key, {{"expected_data_type", type_name(f->type)}});
        if (f->length > 0 && static_cast<int>(text.size()) > f->length)
          throw fail("INVALID_DATA", kInvalidDataMessage, key, {{"maximum_length", f->length}});
        if (f->type == FieldType::kEmail && !valid_email(text))
          throw fail("INVALID_DATA", kInvalidDataMessage, key, {{"expected_data_type", "email"}});
        if (f->type == FieldType::kPicklist && f->restricted &&
            std::find(f->picklist.begin(), f->picklist.end(), text) == f->picklist.end())
          throw fail("INVALID_DATA", kInvalidDataMessage, key, {{"expected_data_type", "picklist"}});
        if (key == "Call_Duration" && module.api_name == "Calls" && !duration_seconds(text))
          throw fail("INVALID_DATA", kInvalidDataMessage, key);
        out[key] = text;
        break;
      }
      case FieldType::kDateTime: {
        const auto ms = v.is_string() ? parse_zoho_time(v.get_string()) : std::nullopt;
        if (!ms) throw fail("INVALID_DATA", kInvalidDataMessage, key, {{"expected_data_type", "datetime"}});
        out[key] = format_time(*ms);
        break;
      }
      case FieldType::kInteger:
        if (!v.is_int64() && !v.is_uint64())
          throw fail("INVALID_DATA", kInvalidDataMessage, key, {{"expected_data_type", "integer"}});
        out[key] = v;
        break;
      case FieldType::kBoolean:
        if (!v.is_bool()) throw fail("INVALID_DATA", kInvalidDataMessage, key, {{"expected_data_type", "boolean"}});
        out[key] = v;
        break;
      case FieldType::kOwner: {
        const std::string id = id_of(v);
        if (id.empty() || !user_active(id)) throw fail("INVALID_DATA", kInvalidDataMessage, key, {{"id", id}});
        out[key] = id;
        break;
      }
      case FieldType::kLookup: {
        const std::string id = id_of(v);
        const ModuleDef* target = schema_.module(f->lookup_modules.front());
        if (id.empty() || !target || !ctx_.store.contains(target->api_name, id))
          throw fail("INVALID_DATA", kInvalidRelatedIdMessage, key, {{"id", id}});
        out[key] = id;
        break;
      }
      case FieldType::kMultiLookup: {
        std::string id = id_of(v);
        std::string target_name = se_module;
        // v6+ Notes: {"module":{"api_name":"Leads"},"id":"..."}.
        if (v.is_object())
          if (const auto* m = v.as_object().if_contains("module"); m && m->is_object())
            target_name = json_string(m->as_object(), "api_name", target_name);
        if (target_name.empty()) throw fail("MANDATORY_NOT_FOUND", kMandatoryMessage, "$se_module");
        const ModuleDef* target = schema_.module(target_name);
        if (!target ||
            std::find(f->lookup_modules.begin(), f->lookup_modules.end(), target->api_name) == f->lookup_modules.end())
          throw fail("INVALID_DATA", kInvalidDataMessage, "$se_module");
        if (id.empty() || !ctx_.store.contains(target->api_name, id))
          throw fail("INVALID_DATA", kInvalidRelatedIdMessage, key, {{"id", id}});
        out[key] = id;
        out["$se_module"] = target->api_name;
        break;
      }
      case FieldType::kId:
      case FieldType::kUser:
        break;
    }
  }

  // Mandatory fields: missing on create, or cleared on update.
  for (const auto& f : module.fields) {
    if (!f.mandatory) continue;
    const auto* v = out.if_contains(f.api_name);
    if ((creating && is_empty(v)) || (!creating && v && v->is_null()))
      throw fail("MANDATORY_NOT_FOUND", kMandatoryMessage, f.api_name);
  }

  if (module.api_name == "Calls") {
    if (!creating && current) {
      if (const auto* t = out.if_contains("Call_Type");
          t && t->is_string() && t->get_string() != json_string(*current, "Call_Type"))
        throw fail("INVALID_DATA", kInvalidDataMessage, "Call_Type");
    }
    // The call as it will be: a completed call (inbound, or outbound that already started) needs a duration,
    // and its owner can no longer change.
    auto merged_value = [&](const char* key) {
      if (const auto* v = out.if_contains(key)) return v->is_string() ? std::string(v->get_string()) : std::string();
      return current ? json_string(*current, key) : std::string();
    };
    const std::string type = merged_value("Call_Type");
    const auto start = parse_zoho_time(merged_value("Call_Start_Time"));
    const bool completed = type == "Inbound" || (type == "Outbound" && start && *start <= now_ms());
    if (completed && merged_value("Call_Duration").empty())
      throw fail("INVALID_DATA", kInvalidDataMessage, "Call_Duration");
    if (!creating && current && completed) {
      if (const auto* o = out.if_contains("Owner");
          o && o->is_string() && o->get_string() != json_string(*current, "Owner"))
        throw fail("INVALID_DATA", kInvalidDataMessage, "Owner");
    }
  }
  return out;
}

void ZohoEmulator::derive(const ModuleDef& module, boost::json::object& f) const {
  if (module.field("Full_Name")) {
    std::string name = json_string(f, "First_Name");
    const std::string last = json_string(f, "Last_Name");
    if (!last.empty()) name += (name.empty() ? "" : " ") + last;
    f["Full_Name"] = name;
  }
  if (module.api_name == "Leads" && !f.contains("$converted")) f["$converted"] = false;
  if (module.api_name == "Calls") {
    const auto seconds = duration_seconds(json_string(f, "Call_Duration"));
    f["Call_Duration_in_seconds"] = seconds ? boost::json::value(*seconds) : boost::json::value(nullptr);
    if (json_string(f, "Call_Type") == "Outbound" && json_string(f, "Outgoing_Call_Status").empty()) {
      const auto start = parse_zoho_time(json_string(f, "Call_Start_Time"));
      f["Outgoing_Call_Status"] = start && *start > now_ms() ? "Scheduled" : "Completed";
    }
  }
}

std::string ZohoEmulator::insert_record(const ModuleDef& module, boost::json::object fields, const std::string& user_id,
                                        bool preexisting) {
  const std::int64_t now = now_ms();
  const std::string id = next_id();
  const std::string stamp = format_time(now);
  auto set_default = [&](const char* name, const boost::json::value& v) {
    const auto* cur = fields.if_contains(name);
    if (!cur || cur->is_null()) fields[name] = v;
  };
  fields["id"] = id;
  set_default("Created_Time", boost::json::string(stamp));
  set_default("Modified_Time", boost::json::string(stamp));
  if (!user_id.empty()) {
    set_default("Owner", boost::json::string(user_id));
    set_default("Created_By", boost::json::string(user_id));
    set_default("Modified_By", boost::json::string(user_id));
  }
  derive(module, fields);
  Record record;
  record.id = id;
  record.fields = std::move(fields);
  record.created_ms = now;
  record.preexisting = preexisting;
  ctx_.store.insert(module.api_name, std::move(record));
  return id;
}

std::string ZohoEmulator::insert_seed(const ModuleDef& module, boost::json::object fields) {
  boost::json::object clean;
  for (auto& kv : fields) {
    const std::string key(kv.key());
    boost::json::value v = kv.value();
    if (key == "$se_module" || key == "se_module") {
      clean["$se_module"] = v;
      continue;
    }
    const FieldDef* f = module.field(key);
    if (!f) throw std::invalid_argument("no field '" + key + "' on " + module.api_name);
    if (key == "id") throw std::invalid_argument("ids are assigned by the sandbox");
    if (f->type == FieldType::kDateTime && v.is_string()) {
      // Seeds may spell datetimes any ISO way; store them the way Zoho returns them.
      auto ms = sdk::time::parse_iso8601_ms(v.get_string());
      if (!ms) throw std::invalid_argument(key + " is not an ISO 8601 datetime");
      v = format_time(*ms);
    } else if ((f->type == FieldType::kOwner || f->type == FieldType::kUser) && !is_empty(&v)) {
      const std::string id = resolve_user(id_of(v));
      if (id.empty()) throw std::invalid_argument(key + " names an unknown user");
      v = id;
    } else if (f->type == FieldType::kLookup || f->type == FieldType::kMultiLookup) {
      v = id_of(v);
    }
    if (v.is_string() && v.get_string().empty()) v = nullptr;
    clean[key] = std::move(v);
  }
  std::string owner;
  {
    std::shared_lock lock(config_mutex_);
    owner = default_user_id_;
  }
  return insert_record(module, std::move(clean), owner, true);
}

boost::json::object ZohoEmulator::success_details(const boost::json::object& stored) const {
  auto who = [&](const char* key) -> boost::json::value {
    auto ref = user_ref(json_string(stored, key));
    if (ref.is_object()) ref.as_object().erase("email"); // the write answer names users by name and id only
    return ref;
  };
  return {{"Modified_Time", json_string(stored, "Modified_Time")},
          {"Modified_By", who("Modified_By")},
          {"Created_Time", json_string(stored, "Created_Time")},
          {"id", json_string(stored, "id")},
          {"Created_By", who("Created_By")}};
}

ZohoEmulator::ItemResult ZohoEmulator::create_item(const ModuleDef& module, const boost::json::value& item,
                                                   std::size_t index, const AccessToken& token, const ApiCall& call) {
  try {
    if (!item.is_object())
      throw ZohoError(400, "INVALID_DATA", kInvalidDataMessage, {{"expected_data_type", "jsonobject"}});
    auto fields = prepare(module, item.as_object(), true, nullptr, index, call.version);
    const std::string id = insert_record(module, std::move(fields), token.user_id, false);
    auto stored = ctx_.store.get(module.api_name, id);
    return {true,
            {{"code", "SUCCESS"},
             {"details", success_details(stored->fields)},
             {"message", "record added"},
             {"status", "success"}}};
  } catch (const ZohoError& e) {
    return {false, error_body(e.code(), e.what(), e.details())};
  }
}

ZohoEmulator::ItemResult ZohoEmulator::update_item(const ModuleDef& module, const std::string& id,
                                                   const boost::json::value& item, std::size_t index,
                                                   const AccessToken& token, const ApiCall& call) {
  try {
    if (!item.is_object())
      throw ZohoError(400, "INVALID_DATA", kInvalidDataMessage, {{"expected_data_type", "jsonobject"}});
    auto current = ctx_.store.get(module.api_name, id);
    if (!current) throw ZohoError(400, "INVALID_DATA", kInvalidIdMessage, {{"id", id}});
    auto changes = prepare(module, item.as_object(), false, &current->fields, index, call.version);
    boost::json::object merged = current->fields;
    for (auto& kv : changes) merged[kv.key()] = std::move(kv.value());
    merged["Modified_Time"] = format_time(now_ms());
    merged["Modified_By"] = token.user_id;
    derive(module, merged);
    boost::json::object snapshot = merged;
    if (!ctx_.store.update(module.api_name, id, [&](Record& r) { r.fields = std::move(merged); }))
      throw ZohoError(400, "INVALID_DATA", kInvalidIdMessage, {{"id", id}});
    return {true,
            {{"code", "SUCCESS"},
             {"details", success_details(snapshot)},
             {"message", "record updated"},
             {"status", "success"}}};
  } catch (const ZohoError& e) {
    return {false, error_body(e.code(), e.what(), e.details())};
  }
}

Response ZohoEmulator::write_response(const ApiCall& call, std::vector<ItemResult> results, int success_status) const {
  std::size_t ok = 0;
  boost::json::array data;
  for (auto& r : results) {
    ok += r.ok ? 1 : 0;
    data.push_back(std::move(r.body));
  }
  int status = success_status;
  if (ok == 0)
    status = 400;
  else if (ok < results.size())
    status = call.version >= 3 ? 207 : 202; // partial success: 202 Accepted in v2, 207 Multi-Status later
  return Response::json(status, boost::json::object{{"data", std::move(data)}});
}

Response ZohoEmulator::create(ApiCall& call) {
  const ModuleDef& module = module_or_error(call.params["module"]);
  const auto body = parse_body(call.request.body);
  const auto& data = data_array(body);
  std::vector<ItemResult> results;
  for (std::size_t i = 0; i < data.size(); ++i) results.push_back(create_item(module, data[i], i, call.token, call));
  return write_response(call, std::move(results), 201);
}

Response ZohoEmulator::create_related_note(ApiCall& call) {
  const ModuleDef& parent = module_or_error(call.params["module"]);
  const std::string parent_id = call.params["id"];
  if (!ctx_.store.contains(parent.api_name, parent_id))
    throw ZohoError(400, "INVALID_DATA", kInvalidIdMessage, {{"id", parent_id}});
  const ModuleDef& notes = module_or_error("Notes");
  const auto body = parse_body(call.request.body);
  const auto& data = data_array(body);
  std::vector<ItemResult> results;
  for (std::size_t i = 0; i < data.size(); ++i) {
    boost::json::value item = data[i];
    if (item.is_object()) {
      item.as_object()["Parent_Id"] = parent_id;
      item.as_object()["se_module"] = parent.api_name;
    }
    results.push_back(create_item(notes, item, i, call.token, call));
  }
  return write_response(call, std::move(results), 201);
}

Response ZohoEmulator::update_one(ApiCall& call) {
  const ModuleDef& module = module_or_error(call.params["module"]);
  const auto body = parse_body(call.request.body);
  const auto& data = data_array(body);
  std::vector<ItemResult> results;
  results.push_back(update_item(module, call.params["id"], data[0], 0, call.token, call));
  return write_response(call, std::move(results), 200);
}

Response ZohoEmulator::update_many(ApiCall& call) {
  const ModuleDef& module = module_or_error(call.params["module"]);
  const auto body = parse_body(call.request.body);
  const auto& data = data_array(body);
  std::vector<ItemResult> results;
  for (std::size_t i = 0; i < data.size(); ++i) {
    std::string id;
    if (data[i].is_object())
      if (const auto* v = data[i].as_object().if_contains("id")) id = id_of(*v);
    if (id.empty()) {
      results.push_back({false, error_body("MANDATORY_NOT_FOUND", kMandatoryMessage, {{"api_name", "id"}})});
      continue;
    }
    results.push_back(update_item(module, id, data[i], i, call.token, call));
  }
  return write_response(call, std::move(results), 200);
}

Response ZohoEmulator::read(ApiCall& call) {
  const ModuleDef& module = module_or_error(call.params["module"]);
  auto record = ctx_.store.get(module.api_name, call.params["id"]);
  // No such record: an empty 204, like an empty list or search [assumption: not documented for v2].
  if (!record) return Response::no_content();
  return Response::json(
      200, boost::json::object{{"data", boost::json::array{render(module, *record, fields_param(call.request))}}});
}

Response ZohoEmulator::list(ApiCall& call) {
  const ModuleDef& module = module_or_error(call.params["module"]);
  const auto [page, per_page] = paging(call.request);
  const auto fields = fields_param(call.request);
  const auto records = ctx_.store.list(module.api_name);
  const std::size_t start = (page - 1) * per_page;
  if (start >= records.size()) return Response::no_content();
  const std::size_t end = std::min(records.size(), start + per_page);
  boost::json::array data;
  for (std::size_t i = start; i < end; ++i) data.push_back(render(module, records[i], fields));
  return Response::json(200,
                        boost::json::object{{"data", std::move(data)},
                                            {"info", page_info(per_page, end - start, page, end < records.size())}});
}

Response ZohoEmulator::remove(ApiCall& call) {
  const ModuleDef& module = module_or_error(call.params["module"]);
  const std::string id = call.params["id"];
  if (!ctx_.store.remove(module.api_name, id))
    return Response::json(
        400,
        boost::json::object{{"data", boost::json::array{error_body("INVALID_DATA", kInvalidIdMessage, {{"id", id}})}}});
  return Response::json(
      200, boost::json::object{{"data", boost::json::array{boost::json::object{{"code", "SUCCESS"},
                                                                               {"details", {{"id", id}}},
                                                                               {"message", "record deleted"},
                                                                               {"status", "success"}}}}});
}

boost::json::object ZohoEmulator::render(const ModuleDef& module, const Record& record,
                                         const std::vector<std::string>& fields) const {
  auto wanted = [&](const std::string& name) {
    return fields.empty() || name == "id" || std::find(fields.begin(), fields.end(), name) != fields.end();
  };
  boost::json::object out;
  bool multi = false;
  for (const auto& f : module.fields) {
    if (f.type == FieldType::kMultiLookup) multi = true;
    if (!wanted(f.api_name)) continue;
    const auto* v = record.fields.if_contains(f.api_name);
    const bool empty = is_empty(v);
    switch (f.type) {
      case FieldType::kOwner:
      case FieldType::kUser:
        out[f.api_name] = empty ? boost::json::value(nullptr) : user_ref(std::string(v->get_string()));
        break;
      case FieldType::kLookup:
        out[f.api_name] =
            empty ? boost::json::value(nullptr) : lookup_ref(f.lookup_modules.front(), std::string(v->get_string()));
        break;
      case FieldType::kMultiLookup:
        out[f.api_name] = empty ? boost::json::value(nullptr)
                                : lookup_ref(json_string(record.fields, "$se_module"), std::string(v->get_string()));
        break;
      default:
        out[f.api_name] = v ? *v : boost::json::value(nullptr);
    }
  }
  if (multi && (fields.empty() || wanted("$se_module"))) {
    const auto* se = record.fields.if_contains("$se_module");
    out["$se_module"] = se ? *se : boost::json::value(nullptr);
  }
  if (fields.empty()) {
    out["$approved"] = true;
    out["$editable"] = true;
    out["$process_flow"] = false;
  }
  return out;
}

} // namespace appconnect::crm_sandbox::zoho
