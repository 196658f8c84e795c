#!/usr/bin/env bash
# Builds the .deb and .tar.gz packages from the existing build tree (cpack, no rebuild), extracts the .deb
# with dpkg-deb -x (no chroot, no dpkg -i: see docs/plugin-guide/packaging.md), checks the file list and
# the maintainer scripts, and runs the extracted binary: version, serve on a free port, GET /healthz.
# Arguments: <build dir> <output dir (kept for the tutorial test)>
set -euo pipefail
build="$1" out="$2"
rm -rf "$out" && mkdir -p "$out"
(cd "$out" && cpack --config "$build/CPackConfig.cmake" -G "DEB;TGZ" -B "$out/pkgs" >"$out/cpack.log" 2>&1) \
  || { tail -30 "$out/cpack.log" >&2; exit 1; }
ls "$out/pkgs"
deb="$(ls "$out"/pkgs/*.deb | grep -v -- '-sdk_' | head -1)"
sdk_deb="$(ls "$out"/pkgs/*-sdk_*.deb | head -1)"
tgz="$(ls "$out"/pkgs/*-runtime.tar.gz | head -1)"
dpkg-deb -I "$deb" | sed -n '1,25p'
dpkg-deb -x "$deb" "$out/root"
dpkg-deb -x "$sdk_deb" "$out/root"
dpkg-deb -e "$deb" "$out/control"

expect() { for f in "$@"; do [ -e "$out/root/$f" ] || { echo "missing in the package: $f" >&2; exit 1; }; done; }
expect usr/bin/appconnect usr/bin/appconnect-plugin-worker usr/lib/systemd/system/appconnect.service \
  usr/share/appconnect/config.json
for p in salesforce hubspot zoho; do expect "usr/lib/appconnect/plugins/$p.so" "usr/lib/appconnect/plugins/$p.manifest.json"; done
expect usr/include/appconnect/abi.h usr/lib/cmake/AppConnectSDK/AppConnectSDKConfig.cmake \
  usr/share/appconnect/template/src/connector.cpp usr/bin/appconnect-plugin-check usr/bin/appconnect-crm-sandbox
# The runtime package must not carry the SDK (it is the optional package).
# (Listings go through files: `grep -q` in a pipe would end the lister early, which pipefail reports.)
dpkg-deb -c "$deb" >"$out/deb-files.txt"
if grep -q 'usr/include/' "$out/deb-files.txt"; then echo "the runtime package contains SDK headers" >&2; exit 1; fi
tar -tzf "$tgz" >"$out/tgz-files.txt"
grep -q 'usr/bin/appconnect$' "$out/tgz-files.txt" || { echo "the tarball lacks usr/bin/appconnect" >&2; exit 1; }
grep -q 'usr/lib/appconnect/plugins/zoho.so$' "$out/tgz-files.txt" || { echo "the tarball lacks the plugins" >&2; exit 1; }
for s in postinst prerm postrm; do [ -x "$out/control/$s" ] || { echo "no executable $s" >&2; exit 1; }; done
grep -q 'useradd --system' "$out/control/postinst"
grep -q 'secrets generate-key' "$out/control/postinst"
grep -q '^User=appconnect' "$out/root/usr/lib/systemd/system/appconnect.service"
grep -q 'serve --config /etc/appconnect/config.json' "$out/root/usr/lib/systemd/system/appconnect.service"
depends="$(dpkg-deb -f "$deb" Depends)"
grep -q 'libc6' <<<"$depends" || { echo "no shared-library dependencies computed" >&2; exit 1; }
python3 -c "import json,sys; c=json.load(open(sys.argv[1])); assert c['data_dir']=='/var/lib/appconnect', c" \
  "$out/root/usr/share/appconnect/config.json"

bin="$out/root/usr/bin/appconnect"
"$bin" version | grep -q '^AppConnect '
# The service's start, as postinst prepares it, with the paths moved under the temp dir.
mkdir -p "$out/var"
"$bin" secrets generate-key "$out/var/secrets.key" >/dev/null
python3 - "$out/root/usr/share/appconnect/config.json" "$out/config.json" "$out/var" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c["listen"] = "127.0.0.1:0"; c["data_dir"] = sys.argv[3]; c["secrets_key_file"] = sys.argv[3] + "/secrets.key"
json.dump(c, open(sys.argv[2], "w"))
PY
"$bin" serve --config "$out/config.json" >"$out/serve.log" 2>"$out/serve.err" &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 100); do grep -q 'listening on' "$out/serve.log" && break; sleep 0.1; done
url="$(grep -o 'http://[0-9.:]*' "$out/serve.log" | head -1)"
[ -n "$url" ] || { cat "$out/serve.err" >&2; echo "the packaged host did not start" >&2; exit 1; }
curl -sf "$url/healthz" | tee "$out/healthz.json"; echo
python3 -c "import json,sys; h=json.load(open(sys.argv[1])); assert h['status']=='ok' and h['plugins']==3, h" "$out/healthz.json"
# Loaded the bundled plugins from its own tree (lib/appconnect/plugins beside bin/).
"$bin" plugins list --json | python3 -c "import json,sys; ids=sorted(p['id'] for p in json.load(sys.stdin)['plugins']); assert ids==['hubspot','salesforce','zoho'], ids; print('plugins:', ids)"
"$bin" doctor --config "$out/config.json"
kill "$pid"; wait "$pid" || true
echo "packages: built, extracted, host started from the extracted tree"
