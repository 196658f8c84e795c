// `appconnect tokens|tenants|connections ...`: the admin API from scripts (--url/--token, --json, exit
// codes 0/1/2), plus `tokens create --offline` to mint the first token directly in the database.
#pragma once

#include <string>

namespace appconnect::app {

bool is_admin_cli_command(const std::string& command);
// argv[1] is the command; returns the process exit code.
int admin_cli(int argc, char** argv);

} // namespace appconnect::app
