// The plugin boundary: loading the bundled connectors, one call through the C ABI into the real
// Salesforce plugin, and the JSON round trip every connector call pays (request document -> text ->
// plugin's typed struct, and the reply the same way back).
#include "app/host.hpp"
#include "httpclient/http_client.hpp"
#include "plugins/host_services.hpp"
#include "plugins/plugin_registry.hpp"

#include <appconnect/types.hpp>

#include <benchmark/benchmark.h>
#include <boost/json.hpp>

#include <memory>
#include <string>

namespace {

namespace pl = appconnect::plugins;
namespace sdk = appconnect::sdk;

std::shared_ptr<pl::HostServices> services() {
  static auto s = std::make_shared<pl::HostServices>(std::make_shared<appconnect::httpclient::HttpClient>());
  return s;
}

// dlopen + entry point + manifest checks for every plugin beside the executable (<build>/plugins), then
// shutdown and dlclose. This is the "plugin load time" of the results table.
void BM_PluginLoadAll(benchmark::State& state) {
  const auto dirs = appconnect::app::default_plugin_dirs();
  if (dirs.empty()) {
    state.SkipWithError("no plugin directory beside the executable");
    return;
  }
  std::size_t loaded = 0;
  for (auto _ : state) {
    pl::PluginRegistry registry(services());
    for (const auto& d : dirs) registry.load_directory(d);
    loaded = registry.plugins().size();
  }
  // The table calls this "3 plugins": say so if fewer loaded (a counter would break the CSV output).
  if (loaded != 3) state.SkipWithError("expected the 3 bundled plugins to load");
}
BENCHMARK(BM_PluginLoadAll)->Unit(benchmark::kMillisecond);

const boost::json::object& context() {
  static const boost::json::object c{
      {"connection_id", "bench"},
      {"tenant_id", "default"},
      {"settings", boost::json::object{{"login_url", "http://127.0.0.1:9"}, {"instance_url", "http://127.0.0.1:9"}}},
      {"credentials", boost::json::object{{"client_id", "appconnect-demo"}, {"access_token", "t"}}}};
  return c;
}

// One invoke of an operation that makes no HTTP request: request and context serialized, the plugin
// parses them, answers, and the host parses the reply.
void invoke_bench(benchmark::State& state, const char* operation, const boost::json::value& request) {
  pl::PluginRegistry registry(services());
  for (const auto& d : appconnect::app::default_plugin_dirs()) registry.load_directory(d);
  const pl::LoadedPlugin* plugin = registry.find("salesforce");
  if (plugin == nullptr) {
    state.SkipWithError("the salesforce plugin did not load");
    return;
  }
  const pl::CallScope scope{"salesforce", "bench", "default", 0};
  for (auto _ : state) {
    auto reply = plugin->invoke(operation, request, context(), scope);
    if (!reply) {
      state.SkipWithError(reply.error().message.c_str());
      break;
    }
    benchmark::DoNotOptimize(reply);
  }
}

void BM_PluginInvokeDescribe(benchmark::State& state) {
  invoke_bench(state, "describe", boost::json::object{});
}
BENCHMARK(BM_PluginInvokeDescribe);

void BM_PluginInvokeAuthorizeUrl(benchmark::State& state) {
  invoke_bench(state, "oauth_authorize_url",
               boost::json::value_from(sdk::OAuthAuthorizeUrlRequest{"http://127.0.0.1/oauth/callback", "st"}));
}
BENCHMARK(BM_PluginInvokeAuthorizeUrl);

template <class T>
T round_trip(const T& value) {
  const std::string text = boost::json::serialize(boost::json::value_from(value));
  return boost::json::value_to<T>(boost::json::parse(text));
}

// The documents of one logged call as they cross the boundary: find_contacts (request, a 2-record
// reply) and create_call_log (request, reply). Each is built, serialized, parsed and decoded once.
void BM_BoundaryJsonPerCall(benchmark::State& state) {
  sdk::FindContactsRequest find;
  find.phone_e164 = "+16175550171";
  find.variants = {"+16175550171", "6175550171", "16175550171", "(617) 555-0171", "617-555-0171"};
  find.limit = 20;
  sdk::FindContactsResult found;
  for (int i = 0; i < 2; ++i) {
    sdk::Contact c;
    c.id = "0035g00000ABCDE" + std::to_string(i);
    c.type = "Contact";
    c.name = "Noah Fischer";
    c.phone = "(617) 555-0171";
    c.email = "noah@example.com";
    c.owner_id = "0055g00000XYZ12";
    c.created_at = "2025-03-01T10:00:00Z";
    c.modified_at = "2026-01-01T10:00:00Z";
    c.url = "https://example.my.salesforce.com/lightning/r/Contact/" + c.id + "/view";
    found.contacts.push_back(c);
  }
  sdk::CreateCallLogRequest create;
  create.log.external_id = "call:s-bench-0001:101";
  create.log.contact_id = "0035g00000ABCDE0";
  create.log.contact_type = "Contact";
  create.log.owner_id = "0055g00000XYZ12";
  create.log.direction = "inbound";
  create.log.from_phone = "+16175550171";
  create.log.to_phone = "+16505550100";
  create.log.start_time = "2026-11-25T14:30:00Z";
  create.log.duration_s = 95;
  create.log.result = "answered";
  create.log.subject = "Inbound call from Noah Fischer";
  create.log.body = "Inbound call, 1 min 35 s, answered.\nAsked about the renewal quote.\n";
  create.log.recording_url = "https://recordings.example.com/s-bench-0001.mp3";
  const sdk::LogRecordRef ref{"00T5g00000QWERT", "Task",
                              "https://example.my.salesforce.com/lightning/r/Task/00T5g00000QWERT/view"};
  for (auto _ : state) {
    benchmark::DoNotOptimize(round_trip(find));
    benchmark::DoNotOptimize(round_trip(found));
    benchmark::DoNotOptimize(round_trip(create));
    benchmark::DoNotOptimize(round_trip(ref));
  }
}
BENCHMARK(BM_BoundaryJsonPerCall);

} // namespace
