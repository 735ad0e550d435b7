//! Shared helpers for the integration tests: running the built `hush` binary, and
//! building fake but format-valid secrets at test time (so that no secret-shaped
//! string is committed outside the paths .hushignore excludes).

pub mod gitrepo;
pub mod httpd;
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

pub use hush_testkit::{base62, github_token, hex};

/// The JSON document `hush scan --format json` printed.
pub fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("stdout is JSON ({e}): {}", stdout(o)))
}

/// Every location's path in a JSON report, sorted.
pub fn paths(doc: &serde_json::Value) -> Vec<String> {
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

/// A config line holding `token`.
pub fn line(token: &str) -> Vec<u8> {
    format!("github.token={token}\n").into_bytes()
}
