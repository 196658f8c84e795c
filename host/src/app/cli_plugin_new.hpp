// `appconnect plugin new NAME [--dir DIR]`: writes a plugin project from the SDK's template (sdk/template,
// embedded in the binary at build time) with NAME filled in. The project builds against the installed SDK,
// talks to the generic sandbox CRM, and passes appconnect-plugin-check as written.
#pragma once

namespace appconnect::app {

// argv[1] is "plugin". Returns the process exit code (0 written, 1 failure, 2 wrong usage).
int plugin_command(int argc, char** argv);

} // namespace appconnect::app
