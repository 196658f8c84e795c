// The connection to the host's database: SQLite (embedded default) or PostgreSQL, through Poco::Data.
//
// A Poco::Data::Session is not thread-safe, so callers borrow one from a small pool for the duration of
// a unit of work (`Database::Lease`). SQL is written once with `?` placeholders; `sql()` rewrites them to
// PostgreSQL's `$1, $2, ...` when needed, so repositories stay dialect-free.
#pragma once

#include "common/result.hpp"

#include <Poco/Data/Session.h>

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace appconnect::store {

enum class Dialect { kSqlite, kPostgres };

// More writes that must commit together with a repository's own (a settings version with the settings, a
// job's attempt row and audit entry with its new state): a repository calls it inside its transaction,
// after its own statements; a Poco exception it throws rolls everything back.
using AlsoInTransaction = std::function<void(Poco::Data::Session&)>;

class Database {
 public:
  // `url` is "sqlite:<path>" or a PostgreSQL URL "postgresql://user@host:port/db" (or key=value string
  // after "postgresql:"). `pool_size` bounds the sessions open at once.
  static Result<std::shared_ptr<Database>> open(const std::string& url, int pool_size = 8);

  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // A borrowed session, returned to the pool when the lease ends.
  class Lease {
   public:
    Lease(Database& db, std::unique_ptr<Poco::Data::Session> s) : db_(&db), session_(std::move(s)) {}
    Lease(Lease&& o) noexcept : db_(o.db_), session_(std::move(o.session_)) {}
    Lease& operator=(Lease&&) = delete;
    ~Lease();
    Poco::Data::Session& operator*() { return *session_; }
    Poco::Data::Session* operator->() { return session_.get(); }

   private:
    Database* db_;
    std::unique_ptr<Poco::Data::Session> session_;
  };

  Lease session();

  Dialect dialect() const { return dialect_; }
  const std::string& description() const { return description_; }

  // Rewrites `?` placeholders for the dialect (outside of quoted strings).
  std::string sql(std::string_view text) const;

  // SQLite allows one writer at a time; taking this in-process lock before a write transaction turns
  // lock contention into a short queue instead of busy retries. A no-op lock for PostgreSQL.
  std::unique_lock<std::mutex> write_lock();

  // Inside a transaction: serializes it with every other transaction, in any process, that takes the
  // same (scope, key). PostgreSQL: a transaction-scoped advisory lock, released by COMMIT/ROLLBACK
  // (pg_advisory_xact_lock(hashtext(scope), hashtext(key)); a hash collision only costs some waiting).
  // A no-op on SQLite, where write transactions (BEGIN IMMEDIATE) are serialized anyway.
  void lock_in_transaction(Poco::Data::Session& session, const std::string& scope, const std::string& key);

 private:
  Database(Dialect dialect, std::string connector, std::string connection_string, std::string description,
           int pool_size);
  std::unique_ptr<Poco::Data::Session> make_session();
  void give_back(std::unique_ptr<Poco::Data::Session> s);

  Dialect dialect_;
  std::string connector_;
  std::string connection_string_;
  std::string description_;
  int pool_size_;
  int open_sessions_ = 0;
  std::vector<std::unique_ptr<Poco::Data::Session>> idle_;
  std::mutex pool_mutex_;
  std::condition_variable pool_cv_;
  std::mutex write_mutex_;
};

// A write transaction. SQLite: BEGIN IMMEDIATE under the in-process write lock, so a transaction never
// has to upgrade a read lock (which fails instead of waiting). Rolls back unless committed.
class Transaction {
 public:
  Transaction(Database& db, Poco::Data::Session& session);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void commit();

 private:
  Poco::Data::Session& session_;
  std::unique_lock<std::mutex> lock_;
  bool done_ = false;
};

} // namespace appconnect::store
