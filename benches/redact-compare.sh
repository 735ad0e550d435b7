#!/usr/bin/env bash
# Redaction throughput: hush-redact (release build) against `cat` (the floor) and
# `sed -E` with one regex (what people write by hand), on generated logs: JSON
# application logs, nginx access logs and Java stack traces, with a secret every
# few thousand lines (GitHub and AWS tokens, JSON password fields, bearer headers,
# database URLs, a base64'd .env line, and one literal value raw and
# base64-encoded).
#
# Prints, per tool, the median wall time over RUNS runs, MB/s, peak RSS and how
# many secrets it redacted; then hush-redact's release binary size.
#
# Usage: benches/redact-compare.sh [SIZE_MB]   (default 1100: over 1 GB)
# Env:   RUNS=3  CORPUS=/tmp/hush-bench/redact-logs-v2.txt (regenerated if too small;
#        v2 adds base64'd secrets, found by decoding)
#        BASE_REDACT=/path/to/an/older/hush-redact: also measured (on one core and
#        with literal masks only), for before/after figures in one run
set -euo pipefail
# shellcheck source=benches/lib.sh
. "$(dirname "$0")/lib.sh"
repo=$(cd "$(dirname "$0")/.." && pwd)
size_mb=${1:-1100}
runs=${RUNS:-3}
corpus=${CORPUS:-/tmp/hush-bench/redact-logs-v2.txt}
mkdir -p "$(dirname "$corpus")"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The literal masked in literal-mask mode, and nine decoys that never occur.
literal="Lit3ral-Mask-Value-7f3c9a"
for i in 0 1 2 3 4 5 6 7 8; do
  printf 'decoy-mask-value-%s-q8z\n' "$i" >"$work/mask$i"
done
printf '%s\n' "$literal" >"$work/mask9"

have=$(stat -c %s "$corpus" 2>/dev/null || echo 0)
if [ "$have" -lt $((size_mb * 1000000)) ]; then
  echo "generating $size_mb MB of logs in $corpus ..." >&2
  python3 - "$corpus" "$size_mb" "$literal" <<'PY'
import base64, random, sys, zlib

path, size_mb, literal = sys.argv[1], int(sys.argv[2]), sys.argv[3]
rng = random.Random(42)
B62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

def b62(n):
    return "".join(rng.choice(B62) for _ in range(n))

def github_token():
    payload = b62(30)
    n, check = zlib.crc32(payload.encode()), ""
    for _ in range(6):
        check = B62[n % 62] + check
        n //= 62
    return "gh" + "p_" + payload + check

def aws_key():
    return "AK" + "IA" + "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(16))

SERVICES = ["checkout", "cart", "search", "auth", "billing", "inventory", "gateway"]
MSGS = ["order placed", "cache miss", "request completed", "retrying upstream call",
        "user signed in", "payment authorized", "item not found", "session refreshed",
        "token refreshed", "slow query", "connection pool exhausted", "health check ok"]
PATHS = ["/api/v1/orders", "/api/v1/items", "/api/v1/cart", "/login", "/static/app.js",
         "/api/v2/search", "/healthz", "/api/v1/users/me", "/metrics"]
AGENTS = ["Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36",
          "curl/8.5.0", "Go-http-client/1.1", "kube-probe/1.29",
          "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148"]
CLASSES = ["com.example.shop.OrderService", "com.example.shop.CartController", "org.hibernate.engine.jdbc.spi.SqlExceptionHelper",
           "io.netty.channel.AbstractChannelHandlerContext", "java.util.concurrent.ThreadPoolExecutor$Worker"]

def ts():
    return "2024-05-%02dT%02d:%02d:%02d.%03dZ" % (rng.randint(1, 28), rng.randint(0, 23), rng.randint(0, 59), rng.randint(0, 59), rng.randint(0, 999))

def json_line():
    return ('{"ts":"%s","level":"%s","service":"%s","trace_id":"%032x","msg":"%s","user_id":%d,"duration_ms":%d,"path":"%s"}'
            % (ts(), rng.choice(["info", "info", "info", "warn", "debug", "error"]), rng.choice(SERVICES),
               rng.getrandbits(128), rng.choice(MSGS), rng.randint(1, 10**6), rng.randint(0, 5000), rng.choice(PATHS)))

def nginx_line():
    referer = rng.choice(['"-"', '"https://shop.example.com/cart"', '"https://www.google.com/"', '"-"'])
    query = rng.choice(["", "?page=%d&sort=asc" % rng.randint(1, 50), "?q=shoes&lang=en"])
    return ('10.%d.%d.%d - - [01/May/2024:%02d:%02d:%02d +0000] "%s %s%s HTTP/1.1" %d %d %s "%s" %.3f'
            % (rng.randint(0, 255), rng.randint(0, 255), rng.randint(0, 255), rng.randint(0, 23), rng.randint(0, 59),
               rng.randint(0, 59), rng.choice(["GET", "GET", "POST", "PUT"]), rng.choice(PATHS), query,
               rng.choice([200, 200, 200, 201, 304, 404, 500]), rng.randint(0, 50000), referer, rng.choice(AGENTS),
               rng.random()))

def stack_trace():
    lines = ["%s ERROR [%s] %s: Request processing failed" % (ts(), rng.choice(SERVICES), rng.choice(CLASSES)),
             "java.lang.IllegalStateException: order %d is in state CANCELLED" % rng.randint(1, 10**6)]
    for _ in range(rng.randint(5, 15)):
        cls = rng.choice(CLASSES)
        lines.append("\tat %s.%s(%s.java:%d)" % (cls, rng.choice(["run", "handle", "process", "invoke", "apply"]),
                                                 cls.rsplit(".", 1)[-1].split("$")[0], rng.randint(10, 900)))
    lines.append("Caused by: java.sql.SQLTimeoutException: query timed out after 30000ms")
    lines.append("\t... %d more" % rng.randint(3, 40))
    return lines

def secret_line(i):
    kind = i % 7
    if kind == 6:
        # Encoded: a base64'd .env line in a config dump (found by decoding).
        encoded = base64.b64encode(("GITHUB_TOKEN=" + github_token() + "\n").encode()).decode()
        return '%s INFO config: env blob %s' % (ts(), encoded)
    if kind == 0:
        return '{"ts":"%s","level":"warn","msg":"calling API with %s"}' % (ts(), github_token())
    if kind == 1:
        return '%s INFO aws: using access key %s for upload' % (ts(), aws_key())
    if kind == 2:
        return '{"ts":"%s","level":"debug","msg":"login","user":"bob","password":"%s"}' % (ts(), b62(14))
    if kind == 3:
        return '%s DEBUG http: > Authorization: Bearer %s.%s' % (ts(), b62(24), b62(32))
    if kind == 4:
        return '%s INFO db: connecting to postgres://app:%s@db-%d.internal:5432/shop' % (ts(), b62(16), i % 9)
    value = literal if rng.random() < 0.5 else base64.b64encode(("user:" + literal).encode()).decode()
    return '%s INFO config: loaded secret value %s' % (ts(), value)

pool = []
while len(pool) < 20000:
    r = rng.random()
    if r < 0.45:
        pool.append(json_line())
    elif r < 0.85:
        pool.append(nginx_line())
    else:
        pool.extend(stack_trace())
target = size_mb * 1000000
written, line_no, secrets, offset = 0, 0, 0, 0
with open(path, "w") as out:
    while written < target:
        chunk = []
        for _ in range(5000):
            chunk.append(pool[offset % len(pool)])
            offset += 7
            line_no += 1
            if line_no % 3000 == 0:
                chunk.append(secret_line(secrets))
                secrets += 1
        text = "\n".join(chunk) + "\n"
        out.write(text)
        written += len(text)
print("wrote %d bytes, %d lines, %d secrets" % (written, line_no + secrets, secrets), file=sys.stderr)
PY
fi
bytes=$(stat -c %s "$corpus")

(cd "$repo" && cargo build --release -q -p hush-redact)
redact="$repo/target/release/hush-redact"
masks=()
for i in 0 1 2 3 4 5 6 7 8 9; do masks+=(--mask-file "$work/mask$i"); done

# measure NAME CMD...: runs CMD with the corpus on stdin $runs times (after one
# warm-up), records wall seconds and peak RSS (KiB), keeps the last output.
measure() {
  local name=$1; shift
  "$@" <"$corpus" >/dev/null 2>&1 || true
  : >"$work/$name.times"
  for _ in $(seq "$runs"); do
    time_run "$work/$name.times" "$@" <"$corpus"
  done
  "$@" <"$corpus" 2>/dev/null | grep -o 'REDACTED[^] ]*' | wc -l >"$work/$name.count" || true
}

measure cat cat
measure sed sed -E 's/ghp_[A-Za-z0-9]{36}/[REDACTED]/g'
measure hush-redact "$redact"
measure hush-redact-1core taskset -c 0 "$redact"
names="cat sed hush-redact hush-redact-1core hush-redact-buffered literal-only literal-only-1core"
if [ -n "${BASE_REDACT:-}" ]; then
  measure base-1core taskset -c 0 "$BASE_REDACT"
  measure base-literal-1core taskset -c 0 "$BASE_REDACT" --no-rules --no-structure "${masks[@]}"
  names="$names base-1core base-literal-1core"
fi
measure hush-redact-buffered "$redact" --buffered
measure literal-only "$redact" --no-rules --no-structure "${masks[@]}"
measure literal-only-1core taskset -c 0 "$redact" --no-rules --no-structure "${masks[@]}"

printf 'corpus: %s (%d MB, %d lines), %d runs each, %d cores\n' "$corpus" $((bytes / 1000000)) \
  "$(wc -l <"$corpus")" "$runs" "$(nproc)"
printf '%-22s %8s %9s %12s %9s\n' tool wall_s MB/s peak_RSS_MB redacted
for name in $names; do
  wall=$(cut -d' ' -f1 "$work/$name.times" | median)
  rss=$(cut -d' ' -f2 "$work/$name.times" | sort -n | tail -1)
  count=$(cat "$work/$name.count")
  [ "$name" = cat ] && count=-
  awk -v n="$name" -v w="$wall" -v b="$bytes" -v r="$rss" -v c="$count" \
    'BEGIN {printf "%-22s %8.2f %9.0f %12.1f %9s\n", n, w, (w > 0 ? b / w / 1e6 : 0), r / 1024, c}'
done
printf 'hush-redact release binary: %d bytes (%.1f MB)\n' "$(stat -c %s "$redact")" \
  "$(awk -v s="$(stat -c %s "$redact")" 'BEGIN {print s / 1e6}')"
