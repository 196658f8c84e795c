// The SDK example plugin: two operations over a small JSON REST API, written the way the plugin guide
// recommends (typed documents in, sdk::Error out, every HTTP call through the host).
#include <appconnect/plugin.hpp>

namespace sdk = appconnect::sdk;

namespace {

class HelloCrm final : public sdk::Connector {
 public:
  sdk::Result<sdk::FindContactsResult> find_contacts(sdk::Context& ctx, const sdk::FindContactsRequest& req) override {
    sdk::HttpRequest get;
    get.method = "GET";
    get.url = ctx.setting("base_url") + "/people?phone=" + sdk::url_encode(req.phone_e164);
    get.headers = {{"Authorization", "Bearer " + ctx.credential("api_key")}};
    auto r = ctx.http(get);
    if (!r) return r.error();
    if (!r.value().ok()) return sdk::classify_http_error(r.value());
    sdk::FindContactsResult out;
    const auto doc = r.value().json();
    if (const auto* people = doc.is_object() ? doc.get_object().if_contains("people") : nullptr;
        people && people->is_array())
      for (const auto& p : people->get_array()) {
        if (!p.is_object()) continue;
        sdk::Contact c;
        c.id = sdk::json_fields::get_string(p.get_object(), "id");
        c.type = "person";
        c.name = sdk::json_fields::get_string(p.get_object(), "name");
        c.phone = req.phone_e164;
        out.contacts.push_back(std::move(c));
      }
    return out;
  }

  sdk::Result<sdk::LogRecordRef> create_call_log(sdk::Context& ctx, const sdk::CreateCallLogRequest& req) override {
    const boost::json::value body(boost::json::object{{"person_id", req.log.contact_id},
                                                      {"subject", req.log.subject},
                                                      {"body", req.log.body},
                                                      {"external_id", req.log.external_id}});
    sdk::HttpRequest post;
    post.method = "POST";
    post.url = ctx.setting("base_url") + "/calls";
    post.headers = {{"Authorization", "Bearer " + ctx.credential("api_key")}, {"Content-Type", "application/json"}};
    post.body = boost::json::serialize(body);
    auto r = ctx.http(post);
    if (!r) return r.error();
    if (!r.value().ok()) return sdk::classify_http_error(r.value());
    const auto doc = r.value().json();
    sdk::LogRecordRef ref;
    if (doc.is_object()) ref.id = sdk::json_fields::get_string(doc.get_object(), "id");
    ref.type = "call";
    return ref;
  }
};

} // namespace

APPCONNECT_PLUGIN(HelloCrm)
