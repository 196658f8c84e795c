// A throwaway PostgreSQL server for tests: its own cluster in a temp dir, on a free loopback port, gone
// when the object is destroyed (or, if the test process dies, shortly after: a watchdog cleans up).
//
// initdb runs once per server binary: its fresh data dir is kept as a template in
// $TMPDIR/appconnect-pg-template-<uid>-<hash> (~40 MB) and copied by later clusters (ctest runs each
// test in a process of its own). Deleting it is always safe.
//
// PostgreSQL is a required part of the test suite: when the server binaries are missing or the server
// cannot start, the constructor throws std::runtime_error with a message saying what to install, so the
// tests that need it fail (they are never skipped).
//
//   auto url = appconnect::testing::shared_pg_cluster().create_database("store_claims");
//   auto db = appconnect::store::Database::open(url);
#pragma once

#include <sys/types.h>
#include <filesystem>
#include <string>

namespace appconnect::testing {

struct PgClusterOptions {
  // fsync=off (and synchronous_commit=off, full_page_writes=off) unless a test needs durability.
  bool fsync = false;
  // Directory with initdb, pg_ctl and postgres; empty: $APPCONNECT_PG_BIN_DIR, then the newest
  // /usr/lib/postgresql/<version>/bin, then PATH.
  std::string bin_dir;
};

class PgCluster {
 public:
  // initdb + start; waits until the server accepts connections (1-3 s). Throws std::runtime_error.
  explicit PgCluster(PgClusterOptions options = {});
  // pg_ctl stop -m immediate, then removes the directory.
  ~PgCluster();
  PgCluster(const PgCluster&) = delete;
  PgCluster& operator=(const PgCluster&) = delete;

  int port() const { return port_; }
  const std::filesystem::path& dir() const { return dir_; }
  const std::string& bin_dir() const { return bin_dir_; }

  // "postgresql://postgres@127.0.0.1:PORT/postgres"
  std::string url() const { return url_for("postgres"); }
  std::string url_for(const std::string& database) const;

  // Creates an empty database and returns its URL. `name` is folded to a PostgreSQL identifier
  // (lower case letters, digits and '_', at most 63 bytes). Throws if it exists already or on error.
  std::string create_database(const std::string& name);

  // Runs one SQL command (simple query protocol) on `database` as the superuser; throws on error.
  void execute(const std::string& sql, const std::string& database = "postgres");

 private:
  void init_data_dir();
  void start_server();
  void start_watchdog();
  std::string as_postgres(const std::string& command) const;
  std::string stop_command() const;

  PgClusterOptions options_;
  pid_t owner_;
  std::string bin_dir_;
  std::filesystem::path dir_;
  std::filesystem::path data_dir_;
  int port_ = 0;
  pid_t watchdog_pid_ = -1;
  int watchdog_fd_ = -1;
};

// One server per test process, started on first use and stopped at exit. If it could not be started,
// every call throws the same error (without trying again).
PgCluster& shared_pg_cluster();

} // namespace appconnect::testing
