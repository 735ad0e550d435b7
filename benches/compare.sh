#!/usr/bin/env bash
# Side-by-side scan benchmark: hush (release build) against kingfisher (PyPI
# kingfisher-bin, filesystem scan, validation off) on the same directory tree.
# Prints each tool's median wall time over RUNS runs, MB/s, peak RSS and finding
# count, and the ratio. Also hush's start-up time on a one-line input.
#
# Usage: benches/compare.sh [TREE]   (default: the shared benchmark tree, built
#        with ../shared/bench/make-tree-corpus.sh if missing)
# Env:   RUNS=5  PEERS=/tmp/peers (venv for kingfisher; created if missing)
set -euo pipefail
# shellcheck source=benches/lib.sh
. "$(dirname "$0")/lib.sh"
repo=$(cd "$(dirname "$0")/.." && pwd)
tree=${1:-/tmp/hush-bench/tree}
runs=${RUNS:-5}
peers=${PEERS:-/tmp/peers}

if [ ! -d "$tree" ]; then
  "$repo/../shared/bench/make-tree-corpus.sh" "$tree"
fi
if [ ! -x "$peers/bin/kingfisher" ]; then
  python3 -m venv "$peers"
  "$peers/bin/pip" install -q kingfisher-bin
fi
(cd "$repo" && cargo build --release -q)
hush="$repo/target/release/hush"
kingfisher="$peers/bin/kingfisher"
bytes=$(find "$tree" -type f -printf '%s\n' | awk '{s+=$1} END {print s}')
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# measure NAME CMD...: runs CMD $runs times (after one warm-up), records wall
# seconds and peak RSS (KiB) of each run.
measure() {
  local name=$1; shift
  "$@" >/dev/null 2>&1 || true
  : >"$out/$name.times"
  for _ in $(seq "$runs"); do
    time_run "$out/$name.times" "$@"
  done
}

measure hush "$hush" scan "$tree" --format json --output "$out/hush.json"
measure kingfisher "$kingfisher" scan "$tree" --no-validate --format json --output "$out/kingfisher.json"

hush_findings=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["findings"]))' "$out/hush.json")
kf_findings=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["findings"]))' "$out/kingfisher.json")

printf 'tree: %s (%d MB in %d files), %d runs each, %d cores\n' "$tree" $((bytes / 1000000)) "$(find "$tree" -type f | wc -l)" "$runs" "$(nproc)"
printf '%-12s %9s %9s %11s %9s\n' tool wall_s MB/s peak_RSS_MB findings
for tool in hush kingfisher; do
  wall=$(cut -d' ' -f1 "$out/$tool.times" | median)
  rss=$(cut -d' ' -f2 "$out/$tool.times" | median)
  findings=$([ "$tool" = hush ] && echo "$hush_findings" || echo "$kf_findings")
  printf '%-12s %9.2f %9.0f %11.0f %9s\n' "$tool" "$wall" "$(echo "$bytes / 1000000 / $wall" | bc -l)" "$(echo "$rss / 1024" | bc -l)" "$findings"
done
h=$(cut -d' ' -f1 "$out/hush.times" | median)
k=$(cut -d' ' -f1 "$out/kingfisher.times" | median)
printf 'ratio: hush is %.2fx faster than kingfisher (median wall)\n' "$(echo "$k / $h" | bc -l)"

echo 'x = 1' >"$out/one-line.txt"
"$hush" scan -q "$out/one-line.txt"
start=$(date +%s%N)
for _ in $(seq 50); do "$hush" scan -q "$out/one-line.txt"; done
end=$(date +%s%N)
printf 'hush start-up, full rule set, one-line input: %.1f ms (mean of 50 runs)\n' "$(echo "($end - $start) / 50 / 1000000" | bc -l)"
