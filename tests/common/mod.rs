//! Shared helpers for the integration tests: running the built `hush` binary, and
//! building fake but format-valid secrets at test time (so that no secret-shaped
//! string is committed outside the paths .hushignore excludes).
#![allow(dead_code)]

pub mod gitrepo;
pub mod images;
pub mod tools;

use std::path::Path;
use std::process::{Command, Output, Stdio};

/// The `hush` binary built for these tests.
pub fn hush() -> Command {
    Command::new(env!("CARGO_BIN_EXE_hush"))
}

/// Runs `hush` with `args` in `dir`, with no colour and no terminal.
pub fn run_in(dir: &Path, args: &[&str]) -> Output {
    hush()
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .expect("hush runs")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A deterministic pseudo-random base62 string (xorshift; no `rand` needed).
pub fn base62(seed: u64, len: usize) -> String {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            ALPHABET[(x % 62) as usize] as char
        })
        .collect()
}

/// A GitHub classic token with a valid CRC32 checksum, different for each seed.
pub fn github_token(seed: u64) -> String {
    let payload = base62(seed, 30);
    let checksum = hush_rules::github_checksum(payload.as_bytes());
    format!(
        "{}{payload}{}",
        ["gh", "p_"].concat(),
        String::from_utf8_lossy(&checksum)
    )
}

/// The JSON document `hush scan --format json` printed.
pub fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("stdout is JSON ({e}): {}", stdout(o)))
}
