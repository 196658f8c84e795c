#include "support/fresh_database.hpp"

#include "support/pg_cluster.hpp"

#include <unistd.h>

#include <atomic>

namespace appconnect::testing {

std::string fresh_database_url(const std::string& engine, const std::filesystem::path& sqlite_dir) {
  static std::atomic<int> serial{0};
  const std::string name = "fresh" + std::to_string(::getpid()) + "_" + std::to_string(++serial);
  if (engine == kPostgresEngine) return shared_pg_cluster().create_database(name);
  return "sqlite:" + (sqlite_dir / (name + ".db")).string();
}

} // namespace appconnect::testing
