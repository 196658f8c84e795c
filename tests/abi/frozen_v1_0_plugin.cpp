// A connector compiled against the frozen ABI 1.0 headers only (see v1_0/README.md). Its answers are
// deterministic so integration_abi can check every value that crossed the boundary:
//   find_contacts   -> one contact whose id and name carry the phone number and the tenant id
//   create_call_log -> id "v10-<external_id>", url built from the host clock (proves now_unix_ms works)
//   list_users      -> GET {settings.base_url}/__sandbox/health through the host's HTTP service; the user
//                      name is the "crm" field of the answer (proves http_request works)
//   create_contact  -> a validation error (proves error documents still cross)
// Everything else (update_call_log, get_log of ABI 1.1, ...) is left to the SDK 1.0 defaults.
#include <appconnect/plugin.hpp>

#include <string>

namespace {

namespace sdk = appconnect::sdk;

constexpr char kManifest[] = R"({
  "id": "frozen_v1_0",
  "name": "Frozen ABI 1.0 test plugin",
  "version": "1.0.0",
  "abi": {"major": 1, "minor": 0},
  "capabilities": ["find_contacts", "create_contact", "create_call_log", "list_users"]
})";

class FrozenV10 final : public sdk::Connector {
 public:
  sdk::Result<sdk::FindContactsResult> find_contacts(sdk::Context& ctx, const sdk::FindContactsRequest& req) override {
    sdk::FindContactsResult result;
    sdk::Contact c;
    c.id = "v10-" + req.phone_e164;
    c.type = "Contact";
    c.name = "Tenant " + ctx.tenant_id();
    c.phone = req.phone_e164;
    result.contacts.push_back(std::move(c));
    return result;
  }

  sdk::Result<sdk::Contact> create_contact(sdk::Context&, const sdk::CreateContactRequest& req) override {
    return sdk::Error::make(sdk::error_code::kValidation, "frozen plugin refuses " + req.last_name, false);
  }

  sdk::Result<sdk::LogRecordRef> create_call_log(sdk::Context& ctx, const sdk::CreateCallLogRequest& req) override {
    sdk::LogRecordRef ref;
    ref.id = "v10-" + req.log.external_id;
    ref.type = "Call";
    ref.url = "frozen://call?at=" + std::to_string(ctx.now_unix_ms());
    return ref;
  }

  sdk::Result<sdk::ListUsersResult> list_users(sdk::Context& ctx) override {
    sdk::HttpRequest request;
    request.method = "GET";
    request.url = ctx.setting("base_url") + "/__sandbox/health";
    auto response = ctx.http(request);
    if (!response) return response.error();
    if (!response->ok()) return sdk::classify_http_error(response.value());
    const auto doc = response->json();
    sdk::ListUsersResult result;
    sdk::CrmUser user;
    user.id = "u1";
    user.name = doc.is_object() ? sdk::json_fields::get_string(doc.get_object(), "crm") : std::string();
    result.users.push_back(std::move(user));
    return result;
  }
};

} // namespace

APPCONNECT_PLUGIN_WITH_MANIFEST(FrozenV10, kManifest)
