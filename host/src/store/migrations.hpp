// Versioned schema migrations. Each migration runs once, in order, inside a transaction, and is
// recorded in schema_migrations; a database newer than this host is refused rather than guessed at.
#pragma once

#include "common/result.hpp"
#include "store/database.hpp"

#include <string>
#include <vector>

namespace appconnect::store {

struct Migration {
  int version;
  std::string name;
  std::vector<std::string> sqlite;   // statements, written for SQLite
  std::vector<std::string> postgres; // statements for PostgreSQL; empty = the SQLite ones, translated
                                     // by postgres_dialect() (the only difference so far: id columns)
};

const std::vector<Migration>& migrations();

// SQLite DDL to PostgreSQL: "INTEGER PRIMARY KEY AUTOINCREMENT" becomes "BIGSERIAL PRIMARY KEY".
std::string postgres_dialect(std::string statement);

// Brings the schema to the newest version. Returns the version now in place.
Result<int> migrate(Database& db);

// The version currently recorded (0 for an empty database).
Result<int> schema_version(Database& db);

} // namespace appconnect::store
