#!/usr/bin/env bash
# `appconnect plugin new` and `appconnect doctor` from the outside: exit codes and what they report.
# Arguments: <appconnect binary> <directory with the bundled plugins>
set -euo pipefail
bin="$1" plugins="$2"
work="$(mktemp -d "${TMPDIR:-/tmp}/appconnect-cli-XXXXXX")"
listener=""
trap '[ -n "$listener" ] && kill "$listener" 2>/dev/null; rm -rf "$work"' EXIT
cd "$work"
code() { set +e; "$@" >"$work/out.txt" 2>&1; local rc=$?; set -e; echo "$rc"; }

# ---- plugin new
[ "$(code "$bin" plugin new)" = 2 ]
[ "$(code "$bin" plugin new Bad_Name)" = 2 ]
[ "$(code "$bin" plugin new x)" = 2 ]                        # too short for a manifest id
[ "$(code "$bin" plugin new acme --dir here/acme-src)" = 0 ]
for f in CMakeLists.txt manifest.json connection.json README.md src/connector.cpp; do [ -s "here/acme-src/$f" ]; done
grep -q '"id": "acme"' here/acme-src/manifest.json
grep -q 'appconnect_add_plugin(acme' here/acme-src/CMakeLists.txt
if grep -rq '@PLUGIN_' here/acme-src; then echo "placeholders left in the project" >&2; exit 1; fi
[ "$(code "$bin" plugin new acme --dir here/acme-src)" = 1 ]  # never writes into a non-empty directory
grep -q 'not empty' out.txt

# ---- doctor: a healthy deployment (a listening loopback port stands in for the CRM)
"$bin" secrets generate-key key >/dev/null
python3 -c "
import socket, time
s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen(8)
open('port', 'w').write(str(s.getsockname()[1]))
time.sleep(120)" >/dev/null 2>&1 &
listener=$!
for _ in $(seq 50); do [ -s port ] && break; sleep 0.1; done
port="$(cat port)"
write_config() { # <file> <base_url> <key file or "">
  python3 - "$@" "$plugins" <<'PY'
import json, sys
path, url, key, plugins = sys.argv[1:5]
c = {"data_dir": "data", "plugin_dirs": [plugins],
     "connections": [{"id": "c1", "tenant": "default", "connector": "zoho", "settings": {"api_domain": url},
                      "credentials": {"refresh_token": "r"}}]}
if key: c["secrets_key_file"] = key
json.dump(c, open(path, "w"))
PY
}
write_config good.json "http://127.0.0.1:$port" key
[ "$(code "$bin" doctor --config good.json)" = 0 ] || { cat out.txt >&2; exit 1; }
grep -q '^\[ok\] *reach:c1' out.txt
[ "$(code "$bin" doctor --config good.json --json)" = 0 ]
python3 -c "import json; d=json.load(open('out.txt')); assert d['ok'] and any(c['name']=='plugins' for c in d['checks']), d"

# ---- doctor: each problem fails the run and says what is wrong
echo '{"listen": "127.0.0.1:1", "no_such_key": 1}' >bad.json
[ "$(code "$bin" doctor --config bad.json)" = 1 ]; grep -q 'FAIL.*config.*no_such_key' out.txt
write_config closed.json "http://127.0.0.1:9" key              # nothing listens on port 9
[ "$(code "$bin" doctor --config closed.json)" = 1 ]; grep -q 'FAIL.*reach:c1.*127.0.0.1:9' out.txt
write_config nokey.json "http://127.0.0.1:$port" ""
[ "$(code env -u APPCONNECT_SECRETS_KEY "$bin" doctor --config nokey.json)" = 1 ]; grep -q 'FAIL.*secrets.*no secrets key' out.txt
python3 -c "
import json; c = json.load(open('good.json')); c['connections'][0]['connector'] = 'nosuch'
json.dump(c, open('connector.json', 'w'))"
[ "$(code "$bin" doctor --config connector.json)" = 1 ]; grep -q "FAIL.*plugins.*'nosuch'" out.txt
mkdir -p broken && cp "$plugins"/zoho.so broken/ && echo 'not a library' >broken/junk.so
python3 -c "
import json; c = json.load(open('good.json')); c['plugin_dirs'] = ['broken']
json.dump(c, open('refused.json', 'w'))"
[ "$(code "$bin" doctor --config refused.json)" = 1 ]; grep -q 'FAIL.*plugins.*refused.*junk.so' out.txt
echo "cli: plugin new and doctor behave"
