// The Zoho CRM emulator: the accounts server's OAuth endpoints (authorize with auto-consent, token with
// the authorization_code and refresh_token grants, revoke) and the CRM REST API under /crm/{version}
// (v2, v2.1, v3 ... v8): record insert/update/read/delete for Contacts, Leads, Accounts, Calls and Notes,
// search (criteria, phone, email, word) with Zoho's "204 on no match", users with paging, Zoho's error
// shapes, scopes, and the daily API-credit budget answered with 429 TOO_MANY_REQUESTS. Facts come from
// docs/crm-and-telephony-apis.md section 3; each resource's source page is cited where it is implemented.
//
// One sandbox plays both hosts: the accounts server (accounts.zoho.com) and the API domain
// (www.zohoapis.com). The token response's api_domain is the sandbox's own base URL.
//
// Implementation is split by concern: zoho_emulator.cpp (routing, auth, credits, seed, control API),
// zoho_oauth.cpp, zoho_records.cpp (write/read/render), zoho_search.cpp (search and criteria), zoho_users.cpp.
#pragma once

#include "zoho/errors.hpp"
#include "zoho/schema.hpp"

#include "framework/emulator.hpp"
#include "framework/router.hpp"

#include <atomic>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace appconnect::crm_sandbox::zoho {

class ZohoEmulator final : public CrmEmulator {
 public:
  explicit ZohoEmulator(SandboxContext& context);

  std::string_view name() const override { return "zoho"; }
  void reset() override;
  void load_seed(const boost::json::value& seed) override;
  Response handle(const Request& request) override;
  Response fault_response(const Request& request, const Fault& fault) override;
  std::string canonical_object(std::string_view object) const override;
  std::string seed_record(std::string_view object, boost::json::object fields) override;
  boost::json::object export_record(std::string_view object, const Record& record) const override;
  boost::json::object issue_test_token(const boost::json::object& request) override;

  // Store object name of the users (the users API, not a record module).
  static constexpr const char* kUsers = "Users";

 private:
  struct Client {
    std::string client_id;
    std::string client_secret;
    std::vector<std::string> redirect_uris;
    bool allow_loopback_redirects = false; // any http://127.0.0.1|localhost[:port]/... redirect
  };

  // One authenticated REST call under /crm/{version}.
  struct ApiCall {
    const Request& request;
    const PathParams& params;
    int version = 2;          // major version: "v2.1" -> 2
    std::string version_text; // "v2.1"
    AccessToken token;
  };
  using ApiMethod = Response (ZohoEmulator::*)(ApiCall&);
  enum class Access { kRead, kCreate, kUpdate, kDelete };

  // Results of writing one "data" item: a success or a record-level error.
  struct ItemResult {
    bool ok = false;
    boost::json::object body; // the data[] entry
  };

  void add_routes();
  Handler api(ApiMethod method, Access access, bool users = false);
  static std::optional<std::pair<int, std::string>> parse_version(std::string_view segment);
  bool scope_allows(const std::string& scope, const std::string& module, Access access, bool users) const;

  // zoho_oauth.cpp
  Response oauth_authorize(const Request& request, const PathParams& params);
  Response oauth_token(const Request& request, const PathParams& params);
  Response oauth_revoke(const Request& request, const PathParams& params);
  std::optional<Client> find_client(const std::string& client_id) const;
  static bool redirect_allowed(const Client& client, const std::string& redirect_uri);
  boost::json::object token_body(const std::string& access_token, const std::string& refresh_token,
                                 const std::string& base_url) const;

  // zoho_records.cpp
  Response create(ApiCall& call);
  Response create_related_note(ApiCall& call);
  Response update_one(ApiCall& call);
  Response update_many(ApiCall& call);
  Response read(ApiCall& call);
  Response list(ApiCall& call);
  Response remove(ApiCall& call);
  const ModuleDef& module_or_error(std::string_view name) const;
  Response write_response(const ApiCall& call, std::vector<ItemResult> results, int success_status) const;
  ItemResult create_item(const ModuleDef& module, const boost::json::value& item, std::size_t index,
                         const AccessToken& token, const ApiCall& call);
  ItemResult update_item(const ModuleDef& module, const std::string& id, const boost::json::value& item,
                         std::size_t index, const AccessToken& token, const ApiCall& call);
  // Validates and converts the writable fields of one item into stored form; throws ZohoError with the
  // record-level error (code, message, details) on the first problem.
  boost::json::object prepare(const ModuleDef& module, const boost::json::object& item, bool creating,
                              const boost::json::object* current, std::size_t index, int version) const;
  void derive(const ModuleDef& module, boost::json::object& fields) const;
  std::string insert_record(const ModuleDef& module, boost::json::object fields, const std::string& user_id,
                            bool preexisting);
  std::string insert_seed(const ModuleDef& module, boost::json::object fields);
  boost::json::object success_details(const boost::json::object& stored) const;

 public:
  // Renders a stored record the way the API returns it (lookups expanded, times in the org's zone).
  // `fields` restricts the keys (id always comes back); empty = all.
  boost::json::object render(const ModuleDef& module, const Record& record,
                             const std::vector<std::string>& fields = {}) const;

 private:
  // zoho_search.cpp
  Response search(ApiCall& call);

  // zoho_users.cpp
  Response users(ApiCall& call);
  Response user(ApiCall& call);
  boost::json::object render_user(const Record& user) const;
  void insert_user(boost::json::object fields, const std::string& ref_id = {});

  // Shared helpers
  // page/per_page (1..200, default 1/200), as records, search and users read them; throws ZohoError.
  static std::pair<std::size_t, std::size_t> paging(const Request& request);
  // The "fields" parameter as a list (empty: all fields).
  static std::vector<std::string> fields_param(const Request& request);
  static boost::json::object page_info(std::size_t per_page, std::size_t count, std::size_t page, bool more);
  // {"name","id"} of a record in `module` (name null when it is gone).
  boost::json::value lookup_ref(const std::string& module, const std::string& id) const;
  std::string next_id();
  std::string new_token(std::string_view kind) const;  // "1000.<hex>.<hex>" like Zoho's tokens
  std::string format_time(std::int64_t unix_ms) const; // org time zone, "+05:30" style
  // A user as {"name","id","email"} (null for an unknown id).
  boost::json::value user_ref(const std::string& user_id) const;
  std::string resolve_user(std::string_view who) const; // id, email or full name -> id
  bool user_active(const std::string& user_id) const;

  SandboxContext& ctx_;
  Schema schema_;
  Router router_;
  std::atomic<std::uint64_t> id_counter_{1};

  // Guards the seed-derived state below. The schema is only replaced by reset/load_seed, which the
  // framework serializes; handlers read it without a lock (as the Salesforce emulator does).
  mutable std::shared_mutex config_mutex_;
  std::string org_id_;
  std::string org_name_;
  std::atomic<int> tz_offset_min_{330}; // the org's time zone: Zoho answers datetimes in it
  std::string location_ = "us";
  std::string default_user_id_; // who the authorize endpoint consents as; default record owner
  std::map<std::string, Client> clients_;
  std::string limit_message_;
  boost::json::object limit_details_;
  int refresh_limit_per_minute_ = 0; // 0: unlimited

  mutable std::mutex oauth_mutex_;
  std::set<std::pair<std::string, std::string>> offline_granted_; // (client, user) holding a refresh token
  std::unordered_map<std::string, std::deque<std::int64_t>> refresh_times_;
  struct CodeFlags {
    bool offline = false; // access_type=offline: the exchange may return a refresh token
    bool consent = false; // prompt=consent: ... even when the user already granted one
  };
  std::unordered_map<std::string, CodeFlags> code_flags_;
};

// Milliseconds from a Zoho datetime ("2024-05-01T15:30:00+05:30"): strictly that shape, the only one
// the API accepts on input. nullopt otherwise.
std::optional<std::int64_t> parse_zoho_time(std::string_view text);
// Just the digits of a phone number.
std::string digits_of(std::string_view text);

} // namespace appconnect::crm_sandbox::zoho
