#!/usr/bin/env bash
# Record once, replay offline: appconnect-plugin-check --record against a fresh sandbox, then --transcript
# with that sandbox stopped, then the same transcript with one exchange removed (which must fail).
# Arguments: <sandbox binary> <plugin-check binary> <crm> <seed file> <plugin .so> <connection file>
set -euo pipefail
sandbox_bin="$1" check_bin="$2" crm="$3" seed="$4" plugin="$5" connection="$6"
work="$(mktemp -d "${TMPDIR:-/tmp}/appconnect-transcript-XXXXXX")"
sandbox_pid=""
stop_sandbox() {
  if [ -n "$sandbox_pid" ]; then kill "$sandbox_pid" 2>/dev/null || true; wait "$sandbox_pid" 2>/dev/null || true; fi
  sandbox_pid=""
}
trap 'stop_sandbox; rm -rf "$work"' EXIT

"$sandbox_bin" --crm "$crm" --seed "$seed" --listen 127.0.0.1:0 --port-file "$work/port" >"$work/sandbox.log" 2>&1 &
sandbox_pid=$!
for _ in $(seq 100); do [ -s "$work/port" ] && break; sleep 0.1; done
[ -s "$work/port" ] || { cat "$work/sandbox.log" >&2; echo "sandbox did not start" >&2; exit 1; }
port="$(cat "$work/port")"

echo "== record against the $crm sandbox"
status=0
"$check_bin" "$plugin" --sandbox "http://127.0.0.1:$port" --record "$work/transcript.jsonl" \
  --connection-settings "$connection" --json >"$work/record.json" || status=$?
stop_sandbox

# The report must pass with every operation and fault check run, and the file must hold no secrets.
python3 - "$work/record.json" "$status" "$work/transcript.jsonl" "$connection" "$port" <<'PY'
import json, socket, sys
report, status, transcript, connection, port = sys.argv[1:]
r = json.load(open(report))
for c in r["checks"]:
    print(f'{c["status"].upper():5} {c["name"]:26} {c["detail"][:150]}')
if status != "0" or not r["ok"]:
    sys.exit(f"recording run failed (exit {status})")
lines = [json.loads(l) for l in open(transcript) if l.strip()]
meta, exchanges = lines[0], lines[1:]
assert meta.get("plugin_check_transcript") == 1, meta
print(f'{len(exchanges)} exchanges recorded, {sum(1 for e in exchanges if e.get("injected"))} injected faults')
if len(exchanges) < 20:
    sys.exit("too few exchanges recorded")
secrets = [v for v in json.load(open(connection))["credentials"].values() if len(v) > 8]
for e in exchanges:
    if "headers" in e["request"]:
        sys.exit("request headers were recorded")
    for part in ("request", "response"):
        text = json.dumps(e[part])
        for s in secrets:
            if s in text and s != "appconnect-demo":
                sys.exit(f"credential {s!r} recorded in {e['request']['path']}")
        try:
            body = json.loads(e[part]["body"])
        except ValueError:
            continue
        if isinstance(body, dict) and body.get("access_token") not in (None, "redacted-by-plugin-check"):
            sys.exit(f"an access token was recorded in {e['request']['path']}")
# Replay must not be able to reach the sandbox by accident.
s = socket.socket()
if s.connect_ex(("127.0.0.1", int(port))) == 0:
    sys.exit("the sandbox is still listening")
PY

needed='["load", "op.list_users", "op.create_contact", "op.find_contacts", "op.create_call_log",
  "op.update_call_log", "op.get_log", "op.create_message_log", "op.update_message_log",
  "op.oauth_authorize_url", "op.oauth_exchange_code", "op.oauth_refresh", "idempotency.call",
  "idempotency.sms", "idempotency.absent", "errors.401", "errors.429", "errors.5xx", "errors.validation",
  "timeout", "large_payload", "concurrency"]'

echo "== replay with no sandbox running"
status=0
"$check_bin" "$plugin" --transcript "$work/transcript.jsonl" --connection-settings "$connection" --json \
  >"$work/replay.json" || status=$?
python3 - "$work/replay.json" "$status" "$needed" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
for c in r["checks"]:
    print(f'{c["status"].upper():5} {c["name"]:26} {c["detail"][:150]}')
print(f'{r["plugin"]}: {r["passed"]} passed, {r["failed"]} failed, {r["skipped"]} skipped')
if not r["transcript"] or r["sandbox"]:
    sys.exit("the report does not say it replayed a transcript")
missing = set(json.loads(sys.argv[3])) - {c["name"] for c in r["checks"] if c["status"] == "pass"}
if missing:
    sys.exit("not passed in replay: " + ", ".join(sorted(missing)))
if sys.argv[2] != "0" or not r["ok"]:
    sys.exit(f"replay failed (exit {sys.argv[2]})")
PY

echo "== replay of a transcript missing the idempotency.absent exchange"
python3 - "$work/transcript.jsonl" "$work/cut.jsonl" <<'PY'
import json, sys
lines = [l for l in open(sys.argv[1]) if l.strip()]
for i, l in enumerate(lines[1:], 1):
    req = json.loads(l)["request"]
    if "plugin-check-never-written" in req["query"] + req["body"]:
        print("removed: " + req["method"] + " " + req["path"])
        del lines[i]
        break
else:
    sys.exit("no exchange for the never-written external id in the transcript")
open(sys.argv[2], "w").writelines(lines)
PY
status=0
"$check_bin" "$plugin" --transcript "$work/cut.jsonl" --connection-settings "$connection" --json \
  >"$work/cut.json" || status=$?
python3 - "$work/cut.json" "$status" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
failed = [c for c in r["checks"] if c["status"] == "fail"]
for c in failed:
    print(f'FAIL  {c["name"]:26} {c["detail"][:400]}')
if sys.argv[2] != "1" or r["ok"]:
    sys.exit(f"a transcript missing an exchange did not fail the run (exit {sys.argv[2]})")
if "idempotency.absent" not in {c["name"] for c in failed}:
    sys.exit("idempotency.absent, whose exchange was removed, did not fail")
if not any("the transcript has no recorded exchange for" in c["detail"] for c in failed):
    sys.exit("no failed check names the unanswered request")
PY
echo "transcript record and replay: OK"
