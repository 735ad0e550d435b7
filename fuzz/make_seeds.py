#!/usr/bin/env python3
"""Writes seed corpora for the fuzz targets under fuzz/corpus/<target>/.

Run from anywhere: `python3 fuzz/make_seeds.py [--out DIR]` (default
fuzz/corpus; the seed test of fuzz/targets writes them to a temp dir). The seeds are small valid
inputs (archives, image tarballs, log lines). Secret-shaped values come only from
the rule packs' own fake examples (rules/data/*.toml), read at run time, so
this file holds none and `hush scan .` stays clean; the corpus directory is
ignored by git. zstd seeds need the `zstd` command (skipped without it).
"""

import argparse
import gzip
import io
import json
import pathlib
import shutil
import subprocess
import tarfile
import tomllib
import zipfile

FUZZ = pathlib.Path(__file__).resolve().parent
ROOT = FUZZ.parent
SEP = b"--8<--"
OUT = FUZZ / "corpus"


def examples():
    out = []
    for pack in sorted((ROOT / "rules" / "data").glob("*.toml")):
        doc = tomllib.loads(pack.read_text())
        for rule in doc.get("rules", []):
            out.extend(rule.get("examples", [])[:1])
            out.extend(rule.get("negative_examples", [])[:1])
    return [e.encode() for e in out]


def tar(files, fmt=tarfile.USTAR_FORMAT):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=fmt) as t:
        for name, data in files:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            t.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def zip_(files):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in files:
            z.writestr(name, data)
    return buf.getvalue()


def zst(data):
    if not shutil.which("zstd"):
        return None
    return subprocess.run(["zstd", "-q", "-c"], input=data, capture_output=True, check=True).stdout


def write(target, name, data):
    if data is None:
        return
    d = OUT / target
    d.mkdir(parents=True, exist_ok=True)
    (d / name).write_bytes(data)


def main():
    ex = examples()
    text = b"\n".join(b"config line %d: %s" % (i, e) for i, e in enumerate(ex[:40])) + b"\n"
    small = ex[0] + b"\n" if ex else b"hello\n"

    # engine: knob byte, then text.
    for i, e in enumerate(ex):
        write("engine", f"ex{i:03}", bytes([i % 256]) + b"key = " + e + b"\n")
    write("engine", "utf16", b"\x10" + "a = 1\n".encode("utf-16-le") + text[:200].decode("latin-1").encode("utf-16-le"))

    # redact_stream: count byte, read sizes, log text.
    begin, end = b"-----BEGIN " + b"PRIVATE KEY-----", b"-----END " + b"PRIVATE KEY-----"
    logs = [
        text,
        b'{"level":"info","password":"literal-mask-value","user":"bob"}\n',
        b"GET https://user:pa55word@example.com/x?token=abc&sig=def HTTP/1.1\nAuthorization: Bearer abcdef\n",
        begin + b"\nQUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo=\n" + end + b"\n",
        b"x" * 5000 + small,
    ]
    for i, log in enumerate(logs):
        write("redact_stream", f"log{i}", bytes([1, 6, 100]) + log)
        write("redact_stream", f"log{i}f", bytes([0x80, 3]) + log)

    # archive: knob (name index in bits 0-2, wrapping in bits 3-4), then the file.
    members = [("conf/app.properties", small), ("README", b"nothing here\n")]
    plain_tar = tar(members)
    write("archive", "zip", bytes([0]) + zip_(members))
    write("archive", "tar", bytes([1]) + plain_tar)
    write("archive", "v7tar", bytes([1]) + tar(members, tarfile.GNU_FORMAT))
    write("archive", "tgz", bytes([2]) + gzip.compress(plain_tar))
    write("archive", "gz", bytes([3]) + gzip.compress(small))
    write("archive", "zst", bytes([4]) + zst(plain_tar) if zst(b"") is not None else None)
    write("archive", "nested", bytes([2]) + gzip.compress(tar([("lib/app.jar", zip_(members))])))
    write("archive", "wrapped_tar", bytes([2 | 8]) + plain_tar)
    write("archive", "wrapped_zip", bytes([5 | 16]) + zip_(members))

    # image: whole docker-save and OCI tarballs.
    layer = tar([("etc/app/.env", small), ("etc/app/.wh.old", b"")])
    layer2 = tar([("etc/app/.wh..wh..opq", b""), ("usr/x", b"x\n")])
    config = json.dumps({
        "os": "linux", "architecture": "amd64",
        "config": {"Env": ["A=1"], "Cmd": ["sh"], "Labels": {"k": "v"}},
        "history": [{"created_by": "ADD a"}, {"created_by": "ENV B=2", "empty_layer": True}, {"created_by": "RUN b"}],
        "rootfs": {"type": "layers", "diff_ids": ["sha256:11", "sha256:22"]},
    }).encode()
    manifest = json.dumps([{"Config": "c.json", "RepoTags": ["fuzz:1"], "Layers": ["l/layer.tar", "m/layer.tar"]}]).encode()
    write("image", "docker", tar([("manifest.json", manifest), ("c.json", config),
                                  ("l/layer.tar", layer), ("m/layer.tar", gzip.compress(layer2))]))
    oci_manifest = json.dumps({"schemaVersion": 2, "config": {"digest": "sha256:cc"},
                               "layers": [{"digest": "sha256:aa"}, {"digest": "sha256:bb"}]}).encode()
    index = json.dumps({"schemaVersion": 2, "manifests": [
        {"digest": "sha256:ee", "platform": {"os": "linux", "architecture": "amd64"}},
        {"digest": "sha256:ee", "platform": {"os": "unknown", "architecture": "unknown"}}]}).encode()
    write("image", "oci", tar([("oci-layout", b'{"imageLayoutVersion":"1.0.0"}'), ("index.json", index),
                               ("blobs/sha256/ee", oci_manifest), ("blobs/sha256/cc", config),
                               ("blobs/sha256/aa", layer), ("blobs/sha256/bb", gzip.compress(layer2))]))

    # image_structured: mode byte, parts separated by SEP.
    s = "image_structured"
    write(s, "m0", bytes([0]) + SEP.join([config, layer, layer2]))
    write(s, "m1", bytes([1]) + SEP.join([manifest.replace(b"m/layer.tar", b"l/layer.tar"), config, layer]))
    nested = json.dumps({"schemaVersion": 2, "manifests": [{"digest": "sha256:aa"}]}).encode()
    write(s, "m2", bytes([2]) + SEP.join([nested, oci_manifest.replace(b"sha256:aa", b"sha256:bb"), layer]))
    write(s, "m3", bytes([3]) + SEP.join([config, layer, layer2]))
    write(s, "m4", bytes([4]) + SEP.join([b"etc/app/.env", small, b"etc/.wh.app", b"", b"a/b.tgz",
                                          gzip.compress(plain_tar), b"c/.wh..wh..opq", b""]))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=pathlib.Path, default=OUT, help="directory to write <target>/ seeds into")
    OUT = parser.parse_args().out
    main()
