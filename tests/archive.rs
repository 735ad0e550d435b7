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
fn a_corrupt_archive_is_a_warning_and_the_rest_is_scanned() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut broken = gzip(&tar(&[("a.txt", "x\n".repeat(50_000).as_bytes())]));
    broken.truncate(broken.len() / 2);
    fs::write(dir.path().join("broken.tar.gz"), broken).expect("write");
    let mut zip_broken = zip(&[("a.txt", b"hello")]);
    zip_broken.truncate(20);
    fs::write(dir.path().join("broken.zip"), zip_broken).expect("write");
    let out = run_in(dir.path(), &["scan", ".", "--format", "json"]);
    // Content left unread inside a tree is a warning: the gate does not fail
    // for a corrupt test fixture...
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let errors = json(&out)["stats"]["errors"].clone();
    let named: Vec<&str> = errors
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| e["path"].as_str().expect("path"))
        .collect();
    assert!(named.iter().any(|p| p.starts_with("broken.tar.gz")), "{named:?}");
    assert!(named.contains(&"broken.zip"), "{named:?}");
    assert!(errors.as_array().expect("errors").iter().all(|e| e["input"] == false));
    assert!(
        stderr(&out).contains("hush: warning: broken.zip: archive: zip:"),
        "{}",
        stderr(&out)
    );
    // ...unless asked to.
    let strict = run_in(dir.path(), &["scan", ".", "--strict", "--format", "json"]);
    assert_eq!(strict.status.code(), Some(2), "{}", stderr(&strict));

    fs::write(dir.path().join("ok.txt"), line(&github_token(30))).expect("write");
    let out = run_in(dir.path(), &["scan", ".", "--strict", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "findings win over errors");
    assert_eq!(paths(&json(&out)), ["ok.txt"]);
}

#[test]
fn a_truncated_tar_gz_is_scanned_as_far_as_it_goes() {
    let dir = tempfile::tempdir().expect("temp dir");
    // The first member holds a token; the second is long enough that the cut
    // falls inside it.
    let filler: Vec<u8> = (0..400_000u32).flat_map(|i| (i % 7919).to_le_bytes()).collect();
    let mut broken = gzip(&tar(&[
        ("config/.env", &line(&github_token(31))),
        ("data.bin", &filler),
    ]));
    broken.truncate(broken.len() * 2 / 3);
    fs::write(dir.path().join("release.tar.gz"), broken).expect("write");
    let out = run_in(dir.path(), &["scan", ".", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(paths(&json(&out)), ["release.tar.gz!config/.env"]);
    assert!(
        stderr(&out).contains("hush: warning: release.tar.gz"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_zip_without_its_central_directory_is_read_from_its_local_headers() {
    let dir = tempfile::tempdir().expect("temp dir");
    let whole = zip(&[
        ("first/settings.py", &line(&github_token(32))),
        ("second/app.env", &line(&github_token(33))),
    ]);
    // Cut inside the central directory: the members' own headers and data
    // are whole, the index at the end is not.
    let cut = whole.len() - 30;
    fs::write(dir.path().join("bundle.zip"), &whole[..cut]).expect("write");
    let out = run_in(dir.path(), &["scan", ".", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(
        paths(&json(&out)),
        ["bundle.zip!first/settings.py", "bundle.zip!second/app.env"]
    );
    assert!(
        stderr(&out).contains("bundle.zip: archive: zip:") && stderr(&out).contains("local headers"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn only_an_unreadable_named_input_exits_2() {
    let dir = tempfile::tempdir().expect("temp dir");
    fs::write(dir.path().join("clean.txt"), "nothing here\n").expect("write");
    let out = run_in(dir.path(), &["scan", "clean.txt", "missing.txt", "--format", "json"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let errors = json(&out)["stats"]["errors"].clone();
    assert_eq!(errors[0]["path"], "missing.txt");
    assert_eq!(errors[0]["input"], true);
    assert!(stderr(&out).contains("hush: error: missing.txt"), "{}", stderr(&out));
    let out = run_in(dir.path(), &["scan", "clean.txt"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
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
