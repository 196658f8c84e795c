#include "generic/generic_emulator.hpp"

#include "framework/json_util.hpp"
#include "framework/token_store.hpp"

#include <appconnect/time.hpp>

#include <cmath>
#include <stdexcept>

namespace appconnect::crm_sandbox::generic {

namespace json = boost::json;

namespace {

constexpr const char* kUsers = "users";
constexpr const char* kContacts = "contacts";
constexpr const char* kActivities = "activities";

Response error(int status, const std::string& code, const std::string& message) {
  return Response::json(status, json::object{{"error", json::object{{"code", code}, {"message", message}}}});
}

std::string digits_of(std::string_view text) {
  std::string out;
  for (char c : text)
    if (c >= '0' && c <= '9') out.push_back(c);
  return out;
}

// Two spellings are the same number when their digits agree on the last 10 (national number in NANP and
// most plans); shorter numbers must match exactly. Good enough for a sandbox, stated in the docs.
bool same_number(const std::string& a, const std::string& b) {
  const std::string da = digits_of(a), db = digits_of(b);
  if (da.empty() || db.empty()) return false;
  if (da.size() < 10 || db.size() < 10) return da == db;
  return da.substr(da.size() - 10) == db.substr(db.size() - 10);
}

std::string now_iso() {
  return sdk::time::format_iso8601_utc(now_ms(), false);
}

bool is_kind(const std::string& k) {
  return k == "call" || k == "sms" || k == "fax" || k == "voicemail";
}

// The writable activity fields and their JSON types ('s' string, 'i' integer, 'b' boolean).
constexpr std::pair<const char*, char> kActivityFields[] = {
    {"contact_id", 's'},  {"owner_id", 's'},      {"direction", 's'},      {"subject", 's'},       {"body", 's'},
    {"body_format", 's'}, {"start_time", 's'},    {"duration_s", 'i'},     {"result", 's'},        {"from_phone", 's'},
    {"to_phone", 's'},    {"recording_url", 's'}, {"attachment_url", 's'}, {"message_count", 'i'}, {"pending", 'b'}};

} // namespace

GenericEmulator::GenericEmulator(SandboxContext& context) : ctx_(context) {
  add_routes();
}

void GenericEmulator::add_routes() {
  using G = GenericEmulator;
  router_.add("GET", "/oauth/authorize", [this](const Request& q, const PathParams&) { return oauth_authorize(q); });
  router_.add("POST", "/oauth/token", [this](const Request& q, const PathParams&) { return oauth_token(q); });
  router_.add("GET", "/api/v1/users", authed(&G::list_users));
  router_.add("GET", "/api/v1/contacts", authed(&G::search_contacts));
  router_.add("POST", "/api/v1/contacts", authed(&G::create_contact));
  router_.add("GET", "/api/v1/contacts/{id}", authed(&G::get_contact));
  router_.add("GET", "/api/v1/activities", authed(&G::find_activities));
  router_.add("POST", "/api/v1/activities", authed(&G::create_activity));
  router_.add("GET", "/api/v1/activities/{id}", authed(&G::get_activity));
  router_.add("PATCH", "/api/v1/activities/{id}", authed(&G::update_activity));
}

Handler GenericEmulator::authed(Authed method) {
  return [this, method](const Request& request, const PathParams& params) -> Response {
    const std::string auth = request.header("authorization");
    if (auth.size() <= 7 || !iequals(std::string_view(auth).substr(0, 7), "Bearer "))
      return error(401, "unauthorized", "missing bearer token");
    const Knobs knobs = ctx_.knobs.snapshot();
    const auto token = ctx_.tokens.find_access(auth.substr(7), now_ms(), knobs.token_lifetime_s);
    if (!token) return error(401, "unauthorized", "the access token is unknown or expired");
    if (!ctx_.usage.try_consume(knobs.daily_api_limit)) {
      auto r = error(429, "rate_limited", "daily API limit reached");
      r.set_header("Retry-After", "3600");
      return r;
    }
    return (this->*method)(request, params, *token);
  };
}

void GenericEmulator::reset() {
  std::lock_guard lock(config_mutex_);
  clients_.clear();
  next_id_ = 1;
}

// seeds/generic-demo.json, embedded at build time (tools/crm-sandbox/CMakeLists.txt).
extern const char kDefaultSeed[];

void GenericEmulator::load_seed(const json::value& given) {
  // Without --seed the demo data is served: the plugin template's first run needs its client and users.
  const json::value seed = given.is_null() ? json::parse(kDefaultSeed) : given;
  if (!seed.is_object()) throw std::runtime_error("generic seed must be a JSON object");
  const auto& o = seed.get_object();
  auto list = [&](const char* key) -> const json::array* {
    const auto* v = o.if_contains(key);
    if (v == nullptr) return nullptr;
    if (!v->is_array()) throw std::runtime_error(std::string("seed field '") + key + "' must be an array");
    return &v->get_array();
  };
  if (const auto* clients = list("clients"))
    for (const auto& c : *clients) {
      if (!c.is_object()) throw std::runtime_error("seed clients must be objects");
      Client client{json_string(c.get_object(), "client_id"), json_string(c.get_object(), "client_secret")};
      if (client.client_id.empty()) throw std::runtime_error("seed client without client_id");
      std::lock_guard lock(config_mutex_);
      clients_[client.client_id] = client;
    }
  auto records = [&](const char* key, const char* prefix) {
    if (const auto* items = list(key))
      for (const auto& item : *items) {
        if (!item.is_object()) throw std::runtime_error(std::string("seed ") + key + " must be objects");
        insert(key, prefix, item.get_object(), true);
      }
  };
  records(kUsers, "u-");
  records(kContacts, "c-");
  if (const auto* tokens = list("refresh_tokens"))
    for (const auto& t : *tokens) {
      if (!t.is_object()) throw std::runtime_error("seed refresh_tokens must be objects");
      const auto& to = t.get_object();
      ctx_.tokens.add_refresh(
          {json_string(to, "token"), json_string(to, "user", first_user_id()), json_string(to, "client_id"), "crm"});
    }
}

std::string GenericEmulator::insert(const char* object, const char* prefix, json::object fields, bool preexisting) {
  std::string id = json_string(fields, "id");
  if (id.empty()) id = prefix + std::to_string(next_id_++);
  if (ctx_.store.contains(object, id)) throw std::invalid_argument("duplicate " + std::string(object) + " id " + id);
  fields.erase("id");
  const std::string now = now_iso();
  if (!fields.contains("created_at")) fields["created_at"] = now;
  if (!fields.contains("updated_at")) fields["updated_at"] = now;
  Record r;
  r.id = id;
  r.fields = std::move(fields);
  r.created_ms = now_ms();
  r.preexisting = preexisting;
  ctx_.store.insert(object, std::move(r));
  return id;
}

json::object GenericEmulator::render(std::string_view object, const Record& record) const {
  json::object out{{"id", record.id}};
  for (const auto& kv : record.fields) out[kv.key()] = kv.value();
  if (object != kUsers) out["url"] = ctx_.base_url + "/app/" + std::string(object) + "/" + record.id;
  return out;
}

std::optional<GenericEmulator::Client> GenericEmulator::client(const std::string& id) const {
  std::lock_guard lock(config_mutex_);
  auto it = clients_.find(id);
  if (it == clients_.end()) return std::nullopt;
  return it->second;
}

std::string GenericEmulator::first_user_id() const {
  std::string id;
  ctx_.store.scan(kUsers, [&](const Record& r) {
    id = r.id;
    return false;
  });
  return id;
}

Response GenericEmulator::handle(const Request& request) {
  auto match = router_.match(request.method, request.path);
  if (match.handler) return (*match.handler)(request, match.params);
  if (!match.allowed.empty()) return error(405, "method_not_allowed", "use " + match.allowed.front());
  return error(404, "not_found", "no such endpoint: " + request.method + " " + request.path);
}

Response GenericEmulator::fault_response(const Request&, const Fault& fault) {
  int status = fault.status;
  if (fault.kind == FaultKind::kRateLimited) status = 429;
  if (fault.kind == FaultKind::kOverloaded) status = 503;
  std::string code = "validation";
  if (status == 401)
    code = "unauthorized";
  else if (status == 403)
    code = "forbidden";
  else if (status == 404)
    code = "not_found";
  else if (status == 409)
    code = "conflict";
  else if (status == 429)
    code = "rate_limited";
  else if (status >= 500)
    code = "unavailable";
  auto r = error(status, code, "injected fault " + std::to_string(status));
  if (fault.retry_after_s)
    r.set_header("Retry-After", std::to_string(static_cast<long long>(std::ceil(*fault.retry_after_s))));
  return r;
}

// ---- OAuth 2 (authorization code with auto-consent, refresh token)

Response GenericEmulator::oauth_authorize(const Request& request) {
  const std::string client_id = request.query_value("client_id");
  const std::string redirect_uri = request.query_value("redirect_uri");
  if (!client(client_id)) return error(400, "invalid_client", "unknown client_id '" + client_id + "'");
  if (!redirect_uri_allowed({}, true, redirect_uri))
    return error(400, "invalid_request", "redirect_uri must be a loopback URL in the sandbox");
  AuthCode code;
  code.code = TokenStore::random_string(24);
  code.client_id = client_id;
  code.redirect_uri = redirect_uri;
  code.user_id = first_user_id();
  code.scope = "crm";
  code.issued_ms = now_ms();
  const std::string text = code.code;
  ctx_.tokens.add_code(std::move(code));
  std::vector<std::pair<std::string, std::string>> q{{"code", text}};
  if (const auto* state = request.query_param("state")) q.emplace_back("state", *state);
  return Response::redirect(append_query(redirect_uri, q));
}

Response GenericEmulator::oauth_token(const Request& request) {
  std::map<std::string, std::string> form;
  for (const auto& [k, v] : parse_query_string(request.body)) form[k] = v;
  const auto c = client(form["client_id"]);
  if (!c || c->client_secret != form["client_secret"])
    return error(401, "invalid_client", "unknown client or wrong client_secret");
  std::string user_id, refresh = form["refresh_token"];
  if (form["grant_type"] == "authorization_code") {
    auto code = ctx_.tokens.take_code(form["code"]);
    if (!code || code->client_id != c->client_id || code->redirect_uri != form["redirect_uri"])
      return error(400, "invalid_grant", "the code is unknown, used, or for another client or redirect_uri");
    user_id = code->user_id;
    refresh = TokenStore::random_string(32);
    ctx_.tokens.add_refresh({refresh, user_id, c->client_id, "crm"});
  } else if (form["grant_type"] == "refresh_token") {
    auto known = ctx_.tokens.find_refresh(refresh);
    if (!known || (!known->client_id.empty() && known->client_id != c->client_id))
      return error(400, "invalid_grant", "the refresh token is unknown or revoked");
    user_id = known->user_id;
  } else {
    return error(400, "unsupported_grant_type", "grant_type must be authorization_code or refresh_token");
  }
  const double lifetime = ctx_.knobs.snapshot().token_lifetime_s;
  const auto token = ctx_.tokens.issue_access(TokenStore::random_string(32), user_id, c->client_id, "crm", now_ms());
  return Response::json(200, json::object{{"access_token", token.token},
                                          {"token_type", "Bearer"},
                                          {"expires_in", static_cast<std::int64_t>(lifetime > 0 ? lifetime : 3600)},
                                          {"refresh_token", refresh}});
}

// ---- API

Response GenericEmulator::list_users(const Request&, const PathParams&, const AccessToken&) {
  json::array users;
  for (const auto& r : ctx_.store.list(kUsers)) users.push_back(render(kUsers, r));
  return Response::json(200, json::object{{"users", std::move(users)}});
}

Response GenericEmulator::search_contacts(const Request& request, const PathParams&, const AccessToken&) {
  const std::string phone = request.query_value("phone");
  if (digits_of(phone).empty()) return error(400, "validation", "query parameter 'phone' with digits is required");
  const double lag_ms = ctx_.knobs.snapshot().search_index_lag_s * 1000.0;
  const std::int64_t now = now_ms();
  json::array found;
  ctx_.store.scan(kContacts, [&](const Record& r) {
    if (!r.preexisting && static_cast<double>(now - r.created_ms) < lag_ms) return true; // not indexed yet
    if (same_number(json_string(r.fields, "phone"), phone) || same_number(json_string(r.fields, "mobile_phone"), phone))
      found.push_back(render(kContacts, r));
    return found.size() < 100;
  });
  return Response::json(200, json::object{{"contacts", std::move(found)}});
}

Response GenericEmulator::create_contact(const Request& request, const PathParams&, const AccessToken& token) {
  auto doc = try_parse_json(request.body);
  if (!doc || !doc->is_object()) return error(400, "validation", "the body must be a JSON object");
  const auto& in = doc->get_object();
  json::object fields;
  for (const char* key : {"type", "first_name", "last_name", "phone", "mobile_phone", "email", "company", "owner_id"}) {
    const auto* v = in.if_contains(key);
    if (v != nullptr && !v->is_string() && !v->is_null())
      return error(400, "validation", std::string("field '") + key + "' must be a string");
    if (v != nullptr && v->is_string()) fields[key] = *v;
  }
  if (json_string(fields, "last_name").empty()) return error(400, "validation", "field 'last_name' is required");
  const std::string type = json_string(fields, "type", "contact");
  if (type != "contact" && type != "lead") return error(400, "validation", "field 'type' must be contact or lead");
  fields["type"] = type;
  const std::string owner = json_string(fields, "owner_id", token.user_id);
  if (!owner.empty() && !ctx_.store.contains(kUsers, owner))
    return error(400, "validation", "owner_id '" + owner + "' is not a user");
  fields["owner_id"] = owner;
  fields["name"] = (json_string(fields, "first_name").empty() ? "" : json_string(fields, "first_name") + " ") +
                   json_string(fields, "last_name");
  const std::string id = insert(kContacts, "c-", std::move(fields), false);
  return Response::json(201, render(kContacts, *ctx_.store.get(kContacts, id)));
}

Response GenericEmulator::get_contact(const Request&, const PathParams& params, const AccessToken&) {
  auto r = ctx_.store.get(kContacts, params["id"]);
  if (!r) return error(404, "not_found", "no contact " + params["id"]);
  return Response::json(200, render(kContacts, *r));
}

Response GenericEmulator::find_activities(const Request& request, const PathParams&, const AccessToken&) {
  const std::string external_id = request.query_value("external_id");
  const std::string kind = request.query_value("kind");
  if (external_id.empty()) return error(400, "validation", "query parameter 'external_id' is required");
  json::array found;
  ctx_.store.scan(kActivities, [&](const Record& r) {
    if (json_string(r.fields, "external_id") == external_id && (kind.empty() || json_string(r.fields, "kind") == kind))
      found.push_back(render(kActivities, r));
    return true;
  });
  return Response::json(200, json::object{{"activities", std::move(found)}});
}

namespace {
// Copies the writable fields of `in` into `out`; returns an error message for a wrongly typed one.
std::string copy_activity_fields(const json::object& in, json::object& out) {
  for (const auto& [key, type] : kActivityFields) {
    const auto* v = in.if_contains(key);
    if (v == nullptr || v->is_null()) continue;
    const bool ok = type == 's' ? v->is_string() : type == 'b' ? v->is_bool() : (v->is_int64() || v->is_uint64());
    if (!ok)
      return std::string("field '") + key + "' must be " +
             (type == 's'   ? "a string"
              : type == 'b' ? "a boolean"
                            : "an integer");
    out[key] = *v;
  }
  return {};
}
} // namespace

Response GenericEmulator::create_activity(const Request& request, const PathParams&, const AccessToken& token) {
  auto doc = try_parse_json(request.body);
  if (!doc || !doc->is_object()) return error(400, "validation", "the body must be a JSON object");
  const auto& in = doc->get_object();
  json::object fields;
  const std::string kind = json_string(in, "kind"), external_id = json_string(in, "external_id");
  if (!is_kind(kind)) return error(400, "validation", "field 'kind' must be call, sms, fax or voicemail");
  if (external_id.empty()) return error(400, "validation", "field 'external_id' is required");
  if (auto problem = copy_activity_fields(in, fields); !problem.empty()) return error(400, "validation", problem);
  if (json_string(fields, "body").size() > kMaxBodyBytes)
    return error(400, "validation", "field 'body' is longer than " + std::to_string(kMaxBodyBytes) + " bytes");
  const std::string contact = json_string(fields, "contact_id");
  if (!contact.empty() && !ctx_.store.contains(kContacts, contact))
    return error(400, "validation", "contact_id '" + contact + "' is not a contact");
  if (json_string(fields, "owner_id").empty()) fields["owner_id"] = token.user_id;
  // One activity per (kind, external_id): a second create is a conflict naming the first, so a client
  // that lost the answer to its first create can recover the id instead of writing a duplicate.
  std::string existing;
  ctx_.store.scan(kActivities, [&](const Record& r) {
    if (json_string(r.fields, "external_id") == external_id && json_string(r.fields, "kind") == kind) existing = r.id;
    return existing.empty();
  });
  if (!existing.empty()) {
    auto r = Response::json(409, json::object{{"error", json::object{{"code", "conflict"},
                                                                     {"message",
                                                                      "an activity with this kind and "
                                                                      "external_id exists"},
                                                                     {"existing_id", existing}}}});
    return r;
  }
  fields["kind"] = kind;
  fields["external_id"] = external_id;
  const std::string id = insert(kActivities, "a-", std::move(fields), false);
  return Response::json(201, render(kActivities, *ctx_.store.get(kActivities, id)));
}

Response GenericEmulator::get_activity(const Request&, const PathParams& params, const AccessToken&) {
  auto r = ctx_.store.get(kActivities, params["id"]);
  if (!r) return error(404, "not_found", "no activity " + params["id"]);
  return Response::json(200, render(kActivities, *r));
}

Response GenericEmulator::update_activity(const Request& request, const PathParams& params, const AccessToken&) {
  auto doc = try_parse_json(request.body);
  if (!doc || !doc->is_object()) return error(400, "validation", "the body must be a JSON object");
  const auto& in = doc->get_object();
  json::object changes;
  if (auto problem = copy_activity_fields(in, changes); !problem.empty()) return error(400, "validation", problem);
  if (json_string(changes, "body").size() > kMaxBodyBytes)
    return error(400, "validation", "field 'body' is longer than " + std::to_string(kMaxBodyBytes) + " bytes");
  const std::string contact = json_string(changes, "contact_id");
  if (!contact.empty() && !ctx_.store.contains(kContacts, contact))
    return error(400, "validation", "contact_id '" + contact + "' is not a contact");
  std::string immutable;
  const bool found = ctx_.store.update(kActivities, params["id"], [&](Record& r) {
    for (const char* key : {"kind", "external_id"})
      if (const auto* v = in.if_contains(key); v && !(v->is_string() && v->get_string() == json_string(r.fields, key)))
        immutable = key;
    if (!immutable.empty()) return;
    for (const auto& kv : changes) r.fields[kv.key()] = kv.value();
    r.fields["updated_at"] = now_iso();
  });
  if (!found) return error(404, "not_found", "no activity " + params["id"]);
  if (!immutable.empty()) return error(400, "validation", "field '" + immutable + "' cannot change");
  return Response::json(200, render(kActivities, *ctx_.store.get(kActivities, params["id"])));
}

// ---- control API support

std::string GenericEmulator::canonical_object(std::string_view object) const {
  for (const char* o : {kUsers, kContacts, kActivities}) {
    const std::string_view name(o);
    if (iequals(object, name) || iequals(object, name.substr(0, name.size() - 1)) ||
        (name == kActivities && iequals(object, "activity")))
      return o;
  }
  return {};
}

std::string GenericEmulator::seed_record(std::string_view object, json::object fields) {
  const std::string canonical = canonical_object(object);
  if (canonical.empty()) throw std::invalid_argument("unknown object '" + std::string(object) + "'");
  const char* prefix = canonical == kUsers ? "u-" : canonical == kContacts ? "c-" : "a-";
  return insert(canonical == kUsers      ? kUsers
                : canonical == kContacts ? kContacts
                                         : kActivities,
                prefix, std::move(fields), true);
}

json::object GenericEmulator::export_record(std::string_view object, const Record& record) const {
  return render(object, record);
}

json::object GenericEmulator::issue_test_token(const json::object& request) {
  std::string user = json_string(request, "user");
  if (user.empty()) user = first_user_id();
  if (user.empty() || !ctx_.store.contains(kUsers, user))
    throw std::invalid_argument("no such user '" + user + "' (seed users or pass \"user\")");
  const auto token =
      ctx_.tokens.issue_access(TokenStore::random_string(32), user, json_string(request, "client_id"), "crm", now_ms());
  return {{"access_token", token.token}, {"instance_url", ctx_.base_url}, {"user_id", user}};
}

} // namespace appconnect::crm_sandbox::generic
