// Loading CRM connector plugins (shared libraries built against sdk/include/appconnect/abi.h) and calling
// them. Boost.DLL is confined to plugin_registry.cpp.
//
// A plugin is accepted only when every check passes, in this order; otherwise it is refused with a
// message naming the file and the reason, and loading continues with the next file:
//   1. the file opens as a shared library;
//   2. it exports APPCONNECT_ENTRY_SYMBOL ("appconnect_plugin_entry_v1");
//   3. the entry point returns a table (NULL = the plugin refuses this host);
//   4. the table's ABI major equals the host's, it is at least as large as an ABI 1.0 table, its minor is
//      not newer than the host's, and invoke and manifest_json are set;
//   5. the embedded manifest is valid, and its "abi" equals the table's version;
//   6. a sidecar <name>.manifest.json, when present, agrees with it on id and version;
//   7. no plugin with the same id is loaded already, and the library is not already live in this process
//      (the dynamic loader would hand back the running instance rather than a second copy).
// An isolated plugin (PluginRegistry::set_isolation) passes the same checks 1-6 inside its worker process
// (appconnect-plugin-worker), and check 7's id part in the host.
#pragma once

#include "plugins/host_services.hpp"
#include "plugins/isolated_plugin.hpp"
#include "plugins/manifest.hpp"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace appconnect::plugins {

struct Refusal {
  std::filesystem::path path;
  std::string reason; // a sentence naming the file and what is wrong with it
};

// One plugin library, open and accepted. Owned by a PluginRegistry (or an InspectReport's loader).
class LoadedPlugin {
 public:
  ~LoadedPlugin(); // calls the plugin's shutdown (once), then closes the library
  LoadedPlugin(const LoadedPlugin&) = delete;
  LoadedPlugin& operator=(const LoadedPlugin&) = delete;

  const Manifest& manifest() const;
  const std::filesystem::path& path() const;
  bool supports(std::string_view capability) const;

  // Runs one operation; thread-safe; never throws. `context` is the connection's context document (see
  // abi.h); connection_id and tenant_id are filled from `scope` when it lacks them.
  // Errors: a reply that is not valid JSON, an unknown status or a missing document -> "internal" naming
  // the plugin; UNSUPPORTED -> "unsupported"; ERROR/BAD_REQUEST -> the plugin's error document (an
  // error code outside the SDK's list becomes "internal", keeping the plugin's code in the message).
  Result<boost::json::value> invoke(std::string_view operation, const boost::json::value& request,
                                    const boost::json::object& context, const CallScope& scope) const;

  // Calls the plugin's shutdown now (idempotent). Later invoke calls fail with "unavailable".
  void shutdown();

  // The worker pool when the plugin runs out of process; nullptr when it is loaded in this process.
  const IsolatedPlugin* isolated() const;

  struct State; // defined in plugin_registry.cpp (holds the Boost.DLL library)
  explicit LoadedPlugin(std::unique_ptr<State> state);

 private:
  std::unique_ptr<State> state_;
};

class PluginRegistry {
 public:
  explicit PluginRegistry(std::shared_ptr<HostServices> services);
  ~PluginRegistry(); // shuts every plugin down, then unloads them, in reverse load order
  PluginRegistry(const PluginRegistry&) = delete;
  PluginRegistry& operator=(const PluginRegistry&) = delete;

  // Plugins named in `ids` run out of process, in appconnect-plugin-worker processes (isolated_plugin.hpp);
  // "*" isolates every plugin. A file is matched before anything of it runs in this process: by the id in
  // its sidecar manifest, else by its file name without ".so". A plugin loaded in process whose id turns
  // out to be listed anyway is refused. Call before loading.
  void set_isolation(std::vector<std::string> ids, IsolationSettings settings);

  // Loads every "*.so" in `dir` (not recursive), in file-name order. A missing directory is a refusal.
  void load_directory(const std::filesystem::path& dir);
  // Loads one library (any file name). A failure is recorded in refusals() and logged, never thrown.
  void load_file(const std::filesystem::path& file);

  const LoadedPlugin* find(std::string_view id) const;
  std::vector<const LoadedPlugin*> plugins() const; // in load order
  const std::vector<Refusal>& refusals() const;
  const std::shared_ptr<HostServices>& services() const { return services_; }

 private:
  std::shared_ptr<HostServices> services_;
  std::vector<std::unique_ptr<LoadedPlugin>> plugins_;
  std::vector<Refusal> refusals_;
  std::vector<std::string> isolated_ids_;
  IsolationSettings isolation_;

  bool isolation_listed(std::string_view id) const;
  bool isolate_file(const std::filesystem::path& file) const;
};

// What `appconnect plugins inspect FILE` shows: the outcome of loading a file without registering it.
struct InspectReport {
  std::filesystem::path file;
  bool ok = false;
  std::string reason; // why it was refused; empty when ok
  int host_abi_major = APPCONNECT_ABI_MAJOR;
  int host_abi_minor = APPCONNECT_ABI_MINOR;
  std::optional<int> plugin_abi_major; // from the plugin's table, when the entry point returned one
  std::optional<int> plugin_abi_minor;
  std::optional<Manifest> manifest;       // the embedded manifest, when it parsed
  std::filesystem::path sidecar_manifest; // the <name>.manifest.json beside the file; empty when none
};

// Loads `file`, describes it, shuts it down and unloads it again. A library whose plugin is live in this
// process (held by a registry) is refused rather than disturbed.
InspectReport inspect_plugin_file(const std::filesystem::path& file, std::shared_ptr<HostServices> services);

// Renderings for the CLI: a human-readable table / report, or one JSON document.
std::string render_plugin_list(const PluginRegistry& registry, bool as_json);
std::string render_inspect(const InspectReport& report, bool as_json);

} // namespace appconnect::plugins
