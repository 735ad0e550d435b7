#!/usr/bin/env bash
# Side-by-side scan benchmark: hush (release build) against kingfisher (PyPI
# kingfisher-bin, filesystem scan, validation off) on the same directory tree.
# Prints each tool's median wall time over RUNS runs, MB/s, peak RSS and finding
# count, and the ratio. Also hush's start-up time on a one-line input.
#
# Usage: benches/compare.sh [TREE]   (default: the shared benchmark tree, built
#        with ../shared/bench/make-tree-corpus.sh if missing)
# Env:   RUNS=5  PEERS=/tmp/peers (venv for kingfisher; created if missing)
#        HUSH_BASE=/path/to/hush: also time another hush build (say, before a
#        change) in the same run; the runs of all tools are interleaved.
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

base=${HUSH_BASE:-}
tools="hush kingfisher"
[ -n "$base" ] && tools="hush hush-base kingfisher"
# command_of NAME: the command line of a tool.
command_of() {
  case $1 in
    hush) echo "$hush scan $tree --format json --output $out/hush.json" ;;
    hush-base) echo "$base scan $tree --format json --output $out/hush-base.json" ;;
    kingfisher) echo "$kingfisher scan $tree --no-validate --format json --output $out/kingfisher.json" ;;
  esac
}
# One warm-up each, then $runs rounds, each running every tool once
# (interleaved, so a slow spell of the machine hits all tools alike).
for tool in $tools; do
  $(command_of "$tool") >/dev/null 2>&1 || true
  : >"$out/$tool.times"
done
for _ in $(seq "$runs"); do
  for tool in $tools; do
    # shellcheck disable=SC2046
    time_run "$out/$tool.times" $(command_of "$tool")
  done
done

findings_of() { python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["findings"]))' "$out/$1.json"; }

printf 'tree: %s (%d MB in %d files), %d runs each, %d cores\n' "$tree" $((bytes / 1000000)) "$(find "$tree" -type f | wc -l)" "$runs" "$(nproc)"
printf '%-12s %9s %9s %11s %9s\n' tool wall_s MB/s peak_RSS_MB findings
for tool in $tools; do
  wall=$(cut -d' ' -f1 "$out/$tool.times" | median)
  rss=$(cut -d' ' -f2 "$out/$tool.times" | median)
  findings=$(findings_of "$tool")
  printf '%-12s %9.2f %9.0f %11.0f %9s\n' "$tool" "$wall" "$(echo "$bytes / 1000000 / $wall" | bc -l)" "$(echo "$rss / 1024" | bc -l)" "$findings"
done
h=$(cut -d' ' -f1 "$out/hush.times" | median)
k=$(cut -d' ' -f1 "$out/kingfisher.times" | median)
printf 'ratio: hush is %.2fx faster than kingfisher (median wall)\n' "$(echo "$k / $h" | bc -l)"
if [ -n "$base" ]; then
  b=$(cut -d' ' -f1 "$out/hush-base.times" | median)
  hr=$(cut -d' ' -f2 "$out/hush.times" | median)
  br=$(cut -d' ' -f2 "$out/hush-base.times" | median)
  printf 'against HUSH_BASE: wall %.2fx, peak RSS %.2fx (median; > 1 means this build costs more)\n' \
    "$(echo "$h / $b" | bc -l)" "$(echo "$hr / $br" | bc -l)"
fi

echo 'x = 1' >"$out/one-line.txt"
"$hush" scan -q "$out/one-line.txt"
start=$(date +%s%N)
for _ in $(seq 50); do "$hush" scan -q "$out/one-line.txt"; done
end=$(date +%s%N)
printf 'hush start-up, full rule set, one-line input: %.1f ms (mean of 50 runs)\n' "$(echo "($end - $start) / 50 / 1000000" | bc -l)"
if [ -n "$base" ]; then
  start=$(date +%s%N)
  for _ in $(seq 50); do "$base" scan -q "$out/one-line.txt"; done
  end=$(date +%s%N)
  printf 'HUSH_BASE start-up, one-line input: %.1f ms (mean of 50 runs)\n' "$(echo "($end - $start) / 50 / 1000000" | bc -l)"
fi
