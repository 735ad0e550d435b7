//! `hush scan` end to end: formats, masking, grouping, ignore files, stdin, flags
//! and exit codes.

use std::fs;
use std::io::Write;
use std::process::Stdio;

use crate::common::{github_token, hush, json, run_in, stderr, stdout};

fn tree_with_token() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().expect("temp dir");
    let token = github_token(1);
    fs::write(dir.path().join("config.env"), format!("# ci\nGITHUB_TOKEN={token}\n")).expect("write");
    fs::write(dir.path().join("clean.txt"), "nothing here\n").expect("write");
    (dir, token)
}

#[test]
fn text_report_masks_the_secret_and_exits_1() {
    let (dir, token) = tree_with_token();
    let out = run_in(dir.path(), &["scan", "."]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("config.env:2:14  github-pat  ghp_…(40)"), "{text}");
    assert!(text.contains("GITHUB_TOKEN=ghp_…(40)"), "{text}");
    assert!(!text.contains(&token), "the secret leaked into the report: {text}");
    assert!(!stderr(&out).contains(&token));
}

#[test]
fn show_secrets_prints_the_secret() {
    let (dir, token) = tree_with_token();
    let out = run_in(dir.path(), &["scan", "--show-secrets", "."]);
    assert!(stdout(&out).contains(&token));
}

#[test]
fn clean_tree_exits_0() {
    let dir = tempfile::tempdir().expect("temp dir");
    fs::write(dir.path().join("a.rs"), "fn main() { let token = get_token(); }\n").expect("write");
    let out = run_in(dir.path(), &["scan", "."]);
    assert_eq!(out.status.code(), Some(0), "{}{}", stdout(&out), stderr(&out));
}

#[test]
fn json_has_the_documented_fields_and_groups_locations() {
    let (dir, token) = tree_with_token();
    fs::create_dir(dir.path().join("sub")).expect("mkdir");
    fs::write(dir.path().join("sub/copy.yml"), format!("token: {token}\n")).expect("write");
    let out = run_in(dir.path(), &["scan", "--format", "json", "."]);
    assert_eq!(out.status.code(), Some(1));
    let doc = json(&out);
    let findings = doc["findings"].as_array().expect("findings array");
    assert_eq!(findings.len(), 1, "one secret in two places is one finding: {doc}");
    let f = &findings[0];
    for field in [
        "rule_id",
        "path",
        "line",
        "column",
        "end_line",
        "end_column",
        "secret_masked",
        "fingerprint",
        "commit",
        "author",
        "date",
        "severity",
        "confidence",
    ] {
        assert!(f.get(field).is_some(), "missing {field}: {f}");
    }
    assert_eq!(f["rule_id"], "github-pat");
    assert_eq!(f["severity"], "critical");
    assert_eq!(f["secret_masked"], "ghp_…(40)");
    assert!(f.get("secret").is_none());
    let locations: Vec<(String, u64, u64, u64)> = f["locations"]
        .as_array()
        .expect("locations")
        .iter()
        .map(|l| {
            (
                l["path"].as_str().expect("path").to_owned(),
                l["line"].as_u64().expect("line"),
                l["column"].as_u64().expect("col"),
                l["end_column"].as_u64().expect("end"),
            )
        })
        .collect();
    assert_eq!(
        locations,
        vec![("config.env".into(), 2, 14, 54), ("sub/copy.yml".into(), 1, 8, 48)]
    );
    assert_eq!(doc["stats"]["files_scanned"], 3);
    assert!(!stdout(&out).contains(&token));
}

#[test]
fn jsonl_is_one_finding_per_line_and_fingerprints_are_stable() {
    let (dir, _) = tree_with_token();
    fs::write(dir.path().join("second.txt"), format!("t={}\n", github_token(2))).expect("write");
    let first = run_in(dir.path(), &["scan", "--format", "jsonl", "."]);
    let lines: Vec<serde_json::Value> = stdout(&first)
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect();
    assert_eq!(lines.len(), 2);
    let again = run_in(dir.path(), &["scan", "--format", "jsonl", "."]);
    assert_eq!(stdout(&first), stdout(&again), "reports are deterministic");
    assert_ne!(lines[0]["fingerprint"], lines[1]["fingerprint"]);
}

#[test]
fn missing_path_exits_2_naming_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = run_in(dir.path(), &["scan", "does-not-exist"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("does-not-exist: No such file or directory"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn ignore_files_are_respected_unless_no_ignore() {
    let dir = tempfile::tempdir().expect("temp dir");
    let p = dir.path();
    for name in ["hushignored", "ignored", "gitignored", "kept"] {
        fs::create_dir(p.join(name)).expect("mkdir");
        fs::write(
            p.join(name).join("t.txt"),
            format!("t={}\n", github_token(name.len() as u64 + 10)),
        )
        .expect("write");
    }
    fs::write(p.join(".hushignore"), "hushignored/\n").expect("write");
    fs::write(p.join(".ignore"), "ignored/\n").expect("write");
    fs::write(p.join(".gitignore"), "gitignored/\n").expect("write");
    let git = std::process::Command::new("git")
        .args(["init", "-q"])
        .current_dir(p)
        .status()
        .expect("git runs");
    assert!(git.success());
    let paths = |args: &[&str]| -> Vec<String> {
        let doc = json(&run_in(p, args));
        let mut v: Vec<String> = doc["findings"]
            .as_array()
            .expect("array")
            .iter()
            .map(|f| f["path"].as_str().expect("path").to_owned())
            .collect();
        v.sort();
        v
    };
    assert_eq!(paths(&["scan", "--format", "json", "."]), vec!["kept/t.txt"]);
    assert_eq!(paths(&["scan", "--format", "json", "--no-ignore", "."]).len(), 4);
}

#[test]
fn hidden_files_are_scanned_and_dot_git_is_not() {
    let dir = tempfile::tempdir().expect("temp dir");
    let p = dir.path();
    fs::write(p.join(".env"), format!("T={}\n", github_token(3))).expect("write");
    fs::create_dir(p.join(".git")).expect("mkdir");
    fs::write(p.join(".git/config"), format!("T={}\n", github_token(4))).expect("write");
    let doc = json(&run_in(p, &["scan", "--format", "json", "."]));
    let paths: Vec<&str> = doc["findings"]
        .as_array()
        .expect("array")
        .iter()
        .map(|f| f["path"].as_str().expect("path"))
        .collect();
    assert_eq!(paths, vec![".env"]);
}

#[test]
fn stdin_is_scanned_with_dash() {
    let token = github_token(5);
    let mut child = hush()
        .args(["scan", "--format", "jsonl", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(format!("line one\nexport T={token}\n").as_bytes())
        .expect("write");
    let out = child.wait_with_output().expect("wait");
    assert_eq!(out.status.code(), Some(1));
    let f: serde_json::Value = serde_json::from_str(stdout(&out).trim()).expect("json line");
    assert_eq!(
        (f["path"].as_str(), f["line"].as_u64(), f["column"].as_u64()),
        (Some("-"), Some(2), Some(10))
    );
}

#[test]
fn output_file_receives_the_report() {
    let (dir, _) = tree_with_token();
    let out = run_in(
        dir.path(),
        &["scan", "--format", "json", "--output", "report.json", "config.env"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).is_empty());
    let doc: serde_json::Value =
        serde_json::from_slice(&fs::read(dir.path().join("report.json")).expect("report")).expect("json");
    assert_eq!(doc["findings"][0]["path"], "config.env");
}

#[test]
fn disable_rule_and_bad_rule_flags() {
    let (dir, _) = tree_with_token();
    let out = run_in(
        dir.path(),
        &[
            "scan",
            "--disable-rule",
            "github-pat",
            "--disable-rule",
            "generic-token",
            ".",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let out = run_in(dir.path(), &["scan", "--disable-rule", "no-such-rule", "."]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--disable-rule no-such-rule"), "{}", stderr(&out));
    fs::write(dir.path().join("pack.toml"), "[[rules]]\nid = \"x\"\nbogus = 1\n").expect("write");
    let out = run_in(dir.path(), &["scan", "--rules", "pack.toml", "."]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("pack.toml") && err.contains("line 3") && err.contains("bogus"),
        "{err}"
    );
    let out = run_in(dir.path(), &["scan", "--max-file-size", "lots", "."]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--max-file-size"), "{}", stderr(&out));
}

#[test]
fn custom_rule_pack_adds_a_rule() {
    let dir = tempfile::tempdir().expect("temp dir");
    let pack = "[[rules]]\nid = \"acme-key\"\nname = \"Acme key\"\nkeywords = [\"acme_\"]\nregex = '(?P<secret>acme_[0-9a-f]{16})'\nseverity = \"high\"\nconfidence = \"high\"\nremediation = \"Rotate at https://acme.invalid\"\n";
    fs::write(dir.path().join("pack.toml"), pack).expect("write");
    fs::write(dir.path().join("app.cfg"), "key = acme_3f9a1c2b7d4e8f60\n").expect("write");
    let out = run_in(
        dir.path(),
        &["scan", "--rules", "pack.toml", "--format", "jsonl", "app.cfg"],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stdout(&out).contains("\"rule_id\":\"acme-key\""));
}

#[test]
fn rules_list_names_every_rule() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = run_in(dir.path(), &["rules", "list"]);
    assert_eq!(out.status.code(), Some(0));
    let count = hush_rules::default_specs().expect("packs").len();
    assert_eq!(stdout(&out).lines().count(), count);
    assert!(stdout(&out).lines().any(|l| l.starts_with("github-pat ")));
}
