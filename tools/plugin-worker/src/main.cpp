// appconnect-plugin-worker PLUGIN.so
//
// Loads one plugin with the host's own loader (PluginRegistry: the same file, ABI and manifest checks),
// then serves the host's invoke calls over its stdin/stdout, one at a time, in the frames of
// host/src/plugins/worker_protocol.hpp. The plugin's calls back into host services (log, clock, HTTP)
// are sent to the host and answered there, so the host's rate limiter, metrics and log format apply as
// if the plugin ran inside it. The host starts this program; it is not meant to be run by hand.
// Exit: 0 after the host closed the request pipe (the plugin was shut down first), 2 wrong usage.
#include "plugins/host_services.hpp"
#include "plugins/plugin_registry.hpp"
#include "plugins/worker_protocol.hpp"

#include "common/log.hpp"
#include "httpclient/http_client.hpp"

#include <boost/json.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <iostream>
#include <mutex>
#include <optional>
#include <string>

namespace {

namespace plugins = appconnect::plugins;
namespace wp = appconnect::plugins::worker_protocol;
namespace sdk = appconnect::sdk;
using appconnect::Error;
using appconnect::Result;

int g_in = -1;  // requests from the host
int g_out = -1; // frames to the host
// One exchange with the host at a time: plugin threads may call host services concurrently.
std::mutex g_channel;
std::atomic<bool> g_in_call{false};

std::int64_t system_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

bool send(const boost::json::object& frame) {
  return wp::write_frame(g_out, boost::json::serialize(frame)) == wp::IoStatus::kOk;
}

// Sends a host-service request and reads the host's answer. Only valid while a call runs: then the host
// is reading this worker's frames and answers each request before anything else.
std::optional<boost::json::object> ask_host(const boost::json::object& request) {
  if (!g_in_call.load()) return std::nullopt;
  std::lock_guard lock(g_channel);
  if (!send(request)) return std::nullopt;
  std::string payload;
  if (wp::read_frame(g_in, payload) != wp::IoStatus::kOk) return std::nullopt;
  boost::system::error_code ec;
  auto doc = boost::json::parse(payload, ec);
  if (ec || !doc.is_object()) return std::nullopt;
  return std::move(doc.get_object());
}

void forward_log(appconnect_log_level level, std::string_view message) {
  std::lock_guard lock(g_channel);
  // "call": false marks a line from outside any call (a plugin thread of its own), which the host must
  // not attribute to whichever call it happens to be serving when the line arrives.
  send(boost::json::object{
      {"t", "log"}, {"level", static_cast<int>(level)}, {"message", message}, {"call", g_in_call.load()}});
}

std::int64_t host_now_ms() {
  auto reply = ask_host(boost::json::object{{"t", "now"}});
  if (reply) {
    if (const auto* ms = reply->if_contains("ms"); ms != nullptr && ms->is_int64()) return ms->get_int64();
  }
  return system_now_ms(); // outside a call (or the host is gone): the machine's clock is the host's clock
}

Result<sdk::HttpResponse> host_http(const plugins::CallScope&, const sdk::HttpRequest& request,
                                    const plugins::HttpNext&) {
  auto reply = ask_host(boost::json::object{{"t", "http"}, {"request", boost::json::value_from(request)}});
  if (!reply)
    return Error::make(appconnect::error_code::kTransport,
                       "the plugin worker could not reach the host to perform an HTTP request", true);
  try {
    const auto* ok = reply->if_contains("ok");
    if (ok != nullptr && ok->is_bool() && ok->get_bool())
      return boost::json::value_to<sdk::HttpResponse>(reply->at("response"));
    return boost::json::value_to<Error>(reply->at("error"));
  } catch (const std::exception& ex) {
    return Error::make(appconnect::error_code::kInternal,
                       std::string("unreadable HTTP answer from the host: ") + ex.what(), false);
  }
}

std::string string_field(const boost::json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->get_string()) : std::string();
}

boost::json::object serve(const plugins::LoadedPlugin& plugin, const boost::json::object& frame) {
  auto answer = [](const Result<boost::json::value>& r) {
    if (r) return boost::json::object{{"t", "result"}, {"ok", true}, {"value", r.value()}};
    return boost::json::object{{"t", "result"}, {"ok", false}, {"error", boost::json::value_from(r.error())}};
  };
  if (string_field(frame, "t") != "invoke")
    return answer(Error::make(appconnect::error_code::kBadRequest, "the worker only serves invoke frames", false));
  plugins::CallScope scope;
  if (const auto* s = frame.if_contains("scope"); s != nullptr && s->is_object()) {
    const auto& so = s->get_object();
    scope.plugin_id = string_field(so, "plugin_id");
    scope.connection_id = string_field(so, "connection_id");
    scope.tenant_id = string_field(so, "tenant_id");
    if (const auto* d = so.if_contains("deadline_unix_ms"); d != nullptr && d->is_int64())
      scope.deadline_unix_ms = d->get_int64();
  }
  const auto* request = frame.if_contains("request");
  const auto* context = frame.if_contains("context");
  const boost::json::value empty_request = boost::json::object{};
  const boost::json::object empty_context;
  g_in_call.store(true);
  auto result =
      plugin.invoke(string_field(frame, "operation"), request != nullptr ? *request : empty_request,
                    context != nullptr && context->is_object() ? context->get_object() : empty_context, scope);
  g_in_call.store(false);
  return answer(result);
}

} // namespace

int main(int argc, char** argv) {
  if (argc != 2 || std::string(argv[1]).rfind('-', 0) == 0) {
    std::cerr << "Usage: appconnect-plugin-worker PLUGIN.so\n"
                 "Started by the AppConnect host for plugins configured to run isolated (plugin_isolation);\n"
                 "speaks length-prefixed JSON frames on stdin/stdout.\n";
    return 2;
  }
  // The host gone: writes fail with EPIPE and the worker ends at its next read.
  std::signal(SIGPIPE, SIG_IGN);
  // The protocol keeps private copies of the pipes; the plugin's own stdin reads nothing and whatever
  // it prints to stdout goes to stderr, so it cannot corrupt the frames.
  g_in = ::fcntl(0, F_DUPFD_CLOEXEC, 3);
  g_out = ::fcntl(1, F_DUPFD_CLOEXEC, 3);
  if (g_in < 0 || g_out < 0) return 1;
  if (const int null = ::open("/dev/null", O_RDONLY | O_CLOEXEC); null >= 0) {
    ::dup2(null, 0);
    ::close(null);
  }
  ::dup2(2, 1);

  // The plugin's lines go to the host (forward_log). The worker's own are few: its warnings (a plugin
  // breaking the reply contract, a shutdown that threw) go straight to stderr, which is the host's;
  // debug lines would duplicate what the host logs about the same calls.
  appconnect::log::set_min_level(appconnect::log::Level::kWarn);
  plugins::HostServices::set_log_forwarder(&forward_log);
  // The client is never used: the hook below hands every request to the host.
  auto services =
      std::make_shared<plugins::HostServices>(std::make_shared<appconnect::httpclient::HttpClient>(), &host_now_ms);
  services->set_http_hook(&host_http);
  {
    plugins::PluginRegistry registry(services);
    registry.load_file(argv[1]);
    if (registry.plugins().empty()) {
      const std::string reason =
          registry.refusals().empty() ? std::string(argv[1]) + ": not loaded" : registry.refusals().front().reason;
      std::lock_guard lock(g_channel);
      send(boost::json::object{{"t", "refused"}, {"reason", reason}});
      return 0;
    }
    const plugins::LoadedPlugin& plugin = *registry.plugins().front();
    {
      std::lock_guard lock(g_channel);
      if (!send(boost::json::object{{"t", "ready"}, {"manifest", plugin.manifest().raw}})) return 1;
    }
    std::string payload;
    while (wp::read_frame(g_in, payload) == wp::IoStatus::kOk) {
      boost::system::error_code ec;
      const auto doc = boost::json::parse(payload, ec);
      const boost::json::object reply =
          ec || !doc.is_object()
              ? boost::json::object{{"t", "result"},
                                    {"ok", false},
                                    {"error", boost::json::value_from(Error::make(appconnect::error_code::kBadRequest,
                                                                                  "unreadable invoke frame", false))}}
              : serve(plugin, doc.get_object());
      std::lock_guard lock(g_channel);
      if (!send(reply)) break;
    }
  } // the registry shuts the plugin down and unloads it
  return 0;
}
