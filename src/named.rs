//! Files named on the command line (`hush scan a.rs b.env ...`, which is how
//! pre-commit's `hush-files` hook and editors call hush): scanned in parallel,
//! one [`StreamScanner`] per thread, and checked against the `.hushignore` of the
//! current directory, so that a path the repository keeps out of `hush scan .`
//! (fixtures with fake secrets) is not reported when a hook names it either.
//! `.gitignore` is not applied to them: a file someone names is scanned even if
//! git ignores it.

use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use hush_rules::RuleSet;
use ignore::gitignore::{Gitignore, GitignoreBuilder};

use crate::finding::FindingSet;
use crate::scan::ScanOptions;
use crate::stats::{ScanStats, SkipReason};
use crate::stream::StreamScanner;
use crate::walk::{display_path, scan_file};

/// Scans `files` (regular files or anything that is not a directory) and adds
/// what was found to `findings` and `stats`.
pub(crate) fn scan_named_files(
    rules: &RuleSet,
    files: &[PathBuf],
    opts: &ScanOptions,
    findings: &mut FindingSet,
    stats: &mut ScanStats,
) {
    if files.is_empty() {
        return;
    }
    let ignore = if opts.no_ignore { None } else { hushignore_here(stats) };
    let wanted: Vec<&PathBuf> = files
        .iter()
        .filter(|path| {
            let ignored = ignore.as_ref().is_some_and(|i| is_ignored(i, path));
            if ignored {
                stats.skip(display_path(path).display().to_string(), SkipReason::Ignored);
            }
            !ignored
        })
        .collect();
    let threads = match opts.threads {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    }
    .min(wanted.len());
    let next = AtomicUsize::new(0);
    let shared = Mutex::new((FindingSet::new(), ScanStats::default()));
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                let mut scanner = StreamScanner::new(rules);
                let mut found = FindingSet::new();
                let mut seen = ScanStats::default();
                while let Some(path) = wanted.get(next.fetch_add(1, Ordering::Relaxed)) {
                    scan_file(&mut scanner, path, opts, &mut seen, &mut found);
                }
                let mut shared = shared.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                shared.0.merge(found);
                shared.1.merge(seen);
            });
        }
    });
    let (found, seen) = shared.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner);
    findings.merge(found);
    stats.merge(seen);
}

/// The `.hushignore` of the current directory, if there is one.
fn hushignore_here(stats: &mut ScanStats) -> Option<Gitignore> {
    let cwd = std::env::current_dir().ok()?;
    let file = cwd.join(".hushignore");
    if !file.is_file() {
        return None;
    }
    let mut builder = GitignoreBuilder::new(&cwd);
    if let Some(e) = builder.add(&file) {
        stats.error(".hushignore", e.to_string());
    }
    match builder.build() {
        Ok(ignore) => Some(ignore),
        Err(e) => {
            stats.error(".hushignore", e.to_string());
            None
        }
    }
}

/// Whether `path` (relative to the current directory, or absolute under it) is
/// matched by `ignore` or lies in a directory it matches.
fn is_ignored(ignore: &Gitignore, path: &Path) -> bool {
    let root = ignore.path();
    let relative: PathBuf = match path.strip_prefix(root) {
        Ok(rest) => rest.to_path_buf(),
        Err(_) if path.is_relative() => path.components().filter(|c| *c != Component::CurDir).collect(),
        Err(_) => return false,
    };
    // `..` would leave the directory the patterns are relative to.
    if relative.as_os_str().is_empty() || relative.components().any(|c| !matches!(c, Component::Normal(_))) {
        return false;
    }
    ignore.matched_path_or_any_parents(&relative, false).is_ignore()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_match_named_files_and_their_directories() {
        let mut builder = GitignoreBuilder::new("/repo");
        builder.add_line(None, "fixtures/").expect("pattern");
        builder.add_line(None, "*.pem").expect("pattern");
        let ignore = builder.build().expect("ignore");
        assert!(is_ignored(&ignore, Path::new("fixtures/a/b.env")));
        assert!(is_ignored(&ignore, Path::new("./keys/server.pem")));
        assert!(is_ignored(&ignore, Path::new("/repo/fixtures/x")));
        assert!(!is_ignored(&ignore, Path::new("src/fixtures.rs")));
        assert!(!is_ignored(&ignore, Path::new("../other/fixtures/x")));
        assert!(!is_ignored(&ignore, Path::new("/elsewhere/fixtures/x")));
    }
}
