// The running host: configuration, database, plugins, pipeline and HTTP API wired together.
#pragma once

#include "common/result.hpp"
#include "config/config.hpp"

#include <memory>
#include <string>

namespace appconnect::plugins {
class PluginRegistry;
} // namespace appconnect::plugins

namespace appconnect::app {

class Host {
 public:
  static Result<std::unique_ptr<Host>> create(const config::Config& config);
  ~Host();

  // Starts workers and the HTTP listener. Returns the bound port.
  Result<int> start();
  // Stops accepting requests, lets running jobs finish, releases everything.
  void stop();

  int port() const;
  std::string base_url() const;
  // The HTTP routes the host serves, as (method, pattern).
  std::vector<std::pair<std::string, std::string>> routes() const;

  // The wired components; public only so the route table in host.cpp can reach them.
  struct Parts;

 private:
  explicit Host(std::unique_ptr<Parts> parts);
  std::unique_ptr<Parts> p_;
};

// Directories searched for plugins when the configuration names none: beside the executable
// (<prefix>/plugins for a build tree, <prefix>/lib/appconnect/plugins for an installed host).
std::vector<std::filesystem::path> default_plugin_dirs();

// Applies the config's plugin_isolation to a registry before it loads anything (the host and
// `appconnect doctor` load plugins the same way).
void configure_isolation(plugins::PluginRegistry& registry, const config::Config& config);

} // namespace appconnect::app
