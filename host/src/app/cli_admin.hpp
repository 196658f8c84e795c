// `appconnect tokens|tenants|connections ...` (and, through app/cli_operations.hpp, unresolved, jobs,
// settings, events and audit): the admin API from scripts (--url/--token, --json, exit codes 0/1/2/3),
// plus `tokens create --offline` to mint the first token directly in the database.
#pragma once

#include <string>

namespace appconnect::app {

bool is_admin_cli_command(const std::string& command);
// `audit list`, or `audit verify|export --url ...`: the admin API; otherwise `audit` reads the database.
bool audit_goes_to_host(int argc, char** argv);
// argv[1] is the command; returns the process exit code.
int admin_cli(int argc, char** argv);

} // namespace appconnect::app
