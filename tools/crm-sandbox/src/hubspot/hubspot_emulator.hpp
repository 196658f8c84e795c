// The HubSpot emulator (`--crm hubspot`): the api.hubapi.com paths a telephony connector uses, with
// HubSpot's bodies, errors, auth and limits. Facts come from docs/crm-and-telephony-apis.md section 2 and
// the official OpenAPI specs (HubSpot/HubSpot-public-api-spec-collection); each resource cites its source
// where it is implemented.
//
//   OAuth        GET /oauth/authorize (auto-consent, 302 to redirect_uri?code&state), POST /oauth/v1/token
//                (authorization_code, refresh_token), GET /oauth/v1/access-tokens/{t},
//                GET|DELETE /oauth/v1/refresh-tokens/{t}; private-app tokens ("pat-...") from the seed.
//   CRM v3       /crm/v3/objects/{contacts|calls|communications|notes}: create (201), list, read (with
//                ?properties= and ?associations=), update (PATCH 200), archive (DELETE 204), search;
//                PUT/GET/DELETE /crm/v3/objects/{type}/{id}/associations/{toType}[/{toId}/{assocType}].
//   Owners       GET /crm/v3/owners (paging), GET /crm/v3/owners/{id}.
//   Limits       X-HubSpot-RateLimit-* headers, a rolling ten-second limit per app, a per-token search
//                limit (requests per second), the daily limit (framework knob daily_api_limit), 429 bodies
//                with policyName; the search-index lag (knob search_index_lag_s) hides new records from
//                search only.
//
// Split by concern: hubspot_emulator.cpp (routing, auth, limits, seed, control API), hubspot_oauth.cpp,
// hubspot_objects.cpp (CRUD, associations, owners), hubspot_search.cpp, schema.cpp, errors.cpp.
#pragma once

#include "hubspot/errors.hpp"
#include "hubspot/schema.hpp"

#include "framework/emulator.hpp"
#include "framework/router.hpp"

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace appconnect::crm_sandbox::hubspot {

class HubSpotEmulator final : public CrmEmulator {
 public:
  explicit HubSpotEmulator(SandboxContext& context);

  std::string_view name() const override { return "hubspot"; }
  void reset() override;
  void load_seed(const boost::json::value& seed) override;
  Response handle(const Request& request) override;
  Response fault_response(const Request& request, const Fault& fault) override;
  std::string canonical_object(std::string_view object) const override;
  std::string seed_record(std::string_view object, boost::json::object fields) override;
  boost::json::object export_record(std::string_view object, const Record& record) const override;
  boost::json::object issue_test_token(const boost::json::object& request) override;

  // HubSpot's default access-token life (expires_in 1800), applied unless the seed sets the knob.
  static constexpr double kTokenLifetimeS = 1800;

 private:
  struct App {
    std::string client_id;
    std::string client_secret;
    std::int64_t app_id = 0;
    std::vector<std::string> redirect_uris;
    bool allow_loopback_redirects = false; // any http://127.0.0.1|localhost[:port]/... redirect
    std::vector<std::string> scopes;
  };
  struct PrivateApp {
    std::string token;
    std::string name;
    std::int64_t app_id = 0;
    std::vector<std::string> scopes;
  };
  // Limits of one portal (seed "rate_limits"); 0 disables a limit.
  struct RateLimits {
    int oauth_ten_secondly = 110;       // public OAuth apps: 110 requests / 10 s per account
    int private_app_ten_secondly = 190; // private apps, Professional/Enterprise: 190 / 10 s
    int search_per_second = 5;          // CRM search: per token
    std::int64_t interval_ms = 10000;
  };
  // Who made an API call.
  struct Caller {
    std::string token;
    bool private_app = false;
    std::string bucket;   // the ten-secondly bucket: "app:<client_id>" or "pat:<token>"
    std::string owner_id; // the user behind an OAuth token (empty for private apps)
    std::string scopes;   // space-separated
  };
  struct ApiCall {
    const Request& request;
    const PathParams& params;
    Caller caller;
  };
  enum class LimitKind { kStandard, kSearch };
  using ApiMethod = Response (HubSpotEmulator::*)(ApiCall&);
  // What we remember of every access token we issued, to tell "expired" from "unknown".
  struct IssuedToken {
    std::int64_t issued_ms = 0;
    std::string client_id;
  };

  void add_routes();
  // Wraps an API method with auth, scope check, rate limits and the rate-limit headers.
  Handler api(ApiMethod method, LimitKind kind, std::vector<std::string> scopes);
  std::optional<Response> authenticate(const Request& request, Caller& caller);
  std::optional<Response> apply_limits(const Caller& caller, LimitKind kind, Response& headers_out);
  void set_rate_headers(Response& r, const Caller& caller, int used_in_window) const;
  int ten_secondly_max(const Caller& caller) const;
  std::string new_access_token();
  std::string next_id(std::string_view object, std::uint64_t first);
  // Owner id for an owner id, email or userId; empty when there is none.
  std::string resolve_owner(std::string_view who) const;
  std::string insert_owner(boost::json::object fields);
  // Seed path: any property may be set (system dates included); `resolve` maps "@ref" values to ids.
  std::string insert_seed(const ObjectType& object, boost::json::object fields,
                          const std::function<std::string(const std::string&)>& resolve);

  // hubspot_oauth.cpp
  Response oauth_authorize(const Request& request, const PathParams& params);
  Response oauth_token(const Request& request, const PathParams& params);
  Response access_token_info(const Request& request, const PathParams& params);
  Response refresh_token_info(const Request& request, const PathParams& params);
  Response refresh_token_delete(const Request& request, const PathParams& params);
  boost::json::object token_body(const App& app, const std::string& owner_id, const std::string& scope,
                                 const std::string& refresh_token);
  std::optional<App> find_app(const std::string& client_id) const;
  static bool redirect_allowed(const App& app, const std::string& redirect_uri);

  // hubspot_objects.cpp
  Response create(ApiCall& call);
  Response read(ApiCall& call);
  Response list(ApiCall& call);
  Response update(ApiCall& call);
  Response archive(ApiCall& call);
  Response associate(ApiCall& call);
  Response disassociate(ApiCall& call);
  Response list_associations(ApiCall& call);
  Response owners(ApiCall& call);
  Response owner(ApiCall& call);
  const ObjectType& object_or_throw(std::string_view name) const;
  // Checks and converts the properties of a create/update; throws HsError (VALIDATION_ERROR).
  boost::json::object validate_properties(const ObjectType& object, const boost::json::value* properties,
                                          bool creating) const;
  // The stored record of `object` with `id` (or, with idProperty, the first whose property equals it).
  std::optional<Record> find_record(const ObjectType& object, const std::string& id, const Request& request) const;
  std::string insert_record(const ObjectType& object, boost::json::object properties, const std::string& created_by,
                            bool preexisting, std::optional<std::int64_t> created_ms = std::nullopt,
                            std::optional<std::int64_t> updated_ms = std::nullopt);
  void add_association(const ObjectType& from, const std::string& from_id, const AssociationType& type,
                       const std::string& to_id, const std::string& category);
  void recalculate(const ObjectType& object, boost::json::object& properties) const;
  // The SimplePublicObject of a stored record. `wanted` null: the object's default properties; `all`: every
  // property with a value.
  boost::json::object render(const ObjectType& object, const Record& record, const std::vector<std::string>* wanted,
                             bool all = false, const std::vector<std::string>* associations = nullptr) const;

  // hubspot_search.cpp
  Response search(ApiCall& call);

  SandboxContext& ctx_;
  Schema schema_;
  Router router_;
  std::mutex id_mutex_;
  std::map<std::string, std::uint64_t, std::less<>> next_ids_; // object -> next id

  mutable std::shared_mutex config_mutex_; // guards the seed-derived state below
  std::int64_t portal_id_ = 0;
  std::string hub_domain_;
  std::string default_country_code_ = "1";
  std::string oauth_owner_id_; // who consents at /oauth/authorize and owns what issue-token hands out
  std::map<std::string, App> apps_;
  std::map<std::string, PrivateApp> private_apps_;
  RateLimits limits_;

  mutable std::mutex rate_mutex_;
  std::unordered_map<std::string, std::deque<std::int64_t>> ten_secondly_; // bucket -> request times
  std::unordered_map<std::string, std::deque<std::int64_t>> search_hits_;  // token -> request times

  mutable std::mutex issued_mutex_;
  std::unordered_map<std::string, IssuedToken> issued_;
};

} // namespace appconnect::crm_sandbox::hubspot
