#!/usr/bin/env bash
# What sharding costs, and how fast a merge is:
#   1. total CPU (user + sys) of `hush scan TREE` against the sum of
#      `--shard 1/N` … `--shard N/N` run one after another (interleaved, medians);
#   2. wall time of `hush merge` of 10 JSON Lines shard reports holding 10,000
#      findings in all (generated: 1,000 secrets, each in 10 places).
#
# Usage: benches/shard-compare.sh [TREE]   (default /tmp/hush-bench/tree)
# Env:   RUNS=3  SHARDS=2  HUSH=path/to/hush (default: a release build)
set -euo pipefail
# shellcheck source=benches/lib.sh
. "$(dirname "$0")/lib.sh"
repo=$(cd "$(dirname "$0")/.." && pwd)
tree=${1:-/tmp/hush-bench/tree}
runs=${RUNS:-3}
shards=${SHARDS:-2}
if [ -z "${HUSH:-}" ]; then
  (cd "$repo" && cargo build --release -q)
  HUSH="$repo/target/release/hush"
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# cpu CMD...: user + sys seconds of one run (exit status ignored).
cpu() {
  /usr/bin/time -f '%U %S' -o "$work/t" "$@" >/dev/null 2>&1 || true
  tail -n1 "$work/t" | awk '{print $1 + $2}'
}

"$HUSH" scan -q "$tree" >/dev/null 2>&1 || true   # page cache
for _ in $(seq "$runs"); do
  cpu "$HUSH" scan -q "$tree" >>"$work/whole"
  total=0
  for i in $(seq "$shards"); do
    t=$(cpu "$HUSH" scan -q --shard "$i/$shards" "$tree")
    total=$(awk -v a="$total" -v b="$t" 'BEGIN {print a + b}')
  done
  echo "$total" >>"$work/sharded"
done
whole=$(median <"$work/whole")
sharded=$(median <"$work/sharded")
echo "tree scan CPU: whole ${whole} s, ${shards} shards in turn ${sharded} s ($(awk -v a="$sharded" -v b="$whole" 'BEGIN {printf "%.3f", a / b}')x)"

python3 - "$work" <<'PY'
import hashlib, json, sys
work = sys.argv[1]
for shard in range(10):
    with open(f"{work}/shard-{shard}.jsonl", "w") as out:
        for k in range(1000):
            fp = hashlib.sha256(f"merge-bench-{k}".encode()).hexdigest()[:32]
            loc = {"path": f"src/pkg{shard}/file{k}.cfg", "line": 3, "column": 7, "end_line": 3, "end_column": 47}
            finding = {"rule_id": "github-pat", "rule_name": "GitHub personal access token",
                       "severity": "high", "confidence": "high", "secret_masked": "ghp_…(40)",
                       "fingerprint": fp, **loc, "commit": None, "author": None, "email": None,
                       "date": None, "message": None, "remediation": "Revoke it.", "known": False,
                       "locations": [loc]}
            out.write(json.dumps(finding) + "\n")
PY
for _ in $(seq "$runs"); do
  /usr/bin/time -f '%e' -o "$work/m" "$HUSH" merge -q --format sarif -o "$work/merged.sarif" "$work"/shard-*.jsonl || true
  tail -n1 "$work/m" >>"$work/merge"
done
echo "hush merge of 10 reports, 10000 findings (1000 secrets x 10 places): $(median <"$work/merge") s wall"
