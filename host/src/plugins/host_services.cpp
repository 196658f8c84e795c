#include "plugins/host_services.hpp"

#include "common/log.hpp"
#include "httpclient/http_client.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <exception>
#include <utility>

#ifndef APPCONNECT_PRODUCT_NAME
#define APPCONNECT_PRODUCT_NAME "AppConnect"
#endif
#ifndef APPCONNECT_VERSION
#define APPCONNECT_VERSION "0.0.0"
#endif

namespace appconnect::plugins {
namespace {

// A plugin's log line is untrusted input: cap it so one runaway plugin cannot flood the log.
constexpr std::size_t kMaxLogMessage = 4096;

thread_local HostServices::LoadLogScope* tl_load_scope = nullptr;
std::atomic<HostServices::LogForwarder> g_log_forwarder{nullptr};

std::int64_t system_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

const CallFrame* frame_of(void* call_handle) {
  return static_cast<const CallFrame*>(call_handle);
}

void write_doc(appconnect_sink* sink, const boost::json::value& doc) {
  const std::string text = boost::json::serialize(doc);
  sink->write(sink->ctx, text.data(), text.size());
}

appconnect_status fail(appconnect_sink* sink, appconnect_status status, const char* code, std::string message) {
  write_doc(sink, boost::json::value_from(Error::make(code, std::move(message), false)));
  return status;
}

// --- The C entry points of appconnect_host. Each one is noexcept: nothing may unwind into a plugin. ---

void c_log(void* call_handle, appconnect_log_level level, const char* message, size_t size) noexcept {
  try {
    const CallFrame* frame = frame_of(call_handle);
    const std::string_view text = message == nullptr ? std::string_view{} : std::string_view(message, size);
    HostServices::log(frame != nullptr ? frame->scope : nullptr, level, text);
  } catch (...) {
    // Logging must never take the plugin down; a lost line is the lesser harm.
  }
}

int64_t c_now_unix_ms(void* call_handle) noexcept {
  try {
    const CallFrame* frame = frame_of(call_handle);
    if (frame != nullptr && frame->services != nullptr) return frame->services->now_unix_ms();
  } catch (...) {
  }
  return system_now_ms();
}

appconnect_status c_http_request(void* call_handle, const char* request_json, size_t request_size,
                                 appconnect_sink* response) noexcept {
  if (response == nullptr || response->write == nullptr) return APPCONNECT_STATUS_BAD_REQUEST;
  try {
    const CallFrame* frame = frame_of(call_handle);
    // Without the call's handle the host cannot tell which connection's limits and deadline apply.
    if (frame == nullptr || frame->scope == nullptr || frame->services == nullptr)
      return fail(response, APPCONNECT_STATUS_BAD_REQUEST, error_code::kBadRequest,
                  "http_request needs the call_handle of the call being served");
    if (request_json == nullptr && request_size > 0)
      return fail(response, APPCONNECT_STATUS_BAD_REQUEST, error_code::kBadRequest,
                  "http_request: no request document");
    boost::system::error_code ec;
    const boost::json::value doc =
        boost::json::parse(std::string_view(request_json == nullptr ? "" : request_json, request_size), ec);
    if (ec)
      return fail(response, APPCONNECT_STATUS_BAD_REQUEST, error_code::kBadRequest,
                  "http_request: request document is not valid JSON: " + ec.message());
    sdk::HttpRequest request;
    try {
      request = boost::json::value_to<sdk::HttpRequest>(doc);
    } catch (const std::exception& ex) {
      return fail(response, APPCONNECT_STATUS_BAD_REQUEST, error_code::kBadRequest,
                  std::string("http_request: ") + ex.what());
    }
    auto result = frame->services->http(*frame->scope, std::move(request));
    if (result) {
      write_doc(response, boost::json::value_from(result.value()));
      return APPCONNECT_STATUS_OK;
    }
    write_doc(response, boost::json::value_from(result.error()));
    return APPCONNECT_STATUS_ERROR;
  } catch (const std::exception& ex) {
    try {
      return fail(response, APPCONNECT_STATUS_ERROR, error_code::kInternal,
                  std::string("host HTTP service failed: ") + ex.what());
    } catch (...) {
    }
  } catch (...) {
  }
  return APPCONNECT_STATUS_ERROR;
}

} // namespace

HostServices::HostServices(std::shared_ptr<httpclient::HttpClient> http, Clock clock)
    : http_(std::move(http)), clock_(std::move(clock)) {
  table_.struct_size = sizeof(appconnect_host);
  table_.abi_major = APPCONNECT_ABI_MAJOR;
  table_.abi_minor = APPCONNECT_ABI_MINOR;
  table_.host_name = APPCONNECT_PRODUCT_NAME;
  table_.host_version = APPCONNECT_VERSION;
  table_.log = &c_log;
  table_.now_unix_ms = &c_now_unix_ms;
  table_.http_request = &c_http_request;
}

HostServices::~HostServices() = default;

void HostServices::set_http_hook(HttpHook hook) {
  auto next = hook ? std::make_shared<const HttpHook>(std::move(hook)) : nullptr;
  std::lock_guard lock(hook_mutex_);
  hook_ = std::move(next);
}

std::int64_t HostServices::now_unix_ms() const {
  return clock_ ? clock_() : system_now_ms();
}

Result<sdk::HttpResponse> HostServices::http(const CallScope& scope, sdk::HttpRequest request) const {
  const std::string origin = httpclient::url_origin(request.url);
  if (scope.deadline_unix_ms > 0) {
    const std::int64_t remaining = scope.deadline_unix_ms - now_unix_ms();
    if (remaining <= 0)
      return Error::make(error_code::kTimeout,
                         "the call's deadline passed before its HTTP request to " + origin + " could start", true);
    request.timeout_ms = request.timeout_ms > 0 ? std::min(request.timeout_ms, remaining) : remaining;
  }
  if (!http_) return Error::make(error_code::kInternal, "host HTTP service is not configured", false);

  std::shared_ptr<const HttpHook> hook;
  {
    std::lock_guard lock(hook_mutex_);
    hook = hook_;
  }
  const auto started = std::chrono::steady_clock::now();
  auto perform = [this](const sdk::HttpRequest& r) { return http_->send(r); };
  Result<sdk::HttpResponse> result = Error::make(error_code::kInternal, "HTTP hook returned nothing", false);
  try {
    result = hook ? (*hook)(scope, request, HttpNext(perform)) : perform(request);
  } catch (const std::exception& ex) {
    result = Error::make(error_code::kInternal, std::string("HTTP hook failed: ") + ex.what(), true);
  }
  if (log::min_level() <= log::Level::kDebug) {
    const auto elapsed_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
    boost::json::object fields{{"method", request.method}, {"origin", origin}, {"elapsed_ms", elapsed_ms}};
    if (!scope.connection_id.empty()) fields["connection"] = scope.connection_id;
    if (result) {
      fields["status"] = result.value().status;
    } else {
      fields["error"] = result.error().code;
    }
    log::debug("plugin:" + scope.plugin_id, "http request", fields);
  }
  return result;
}

void HostServices::log(const CallScope* scope, appconnect_log_level level, std::string_view message) {
  log::Level mapped = log::Level::kInfo;
  switch (static_cast<int>(level)) {
    case APPCONNECT_LOG_DEBUG:
      mapped = log::Level::kDebug;
      break;
    case APPCONNECT_LOG_WARN:
      mapped = log::Level::kWarn;
      break;
    case APPCONNECT_LOG_ERROR:
      mapped = log::Level::kError;
      break;
    default:
      break; // INFO, and any out-of-range value from a confused plugin
  }
  if (message.size() > kMaxLogMessage) message = message.substr(0, kMaxLogMessage);
  if (const LogForwarder forward = g_log_forwarder.load(std::memory_order_acquire); forward != nullptr) {
    // The worker still notes a load-time problem itself: its refusal message quotes it.
    if (scope == nullptr && tl_load_scope != nullptr && mapped >= log::Level::kWarn)
      tl_load_scope->note_problem(message);
    forward(level, message);
    return;
  }
  boost::json::object fields;
  std::string component = "plugin";
  if (scope != nullptr) {
    component += ":" + scope->plugin_id;
    if (!scope->connection_id.empty()) fields["connection"] = scope->connection_id;
  } else if (tl_load_scope != nullptr) {
    component += ":" + tl_load_scope->label();
    if (mapped >= log::Level::kWarn) tl_load_scope->note_problem(message);
  }
  log::write(mapped, component, message, fields);
}

void HostServices::set_log_forwarder(LogForwarder forward) {
  g_log_forwarder.store(forward, std::memory_order_release);
}

HostServices::LoadLogScope::LoadLogScope(std::string plugin_label)
    : label_(std::move(plugin_label)), previous_(tl_load_scope) {
  tl_load_scope = this;
}

HostServices::LoadLogScope::~LoadLogScope() {
  tl_load_scope = previous_;
}

} // namespace appconnect::plugins
