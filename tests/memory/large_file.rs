//! A 300 MB file with no newline and a secret in its middle: found at the right
//! column, in bounded memory.

use std::fs::File;
use std::io::{BufWriter, Write};

use super::run_measured;
use crate::common::github_token;

#[test]
fn secret_in_the_middle_of_a_300mb_line_is_found_in_bounded_memory() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("one-line.log");
    let half: u64 = 150 << 20;
    let filler: Vec<u8> = b"lorem ipsum dolor sit amet, consectetur adipiscing elit; "
        .iter()
        .copied()
        .cycle()
        .take(1 << 20)
        .collect();
    let token = github_token(300);
    {
        let mut w = BufWriter::new(File::create(&path).expect("create"));
        for _ in 0..(half >> 20) {
            w.write_all(&filler).expect("write");
        }
        w.write_all(b" token=").expect("write");
        w.write_all(token.as_bytes()).expect("write");
        w.write_all(b"; ").expect("write");
        for _ in 0..(half >> 20) {
            w.write_all(&filler).expect("write");
        }
        w.flush().expect("flush");
    }
    let (code, out, rss_kib) = run_measured(dir.path(), &["scan", "--format", "json", "one-line.log"]);
    assert_eq!(code, Some(1), "exit code");
    let doc: serde_json::Value = serde_json::from_slice(&out).expect("JSON report");
    let f = &doc["findings"][0];
    assert_eq!(f["rule_id"], "github-pat");
    assert_eq!(f["line"], 1);
    assert_eq!(f["column"].as_u64(), Some(half + 8));
    let rss_mib = rss_kib / 1024;
    assert!(rss_mib < 128, "peak RSS {rss_mib} MiB for a 300 MB file");
}
