#!/usr/bin/env python3
"""Builds a realistic git history for benchmarking `hush git`, with git fast-import.

Usage: make-git-history.py DEST [--commits 50000] [--files 20000] [--source DIR]

The first commit adds FILES files of real source code taken from SOURCE (default:
the shared benchmark tree, /tmp/hush-bench/tree); each later commit edits, adds or
deletes one to three files (an edit rewrites a few lines of a file); five commits
plant a fake, format-valid GitHub token (with a valid CRC32 checksum), two of
which are deleted again later. Deterministic for a given seed.
"""
import argparse
import os
import random
import string
import subprocess
import sys
import zlib

B62 = string.digits + string.ascii_uppercase + string.ascii_lowercase


def github_token(rng):
    payload = "".join(rng.choice(B62) for _ in range(30))
    n = zlib.crc32(payload.encode()) & 0xFFFFFFFF
    check = ""
    for _ in range(6):
        check = B62[n % 62] + check
        n //= 62
    return "gh" + "p_" + payload + check


def source_files(root, limit, rng):
    picked = []
    for dirpath, _, names in os.walk(root):
        for name in names:
            if name.endswith((".rs", ".c", ".h", ".py", ".md", ".toml", ".json", ".txt", ".cc", ".go", ".js")):
                picked.append(os.path.join(dirpath, name))
    picked.sort()
    rng.shuffle(picked)
    out = []
    for path in picked:
        try:
            data = open(path, "rb").read()
        except OSError:
            continue
        if b"\0" in data[:8192] or len(data) > 256 * 1024:
            continue
        out.append((os.path.relpath(path, root), data))
        if len(out) == limit:
            break
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dest")
    ap.add_argument("--commits", type=int, default=50000)
    ap.add_argument("--files", type=int, default=20000)
    ap.add_argument("--source", default="/tmp/hush-bench/tree")
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    files = source_files(args.source, args.files, rng)
    if len(files) < args.files:
        sys.exit(f"only {len(files)} usable files under {args.source}")
    subprocess.run(["git", "init", "-q", "-b", "main", args.dest], check=True)
    fi = subprocess.Popen(["git", "fast-import", "--quiet"], cwd=args.dest, stdin=subprocess.PIPE)
    w = fi.stdin
    current = {path: data for path, data in files}
    paths = sorted(current)
    plant_at = set(rng.sample(range(2, args.commits), 5))
    delete_later = {}
    t = 1_600_000_000

    def commit(mark, message, ops):
        nonlocal t
        t += 600
        msg = message.encode()
        w.write(f"commit refs/heads/main\nmark :{mark}\n".encode())
        w.write(f"author Dev <dev@example.invalid> {t} +0000\ncommitter Dev <dev@example.invalid> {t} +0000\n".encode())
        w.write(f"data {len(msg)}\n".encode() + msg + b"\n")
        if mark > 1:
            w.write(f"from :{mark - 1}\n".encode())
        for op in ops:
            w.write(op)

    def modify(path, data):
        return f"M 100644 inline {path}\ndata {len(data)}\n".encode() + data + b"\n"

    commit(1, "import", [modify(p, current[p]) for p in paths])
    for mark in range(2, args.commits + 1):
        ops = []
        if mark in plant_at:
            path = f"config/secrets-{mark}.env"
            data = f"# service config\nGITHUB_TOKEN={github_token(rng)}\n".encode()
            current[path] = data
            paths.append(path)
            ops.append(modify(path, data))
            if len(delete_later) < 2:
                delete_later[min(mark + 1000, args.commits)] = path
        if mark in delete_later and delete_later[mark] in current:
            path = delete_later.pop(mark)
            del current[path]
            paths.remove(path)
            ops.append(f"D {path}\n".encode())
        for _ in range(rng.randint(1, 3)):
            path = rng.choice(paths)
            lines = current[path].split(b"\n")
            at = rng.randrange(len(lines))
            lines.insert(at, f"// change {mark}: {rng.getrandbits(64):x}".encode())
            if len(lines) > 40 and rng.random() < 0.5:
                del lines[rng.randrange(len(lines))]
            current[path] = b"\n".join(lines)
            ops.append(modify(path, current[path]))
        commit(mark, f"change {mark}", ops)
    w.close()
    if fi.wait() != 0:
        sys.exit("git fast-import failed")
    subprocess.run(["git", "reset", "-q", "--hard", "main"], cwd=args.dest, check=True)
    subprocess.run(["git", "gc", "--quiet"], cwd=args.dest, check=True)
    print(f"{args.dest}: {args.commits} commits, {len(current)} files, 5 planted secrets")


if __name__ == "__main__":
    main()
