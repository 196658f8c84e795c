#include "plugins/isolated_plugin.hpp"

#include "common/log.hpp"
#include "observability/metrics.hpp"
#include "plugins/reply.hpp"
#include "plugins/worker_protocol.hpp"

#include <appconnect/http.hpp>

#include <boost/json.hpp>

#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <thread>
#include <utility>
#include <variant>
#include <vector>

namespace appconnect::plugins {
namespace {

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kAddressSanitizerBuild = true;
#else
constexpr bool kAddressSanitizerBuild = false;
#endif

namespace wp = worker_protocol;
using SteadyClock = std::chrono::steady_clock;
constexpr std::string_view kComponent = "plugins";
// How long a worker asked to exit (its request pipe closed) may take before it is killed.
constexpr std::chrono::milliseconds kExitGrace{2000};

struct Process {
  pid_t pid = -1;
  int to = -1;   // host -> worker requests (the worker's stdin)
  int from = -1; // worker -> host frames (the worker's stdout)
};

// Why a worker was lost; the label of appconnect_plugin_worker_failures_total.
struct Failure {
  std::string reason; // crash | timeout | protocol
  std::string detail;
};

std::string describe_exit(int status) {
  if (WIFSIGNALED(status)) {
    const int sig = WTERMSIG(status);
    const char* name = sigabbrev_np(sig);
    const char* text = sigdescr_np(sig);
    return "killed by signal " + std::to_string(sig) + (name != nullptr ? std::string(" (SIG") + name + ")" : "") +
           (text != nullptr ? std::string(", ") + text : "");
  }
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  return "ended (wait status " + std::to_string(status) + ")";
}

void close_fd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

// Kills (when asked) and reaps the worker; returns how it ended.
std::string reap(Process& p, bool kill_first) {
  close_fd(p.to);
  close_fd(p.from);
  if (p.pid <= 0) return "not running";
  int status = 0;
  pid_t got = 0;
  if (!kill_first) {
    // It closed its pipe or was asked to exit: give it a moment to finish by itself.
    const auto until = SteadyClock::now() + kExitGrace;
    while ((got = ::waitpid(p.pid, &status, WNOHANG)) == 0 && SteadyClock::now() < until)
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  if (got == 0) {
    ::kill(p.pid, SIGKILL);
    do {
      got = ::waitpid(p.pid, &status, 0);
    } while (got < 0 && errno == EINTR);
  }
  p.pid = -1;
  return got > 0 ? describe_exit(status) : "could not be reaped";
}

Result<Process> spawn(const std::filesystem::path& worker, const std::filesystem::path& file,
                      const IsolationSettings& settings) {
  // Everything the child needs is prepared before fork: between fork and exec a multi-threaded parent's
  // child may only make async-signal-safe calls.
  std::string exe = worker.string();
  std::string lib = file.string();
  if (::access(exe.c_str(), X_OK) != 0)
    return Error::make(error_code::kInternal,
                       file.string() + ": cannot run the plugin worker " + exe +
                           " (install appconnect-plugin-worker beside the host, or set plugin_isolation.worker)",
                       false);
  char* argv[] = {exe.data(), lib.data(), nullptr};
  rlimit limit{};
  const rlimit no_core{0, 0};
  // An AddressSanitizer build (the sanitizer suite) maps terabytes of shadow memory at start-up: a worker
  // under an address-space cap could not even start. Such builds run workers uncapped.
  const bool cap = settings.memory_limit_mb > 0 && !kAddressSanitizerBuild;
  if (cap) limit.rlim_cur = limit.rlim_max = static_cast<rlim_t>(settings.memory_limit_mb) * 1024 * 1024;

  int to_child[2] = {-1, -1};
  int from_child[2] = {-1, -1};
  if (::pipe2(to_child, O_CLOEXEC) != 0) return Error::make(error_code::kInternal, "pipe2 failed", true);
  if (::pipe2(from_child, O_CLOEXEC) != 0) {
    ::close(to_child[0]);
    ::close(to_child[1]);
    return Error::make(error_code::kInternal, "pipe2 failed", true);
  }
  const pid_t pid = ::fork();
  if (pid == 0) {
    // dup2 clears close-on-exec on 0 and 1; every other descriptor of the host is closed, so the
    // plugin cannot reach the host's sockets or database files.
    if (::dup2(to_child[0], 0) < 0 || ::dup2(from_child[1], 1) < 0) ::_exit(126);
    ::close_range(3, ~0U, 0);
    if (cap) ::setrlimit(RLIMIT_AS, &limit);
    // A crashing plugin leaves no core file: it would hold the call's context, credentials included.
    ::setrlimit(RLIMIT_CORE, &no_core);
    sigset_t none;
    ::sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::signal(SIGPIPE, SIG_DFL);
    ::execv(argv[0], argv);
    ::_exit(127);
  }
  ::close(to_child[0]);
  ::close(from_child[1]);
  if (pid < 0) {
    ::close(to_child[1]);
    ::close(from_child[0]);
    return Error::make(error_code::kInternal, std::string("fork failed: ") + std::strerror(errno), true);
  }
  // Non-blocking on the host side, so a stuck worker costs a timeout, never a blocked host thread.
  for (int fd : {to_child[1], from_child[0]}) ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
  return Process{pid, to_child[1], from_child[0]};
}

appconnect_log_level log_level_of(const boost::json::object& frame) {
  const auto* level = frame.if_contains("level");
  return static_cast<appconnect_log_level>(level != nullptr && level->is_int64() ? level->get_int64() : 1);
}

std::string string_field(const boost::json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->get_string()) : std::string();
}

} // namespace

std::filesystem::path default_worker_executable() {
  if (const char* env = std::getenv("APPCONNECT_PLUGIN_WORKER"); env != nullptr && *env != '\0') return env;
  std::error_code ec;
  const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  return (ec ? std::filesystem::path() : self.parent_path()) / "appconnect-plugin-worker";
}

struct IsolatedPlugin::Impl {
  std::filesystem::path file;
  IsolationSettings settings;
  std::shared_ptr<HostServices> services;
  Manifest manifest;
  std::string label; // the plugin id, or the file name before the manifest is known

  struct Slot {
    Process process;
    bool running = false;
    bool busy = false;
    bool started_before = false;
  };

  std::mutex mutex;
  std::condition_variable freed;
  std::vector<Slot> slots;
  int consecutive_failures = 0;
  SteadyClock::time_point not_before{};
  bool shut_down = false;
  std::atomic<std::uint64_t> restarts{0};
  std::atomic<std::uint64_t> failures{0};

  CallScope idle_scope() const { return CallScope{label, {}, {}, 0}; }

  // Reads frames until the worker's verdict on loading the plugin.
  Result<Manifest> handshake(Process& p) {
    const auto deadline = SteadyClock::now() + std::chrono::milliseconds(settings.load_timeout_ms);
    const CallScope scope = idle_scope();
    std::string payload;
    for (;;) {
      const auto io = wp::read_frame(p.from, payload, deadline);
      if (io != wp::IoStatus::kOk) {
        const bool timed_out = io == wp::IoStatus::kTimeout;
        const std::string how = reap(p, timed_out);
        return Error::make(error_code::kUnavailable,
                           file.string() + ": the plugin worker " +
                               (timed_out ? "did not finish loading within " +
                                                std::to_string(settings.load_timeout_ms) + " ms (killed)"
                                          : std::string("ended while loading the plugin (") + how + ")"),
                           true);
      }
      boost::system::error_code ec;
      const auto doc = boost::json::parse(payload, ec);
      if (ec || !doc.is_object()) break;
      const auto& frame = doc.get_object();
      const std::string type = string_field(frame, "t");
      if (type == "log") {
        HostServices::log(&scope, log_level_of(frame), string_field(frame, "message"));
      } else if (type == "refused") {
        reap(p, false);
        return Error::make(error_code::kValidation, string_field(frame, "reason"), false);
      } else if (type == "ready") {
        const auto* m = frame.if_contains("manifest");
        if (m == nullptr) break;
        auto parsed = parse_manifest(boost::json::serialize(*m));
        if (!parsed) break;
        return parsed.value();
      } else {
        break;
      }
    }
    reap(p, true);
    return Error::make(error_code::kInternal, file.string() + ": the plugin worker broke the protocol while loading",
                       false);
  }

  Result<Process> start_worker() {
    const auto exe = settings.worker_executable.empty() ? default_worker_executable() : settings.worker_executable;
    auto p = spawn(exe, file, settings);
    if (!p) return p.error();
    auto verdict = handshake(p.value());
    if (!verdict) return verdict.error();
    if (!manifest.id.empty() && verdict.value().id != manifest.id) {
      reap(p.value(), true);
      return Error::make(error_code::kInternal,
                         file.string() + ": the plugin's id changed from '" + manifest.id + "' to '" +
                             verdict.value().id + "' across worker restarts",
                         false);
    }
    if (manifest.id.empty()) { // the first worker (start(), before any caller can see this object)
      manifest = verdict.value();
      label = manifest.id;
    }
    return std::move(p.value());
  }

  // One call on a healthy worker: the result, or why the worker has to go.
  std::variant<Result<boost::json::value>, Failure> exchange(Process& p, std::string_view operation,
                                                             const boost::json::value& request,
                                                             const boost::json::object& context,
                                                             const CallScope& scope) {
    const auto deadline = SteadyClock::now() + std::chrono::milliseconds(settings.invoke_timeout_ms);
    const boost::json::object invoke{{"t", "invoke"},
                                     {"operation", operation},
                                     {"request", request},
                                     {"context", context},
                                     {"scope",
                                      {{"plugin_id", scope.plugin_id},
                                       {"connection_id", scope.connection_id},
                                       {"tenant_id", scope.tenant_id},
                                       {"deadline_unix_ms", scope.deadline_unix_ms}}}};
    auto lost = [&](wp::IoStatus io) {
      if (io == wp::IoStatus::kTimeout)
        return Failure{"timeout", "did not answer within " + std::to_string(settings.invoke_timeout_ms) + " ms"};
      if (io == wp::IoStatus::kTooLarge) return Failure{"protocol", "sent a frame over the size limit"};
      return Failure{"crash", wp::describe(io)};
    };
    if (auto io = wp::write_frame(p.to, boost::json::serialize(invoke), deadline); io != wp::IoStatus::kOk)
      return lost(io);
    std::string payload;
    for (;;) {
      if (auto io = wp::read_frame(p.from, payload, deadline); io != wp::IoStatus::kOk) return lost(io);
      boost::system::error_code ec;
      const auto doc = boost::json::parse(payload, ec);
      if (ec || !doc.is_object()) return Failure{"protocol", "sent a frame that is not a JSON object"};
      const auto& frame = doc.get_object();
      const std::string type = string_field(frame, "t");
      if (type == "log") {
        const auto* in_call = frame.if_contains("call");
        const bool outside = in_call != nullptr && in_call->is_bool() && !in_call->get_bool();
        const CallScope idle = idle_scope();
        HostServices::log(outside ? &idle : &scope, log_level_of(frame), string_field(frame, "message"));
        continue;
      }
      if (type == "now") {
        const boost::json::object reply{{"t", "now"}, {"ms", services->now_unix_ms()}};
        if (auto io = wp::write_frame(p.to, boost::json::serialize(reply), deadline); io != wp::IoStatus::kOk)
          return lost(io);
        continue;
      }
      if (type == "http") {
        // The host's own HTTP path: the connection's deadline, rate limiter and metrics apply unchanged.
        boost::json::object reply{{"t", "http"}};
        try {
          const auto* r = frame.if_contains("request");
          if (r == nullptr) throw std::invalid_argument("no request document");
          auto response = services->http(scope, boost::json::value_to<sdk::HttpRequest>(*r));
          reply["ok"] = response.ok();
          if (response) {
            reply["response"] = boost::json::value_from(response.value());
          } else {
            reply["error"] = boost::json::value_from(response.error());
          }
        } catch (const std::exception& ex) {
          reply["ok"] = false;
          reply["error"] = boost::json::value_from(
              Error::make(error_code::kBadRequest, std::string("http_request: ") + ex.what(), false));
        }
        if (auto io = wp::write_frame(p.to, boost::json::serialize(reply), deadline); io != wp::IoStatus::kOk)
          return lost(io);
        continue;
      }
      if (type == "result") {
        const auto* ok = frame.if_contains("ok");
        if (ok != nullptr && ok->is_bool() && ok->get_bool()) {
          const auto* value = frame.if_contains("value");
          if (value == nullptr) return Failure{"protocol", "sent a result without a value"};
          return Result<boost::json::value>(*value);
        }
        const auto* error = frame.if_contains("error");
        if (error == nullptr || !error->is_object()) return Failure{"protocol", "sent a failure without an error"};
        // Decoded as if the plugin had written it in-process: only the SDK's error codes pass through.
        const std::string text = boost::json::serialize(*error);
        return decode_reply(RawReply{APPCONNECT_STATUS_ERROR, true, false, text}, label, operation);
      }
      return Failure{"protocol", "sent an unknown frame type '" + type + "'"};
    }
  }

  std::chrono::milliseconds backoff_after(int failures_in_a_row) const {
    // The first failure of a healthy worker is replaced at once, so the retried call finds a worker.
    if (failures_in_a_row <= 1) return std::chrono::milliseconds(0);
    std::int64_t delay = settings.restart_backoff_ms;
    for (int i = 2; i < failures_in_a_row && delay < settings.restart_backoff_max_ms; ++i) delay *= 2;
    return std::chrono::milliseconds(std::min(delay, settings.restart_backoff_max_ms));
  }

  Error backing_off(std::string_view operation, SteadyClock::time_point now) const {
    Error e = Error::make(
        error_code::kUnavailable,
        "plugin '" + label + "' is unavailable: its worker failed " + std::to_string(consecutive_failures) +
            " times in a row and is restarted after a back-off (operation '" + std::string(operation) + "')",
        true);
    e.retry_after_ms =
        std::max<std::int64_t>(0, std::chrono::duration_cast<std::chrono::milliseconds>(not_before - now).count());
    return e;
  }
};

IsolatedPlugin::IsolatedPlugin(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

IsolatedPlugin::~IsolatedPlugin() {
  shutdown();
}

Result<std::unique_ptr<IsolatedPlugin>> IsolatedPlugin::start(const std::filesystem::path& file,
                                                              IsolationSettings settings,
                                                              std::shared_ptr<HostServices> services) {
  // A write to a worker that just died must come back as EPIPE, not end the host.
  std::signal(SIGPIPE, SIG_IGN);
  auto impl = std::make_unique<Impl>();
  impl->file = file;
  impl->settings = std::move(settings);
  impl->settings.workers = std::max(1, impl->settings.workers);
  impl->services = std::move(services);
  impl->label = file.filename().string();
  impl->slots.resize(static_cast<std::size_t>(impl->settings.workers));
  auto first = impl->start_worker();
  if (!first) return first.error();
  impl->slots.front().process = first.value();
  impl->slots.front().running = true;
  impl->slots.front().started_before = true;
  return std::make_unique<IsolatedPlugin>(std::move(impl));
}

const Manifest& IsolatedPlugin::manifest() const {
  return impl_->manifest;
}

const IsolationSettings& IsolatedPlugin::settings() const {
  return impl_->settings;
}

std::uint64_t IsolatedPlugin::restarts() const {
  return impl_->restarts.load();
}

std::uint64_t IsolatedPlugin::failures() const {
  return impl_->failures.load();
}

Result<boost::json::value> IsolatedPlugin::invoke(std::string_view operation, const boost::json::value& request,
                                                  const boost::json::object& context, const CallScope& scope) const {
  Impl& s = *impl_;
  try {
    std::unique_lock lock(s.mutex);
    auto is_free = [&s] {
      return s.shut_down ||
             std::any_of(s.slots.begin(), s.slots.end(), [](const Impl::Slot& slot) { return !slot.busy; });
    };
    if (!s.freed.wait_for(lock, std::chrono::milliseconds(s.settings.invoke_timeout_ms), is_free))
      return Error::make(error_code::kUnavailable,
                         "plugin '" + s.label + "': all " + std::to_string(s.slots.size()) + " workers stayed busy",
                         true);
    if (s.shut_down) return Error::make(error_code::kUnavailable, "plugin '" + s.label + "' has been shut down", true);
    // Prefer a running worker; start another only when every running one is busy.
    auto slot = std::find_if(s.slots.begin(), s.slots.end(), [](const Impl::Slot& x) { return !x.busy && x.running; });
    if (slot == s.slots.end())
      slot = std::find_if(s.slots.begin(), s.slots.end(), [](const Impl::Slot& x) { return !x.busy; });
    Impl::Slot& mine = *slot;
    mine.busy = true;
    auto release = [&] {
      mine.busy = false;
      s.freed.notify_one();
    };

    if (!mine.running) {
      const auto now = SteadyClock::now();
      if (now < s.not_before) {
        Error e = s.backing_off(operation, now);
        release();
        return e;
      }
      const bool replacement = mine.started_before;
      lock.unlock();
      auto started = s.start_worker();
      lock.lock();
      if (!started) {
        ++s.consecutive_failures;
        s.failures.fetch_add(1);
        observability::Metrics::global().plugin_worker_failure(s.label, "start");
        s.not_before = SteadyClock::now() + s.backoff_after(s.consecutive_failures);
        log::error(
            kComponent, "plugin worker could not be started",
            {{"plugin", s.label},
             {"error", started.error().message},
             {"failures_in_a_row", s.consecutive_failures},
             {"next_attempt_in_ms",
              std::chrono::duration_cast<std::chrono::milliseconds>(s.not_before - SteadyClock::now()).count()}});
        Error e = s.backing_off(operation, SteadyClock::now());
        e.message += ": " + started.error().message;
        release();
        return e;
      }
      mine.process = started.value();
      mine.running = true;
      mine.started_before = true;
      if (replacement) {
        s.restarts.fetch_add(1);
        observability::Metrics::global().plugin_worker_restart(s.label);
        log::info(kComponent, "plugin worker restarted", {{"plugin", s.label}, {"pid", mine.process.pid}});
      }
    }
    Process process = mine.process;
    lock.unlock();

    auto outcome = s.exchange(process, operation, request, context, scope);

    if (auto* done = std::get_if<Result<boost::json::value>>(&outcome)) {
      lock.lock();
      s.consecutive_failures = 0;
      release();
      return std::move(*done);
    }
    const Failure failure = std::get<Failure>(outcome);
    // A timed-out or misbehaving worker is killed; one that closed its pipe is reaped (it is dying).
    const std::string how = reap(process, failure.reason != "crash");
    lock.lock();
    mine.process = Process{};
    mine.running = false;
    ++s.consecutive_failures;
    s.failures.fetch_add(1);
    s.not_before = SteadyClock::now() + s.backoff_after(s.consecutive_failures);
    release();
    lock.unlock();
    observability::Metrics::global().plugin_worker_failure(s.label, failure.reason);
    log::error(kComponent, "plugin worker lost during a call; it will be restarted",
               {{"plugin", s.label},
                {"operation", operation},
                {"connection", scope.connection_id},
                {"reason", failure.reason},
                {"detail", failure.detail},
                {"worker", how}});
    const std::string what = "plugin '" + s.label + "' " +
                             (failure.reason == "timeout" ? failure.detail + "; its worker was killed"
                              : failure.reason == "crash" ? "crashed in its worker (" + how + ")"
                                                          : "worker broke the protocol (" + failure.detail + ")") +
                             " during operation '" + std::string(operation) + "'; the call can be retried";
    return Error::make(failure.reason == "timeout" ? error_code::kTimeout : error_code::kUnavailable, what, true);
  } catch (const std::exception& ex) {
    return Error::make(error_code::kInternal,
                       "plugin '" + s.label + "': isolated call failed in the host: " + ex.what(), true);
  }
}

void IsolatedPlugin::shutdown() {
  Impl& s = *impl_;
  std::unique_lock lock(s.mutex);
  s.shut_down = true;
  s.freed.notify_all();
  s.freed.wait(
      lock, [&s] { return std::none_of(s.slots.begin(), s.slots.end(), [](const Impl::Slot& x) { return x.busy; }); });
  for (auto& slot : s.slots) {
    if (!slot.running) continue;
    // Closing its request pipe asks the worker to shut the plugin down and exit.
    close_fd(slot.process.to);
    reap(slot.process, false);
    slot.running = false;
  }
}

} // namespace appconnect::plugins
