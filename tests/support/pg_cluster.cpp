#include "support/pg_cluster.hpp"

#include <libpq-fe.h>

#include <fcntl.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <memory>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <vector>

namespace appconnect::testing {
namespace {

namespace fs = std::filesystem;

const char* const kMissingHint =
    "PostgreSQL is a required part of the test suite: install the server (Debian: apt-get install "
    "postgresql-15) or point APPCONNECT_PG_BIN_DIR at the directory holding initdb, pg_ctl and postgres";

std::string quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'')
      out += "'\\''";
    else
      out.push_back(c);
  }
  return out + "'";
}

bool executable(const fs::path& p) {
  return ::access(p.c_str(), X_OK) == 0;
}

bool has_server_binaries(const fs::path& dir) {
  return executable(dir / "initdb") && executable(dir / "pg_ctl") && executable(dir / "postgres");
}

std::string find_bin_dir(const std::string& requested) {
  if (!requested.empty()) return requested;
  if (const char* env = std::getenv("APPCONNECT_PG_BIN_DIR"); env && *env) return env;
  // Debian/Ubuntu keep the server out of PATH, one directory per major version: take the newest.
  std::vector<std::pair<int, fs::path>> found;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/usr/lib/postgresql", ec)) {
    const auto bin = entry.path() / "bin";
    int version = std::atoi(entry.path().filename().c_str());
    if (version > 0 && has_server_binaries(bin)) found.emplace_back(version, bin);
  }
  if (!found.empty()) return std::max_element(found.begin(), found.end())->second.string();
  if (const char* path = std::getenv("PATH")) {
    std::stringstream dirs(path);
    for (std::string dir; std::getline(dirs, dir, ':');)
      if (!dir.empty() && has_server_binaries(dir)) return dir;
  }
  return {};
}

std::string find_runuser() {
  for (const char* p : {"/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser", "/bin/runuser"})
    if (executable(p)) return p;
  return {};
}

std::string tail_of(const fs::path& file, std::size_t max_chars = 2000) {
  std::ifstream in(file);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  if (text.size() > max_chars) text = "..." + text.substr(text.size() - max_chars);
  return text;
}

int run(const std::string& command, const fs::path& log) {
  int status = std::system((command + " >>" + quote(log.string()) + " 2>&1 </dev/null").c_str());
  if (status == -1) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

// A port nobody listens on right now. Another process can still take it before the server binds it,
// so starting retries with a new port when the bind fails.
int free_loopback_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ::close(fd);
    throw std::runtime_error(std::string("cannot find a free port: ") + std::strerror(errno));
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

std::string fold_identifier(const std::string& name) {
  std::string out;
  for (unsigned char c : name) {
    if (std::isalnum(c))
      out.push_back(static_cast<char>(std::tolower(c)));
    else
      out.push_back('_');
  }
  if (out.empty() || std::isdigit(static_cast<unsigned char>(out.front()))) out = "db_" + out;
  if (out.size() > 63) out.resize(63);
  return out;
}

} // namespace

PgCluster::PgCluster(PgClusterOptions options) : options_(std::move(options)), owner_(::getpid()) {
  bin_dir_ = find_bin_dir(options_.bin_dir);
  if (bin_dir_.empty() || !has_server_binaries(bin_dir_))
    throw std::runtime_error("PostgreSQL server binaries (initdb, pg_ctl, postgres) not found" +
                             (bin_dir_.empty() ? std::string() : " in '" + bin_dir_ + "'") + ". " + kMissingHint);

  const bool root = ::geteuid() == 0;
  const passwd* pg_user = nullptr;
  if (root) {
    // initdb and postgres refuse to run as root: the cluster belongs to the postgres user.
    pg_user = ::getpwnam("postgres");
    if (!pg_user) throw std::runtime_error("running as root, but there is no 'postgres' user to own the test cluster");
    if (find_runuser().empty()) throw std::runtime_error("running as root, but runuser is missing (util-linux)");
  }

  std::string pattern = (fs::temp_directory_path() / "appconnect-pg-XXXXXX").string();
  if (!::mkdtemp(pattern.data()))
    throw std::runtime_error("cannot create a temp dir for PostgreSQL: " + std::string(std::strerror(errno)));
  dir_ = pattern;
  data_dir_ = dir_ / "data";
  try {
    if (root && ::chown(dir_.c_str(), pg_user->pw_uid, pg_user->pw_gid) != 0)
      throw std::runtime_error("cannot chown " + dir_.string() + " to postgres: " + std::strerror(errno));
    start_watchdog();

    init_data_dir();
    start_server();
  } catch (...) {
    // The destructor does not run for a half-built object: clean up here.
    if (port_ != 0) run(stop_command(), "/dev/null");
    std::error_code ec;
    fs::remove_all(dir_, ec);
    if (watchdog_fd_ >= 0) ::close(watchdog_fd_);
    if (watchdog_pid_ > 0) ::waitpid(watchdog_pid_, nullptr, 0);
    throw;
  }
}

PgCluster::~PgCluster() {
  // A forked child of the test process that exits normally runs static destructors too: not its server.
  if (::getpid() != owner_) return;
  run(stop_command(), "/dev/null");
  std::error_code ec;
  fs::remove_all(dir_, ec);
  // The watchdog wakes up, sees the directory gone and exits.
  if (watchdog_fd_ >= 0) ::close(watchdog_fd_);
  if (watchdog_pid_ > 0) ::waitpid(watchdog_pid_, nullptr, 0);
}

// initdb takes ~1 s of the ~1.5 s a cluster costs, and ctest runs every test in a process of its own:
// the first process keeps a copy of its fresh (never started) data dir as a template, keyed by the
// server binary, and later ones copy it (~0.3 s). Anything wrong with the template: plain initdb.
void PgCluster::init_data_dir() {
  const fs::path postgres = fs::path(bin_dir_) / "postgres";
  std::error_code ec;
  const auto stamp = fs::last_write_time(postgres, ec).time_since_epoch().count();
  const std::size_t key = std::hash<std::string>{}(fs::canonical(postgres, ec).string() + ":" + std::to_string(stamp));
  const fs::path base = fs::temp_directory_path();
  const std::string prefix = "appconnect-pg-template-" + std::to_string(::geteuid()) + "-";
  std::stringstream hex;
  hex << std::hex << key;
  const fs::path template_dir = base / (prefix + hex.str());
  const fs::path log = dir_ / "initdb.log";

  if (fs::exists(template_dir / "data" / "PG_VERSION", ec)) {
    if (run("cp -a " + quote((template_dir / "data").string()) + " " + quote(data_dir_.string()), log) == 0) return;
    fs::remove_all(data_dir_, ec);
  }

  const std::string initdb =
      as_postgres(quote((fs::path(bin_dir_) / "initdb").string()) + " -D " + quote(data_dir_.string()) +
                  " -A trust -U postgres -E UTF8 --locale=C --no-sync");
  if (int rc = run(initdb, log); rc != 0)
    throw std::runtime_error("initdb failed (exit " + std::to_string(rc) + "):\n" + tail_of(log));

  // Publish the template: copy aside, then one atomic rename (another process may have won the race).
  std::string staging = (base / (prefix + "XXXXXX")).string();
  if (!::mkdtemp(staging.data())) return;
  if (run("cp -a " + quote(data_dir_.string()) + " " + quote((fs::path(staging) / "data").string()), log) != 0 ||
      ::rename(staging.c_str(), template_dir.c_str()) != 0)
    fs::remove_all(staging, ec);
}

std::string PgCluster::stop_command() const {
  return as_postgres(quote((fs::path(bin_dir_) / "pg_ctl").string()) + " -D " + quote(data_dir_.string()) +
                     " -m immediate -w stop");
}

std::string PgCluster::as_postgres(const std::string& command) const {
  if (::geteuid() != 0) return command;
  return find_runuser() + " -u postgres -- " + command;
}

void PgCluster::start_server() {
  const fs::path log = dir_ / "server.log";
  const fs::path start_log = dir_ / "pg_ctl.log";
  std::string settings = "-c listen_addresses=127.0.0.1 -k " + dir_.string() +
                         " -c shared_buffers=16MB -c max_connections=100 -c log_min_messages=warning";
  if (!options_.fsync) settings += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off";
  // The port can be taken between choosing it and binding it: try a few.
  for (int attempt = 1;; ++attempt) {
    port_ = free_loopback_port();
    const std::string command = as_postgres(quote((fs::path(bin_dir_) / "pg_ctl").string()) + " -D " +
                                            quote(data_dir_.string()) + " -l " + quote(log.string()) + " -w -t 60 -o " +
                                            quote("-p " + std::to_string(port_) + " " + settings) + " start");
    int rc = run(command, start_log);
    if (rc == 0) break;
    if (attempt == 3)
      throw std::runtime_error("PostgreSQL did not start (pg_ctl exit " + std::to_string(rc) + "):\n" +
                               tail_of(start_log) + "\n" + tail_of(log));
  }
  // pg_ctl -w waited on the socket it found in postmaster.pid; make sure TCP answers too.
  const std::string conninfo = "host=127.0.0.1 port=" + std::to_string(port_) + " dbname=postgres user=postgres";
  for (int i = 0; PQping(conninfo.c_str()) != PQPING_OK; ++i) {
    if (i == 200) throw std::runtime_error("PostgreSQL started but does not answer on port " + std::to_string(port_));
    ::usleep(50 * 1000);
  }
}

// A process of its own (its own session, so a Ctrl-C to the test does not reach it) waiting for the
// test process to go away: the write end of the pipe closes with the process, however it ends, and
// the watchdog then stops the server and removes the directory unless the destructor already did.
void PgCluster::start_watchdog() {
  const std::string stop = stop_command();
  const std::string script =
      "read _ignored; [ -d " + quote(dir_.string()) + " ] || exit 0; " + stop + "; rm -rf " + quote(dir_.string());
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
  int null_fd = ::open("/dev/null", O_RDWR | O_CLOEXEC);
  pid_t pid = ::fork();
  if (pid == 0) {
    // Only async-signal-safe calls between fork and exec.
    ::setsid();
    ::dup2(fds[0], 0);
    if (null_fd >= 0) {
      ::dup2(null_fd, 1);
      ::dup2(null_fd, 2);
    }
    ::execl("/bin/sh", "sh", "-c", script.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ::close(fds[0]);
  if (null_fd >= 0) ::close(null_fd);
  if (pid < 0) {
    ::close(fds[1]);
    throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
  }
  watchdog_pid_ = pid;
  watchdog_fd_ = fds[1];
}

std::string PgCluster::url_for(const std::string& database) const {
  return "postgresql://postgres@127.0.0.1:" + std::to_string(port_) + "/" + database;
}

void PgCluster::execute(const std::string& sql, const std::string& database) {
  const std::string conninfo =
      "host=127.0.0.1 port=" + std::to_string(port_) + " dbname=" + database + " user=postgres connect_timeout=10";
  std::unique_ptr<PGconn, decltype(&PQfinish)> conn(PQconnectdb(conninfo.c_str()), &PQfinish);
  if (!conn || PQstatus(conn.get()) != CONNECTION_OK)
    throw std::runtime_error("cannot connect to the test PostgreSQL (" + conninfo +
                             "): " + (conn ? PQerrorMessage(conn.get()) : "out of memory"));
  std::unique_ptr<PGresult, decltype(&PQclear)> result(PQexec(conn.get(), sql.c_str()), &PQclear);
  const auto status = result ? PQresultStatus(result.get()) : PGRES_FATAL_ERROR;
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
    throw std::runtime_error("'" + sql + "' failed: " + PQerrorMessage(conn.get()));
}

std::string PgCluster::create_database(const std::string& name) {
  const std::string db = fold_identifier(name);
  execute("CREATE DATABASE \"" + db + "\"");
  return url_for(db);
}

PgCluster& shared_pg_cluster() {
  static std::mutex mutex;
  static std::unique_ptr<PgCluster> cluster; // destroyed (server stopped, dir removed) at exit
  static std::string failure;
  std::lock_guard lock(mutex);
  if (cluster) return *cluster;
  if (!failure.empty()) throw std::runtime_error(failure);
  try {
    cluster = std::make_unique<PgCluster>();
  } catch (const std::exception& ex) {
    failure = ex.what();
    throw;
  }
  return *cluster;
}

} // namespace appconnect::testing
