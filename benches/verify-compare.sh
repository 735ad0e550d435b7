#!/usr/bin/env bash
# What --verify costs in wall time: a tree of 100 files, each with its own
# GitHub token (100 unique findings), scanned without --verify, and with
# --verify against a local server that answers as GitHub's `GET /user` does
# (HUSH_VERIFY_OVERRIDE), at the default pace (4 in flight, 10 requests a
# second per provider) and with the rate limit lifted. Medians of RUNS runs.
#
# Usage: benches/verify-compare.sh
# Env:   RUNS=3  HUSH=path/to/hush (default: a release build)  DELAY_MS=50 (server latency)
set -euo pipefail
# shellcheck source=benches/lib.sh
. "$(dirname "$0")/lib.sh"
repo=$(cd "$(dirname "$0")/.." && pwd)
runs=${RUNS:-3}
delay=${DELAY_MS:-50}
if [ -z "${HUSH:-}" ]; then
  (cd "$repo" && cargo build --release -q)
  HUSH="${CARGO_TARGET_DIR:-$repo/target}/release/hush"
fi
work=$(mktemp -d)
server_pid=
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

# 100 tokens with valid checksums, generated here (none is committed).
python3 - "$work/tree" <<'PY'
import os, random, sys, zlib
b62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
rng = random.Random(20)
os.makedirs(sys.argv[1])
for i in range(100):
    body = "".join(rng.choice(b62) for _ in range(30))
    n, check = zlib.crc32(body.encode()), ""
    for _ in range(6):
        check = b62[n % 62] + check
        n //= 62
    with open(os.path.join(sys.argv[1], f"app{i}.env"), "w") as f:
        f.write("GITHUB_TOKEN=" + "ghp" + "_" + body + check + "\n")
PY

# A threaded local server answering like GitHub, after DELAY_MS.
cat >"$work/server.py" <<'PY'
import http.server, socketserver, sys, time
delay = int(sys.argv[1]) / 1000
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        time.sleep(delay)
        body = b'{"login":"octocat"}'
        self.send_response(200)
        self.send_header("X-OAuth-Scopes", "repo")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a): pass
class S(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
s = S(("127.0.0.1", 0), H)
print(s.server_address[1], flush=True)
s.serve_forever()
PY
python3 "$work/server.py" "$delay" >"$work/port" &
server_pid=$!
for _ in $(seq 50); do [ -s "$work/port" ] && break; sleep 0.1; done
export HUSH_VERIFY_OVERRIDE="github=http://127.0.0.1:$(cat "$work/port")"

"$HUSH" scan -q "$work/tree" >/dev/null 2>&1 || true   # page cache
verified=$({ "$HUSH" scan -q --verify --verify-rate 1000 --format json "$work/tree" 2>/dev/null || true; } |
  python3 -c 'import json,sys; print(sum(f.get("verification",{}).get("status")=="verified" for f in json.load(sys.stdin)["findings"]))')
echo "findings verified against the local server: $verified (of 100)"
for label in plain default unlimited; do
  : >"$work/$label"
  for _ in $(seq "$runs"); do
    case $label in
      plain) time_run "$work/$label" "$HUSH" scan -q "$work/tree" ;;
      default) time_run "$work/$label" "$HUSH" scan -q --verify "$work/tree" ;;
      unlimited) time_run "$work/$label" "$HUSH" scan -q --verify --verify-rate 1000 "$work/tree" ;;
    esac
  done
done
printf '%-44s %8s\n' "run (100 unique findings, ${delay} ms server latency)" "wall s"
printf '%-44s %8s\n' "hush scan" "$(cut -d' ' -f1 "$work/plain" | median)"
printf '%-44s %8s\n' "hush scan --verify (default: 4 at once, 10/s)" "$(cut -d' ' -f1 "$work/default" | median)"
printf '%-44s %8s\n' "hush scan --verify --verify-rate 1000" "$(cut -d' ' -f1 "$work/unlimited" | median)"
