//! Many repositories in one run (`hush git --repos-file LIST`): every listed
//! repository's history is walked, then every unique blob of all of them is
//! scanned once on the run's one pool, into one finding set, so a key reused
//! in 14 repositories is one finding with 14 locations ("rotate this once").
//!
//! The list holds one repository a line (a work tree, a bare mirror, any
//! directory in a repository); blank lines and lines starting with `#` are
//! skipped; a relative path is relative to the list's directory. Each location
//! names its repository by its line, as written. A blob found in several
//! repositories (forks, mirrors sharing history) is read from the first that
//! has it. With `--shard I/N` the list is split by repository, each line's
//! shard keyed by the trimmed line (see [`crate::shard`]); blobs are then not
//! split further. A repository that cannot be opened or walked is an input
//! error; the others are scanned.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use gix::hash::ObjectId;
use hush_rules::RuleSet;

use super::blobs::{scan_blobs, BlobJob};
use super::{history_jobs, ignore, open, GitOptions, WalkNotes};
use crate::search::{Collector, Gathered, Pool, ScanOptions, ScanOutcome};
use crate::stats::{error_chain, ScanStats};

/// One line of a repository list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepoEntry {
    /// The line, trimmed: how locations name the repository, and its shard key.
    pub name: String,
    /// Where it is (relative lines resolved against the list's directory).
    pub path: PathBuf,
}

/// A repository list that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ReposFileError {
    #[error("--repos-file {file}: {source}")]
    Read {
        file: String,
        #[source]
        source: std::io::Error,
    },
    #[error("--repos-file {file}:{line}: {message}")]
    Invalid { file: String, line: usize, message: String },
    #[error("--repos-file {file}: lists no repository")]
    Empty { file: String },
}

/// Reads a repository list (see the module docs).
pub fn read_repos_file(path: &Path) -> Result<Vec<RepoEntry>, ReposFileError> {
    let file = path.display().to_string();
    let text = std::fs::read(path).map_err(|source| ReposFileError::Read {
        file: file.clone(),
        source,
    })?;
    let text = String::from_utf8(text).map_err(|e| ReposFileError::Invalid {
        file: file.clone(),
        line: 1 + e.as_bytes()[..e.utf8_error().valid_up_to()]
            .iter()
            .filter(|&&b| b == b'\n')
            .count(),
        message: "not UTF-8".into(),
    })?;
    let dir = path.parent().unwrap_or(Path::new(""));
    let mut entries: Vec<RepoEntry> = Vec::new();
    let mut first_line: HashMap<String, usize> = HashMap::new();
    for (index, raw) in text.lines().enumerate() {
        let name = raw.trim();
        if name.is_empty() || name.starts_with('#') {
            continue;
        }
        if let Some(first) = first_line.insert(name.to_owned(), index + 1) {
            return Err(ReposFileError::Invalid {
                file,
                line: index + 1,
                message: format!("repeats line {first}"),
            });
        }
        entries.push(RepoEntry {
            name: name.to_owned(),
            path: dir.join(name),
        });
    }
    if entries.is_empty() {
        return Err(ReposFileError::Empty { file });
    }
    Ok(entries)
}

/// Scans the history of every repository in `repos` that is this shard's, as
/// `git` asks (only its history selection is used), into one outcome.
pub fn scan_repositories(rules: &RuleSet, repos: &[RepoEntry], git: &GitOptions, opts: &ScanOptions) -> ScanOutcome {
    let pool = Pool::new(opts.threads);
    let mut stats = ScanStats::default();
    let mut opened: Vec<gix::ThreadSafeRepository> = Vec::new();
    // Each unique blob, with the repository it is read from and all its places.
    let mut blobs: HashMap<ObjectId, (usize, BlobJob)> = HashMap::new();
    for entry in repos.iter().filter(|r| opts.shard.owns(r.name.as_bytes())) {
        let repo = match open(&entry.path) {
            Ok(repo) => repo,
            Err(e) => {
                stats.input_error(entry.name.clone(), error_chain(&e));
                continue;
            }
        };
        let sync = repo.clone().into_sync();
        let mut notes = WalkNotes::default();
        let mut jobs = match history_jobs(&repo, &sync, git, pool, &mut notes) {
            Ok(jobs) => jobs,
            Err(e) => {
                stats.input_error(entry.name.clone(), error_chain(&e));
                continue;
            }
        };
        if !opts.no_ignore {
            if let Some(patterns) = ignore::hushignore(&repo, &mut stats) {
                ignore::drop_ignored(&mut jobs, &patterns, &mut stats);
            }
        }
        for note in notes.notes {
            stats.notes.push(format!("{}: {note}", entry.name));
        }
        for (object, message) in notes.problems {
            stats.error(format!("{}!{object}", entry.name), message);
        }
        let name: Arc<str> = Arc::from(entry.name.as_str());
        let home = opened.len();
        opened.push(sync);
        for mut job in jobs {
            for place in &mut job.places {
                place.repository = Some(name.clone());
            }
            match blobs.get_mut(&job.id) {
                Some((_, known)) => known.places.append(&mut job.places),
                None => {
                    blobs.insert(job.id, (home, job));
                }
            }
        }
    }
    let mut by_home: Vec<Vec<BlobJob>> = vec![Vec::new(); opened.len()];
    for (home, job) in blobs.into_values() {
        by_home[home].push(job);
    }
    let collector = Collector::new();
    for (repo, mut jobs) in opened.iter().zip(by_home) {
        // As in one repository: versions of a file together, for the pack cache.
        jobs.sort_by(|a, b| {
            let key = |j: &BlobJob| j.places.first().map(|p| p.path.clone());
            key(a).cmp(&key(b)).then(a.id.cmp(&b.id))
        });
        pool.install(|| scan_blobs(repo, rules, jobs, git.max_blob_size, None, opts, &collector));
    }
    let Gathered {
        findings,
        stats: scanned,
    } = collector.into_inner();
    stats.merge(scanned);
    stats.sort();
    stats.shard = Some(opts.shard).filter(|s| !s.is_whole());
    ScanOutcome {
        findings: findings.into_findings(rules),
        stats,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_skips_comments_resolves_relative_lines_and_refuses_repeats() {
        let dir = tempfile::tempdir().expect("temp dir");
        let list = dir.path().join("repos.txt");
        std::fs::write(&list, "# fleet\n\n  a.git \n/abs/b\n").expect("write");
        let entries = read_repos_file(&list).expect("valid");
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[0].name, "a.git");
        assert_eq!(entries[0].path, dir.path().join("a.git"));
        assert_eq!(entries[1].path, PathBuf::from("/abs/b"));
        std::fs::write(&list, "a\nb\na\n").expect("write");
        let error = read_repos_file(&list).expect_err("repeat").to_string();
        assert!(error.ends_with("repos.txt:3: repeats line 1"), "{error}");
        std::fs::write(&list, "# nothing\n").expect("write");
        assert!(matches!(read_repos_file(&list), Err(ReposFileError::Empty { .. })));
    }
}
