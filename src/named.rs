//! Files named on the command line (`hush scan a.rs b.env ...`, which is how
//! pre-commit's `hush-files` hook and editors call hush): scanned in parallel,
//! one [`StreamScanner`] per thread, and checked against the `.hushignore` of the
//! current directory, so that a path the repository keeps out of `hush scan .`
//! (fixtures with fake secrets) is not reported when a hook names it either.
//! `.gitignore` is not applied to them: a file someone names is scanned even if
//! git ignores it.

use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use hush_rules::RuleSet;
use ignore::gitignore::{Gitignore, GitignoreBuilder};

use crate::origin::display_path;
use crate::search::{Collector, Gathered, Pool, ScanOptions};
use crate::stats::{ScanStats, SkipReason};
use crate::walk::{scan_file, FileSource};

/// Scans `files` (regular files or anything that is not a directory) on the
/// run's pool; each worker's results go to `collector`.
pub(crate) fn scan_named_files(rules: &RuleSet, files: &[PathBuf], opts: &ScanOptions, collector: &Collector) {
    if files.is_empty() {
        return;
    }
    let mut here = Gathered::default();
    let stats = &mut here.stats;
    let ignore = if opts.no_ignore { None } else { hushignore_here(stats) };
    let wanted: Vec<&PathBuf> = files
        .iter()
        .filter(|path| opts.owns_file(path))
        .filter(|path| {
            let ignored = ignore.as_ref().is_some_and(|i| is_ignored(i, path));
            if ignored {
                stats.skip(display_path(path).display().to_string(), SkipReason::Ignored);
            }
            !ignored
        })
        .collect();
    collector.add(here);
    let pool = Pool::new(opts.threads).at_most(wanted.len());
    let next = AtomicUsize::new(0);
    // Every thread of the pool takes the next file until none is left.
    pool.broadcast(|| {
        let mut scanner = crate::search::scanner(rules, opts);
        let mut gathered = Gathered::default();
        while let Some(path) = wanted.get(next.fetch_add(1, Ordering::Relaxed)) {
            scan_file(&mut scanner, path, opts, &mut gathered, FileSource::Named);
        }
        collector.add(gathered);
    });
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
