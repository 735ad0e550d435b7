#!/usr/bin/env bash
# What writing the HTML report costs: the same scan of a tree holding 10,000
# distinct fake secrets (made here at run time: Stripe-shaped keys, 100 files of
# 100 lines), written as JSON and as HTML, RUNS runs each, interleaved; prints
# the median wall time of each, the difference, and the HTML file's size.
#
# Usage: benches/html-report.sh        Env: RUNS=7  HUSH=/path/to/hush (default:
#        the release build, built if missing)
set -euo pipefail
# shellcheck source=benches/lib.sh
. "$(dirname "$0")/lib.sh"
repo=$(cd "$(dirname "$0")/.." && pwd)
runs=${RUNS:-7}
hush=${HUSH:-}
if [ -z "$hush" ]; then
  (cd "$repo" && cargo build --release -q)
  hush="$repo/target/release/hush"
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

python3 - "$work/tree" <<'PY'
import os, random, string, sys
root = sys.argv[1]
os.makedirs(root)
rng = random.Random(21)
alphabet = string.ascii_letters + string.digits
prefix = "sk_" + "live_"
for f in range(100):
    with open(os.path.join(root, f"service{f:03}.env"), "w") as out:
        for i in range(100):
            key = "".join(rng.choice(alphabet) for _ in range(24))
            out.write(f"STRIPE_KEY_{i}={prefix}{key}\n")
PY

for _ in $(seq "$runs"); do
  for format in json html; do
    time_run "$work/$format.times" "$hush" scan "$work/tree" --format "$format" --output "$work/report.$format"
  done
done
findings=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["findings"]))' "$work/report.json")
json=$(cut -d' ' -f1 "$work/json.times" | median)
html=$(cut -d' ' -f1 "$work/html.times" | median)
echo "hush: $hush"
echo "findings: $findings; runs: $runs each, interleaved"
echo "median wall time, --format json: ${json} s"
echo "median wall time, --format html: ${html} s"
echo "html - json: $(awk -v a="$html" -v b="$json" 'BEGIN {printf "%.3f", a - b}') s"
echo "html size: $(stat -c %s "$work/report.html") bytes; json size: $(stat -c %s "$work/report.json") bytes"
