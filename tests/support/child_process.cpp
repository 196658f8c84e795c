#include "support/child_process.hpp"

#include "support/temp_dir.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

extern char** environ;

namespace appconnect::testing {

ChildProcess::~ChildProcess() {
  if (pid_ > 0 && !exit_code_) stop(std::chrono::seconds(3));
  {
    std::lock_guard lock(mutex_);
    stop_reader_ = true;
  }
  if (reader_.joinable()) reader_.join();
}

void ChildProcess::start(const std::string& executable, const std::vector<std::string>& args,
                         const std::map<std::string, std::string>& env, const std::string& stderr_path) {
  if (pid_ > 0) throw std::logic_error("ChildProcess::start called twice");
  if (access(executable.c_str(), X_OK) != 0) throw std::runtime_error("not an executable: " + executable);
  stderr_path_ = stderr_path;
  if (stderr_path_.empty()) {
    own_dir_ = std::make_unique<TempDir>("appconnect-child");
    stderr_path_ = own_dir_->file("stderr.log").string();
  }
  command_ = executable;
  for (const auto& a : args) command_ += " " + a;

  int out[2];
  if (pipe2(out, O_CLOEXEC) != 0) throw std::runtime_error(std::string("pipe2: ") + std::strerror(errno));

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  posix_spawn_file_actions_addopen(&actions, 2, stderr_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);

  // The child's environment: ours, with `env` layered on top.
  std::map<std::string, std::string> merged;
  for (char** e = environ; e && *e; ++e) {
    std::string_view kv(*e);
    const auto eq = kv.find('=');
    if (eq != std::string_view::npos) merged[std::string(kv.substr(0, eq))] = std::string(kv.substr(eq + 1));
  }
  for (const auto& [k, v] : env) merged[k] = v;
  std::vector<std::string> env_strings;
  for (const auto& [k, v] : merged) env_strings.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);

  std::vector<std::string> argv_strings{executable};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& s : argv_strings) argv.push_back(s.data());
  argv.push_back(nullptr);

  pid_t pid = -1;
  const int rc = posix_spawn(&pid, executable.c_str(), &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  close(out[1]);
  if (rc != 0) {
    close(out[0]);
    throw std::runtime_error("posix_spawn " + executable + ": " + std::strerror(rc));
  }
  pid_ = pid;
  reader_ = std::thread([this, fd = out[0]] { reader_loop(fd); });
}

void ChildProcess::reader_loop(int fd) {
  std::string partial;
  char buffer[4096];
  while (true) {
    {
      std::lock_guard lock(mutex_);
      if (stop_reader_) break;
    }
    // Poll with a timeout so the destructor can stop us even if a grandchild keeps the pipe open.
    pollfd p{fd, POLLIN, 0};
    const int ready = poll(&p, 1, 100);
    if (ready < 0 && errno != EINTR) break;
    if (ready <= 0) continue;
    const ssize_t n = read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    partial.append(buffer, static_cast<std::size_t>(n));
    std::size_t nl;
    std::lock_guard lock(mutex_);
    while ((nl = partial.find('\n')) != std::string::npos) {
      std::string line = partial.substr(0, nl);
      if (!line.empty() && line.back() == '\r') line.pop_back();
      lines_.push_back(std::move(line));
      partial.erase(0, nl + 1);
    }
    cv_.notify_all();
  }
  close(fd);
  std::lock_guard lock(mutex_);
  if (!partial.empty()) lines_.push_back(partial);
  eof_ = true;
  cv_.notify_all();
}

std::optional<std::string> ChildProcess::wait_for_line(const std::regex& pattern, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::unique_lock lock(mutex_);
  std::size_t scanned = cursor_;
  while (true) {
    for (; scanned < lines_.size(); ++scanned) {
      if (std::regex_search(lines_[scanned], pattern)) {
        cursor_ = scanned + 1;
        return lines_[scanned];
      }
    }
    if (eof_) return std::nullopt;
    if (cv_.wait_until(lock, deadline) == std::cv_status::timeout && scanned == lines_.size()) return std::nullopt;
  }
}

std::optional<std::string> ChildProcess::wait_for_line(std::string_view prefix, std::chrono::milliseconds timeout) {
  std::string escaped;
  for (char c : prefix) {
    if (std::strchr(R"(\^$.|?*+()[]{})", c)) escaped.push_back('\\');
    escaped.push_back(c);
  }
  return wait_for_line(std::regex("^" + escaped), timeout);
}

std::vector<std::string> ChildProcess::stdout_lines() const {
  std::lock_guard lock(mutex_);
  return lines_;
}

std::string ChildProcess::stderr_text() const {
  std::ifstream in(stderr_path_);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

bool ChildProcess::reap(bool block) {
  if (pid_ <= 0 || exit_code_) return true;
  int status = 0;
  pid_t r;
  do r = waitpid(pid_, &status, block ? 0 : WNOHANG);
  while (r < 0 && errno == EINTR);
  if (r == pid_) {
    if (WIFEXITED(status))
      exit_code_ = WEXITSTATUS(status);
    else if (WIFSIGNALED(status))
      exit_code_ = 128 + WTERMSIG(status);
    else
      exit_code_ = -1;
    return true;
  }
  if (r < 0) {
    exit_code_ = -1; // not our child any more: nothing left to wait for
    return true;
  }
  return false;
}

bool ChildProcess::running() {
  return pid_ > 0 && !reap(false);
}

std::optional<int> ChildProcess::wait(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!reap(false)) {
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return exit_code_;
}

std::optional<int> ChildProcess::stop(std::chrono::milliseconds grace) {
  if (pid_ <= 0) return std::nullopt;
  if (!reap(false)) {
    ::kill(pid_, SIGTERM);
    if (!wait(grace)) {
      ::kill(pid_, SIGKILL);
      reap(true);
    }
  }
  return exit_code_;
}

void ChildProcess::kill() {
  if (pid_ <= 0 || reap(false)) return;
  ::kill(pid_, SIGKILL);
  reap(true);
}

std::optional<int> ChildProcess::exit_code() const {
  return exit_code_;
}

std::string ChildProcess::describe() const {
  std::string out = command_ + (exit_code_ ? " (exit " + std::to_string(*exit_code_) + ")" : " (running)");
  std::string err = stderr_text();
  if (err.size() > 4000) err = "..." + err.substr(err.size() - 4000);
  if (!err.empty()) out += "\n--- stderr (" + stderr_path_ + ") ---\n" + err;
  return out;
}

} // namespace appconnect::testing
