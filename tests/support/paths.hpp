// Where the build put things: executables (APPCONNECT_BIN_DIR) and the source tree
// (APPCONNECT_SOURCE_DIR), both baked in by tests/CMakeLists.txt. The environment variables of the
// same names override them, so installed or relocated builds can still run the tests.
#pragma once

#include <string>
#include <string_view>

namespace appconnect::testing {

std::string bin_path(std::string_view name);   // <bin dir>/name
std::string source_path(std::string_view rel); // <source dir>/rel

} // namespace appconnect::testing
