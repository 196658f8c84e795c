// `appconnect unresolved|jobs|settings|events|audit ...` against a running host's admin API: the
// day-to-day work of admins and reps from scripts, in the style of cli_admin (app/cli_http.hpp).
#pragma once

#include "app/cli_http.hpp"

#include <string>

namespace appconnect::app {

extern const char* const kOperationsUsage;

bool is_operations_command(const std::string& command);
// `audit` reaches the host only with --url (or APPCONNECT_URL is not enough: without --url, `audit verify`
// and `audit export` read the database directly, as they always did).
int operations_cli(const cli::Cli& cli);

} // namespace appconnect::app
