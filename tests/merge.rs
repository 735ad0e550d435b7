//! `hush merge`: each input format (hush JSON, JSON Lines, SARIF; gitleaks,
//! trufflehog and kingfisher JSON written here in their documented shapes),
//! deduplication across inputs, secrets masked unless `--show-secrets`, the
//! allowlist and baseline, and a scan's exit codes (0, 1, 2).

use std::path::Path;

use serde_json::json;

use crate::common::{github_token, json, run_in, stderr, stdout};

/// A directory with `n` files, file k holding token k % `distinct`.
fn tree(dir: &Path, n: u64, distinct: u64) {
    for k in 0..n {
        let text = format!("# {k}\ngithub.token={}\n", github_token(300 + k % distinct));
        std::fs::write(dir.join(format!("f{k}.cfg")), text).expect("write");
    }
}

#[test]
fn the_same_secret_in_two_shards_is_one_finding_with_both_locations() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir(dir.path().join("a")).expect("mkdir");
    std::fs::create_dir(dir.path().join("b")).expect("mkdir");
    tree(&dir.path().join("a"), 2, 1);
    tree(&dir.path().join("b"), 2, 1);
    for (name, sub, format) in [("a.jsonl", "a", "jsonl"), ("b.sarif", "b", "sarif")] {
        let out = run_in(dir.path(), &["scan", "--format", format, "--output", name, sub]);
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    }
    // The same report twice adds no location.
    let out = run_in(
        dir.path(),
        &["merge", "--format", "json", "a.jsonl", "b.sarif", "a.jsonl"],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let doc = json(&out);
    let findings = doc["findings"].as_array().expect("findings");
    assert_eq!(findings.len(), 1, "{doc}");
    let paths: Vec<&str> = findings[0]["locations"]
        .as_array()
        .expect("locations")
        .iter()
        .map(|l| l["path"].as_str().expect("path"))
        .collect();
    assert_eq!(paths, ["a/f0.cfg", "a/f1.cfg", "b/f0.cfg", "b/f1.cfg"]);
    assert_eq!(findings[0]["secret_masked"], "ghp_…(40)");
    assert!(!stdout(&out).contains(&github_token(300)));
    // Every writer takes the merged findings: SARIF keeps the fingerprint.
    let sarif = run_in(dir.path(), &["merge", "--format", "sarif", "a.jsonl", "b.sarif"]);
    let sarif = json(&sarif);
    let results = sarif["runs"][0]["results"].as_array().expect("results");
    assert_eq!(results.len(), 4);
    assert_eq!(results[0]["partialFingerprints"]["hush/v1"], findings[0]["fingerprint"]);
}

#[test]
fn exit_codes_are_a_scans() {
    let dir = tempfile::tempdir().expect("temp dir");
    // Reports and the baseline beside the scanned tree, not in it.
    std::fs::create_dir(dir.path().join("tree")).expect("mkdir");
    tree(&dir.path().join("tree"), 3, 3);
    std::fs::write(dir.path().join("empty.jsonl"), "").expect("write");
    let out = run_in(dir.path(), &["merge", "empty.jsonl"]);
    assert_eq!(out.status.code(), Some(0), "an empty shard: {}", stderr(&out));

    // Shards that ran with the baseline carry `known`; the merge exits 0.
    let write = run_in(dir.path(), &["scan", "--write-baseline", "base.txt", "tree"]);
    assert_eq!(write.status.code(), Some(0), "{}", stderr(&write));
    let known = run_in(
        dir.path(),
        &[
            "scan",
            "--baseline",
            "base.txt",
            "--format",
            "json",
            "-o",
            "k.json",
            "tree",
        ],
    );
    assert_eq!(known.status.code(), Some(0), "{}", stderr(&known));
    assert_eq!(
        run_in(dir.path(), &["merge", "k.json", "empty.jsonl"]).status.code(),
        Some(0)
    );

    // Shards run with --show-secrets hold the secret: the merge applies the baseline itself.
    let shown = run_in(
        dir.path(),
        &["scan", "--show-secrets", "--format", "jsonl", "-o", "s.jsonl", "tree"],
    );
    assert_eq!(shown.status.code(), Some(1));
    assert_eq!(run_in(dir.path(), &["merge", "s.jsonl"]).status.code(), Some(1));
    let with_baseline = run_in(
        dir.path(),
        &["merge", "--baseline", "base.txt", "--format", "json", "s.jsonl"],
    );
    assert_eq!(with_baseline.status.code(), Some(0), "{}", stderr(&with_baseline));
    assert!(json(&with_baseline)["findings"][0]["known"].as_bool().expect("known"));
    assert!(!stdout(&with_baseline).contains(&github_token(300)), "masked again");

    // Bad inputs name the file; a JSON Lines input also the line.
    std::fs::write(
        dir.path().join("bad.jsonl"),
        "{\"rule_id\": \"x\", \"fingerprint\": \"y\"}\nnot json\n",
    )
    .expect("write");
    std::fs::write(dir.path().join("other.json"), "{\"hello\": 1}").expect("write");
    for (file, says) in [
        ("bad.jsonl", "bad.jsonl:1:"),
        ("other.json", "other.json: not a hush"),
        ("missing.json", "missing.json"),
    ] {
        let out = run_in(dir.path(), &["merge", "s.jsonl", file]);
        assert_eq!(out.status.code(), Some(2), "{file}");
        assert!(stderr(&out).contains(says), "{file}: {}", stderr(&out));
    }
}

#[test]
fn the_config_allowlist_applies_to_merged_findings() {
    let dir = tempfile::tempdir().expect("temp dir");
    tree(dir.path(), 4, 4);
    let out = run_in(dir.path(), &["scan", "--format", "json", "-o", "all.json", "."]);
    assert_eq!(out.status.code(), Some(1));
    std::fs::write(
        dir.path().join(".hush.toml"),
        "[allow]\npaths = [\"f1.cfg\", \"f2.cfg\"]\n",
    )
    .expect("write");
    let doc = json(&run_in(dir.path(), &["merge", "--format", "json", "all.json"]));
    let mut paths = crate::common::paths(&doc);
    paths.sort();
    assert_eq!(paths, ["f0.cfg", "f3.cfg"]);
    assert_eq!(doc["stats"]["suppressed"], 2);
}

#[test]
fn gitleaks_trufflehog_and_kingfisher_reports_are_merged_masked() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (a, b, c) = (github_token(401), github_token(402), github_token(403));
    // gitleaks' documented report: an array of findings.
    let gitleaks = json!([
        {"Description": "GitHub Personal Access Token", "StartLine": 3, "EndLine": 3, "StartColumn": 7,
         "EndColumn": 46, "Match": format!("token={a}"), "Secret": a, "File": "app/config.env",
         "SymlinkFile": "", "Commit": "0123456789abcdef0123456789abcdef01234567", "Entropy": 4.8,
         "Author": "Ada", "Email": "ada@example.invalid", "Date": "2024-01-02T03:04:05Z",
         "Message": "add config", "Tags": [], "RuleID": "github-pat",
         "Fingerprint": "0123456789abcdef0123456789abcdef01234567:app/config.env:github-pat:3"},
        {"Description": "Redacted one", "StartLine": 9, "EndLine": 9, "StartColumn": 1, "EndColumn": 9,
         "Match": "REDACTED", "Secret": "REDACTED", "File": "app/other.env", "Commit": "", "RuleID": "generic-api-key"}
    ]);
    std::fs::write(
        dir.path().join("gitleaks.json"),
        serde_json::to_vec_pretty(&gitleaks).expect("JSON"),
    )
    .expect("write");
    // trufflehog --json: one result a line.
    let lines = [
        json!({"SourceMetadata": {"Data": {"Filesystem": {"file": "deploy/ci.yml", "line": 12}}},
               "SourceID": 1, "SourceType": 15, "SourceName": "trufflehog - filesystem",
               "DetectorType": 8, "DetectorName": "Github", "DecoderName": "PLAIN", "Verified": true,
               "Raw": b, "RawV2": "", "Redacted": "", "ExtraData": null, "StructuredData": null}),
        json!({"SourceMetadata": {"Data": {"Git": {"commit": "89abcdef0123456789abcdef0123456789abcdef",
               "file": "lib/keys.py", "email": "Bob <bob@example.invalid>", "repository": "https://example.invalid/r.git",
               "timestamp": "2024-02-03 04:05:06 +0000", "line": 4}}},
               "DetectorName": "Github", "Verified": false, "Raw": a, "Redacted": ""}),
    ];
    let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
    std::fs::write(dir.path().join("trufflehog.jsonl"), text).expect("write");
    let kingfisher = json!({"findings": [{
        "rule": {"name": "GitHub Personal Access Token", "id": "kingfisher.github.1"},
        "finding": {"snippet": c, "fingerprint": "123", "confidence": "high", "entropy": 4.9,
                    "validation": {"status": "Not Attempted"}, "language": "Shell", "line": 2,
                    "column_start": 5, "column_end": 45, "path": "scripts/run.sh"}}]});
    std::fs::write(dir.path().join("kingfisher.json"), kingfisher.to_string()).expect("write");

    let out = run_in(
        dir.path(),
        &[
            "merge",
            "--format",
            "json",
            "gitleaks.json",
            "trufflehog.jsonl",
            "kingfisher.json",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = stdout(&out);
    for secret in [&a, &b, &c] {
        assert!(!text.contains(secret.as_str()), "secrets are masked on import");
    }
    let doc = json(&out);
    let findings = doc["findings"].as_array().expect("findings");
    let summary: Vec<(String, String, String, usize)> = findings
        .iter()
        .map(|f| {
            (
                f["rule_id"].as_str().unwrap_or("").to_owned(),
                f["path"].as_str().unwrap_or("").to_owned(),
                f["severity"].as_str().unwrap_or("").to_owned(),
                f["locations"].as_array().map_or(0, Vec::len),
            )
        })
        .collect();
    let has = |rule: &str, path: &str, severity: &str, locations: usize| {
        summary.contains(&(rule.to_owned(), path.to_owned(), severity.to_owned(), locations))
    };
    assert!(has("github-pat", "app/config.env", "high", 1), "{summary:?}");
    assert!(has("generic-api-key", "app/other.env", "high", 1), "{summary:?}");
    assert!(has("github", "deploy/ci.yml", "critical", 1), "verified: {summary:?}");
    assert!(has("github", "lib/keys.py", "high", 1), "{summary:?}");
    assert!(has("kingfisher.github.1", "scripts/run.sh", "high", 1), "{summary:?}");
    assert_eq!(findings.len(), 5);
    let gitleaks_commit = findings
        .iter()
        .find(|f| f["path"] == "app/config.env")
        .expect("gitleaks finding");
    assert_eq!(gitleaks_commit["commit"], "0123456789abcdef0123456789abcdef01234567");
    assert_eq!(
        (gitleaks_commit["line"].as_u64(), gitleaks_commit["column"].as_u64()),
        (Some(3), Some(7))
    );

    let shown = stdout(&run_in(
        dir.path(),
        &["merge", "--show-secrets", "--format", "jsonl", "gitleaks.json"],
    ));
    assert!(shown.contains(a.as_str()), "--show-secrets shows imported secrets");
}
