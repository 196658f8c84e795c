#include "salesforce/salesforce_emulator.hpp"

#include "salesforce/ids.hpp"

#include "framework/json_util.hpp"

#include <appconnect/time.hpp>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace appconnect::crm_sandbox::salesforce {

thread_local std::vector<SalesforceEmulator::UndoEntry>* SalesforceEmulator::undo_journal_ = nullptr;
thread_local bool SalesforceEmulator::in_composite_ = false;

namespace {
bool starts_with_ci(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() && iequals(text.substr(0, prefix.size()), prefix);
}

std::string trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return std::string(s);
}

std::string upper(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}
} // namespace

SalesforceEmulator::SalesforceEmulator(SandboxContext& context)
    : ctx_(context), schema_(Schema::standard()), engine_(schema_, context.store) {
  add_routes();
}

void SalesforceEmulator::add_routes() {
  using S = SalesforceEmulator;
  auto& r = router_;
  const std::string data = "/services/data/{version}";
  r.add("GET", "/services/data", [this](const Request& q, const PathParams& p) { return versions(q, p); });
  r.add("GET", data, api(&S::resources));
  r.add("GET", data + "/limits", api(&S::limits));
  r.add("GET", data + "/sobjects", api(&S::describe_global));
  r.add("GET", data + "/sobjects/{object}", api(&S::sobject_info));
  r.add("POST", data + "/sobjects/{object}", api(&S::create));
  r.add("GET", data + "/sobjects/{object}/describe", api(&S::describe));
  r.add("GET", data + "/sobjects/{object}/{id}", api(&S::read));
  r.add("PATCH", data + "/sobjects/{object}/{id}", api(&S::update));
  r.add("DELETE", data + "/sobjects/{object}/{id}", api(&S::remove));
  r.add("GET", data + "/query", api(&S::query));
  r.add("GET", data + "/queryAll", api(&S::query));
  r.add("GET", data + "/query/{locator}", api(&S::query_more));
  r.add("GET", data + "/queryAll/{locator}", api(&S::query_more));
  r.add("GET", data + "/search", api(&S::search));
  r.add("GET", data + "/parameterizedSearch", api(&S::parameterized_search));
  r.add("POST", data + "/parameterizedSearch", api(&S::parameterized_search));
  r.add("POST", data + "/composite", api(&S::composite));
  r.add("GET", "/services/oauth2/authorize",
        [this](const Request& q, const PathParams& p) { return oauth_authorize(q, p); });
  r.add("POST", "/services/oauth2/token", [this](const Request& q, const PathParams& p) { return oauth_token(q, p); });
  r.add("POST", "/services/oauth2/revoke",
        [this](const Request& q, const PathParams& p) { return oauth_revoke(q, p); });
  r.add("GET", "/id/{org}/{user}", [this](const Request& q, const PathParams& p) { return identity(q, p); });
}

std::optional<std::string> SalesforceEmulator::parse_version(std::string_view segment) const {
  if (segment == "latest") return std::to_string(kNewestVersion) + ".0";
  // "v62.0": any listed version is served identically; the resources emulated here did not change.
  if (segment.size() < 4 || segment.front() != 'v') return std::nullopt;
  const auto dot = segment.find('.');
  if (dot == std::string_view::npos || segment.substr(dot) != ".0") return std::nullopt;
  int major = 0;
  for (char c : segment.substr(1, dot - 1)) {
    if (c < '0' || c > '9') return std::nullopt;
    major = major * 10 + (c - '0');
  }
  if (major < kOldestVersion || major > kNewestVersion) return std::nullopt;
  return std::to_string(major) + ".0";
}

std::string SalesforceEmulator::limit_header(std::int64_t used) const {
  // Header format: https://developer.salesforce.com/docs/atlas.en-us.264.0.api_rest.meta/api_rest/headers_api_usage.htm
  return "api-usage=" + std::to_string(used) + "/" + std::to_string(ctx_.knobs.snapshot().daily_api_limit);
}

Handler SalesforceEmulator::api(ApiMethod method, bool counted) {
  return [this, method, counted](const Request& request, const PathParams& params) -> Response {
    const auto version = parse_version(params["version"]);
    if (!version) return error_response(404, "NOT_FOUND", kNotFoundMessage);

    // "Authorization: Bearer <token>", or the older "OAuth <token>" that Salesforce still accepts.
    const std::string auth = request.header("authorization");
    std::string token;
    if (starts_with_ci(auth, "Bearer "))
      token = trim(std::string_view(auth).substr(7));
    else if (starts_with_ci(auth, "OAuth "))
      token = trim(std::string_view(auth).substr(6));
    const Knobs knobs = ctx_.knobs.snapshot();
    std::optional<AccessToken> access;
    if (!token.empty()) access = ctx_.tokens.find_access(token, now_ms(), knobs.token_lifetime_s);
    if (!access) {
      // Body per docs/crm-and-telephony-apis.md 1.3 (status: errorcodes page; body: observed).
      auto r = error_response(401, "INVALID_SESSION_ID", kSessionInvalidMessage);
      r.set_header("WWW-Authenticate", "Token");
      r.set_header("Sforce-Limit-Info", limit_header(ctx_.usage.used()));
      return r;
    }

    // Daily limit: Salesforce refuses with 403 REQUEST_LIMIT_EXCEEDED, never 429.
    std::int64_t used = ctx_.usage.used();
    if (counted && !in_composite_) {
      auto consumed = ctx_.usage.try_consume(knobs.daily_api_limit);
      if (!consumed) {
        auto r = error_response(403, "REQUEST_LIMIT_EXCEEDED", kLimitExceededMessage);
        r.set_header("Sforce-Limit-Info", limit_header(ctx_.usage.used()));
        return r;
      }
      used = *consumed;
    }

    ApiCall call{request, params, *version, *access};
    Response response;
    try {
      response = (this->*method)(call);
    } catch (const SfError& e) {
      response = error_response(e);
    }
    response.set_header("Sforce-Limit-Info", limit_header(used));
    return response;
  };
}

Response SalesforceEmulator::handle(const Request& in) {
  const Request* request = &in;
  Request overridden;
  // POST ...?_HttpMethod=PATCH is Salesforce's escape hatch for clients that cannot send PATCH.
  if (in.method == "POST") {
    if (const auto* m = in.query_param("_HttpMethod")) {
      overridden = in;
      overridden.method = upper(*m);
      request = &overridden;
    }
  }
  auto match = router_.match(request->method, request->path);
  if (match.handler) return (*match.handler)(*request, match.params);
  if (!match.allowed.empty()) {
    std::string allowed;
    for (const auto& m : match.allowed) allowed += (allowed.empty() ? "" : ",") + m;
    auto r = error_response(405, "METHOD_NOT_ALLOWED",
                            "HTTP Method '" + request->method + "' not allowed. Allowed are " + allowed);
    r.set_header("Allow", allowed);
    return r;
  }
  return error_response(404, "NOT_FOUND", kNotFoundMessage);
}

Response SalesforceEmulator::fault_response(const Request& request, const Fault& fault) {
  int status = fault.status;
  std::string code;
  std::string message;
  // Injected faults speak Salesforce: limits are 403 REQUEST_LIMIT_EXCEEDED, overload is 503
  // SERVER_UNAVAILABLE (docs/crm-and-telephony-apis.md 1.12). Scripted faults keep the status asked for.
  if (fault.kind == FaultKind::kRateLimited) status = 403;
  if (fault.kind == FaultKind::kOverloaded) status = 503;
  switch (status) {
    case 400:
      code = "UNABLE_TO_LOCK_ROW";
      message = "unable to obtain exclusive access to this record or 1 records";
      break;
    case 401:
      code = "INVALID_SESSION_ID";
      message = kSessionInvalidMessage;
      break;
    case 403:
      code = "REQUEST_LIMIT_EXCEEDED";
      message = kLimitExceededMessage;
      break;
    case 404:
      code = "NOT_FOUND";
      message = kNotFoundMessage;
      break;
    case 429:
      code = "REQUEST_LIMIT_EXCEEDED";
      message = "ConcurrentPerOrgLongTxn Limit exceeded.";
      break;
    case 500:
      code = "UNKNOWN_EXCEPTION";
      message = "An unexpected error occurred. Please include this ErrorId if you contact support: " +
                std::to_string(now_ms() % 1000000000) + "-" + std::to_string(now_ms() % 100000) + " (-1563934211)";
      break;
    default:
      code = status >= 500 ? "SERVER_UNAVAILABLE" : "UNKNOWN_EXCEPTION";
      message = status >= 500 ? "The server is temporarily unable to service your request. Please try again later."
                              : "Injected fault " + std::to_string(status);
  }
  Response r;
  if (request.path.rfind("/services/oauth2/", 0) == 0) {
    // The OAuth endpoints answer in RFC 6749 shape, not the REST error array.
    const std::string oauth_code = status >= 500                    ? "temporarily_unavailable"
                                   : status == 403 || status == 429 ? "rate_limit_exceeded"
                                   : status == 401                  ? "invalid_client"
                                                                    : "invalid_grant";
    r = Response::json(status, boost::json::object{{"error", oauth_code}, {"error_description", message}});
  } else {
    r = error_response(status, code, message);
    if (request.path.rfind("/services/data/v", 0) == 0)
      r.set_header("Sforce-Limit-Info", limit_header(ctx_.usage.used()));
  }
  if (fault.retry_after_s)
    r.set_header("Retry-After", std::to_string(static_cast<long long>(std::ceil(*fault.retry_after_s))));
  return r;
}

std::string SalesforceEmulator::canonical_object(std::string_view object) const {
  const ObjectDef* def = schema_.object(object);
  return def ? def->name : std::string();
}

boost::json::object SalesforceEmulator::export_record(std::string_view object, const Record& record) const {
  const ObjectDef* def = schema_.object(object);
  if (!def) return record.fields;
  return engine_.project(*def, record, {}, std::to_string(kNewestVersion) + ".0");
}

std::string SalesforceEmulator::next_id(const ObjectDef& object) {
  return make_id(object.key_prefix, id_counter_.fetch_add(1, std::memory_order_relaxed));
}

std::string SalesforceEmulator::new_access_token() {
  // Real tokens are "<15-char org id>!<opaque>"; connectors sometimes log the org part.
  std::shared_lock lock(config_mutex_);
  return org_id_.substr(0, 15) + "!AQ" + TokenStore::random_string(93);
}

void SalesforceEmulator::reset() {
  std::unique_lock lock(config_mutex_);
  // The schema is not rebuilt: requests in flight during a reset may hold pointers into it, and the
  // seed (the only source of custom fields) cannot change while the process runs.
  id_counter_ = 1;
  apps_.clear();
  default_user_id_.clear();
  org_id_ = make_id("00D", 1);
  org_name_ = "AppConnect Sandbox";
  {
    std::lock_guard c(cursor_mutex_);
    cursors_.clear();
    cursor_order_.clear();
  }
  std::lock_guard t(tombstone_mutex_);
  tombstones_.clear();
}

std::string SalesforceEmulator::resolve_user(std::string_view who) const {
  if (who.empty()) return {};
  if (auto id = normalize_id(who); id && id->rfind("005", 0) == 0 && ctx_.store.contains("User", *id)) return *id;
  std::string found;
  ctx_.store.scan("User", [&](const Record& r) {
    for (const char* key : {"Username", "Email"}) {
      const auto* v = r.fields.if_contains(key);
      if (v && v->is_string() && iequals(v->get_string(), who)) {
        found = r.id;
        return false;
      }
    }
    return true;
  });
  return found;
}

namespace {
std::vector<std::string> string_list(const boost::json::value* v, const char* what) {
  std::vector<std::string> out;
  if (!v || v->is_null()) return out;
  if (v->is_string()) {
    out.emplace_back(v->get_string());
    return out;
  }
  if (!v->is_array()) throw std::runtime_error(std::string(what) + " must be a string or an array of strings");
  for (const auto& e : v->as_array()) {
    if (!e.is_string()) throw std::runtime_error(std::string(what) + " must contain strings");
    out.emplace_back(e.get_string());
  }
  return out;
}

FieldType parse_field_type(const std::string& t) {
  static const std::pair<const char*, FieldType> kTypes[] = {
      {"string", FieldType::kString},   {"textarea", FieldType::kTextArea}, {"phone", FieldType::kPhone},
      {"email", FieldType::kEmail},     {"url", FieldType::kUrl},           {"picklist", FieldType::kPicklist},
      {"boolean", FieldType::kBoolean}, {"int", FieldType::kInt},           {"double", FieldType::kDouble},
      {"date", FieldType::kDate},       {"datetime", FieldType::kDateTime}, {"reference", FieldType::kReference}};
  for (const auto& [name, type] : kTypes)
    if (t == name) return type;
  throw std::runtime_error("unknown custom field type '" + t + "'");
}
} // namespace

void SalesforceEmulator::load_seed(const boost::json::value& seed) {
  std::unique_lock lock(config_mutex_);
  if (seed.is_null()) return;
  const auto& s = seed.as_object();

  if (const auto* org = s.if_contains("org"); org && org->is_object()) {
    org_name_ = json_string(org->as_object(), "name", org_name_);
    if (auto id = json_string(org->as_object(), "id"); !id.empty()) {
      auto normalized = normalize_id(id);
      if (!normalized || normalized->rfind("00D", 0) != 0) throw std::runtime_error("seed org.id is not an org id");
      org_id_ = *normalized;
    }
  }

  if (const auto* custom = s.if_contains("custom_fields"); custom && custom->is_object()) {
    for (const auto& kv : custom->as_object()) {
      if (!kv.value().is_array())
        throw std::runtime_error("custom_fields." + std::string(kv.key()) + " must be an array");
      for (const auto& f : kv.value().as_array()) {
        if (!f.is_object()) throw std::runtime_error("custom field definitions are objects");
        const auto& o = f.as_object();
        FieldDef def;
        def.name = json_string(o, "name");
        def.label = json_string(o, "label");
        def.type = parse_field_type(json_string(o, "type", "string"));
        def.length = static_cast<int>(json_int(o, "length", def.type == FieldType::kTextArea ? 32768 : 255));
        def.picklist = string_list(o.if_contains("values"), "custom field values");
        def.restricted = json_bool(o, "restricted", false);
        def.reference_to = string_list(o.if_contains("reference_to"), "custom field reference_to");
        // Already there from an earlier load of the same seed (reset): keep the existing definition.
        if (const ObjectDef* existing = schema_.object(kv.key()); existing && existing->field(def.name)) continue;
        try {
          schema_.add_custom_field(kv.key(), std::move(def));
        } catch (const std::invalid_argument& e) {
          throw std::runtime_error(std::string("seed custom_fields: ") + e.what());
        }
      }
    }
  }

  // Records: users first (others refer to them), then the rest in dependency order. A record may
  // carry "_ref": "name"; any string value "@name" elsewhere becomes that record's id.
  std::unordered_map<std::string, std::string> refs;
  auto resolve_refs = [&](boost::json::object& fields) {
    for (auto& kv : fields) {
      if (!kv.value().is_string()) continue;
      const std::string_view v = kv.value().get_string();
      if (v.size() > 1 && v.front() == '@') {
        auto it = refs.find(std::string(v.substr(1)));
        if (it == refs.end()) throw std::runtime_error("seed refers to unknown record " + std::string(v));
        kv.value() = it->second;
      }
    }
  };
  const auto* records = s.if_contains("records");
  if (records && !records->is_object()) throw std::runtime_error("seed 'records' must be an object of arrays");
  std::vector<std::string> order = {"User", "Account", "Contact", "Lead", "Task"};
  if (records)
    for (const auto& kv : records->as_object())
      if (std::find(order.begin(), order.end(), std::string(kv.key())) == order.end()) order.emplace_back(kv.key());
  auto load_object = [&](const std::string& object) {
    if (!records) return;
    const auto* list = records->as_object().if_contains(object);
    if (!list) return;
    const ObjectDef* def = schema_.object(object);
    if (!def) throw std::runtime_error("seed has records of unknown object '" + object + "'");
    if (!list->is_array()) throw std::runtime_error("seed records." + object + " must be an array");
    for (const auto& item : list->as_array()) {
      if (!item.is_object()) throw std::runtime_error("seed records are objects");
      boost::json::object fields = item.as_object();
      std::string ref = json_string(fields, "_ref");
      fields.erase("_ref");
      resolve_refs(fields);
      std::string id;
      try {
        id = insert_seed(*def, std::move(fields), default_user_id_);
      } catch (const std::invalid_argument& e) {
        throw std::runtime_error("seed " + object + ": " + e.what());
      }
      if (!ref.empty()) refs[ref] = id;
    }
  };
  load_object("User");

  // Who "logs in" at the authorize endpoint, and the default owner of everything else.
  if (auto who = json_string(s, "oauth_user"); !who.empty()) {
    if (who.front() == '@' && refs.count(who.substr(1))) who = refs[who.substr(1)];
    default_user_id_ = resolve_user(who);
    if (default_user_id_.empty()) throw std::runtime_error("seed oauth_user '" + who + "' is not a seeded user");
  } else {
    ctx_.store.scan("User", [&](const Record& r) {
      default_user_id_ = r.id;
      return false;
    });
  }
  for (std::size_t i = 1; i < order.size(); ++i) load_object(order[i]);

  auto user_of = [&](std::string who, const std::string& what) {
    if (who.empty()) return default_user_id_;
    if (who.front() == '@' && refs.count(who.substr(1))) who = refs[who.substr(1)];
    auto id = resolve_user(who);
    if (id.empty()) throw std::runtime_error(what + " refers to unknown user '" + who + "'");
    return id;
  };

  if (const auto* apps = s.if_contains("connected_apps")) {
    if (!apps->is_array()) throw std::runtime_error("seed connected_apps must be an array");
    for (const auto& a : apps->as_array()) {
      if (!a.is_object()) throw std::runtime_error("connected app entries are objects");
      const auto& o = a.as_object();
      ConnectedApp app;
      app.client_id = json_string(o, "client_id");
      if (app.client_id.empty()) throw std::runtime_error("connected app without client_id");
      app.client_secret = json_string(o, "client_secret");
      app.redirect_uris = string_list(o.if_contains("redirect_uris"), "redirect_uris");
      app.allow_loopback_redirects = json_bool(o, "allow_loopback_redirects", false);
      app.require_secret = json_bool(o, "require_secret", true);
      app.scope = json_string(o, "scope", app.scope);
      if (auto run_as = json_string(o, "run_as"); !run_as.empty()) app.run_as_user = user_of(run_as, "run_as");
      apps_[app.client_id] = std::move(app);
    }
  }

  if (const auto* tokens = s.if_contains("refresh_tokens")) {
    if (!tokens->is_array()) throw std::runtime_error("seed refresh_tokens must be an array");
    for (const auto& t : tokens->as_array()) {
      if (!t.is_object()) throw std::runtime_error("refresh token entries are objects");
      const auto& o = t.as_object();
      RefreshToken rt;
      rt.token = json_string(o, "token");
      rt.client_id = json_string(o, "client_id");
      if (rt.token.empty() || !apps_.count(rt.client_id))
        throw std::runtime_error("refresh token needs a token and the client_id of a seeded connected app");
      rt.user_id = user_of(json_string(o, "user"), "refresh token");
      rt.scope = json_string(o, "scope", apps_[rt.client_id].scope);
      ctx_.tokens.add_refresh(std::move(rt));
    }
  }
}

std::string SalesforceEmulator::seed_record(std::string_view object, boost::json::object fields) {
  std::shared_lock lock(config_mutex_);
  const ObjectDef* def = schema_.object(object);
  if (!def) throw std::invalid_argument("unknown object '" + std::string(object) + "'");
  return insert_seed(*def, std::move(fields), default_user_id_);
}

std::string SalesforceEmulator::insert_seed(const ObjectDef& object, boost::json::object fields,
                                            const std::string& owner) {
  const ObjectDef* def = &object;
  boost::json::object clean;
  for (auto& kv : fields) {
    const FieldDef* f = def->field(kv.key());
    if (!f) throw std::invalid_argument("no field '" + std::string(kv.key()) + "' on " + def->name);
    if (f->name == "Id") throw std::invalid_argument("ids are assigned by the sandbox");
    boost::json::value v = kv.value();
    // Seeds may spell datetimes any ISO way; store them the way Salesforce returns them.
    if (f->type == FieldType::kDateTime && v.is_string()) {
      auto ms = sdk::time::parse_iso8601_ms(v.get_string());
      if (!ms) throw std::invalid_argument(f->name + " is not an ISO 8601 datetime");
      v = sf_datetime(*ms);
    }
    if (v.is_string() && v.get_string().empty()) v = nullptr;
    clean[f->name] = std::move(v);
  }
  return insert_record(*def, std::move(clean), owner, true);
}

boost::json::object SalesforceEmulator::issue_test_token(const boost::json::object& request) {
  const std::string who = json_string(request, "user");
  std::string user_id;
  std::string client_id = json_string(request, "client_id");
  {
    std::shared_lock lock(config_mutex_);
    user_id = who.empty() ? default_user_id_ : std::string();
    if (client_id.empty()) client_id = apps_.empty() ? "sandbox-test-client" : apps_.begin()->first;
  }
  if (!who.empty()) user_id = resolve_user(who);
  if (user_id.empty()) throw std::invalid_argument("no such user '" + who + "' (seed users or pass \"user\")");
  const auto token = ctx_.tokens.issue_access(new_access_token(), user_id, client_id, "api", now_ms());
  std::shared_lock lock(config_mutex_);
  return {{"access_token", token.token},
          {"instance_url", ctx_.base_url},
          {"id", ctx_.base_url + "/id/" + org_id_ + "/" + user_id},
          {"token_type", "Bearer"},
          {"issued_at", std::to_string(token.issued_ms)},
          {"user_id", user_id}};
}

} // namespace appconnect::crm_sandbox::salesforce
