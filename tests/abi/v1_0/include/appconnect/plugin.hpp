// The C++ layer of the AppConnect SDK: write a connector as an ordinary class, export it with one macro.
//
//   #include <appconnect/plugin.hpp>
//   class MyCrm final : public appconnect::sdk::Connector {
//     appconnect::sdk::Result<appconnect::sdk::FindContactsResult>
//     find_contacts(appconnect::sdk::Context& ctx, const appconnect::sdk::FindContactsRequest& req) override;
//     ...
//   };
//   APPCONNECT_PLUGIN(MyCrm)
//
// Lifecycle of a Connector (the host drives it through abi.h):
//   1. Constructed once, when the host first calls the entry point. Keep the constructor cheap and
//      never call host services from it.
//   2. Its operations are called from many threads at once, each with the Context of one call. Keep
//      no per-connection state in members; if you cache, guard it.
//   3. Destroyed when the host shuts the plugin down, after every call has returned.
//
// An operation the plugin does not override answers "unsupported"; list the ones you implement in the
// manifest's "capabilities". Return errors as sdk::Error (see error.hpp); an exception that escapes an
// operation becomes an "internal" error, never a crash.
#pragma once

#include <appconnect/abi.h>
#include <appconnect/error.hpp>
#include <appconnect/http.hpp>
#include <appconnect/json_fields.hpp>
#include <appconnect/time.hpp>
#include <appconnect/types.hpp>

#include <boost/json.hpp>

#include <cstring>
#include <exception>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

namespace appconnect::sdk {

enum class LogLevel {
  kDebug = APPCONNECT_LOG_DEBUG,
  kInfo = APPCONNECT_LOG_INFO,
  kWarn = APPCONNECT_LOG_WARN,
  kError = APPCONNECT_LOG_ERROR
};

namespace detail {
// A sink that appends into a std::string on this side of the boundary.
inline appconnect_sink string_sink(std::string& target) {
  return appconnect_sink{&target, [](void* ctx, const char* data, std::size_t size) {
                           static_cast<std::string*>(ctx)->assign(data, size);
                         }};
}
} // namespace detail

// Everything one operation call may use: the connection's settings and credentials, and the host's
// services (HTTP, log, clock) attributed to this call.
class Context {
 public:
  Context(const appconnect_host* host, void* call_handle, boost::json::object context)
      : host_(host), call_handle_(call_handle), context_(std::move(context)) {
    if (const auto* s = context_.if_contains("settings"); s && s->is_object()) settings_ = s->get_object();
    if (const auto* c = context_.if_contains("credentials"); c && c->is_object()) credentials_ = c->get_object();
  }

  std::string connection_id() const { return json_fields::get_string(context_, "connection_id"); }
  std::string tenant_id() const { return json_fields::get_string(context_, "tenant_id"); }

  // A connection setting (base URLs, API version, ...), or `fallback` when unset.
  std::string setting(std::string_view key, std::string_view fallback = {}) const {
    return string_in(settings_, key, fallback);
  }
  const boost::json::object& settings() const { return settings_; }

  // A credential (access_token, refresh_token, client_id, client_secret, ...). Never log these.
  std::string credential(std::string_view key) const { return string_in(credentials_, key, {}); }

  // One HTTP exchange through the host. An HTTP error status is a response (ok() false), not an Error;
  // Error means the request did not complete (transport failure or timeout).
  Result<HttpResponse> http(const HttpRequest& request) const {
    const std::string doc = boost::json::serialize(boost::json::value_from(request));
    std::string reply;
    appconnect_sink sink = detail::string_sink(reply);
    const appconnect_status st = host_->http_request(call_handle_, doc.data(), doc.size(), &sink);
    try {
      auto parsed = boost::json::parse(reply);
      if (st == APPCONNECT_STATUS_OK) return boost::json::value_to<HttpResponse>(parsed);
      return boost::json::value_to<Error>(parsed);
    } catch (const std::exception& ex) {
      return Error::make(error_code::kInternal, std::string("unreadable reply from host HTTP service: ") + ex.what(),
                         true);
    }
  }

  void log(LogLevel level, std::string_view message) const {
    host_->log(call_handle_, static_cast<appconnect_log_level>(level), message.data(), message.size());
  }

  std::int64_t now_unix_ms() const { return host_->now_unix_ms(call_handle_); }

 private:
  static std::string string_in(const boost::json::object& o, std::string_view key, std::string_view fallback) {
    const auto* p = o.if_contains(key);
    if (p != nullptr && p->is_string()) return std::string(p->get_string());
    return std::string(fallback);
  }

  const appconnect_host* host_;
  void* call_handle_;
  boost::json::object context_;
  boost::json::object settings_;
  boost::json::object credentials_;
};

inline Error unsupported(std::string_view operation) {
  return Error::make(error_code::kUnsupported, "operation '" + std::string(operation) + "' is not supported", false);
}

// The base class of every connector. Override what the CRM supports and declare it in the manifest.
class Connector {
 public:
  virtual ~Connector() = default;

  virtual Result<FindContactsResult> find_contacts(Context&, const FindContactsRequest&) {
    return unsupported("find_contacts");
  }
  virtual Result<Contact> create_contact(Context&, const CreateContactRequest&) {
    return unsupported("create_contact");
  }
  virtual Result<LogRecordRef> create_call_log(Context&, const CreateCallLogRequest&) {
    return unsupported("create_call_log");
  }
  virtual Result<LogRecordRef> update_call_log(Context&, const UpdateCallLogRequest&) {
    return unsupported("update_call_log");
  }
  virtual Result<FindLogByExternalIdResult> find_log_by_external_id(Context&, const FindLogByExternalIdRequest&) {
    return unsupported("find_log_by_external_id");
  }
  virtual Result<LogRecordRef> create_message_log(Context&, const CreateMessageLogRequest&) {
    return unsupported("create_message_log");
  }
  virtual Result<LogRecordRef> update_message_log(Context&, const UpdateMessageLogRequest&) {
    return unsupported("update_message_log");
  }
  virtual Result<ListUsersResult> list_users(Context&) { return unsupported("list_users"); }
  virtual Result<OAuthAuthorizeUrlResult> oauth_authorize_url(Context&, const OAuthAuthorizeUrlRequest&) {
    return unsupported("oauth_authorize_url");
  }
  virtual Result<OAuthTokens> oauth_exchange_code(Context&, const OAuthExchangeCodeRequest&) {
    return unsupported("oauth_exchange_code");
  }
  virtual Result<OAuthTokens> oauth_refresh(Context&) { return unsupported("oauth_refresh"); }
};

namespace detail {

// The state behind the exported C table: one per plugin library.
struct PluginState {
  const appconnect_host* host = nullptr;
  std::unique_ptr<Connector> connector;
  appconnect_plugin table{};
  std::mutex mutex;
};

inline PluginState& state() {
  static PluginState s;
  return s;
}

inline void write_doc(appconnect_sink* sink, const boost::json::value& doc) {
  const std::string text = boost::json::serialize(doc);
  sink->write(sink->ctx, text.data(), text.size());
}

template <class T>
appconnect_status finish(Result<T>&& result, appconnect_sink* sink) {
  if (result.ok()) {
    write_doc(sink, boost::json::value_from(result.value()));
    return APPCONNECT_STATUS_OK;
  }
  write_doc(sink, boost::json::value_from(result.error()));
  return APPCONNECT_STATUS_ERROR;
}

template <class Request, class Method>
appconnect_status call_with(const boost::json::value& request, Context& ctx, Method&& method, appconnect_sink* sink) {
  Request typed = boost::json::value_to<Request>(request);
  return finish(method(ctx, typed), sink);
}

// Dispatches one call by operation name. Every exception stops here.
inline appconnect_status invoke(const appconnect_call* call, appconnect_sink* sink) noexcept {
  auto fail = [sink](appconnect_status st, const char* code, const std::string& message) noexcept {
    try {
      write_doc(sink, boost::json::value_from(Error::make(code, message, false)));
    } catch (...) {
    }
    return st;
  };
  try {
    PluginState& s = state();
    if (call == nullptr || call->struct_size < sizeof(appconnect_call) || call->operation == nullptr)
      return fail(APPCONNECT_STATUS_BAD_REQUEST, error_code::kBadRequest, "malformed call structure");
    const std::string_view op(call->operation);
    if (op == "describe") {
      const char* manifest = s.table.manifest_json;
      sink->write(sink->ctx, manifest, std::strlen(manifest));
      return APPCONNECT_STATUS_OK;
    }
    boost::json::value request = boost::json::object{};
    boost::json::object context;
    try {
      if (call->request_size > 0) request = boost::json::parse({call->request_json, call->request_size});
      if (call->context_size > 0) {
        auto parsed = boost::json::parse({call->context_json, call->context_size});
        if (parsed.is_object()) context = std::move(parsed.get_object());
      }
    } catch (const std::exception& ex) {
      return fail(APPCONNECT_STATUS_BAD_REQUEST, error_code::kBadRequest, std::string("invalid JSON: ") + ex.what());
    }
    Context ctx(s.host, call->call_handle, std::move(context));
    Connector& c = *s.connector;
    try {
      if (op == "find_contacts")
        return call_with<FindContactsRequest>(
            request, ctx, [&](Context& x, auto& r) { return c.find_contacts(x, r); }, sink);
      if (op == "create_contact")
        return call_with<CreateContactRequest>(
            request, ctx, [&](Context& x, auto& r) { return c.create_contact(x, r); }, sink);
      if (op == "create_call_log")
        return call_with<CreateCallLogRequest>(
            request, ctx, [&](Context& x, auto& r) { return c.create_call_log(x, r); }, sink);
      if (op == "update_call_log")
        return call_with<UpdateCallLogRequest>(
            request, ctx, [&](Context& x, auto& r) { return c.update_call_log(x, r); }, sink);
      if (op == "find_log_by_external_id")
        return call_with<FindLogByExternalIdRequest>(
            request, ctx, [&](Context& x, auto& r) { return c.find_log_by_external_id(x, r); }, sink);
      if (op == "create_message_log")
        return call_with<CreateMessageLogRequest>(
            request, ctx, [&](Context& x, auto& r) { return c.create_message_log(x, r); }, sink);
      if (op == "update_message_log")
        return call_with<UpdateMessageLogRequest>(
            request, ctx, [&](Context& x, auto& r) { return c.update_message_log(x, r); }, sink);
      if (op == "list_users") return finish(c.list_users(ctx), sink);
      if (op == "oauth_authorize_url")
        return call_with<OAuthAuthorizeUrlRequest>(
            request, ctx, [&](Context& x, auto& r) { return c.oauth_authorize_url(x, r); }, sink);
      if (op == "oauth_exchange_code")
        return call_with<OAuthExchangeCodeRequest>(
            request, ctx, [&](Context& x, auto& r) { return c.oauth_exchange_code(x, r); }, sink);
      if (op == "oauth_refresh") return finish(c.oauth_refresh(ctx), sink);
    } catch (const json_fields::FieldError& ex) {
      return fail(APPCONNECT_STATUS_BAD_REQUEST, error_code::kBadRequest, ex.what());
    } catch (const boost::system::system_error& ex) {
      return fail(APPCONNECT_STATUS_BAD_REQUEST, error_code::kBadRequest, ex.what());
    }
    return APPCONNECT_STATUS_UNSUPPORTED;
  } catch (const std::exception& ex) {
    return fail(APPCONNECT_STATUS_ERROR, error_code::kInternal, std::string("plugin threw: ") + ex.what());
  } catch (...) {
    return fail(APPCONNECT_STATUS_ERROR, error_code::kInternal, "plugin threw a non-standard exception");
  }
}

inline void shutdown() noexcept {
  PluginState& s = state();
  std::lock_guard lock(s.mutex);
  s.connector.reset();
  s.host = nullptr;
}

template <class ConnectorClass>
const appconnect_plugin* entry(const appconnect_host* host, const char* manifest_json) noexcept {
  if (host == nullptr || host->struct_size < sizeof(appconnect_host)) return nullptr;
  if (host->abi_major != APPCONNECT_ABI_MAJOR) {
    static constexpr char kWhy[] = "plugin refuses host: ABI major version differs";
    if (host->log != nullptr) host->log(nullptr, APPCONNECT_LOG_ERROR, kWhy, sizeof kWhy - 1);
    return nullptr;
  }
  try {
    PluginState& s = state();
    std::lock_guard lock(s.mutex);
    s.host = host;
    if (!s.connector) s.connector = std::make_unique<ConnectorClass>();
    s.table.struct_size = sizeof(appconnect_plugin);
    s.table.abi_major = APPCONNECT_ABI_MAJOR;
    s.table.abi_minor = APPCONNECT_ABI_MINOR;
    s.table.manifest_json = manifest_json;
    s.table.invoke = &detail::invoke;
    s.table.shutdown = &detail::shutdown;
    return &s.table;
  } catch (...) {
    return nullptr;
  }
}

} // namespace detail
} // namespace appconnect::sdk

// Defined by the file that appconnect_add_plugin() generates from the plugin's manifest.json.
extern "C" const char appconnect_plugin_manifest_json[];

// Exports `ConnectorClass` with the manifest embedded by appconnect_add_plugin().
#define APPCONNECT_PLUGIN(ConnectorClass) \
  APPCONNECT_PLUGIN_WITH_MANIFEST(ConnectorClass, appconnect_plugin_manifest_json)

// Exports `ConnectorClass` with a manifest given as a NUL-terminated JSON string of static lifetime.
#define APPCONNECT_PLUGIN_WITH_MANIFEST(ConnectorClass, manifest)                                                 \
  extern "C" APPCONNECT_EXPORT const appconnect_plugin* appconnect_plugin_entry_v1(const appconnect_host* host) { \
    return ::appconnect::sdk::detail::entry<ConnectorClass>(host, manifest);                                      \
  }
