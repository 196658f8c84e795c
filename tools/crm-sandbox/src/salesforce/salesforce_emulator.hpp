// The Salesforce emulator: OAuth (authorize, token, revoke, identity), REST API data resources
// (versions, limits, sObject describe/create/read/update/delete, SOQL query with pagination, SOSL search,
// parameterizedSearch, composite), Salesforce's error shapes, the daily API limit with the
// Sforce-Limit-Info header, and the search-index lag. Facts come from docs/crm-and-telephony-apis.md
// section 1; each resource's source page is cited where it is implemented.
//
// Implementation is split by concern: salesforce_emulator.cpp (routing, auth, limits, seed),
// salesforce_oauth.cpp, salesforce_sobjects.cpp, salesforce_search.cpp (query/search),
// salesforce_composite.cpp.
#pragma once

#include "salesforce/errors.hpp"
#include "salesforce/query_engine.hpp"
#include "salesforce/schema.hpp"

#include "framework/emulator.hpp"
#include "framework/router.hpp"

#include <atomic>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace appconnect::crm_sandbox::salesforce {

class SalesforceEmulator final : public CrmEmulator {
 public:
  explicit SalesforceEmulator(SandboxContext& context);

  std::string_view name() const override { return "salesforce"; }
  void reset() override;
  void load_seed(const boost::json::value& seed) override;
  Response handle(const Request& request) override;
  Response fault_response(const Request& request, const Fault& fault) override;
  std::string canonical_object(std::string_view object) const override;
  std::string seed_record(std::string_view object, boost::json::object fields) override;
  boost::json::object export_record(std::string_view object, const Record& record) const override;
  boost::json::object issue_test_token(const boost::json::object& request) override;

  // The newest version the emulator lists; "latest" in a URL resolves to it.
  static constexpr int kOldestVersion = 31;
  static constexpr int kNewestVersion = 66;

 private:
  struct ConnectedApp {
    std::string client_id;
    std::string client_secret;
    std::vector<std::string> redirect_uris;
    bool allow_loopback_redirects = false; // any http://127.0.0.1|localhost[:port]/... redirect
    bool require_secret = true;            // Salesforce lets apps waive the secret for refresh
    std::string scope = "api refresh_token";
    std::string run_as_user; // client_credentials runs as this user id (empty: flow disabled)
  };

  // One authenticated REST call under /services/data/vXX.X.
  struct ApiCall {
    const Request& request;
    const PathParams& params;
    std::string version; // "62.0"
    AccessToken token;
  };
  using ApiMethod = Response (SalesforceEmulator::*)(ApiCall&);

  // An undo journal for composite allOrNone: what to restore if a later subrequest fails.
  struct UndoEntry {
    enum class Kind { kCreated, kUpdated, kDeleted } kind;
    std::string object;
    Record before; // kUpdated/kDeleted: the record as it was; kCreated: only the id matters
  };

  struct Cursor {
    std::vector<boost::json::object> rows;
    std::string version;
  };

  void add_routes();
  Handler api(ApiMethod method, bool counted = true);
  std::optional<std::string> parse_version(std::string_view segment) const;
  std::string limit_header(std::int64_t used) const;

  // salesforce_oauth.cpp
  Response oauth_authorize(const Request& request, const PathParams& params);
  Response oauth_token(const Request& request, const PathParams& params);
  Response oauth_revoke(const Request& request, const PathParams& params);
  Response identity(const Request& request, const PathParams& params);
  boost::json::object token_body(const ConnectedApp& app, const std::string& user_id, const std::string& scope,
                                 const std::string& base_url, const std::string& refresh_token,
                                 bool client_credentials);
  std::optional<ConnectedApp> find_app(const std::string& client_id) const;
  static bool redirect_allowed(const ConnectedApp& app, const std::string& redirect_uri);

  // salesforce_sobjects.cpp
  Response versions(const Request& request, const PathParams& params);
  Response resources(ApiCall& call);
  Response limits(ApiCall& call);
  Response describe_global(ApiCall& call);
  Response sobject_info(ApiCall& call);
  Response describe(ApiCall& call);
  Response create(ApiCall& call);
  Response read(ApiCall& call);
  Response update(ApiCall& call);
  Response remove(ApiCall& call);
  const ObjectDef& object_or_404(std::string_view name) const;
  std::string record_id_or_error(const ObjectDef& object, std::string_view raw) const;
  boost::json::object prepare_fields(const ObjectDef& object, const boost::json::object& body, bool creating) const;
  void validate_fields(const ObjectDef& object, const boost::json::object& fields, bool creating) const;
  void apply_derived_fields(const ObjectDef& object, boost::json::object& fields) const;
  std::string next_id(const ObjectDef& object);
  std::string insert_record(const ObjectDef& object, boost::json::object fields, const std::string& user_id,
                            bool preexisting);
  // Seed path: any schema field may be set (system dates included), nothing else is validated.
  std::string insert_seed(const ObjectDef& object, boost::json::object fields, const std::string& owner);

  // salesforce_search.cpp
  Response query(ApiCall& call);
  Response query_more(ApiCall& call);
  Response search(ApiCall& call);
  Response parameterized_search(ApiCall& call);
  Response query_page(const std::shared_ptr<const Cursor>& cursor, const std::string& locator, std::size_t offset,
                      std::size_t batch) const;
  std::size_t batch_size(const Request& request) const;

  // salesforce_composite.cpp
  Response composite(ApiCall& call);

  SandboxContext& ctx_;
  Schema schema_;
  QueryEngine engine_;
  Router router_;
  std::atomic<std::uint64_t> id_counter_{1};

  mutable std::shared_mutex config_mutex_; // guards the seed-derived state below
  std::string org_id_;
  std::string org_name_;
  std::string default_user_id_; // who the authorize endpoint consents as
  std::map<std::string, ConnectedApp> apps_;

  mutable std::mutex cursor_mutex_;
  std::unordered_map<std::string, std::shared_ptr<const Cursor>> cursors_;
  std::deque<std::string> cursor_order_; // eviction order: Salesforce also expires old locators

  std::mutex tombstone_mutex_;
  std::unordered_map<std::string, std::string> tombstones_; // deleted id -> object (ENTITY_IS_DELETED)

  // Set while a composite request runs on this thread: subrequests are not counted separately and
  // their writes are journaled for allOrNone rollback.
  static thread_local std::vector<UndoEntry>* undo_journal_;
  static thread_local bool in_composite_;

  // User id for an id, "@ref"-free Username or Email; empty when there is no such user.
  std::string resolve_user(std::string_view who) const;
  std::string new_access_token();
};

} // namespace appconnect::crm_sandbox::salesforce
