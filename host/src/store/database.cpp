#include "store/database.hpp"

#include "common/log.hpp"

#include <Poco/Data/PostgreSQL/Connector.h>
#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Exception.h>

#include <filesystem>

namespace appconnect::store {
namespace {

void register_connectors() {
  static std::once_flag once;
  std::call_once(once, [] {
    Poco::Data::SQLite::Connector::registerConnector();
    Poco::Data::PostgreSQL::Connector::registerConnector();
  });
}

// Turns a postgresql:// URL into libpq's key=value form, which Poco's connector expects.
std::string postgres_connection_string(const std::string& url) {
  std::string rest = url.substr(url.find(':') + 1);
  if (rest.rfind("//", 0) != 0) return rest; // already key=value
  rest = rest.substr(2);
  std::string user, password, host = "127.0.0.1", port = "5432", dbname = "postgres";
  if (auto at = rest.find('@'); at != std::string::npos) {
    std::string cred = rest.substr(0, at);
    rest = rest.substr(at + 1);
    if (auto colon = cred.find(':'); colon != std::string::npos) {
      user = cred.substr(0, colon);
      password = cred.substr(colon + 1);
    } else {
      user = cred;
    }
  }
  std::string hostport = rest;
  if (auto slash = rest.find('/'); slash != std::string::npos) {
    hostport = rest.substr(0, slash);
    dbname = rest.substr(slash + 1);
    if (auto q = dbname.find('?'); q != std::string::npos) dbname = dbname.substr(0, q);
  }
  if (auto colon = hostport.rfind(':'); colon != std::string::npos) {
    host = hostport.substr(0, colon);
    port = hostport.substr(colon + 1);
  } else if (!hostport.empty()) {
    host = hostport;
  }
  std::string out = "host=" + host + " port=" + port + " dbname=" + dbname;
  if (!user.empty()) out += " user=" + user;
  if (!password.empty()) out += " password=" + password;
  return out;
}

} // namespace

Result<std::shared_ptr<Database>> Database::open(const std::string& url, int pool_size) {
  register_connectors();
  try {
    std::shared_ptr<Database> db;
    if (url.rfind("sqlite:", 0) == 0) {
      const std::string path = url.substr(7);
      if (auto parent = std::filesystem::path(path).parent_path(); !parent.empty())
        std::filesystem::create_directories(parent);
      db.reset(new Database(Dialect::kSqlite, "SQLite", path, "sqlite:" + path, pool_size));
    } else if (url.rfind("postgresql:", 0) == 0 || url.rfind("postgres:", 0) == 0) {
      const std::string conn = postgres_connection_string(url);
      // The description never carries the password.
      std::string shown = conn;
      if (auto p = shown.find("password="); p != std::string::npos) shown = shown.substr(0, p) + "password=***";
      db.reset(new Database(Dialect::kPostgres, "PostgreSQL", conn, "postgresql: " + shown, pool_size));
    } else {
      return Error::make(error_code::kBadRequest,
                         "database URL must start with sqlite: or postgresql:, got '" + url + "'", false);
    }
    // Open one session now so configuration errors surface at start-up, not on the first event.
    db->give_back(db->make_session());
    return db;
  } catch (const Poco::Exception& ex) {
    return Error::make(error_code::kUnavailable, "cannot open database: " + ex.displayText(), true);
  } catch (const std::exception& ex) {
    return Error::make(error_code::kUnavailable, std::string("cannot open database: ") + ex.what(), true);
  }
}

Database::Database(Dialect dialect, std::string connector, std::string connection_string, std::string description,
                   int pool_size)
    : dialect_(dialect),
      connector_(std::move(connector)),
      connection_string_(std::move(connection_string)),
      description_(std::move(description)),
      pool_size_(pool_size < 1 ? 1 : pool_size) {}

Database::~Database() {
  std::lock_guard lock(pool_mutex_);
  idle_.clear();
}

std::unique_ptr<Poco::Data::Session> Database::make_session() {
  auto s = std::make_unique<Poco::Data::Session>(connector_, connection_string_);
  if (dialect_ == Dialect::kSqlite) {
    // WAL lets readers proceed during writes; NORMAL sync is durable across process crashes in WAL mode
    // (only an OS crash can lose the last transactions), the usual trade for a server.
    *s << "PRAGMA journal_mode=WAL", Poco::Data::Keywords::now;
    *s << "PRAGMA synchronous=NORMAL", Poco::Data::Keywords::now;
    *s << "PRAGMA busy_timeout=10000", Poco::Data::Keywords::now;
    *s << "PRAGMA foreign_keys=ON", Poco::Data::Keywords::now;
  } else {
    // libpq prints notices on stderr ("relation ... already exists, skipping" at every start-up).
    *s << "SET client_min_messages TO warning", Poco::Data::Keywords::now;
  }
  return s;
}

Database::Lease Database::session() {
  std::unique_lock lock(pool_mutex_);
  for (;;) {
    if (!idle_.empty()) {
      auto s = std::move(idle_.back());
      idle_.pop_back();
      return Lease(*this, std::move(s));
    }
    if (open_sessions_ < pool_size_) {
      ++open_sessions_;
      lock.unlock();
      try {
        return Lease(*this, make_session());
      } catch (...) {
        std::lock_guard relock(pool_mutex_);
        --open_sessions_;
        pool_cv_.notify_one();
        throw;
      }
    }
    pool_cv_.wait(lock);
  }
}

void Database::give_back(std::unique_ptr<Poco::Data::Session> s) {
  std::lock_guard lock(pool_mutex_);
  if (s && s->isConnected()) {
    idle_.push_back(std::move(s));
  } else {
    --open_sessions_;
  }
  pool_cv_.notify_one();
}

Database::Lease::~Lease() {
  if (session_) db_->give_back(std::move(session_));
}

std::string Database::sql(std::string_view text) const {
  if (dialect_ == Dialect::kSqlite) return std::string(text);
  std::string out;
  out.reserve(text.size() + 16);
  int n = 0;
  bool quoted = false;
  for (char c : text) {
    if (c == '\'') quoted = !quoted;
    if (c == '?' && !quoted) {
      out += '$';
      out += std::to_string(++n);
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::unique_lock<std::mutex> Database::write_lock() {
  if (dialect_ == Dialect::kSqlite) return std::unique_lock(write_mutex_);
  return {};
}

void Database::lock_in_transaction(Poco::Data::Session& session, const std::string& scope, const std::string& key) {
  if (dialect_ != Dialect::kPostgres) return;
  std::string s = scope, k = key;
  int one = 0;
  // pg_advisory_xact_lock returns void, which Poco cannot extract: select a constant next to it.
  session << sql("SELECT 1 FROM pg_advisory_xact_lock(hashtext(?), hashtext(?))"), Poco::Data::Keywords::use(s),
      Poco::Data::Keywords::use(k), Poco::Data::Keywords::into(one), Poco::Data::Keywords::now;
}

Transaction::Transaction(Database& db, Poco::Data::Session& session) : session_(session), lock_(db.write_lock()) {
  session_ << (db.dialect() == Dialect::kSqlite ? "BEGIN IMMEDIATE" : "BEGIN"), Poco::Data::Keywords::now;
}

Transaction::~Transaction() {
  if (done_) return;
  try {
    session_ << "ROLLBACK", Poco::Data::Keywords::now;
  } catch (const Poco::Exception& ex) {
    log::warn("store", "rollback failed", {{"error", ex.displayText()}});
  }
}

void Transaction::commit() {
  session_ << "COMMIT", Poco::Data::Keywords::now;
  done_ = true;
}

} // namespace appconnect::store
