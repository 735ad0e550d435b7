//! Binaries are scanned, not skipped: text with a few NUL bytes is text (every
//! rule runs); a real binary is scanned over its printable runs with the
//! provider rules only; `--skip-binary` skips both, as hush did before.

use std::fs;
use std::path::Path;

use crate::common::{github_token, json, run_in, stderr};
use serde_json::Value;

/// A password assignment the generic rule reports in text, built at run time.
fn password_line() -> String {
    format!("DB_PASSWORD={}", ["Hn3Vd8", "Rq2Ym6"].concat())
}

/// Pseudo-random bytes (xorshift), NULs included, as in a database page.
fn noise(seed: u32, len: usize) -> Vec<u8> {
    let mut x = seed.max(1);
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            // A quarter NULs, the rest anything.
            if x.is_multiple_of(4) {
                0
            } else {
                (x >> 8) as u8
            }
        })
        .collect()
}

/// A SQLite-like database: the 100-byte header, then 4 KiB pages of binary
/// noise; page 3 holds a record whose text is `value` at `offset` in the file.
fn sqlite_like(value: &[u8]) -> (Vec<u8>, usize) {
    let mut db = b"SQLite format 3\0".to_vec();
    db.extend_from_slice(&[0x10, 0x00, 0x01, 0x01, 0x00, 0x40, 0x20, 0x20]);
    db.resize(100, 0);
    db.extend(noise(7, 4096 * 4 - 100));
    let offset = 4096 * 2 + 1000;
    // A record header (serial types) before the text, a NUL after it.
    db[offset - 4..offset].copy_from_slice(&[0x04, 0x01, 0x1b, 0x81]);
    db[offset..offset + value.len()].copy_from_slice(value);
    db[offset + value.len()] = 0;
    (db, offset)
}

fn findings(doc: &Value) -> Vec<(String, String)> {
    let mut found: Vec<(String, String)> = doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["path"].as_str().expect("path").to_owned(),
                f["rule_id"].as_str().expect("rule").to_owned(),
            )
        })
        .collect();
    found.sort();
    found
}

fn scan_json(dir: &Path, extra: &[&str]) -> Value {
    let mut args = vec!["scan", "--format", "json"];
    args.extend_from_slice(extra);
    args.push(".");
    let out = run_in(dir, &args);
    assert!(out.status.code().is_some_and(|c| c < 2), "{}", stderr(&out));
    json(&out)
}

#[test]
fn a_token_in_a_sqlite_database_is_found_at_its_offset() {
    let dir = tempfile::tempdir().expect("temp dir");
    let token = github_token(61);
    let (db, offset) = sqlite_like(token.as_bytes());
    fs::write(dir.path().join("app.sqlite"), &db).expect("write");
    let doc = scan_json(dir.path(), &[]);
    assert_eq!(
        findings(&doc),
        vec![("app.sqlite".into(), "github-pat".into())],
        "{doc}"
    );
    assert_eq!(doc["stats"]["binary_scanned"], 1, "{doc}");
    assert_eq!(doc["stats"]["skipped"]["binary"], 0, "{doc}");
    // Line and column are counted in the binary's bytes, as for text.
    let f = &doc["findings"][0];
    let before = &db[..offset];
    let lines = before.iter().filter(|&&b| b == b'\n').count() as u64;
    let line_start = before.iter().rposition(|&b| b == b'\n').map_or(0, |nl| nl + 1);
    assert_eq!(f["line"].as_u64(), Some(lines + 1), "{f}");
    assert_eq!(f["column"].as_u64(), Some((offset - line_start + 1) as u64), "{f}");

    let out = run_in(dir.path(), &["scan", "."]);
    assert!(
        stderr(&out).contains("(1 binary file(s) scanned over their printable runs)"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_token_in_a_utf16le_run_of_a_binary_is_found() {
    let dir = tempfile::tempdir().expect("temp dir");
    let wide: Vec<u8> = format!("token {}", github_token(62))
        .bytes()
        .flat_map(|b| [b, 0])
        .collect();
    let (db, _) = sqlite_like(&wide);
    fs::write(dir.path().join("app.db"), &db).expect("write");
    let doc = scan_json(dir.path(), &[]);
    assert_eq!(findings(&doc), vec![("app.db".into(), "github-pat".into())], "{doc}");
}

#[test]
fn text_with_a_few_nuls_runs_every_rule() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut log = b"2026-12-07 12:00:01 INFO worker started\n".repeat(20);
    log.extend(std::iter::repeat_n(0u8, 3000));
    log.extend_from_slice(format!("{}\n", password_line()).as_bytes());
    log.extend_from_slice(b"2026-12-07 12:00:02 INFO stray\0NUL\n");
    fs::write(dir.path().join("padded.log"), &log).expect("write");
    let doc = scan_json(dir.path(), &[]);
    assert_eq!(
        findings(&doc),
        vec![("padded.log".into(), "generic-password".into())],
        "{doc}"
    );
    assert_eq!(doc["stats"]["binary_scanned"], 0, "{doc}");
    assert_eq!(doc["findings"][0]["line"], 21, "{doc}");
}

#[test]
fn generic_rules_do_not_run_on_a_binary() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (db, _) = sqlite_like(password_line().as_bytes());
    fs::write(dir.path().join("app.sqlite"), &db).expect("write");
    // The same bytes as a line of text are a finding: the test can fail.
    fs::write(dir.path().join("app.env"), format!("{}\n", password_line())).expect("write");
    let doc = scan_json(dir.path(), &[]);
    assert_eq!(
        findings(&doc),
        vec![("app.env".into(), "generic-password".into())],
        "{doc}"
    );
    assert_eq!(doc["stats"]["binary_scanned"], 1, "{doc}");
}

#[test]
fn skip_binary_skips_binaries_and_text_with_nuls() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (db, _) = sqlite_like(github_token(63).as_bytes());
    fs::write(dir.path().join("app.sqlite"), &db).expect("write");
    fs::write(dir.path().join("stray.log"), format!("a\0b\n{}\n", password_line())).expect("write");
    let doc = scan_json(dir.path(), &["--skip-binary"]);
    assert_eq!(findings(&doc), vec![], "{doc}");
    assert_eq!(doc["stats"]["skipped"]["binary"], 2, "{doc}");
    assert_eq!(doc["stats"]["binary_scanned"], 0, "{doc}");

    fs::write(dir.path().join(".hush.toml"), "skip_binary = true\n").expect("write");
    let doc = scan_json(dir.path(), &[]);
    assert_eq!(doc["stats"]["skipped"]["binary"], 2, "{doc}");
    fs::remove_file(dir.path().join(".hush.toml")).expect("remove");

    let doc = scan_json(dir.path(), &[]);
    assert_eq!(
        findings(&doc),
        vec![
            ("app.sqlite".into(), "github-pat".into()),
            ("stray.log".into(), "generic-password".into())
        ],
        "{doc}"
    );
}

#[test]
fn binaries_on_stdin_and_in_git_history_are_scanned() {
    use std::io::Write;
    use std::process::Stdio;
    let (db, _) = sqlite_like(github_token(64).as_bytes());
    let mut child = crate::common::hush()
        .args(["scan", "--format", "json", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    child.stdin.take().expect("stdin").write_all(&db).expect("write");
    let out = child.wait_with_output().expect("wait");
    assert_eq!(findings(&json(&out)), vec![("-".into(), "github-pat".into())]);

    let (_tmp, repo) = crate::common::gitrepo::repo();
    fs::write(repo.join("app.sqlite"), &db).expect("write");
    crate::common::gitrepo::git(&repo, &["add", "app.sqlite"]);
    crate::common::gitrepo::git(&repo, &["commit", "-qm", "db"]);
    let out = run_in(&repo, &["git", "--format", "json"]);
    assert_eq!(findings(&json(&out)), vec![("app.sqlite".into(), "github-pat".into())]);
    let out = run_in(&repo, &["git", "--format", "json", "--skip-binary"]);
    assert_eq!(findings(&json(&out)), vec![]);
}
