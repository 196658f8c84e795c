#include "zoho/zoho_emulator.hpp"

#include "framework/json_util.hpp"

#include <appconnect/time.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace appconnect::crm_sandbox::zoho {

namespace {
bool starts_with_ci(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() && iequals(text.substr(0, prefix.size()), prefix);
}

std::string trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return std::string(s);
}

// "+05:30" -> 330; nullopt when malformed.
std::optional<int> parse_offset(std::string_view s) {
  if (s.size() != 6 || (s[0] != '+' && s[0] != '-') || s[3] != ':') return std::nullopt;
  auto digit = [&](std::size_t i) { return s[i] >= '0' && s[i] <= '9' ? s[i] - '0' : -1; };
  for (std::size_t i : {1u, 2u, 4u, 5u})
    if (digit(i) < 0) return std::nullopt;
  const int minutes = (digit(1) * 10 + digit(2)) * 60 + digit(4) * 10 + digit(5);
  if (minutes > 14 * 60) return std::nullopt;
  return s[0] == '-' ? -minutes : minutes;
}

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
      {"text", FieldType::kText},         {"textarea", FieldType::kTextArea}, {"phone", FieldType::kPhone},
      {"email", FieldType::kEmail},       {"website", FieldType::kUrl},       {"picklist", FieldType::kPicklist},
      {"datetime", FieldType::kDateTime}, {"integer", FieldType::kInteger},   {"boolean", FieldType::kBoolean}};
  for (const auto& [name, type] : kTypes)
    if (t == name) return type;
  throw std::runtime_error("unknown custom field type '" + t +
                           "' (text, textarea, phone, email, website, picklist, "
                           "datetime, integer, boolean)");
}
} // namespace

std::optional<std::int64_t> parse_zoho_time(std::string_view text) {
  // yyyy-MM-ddTHH:mm:ss±HH:mm, e.g. "2019-10-23T13:25:00+05:30" (Kaizen #38; crm-oas datetime format).
  if (text.size() != 25 || text[10] != 'T' || (text[19] != '+' && text[19] != '-') || text[22] != ':')
    return std::nullopt;
  return sdk::time::parse_iso8601_ms(text);
}

std::string digits_of(std::string_view text) {
  std::string out;
  for (char c : text)
    if (c >= '0' && c <= '9') out.push_back(c);
  return out;
}

ZohoEmulator::ZohoEmulator(SandboxContext& context) : ctx_(context), schema_(Schema::standard()) {
  add_routes();
}

void ZohoEmulator::add_routes() {
  using Z = ZohoEmulator;
  auto& r = router_;
  // Accounts server (https://accounts.zoho.com in production).
  r.add("GET", "/oauth/v2/auth", [this](const Request& q, const PathParams& p) { return oauth_authorize(q, p); });
  r.add("POST", "/oauth/v2/token", [this](const Request& q, const PathParams& p) { return oauth_token(q, p); });
  r.add("POST", "/oauth/v2/token/revoke", [this](const Request& q, const PathParams& p) { return oauth_revoke(q, p); });
  // API domain (https://www.zohoapis.com in production). Literal segments before parameters.
  const std::string crm = "/crm/{version}";
  r.add("GET", crm + "/users", api(&Z::users, Access::kRead, true));
  r.add("GET", crm + "/users/{id}", api(&Z::user, Access::kRead, true));
  r.add("GET", crm + "/{module}/search", api(&Z::search, Access::kRead));
  r.add("GET", crm + "/{module}", api(&Z::list, Access::kRead));
  r.add("POST", crm + "/{module}", api(&Z::create, Access::kCreate));
  r.add("PUT", crm + "/{module}", api(&Z::update_many, Access::kUpdate));
  r.add("GET", crm + "/{module}/{id}", api(&Z::read, Access::kRead));
  r.add("PUT", crm + "/{module}/{id}", api(&Z::update_one, Access::kUpdate));
  r.add("DELETE", crm + "/{module}/{id}", api(&Z::remove, Access::kDelete));
  r.add("POST", crm + "/{module}/{id}/Notes", api(&Z::create_related_note, Access::kCreate));
}

std::optional<std::pair<int, std::string>> ZohoEmulator::parse_version(std::string_view segment) {
  // v2, v2.1, v3 ... v8: the resources emulated here kept their shapes across these versions (noted where
  // they did not, e.g. Notes' Parent_Id and the partial-success status).
  if (segment == "v2.1") return std::make_pair(2, std::string(segment));
  if (segment.size() != 2 || segment[0] != 'v' || segment[1] < '2' || segment[1] > '8') return std::nullopt;
  return std::make_pair(segment[1] - '0', std::string(segment));
}

bool ZohoEmulator::scope_allows(const std::string& scope, const std::string& module, Access access, bool users) const {
  // Scopes are comma-separated and case-insensitive: ZohoCRM.modules.ALL, ZohoCRM.modules.contacts.READ,
  // ZohoCRM.users.READ (https://www.zoho.com/crm/developer/docs/api/v2/scopes.html).
  const char* op = access == Access::kRead     ? "read"
                   : access == Access::kCreate ? "create"
                   : access == Access::kUpdate ? "update"
                                               : "delete";
  std::size_t start = 0;
  while (start <= scope.size()) {
    auto end = scope.find_first_of(", ", start);
    if (end == std::string::npos) end = scope.size();
    const std::string s = to_lower(std::string_view(scope).substr(start, end - start));
    start = end + 1;
    if (s.empty()) continue;
    if (users) {
      if (s == "zohocrm.users.all" || s == "zohocrm.users.read") return true;
      continue;
    }
    if (s == "zohocrm.modules.all" || s == "zohocrm.modules." + module + ".all" ||
        s == "zohocrm.modules." + module + "." + op ||
        (access != Access::kRead && s == "zohocrm.modules." + module + ".write"))
      return true;
  }
  return false;
}

Handler ZohoEmulator::api(ApiMethod method, Access access, bool users) {
  return [this, method, access, users](const Request& request, const PathParams& params) -> Response {
    const auto version = parse_version(params["version"]);
    if (!version) return error_response(404, "INVALID_URL_PATTERN", kInvalidUrlMessage);

    // "Authorization: Zoho-oauthtoken <token>"; versions after v2 also take "Bearer <token>".
    const std::string auth = request.header("authorization");
    std::string token;
    if (starts_with_ci(auth, "Zoho-oauthtoken "))
      token = trim(std::string_view(auth).substr(16));
    else if (version->second != "v2" && starts_with_ci(auth, "Bearer "))
      token = trim(std::string_view(auth).substr(7));
    if (token.empty()) return error_response(401, "AUTHENTICATION_FAILURE", kAuthFailureMessage);
    const Knobs knobs = ctx_.knobs.snapshot();
    const auto access_token = ctx_.tokens.find_access(token, now_ms(), knobs.token_lifetime_s);
    // Body per docs/crm-and-telephony-apis.md 3.8 (crm-oas API_Exception, INVALID_TOKEN example).
    if (!access_token) return error_response(401, "INVALID_TOKEN", kInvalidTokenMessage);

    std::string module = users ? std::string("users") : to_lower(params["module"]);
    if (!params["id"].empty() && request.path.size() > 6 && request.path.substr(request.path.size() - 6) == "/Notes")
      module = "notes"; // POST /{module}/{id}/Notes writes a note
    if (schema_.module(module) || users) {
      if (!scope_allows(access_token->scope, module, access, users))
        return error_response(401, "OAUTH_SCOPE_MISMATCH", kScopeMismatchMessage);
    }

    // API credits over a rolling day (Kaizen #93): exhausted -> 429 TOO_MANY_REQUESTS.
    if (!ctx_.usage.try_consume(knobs.daily_api_limit)) {
      std::string message;
      boost::json::object details;
      {
        std::shared_lock lock(config_mutex_);
        message = limit_message_;
        details = limit_details_;
      }
      details["limit"] = knobs.daily_api_limit;
      return error_response(429, "TOO_MANY_REQUESTS", message, std::move(details));
    }

    ApiCall call{request, params, version->first, version->second, *access_token};
    Response response;
    try {
      response = (this->*method)(call);
    } catch (const ZohoError& e) {
      response = error_response(e);
    }
    // When the access token stops working, in the org's zone [OBS: seen on real responses].
    if (knobs.token_lifetime_s > 0)
      response.set_header("X-ACCESSTOKEN-RESET", format_time(access_token->issued_ms +
                                                             static_cast<std::int64_t>(knobs.token_lifetime_s * 1000)));
    return response;
  };
}

Response ZohoEmulator::handle(const Request& request) {
  auto match = router_.match(request.method, request.path);
  if (match.handler) return (*match.handler)(request, match.params);
  if (!match.allowed.empty()) {
    std::string allowed;
    for (const auto& m : match.allowed) allowed += (allowed.empty() ? "" : ",") + m;
    auto r = error_response(405, "INVALID_REQUEST_METHOD", kInvalidMethodMessage);
    r.set_header("Allow", allowed);
    return r;
  }
  return error_response(404, "INVALID_URL_PATTERN", kInvalidUrlMessage);
}

Response ZohoEmulator::fault_response(const Request& request, const Fault& fault) {
  int status = fault.status;
  // Random faults speak Zoho: limits are 429 TOO_MANY_REQUESTS, overload a 5xx INTERNAL_ERROR.
  if (fault.kind == FaultKind::kRateLimited) status = 429;
  if (fault.kind == FaultKind::kOverloaded) status = 503;
  Response r;
  if (request.path.rfind("/oauth/", 0) == 0) {
    // The accounts server answers with OAuth-style {"error", "error_description"} bodies.
    boost::json::object body;
    if (status == 429 || status == 400) {
      body = {{"error", "Access Denied"},
              {"error_description", "You have made too many requests continuously. Please try again after some time."}};
    } else {
      body = {{"error", status >= 500 ? "internal_error" : "invalid_request"}};
    }
    r = Response::json(status, body);
  } else {
    std::string code = "INVALID_DATA";
    std::string message = kInvalidDataMessage;
    boost::json::object details;
    switch (status) {
      case 401:
        code = "INVALID_TOKEN";
        message = kInvalidTokenMessage;
        break;
      case 403:
        code = "NO_PERMISSION";
        message = "permission denied";
        break;
      case 404:
        code = "INVALID_URL_PATTERN";
        message = kInvalidUrlMessage;
        break;
      case 405:
        code = "INVALID_REQUEST_METHOD";
        message = kInvalidMethodMessage;
        break;
      case 429:
        code = "TOO_MANY_REQUESTS";
        message = kTooManyRequestsMessage;
        if (fault.retry_after_s) details["retry_after"] = static_cast<std::int64_t>(std::ceil(*fault.retry_after_s));
        break;
      default:
        if (status >= 500) {
          code = "INTERNAL_ERROR";
          message = kInternalErrorMessage;
        }
    }
    r = error_response(status, code, message, std::move(details));
  }
  if (fault.retry_after_s)
    r.set_header("Retry-After", std::to_string(static_cast<long long>(std::ceil(*fault.retry_after_s))));
  return r;
}

std::string ZohoEmulator::canonical_object(std::string_view object) const {
  if (iequals(object, "users") || iequals(object, "user")) return kUsers;
  const ModuleDef* m = schema_.module(object);
  return m ? m->api_name : std::string();
}

boost::json::object ZohoEmulator::export_record(std::string_view object, const Record& record) const {
  if (object == kUsers) return render_user(record);
  const ModuleDef* m = schema_.module(object);
  return m ? render(*m, record) : record.fields;
}

std::string ZohoEmulator::next_id() {
  // Zoho record ids are 19-digit numbers: an org-specific prefix, then a counter.
  char buf[32];
  std::snprintf(buf, sizeof buf, "%09llu",
                static_cast<unsigned long long>(1000 + id_counter_.fetch_add(1, std::memory_order_relaxed)));
  return "4876876000" + std::string(buf);
}

std::string ZohoEmulator::new_token(std::string_view) const {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string a = TokenStore::random_string(64);
  std::string b = TokenStore::random_string(64);
  // Map the random alphanumerics onto hex: Zoho tokens look like "1000.<32 hex>.<32 hex>".
  auto hex = [&](const std::string& s) {
    std::string out;
    for (std::size_t i = 0; i < 32; ++i) out.push_back(kHex[static_cast<unsigned char>(s[i]) % 16]);
    return out;
  };
  return "1000." + hex(a) + "." + hex(b);
}

std::string ZohoEmulator::format_time(std::int64_t unix_ms) const {
  const int offset = tz_offset_min_.load(std::memory_order_relaxed);
  // Whole seconds: Zoho datetimes carry no fractions.
  const std::int64_t seconds = (unix_ms >= 0 ? unix_ms : unix_ms - 999) / 1000;
  std::string local = sdk::time::format_iso8601_utc((seconds + offset * 60LL) * 1000);
  local.pop_back(); // the 'Z'
  char zone[8];
  const int a = offset < 0 ? -offset : offset;
  std::snprintf(zone, sizeof zone, "%c%02d:%02d", offset < 0 ? '-' : '+', (a / 60) % 100, a % 60);
  return local + zone;
}

boost::json::value ZohoEmulator::user_ref(const std::string& user_id) const {
  if (user_id.empty()) return nullptr;
  auto user = ctx_.store.get(kUsers, user_id);
  if (!user) return nullptr;
  return boost::json::object{{"name", json_string(user->fields, "full_name")},
                             {"id", user->id},
                             {"email", json_string(user->fields, "email")}};
}

std::string ZohoEmulator::resolve_user(std::string_view who) const {
  if (who.empty()) return {};
  if (ctx_.store.contains(kUsers, who)) return std::string(who);
  std::string found;
  ctx_.store.scan(kUsers, [&](const Record& r) {
    for (const char* key : {"email", "full_name", "zuid"}) {
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

bool ZohoEmulator::user_active(const std::string& user_id) const {
  auto user = ctx_.store.get(kUsers, user_id);
  return user && json_string(user->fields, "status", "active") == "active";
}

void ZohoEmulator::reset() {
  std::unique_lock lock(config_mutex_);
  schema_ = Schema::standard();
  id_counter_ = 1;
  clients_.clear();
  default_user_id_.clear();
  org_id_ = "663287519";
  org_name_ = "AppConnect Sandbox";
  tz_offset_min_ = 330;
  location_ = "us";
  limit_message_ = kTooManyRequestsMessage;
  limit_details_ = {};
  refresh_limit_per_minute_ = 0;
  std::lock_guard o(oauth_mutex_);
  offline_granted_.clear();
  refresh_times_.clear();
  code_flags_.clear();
}

void ZohoEmulator::load_seed(const boost::json::value& seed) {
  if (seed.is_null()) return;
  const auto& s = seed.as_object();
  std::unordered_map<std::string, std::string> refs; // "_ref" name -> id (users and records)

  {
    std::unique_lock lock(config_mutex_);
    if (const auto* org = s.if_contains("org"); org && org->is_object()) {
      const auto& o = org->as_object();
      org_name_ = json_string(o, "name", org_name_);
      org_id_ = json_string(o, "id", org_id_);
      location_ = json_string(o, "location", location_);
      if (const auto offset = json_string(o, "time_zone_offset"); !offset.empty()) {
        auto minutes = parse_offset(offset);
        if (!minutes) throw std::runtime_error("seed org.time_zone_offset must look like +05:30");
        tz_offset_min_ = *minutes;
      }
    }
    if (const auto* limits = s.if_contains("limits"); limits && limits->is_object()) {
      limit_message_ = json_string(limits->as_object(), "message", limit_message_);
      if (const auto* d = limits->as_object().if_contains("details"); d && d->is_object())
        limit_details_ = d->as_object();
    }
    if (const auto* oauth = s.if_contains("oauth"); oauth && oauth->is_object())
      refresh_limit_per_minute_ = static_cast<int>(json_int(oauth->as_object(), "refresh_limit_per_minute", 0));

    if (const auto* custom = s.if_contains("custom_fields"); custom && custom->is_object()) {
      for (const auto& kv : custom->as_object()) {
        if (!kv.value().is_array())
          throw std::runtime_error("custom_fields." + std::string(kv.key()) + " must be an array");
        for (const auto& f : kv.value().as_array()) {
          if (!f.is_object()) throw std::runtime_error("custom field definitions are objects");
          const auto& o = f.as_object();
          FieldDef def;
          def.api_name = json_string(o, "api_name");
          def.type = parse_field_type(json_string(o, "type", "text"));
          def.length = static_cast<int>(json_int(o, "length", def.type == FieldType::kTextArea ? 32000 : 255));
          def.picklist = string_list(o.if_contains("values"), "custom field values");
          def.mandatory = json_bool(o, "mandatory", false);
          try {
            schema_.add_custom_field(kv.key(), std::move(def));
          } catch (const std::invalid_argument& e) {
            throw std::runtime_error(std::string("seed custom_fields: ") + e.what());
          }
        }
      }
    }
  }

  // Users first: everything else refers to them.
  if (const auto* users = s.if_contains("users")) {
    if (!users->is_array()) throw std::runtime_error("seed users must be an array");
    for (const auto& u : users->as_array()) {
      if (!u.is_object()) throw std::runtime_error("seed users are objects");
      boost::json::object fields = u.as_object();
      const std::string ref = json_string(fields, "_ref");
      fields.erase("_ref");
      const std::string id = next_id();
      insert_user(std::move(fields), id);
      if (!ref.empty()) refs[ref] = id;
    }
  }
  auto user_of = [&](std::string who, const std::string& what) {
    if (!who.empty() && who.front() == '@' && refs.count(who.substr(1))) who = refs[who.substr(1)];
    auto id = resolve_user(who);
    if (id.empty()) throw std::runtime_error(what + " refers to unknown user '" + who + "'");
    return id;
  };
  {
    std::string who = json_string(s, "oauth_user");
    std::string id;
    if (!who.empty()) {
      id = user_of(who, "seed oauth_user");
    } else {
      ctx_.store.scan(kUsers, [&](const Record& r) {
        id = r.id;
        return false;
      });
    }
    std::unique_lock lock(config_mutex_);
    default_user_id_ = id;
  }

  if (const auto* clients = s.if_contains("clients")) {
    if (!clients->is_array()) throw std::runtime_error("seed clients must be an array");
    std::unique_lock lock(config_mutex_);
    for (const auto& c : clients->as_array()) {
      if (!c.is_object()) throw std::runtime_error("client entries are objects");
      const auto& o = c.as_object();
      Client client;
      client.client_id = json_string(o, "client_id");
      if (client.client_id.empty()) throw std::runtime_error("client without client_id");
      client.client_secret = json_string(o, "client_secret");
      client.redirect_uris = string_list(o.if_contains("redirect_uris"), "redirect_uris");
      client.allow_loopback_redirects = json_bool(o, "allow_loopback_redirects", false);
      clients_[client.client_id] = std::move(client);
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
      if (rt.token.empty() || !find_client(rt.client_id))
        throw std::runtime_error("refresh token needs a token and the client_id of a seeded client");
      rt.user_id = json_string(o, "user").empty() ? default_user_id_ : user_of(json_string(o, "user"), "refresh token");
      rt.scope = json_string(o, "scope", "ZohoCRM.modules.ALL,ZohoCRM.users.READ");
      {
        std::lock_guard lock(oauth_mutex_);
        offline_granted_.insert({rt.client_id, rt.user_id});
      }
      ctx_.tokens.add_refresh(std::move(rt));
    }
  }

  // Records, in dependency order; "_ref" names a record, "@name" elsewhere becomes its id.
  const auto* records = s.if_contains("records");
  if (!records) return;
  if (!records->is_object()) throw std::runtime_error("seed 'records' must be an object of arrays");
  std::vector<std::string> order = {"Accounts", "Contacts", "Leads", "Calls", "Notes"};
  for (const auto& kv : records->as_object())
    if (std::find(order.begin(), order.end(), std::string(kv.key())) == order.end()) order.emplace_back(kv.key());
  for (const auto& module_name : order) {
    const auto* list = records->as_object().if_contains(module_name);
    if (!list) continue;
    if (!list->is_array()) throw std::runtime_error("seed records." + module_name + " must be an array");
    const ModuleDef* module = schema_.module(module_name);
    if (!module) throw std::runtime_error("seed has records of unknown module '" + module_name + "'");
    for (const auto& item : list->as_array()) {
      if (!item.is_object()) throw std::runtime_error("seed records are objects");
      boost::json::object fields = item.as_object();
      const std::string ref = json_string(fields, "_ref");
      fields.erase("_ref");
      for (auto& kv : fields) {
        if (!kv.value().is_string()) continue;
        const std::string_view v = kv.value().get_string();
        if (v.size() > 1 && v.front() == '@') {
          auto it = refs.find(std::string(v.substr(1)));
          if (it == refs.end()) throw std::runtime_error("seed refers to unknown record " + std::string(v));
          kv.value() = it->second;
        }
      }
      std::string id;
      try {
        id = insert_seed(*module, std::move(fields));
      } catch (const std::invalid_argument& e) {
        throw std::runtime_error("seed " + module_name + ": " + e.what());
      }
      if (!ref.empty()) refs[ref] = id;
    }
  }
}

std::string ZohoEmulator::seed_record(std::string_view object, boost::json::object fields) {
  if (object == kUsers) {
    const std::string id = next_id();
    insert_user(std::move(fields), id);
    return id;
  }
  const ModuleDef* module = schema_.module(object);
  if (!module) throw std::invalid_argument("unknown object '" + std::string(object) + "'");
  return insert_seed(*module, std::move(fields));
}

boost::json::object ZohoEmulator::issue_test_token(const boost::json::object& request) {
  const std::string who = json_string(request, "user");
  std::string user_id;
  std::string client_id = json_string(request, "client_id");
  {
    std::shared_lock lock(config_mutex_);
    user_id = who.empty() ? default_user_id_ : std::string();
    if (client_id.empty()) client_id = clients_.empty() ? "sandbox-test-client" : clients_.begin()->first;
  }
  if (!who.empty()) user_id = resolve_user(who);
  if (user_id.empty()) throw std::invalid_argument("no such user '" + who + "' (seed users or pass \"user\")");
  const std::string scope = json_string(request, "scope", "ZohoCRM.modules.ALL,ZohoCRM.users.ALL");
  const auto token = ctx_.tokens.issue_access(new_token("access"), user_id, client_id, scope, now_ms());
  const double lifetime = ctx_.knobs.snapshot().token_lifetime_s;
  return {{"access_token", token.token},
          {"api_domain", ctx_.base_url},
          {"instance_url", ctx_.base_url},
          {"token_type", "Bearer"},
          {"expires_in", static_cast<std::int64_t>(lifetime > 0 ? lifetime : 3600)},
          {"user_id", user_id}};
}

} // namespace appconnect::crm_sandbox::zoho
