// The host side of abi.h's appconnect_host: the services a plugin may call back into (log, clock, HTTP).
//
// The C callbacks in appconnect_host carry no context pointer, only the opaque `call_handle` the host put
// in appconnect_call. So during LoadedPlugin::invoke the handle points to a CallFrame: the call's
// CallScope (whose connection, which deadline) plus the HostServices that serve it. That is how an HTTP
// request made by a plugin gets the connection's deadline, rate limits and metrics, and how its log lines
// get the plugin id and connection id, without any process-wide state.
#pragma once

#include "common/result.hpp"

#include <appconnect/abi.h>
#include <appconnect/http.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

namespace appconnect::httpclient {
class HttpClient;
} // namespace appconnect::httpclient

namespace appconnect::plugins {

// Who a plugin call is for. Filled by the caller of LoadedPlugin::invoke.
struct CallScope {
  std::string plugin_id;
  std::string connection_id;
  std::string tenant_id;
  std::int64_t deadline_unix_ms = 0; // when the host stops waiting for the call; 0 = no deadline
};

class HostServices;

// What appconnect_call::call_handle points to while a call runs. Internal to the host: plugins treat
// the handle as opaque.
struct CallFrame {
  const CallScope* scope = nullptr;
  const HostServices* services = nullptr;
};

// The hook around each HTTP request a plugin makes. `next` performs the request; a hook may wait before
// calling it (per-connection rate limiting), time it (metrics), rewrite the request (test redirection)
// or refuse by returning an Error without calling it. It runs on the plugin's calling thread.
using HttpNext = std::function<Result<sdk::HttpResponse>(const sdk::HttpRequest&)>;
using HttpHook =
    std::function<Result<sdk::HttpResponse>(const CallScope& scope, const sdk::HttpRequest&, const HttpNext& next)>;

class HostServices {
 public:
  // Milliseconds since the Unix epoch; tests pass a clock they can move.
  using Clock = std::function<std::int64_t()>;

  explicit HostServices(std::shared_ptr<httpclient::HttpClient> http, Clock clock = {});
  ~HostServices();
  HostServices(const HostServices&) = delete;
  HostServices& operator=(const HostServices&) = delete;

  // The table handed to every plugin's entry point; valid for this object's life.
  const appconnect_host* table() const noexcept { return &table_; }

  // Installs (or, with an empty function, removes) the HTTP hook. Thread-safe; calls already running keep
  // the hook they started with.
  void set_http_hook(HttpHook hook);

  std::int64_t now_unix_ms() const;

  // The work behind appconnect_host::http_request, callable directly. Fails with "timeout" when the
  // call's deadline has passed, and clamps the request's timeout_ms to what remains of it.
  Result<sdk::HttpResponse> http(const CallScope& scope, sdk::HttpRequest request) const;

  // The work behind appconnect_host::log: component "plugin:<id>", plus the connection id when known.
  static void log(const CallScope* scope, appconnect_log_level level, std::string_view message);

  // Inside appconnect-plugin-worker only: plugin log lines are handed to `forward` (which sends them to
  // the host, where HostServices::log writes them) instead of being written here. Set once at start-up,
  // before the plugin is loaded; nullptr restores local writing.
  using LogForwarder = void (*)(appconnect_log_level level, std::string_view message);
  static void set_log_forwarder(LogForwarder forward);

  // While alive, log lines a plugin writes with a NULL call handle on this thread (from its entry point,
  // typically saying why it refuses the host) are attributed to `plugin_label`, and the last warning or
  // error among them is kept so the refusal message can quote it.
  class LoadLogScope {
   public:
    explicit LoadLogScope(std::string plugin_label);
    ~LoadLogScope();
    LoadLogScope(const LoadLogScope&) = delete;
    LoadLogScope& operator=(const LoadLogScope&) = delete;

    const std::string& label() const { return label_; }
    const std::string& last_problem() const { return last_problem_; }
    void note_problem(std::string_view message) { last_problem_ = std::string(message); }

   private:
    std::string label_;
    std::string last_problem_;
    LoadLogScope* previous_;
  };

 private:
  std::shared_ptr<httpclient::HttpClient> http_;
  Clock clock_;
  mutable std::mutex hook_mutex_;
  std::shared_ptr<const HttpHook> hook_;
  appconnect_host table_{};
};

} // namespace appconnect::plugins
