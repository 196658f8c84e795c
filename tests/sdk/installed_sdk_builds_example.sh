#!/usr/bin/env bash
# The SDK as a third party gets it: install it under a fresh prefix, build sdk/examples/hello_crm out of
# tree against that prefix only (find_package(AppConnectSDK)), and have the host's loader accept the result.
# Arguments: <build dir> <source dir> <appconnect binary>
set -euo pipefail
build="$1" source="$2" appconnect="$3"
work="$(mktemp -d "${TMPDIR:-/tmp}/appconnect-sdk-XXXXXX")"
trap 'rm -rf "$work"' EXIT
cmake --install "$build" --component sdk --prefix "$work/prefix" >/dev/null
test -f "$work/prefix/include/appconnect/abi.h"
test -f "$work/prefix/lib/cmake/AppConnectSDK/AppConnectSDKConfig.cmake" \
  || test -f "$work"/prefix/lib/*/cmake/AppConnectSDK/AppConnectSDKConfig.cmake
cp -r "$source/sdk/examples/hello_crm" "$work/src"
cmake -S "$work/src" -B "$work/build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$work/prefix" \
  -DCMAKE_CXX_FLAGS="-Wall -Wextra -Werror" >/dev/null
cmake --build "$work/build" >/dev/null
test -f "$work/build/hello_crm.so"
test -f "$work/build/hello_crm.manifest.json"
report="$("$appconnect" plugins inspect "$work/build/hello_crm.so" --json)"
echo "$report"
grep -q '"hello_crm"' <<<"$report"
# A plugin that does not compile against the installed headers must fail here, not pass silently.
echo 'this is not C++' >>"$work/src/src/hello_crm.cpp"
if cmake --build "$work/build" >/dev/null 2>&1; then echo "a broken plugin built" >&2; exit 1; fi
echo "installed SDK: example plugin built out of tree and accepted by the loader"
