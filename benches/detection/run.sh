#!/usr/bin/env bash
# Detection evaluation: generate the labelled corpus, then score hush and the
# installed peers on it. Builds nothing: hush is target/release/hush (or $HUSH),
# the peers are looked up under $PEERS (default /tmp/peers; see README.md).
#
# Usage: benches/detection/run.sh [score.py options...]
#   e.g. benches/detection/run.sh --min-confidence all,medium,high --details 5
# Env:   CORPUS=target/detection-corpus  SEED=20240607  PER_FAMILY=50
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
corpus=${CORPUS:-$repo/target/detection-corpus}
python3 "$here/generate.py" "$corpus" --seed "${SEED:-20240607}" --per-family "${PER_FAMILY:-50}"
python3 "$here/score.py" --corpus "$corpus" "$@"
