//! Archives found by `hush scan`: zip family, tar, tar.gz, gz, zst; nesting and
//! `--archive-depth`; decompression bombs (in `tests/memory/`, where peak memory is
//! measured); corrupt archives reported while the rest is scanned.

use std::fs;
use std::path::Path;

use crate::common::images::{bzip2, gzip, tar, xz, zip, zstd};
use crate::common::{github_token, json, line, paths, run_in, stderr};

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
        let doc = json(&out);
        // No member is opened: each archive is scanned as it stands, the
        // compressed ones as binaries (over their printable runs), the plain
        // tar as text (its headers' NULs surround text).
        assert!(paths(&doc).iter().all(|p| !p.contains('!')), "{flag}: {doc}");
        assert_eq!(doc["stats"]["binary_scanned"], 8, "{flag}");
        assert_eq!(doc["stats"]["skipped"]["binary"], 0, "{flag}");
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
