#!/usr/bin/env bash
# Runs appconnect-plugin-check on one plugin against its own freshly started sandbox.
# Arguments: <sandbox binary> <plugin-check binary> <crm> <seed file> <plugin .so> <connection file> [--isolated]
# With --isolated the suite runs the plugin out of process (appconnect-plugin-worker).
set -euo pipefail
sandbox_bin="$1" check_bin="$2" crm="$3" seed="$4" plugin="$5" connection="$6" mode="${7:-}"
work="$(mktemp -d "${TMPDIR:-/tmp}/appconnect-check-XXXXXX")"
sandbox_pid=""
cleanup() {
  if [ -n "$sandbox_pid" ]; then kill "$sandbox_pid" 2>/dev/null || true; wait "$sandbox_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
"$sandbox_bin" --crm "$crm" --seed "$seed" --listen 127.0.0.1:0 --port-file "$work/port" >"$work/sandbox.log" 2>&1 &
sandbox_pid=$!
for _ in $(seq 100); do [ -s "$work/port" ] && break; sleep 0.1; done
[ -s "$work/port" ] || { cat "$work/sandbox.log" >&2; echo "sandbox did not start" >&2; exit 1; }
url="http://127.0.0.1:$(cat "$work/port")"
"$check_bin" "$plugin" --sandbox "$url" --connection-settings "$connection" $mode --json >"$work/report.json" || status=$?
"$check_bin" --help >/dev/null
python3 - "$work/report.json" "$mode" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
expected_mode = "isolated" if sys.argv[2] == "--isolated" else "in_process"
if r.get("mode") != expected_mode:
    print(f'ran in mode {r.get("mode")!r}, expected {expected_mode!r}', file=sys.stderr)
    sys.exit(1)
for c in r["checks"]:
    print(f'{c["status"].upper():5} {c["name"]:26} {c["detail"]}')
print(f'{r["plugin"]}: {r["passed"]} passed, {r["failed"]} failed, {r["skipped"]} skipped')
# Every operation must really have run: a plugin that skips its way through proves nothing.
ran = {c["name"] for c in r["checks"] if c["status"] == "pass"}
needed = {"load", "op.list_users", "op.create_contact", "op.find_contacts", "op.create_call_log",
          "op.update_call_log", "op.get_log", "op.create_message_log", "op.update_message_log",
          "op.oauth_authorize_url", "op.oauth_exchange_code", "op.oauth_refresh", "idempotency.call",
          "idempotency.sms", "errors.401", "errors.429", "errors.5xx", "errors.validation", "timeout",
          "large_payload", "concurrency"}
missing = needed - ran
if missing:
    print("not passed: " + ", ".join(sorted(missing)), file=sys.stderr)
    sys.exit(1)
PY
exit "${status:-0}"
