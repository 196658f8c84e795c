#include "hubspot/hubspot_emulator.hpp"

#include "framework/json_util.hpp"

#include <appconnect/time.hpp>

#include <algorithm>
#include <cmath>
#include <iterator>
#include <stdexcept>
#include <unordered_map>

namespace appconnect::crm_sandbox::hubspot {

namespace {

bool starts_with_ci(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() && iequals(text.substr(0, prefix.size()), prefix);
}

std::string trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return std::string(s);
}

std::string join(const std::vector<std::string>& items, const char* separator) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : separator) + s;
  return out;
}

bool has_any_scope(const std::string& granted, const std::vector<std::string>& wanted) {
  if (wanted.empty()) return true;
  std::size_t start = 0;
  while (start < granted.size()) {
    auto end = granted.find(' ', start);
    if (end == std::string::npos) end = granted.size();
    const auto scope = std::string_view(granted).substr(start, end - start);
    for (const auto& w : wanted)
      if (scope == w) return true;
    start = end + 1;
  }
  return false;
}

// "expired 5 second(s) ago" / "3 minute(s)" / "2 hour(s)": the unit HubSpot's 401 message uses.
std::string ago_text(std::int64_t ms) {
  const std::int64_t s = std::max<std::int64_t>(0, ms / 1000);
  if (s < 60) return std::to_string(s) + " second(s)";
  if (s < 3600) return std::to_string(s / 60) + " minute(s)";
  return std::to_string(s / 3600) + " hour(s)";
}

std::vector<std::string> string_list(const boost::json::value* v, const char* what) {
  std::vector<std::string> out;
  if (!v || v->is_null()) return out;
  if (v->is_string()) {
    // Space- or comma-separated, as scopes are often written.
    std::string item;
    for (char c : v->get_string()) {
      if (c == ' ' || c == ',') {
        if (!item.empty()) out.push_back(std::move(item));
        item.clear();
      } else {
        item.push_back(c);
      }
    }
    if (!item.empty()) out.push_back(std::move(item));
    return out;
  }
  if (!v->is_array()) throw std::runtime_error(std::string(what) + " must be a string or an array of strings");
  for (const auto& e : v->as_array()) {
    if (!e.is_string()) throw std::runtime_error(std::string(what) + " must contain strings");
    out.emplace_back(e.get_string());
  }
  return out;
}

// Scopes an app is granted when the seed does not list any: everything the emulated endpoints need.
const std::vector<std::string> kAllScopes = {"oauth", "crm.objects.contacts.read", "crm.objects.contacts.write",
                                             "crm.objects.owners.read"};

} // namespace

HubSpotEmulator::HubSpotEmulator(SandboxContext& context) : ctx_(context), schema_(Schema::standard()) {
  add_routes();
}

void HubSpotEmulator::add_routes() {
  using H = HubSpotEmulator;
  auto& r = router_;
  // Scopes per the specs' security blocks: contacts, calls, communications and notes all use the
  // contacts scopes (calls.json, communications.json, notes.json); owners use crm.objects.owners.read.
  const std::vector<std::string> read{"crm.objects.contacts.read", "crm.objects.contacts.write"};
  const std::vector<std::string> write{"crm.objects.contacts.write"};
  const std::vector<std::string> owners{"crm.objects.owners.read"};
  r.add("GET", "/oauth/authorize", [this](const Request& q, const PathParams& p) { return oauth_authorize(q, p); });
  r.add("POST", "/oauth/v1/token", [this](const Request& q, const PathParams& p) { return oauth_token(q, p); });
  r.add("GET", "/oauth/v1/access-tokens/{token}",
        [this](const Request& q, const PathParams& p) { return access_token_info(q, p); });
  r.add("GET", "/oauth/v1/refresh-tokens/{token}",
        [this](const Request& q, const PathParams& p) { return refresh_token_info(q, p); });
  r.add("DELETE", "/oauth/v1/refresh-tokens/{token}",
        [this](const Request& q, const PathParams& p) { return refresh_token_delete(q, p); });
  r.add("GET", "/crm/v3/owners", api(&H::owners, LimitKind::kStandard, owners));
  r.add("GET", "/crm/v3/owners/{ownerId}", api(&H::owner, LimitKind::kStandard, owners));
  const std::string objects = "/crm/v3/objects/{type}";
  r.add("POST", objects + "/search", api(&H::search, LimitKind::kSearch, read));
  r.add("GET", objects, api(&H::list, LimitKind::kStandard, read));
  r.add("POST", objects, api(&H::create, LimitKind::kStandard, write));
  r.add("GET", objects + "/{id}", api(&H::read, LimitKind::kStandard, read));
  r.add("PATCH", objects + "/{id}", api(&H::update, LimitKind::kStandard, write));
  r.add("DELETE", objects + "/{id}", api(&H::archive, LimitKind::kStandard, write));
  r.add("GET", objects + "/{id}/associations/{toType}", api(&H::list_associations, LimitKind::kStandard, read));
  r.add("PUT", objects + "/{id}/associations/{toType}/{toId}/{assocType}",
        api(&H::associate, LimitKind::kStandard, write));
  r.add("DELETE", objects + "/{id}/associations/{toType}/{toId}/{assocType}",
        api(&H::disassociate, LimitKind::kStandard, write));
}

Handler HubSpotEmulator::api(ApiMethod method, LimitKind kind, std::vector<std::string> scopes) {
  return [this, method, kind, scopes = std::move(scopes)](const Request& request, const PathParams& params) {
    Caller caller;
    if (auto denied = authenticate(request, caller)) return *denied;
    if (!has_any_scope(caller.scopes, scopes)) {
      // Body per docs/crm-and-telephony-apis.md 2.10 (403 MISSING_SCOPES, observed).
      return error_response(
          403, "MISSING_SCOPES", kMissingScopesMessage,
          boost::json::object{
              {"errors",
               boost::json::array{boost::json::object{
                   {"message", "One or more of the following scopes are required."},
                   {"context", boost::json::object{{"requiredGranularScopes", boost::json::value_from(scopes)}}}}}},
              {"links", boost::json::object{{"scopes", "https://developers.hubspot.com/scopes"}}}});
    }
    Response headers;
    if (auto limited = apply_limits(caller, kind, headers)) return *limited;
    ApiCall call{request, params, caller};
    Response response;
    try {
      response = (this->*method)(call);
    } catch (const HsError& e) {
      response = error_response(e);
    }
    for (const auto& [k, v] : headers.headers) response.set_header(k, v);
    return response;
  };
}

std::optional<Response> HubSpotEmulator::authenticate(const Request& request, Caller& caller) {
  const std::string auth = request.header("authorization");
  std::string token;
  if (starts_with_ci(auth, "Bearer ")) token = trim(std::string_view(auth).substr(7));
  if (token.empty()) return error_response(401, "INVALID_AUTHENTICATION", kMissingCredentialsMessage);
  caller.token = token;
  {
    std::shared_lock lock(config_mutex_);
    if (auto it = private_apps_.find(token); it != private_apps_.end()) {
      // Private-app tokens do not expire (https://developers.hubspot.com/docs/guides/apps/private-apps/overview).
      caller.private_app = true;
      caller.bucket = "pat:" + token;
      caller.scopes = join(it->second.scopes, " ");
      return std::nullopt;
    }
  }
  const Knobs knobs = ctx_.knobs.snapshot();
  const std::int64_t now = now_ms();
  if (auto access = ctx_.tokens.find_access(token, now, knobs.token_lifetime_s)) {
    caller.bucket = "app:" + access->client_id;
    caller.owner_id = access->user_id;
    caller.scopes = access->scope;
    return std::nullopt;
  }
  std::optional<IssuedToken> issued;
  {
    std::lock_guard lock(issued_mutex_);
    if (auto it = issued_.find(token); it != issued_.end()) issued = it->second;
  }
  if (!issued) return error_response(401, "INVALID_AUTHENTICATION", kMissingCredentialsMessage);
  // A token we issued that is no longer valid expired: by age, or forced (/__sandbox/expire-tokens).
  std::int64_t expired_at = issued->issued_ms + static_cast<std::int64_t>(knobs.token_lifetime_s * 1000.0);
  if (knobs.token_lifetime_s <= 0 || expired_at > now) expired_at = now;
  // Body per docs/crm-and-telephony-apis.md 2.10 (observed verbatim shape).
  return error_response(
      401, "EXPIRED_AUTHENTICATION",
      "The OAuth token used to make this call expired " + ago_text(now - expired_at) + " ago.",
      boost::json::object{
          {"context", boost::json::object{{"expire time", boost::json::array{boost::json::string(
                                                              sdk::time::format_iso8601_utc(expired_at, true))}}}}});
}

int HubSpotEmulator::ten_secondly_max(const Caller& caller) const {
  std::shared_lock lock(config_mutex_);
  return caller.private_app ? limits_.private_app_ten_secondly : limits_.oauth_ten_secondly;
}

void HubSpotEmulator::set_rate_headers(Response& r, const Caller& caller, int used_in_window) const {
  // Header names:
  // https://developers.hubspot.com/changelog/2018-11-06-rate-limit-information-headers-will-be-included-in-http-responses
  // and docs/crm-and-telephony-apis.md 2.11.
  const std::int64_t daily = ctx_.knobs.snapshot().daily_api_limit;
  std::int64_t interval = 10000;
  {
    std::shared_lock lock(config_mutex_);
    interval = limits_.interval_ms;
  }
  r.set_header("X-HubSpot-RateLimit-Daily", std::to_string(daily));
  r.set_header("X-HubSpot-RateLimit-Daily-Remaining",
               std::to_string(std::max<std::int64_t>(0, daily - ctx_.usage.used())));
  r.set_header("X-HubSpot-RateLimit-Interval-Milliseconds", std::to_string(interval));
  if (const int max = ten_secondly_max(caller); max > 0) {
    r.set_header("X-HubSpot-RateLimit-Max", std::to_string(max));
    r.set_header("X-HubSpot-RateLimit-Remaining", std::to_string(std::max(0, max - used_in_window)));
  }
}

std::optional<Response> HubSpotEmulator::apply_limits(const Caller& caller, LimitKind kind, Response& headers_out) {
  const std::int64_t now = now_ms();
  const Knobs knobs = ctx_.knobs.snapshot();
  RateLimits limits;
  {
    std::shared_lock lock(config_mutex_);
    limits = limits_;
  }
  if (kind == LimitKind::kSearch) {
    // Search has its own per-token limit and is exempt from the ten-secondly one (the specs mark the
    // search paths x-hubspot-rate-limit-exemptions: ["ten-secondly"]); its 429 says SECONDLY and its
    // answers carry no X-HubSpot-RateLimit-* headers (docs/crm-and-telephony-apis.md 2.11).
    if (limits.search_per_second > 0) {
      std::lock_guard lock(rate_mutex_);
      if (search_hits_.size() > 4096) // forget idle tokens
        for (auto it = search_hits_.begin(); it != search_hits_.end();)
          it = (it->second.empty() || now - it->second.back() >= 1000) ? search_hits_.erase(it) : std::next(it);
      auto& hits = search_hits_[caller.token];
      while (!hits.empty() && now - hits.front() >= 1000) hits.pop_front();
      if (static_cast<int>(hits.size()) >= limits.search_per_second) return rate_limit_response("SECONDLY");
      hits.push_back(now);
    }
    if (!ctx_.usage.try_consume(knobs.daily_api_limit)) return rate_limit_response("DAILY");
    return std::nullopt;
  }

  int used_in_window = 0;
  const int max = caller.private_app ? limits.private_app_ten_secondly : limits.oauth_ten_secondly;
  if (max > 0) {
    std::lock_guard lock(rate_mutex_);
    auto& hits = ten_secondly_[caller.bucket];
    while (!hits.empty() && now - hits.front() >= limits.interval_ms) hits.pop_front();
    if (static_cast<int>(hits.size()) >= max) {
      auto r = rate_limit_response("TEN_SECONDLY_ROLLING");
      const double wait_s = static_cast<double>(hits.front() + limits.interval_ms - now) / 1000.0;
      r.set_header("Retry-After", std::to_string(std::max<long long>(1, static_cast<long long>(std::ceil(wait_s)))));
      set_rate_headers(r, caller, max);
      return r;
    }
    hits.push_back(now);
    used_in_window = static_cast<int>(hits.size());
  }
  if (!ctx_.usage.try_consume(knobs.daily_api_limit)) {
    auto r = rate_limit_response("DAILY");
    set_rate_headers(r, caller, used_in_window);
    return r;
  }
  set_rate_headers(headers_out, caller, used_in_window);
  return std::nullopt;
}

Response HubSpotEmulator::handle(const Request& request) {
  auto match = router_.match(request.method, request.path);
  if (match.handler) return (*match.handler)(request, match.params);
  if (!match.allowed.empty()) {
    auto r = error_response(405, "VALIDATION_ERROR", "HTTP " + request.method + " is not supported by this endpoint");
    r.set_header("Allow", join(match.allowed, ", "));
    return r;
  }
  // An object path with an object type HubSpot does not know (observed wording:
  // https://github.com/HubSpot/hubspot-api-php/issues/128).
  const auto parts = split_path(request.path);
  if (parts.size() >= 4 && parts[0] == "crm" && parts[1] == "v3" && parts[2] == "objects" && !schema_.object(parts[3]))
    return error_response(400, "VALIDATION_ERROR", "Unable to infer object type from: " + std::string(parts[3]));
  return error_response(404, "OBJECT_NOT_FOUND", kNotFoundMessage);
}

Response HubSpotEmulator::fault_response(const Request& request, const Fault& fault) {
  int status = fault.status;
  if (fault.kind == FaultKind::kRateLimited) status = 429;
  if (fault.kind == FaultKind::kOverloaded) status = 503;
  const bool oauth = request.path.rfind("/oauth/", 0) == 0;
  const bool search = request.path.size() > 7 && request.path.substr(request.path.size() - 7) == "/search";
  Response r;
  if (status == 429) {
    r = rate_limit_response(search ? "SECONDLY" : "TEN_SECONDLY_ROLLING");
    if (!search && !oauth) {
      std::int64_t interval = 10000;
      int max = 0;
      {
        std::shared_lock lock(config_mutex_);
        interval = limits_.interval_ms;
        max = limits_.oauth_ten_secondly;
      }
      r.set_header("X-HubSpot-RateLimit-Interval-Milliseconds", std::to_string(interval));
      if (max > 0) {
        r.set_header("X-HubSpot-RateLimit-Max", std::to_string(max));
        r.set_header("X-HubSpot-RateLimit-Remaining", "0");
      }
    }
  } else if (oauth && status == 400) {
    // The token endpoint's own error shape (docs/crm-and-telephony-apis.md 2.2).
    r = Response::json(400, boost::json::object{{"status", "BAD_REFRESH_TOKEN"},
                                                {"message", "missing or invalid refresh token"},
                                                {"correlationId", new_correlation_id()},
                                                {"requestId", new_correlation_id()}});
  } else {
    switch (status) {
      case 400:
        r = error_response(400, "VALIDATION_ERROR", "Invalid input (details will vary based on the error)");
        break;
      case 401:
        r = error_response(
            401, "EXPIRED_AUTHENTICATION", "The OAuth token used to make this call expired 0 second(s) ago.",
            boost::json::object{
                {"context",
                 boost::json::object{{"expire time", boost::json::array{boost::json::string(
                                                         sdk::time::format_iso8601_utc(now_ms(), true))}}}}});
        break;
      case 403:
        r = error_response(403, "MISSING_SCOPES", kMissingScopesMessage);
        break;
      case 404:
        r = error_response(404, "OBJECT_NOT_FOUND", kNotFoundMessage);
        break;
      case 409:
        r = error_response(409, "CONFLICT", "Conflict: the object was changed by another request.");
        break;
      case 500:
        r = error_response(500, "", "internal error");
        break;
      case 502:
        r = error_response(502, "", "Bad Gateway");
        break;
      case 503:
        r = error_response(503, "", "Service Unavailable: the server is temporarily unable to handle the request.");
        break;
      case 504:
        r = error_response(504, "", "Gateway Timeout");
        break;
      default:
        r = error_response(status, status >= 500 ? "" : "VALIDATION_ERROR", "Injected fault " + std::to_string(status));
    }
  }
  if (fault.retry_after_s)
    r.set_header("Retry-After", std::to_string(static_cast<long long>(std::ceil(*fault.retry_after_s))));
  return r;
}

std::string HubSpotEmulator::canonical_object(std::string_view object) const {
  if (iequals(object, "owners") || iequals(object, "owner")) return "owners";
  const ObjectType* def = schema_.object(object);
  return def ? def->name : std::string();
}

boost::json::object HubSpotEmulator::export_record(std::string_view object, const Record& record) const {
  const ObjectType* def = schema_.object(object);
  if (!def) return record.fields;
  std::vector<std::string> all_types;
  for (const auto& o : schema_.objects()) all_types.push_back(o.name);
  return render(*def, record, nullptr, true, &all_types);
}

std::string HubSpotEmulator::new_access_token() {
  // Real tokens are opaque base64-like strings up to ~300 characters (oauth.json: "allow for tokens to be
  // up to 300 characters").
  return "CKv" + TokenStore::random_string(150);
}

void HubSpotEmulator::reset() {
  {
    std::unique_lock lock(config_mutex_);
    schema_ = Schema::standard();
    apps_.clear();
    private_apps_.clear();
    limits_ = RateLimits{};
    portal_id_ = 24681357;
    hub_domain_ = "sandbox.hubspot.example";
    default_country_code_ = "1";
    oauth_owner_id_.clear();
  }
  {
    std::lock_guard lock(id_mutex_);
    next_ids_.clear();
  }
  {
    std::lock_guard lock(rate_mutex_);
    ten_secondly_.clear();
    search_hits_.clear();
  }
  std::lock_guard lock(issued_mutex_);
  issued_.clear();
}

std::string HubSpotEmulator::next_id(std::string_view object, std::uint64_t first) {
  std::lock_guard lock(id_mutex_);
  auto it = next_ids_.find(object);
  if (it == next_ids_.end()) it = next_ids_.emplace(std::string(object), first).first;
  return std::to_string(it->second++);
}

std::string HubSpotEmulator::resolve_owner(std::string_view who) const {
  if (who.empty()) return {};
  if (ctx_.store.contains("owners", who)) return std::string(who);
  std::string found;
  ctx_.store.scan("owners", [&](const Record& r) {
    const auto* email = r.fields.if_contains("email");
    const auto* user = r.fields.if_contains("userId");
    if ((email && email->is_string() && iequals(email->get_string(), who)) ||
        (user && user->is_int64() && std::to_string(user->get_int64()) == who)) {
      found = r.id;
      return false;
    }
    return true;
  });
  return found;
}

std::string HubSpotEmulator::insert_owner(boost::json::object fields) {
  // PublicOwner (crmOwners.json): id, email, firstName, lastName, userId, userIdIncludingInactive, type,
  // createdAt, updatedAt, archived, teams.
  const std::string id = next_id("owners", 70000001);
  const std::int64_t now = now_ms();
  const auto user_id = json_int(fields, "userId", 40000000 + static_cast<std::int64_t>(std::stoull(id) % 1000000));
  boost::json::object owner;
  owner["id"] = id;
  owner["email"] = json_string(fields, "email");
  owner["type"] = json_string(fields, "type", "PERSON");
  owner["firstName"] = json_string(fields, "firstName");
  owner["lastName"] = json_string(fields, "lastName");
  owner["userId"] = user_id;
  owner["userIdIncludingInactive"] = user_id;
  auto stamp = [&](const char* key) {
    const std::string given = json_string(fields, key);
    auto ms = given.empty() ? std::optional<std::int64_t>(now) : sdk::time::parse_iso8601_ms(given);
    if (!ms) throw std::invalid_argument(std::string("owner ") + key + " is not an ISO 8601 datetime");
    return sdk::time::format_iso8601_utc(*ms, true);
  };
  owner["createdAt"] = stamp("createdAt");
  owner["updatedAt"] = stamp("updatedAt");
  owner["archived"] = json_bool(fields, "archived", false);
  if (const auto* teams = fields.if_contains("teams"); teams && teams->is_array()) owner["teams"] = *teams;
  for (const auto& kv : fields)
    if (!owner.contains(kv.key()) && kv.key() != "_ref")
      throw std::invalid_argument("unknown owner field '" + std::string(kv.key()) + "'");
  Record record;
  record.id = id;
  record.fields = std::move(owner);
  record.created_ms = now;
  record.preexisting = true;
  ctx_.store.insert("owners", std::move(record));
  return id;
}

std::string HubSpotEmulator::insert_seed(const ObjectType& object, boost::json::object fields,
                                         const std::function<std::string(const std::string&)>& resolve) {
  // Either {"properties": {...}, "createdAt", "updatedAt"} or the properties themselves.
  boost::json::object properties;
  std::optional<std::int64_t> created_ms, updated_ms;
  auto time_of = [](const boost::json::value& v, const char* what) -> std::int64_t {
    std::optional<std::int64_t> ms;
    if (v.is_string()) ms = sdk::time::parse_iso8601_ms(v.get_string());
    if (v.is_int64()) ms = v.get_int64();
    if (!ms) throw std::invalid_argument(std::string(what) + " is not an ISO 8601 datetime");
    return *ms;
  };
  if (const auto* p = fields.if_contains("properties"); p && p->is_object()) {
    properties = p->get_object();
    if (const auto* c = fields.if_contains("createdAt")) created_ms = time_of(*c, "createdAt");
    if (const auto* u = fields.if_contains("updatedAt")) updated_ms = time_of(*u, "updatedAt");
  } else {
    properties = std::move(fields);
  }
  boost::json::object clean;
  for (auto& kv : properties) {
    const PropertyDef* def = object.property(kv.key());
    if (!def) throw std::invalid_argument("no property '" + std::string(kv.key()) + "' on " + object.name);
    if (kv.key() == "hs_object_id") throw std::invalid_argument("ids are assigned by the sandbox");
    if (kv.key() == object.created_property) {
      created_ms = time_of(kv.value(), "created date");
      continue;
    }
    if (kv.key() == object.modified_property) {
      updated_ms = time_of(kv.value(), "modified date");
      continue;
    }
    const boost::json::value& v = kv.value();
    std::string text;
    if (v.is_string())
      text = std::string(v.get_string());
    else if (v.is_int64())
      text = std::to_string(v.get_int64());
    else if (v.is_bool())
      text = v.get_bool() ? "true" : "false";
    else if (v.is_double())
      text = boost::json::serialize(v);
    else if (!v.is_null())
      throw std::invalid_argument("property '" + def->name + "' must be a scalar");
    if (!text.empty() && text.front() == '@') text = resolve(text.substr(1));
    if (def->type == PropType::kDateTime && !text.empty()) {
      std::optional<std::int64_t> ms = sdk::time::parse_iso8601_ms(text);
      if (!ms && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; }))
        ms = std::stoll(text);
      if (!ms) throw std::invalid_argument(def->name + " is not a datetime");
      text = sdk::time::format_iso8601_utc(*ms, true);
    }
    if (def->owner && !text.empty()) {
      const auto owner = resolve_owner(text);
      if (owner.empty()) throw std::invalid_argument(def->name + " refers to unknown owner '" + text + "'");
      text = owner;
    }
    if (text.empty())
      clean[def->name] = nullptr;
    else
      clean[def->name] = text;
  }
  if (created_ms && !updated_ms) updated_ms = created_ms;
  return insert_record(object, std::move(clean), {}, true, created_ms, updated_ms);
}

void HubSpotEmulator::load_seed(const boost::json::value& seed) {
  // HubSpot access tokens live 30 minutes (expires_in 1800), unless the seed's knobs say otherwise.
  const bool lifetime_set = seed.is_object() && seed.as_object().if_contains("knobs") &&
                            seed.as_object().at("knobs").is_object() &&
                            seed.as_object().at("knobs").as_object().contains("token_lifetime_s");
  if (!lifetime_set) ctx_.knobs.apply(boost::json::object{{"token_lifetime_s", kTokenLifetimeS}});
  if (seed.is_null()) return;
  const auto& s = seed.as_object();

  {
    std::unique_lock lock(config_mutex_);
    if (const auto* portal = s.if_contains("portal"); portal && portal->is_object()) {
      const auto& p = portal->as_object();
      portal_id_ = json_int(p, "id", portal_id_);
      hub_domain_ = json_string(p, "domain", hub_domain_);
      default_country_code_ = json_string(p, "default_country_code", default_country_code_);
    }
    if (const auto* rl = s.if_contains("rate_limits"); rl && rl->is_object()) {
      const auto& o = rl->as_object();
      for (const auto& kv : o)
        if (kv.key() != "oauth_ten_secondly" && kv.key() != "private_app_ten_secondly" &&
            kv.key() != "search_per_second" && kv.key() != "interval_ms")
          throw std::runtime_error("unknown rate_limits field '" + std::string(kv.key()) + "'");
      limits_.oauth_ten_secondly = static_cast<int>(json_int(o, "oauth_ten_secondly", limits_.oauth_ten_secondly));
      limits_.private_app_ten_secondly =
          static_cast<int>(json_int(o, "private_app_ten_secondly", limits_.private_app_ten_secondly));
      limits_.search_per_second = static_cast<int>(json_int(o, "search_per_second", limits_.search_per_second));
      limits_.interval_ms = json_int(o, "interval_ms", limits_.interval_ms);
      if (limits_.interval_ms < 1) throw std::runtime_error("rate_limits.interval_ms must be positive");
    }
    // Portal-defined properties, e.g. the connector's external-id property on calls/communications/notes.
    if (const auto* custom = s.if_contains("custom_properties"); custom && custom->is_object()) {
      for (const auto& kv : custom->as_object()) {
        if (!kv.value().is_array())
          throw std::runtime_error("custom_properties." + std::string(kv.key()) + " must be an array");
        for (const auto& f : kv.value().as_array()) {
          if (!f.is_object()) throw std::runtime_error("custom property definitions are objects");
          const auto& o = f.as_object();
          PropertyDef def;
          def.name = json_string(o, "name");
          const std::string type = json_string(o, "type", "string");
          if (type == "string")
            def.type = PropType::kString;
          else if (type == "number")
            def.type = PropType::kNumber;
          else if (type == "datetime")
            def.type = PropType::kDateTime;
          else if (type == "bool")
            def.type = PropType::kBool;
          else if (type == "enumeration")
            def.type = PropType::kEnumeration;
          else
            throw std::runtime_error("unknown custom property type '" + type + "'");
          def.options = string_list(o.if_contains("options"), "custom property options");
          try {
            schema_.add_custom_property(kv.key(), std::move(def));
          } catch (const std::invalid_argument& e) {
            throw std::runtime_error(std::string("seed custom_properties: ") + e.what());
          }
        }
      }
    }
    // Extra call outcomes (hs_call_disposition GUIDs) a portal defined.
    if (const auto* outcomes = s.if_contains("call_outcomes"))
      for (const auto& id : string_list(outcomes, "call_outcomes"))
        schema_.add_option("calls", "hs_call_disposition", id);
  }

  // Owners first: records refer to them. "_ref" names a record; "@name" anywhere else is its id.
  std::unordered_map<std::string, std::string> refs;
  auto resolve = [&](const std::string& ref) {
    auto it = refs.find(ref);
    if (it == refs.end()) throw std::runtime_error("seed refers to unknown record @" + ref);
    return it->second;
  };
  if (const auto* owners = s.if_contains("owners")) {
    if (!owners->is_array()) throw std::runtime_error("seed owners must be an array");
    for (const auto& o : owners->as_array()) {
      if (!o.is_object()) throw std::runtime_error("seed owners are objects");
      const std::string ref = json_string(o.as_object(), "_ref");
      try {
        const auto id = insert_owner(o.as_object());
        if (!ref.empty()) refs[ref] = id;
      } catch (const std::invalid_argument& e) {
        throw std::runtime_error(std::string("seed owners: ") + e.what());
      }
    }
  }
  auto owner_of = [&](std::string who, const std::string& what) {
    if (!who.empty() && who.front() == '@') who = resolve(who.substr(1));
    auto id = resolve_owner(who);
    if (id.empty()) throw std::runtime_error(what + " refers to unknown owner '" + who + "'");
    return id;
  };
  {
    std::string oauth_owner;
    if (auto who = json_string(s, "oauth_user"); !who.empty()) {
      oauth_owner = owner_of(who, "oauth_user");
    } else {
      ctx_.store.scan("owners", [&](const Record& r) {
        oauth_owner = r.id;
        return false;
      });
    }
    std::unique_lock lock(config_mutex_);
    oauth_owner_id_ = oauth_owner;
  }

  const auto* records = s.if_contains("records");
  if (records && !records->is_object()) throw std::runtime_error("seed 'records' must be an object of arrays");
  if (records) {
    // Contacts before activities, so associations can name them.
    std::vector<std::string> order = {"contacts", "calls", "communications", "notes"};
    for (const auto& kv : records->as_object())
      if (!schema_.object(kv.key()))
        throw std::runtime_error("seed has records of unknown object '" + std::string(kv.key()) + "'");
    for (const auto& name : order) {
      const auto* list = records->as_object().if_contains(name);
      if (!list) continue;
      if (!list->is_array()) throw std::runtime_error("seed records." + name + " must be an array");
      const ObjectType& object = *schema_.object(name);
      for (const auto& item : list->as_array()) {
        if (!item.is_object()) throw std::runtime_error("seed records are objects");
        boost::json::object fields = item.as_object();
        const std::string ref = json_string(fields, "_ref");
        fields.erase("_ref");
        boost::json::value associations = nullptr;
        if (auto* a = fields.if_contains("associations")) {
          associations = *a;
          fields.erase("associations");
        }
        std::string id;
        try {
          id = insert_seed(object, std::move(fields), resolve);
        } catch (const std::invalid_argument& e) {
          throw std::runtime_error("seed " + name + ": " + e.what());
        }
        if (!ref.empty()) refs[ref] = id;
        // "associations": [{"to": "@olivia", "type": 194}] (type defaults to the HUBSPOT_DEFINED one).
        if (associations.is_array()) {
          for (const auto& a : associations.as_array()) {
            if (!a.is_object()) throw std::runtime_error("seed associations are objects");
            std::string to = json_string(a.as_object(), "to");
            if (!to.empty() && to.front() == '@') to = resolve(to.substr(1));
            const AssociationType* type = nullptr;
            if (const auto t = json_int(a.as_object(), "type", 0); t != 0)
              type = schema_.association(name, static_cast<int>(t));
            else
              type = schema_.default_association(name, "contacts");
            if (!type || !ctx_.store.contains(type->to, to))
              throw std::runtime_error("seed " + name + " association to '" + to + "' is invalid");
            add_association(object, id, *type, to, "HUBSPOT_DEFINED");
          }
        }
      }
    }
  }

  std::unique_lock lock(config_mutex_);
  if (const auto* apps = s.if_contains("apps")) {
    if (!apps->is_array()) throw std::runtime_error("seed apps must be an array");
    for (const auto& a : apps->as_array()) {
      if (!a.is_object()) throw std::runtime_error("app entries are objects");
      const auto& o = a.as_object();
      App app;
      app.client_id = json_string(o, "client_id");
      if (app.client_id.empty()) throw std::runtime_error("app without client_id");
      app.client_secret = json_string(o, "client_secret");
      app.app_id = json_int(o, "app_id", 1000000 + static_cast<std::int64_t>(apps_.size()) + 1);
      app.redirect_uris = string_list(o.if_contains("redirect_uris"), "redirect_uris");
      app.allow_loopback_redirects = json_bool(o, "allow_loopback_redirects", false);
      app.scopes = string_list(o.if_contains("scopes"), "scopes");
      if (app.scopes.empty()) app.scopes = kAllScopes;
      apps_[app.client_id] = std::move(app);
    }
  }
  if (const auto* pats = s.if_contains("private_apps")) {
    if (!pats->is_array()) throw std::runtime_error("seed private_apps must be an array");
    for (const auto& a : pats->as_array()) {
      if (!a.is_object()) throw std::runtime_error("private app entries are objects");
      const auto& o = a.as_object();
      PrivateApp app;
      app.token = json_string(o, "token");
      if (app.token.rfind("pat-", 0) != 0) throw std::runtime_error("private app tokens start with \"pat-\"");
      app.name = json_string(o, "name", "Private app");
      app.app_id = json_int(o, "app_id", 2000000 + static_cast<std::int64_t>(private_apps_.size()) + 1);
      app.scopes = string_list(o.if_contains("scopes"), "scopes");
      if (app.scopes.empty()) app.scopes = kAllScopes;
      private_apps_[app.token] = std::move(app);
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
      auto app = apps_.find(rt.client_id);
      if (rt.token.empty() || app == apps_.end())
        throw std::runtime_error("refresh token needs a token and the client_id of a seeded app");
      const std::string who = json_string(o, "user");
      rt.user_id = who.empty() ? oauth_owner_id_ : owner_of(who, "refresh token");
      rt.scope = join(app->second.scopes, " ");
      ctx_.tokens.add_refresh(std::move(rt));
    }
  }
}

std::string HubSpotEmulator::seed_record(std::string_view object, boost::json::object fields) {
  if (canonical_object(object) == "owners") return insert_owner(std::move(fields));
  const ObjectType* def = schema_.object(object);
  if (!def) throw std::invalid_argument("unknown object '" + std::string(object) + "'");
  return insert_seed(*def, std::move(fields), [](const std::string& ref) -> std::string {
    throw std::invalid_argument("references (@" + ref + ") only work in seed files");
  });
}

boost::json::object HubSpotEmulator::issue_test_token(const boost::json::object& request) {
  const std::string who = json_string(request, "user");
  std::string owner_id;
  std::string client_id = json_string(request, "client_id");
  std::vector<std::string> scopes = kAllScopes;
  std::int64_t portal = 0;
  {
    std::shared_lock lock(config_mutex_);
    owner_id = who.empty() ? oauth_owner_id_ : std::string();
    if (client_id.empty()) client_id = apps_.empty() ? "sandbox-test-client" : apps_.begin()->first;
    if (auto it = apps_.find(client_id); it != apps_.end()) scopes = it->second.scopes;
    portal = portal_id_;
  }
  if (!who.empty()) owner_id = resolve_owner(who);
  if (!who.empty() && owner_id.empty()) throw std::invalid_argument("no such owner '" + who + "'");
  const auto token = ctx_.tokens.issue_access(new_access_token(), owner_id, client_id, join(scopes, " "), now_ms());
  {
    std::lock_guard lock(issued_mutex_);
    issued_[token.token] = IssuedToken{token.issued_ms, client_id};
  }
  const double lifetime = ctx_.knobs.snapshot().token_lifetime_s;
  return {
      {"access_token", token.token},
      {"instance_url", ctx_.base_url},
      {"token_type", "bearer"},
      {"expires_in", lifetime > 0 ? static_cast<std::int64_t>(lifetime) : static_cast<std::int64_t>(kTokenLifetimeS)},
      {"hub_id", portal},
      {"owner_id", owner_id}};
}

} // namespace appconnect::crm_sandbox::hubspot
