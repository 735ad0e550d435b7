//! A decompression bomb: 640 MiB of zeros in a zip well under 1 MiB, reported as
//! an `archive-limit` finding in bounded memory while the rest of the tree is
//! scanned.

use std::fs;

use serde_json::Value;

use super::run_measured;
use crate::common::images::zip;
use crate::common::{github_token, line, paths, run_in, stdout};

/// A zip of `n` members of `size` zero bytes each (about 1000x smaller).
fn bomb(n: usize, size: usize) -> Vec<u8> {
    let zeros = vec![0u8; size];
    let names: Vec<String> = (0..n).map(|i| format!("zeros{i}.txt")).collect();
    let files: Vec<(&str, &[u8])> = names.iter().map(|n| (n.as_str(), zeros.as_slice())).collect();
    zip(&files)
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
    let (code, out, rss_kib) = run_measured(dir.path(), &["scan", ".", "--format", "json"]);
    assert_eq!(code, Some(1), "exit code");
    let doc: Value = serde_json::from_slice(&out).expect("JSON report");
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
    assert!(rss_kib < 300 << 10, "peak RSS {rss_kib} KiB");

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
