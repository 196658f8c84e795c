#include "support/paths.hpp"

#include <cstdlib>

namespace appconnect::testing {

namespace {
std::string dir_from(const char* env, const char* built_in) {
  const char* v = std::getenv(env);
  return v && *v ? std::string(v) : std::string(built_in);
}
} // namespace

std::string bin_path(std::string_view name) {
  return dir_from("APPCONNECT_BIN_DIR", APPCONNECT_BIN_DIR) + "/" + std::string(name);
}

std::string source_path(std::string_view rel) {
  return dir_from("APPCONNECT_SOURCE_DIR", APPCONNECT_SOURCE_DIR) + "/" + std::string(rel);
}

} // namespace appconnect::testing
