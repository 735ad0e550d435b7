#!/usr/bin/env bash
# Pre-commit hook benchmark: the time a commit of 3 changed files waits for the
# hook, in a repository of 20,000 files (a clone of the history built by
# benches/make-git-history.py). Side by side, with hyperfine (median of runs):
#   hush git --staged                 the scan itself
#   .git/hooks/pre-commit             the plain hook `hush install-hook` writes
#   pre-commit run hush               the pre-commit framework running the `hush` hook
#                                     (built once by pre-commit, release profile)
#   pre-commit run noop               the framework alone, running `true`
#   gitleaks/betterleaks git --staged, kingfisher scan --staged (PyPI peers)
#
# Usage: benches/hook-compare.sh [HISTORY-REPO]   (default /tmp/hush-bench/history)
# Env:   PEERS=/tmp/peers  RUNS=20  WORK=/tmp/hush-bench/hook
set -euo pipefail
repo_dir=$(cd "$(dirname "$0")/.." && pwd)
history=${1:-/tmp/hush-bench/history}
peers=${PEERS:-/tmp/peers}
runs=${RUNS:-20}
work=${WORK:-/tmp/hush-bench/hook}
[ -d "$history" ] || python3 "$repo_dir/benches/make-git-history.py" "$history"
(cd "$repo_dir" && cargo build --release -q)
hush="$repo_dir/target/release/hush"
venv="$work/venv"
[ -x "$venv/bin/pre-commit" ] || { python3 -m venv "$venv" && "$venv/bin/pip" install -q pre-commit; }

# A clone with 3 staged edits and pre-commit configured for this repository's HEAD.
clone="$work/repo"
rm -rf "$clone"
git clone -q "$history" "$clone"
cd "$clone"
git config user.email bench@hush.invalid
git config user.name bench
cat >.pre-commit-config.yaml <<EOF
repos:
  - repo: $repo_dir
    rev: $(git -C "$repo_dir" rev-parse HEAD)
    hooks:
      - id: hush
  - repo: local
    hooks:
      - id: noop
        name: the framework alone (a hook that runs true)
        entry: "true"
        language: system
        pass_filenames: false
EOF
git add .pre-commit-config.yaml
git commit -q --no-verify -m "pre-commit config"
export PRE_COMMIT_HOME="$work/pre-commit-home"
echo "files in the repository: $(git ls-files | wc -l)"
echo "building hush into pre-commit's store (first run only)..."
"$venv/bin/pre-commit" install-hooks >/dev/null
mapfile -t edited < <(git ls-files '*.rs' | sed -n '1,3p')
for f in "${edited[@]}"; do printf '\n// edited\n' >>"$f"; done
git add -u
echo "staged: $(git diff --cached --name-only | tr '\n' ' ')"
"$hush" install-hook --force . 2>/dev/null

cmds=(-n "hush git --staged" "$hush git --staged -q ."
      -n "plain git hook" ".git/hooks/pre-commit"
      -n "pre-commit run hush" "$venv/bin/pre-commit run hush"
      -n "pre-commit run noop" "$venv/bin/pre-commit run noop")
[ -x "$peers/bin/gitleaks" ] && cmds+=(-n "gitleaks git --staged" "$peers/bin/gitleaks git --staged --no-banner .")
[ -x "$peers/bin/betterleaks" ] && cmds+=(-n "betterleaks git --staged" "$peers/bin/betterleaks git --staged --no-banner .")
[ -x "$peers/bin/kingfisher" ] && cmds+=(-n "kingfisher scan --staged" "$peers/bin/kingfisher scan --staged --no-validate --no-update-check .")
hyperfine -N -i --warmup 3 --runs "$runs" --export-json "$work/hook.json" "${cmds[@]}" >/dev/null
python3 - "$work/hook.json" <<'PY'
import json, statistics, sys
results = json.load(open(sys.argv[1]))["results"]
print(f"{'command':<28} {'median ms':>10} {'min ms':>8} {'max ms':>8}")
for r in results:
    t = [x * 1000 for x in r["times"]]
    print(f"{r['command']:<28} {statistics.median(t):>10.1f} {min(t):>8.1f} {max(t):>8.1f}")
PY
