#!/usr/bin/env bash
# `hush image` against the unpack-then-scan way: on an image built from real
# source files, times
#   1. hush image IMAGE                       (layers streamed from the tarball)
#   2. tar -x of the tarball and of each layer into a root file system
#   3. hush scan of that unpacked tree
# and prints MB/s for each, over the bytes of the layers' content. Two images
# hold the same layers: a `docker save` tarball (uncompressed layers, as docker
# writes it; >= 500 MB) and an OCI tarball with gzip layers.
#
# Usage: benches/image-compare.sh [TREE]   (default /tmp/hush-bench/tree)
# Env:   RUNS=3  LAYERS=4  WORK=/tmp/hush-bench/image (images are cached there)
# Files are in the page cache for every run (each command runs once untimed
# first): the figures compare CPU work, not disk speed.
set -euo pipefail
# shellcheck source=benches/lib.sh
. "$(dirname "$0")/lib.sh"
repo=$(cd "$(dirname "$0")/.." && pwd)
tree=${1:-/tmp/hush-bench/tree}
runs=${RUNS:-3}
layers=${LAYERS:-4}
work=${WORK:-/tmp/hush-bench/image}

(cd "$repo" && cargo build --release -q)
hush="$repo/target/release/hush"
mkdir -p "$work"

# The images: top-level directories of the tree dealt round-robin into layers.
if [ ! -f "$work/docker.tar" ] || [ ! -f "$work/oci-gzip.tar" ]; then
  python3 - "$tree" "$work" "$layers" <<'EOF'
import gzip, hashlib, io, json, os, shutil, subprocess, sys, tarfile
tree, work, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
dirs = sorted(os.listdir(tree))
layers = []
for k in range(count):
    names = dirs[k::count]
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
history = [{"created_by": f"COPY part{k} /src/"} for k in range(count)]
config = json.dumps({"os": "linux", "architecture": "amd64",
                     "config": {"Env": ["PATH=/usr/bin"], "Cmd": ["/bin/sh"]},
                     "history": history,
                     "rootfs": {"type": "layers", "diff_ids": diff_ids}}).encode()
config_hex = hashlib.sha256(config).hexdigest()

# docker save: <id>/layer.tar, <config>.json, manifest.json last.
with tarfile.open(os.path.join(work, "docker.tar"), "w", format=tarfile.GNU_FORMAT) as tar:
    names = []
    for path, diff in zip(layers, diff_ids):
        name = diff[7:] + "/layer.tar"
        tar.add(path, arcname=name)
        names.append(name)
    add_bytes(tar, config_hex + ".json", config)
    add_bytes(tar, "manifest.json", json.dumps(
        [{"Config": config_hex + ".json", "RepoTags": ["bench:1"], "Layers": names}]).encode())

# OCI tarball, gzip layers (level 1 keeps building quick; the reader's cost is
# about the same at any level).
blobs = {}
descs = []
for path in layers:
    gz = path + ".gz"
    subprocess.run(f"gzip -1 -c {path} > {gz}", shell=True, check=True)
    digest = sha256(gz)
    blobs[digest] = gz
    descs.append({"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                  "digest": "sha256:" + digest, "size": os.path.getsize(gz)})
manifest = json.dumps({"schemaVersion": 2, "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                       "digest": "sha256:" + config_hex, "size": len(config)}, "layers": descs}).encode()
manifest_hex = hashlib.sha256(manifest).hexdigest()
index = json.dumps({"schemaVersion": 2, "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json",
                    "digest": "sha256:" + manifest_hex, "size": len(manifest),
                    "annotations": {"org.opencontainers.image.ref.name": "bench:1"}}]}).encode()
with tarfile.open(os.path.join(work, "oci-gzip.tar"), "w", format=tarfile.GNU_FORMAT) as tar:
    add_bytes(tar, "oci-layout", b'{"imageLayoutVersion":"1.0.0"}')
    add_bytes(tar, "index.json", index)
    add_bytes(tar, "blobs/sha256/" + manifest_hex, manifest)
    add_bytes(tar, "blobs/sha256/" + config_hex, config)
    for digest, gz in blobs.items():
        tar.add(gz, arcname="blobs/sha256/" + digest)
for path in layers:
    os.remove(path)
    os.remove(path + ".gz")
EOF
fi

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
content=$(tar -tvf "$work/docker.tar" | awk '$6 ~ /layer.tar$/ {s+=$3} END {print s}')

# measure NAME CMD...: median wall seconds of $runs runs after one warm-up;
# $prep (a command) runs untimed before each run.
prep=true
measure() {
  local name=$1; shift
  $prep
  "$@" >/dev/null 2>&1 || true
  : >"$out/$name.times"
  for _ in $(seq "$runs"); do
    $prep
    time_run "$out/$name.times" "$@"
  done
  sort -n "$out/$name.times" | awk '{w[NR]=$1; m[NR]=$2} END {i=int((NR+1)/2); print w[i], m[i]}' >"$out/$name.median"
}

clean() { rm -rf "$out/outer" "$out/root"; sync; }

# unpack IMAGE GZIP: tar -x of the image, then of each layer into one root.
unpack() {
  mkdir -p "$out/outer" "$out/root"
  tar -xf "$1" -C "$out/outer"
  if [ "$2" = gzip ]; then
    for layer in "$out"/outer/blobs/sha256/*; do
      [ "$(head -c2 "$layer" | od -An -tx1 | tr -d ' ')" = 1f8b ] && tar -xzf "$layer" -C "$out/root"
    done
  else
    for layer in "$out"/outer/*/layer.tar; do tar -xf "$layer" -C "$out/root"; done
  fi
}
export -f unpack
export out

for kind in docker oci-gzip; do
  image="$work/$kind.tar"
  compress=$([ "$kind" = oci-gzip ] && echo gzip || echo none)
  measure "$kind-image" "$hush" image "$image" --format json --output "$out/$kind-image.json"
  prep=clean
  measure "$kind-unpack" bash -c "unpack '$image' $compress"
  prep=true
  clean
  unpack "$image" "$compress"
  measure "$kind-scan" "$hush" scan "$out/root" --format json --output "$out/$kind-scan.json"
done

printf 'layers: %d, content %d MB; docker.tar %d MB, oci-gzip.tar %d MB; %d runs, %d cores\n' \
  "$layers" $((content / 1000000)) $(($(stat -c %s "$work/docker.tar") / 1000000)) \
  $(($(stat -c %s "$work/oci-gzip.tar") / 1000000)) "$runs" "$(nproc)"
printf '%-10s %-22s %8s %8s %12s %9s\n' image step wall_s MB/s peak_RSS_MB findings
for kind in docker oci-gzip; do
  count() { python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["findings"]))' "$1"; }
  for step in image unpack scan; do
    read -r wall rss <"$out/$kind-$step.median"
    label=$(case $step in image) echo "hush image";; unpack) echo "tar -x (layers)";; scan) echo "hush scan (unpacked)";; esac)
    found=$(case $step in image) count "$out/$kind-image.json";; scan) count "$out/$kind-scan.json";; *) echo -;; esac)
    printf '%-10s %-22s %8.2f %8.0f %12.0f %9s\n' "$kind" "$label" "$wall" \
      "$(echo "$content / 1000000 / $wall" | bc -l)" "$(echo "$rss / 1024" | bc -l)" "$found"
  done
  read -r image_wall _ <"$out/$kind-image.median"
  read -r unpack_wall _ <"$out/$kind-unpack.median"
  read -r scan_wall _ <"$out/$kind-scan.median"
  printf '%-10s hush image vs unpack alone: %.2fx; vs unpack + scan: %.2fx\n' "$kind" \
    "$(echo "$unpack_wall / $image_wall" | bc -l)" "$(echo "($unpack_wall + $scan_wall) / $image_wall" | bc -l)"
done
