#!/usr/bin/env python3
"""Score secret scanners on Plazmaz/leaky-repo against its ground truth.

Ground truth is <repo>/.leaky-meta/secrets.csv: `path,num_risk,num_informative`
per file, counted in *lines* (a line with several secrets counts once). So a
tool's result per file is the number of distinct lines it flags there.

Usage:
  score.py REPO --tool NAME=FORMAT:REPORT [--tool ...] [--json OUT]

FORMAT is one of: hush (hush --format json), betterleaks (betterleaks -o x.json),
gitleaks (gitleaks --report-format json), kingfisher (kingfisher --format json),
detect-secrets (detect-secrets scan --all-files, run from inside REPO).

No secret values are read or printed: only paths, line numbers and rule ids.
"""
import argparse
import csv
import json
import os
import sys
from collections import defaultdict


def load_truth(repo):
    path = os.path.join(repo, ".leaky-meta", "secrets.csv")
    rows = []
    with open(path, newline="") as f:
        lines = [l for l in f if l.strip() and not l.lstrip().startswith("#")]
    for row in csv.reader(lines):
        rows.append((row[0].strip(), int(row[1]), int(row[2])))
    return rows


def rel(repo, p):
    p = os.path.normpath(p)
    r = os.path.normpath(os.path.abspath(repo))
    if os.path.isabs(p):
        p = os.path.relpath(p, r)
    return p[2:] if p.startswith("./") else p


# Each parser yields (path, line, rule_id) for every reported location.
def parse_hush(doc):
    for f in doc.get("findings", []):
        locs = f.get("locations") or [f]
        for l in locs:
            yield l["path"], l["line"], f.get("rule_id")


def parse_betterleaks(doc):
    items = doc.get("findings", []) if isinstance(doc, dict) else doc
    for f in items:
        loc = f.get("location", {})
        yield loc.get("path"), loc.get("start_line"), f.get("rule_id")


def parse_gitleaks(doc):
    for f in doc or []:
        yield f.get("File"), f.get("StartLine"), f.get("RuleID")


def parse_kingfisher(doc):
    items = doc.get("findings", []) if isinstance(doc, dict) else doc
    for f in items:
        fi = f.get("finding", {})
        yield fi.get("path"), fi.get("line"), f.get("rule", {}).get("name")


def parse_detect_secrets(doc):
    for fname, items in doc.get("results", {}).items():
        for f in items:
            yield fname, f.get("line_number"), f.get("type")


PARSERS = {
    "hush": parse_hush,
    "betterleaks": parse_betterleaks,
    "gitleaks": parse_gitleaks,
    "kingfisher": parse_kingfisher,
    "detect-secrets": parse_detect_secrets,
}


def load_tool(repo, fmt, report):
    with open(report) as f:
        text = f.read()
    doc = json.loads(text) if text.strip() else {}
    lines = defaultdict(set)   # path -> {line}
    rules = defaultdict(set)   # path -> {rule}
    raw = defaultdict(int)     # path -> number of reported locations
    for path, line, rule in PARSERS[fmt](doc):
        p = rel(repo, path)
        lines[p].add(line)
        rules[p].add(rule)
        raw[p] += 1
    return lines, rules, raw


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("repo")
    ap.add_argument("--tool", action="append", required=True,
                    help="NAME=FORMAT:REPORT, e.g. hush=hush:out/hush.json")
    ap.add_argument("--json", help="also write the per-file scores as JSON here")
    a = ap.parse_args()

    tools = []
    for spec in a.tool:
        name, rest = spec.split("=", 1)
        fmt, report = rest.split(":", 1)
        if fmt not in PARSERS:
            sys.exit(f"unknown format {fmt!r}; one of {sorted(PARSERS)}")
        tools.append((name, load_tool(a.repo, fmt, report)))

    truth = load_truth(a.repo)
    truth_paths = {p for p, _, _ in truth}
    names = [n for n, _ in tools]
    out = {"files": [], "other_files": [], "totals": {}}

    hdr = "| file | risk | info | " + " | ".join(names) + " |"
    print(hdr)
    print("|" + "---|" * (3 + len(names)))
    tot = {n: {"files_flagged": 0, "risk_files_flagged": 0, "lines": 0,
               "lines_capped_risk": 0, "lines_capped_all": 0,
               "informative_only_lines": 0} for n in names}
    n_files = n_risk_files = sum_risk = sum_all = 0
    missing = []
    for path, risk, info in truth:
        if risk + info == 0:
            continue
        if not os.path.exists(os.path.join(a.repo, path)):
            missing.append(path)
            continue
        n_files += 1
        n_risk_files += risk > 0
        sum_risk += risk
        sum_all += risk + info
        row = {"path": path, "risk": risk, "informative": info}
        cells = []
        for n, (lines, rules, raw) in tools:
            c = len(lines.get(path, ()))
            row[n] = {"lines": c, "raw": raw.get(path, 0), "rules": sorted(map(str, rules.get(path, ())))}
            t = tot[n]
            t["lines"] += c
            t["lines_capped_risk"] += min(c, risk)
            t["lines_capped_all"] += min(c, risk + info)
            if c:
                t["files_flagged"] += 1
                if risk:
                    t["risk_files_flagged"] += 1
                else:
                    t["informative_only_lines"] += c
            mark = "" if c >= risk else " ⚠" if c else " ✗"
            cells.append(f"{c}{mark}")
        out["files"].append(row)
        print(f"| {path} | {risk} | {info} | " + " | ".join(cells) + " |")

    print()
    print(f"secret-bearing csv files present: {n_files} ({n_risk_files} with risk>0); "
          f"expected risk lines {sum_risk}, risk+informative lines {sum_all}")
    if missing:
        print("in secrets.csv but absent from the tree (not scored): " + ", ".join(missing))
    print()
    print("| tool | files flagged | risk files flagged | flagged lines | ≤risk per file | ≤risk+info per file |")
    print("|---|---|---|---|---|---|")
    for n in names:
        t = tot[n]
        print(f"| {n} | {t['files_flagged']}/{n_files} | {t['risk_files_flagged']}/{n_risk_files} | "
              f"{t['lines']} | {t['lines_capped_risk']}/{sum_risk} | {t['lines_capped_all']}/{sum_all} |")
    out["totals"] = {"n_files": n_files, "n_risk_files": n_risk_files, "sum_risk": sum_risk,
                     "sum_all": sum_all, "missing": missing, "tools": tot}

    # Files outside the ground truth (or with 0 expected): every flagged line here
    # is a false positive unless the file is a known, uncounted test secret.
    other = sorted({p for _, (lines, _, _) in tools for p in lines}
                   - {p for p, r, i in truth if r + i > 0})
    if other:
        print()
        print("files with 0 expected secrets (not in secrets.csv, or 0/0) that a tool flagged:")
        print("| file | " + " | ".join(names) + " |")
        print("|" + "---|" * (1 + len(names)))
        for p in other:
            cells = []
            row = {"path": p, "in_csv": p in truth_paths}
            for n, (lines, rules, raw) in tools:
                c = len(lines.get(p, ()))
                rs = ",".join(sorted(map(str, rules.get(p, ()))))
                cells.append(f"{c} ({rs})" if c else "0")
                row[n] = {"lines": sorted(lines.get(p, ())), "rules": sorted(map(str, rules.get(p, ())))}
            out["other_files"].append(row)
            print(f"| {p} | " + " | ".join(cells) + " |")

    if a.json:
        with open(a.json, "w") as f:
            json.dump(out, f, indent=1, ensure_ascii=False)


if __name__ == "__main__":
    main()
