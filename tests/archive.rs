//! Archives found by `hush scan`: zip family, tar, tar.gz, gz, zst; nesting and
//! `--archive-depth`; decompression bombs reported as `archive-limit` in bounded
//! memory; corrupt archives reported while the rest is scanned.

mod common;

use std::fs;
use std::path::Path;

use common::images::{bzip2, gzip, tar, xz, zip, zstd};
use common::{github_token, json, run_in, stderr, stdout};
use serde_json::Value;

fn paths(doc: &Value) -> Vec<String> {
    let mut paths: Vec<String> = doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .flat_map(|f| f["locations"].as_array().expect("locations").clone())
        .map(|l| l["path"].as_str().expect("path").to_owned())
        .collect();
    paths.sort();
    paths
}

fn line(token: &str) -> Vec<u8> {
    format!("github.token={token}\n").into_bytes()
}

/// A tree with one secret in each kind of archive.
fn archives(dir: &Path) {
    let t = |seed| line(&github_token(seed));
    fs::write(dir.join("app.jar"), zip(&[("config/app.properties", &t(1))])).expect("write");
    fs::write(dir.join("pkg.whl"), zip(&[("pkg/settings.py", &t(2))])).expect("write");
    fs::write(dir.join("plain.tar"), tar(&[("etc/conf", &t(3))])).expect("write");
    fs::write(dir.join("src.tgz"), gzip(&tar(&[("src/.env", &t(4))]))).expect("write");
    fs::write(dir.join("notes.txt.gz"), gzip(&t(5))).expect("write");
    fs::write(dir.join("dump.sql.zst"), zstd(&t(6))).expect("write");
    fs::write(dir.join("logs.tar.bz2"), bzip2(&tar(&[("var/log/app.log", &t(8))]))).expect("write");
    fs::write(dir.join("backup.sql.xz"), xz(&t(9))).expect("write");
    // Renamed: told by magic bytes, not the name.
    fs::write(dir.join("release.bin"), zip(&[("keys.txt", &t(7))])).expect("write");
}

#[test]
fn each_kind_of_archive_is_opened_and_named_with_bangs() {
    let dir = tempfile::tempdir().expect("temp dir");
    archives(dir.path());
    let out = run_in(dir.path(), &["scan", ".", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(
        paths(&json(&out)),
        [
            "app.jar!config/app.properties",
            "backup.sql.xz!backup.sql",
            "dump.sql.zst!dump.sql",
            "logs.tar.bz2!var/log/app.log",
            "notes.txt.gz!notes.txt",
            "pkg.whl!pkg/settings.py",
            "plain.tar!etc/conf",
            "release.bin!keys.txt",
            "src.tgz!src/.env",
        ]
    );
}

#[test]
fn no_archives_and_depth_zero_turn_it_off() {
    let dir = tempfile::tempdir().expect("temp dir");
    archives(dir.path());
    for flag in ["--no-archives", "--archive-depth=0"] {
        let out = run_in(dir.path(), &["scan", ".", flag, "--format", "json"]);
        assert_eq!(out.status.code(), Some(0), "{flag}: {}", stdout(&out));
        // Each archive is binary (compressed, or a tar header's NUL bytes).
        assert_eq!(json(&out)["stats"]["skipped"]["binary"], 9, "{flag}");
    }
}

#[test]
fn nested_archives_open_to_the_depth_asked() {
    let dir = tempfile::tempdir().expect("temp dir");
    let jar = zip(&[("application.properties", &line(&github_token(10)))]);
    let bundle = gzip(&tar(&[("lib/app.jar", &jar)]));
    fs::write(dir.path().join("bundle.tar.gz"), &bundle).expect("write");
    let out = run_in(dir.path(), &["scan", ".", "--format", "json"]);
    assert_eq!(paths(&json(&out)), ["bundle.tar.gz!lib/app.jar!application.properties"]);

    let out = run_in(
        dir.path(),
        &["scan", ".", "--archive-depth", "1", "--format", "json", "--verbose"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(json(&out)["stats"]["skipped"]["too_deep"], 1);
    assert!(
        stderr(&out).contains("bundle.tar.gz!lib/app.jar: archive nested deeper than --archive-depth"),
        "{}",
        stderr(&out)
    );
}

/// A zip of `n` members of `size` zero bytes each (about 1000x smaller).
fn bomb(n: usize, size: usize) -> Vec<u8> {
    let zeros = vec![0u8; size];
    let names: Vec<String> = (0..n).map(|i| format!("zeros{i}.txt")).collect();
    let files: Vec<(&str, &[u8])> = names.iter().map(|n| (n.as_str(), zeros.as_slice())).collect();
    zip(&files)
}

/// Peak resident memory of the finished children, in KiB (Linux).
fn children_max_rss_kib() -> i64 {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: getrusage fills the struct it is given.
    let usage = unsafe {
        libc::getrusage(libc::RUSAGE_CHILDREN, usage.as_mut_ptr());
        usage.assume_init()
    };
    usage.ru_maxrss
}

#[test]
fn a_zip_bomb_is_an_archive_limit_finding_in_bounded_memory() {
    let dir = tempfile::tempdir().expect("temp dir");
    // 40 x 16 MiB of zeros: 640 MiB unpacked, well under 1 MiB packed.
    let mut zeros = bomb(40, 16 << 20);
    let size = zeros.len();
    assert!(size < 1 << 20, "{size}");
    fs::write(dir.path().join("bomb.zip"), &zeros).expect("write");
    zeros.clear();
    fs::write(dir.path().join("ok.txt"), line(&github_token(20))).expect("write");
    let out = run_in(dir.path(), &["scan", ".", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let doc = json(&out);
    let limit = doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["rule_id"] == "archive-limit")
        .unwrap_or_else(|| panic!("no archive-limit finding: {doc:#}"));
    assert_eq!(limit["path"], "bomb.zip");
    let reason = limit["secret_masked"].as_str().expect("reason");
    assert!(reason.contains("--archive-max-ratio"), "{reason}");
    assert_eq!(paths(&doc), ["bomb.zip", "ok.txt"], "the rest of the tree is scanned");
    assert!(
        children_max_rss_kib() < 300 << 10,
        "peak RSS {} KiB",
        children_max_rss_kib()
    );

    // The byte limit, and the finding in every format.
    let args = [
        "scan",
        "bomb.zip",
        "--archive-max-ratio",
        "1000000",
        "--archive-max-bytes",
        "20M",
    ];
    let text = stdout(&run_in(dir.path(), &args));
    assert!(
        text.contains("bomb.zip:1:1  archive-limit  expands past 20971520 bytes (--archive-max-bytes)"),
        "{text}"
    );
    let jsonl = stdout(&run_in(dir.path(), &[&args[..], &["--format", "jsonl"]].concat()));
    assert!(jsonl.contains(r#""rule_id":"archive-limit""#), "{jsonl}");
}

#[test]
fn a_corrupt_archive_is_an_error_and_the_rest_is_scanned() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut broken = gzip(&tar(&[("a.txt", "x\n".repeat(50_000).as_bytes())]));
    broken.truncate(broken.len() / 2);
    fs::write(dir.path().join("broken.tar.gz"), broken).expect("write");
    let mut zip_broken = zip(&[("a.txt", b"hello")]);
    zip_broken.truncate(20);
    fs::write(dir.path().join("broken.zip"), zip_broken).expect("write");
    let out = run_in(dir.path(), &["scan", ".", "--format", "json"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let errors = json(&out)["stats"]["errors"].clone();
    let named: Vec<&str> = errors
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| e["path"].as_str().expect("path"))
        .collect();
    assert!(named.iter().any(|p| p.starts_with("broken.tar.gz")), "{named:?}");
    assert!(named.contains(&"broken.zip"), "{named:?}");

    fs::write(dir.path().join("ok.txt"), line(&github_token(30))).expect("write");
    let out = run_in(dir.path(), &["scan", ".", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "findings win over errors");
    assert_eq!(paths(&json(&out)), ["ok.txt"]);
}

#[test]
fn bzip2_and_xz_bombs_stop_at_the_byte_limit() {
    let dir = tempfile::tempdir().expect("temp dir");
    let zeros = vec![0u8; 8 << 20];
    fs::write(dir.path().join("zeros.xz"), xz(&zeros)).expect("write");
    fs::write(dir.path().join("zeros.bz2"), bzip2(&zeros)).expect("write");
    let out = run_in(
        dir.path(),
        &["scan", ".", "--archive-max-bytes", "1M", "--format", "json"],
    );
    let doc = json(&out);
    let mut limited: Vec<String> = doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule_id"] == "archive-limit")
        .map(|f| f["locations"][0]["path"].as_str().expect("path").to_owned())
        .collect();
    limited.sort();
    assert_eq!(limited, ["zeros.bz2", "zeros.xz"], "{doc:#}");
}
