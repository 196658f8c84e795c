// Shared helpers of the loader tests: where the fixture plugins are, and a HostServices to load them with.
#pragma once

#include "httpclient/http_client.hpp"
#include "plugins/host_services.hpp"
#include "plugins/plugin_registry.hpp"

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

namespace appconnect::plugins::test {

inline std::filesystem::path fixture_dir(std::string_view scenario) {
  return std::filesystem::path(APPCONNECT_FIXTURE_PLUGIN_DIR) / scenario;
}

inline std::filesystem::path fixture(std::string_view scenario, std::string_view file) {
  return fixture_dir(scenario) / file;
}

inline std::shared_ptr<HostServices> make_services(HostServices::Clock clock = {}) {
  return std::make_shared<HostServices>(std::make_shared<httpclient::HttpClient>(), std::move(clock));
}

// The refusal recorded for a file name, or "" when there is none.
inline std::string refusal_of(const PluginRegistry& registry, std::string_view file_name) {
  for (const auto& r : registry.refusals())
    if (r.path.filename() == file_name) return r.reason;
  return {};
}

} // namespace appconnect::plugins::test
