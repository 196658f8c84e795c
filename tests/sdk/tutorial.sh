#!/usr/bin/env bash
# docs/plugin-guide/tutorial.md, followed by a script from an empty directory: the SDK from its package,
# `appconnect plugin new acme`, an out-of-tree build, appconnect-plugin-check against the generic
# sandbox, the plugin installed into the PACKAGED host (the tree integration_sdk.Packages extracted from
# the .deb), a call event posted, and the call found as an activity in the sandbox.
# Arguments: <packages dir (from packages.sh)>
set -euo pipefail
pkgs="$1"
root="$pkgs/root"             # the extracted .deb packages: usr/bin, usr/lib/appconnect/plugins, usr/include, ...
[ -x "$root/usr/bin/appconnect" ] || { echo "run integration_sdk.Packages first" >&2; exit 1; }
work="$(mktemp -d "${TMPDIR:-/tmp}/appconnect-tutorial-XXXXXX")"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
cd "$work"
[ -z "$(ls -A .)" ]
export PATH="$root/usr/bin:$PATH"

# 1. Scaffold.
appconnect plugin new acme
[ -f acme/CMakeLists.txt ] && [ -f acme/src/connector.cpp ] && grep -q '"id": "acme"' acme/manifest.json
if appconnect plugin new acme 2>/dev/null; then echo "overwrote an existing project" >&2; exit 1; fi

# 2. Build out of tree against the packaged SDK, warnings as errors.
cmake -S acme -B acme/build -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$root/usr" \
  -DCMAKE_CXX_FLAGS="-Wall -Wextra -Werror" >/dev/null
cmake --build acme/build >/dev/null
[ -f acme/build/acme.so ] && [ -f acme/build/acme.manifest.json ]

# 3. The generic sandbox and the conformance check, as the tutorial runs them.
# No --seed, exactly as `plugin new` prints it: the generic sandbox serves its built-in demo data.
appconnect-crm-sandbox --crm generic --listen 127.0.0.1:0 --port-file sandbox.port >sandbox.log 2>&1 &
pids+=($!)
for _ in $(seq 100); do [ -s sandbox.port ] && break; sleep 0.1; done
sandbox="http://127.0.0.1:$(cat sandbox.port)"
appconnect-plugin-check acme/build/acme.so --sandbox "$sandbox" --connection-settings acme/connection.json | tee check.txt
grep -q '^result: PASS' check.txt

# 4. Install into the packaged host (its plugin directory beside bin/, as /usr/lib/appconnect/plugins).
cp acme/build/acme.so acme/build/acme.manifest.json "$root/usr/lib/appconnect/plugins/"
trap 'rm -f "$root/usr/lib/appconnect/plugins/acme.so" "$root/usr/lib/appconnect/plugins/acme.manifest.json"; cleanup' EXIT
appconnect plugins list | tee plugins.txt
grep -q acme plugins.txt

# 5. Run the packaged host with one connection to the sandbox, post a call, find it in the CRM.
appconnect secrets generate-key secrets.key >/dev/null
python3 - "$sandbox" <<'PY'
import json, sys
sandbox = sys.argv[1]
json.dump({"listen": "127.0.0.1:0", "data_dir": "data", "secrets_key_file": "secrets.key",
           "tenants": [{"id": "default", "name": "Acme", "settings": {"time_zone": "America/New_York"}}],
           "connections": [{"id": "acme-sandbox", "tenant": "default", "connector": "acme",
                            "settings": {"base_url": sandbox},
                            "credentials": {"client_id": "appconnect-demo", "client_secret": "demo-secret",
                                            "refresh_token": "demo-refresh-token"}}]},
          open("config.json", "w"), indent=2)
PY
appconnect doctor --config config.json | tee doctor.txt
grep -q 'reach:acme-sandbox' doctor.txt
appconnect serve --config config.json >host.log 2>host.err &
pids+=($!)
for _ in $(seq 150); do grep -q 'listening on' host.log && break; sleep 0.1; done
host="$(grep -o 'http://[0-9.:]*' host.log | head -1)"
[ -n "$host" ] || { cat host.err >&2; exit 1; }
curl -sf -X POST "$host/v1/events" -H 'Content-Type: application/json' -d '{
  "id": "evt-tutorial-1", "tenant": "default", "kind": "call", "direction": "inbound",
  "start_time": "2026-11-25T09:30:00Z",
  "from": {"phone": "(415) 555-0132", "name": "Ada Lovelace"}, "to": {"phone": "+16505550100"},
  "agent": {"extension_id": "101", "email": "maria.garcia@acme-demo.example"},
  "call": {"session_id": "s-tutorial-1", "state": "ended", "duration_s": 95, "result": "answered"}}'
echo
for _ in $(seq 150); do
  curl -s "$sandbox/__sandbox/records/activities" >activities.json
  python3 -c "
import json, sys
acts = [a for a in json.load(open('activities.json'))['records'] if a.get('kind') == 'call' and a.get('contact_id') == 'c-ada']
sys.exit(0 if acts else 1)" && break
  sleep 0.2
done
python3 - <<'PY'
import json
acts = [a for a in json.load(open('activities.json'))['records'] if a.get('kind') == 'call' and a.get('contact_id') == 'c-ada']
assert len(acts) == 1, f"expected one call activity on Ada, got {acts}"
a = acts[0]
assert a["owner_id"] == "u-maria", a
assert "AppConnect" in a.get("body", "") or a.get("subject"), a
print("logged:", a["id"], a.get("subject"), "owner", a["owner_id"])
PY
curl -s "$host/v1/events/evt-tutorial-1" | tee event.json; echo
grep -q '"done"' event.json
echo "tutorial: scaffolded, built against the packaged SDK, passed the check, logged a call through the packaged host"
