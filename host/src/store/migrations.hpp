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
  std::vector<std::string> sqlite;   // statements for SQLite
  std::vector<std::string> postgres; // statements for PostgreSQL (empty = same as SQLite)
};

const std::vector<Migration>& migrations();

// Brings the schema to the newest version. Returns the version now in place.
Result<int> migrate(Database& db);

// The version currently recorded (0 for an empty database).
Result<int> schema_version(Database& db);

} // namespace appconnect::store
