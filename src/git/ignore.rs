//! `.hushignore` for git sources: the patterns a repository uses to keep paths
//! out of `hush scan .` (fixtures, rule examples) keep them out of its history,
//! its index and its pushes too. The repository's current `.hushignore` applies
//! (the work tree's file, or HEAD's for a bare repository), to every commit, as
//! a scanner's config does; a guarded range scan reads its base's instead (see
//! [`super::guard`]); `--no-ignore` turns it off.

use std::collections::HashSet;

use ignore::gitignore::{Gitignore, GitignoreBuilder};

use super::blobs::BlobJob;
use crate::stats::{ScanStats, SkipReason};

pub(super) const FILE: &str = ".hushignore";

/// The repository's `.hushignore`, if it has one.
pub(super) fn hushignore(repo: &gix::Repository, stats: &mut ScanStats) -> Option<Gitignore> {
    let text = match repo.workdir() {
        Some(dir) => std::fs::read(dir.join(FILE)).ok()?,
        None => {
            let id = repo.rev_parse_single(format!("HEAD:{FILE}").as_str()).ok()?;
            id.object().ok()?.detach().data
        }
    };
    parse(&text, stats)
}

/// The patterns of a `.hushignore`'s `text` (`None` if it has none); a bad
/// pattern is an error that names its line.
pub(super) fn parse(text: &[u8], stats: &mut ScanStats) -> Option<Gitignore> {
    let mut builder = GitignoreBuilder::new("/");
    for (index, line) in String::from_utf8_lossy(text).lines().enumerate() {
        if let Err(e) = builder.add_line(None, line) {
            stats.error(format!("{FILE}:{}", index + 1), e.to_string());
        }
    }
    match builder.build() {
        Ok(ignore) if !ignore.is_empty() => Some(ignore),
        Ok(_) => None,
        Err(e) => {
            stats.error(FILE, e.to_string());
            None
        }
    }
}

/// Drops the places (paths) `ignore` matches from `jobs`, and the jobs left with
/// none; each ignored path is recorded once as skipped.
pub(super) fn drop_ignored(jobs: &mut Vec<BlobJob>, ignore: &Gitignore, stats: &mut ScanStats) {
    let mut skipped: HashSet<String> = HashSet::new();
    // A blob with no place (unreachable, `--all-objects`) has no path to match.
    jobs.retain_mut(|job| {
        if job.places.is_empty() {
            return true;
        }
        job.places.retain(|place| {
            let ignored = ignore.matched_path_or_any_parents(&place.path, false).is_ignore();
            if ignored && skipped.insert(place.path.clone()) {
                stats.skip(place.path.clone(), SkipReason::Ignored);
            }
            !ignored
        });
        !job.places.is_empty()
    });
}
