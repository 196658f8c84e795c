// `appconnect doctor [--config FILE] [--json]`: checks a deployment without starting the host. One line
// per check (ok / warn / FAIL), exit 1 when any check failed:
//   config       the file parses (unknown keys are errors, as for serve)
//   data_dir     exists or can be created, and is writable
//   database     opens; schema version equals this host's newest migration (older: warn, applied at the
//                next start; newer: fail, this host is too old for the database)
//   secrets      a key is configured and readable when any connection (configured or stored) has credentials
//   plugins      every plugin file loads (each refusal listed) and every connection's connector is loaded
//   reach:<id>   each URL in a connection's settings accepts a TCP connection within 2 s
#pragma once

namespace appconnect::app {

// argv[1] is "doctor". Returns the exit code (0 all checks passed or warned, 1 a check failed, 2 usage).
int doctor_command(int argc, char** argv);

} // namespace appconnect::app
