// New empty databases for tests that run on both engines: a SQLite file in a directory the caller
// owns, or a new database on the shared PostgreSQL test server (support/pg_cluster.hpp).
#pragma once

#include <filesystem>
#include <string>

namespace appconnect::testing {

inline constexpr const char* kSqliteEngine = "sqlite";
inline constexpr const char* kPostgresEngine = "postgresql";

// The URL of a database no other call returned: "sqlite:<dir>/dbN.db" or "postgresql://...".
// Throws std::runtime_error when the PostgreSQL server cannot start.
std::string fresh_database_url(const std::string& engine, const std::filesystem::path& sqlite_dir);

} // namespace appconnect::testing
