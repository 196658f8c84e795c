#!/usr/bin/env bash
# A partner build's options reach the packages: configure (only; nothing is compiled) with another product
# name and plugin set, and read the generated CPack configuration.
# Arguments: <source dir>
set -euo pipefail
source="$1"
work="$(mktemp -d "${TMPDIR:-/tmp}/appconnect-partner-XXXXXX")"
trap 'rm -rf "$work"' EXIT
cmake -S "$source" -B "$work" -G Ninja -DAPPCONNECT_PRODUCT_NAME="Acme Connect" -DAPPCONNECT_PLUGINS="salesforce;zoho" \
  -DAPPCONNECT_BUILD_TESTS=OFF >"$work/configure.log" 2>&1 || { tail -20 "$work/configure.log" >&2; exit 1; }
cfg="$work/CPackConfig.cmake"
grep -q 'set(CPACK_PACKAGE_NAME "acme-connect")' "$cfg"
grep -q 'set(CPACK_DEBIAN_RUNTIME_PACKAGE_NAME "acme-connect")' "$cfg"
grep -q 'set(CPACK_DEBIAN_SDK_PACKAGE_NAME "acme-connect-sdk")' "$cfg"
grep -q 'Bundled connectors: salesforce, zoho\.' "$cfg"
if grep -q 'hubspot' "$cfg"; then echo "an unbundled plugin is named in the package" >&2; exit 1; fi
grep -q 'Description=Acme Connect integration host' "$work/packaging/appconnect.service"
# Only the chosen plugins are installed into the package.
grep -q 'plugins/salesforce.so' "$work/cmake_install.cmake"
grep -q 'plugins/zoho.so' "$work/cmake_install.cmake"
if grep -rq 'hubspot' "$work/cmake_install.cmake"; then echo "hubspot is installed in a build without it" >&2; exit 1; fi
echo "partner build: package acme-connect with salesforce and zoho"
