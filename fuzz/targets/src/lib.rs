//! The fuzz targets' code, one module per target, callable from anywhere: the
//! cargo-fuzz binaries in `fuzz/fuzz_targets/` (nightly) call each module's
//! `run`, and `tests/seeds.rs` calls it on every seed `fuzz/make_seeds.py`
//! writes, so a seed that panics fails `cargo test` on stable, without nightly.
//! Also what the targets share: the default rules, compiled once per process,
//! and scanning bytes as an image file (the image reader's entry point reads a
//! path).

pub mod archive;
pub mod engine;
pub mod image;
pub mod image_structured;
pub mod redact_stream;

use std::path::PathBuf;
use std::sync::OnceLock;

use hush_rules::RuleSet;
use hush_scanner::image::{scan_images, ImageOptions};
use hush_scanner::search::ScanOptions;

/// The default rule set, compiled on first use.
pub fn rules() -> &'static RuleSet {
    static RULES: OnceLock<RuleSet> = OnceLock::new();
    RULES.get_or_init(|| RuleSet::default_rules().expect("default rules compile"))
}

/// Writes `bytes` to the scratch image file and scans it as an image, one
/// thread, members up to 1 MiB.
pub fn scan_as_image(bytes: &[u8]) {
    let path = image_path();
    std::fs::write(path, bytes).expect("write the image");
    let opts = ImageOptions {
        scan: ScanOptions {
            threads: 1,
            max_file_size: 1 << 20,
            ..ScanOptions::default()
        },
        ..ImageOptions::default()
    };
    let _ = scan_images(rules(), std::slice::from_ref(path), &opts);
}

/// `img.tar` in a temp dir that lives as long as the process: one file,
/// rewritten for each input.
fn image_path() -> &'static PathBuf {
    static DIR: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    let (_, path) = DIR.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("img.tar");
        (dir, path)
    });
    path
}
