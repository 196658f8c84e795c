#include "plugins/plugin_registry.hpp"

#include "common/log.hpp"
#include "plugins/reply.hpp"

#include <boost/dll/shared_library.hpp>
#include <boost/json.hpp>

#include <algorithm>
#include <array>
#include <cstddef>
#include <fstream>
#include <map>
#include <mutex>
#include <shared_mutex>
#include <sstream>
#include <system_error>
#include <utility>

namespace appconnect::plugins {
namespace {

constexpr std::string_view kComponent = "plugins";

// Size of the ABI 1.0 plugin table (every field up to `shutdown`). A table from any v1 plugin is at least
// this large; later minors only append fields.
constexpr std::size_t kMinPluginTableSize = offsetof(appconnect_plugin, shutdown) + sizeof(void (*)(void));
// The prefix a table must have for its version fields to be readable at all.
constexpr std::size_t kVersionPrefixSize = offsetof(appconnect_plugin, abi_minor) + sizeof(std::uint16_t);

std::string abi_text(int major, int minor) {
  return std::to_string(major) + "." + std::to_string(minor);
}

// dlerror's text without Boost.DLL's wrapping ("... (dlerror system message: X): Bad file descriptor").
std::string loader_message(const std::system_error& e) {
  const std::string what = e.what();
  const std::string marker = "(dlerror system message: ";
  const auto start = what.find(marker);
  if (start == std::string::npos) return what;
  const auto end = what.rfind(')');
  if (end == std::string::npos || end < start + marker.size()) return what.substr(start + marker.size());
  return what.substr(start + marker.size(), end - start - marker.size());
}

std::optional<std::string> read_text_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::filesystem::path sidecar_path(const std::filesystem::path& library) {
  return library.parent_path() / (library.stem().string() + ".manifest.json");
}

// Receives one document from the plugin. Copies before returning, as abi.h promises the plugin.
struct Reply {
  std::string text;
  bool written = false;
  bool lost = false; // the copy failed (out of memory, or NULL data with a size)

  static void write(void* ctx, const char* data, size_t size) noexcept {
    auto* self = static_cast<Reply*>(ctx);
    self->written = true;
    if (data == nullptr && size > 0) {
      self->lost = true;
      return;
    }
    try {
      self->text.assign(data == nullptr ? "" : data, size);
      self->lost = false;
    } catch (...) {
      self->lost = true;
    }
  }
};

// Libraries whose plugin is live in this process (accepted, not yet destroyed), by loader handle, with
// the file they were accepted from. The dynamic loader hands out one instance per library file, so opening
// one of these again - from another registry, a second load_file or inspect - would share its state, and
// the refusal or inspection that follows would shut the running plugin down.
struct LiveLibraries {
  std::mutex mutex;
  std::map<void*, std::filesystem::path> by_handle;
};

LiveLibraries& live_libraries() {
  static LiveLibraries live;
  return live;
}

} // namespace

// ---------------------------------------------------------------------------------------------------
// LoadedPlugin

struct LoadedPlugin::State {
  // Declared first so it is destroyed last: nothing of the plugin's may run after its code is unmapped.
  boost::dll::shared_library library;
  std::filesystem::path path;
  Manifest manifest;
  const appconnect_plugin* table = nullptr;
  std::unique_ptr<IsolatedPlugin> isolated; // set instead of `library`/`table` for an out-of-process plugin
  std::shared_ptr<HostServices> services;   // its appconnect_host table must outlive the plugin's shutdown
  // invoke holds it shared, shutdown exclusively: shutdown runs only after every running call returned.
  mutable std::shared_mutex lifecycle;
  bool shut_down = false;
  bool live = false; // registered in live_libraries()

  void shutdown() {
    std::unique_lock lock(lifecycle);
    if (shut_down) return;
    shut_down = true;
    if (isolated) {
      isolated->shutdown();
      return;
    }
    if (table == nullptr || table->shutdown == nullptr) return;
    HostServices::LoadLogScope attribution(manifest.id.empty() ? path.filename().string() : manifest.id);
    try {
      table->shutdown();
    } catch (...) {
      // A C++ plugin may let an exception out despite the contract; the host carries on.
      log::warn(kComponent, "plugin shutdown threw; ignored", {{"file", path.string()}});
    }
  }

  ~State() {
    shutdown();
    if (live) {
      auto& registry = live_libraries();
      std::lock_guard lock(registry.mutex);
      registry.by_handle.erase(library.native());
    }
  }
};

LoadedPlugin::LoadedPlugin(std::unique_ptr<State> state) : state_(std::move(state)) {}
LoadedPlugin::~LoadedPlugin() = default;

const Manifest& LoadedPlugin::manifest() const {
  return state_->manifest;
}
const std::filesystem::path& LoadedPlugin::path() const {
  return state_->path;
}

bool LoadedPlugin::supports(std::string_view capability) const {
  const auto& caps = state_->manifest.capabilities;
  return std::find(caps.begin(), caps.end(), capability) != caps.end();
}

void LoadedPlugin::shutdown() {
  state_->shutdown();
}

const IsolatedPlugin* LoadedPlugin::isolated() const {
  return state_->isolated.get();
}

Result<boost::json::value> LoadedPlugin::invoke(std::string_view operation, const boost::json::value& request,
                                                const boost::json::object& context, const CallScope& scope) const {
  const State& s = *state_;
  const std::string& id = s.manifest.id;
  try {
    std::shared_lock lock(s.lifecycle);
    if (s.shut_down) return Error::make(error_code::kUnavailable, "plugin '" + id + "' has been shut down", true);
    if (s.isolated) return s.isolated->invoke(operation, request, context, scope);
    const std::string op(operation); // NUL-terminated for the C side
    if (op.empty() || op.find('\0') != std::string::npos)
      return Error::make(error_code::kBadRequest, "invalid operation name for plugin '" + id + "'", false);

    const std::string request_text = boost::json::serialize(request);
    boost::json::object ctx = context;
    if (!ctx.contains("connection_id") && !scope.connection_id.empty()) ctx["connection_id"] = scope.connection_id;
    if (!ctx.contains("tenant_id") && !scope.tenant_id.empty()) ctx["tenant_id"] = scope.tenant_id;
    const std::string context_text = boost::json::serialize(ctx);

    CallFrame frame{&scope, s.services.get()};
    appconnect_call call{};
    call.struct_size = sizeof(appconnect_call);
    call.operation = op.c_str();
    call.request_json = request_text.data();
    call.request_size = request_text.size();
    call.context_json = context_text.data();
    call.context_size = context_text.size();
    call.call_handle = &frame;
    call.deadline_unix_ms = scope.deadline_unix_ms;

    Reply reply;
    appconnect_sink sink{&reply, &Reply::write};
    // Read as a plain int: a raw C plugin may return any value, and only the four defined ones count.
    const int status = static_cast<int>(s.table->invoke(&call, &sink));

    return decode_reply(RawReply{status, reply.written, reply.lost, reply.text}, id, op);
  } catch (const std::exception& ex) {
    return plugin_fault(id, operation, std::string("call failed in the host: ") + ex.what());
  } catch (...) {
    // Only reachable if a C++ plugin let an exception cross the C boundary (same runtime as the host).
    return plugin_fault(id, operation, "let an exception escape invoke");
  }
}

// ---------------------------------------------------------------------------------------------------
// Loading

namespace {

// Opens `file` and runs the checks of plugin_registry.hpp, filling `report` as far as it gets. Returns the
// plugin (registered as live), or nullptr with report.reason set. `loaded` enables the duplicate-id check.
std::unique_ptr<LoadedPlugin> open_plugin(const std::filesystem::path& file,
                                          const std::shared_ptr<HostServices>& services, InspectReport& report,
                                          const std::vector<std::unique_ptr<LoadedPlugin>>* loaded) {
  report.file = file;
  auto refuse = [&](std::string why) -> std::unique_ptr<LoadedPlugin> {
    report.ok = false;
    report.reason = file.string() + ": " + why;
    return nullptr;
  };

  auto state = std::make_unique<LoadedPlugin::State>();
  state->path = file;
  state->services = services;

  std::error_code fs_ec;
  if (!std::filesystem::is_regular_file(file, fs_ec)) return refuse("no such file");
  try {
    // rtld_now: an unresolved symbol refuses the plugin now instead of crashing it mid-call.
    // rtld_local: one plugin's symbols never satisfy another's.
    state->library.load(file, boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local);
  } catch (const std::system_error& e) {
    return refuse("not a loadable shared library (" + loader_message(e) + ")");
  }
  {
    auto& live = live_libraries();
    std::lock_guard lock(live.mutex);
    if (auto it = live.by_handle.find(state->library.native()); it != live.by_handle.end())
      return refuse("is the same library as a plugin already loaded in this process (from " + it->second.string() +
                    ")");
  }
  if (!state->library.has(APPCONNECT_ENTRY_SYMBOL))
    return refuse(std::string("does not export the entry symbol ") + APPCONNECT_ENTRY_SYMBOL +
                  " (not an AppConnect plugin, or built for another ABI generation)");

  auto& entry = state->library.get<const appconnect_plugin*(const appconnect_host*)>(APPCONNECT_ENTRY_SYMBOL);
  const appconnect_plugin* table = nullptr;
  std::string plugin_said;
  {
    HostServices::LoadLogScope attribution(file.filename().string());
    try {
      table = entry(services->table());
    } catch (...) {
      return refuse("its entry point threw an exception");
    }
    plugin_said = attribution.last_problem();
  }
  if (table == nullptr)
    return refuse("the plugin refused this host (its entry point returned NULL for host ABI " +
                  abi_text(APPCONNECT_ABI_MAJOR, APPCONNECT_ABI_MINOR) + ")" +
                  (plugin_said.empty() ? std::string() : ": " + plugin_said));

  // Until the table is known to have the v1 layout, its `shutdown` field cannot be read safely, so a
  // refusal at these checks leaves whatever the plugin allocated behind.
  if (table->struct_size < kVersionPrefixSize)
    return refuse("plugin table struct_size " + std::to_string(table->struct_size) + " is too small to hold a version");
  report.plugin_abi_major = table->abi_major;
  report.plugin_abi_minor = table->abi_minor;
  if (table->abi_major != APPCONNECT_ABI_MAJOR)
    return refuse("built for ABI major version " + std::to_string(table->abi_major) + " (ABI " +
                  abi_text(table->abi_major, table->abi_minor) + "), but this host supports only major version " +
                  std::to_string(APPCONNECT_ABI_MAJOR) + " (ABI " +
                  abi_text(APPCONNECT_ABI_MAJOR, APPCONNECT_ABI_MINOR) + ")");
  if (table->struct_size < kMinPluginTableSize)
    return refuse("plugin table struct_size " + std::to_string(table->struct_size) +
                  " is too small: an ABI 1.0 table has " + std::to_string(kMinPluginTableSize) + " bytes");
  // From here the plugin may hold resources: a refusal lets it release them (shutdown) before unloading.
  state->table = table;
  if (table->abi_minor > APPCONNECT_ABI_MINOR)
    return refuse("built for ABI " + abi_text(table->abi_major, table->abi_minor) + ", newer than this host's ABI " +
                  abi_text(APPCONNECT_ABI_MAJOR, APPCONNECT_ABI_MINOR) +
                  "; upgrade the host or use a plugin built for the older SDK");
  if (table->invoke == nullptr) return refuse("plugin table has no invoke function");
  if (table->manifest_json == nullptr) return refuse("plugin table has no manifest_json");

  auto manifest = parse_manifest(table->manifest_json);
  if (!manifest) return refuse("invalid embedded manifest: " + manifest.error().message);
  report.manifest = manifest.value();
  const Manifest& m = manifest.value();
  if (m.abi_major != table->abi_major || m.abi_minor != table->abi_minor)
    return refuse("manifest declares ABI " + abi_text(m.abi_major, m.abi_minor) + " but the plugin table reports ABI " +
                  abi_text(table->abi_major, table->abi_minor));

  const auto sidecar = sidecar_path(file);
  if (std::filesystem::exists(sidecar, fs_ec)) {
    report.sidecar_manifest = sidecar;
    auto text = read_text_file(sidecar);
    if (!text) return refuse("cannot read sidecar manifest " + sidecar.string());
    auto side = parse_manifest(*text);
    if (!side) return refuse("sidecar manifest " + sidecar.string() + " is invalid: " + side.error().message);
    if (side.value().id != m.id || side.value().version != m.version)
      return refuse("sidecar manifest " + sidecar.string() + " says id '" + side.value().id + "' version " +
                    side.value().version + ", but the plugin reports id '" + m.id + "' version " + m.version);
  }

  if (loaded != nullptr) {
    for (const auto& other : *loaded) {
      if (other->manifest().id == m.id)
        return refuse("plugin id '" + m.id + "' is already provided by " + other->path().string());
    }
  }

  state->manifest = m;
  {
    auto& live = live_libraries();
    std::lock_guard lock(live.mutex);
    // Checked again under the lock: another thread may have accepted the same library meanwhile.
    if (!live.by_handle.emplace(state->library.native(), file).second)
      return refuse("is the same library as a plugin already loaded in this process");
    state->live = true;
  }
  report.ok = true;
  report.reason.clear();
  return std::make_unique<LoadedPlugin>(std::move(state));
}

// The isolated counterpart of open_plugin: a worker process runs checks 1-6 and reports the manifest.
std::unique_ptr<LoadedPlugin> open_isolated(const std::filesystem::path& file,
                                            const std::shared_ptr<HostServices>& services,
                                            const IsolationSettings& settings, InspectReport& report,
                                            const std::vector<std::unique_ptr<LoadedPlugin>>& loaded) {
  report.file = file;
  std::error_code fs_ec;
  if (!std::filesystem::is_regular_file(file, fs_ec)) {
    report.reason = file.string() + ": no such file";
    return nullptr;
  }
  auto started = IsolatedPlugin::start(file, settings, services);
  if (!started) {
    report.reason = started.error().message;
    return nullptr;
  }
  const Manifest m = started.value()->manifest();
  report.manifest = m;
  for (const auto& other : loaded) {
    if (other->manifest().id == m.id) {
      report.reason = file.string() + ": plugin id '" + m.id + "' is already provided by " + other->path().string();
      return nullptr;
    }
  }
  auto state = std::make_unique<LoadedPlugin::State>();
  state->path = file;
  state->services = services;
  state->manifest = m;
  state->isolated = std::move(started.value());
  report.ok = true;
  return std::make_unique<LoadedPlugin>(std::move(state));
}

} // namespace

PluginRegistry::PluginRegistry(std::shared_ptr<HostServices> services) : services_(std::move(services)) {}

PluginRegistry::~PluginRegistry() {
  for (auto it = plugins_.rbegin(); it != plugins_.rend(); ++it) (*it)->shutdown();
  while (!plugins_.empty()) plugins_.pop_back();
}

void PluginRegistry::load_directory(const std::filesystem::path& dir) {
  std::error_code ec;
  std::vector<std::filesystem::path> files;
  std::filesystem::directory_iterator it(dir, ec);
  if (ec) {
    Refusal r{dir, dir.string() + ": cannot read plugin directory (" + ec.message() + ")"};
    log::debug(kComponent, r.reason, {{"dir", dir.string()}});
    refusals_.push_back(std::move(r));
    return;
  }
  for (const auto& entry : it) {
    const auto& p = entry.path();
    // Only "*.so" is a candidate; "<name>.manifest.json" is read beside its library, never on its own.
    if (p.extension() != ".so") continue;
    std::error_code type_ec;
    if (!entry.is_regular_file(type_ec)) continue;
    files.push_back(p);
  }
  std::sort(files.begin(), files.end());
  for (const auto& f : files) load_file(f);
}

void PluginRegistry::set_isolation(std::vector<std::string> ids, IsolationSettings settings) {
  isolated_ids_ = std::move(ids);
  isolation_ = std::move(settings);
}

bool PluginRegistry::isolation_listed(std::string_view id) const {
  return std::any_of(isolated_ids_.begin(), isolated_ids_.end(),
                     [id](const std::string& listed) { return listed == "*" || listed == id; });
}

bool PluginRegistry::isolate_file(const std::filesystem::path& file) const {
  if (isolated_ids_.empty()) return false;
  if (isolation_listed("*") || isolation_listed(file.stem().string())) return true;
  // The sidecar names the plugin without running any of its code.
  std::error_code ec;
  const auto sidecar = sidecar_path(file);
  if (!std::filesystem::exists(sidecar, ec)) return false;
  auto text = read_text_file(sidecar);
  if (!text) return false;
  auto side = parse_manifest(*text);
  return side && isolation_listed(side.value().id);
}

void PluginRegistry::load_file(const std::filesystem::path& file) {
  InspectReport report;
  std::unique_ptr<LoadedPlugin> plugin;
  if (isolate_file(file)) {
    plugin = open_isolated(file, services_, isolation_, report, plugins_);
  } else {
    plugin = open_plugin(file, services_, report, &plugins_);
    if (plugin && isolation_listed(plugin->manifest().id)) {
      report.reason = file.string() + ": plugin '" + plugin->manifest().id +
                      "' is configured to run isolated, but neither its file name nor a sidecar manifest names it, "
                      "so it was opened in process; rename the file or add <name>.manifest.json";
      plugin.reset(); // shut down and unloaded again
    }
  }
  if (!plugin) {
    // Debug only: the caller decides how to surface refusals (the host logs them, the CLI prints them).
    log::debug(kComponent, "plugin refused: " + report.reason, {{"file", file.string()}});
    refusals_.push_back(Refusal{file, report.reason});
    return;
  }
  const Manifest& m = plugin->manifest();
  log::debug(
      kComponent, "plugin loaded",
      {{"id", m.id}, {"version", m.version}, {"abi", abi_text(m.abi_major, m.abi_minor)}, {"file", file.string()}});
  plugins_.push_back(std::move(plugin));
}

const LoadedPlugin* PluginRegistry::find(std::string_view id) const {
  for (const auto& p : plugins_)
    if (p->manifest().id == id) return p.get();
  return nullptr;
}

std::vector<const LoadedPlugin*> PluginRegistry::plugins() const {
  std::vector<const LoadedPlugin*> out;
  out.reserve(plugins_.size());
  for (const auto& p : plugins_) out.push_back(p.get());
  return out;
}

const std::vector<Refusal>& PluginRegistry::refusals() const {
  return refusals_;
}

InspectReport inspect_plugin_file(const std::filesystem::path& file, std::shared_ptr<HostServices> services) {
  InspectReport report;
  auto plugin = open_plugin(file, services, report, nullptr);
  // `plugin` (or the refused state) is destroyed here: shutdown first, then the library is closed.
  return report;
}

} // namespace appconnect::plugins
