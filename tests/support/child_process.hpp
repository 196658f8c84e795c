// A child process for black-box tests: started with posix_spawn, stdout read line by line on a
// background thread (so tests can wait for "listening on ..."), stderr written to a log file that a
// failing test can print. The destructor stops the process: SIGTERM, then SIGKILL after a grace
// period, so a failing test never leaves processes behind.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace appconnect::testing {

struct TempDir;

class ChildProcess {
 public:
  ChildProcess() = default;
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // Starts `executable` with `args`. `env` adds to (or overrides) this process's environment.
  // Stderr goes to `stderr_path` (truncated); pass the test's TempDir file. Empty: a log file in a
  // temp dir this object owns. Throws std::runtime_error when it cannot start.
  void start(const std::string& executable, const std::vector<std::string>& args,
             const std::map<std::string, std::string>& env = {}, const std::string& stderr_path = {});

  // The first stdout line not returned by an earlier wait that matches; nullopt on timeout or when
  // the process closed stdout (exited) first.
  std::optional<std::string> wait_for_line(const std::regex& pattern, std::chrono::milliseconds timeout);
  std::optional<std::string> wait_for_line(std::string_view prefix, std::chrono::milliseconds timeout);
  std::vector<std::string> stdout_lines() const;

  const std::string& stderr_path() const { return stderr_path_; }
  std::string stderr_text() const;

  pid_t pid() const { return pid_; }
  bool running();
  // Waits up to `timeout` for the process to exit; its exit code, or nullopt if it is still running.
  std::optional<int> wait(std::chrono::milliseconds timeout);
  // SIGTERM, then SIGKILL once `grace` has passed; returns the exit code.
  std::optional<int> stop(std::chrono::milliseconds grace = std::chrono::seconds(5));
  // SIGKILL now (simulates a crash) and reap.
  void kill();
  // The exit status (0..255), or 128 + signal number when a signal ended it; nullopt while running.
  std::optional<int> exit_code() const;
  // "<command line> (running|exit N)" plus the tail of stderr: for assertion messages.
  std::string describe() const;

 private:
  void reader_loop(int fd);
  bool reap(bool block);

  pid_t pid_ = -1;
  std::unique_ptr<TempDir> own_dir_; // holds the stderr log when the caller gave no path
  std::string command_;
  std::string stderr_path_;
  std::optional<int> exit_code_;
  std::thread reader_;
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<std::string> lines_;
  std::size_t cursor_ = 0;
  bool eof_ = false;
  bool stop_reader_ = false;
};

} // namespace appconnect::testing
