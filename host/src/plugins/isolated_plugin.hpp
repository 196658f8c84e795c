// Running a plugin out of process: IsolatedPlugin keeps a small pool of appconnect-plugin-worker
// processes, each of which loads the plugin's .so with the host's own loader and serves one call at a
// time over a pipe (worker_protocol.hpp). LoadedPlugin forwards to it when the registry was told to
// isolate the plugin, so the pipeline calls an isolated plugin exactly like an in-process one.
//
// Failure model (docs/adr/0008-plugin-isolation.md):
//   - the worker dies during a call (EOF on its pipe; waitpid says why) -> that call fails with a
//     retryable "unavailable" error, the worker is replaced;
//   - the worker does not answer within invoke_timeout_ms -> SIGKILL, the call fails with a retryable
//     "timeout" error, the worker is replaced;
//   - memory_limit_mb caps each worker's address space (RLIMIT_AS): a plugin that grows past it fails
//     its allocations inside the worker, which usually ends the worker (counted as a crash);
//   - replacements back off exponentially while failures repeat (a plugin that crashes while loading
//     does not spin); in the meantime calls fail fast with a retryable error carrying retry_after_ms.
// Every failure is logged (component "plugins") and counted in appconnect_plugin_worker_failures_total;
// every replacement in appconnect_plugin_worker_restarts_total.
#pragma once

#include "common/result.hpp"
#include "plugins/host_services.hpp"
#include "plugins/manifest.hpp"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string_view>

namespace appconnect::plugins {

struct IsolationSettings {
  std::filesystem::path worker_executable; // empty: default_worker_executable()
  std::int64_t invoke_timeout_ms = 60000;  // one call, host-service round trips included
  std::int64_t load_timeout_ms = 15000;    // start-up until the worker says ready or refused
  std::int64_t memory_limit_mb = 1024;     // RLIMIT_AS of each worker; 0 = no limit
  int workers = 2;                         // calls served at once; more callers wait for a free worker
  std::int64_t restart_backoff_ms = 250;   // delay after the second failure in a row, doubled each time
  std::int64_t restart_backoff_max_ms = 30000;
};

// $APPCONNECT_PLUGIN_WORKER when set, else appconnect-plugin-worker in the directory of the running
// executable (where the build and the packages put it, beside `appconnect`).
std::filesystem::path default_worker_executable();

class IsolatedPlugin {
 public:
  // Starts one worker for `file` and waits for its verdict: the manifest of a plugin that passed the
  // loader's checks, or an Error whose message is the loader's refusal (or why the worker failed).
  static Result<std::unique_ptr<IsolatedPlugin>> start(const std::filesystem::path& file, IsolationSettings settings,
                                                       std::shared_ptr<HostServices> services);
  ~IsolatedPlugin(); // shutdown()
  IsolatedPlugin(const IsolatedPlugin&) = delete;
  IsolatedPlugin& operator=(const IsolatedPlugin&) = delete;

  const Manifest& manifest() const;
  const IsolationSettings& settings() const;

  // The same contract as LoadedPlugin::invoke (thread-safe, never throws), plus the failures above.
  Result<boost::json::value> invoke(std::string_view operation, const boost::json::value& request,
                                    const boost::json::object& context, const CallScope& scope) const;

  // Waits for running calls, then asks every worker to shut the plugin down and exit (SIGKILL after a
  // grace period). Idempotent; later calls fail with "unavailable".
  void shutdown();

  std::uint64_t restarts() const; // replacement workers started so far
  std::uint64_t failures() const; // workers lost (crash, timeout, protocol violation)

  struct Impl;
  explicit IsolatedPlugin(std::unique_ptr<Impl> impl);

 private:
  std::unique_ptr<Impl> impl_;
};

} // namespace appconnect::plugins
