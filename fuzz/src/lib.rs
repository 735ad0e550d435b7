//! What the fuzz targets share: the default rules, compiled once per process,
//! and a scratch file for targets whose entry point reads a path.

use std::path::PathBuf;
use std::sync::OnceLock;

use hush_rules::RuleSet;

/// The default rule set, compiled on first use.
pub fn rules() -> &'static RuleSet {
    static RULES: OnceLock<RuleSet> = OnceLock::new();
    RULES.get_or_init(|| RuleSet::default_rules().expect("default rules compile"))
}

/// `img.tar` in a temp dir that lives as long as the process: one file,
/// rewritten for each input.
pub fn image_path() -> &'static PathBuf {
    static DIR: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    let (_, path) = DIR.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("img.tar");
        (dir, path)
    });
    path
}
