#!/usr/bin/env bash
# `hush image` of an image pulled from a local registry against the same image
# read from a `docker save` tarball: times
#   1. hush image docker.tar                                 (layers read in place)
#   2. hush image registry://127.0.0.1:PORT/bench:1 --insecure-registry
#      (manifest, config and layers streamed over HTTP, each blob's sha256 checked)
# and prints the medians and their ratio (issue 19's target: <= 1.5x).
#
# The image (~SIZE_MB MB of real source files in 4 uncompressed layers) is
# built from TREE; the same layer blobs are uploaded to Debian's docker-registry
# (started here on 127.0.0.1, filesystem storage under WORK) with the
# distribution API's monolithic upload, so both runs read the same bytes. The
# registry runs on the same machine: its CPU is in the registry figure.
#
# Usage: benches/registry-compare.sh [TREE]
#        (default /tmp/hush-bench/tree if it is there, else /usr/share)
# Env:   RUNS=3  SIZE_MB=200  WORK=/tmp/hush-bench/registry (image cached there)
#        HUSH_BIN=path/to/hush (default: a release build)
set -euo pipefail
# shellcheck source=benches/lib.sh
. "$(dirname "$0")/lib.sh"
repo=$(cd "$(dirname "$0")/.." && pwd)
tree=${1:-/tmp/hush-bench/tree}
[ -n "$(ls -A "$tree" 2>/dev/null)" ] || tree=/usr/share
runs=${RUNS:-3}
size_mb=${SIZE_MB:-200}
work=${WORK:-/tmp/hush-bench/registry}
command -v docker-registry >/dev/null || { echo "docker-registry is not installed (apt-get install docker-registry)" >&2; exit 2; }

if [ -n "${HUSH_BIN:-}" ]; then
  hush=$HUSH_BIN   # a build of your own (both runs use it: the ratio still holds)
else
  (cd "$repo" && cargo build --release -q)
  hush="${CARGO_TARGET_DIR:-$repo/target}/release/hush"
fi
mkdir -p "$work"

# The image: top-level directories of the tree until SIZE_MB, dealt into 4 layers.
if [ ! -f "$work/docker.tar" ]; then
  python3 - "$tree" "$work" "$size_mb" <<'EOF'
import hashlib, io, json, os, subprocess, sys, tarfile
tree, work, size_mb = sys.argv[1], sys.argv[2], int(sys.argv[3])
def du(path):
    total = 0
    for root, _, files in os.walk(path):
        for f in files:
            p = os.path.join(root, f)
            if os.path.isfile(p) and not os.path.islink(p):
                total += os.path.getsize(p)
    return total
# ~/.cargo/registry/src holds one directory per registry index, crates below.
tops = sorted(os.listdir(tree))
candidates = []
for top in tops:
    if top.startswith("index.") and os.path.isdir(os.path.join(tree, top)):
        candidates += [os.path.join(top, c) for c in sorted(os.listdir(os.path.join(tree, top)))]
    else:
        candidates.append(top)
picked, total, goal = [], 0, size_mb * 1_000_000
for rel in candidates:
    size = du(os.path.join(tree, rel))
    if total + size > goal * 1.05:
        continue  # one large directory would overshoot: try the next ones
    picked.append(rel)
    total += size
    if total >= goal * 0.95:
        break
if len(picked) < 4:
    sys.exit(f"{tree}: fewer than 4 directories to make layers of")
layers = []
for k in range(4):
    names = picked[k::4]
    path = os.path.join(work, f"layer{k}.tar")
    subprocess.run(["tar", "-C", tree, "-cf", path, "--", *names], check=True)
    layers.append(path)
def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()
def add_bytes(tar, name, data):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    tar.addfile(info, io.BytesIO(data))
diff_ids = ["sha256:" + sha256(p) for p in layers]
config = json.dumps({"os": "linux", "architecture": "amd64",
                     "config": {"Env": ["PATH=/usr/bin"], "Cmd": ["/bin/sh"]},
                     "history": [{"created_by": f"COPY part{k} /src/"} for k in range(4)],
                     "rootfs": {"type": "layers", "diff_ids": diff_ids}}).encode()
config_hex = hashlib.sha256(config).hexdigest()
with tarfile.open(os.path.join(work, "docker.tar"), "w", format=tarfile.GNU_FORMAT) as tar:
    names = []
    for path, diff in zip(layers, diff_ids):
        name = diff[7:] + "/layer.tar"
        tar.add(path, arcname=name)
        names.append(name)
    add_bytes(tar, config_hex + ".json", config)
    add_bytes(tar, "manifest.json", json.dumps(
        [{"Config": config_hex + ".json", "RepoTags": ["bench:1"], "Layers": names}]).encode())
# What the upload needs: the config, and each layer blob by digest.
with open(os.path.join(work, "config.json"), "wb") as f:
    f.write(config)
blobs = os.path.join(work, "blobs")
os.makedirs(blobs, exist_ok=True)
for path, diff in zip(layers, diff_ids):
    os.replace(path, os.path.join(blobs, diff[7:]))
EOF
fi

out=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat >"$out/registry.yml" <<EOF
version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $out/storage
http:
  addr: 127.0.0.1:$port
EOF
docker-registry serve "$out/registry.yml" >/dev/null 2>&1 &
registry_pid=$!
trap 'kill $registry_pid 2>/dev/null; rm -rf "$out"' EXIT
for _ in $(seq 100); do
  (exec 3<>/dev/tcp/127.0.0.1/"$port") 2>/dev/null && break
  sleep 0.1
done

# Upload: each blob by a monolithic PUT, then the manifest.
python3 - "$work" "$port" <<'EOF'
import hashlib, json, os, sys, urllib.request
work, port = sys.argv[1], sys.argv[2]
base = f"http://127.0.0.1:{port}/v2/bench"
def upload(data_path=None, data=None):
    if data is None:
        with open(data_path, "rb") as f:
            data = f.read()
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    start = urllib.request.urlopen(urllib.request.Request(base + "/blobs/uploads/", method="POST", data=b""))
    location = start.headers["Location"]
    if location.startswith("/"):
        location = f"http://127.0.0.1:{port}" + location
    sep = "&" if "?" in location else "?"
    put = urllib.request.Request(location + sep + "digest=" + digest, method="PUT", data=data,
                                 headers={"Content-Type": "application/octet-stream"})
    urllib.request.urlopen(put)
    return digest, len(data)
config = open(os.path.join(work, "config.json"), "rb").read()
config_digest, config_size = upload(data=config)
layers = []
# Layer order is the config's diff_ids.
for diff in json.loads(config)["rootfs"]["diff_ids"]:
    digest, size = upload(os.path.join(work, "blobs", diff[7:]))
    layers.append({"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": digest, "size": size})
manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                       "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                                  "digest": config_digest, "size": config_size},
                       "layers": layers}).encode()
urllib.request.urlopen(urllib.request.Request(base + "/manifests/1", method="PUT", data=manifest,
                       headers={"Content-Type": "application/vnd.oci.image.manifest.v1+json"}))
EOF

image="registry://127.0.0.1:$port/bench:1"
measure() {
  local name=$1; shift
  "$@" >/dev/null 2>&1 || true
  : >"$out/$name.times"
  for _ in $(seq "$runs"); do time_run "$out/$name.times" "$@"; done
  cut -d' ' -f1 "$out/$name.times" | median >"$out/$name.median"
}
measure docker "$hush" image "$work/docker.tar" --format json --output "$out/docker.json"
measure registry "$hush" image "$image" --insecure-registry --format json --output "$out/registry.json"

count() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(len(d["findings"]), d["stats"]["bytes_scanned"], len(d["stats"]["errors"]))' "$1"; }
content=$(du -sb "$work/blobs" | cut -f1)
printf 'image: 4 layers, %d MB of layer blobs (uncompressed tar); %d runs, %d cores\n' \
  $((content / 1000000)) "$runs" "$(nproc)"
printf '%-34s %8s %8s %9s %14s %7s\n' source wall_s MB/s findings bytes_scanned errors
for name in docker registry; do
  wall=$(cat "$out/$name.median")
  read -r found scanned errors < <(count "$out/$name.json")
  label=$([ $name = docker ] && echo "docker-save tarball" || echo "local registry (HTTP)")
  printf '%-34s %8.2f %8.0f %9s %14s %7s\n' "$label" "$wall" "$(echo "$content / 1000000 / $wall" | bc -l)" \
    "$found" "$scanned" "$errors"
done
printf 'registry / docker-save: %.2fx (target <= 1.5x)\n' \
  "$(echo "$(cat "$out/registry.median") / $(cat "$out/docker.median")" | bc -l)"
