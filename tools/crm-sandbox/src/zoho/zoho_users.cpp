// GET /crm/{version}/users?type=...&page&per_page and GET /crm/{version}/users/{id}: the top-level key is
// "users" (not "data"), paging in "info", 204 when there are none. Scope ZohoCRM.users.READ (or .ALL).
//   https://www.zoho.com/crm/developer/docs/api/v2/get-users.html
//   https://github.com/zoho/crm-oas/blob/main/v8.0/users/operations/getUsers/examples/response-200-usersgetresponse.md
#include "zoho/zoho_emulator.hpp"

#include "framework/json_util.hpp"

#include <algorithm>

namespace appconnect::crm_sandbox::zoho {

void ZohoEmulator::insert_user(boost::json::object fields, const std::string& ref_id) {
  const std::string id = ref_id.empty() ? next_id() : ref_id;
  const std::string stamp = format_time(now_ms());
  boost::json::object u;
  u["id"] = id;
  const std::string first = json_string(fields, "first_name");
  const std::string last = json_string(fields, "last_name");
  if (last.empty()) throw std::runtime_error("seed users need a last_name");
  u["first_name"] = first.empty() ? boost::json::value(nullptr) : boost::json::value(first);
  u["last_name"] = last;
  u["full_name"] = first.empty() ? last : first + " " + last;
  u["email"] = json_string(fields, "email");
  u["status"] = json_string(fields, "status", "active"); // "active" | "disabled" | "deleted"
  u["confirm"] = json_bool(fields, "confirm", true);
  u["zuid"] = json_string(fields, "zuid", std::to_string(70000000 + id_counter_.load() * 7));
  // Role and profile ids are stable per name, so two users with the same role agree.
  auto named_ref = [&](const char* key, const char* fallback, const char* salt) {
    const std::string name = json_string(fields, key, fallback);
    std::uint64_t h = 1469598103934665603ULL;
    for (char c : name + salt) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
    return boost::json::object{{"name", name}, {"id", "4876876000000" + std::to_string(100000 + h % 900000)}};
  };
  u["role"] = named_ref("role", "Sales Representative", "role");
  u["profile"] = named_ref("profile", "Standard", "profile");
  for (const char* key : {"phone", "mobile", "alias", "time_zone", "locale", "country"}) {
    const std::string v = json_string(fields, key);
    u[key] = v.empty() ? boost::json::value(nullptr) : boost::json::value(v);
  }
  if (u["locale"].is_null()) u["locale"] = "en_US";
  u["created_time"] = json_string(fields, "created_time", stamp);
  u["Modified_Time"] = json_string(fields, "Modified_Time", stamp);
  Record record;
  record.id = id;
  record.fields = std::move(u);
  record.created_ms = now_ms();
  record.preexisting = true;
  ctx_.store.insert(kUsers, std::move(record));
}

boost::json::object ZohoEmulator::render_user(const Record& user) const {
  return user.fields;
}

Response ZohoEmulator::users(ApiCall& call) {
  const auto [page, per_page] = paging(call.request);
  std::string type = "AllUsers";
  if (const auto* t = call.request.query_param("type")) type = *t;
  std::function<bool(const boost::json::object&)> keep;
  auto status_is = [](const boost::json::object& u, const char* s) { return json_string(u, "status") == s; };
  if (type == "AllUsers") {
    keep = [&](const boost::json::object& u) { return !status_is(u, "deleted"); };
  } else if (type == "ActiveUsers") {
    keep = [&](const boost::json::object& u) { return status_is(u, "active"); };
  } else if (type == "DeactiveUsers") {
    keep = [&](const boost::json::object& u) { return status_is(u, "disabled"); };
  } else if (type == "ConfirmedUsers") {
    keep = [](const boost::json::object& u) { return json_bool(u, "confirm", true); };
  } else if (type == "NotConfirmedUsers") {
    keep = [](const boost::json::object& u) { return !json_bool(u, "confirm", true); };
  } else if (type == "ActiveConfirmedUsers") {
    keep = [&](const boost::json::object& u) { return status_is(u, "active") && json_bool(u, "confirm", true); };
  } else if (type == "DeletedUsers") {
    keep = [&](const boost::json::object& u) { return status_is(u, "deleted"); };
  } else if (type == "AdminUsers" || type == "ActiveAdminUsers") {
    const bool active_only = type == "ActiveAdminUsers";
    keep = [&, active_only](const boost::json::object& u) {
      const auto* p = u.if_contains("profile");
      const bool admin = p && p->is_object() && json_string(p->as_object(), "name") == "Administrator";
      return admin && (!active_only || status_is(u, "active"));
    };
  } else if (type == "CurrentUser") {
    const std::string me = call.token.user_id;
    keep = [me](const boost::json::object& u) { return json_string(u, "id") == me; };
  } else {
    throw ZohoError(400, "INVALID_DATA", kInvalidDataMessage, {{"param_name", "type"}});
  }
  std::vector<Record> found;
  ctx_.store.scan(kUsers, [&](const Record& r) {
    if (keep(r.fields)) found.push_back(r);
    return true;
  });
  const std::size_t start = (page - 1) * per_page;
  if (start >= found.size()) return Response::no_content();
  const std::size_t end = std::min(found.size(), start + per_page);
  boost::json::array list;
  for (std::size_t i = start; i < end; ++i) list.push_back(render_user(found[i]));
  return Response::json(200, boost::json::object{{"users", std::move(list)},
                                                 {"info", page_info(per_page, end - start, page, end < found.size())}});
}

Response ZohoEmulator::user(ApiCall& call) {
  auto u = ctx_.store.get(kUsers, call.params["id"]);
  if (!u) return Response::no_content();
  return Response::json(200, boost::json::object{{"users", boost::json::array{render_user(*u)}}});
}

} // namespace appconnect::crm_sandbox::zoho
