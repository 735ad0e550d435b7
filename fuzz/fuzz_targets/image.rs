//! The image reader on arbitrary bytes: the input is written to a file and
//! scanned as an image tarball (`hush image img.tar`), so the tarball index,
//! `manifest.json` or `index.json`, configs and layers all come from the
//! fuzzer. Seeds should be small valid `docker save` and OCI tarballs: the tar
//! header checks stop most random inputs early (see `image_structured`).

#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use hush_rules::RuleSet;
use hush_scanner::image::{scan_images, ImageOptions};
use hush_scanner::scan::ScanOptions;
use libfuzzer_sys::fuzz_target;

fn rules() -> &'static RuleSet {
    static RULES: OnceLock<RuleSet> = OnceLock::new();
    RULES.get_or_init(|| RuleSet::default_rules().expect("default rules compile"))
}

/// One file per process, rewritten for each input.
fn image_path() -> &'static PathBuf {
    static DIR: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    let (_, path) = DIR.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("img.tar");
        (dir, path)
    });
    path
}

fuzz_target!(|data: &[u8]| {
    let path = image_path();
    std::fs::write(path, data).expect("write the image");
    let opts = ImageOptions {
        scan: ScanOptions {
            threads: 1,
            max_file_size: 1 << 20,
            ..ScanOptions::default()
        },
        platform: None,
    };
    let _ = scan_images(rules(), std::slice::from_ref(path), &opts);
});
