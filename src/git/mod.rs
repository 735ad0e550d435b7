//! The git source (`hush git`): every blob reachable from all refs, scanned once,
//! each finding attributed to the commit and path that introduced it; or only what
//! a range of commits adds (`--range A..B`), what is newer than a date (`--since`),
//! what some refs reach (`--branch`), or what is staged (`--staged`).
//!
//! Objects are read with gix, never through `git log -p`: a scanned repository's
//! config (textconv, diff.external, fsmonitor, hooks, filters, sshCommand) can
//! never make hush run a program. Shallow clones are scanned as far as they go
//! (and say so), submodules are noted and not followed, LFS pointers skipped, and a
//! missing or corrupt object is reported while the rest of history is scanned.
//! A range trusts only its base for hush's own files ([`guard`]).

mod blobs;
mod guard;
mod history;
mod ignore;
mod objects;
mod provenance;
mod repos;
mod staged;

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use gix::hash::ObjectId;
use hush_rules::RuleSet;

pub use guard::{Guard, RangeBase};
pub use objects::{days_from_civil, rfc3339_utc};
pub use repos::{read_repos_file, scan_repositories, RepoEntry, ReposFileError};

use crate::search::{Collector, Gathered, Pool, ScanOptions, ScanOutcome};
use crate::stats::{error_chain, ScanStats};
use blobs::{scan_blobs, BlobJob, BlobPlace};
use history::{commit_tips, walk, History, Selection};
use objects::ObjectReader;

/// What `hush git` should scan.
#[derive(Debug, Clone, Default)]
pub struct GitOptions {
    /// The repository (any directory inside it, a bare repository, a worktree).
    pub repo: PathBuf,
    /// `A..B`: only commits reachable from B and not from A.
    pub range: Option<String>,
    /// Only commits at or after this time (seconds since the epoch).
    pub since: Option<i64>,
    /// Start from these refs or revisions instead of every ref.
    pub branches: Vec<String>,
    /// Scan the index's changes against HEAD instead of history.
    pub staged: bool,
    /// Also scan blobs no ref reaches (dangling, unreachable).
    pub all_objects: bool,
    /// Blobs larger than this are skipped.
    pub max_blob_size: u64,
    /// With `range`: trust only its base (see [`Guard`]): `.hushignore` is read
    /// from A, inline allows count only where their line is on A, and changes
    /// to these files inside the range are findings. `None`: the work tree's
    /// `.hushignore` applies and inline allows count wherever they are.
    pub guard: Option<Guard>,
}

/// A repository that cannot be scanned at all, or an object that cannot be read.
/// Each variant holds its cause (`source()`), not the cause's text: a report
/// prints the chain (`hush: error: object 1a2b…: cannot decode it: …`).
#[derive(Debug, thiserror::Error)]
pub enum GitError {
    #[error("{}: no such file or directory", path.display())]
    NoSuchPath { path: PathBuf },
    #[error("{}: not a git repository", path.display())]
    NotARepository {
        path: PathBuf,
        #[source]
        source: gix::Error,
    },
    #[error("cannot resolve revision {spec:?}")]
    Revision {
        spec: String,
        #[source]
        source: gix::Error,
    },
    #[error("--range {0:?}: expected A..B")]
    Range(String),
    #[error("commit {0} is missing")]
    MissingCommit(ObjectId),
    #[error("cannot read the index")]
    Index(#[source] gix::Error),
    #[error("cannot read HEAD's tree")]
    HeadTree(#[source] gix::Error),
    #[error("cannot list references")]
    References(#[source] gix::Error),
    #[error("object {id}")]
    Object {
        id: ObjectId,
        #[source]
        problem: ObjectProblem,
    },
}

/// What is wrong with one object.
#[derive(Debug, thiserror::Error)]
pub enum ObjectProblem {
    #[error("cannot read it")]
    Read(#[source] gix::Error),
    #[error("cannot decode it")]
    Decode(#[source] gix::Error),
    #[error("expected a {expected}, found a {found}")]
    WrongKind {
        expected: gix::objs::Kind,
        found: gix::objs::Kind,
    },
    #[error("a chain of more than {0} tags")]
    TagChain(usize),
}

impl GitError {
    pub(crate) fn object(id: &gix::hash::oid, problem: ObjectProblem) -> GitError {
        GitError::Object {
            id: id.to_owned(),
            problem,
        }
    }
}

/// Scans a repository's history (or index) with `rules`. The commit walk runs
/// on the calling thread; the diffing of commits and the scanning of blobs run
/// on a pool of `-j` threads. (Only the parallel stages go to the pool: what a
/// pool thread allocates stays in that thread's malloc arena, and the walk's
/// memory, freed on the calling thread, goes back to the system.)
pub fn scan_git(rules: &RuleSet, git: &GitOptions, opts: &ScanOptions) -> Result<ScanOutcome, GitError> {
    let pool = Pool::new(opts.threads);
    let repo = open(&git.repo)?;
    let sync = repo.clone().into_sync();
    let mut notes = WalkNotes::default();
    let mut jobs = if git.staged {
        staged::staged_jobs(&repo)?
    } else {
        history_jobs(&repo, &sync, git, pool, &mut notes)?
    };
    // Every shard walked the whole history (attribution stays exact); each
    // scans only its blobs.
    jobs.retain(|job| opts.shard.owns(job.id.to_hex().to_string().as_bytes()));
    let mut ignored = ScanStats::default();
    // A guarded range: hush's files from the base, and changes to them reported.
    let base = match (&git.guard, &git.range) {
        (Some(guard), Some(range)) => Some((guard, RangeBase::open(&git.repo, range)?)),
        _ => None,
    };
    let changes = match &base {
        Some((guard, _)) => guard::config_changes(&repo, guard, &jobs, git.max_blob_size, &mut notes.problems),
        None => Vec::new(),
    };
    if !opts.no_ignore {
        let patterns = match &base {
            Some((_, base)) => base
                .read(ignore::FILE)?
                .and_then(|text| ignore::parse(&text, &mut ignored)),
            None => ignore::hushignore(&repo, &mut ignored),
        };
        if let Some(patterns) = patterns {
            ignore::drop_ignored(&mut jobs, &patterns, &mut ignored);
        }
    }
    let collector = Collector::new();
    let base_tree = base.as_ref().map(|(_, b)| b.tree);
    pool.install(|| scan_blobs(&sync, rules, jobs, git.max_blob_size, base_tree, opts, &collector));
    let Gathered {
        mut findings,
        mut stats,
    } = collector.into_inner();
    for change in changes {
        findings.add_synthetic(change);
    }
    stats.merge(ignored);
    stats.repository = provenance::repository_info(&repo);
    stats.notes.extend(notes.notes);
    for (object, message) in notes.problems {
        stats.error(object, message);
    }
    stats.sort();
    stats.shard = Some(opts.shard).filter(|s| !s.is_whole());
    Ok(ScanOutcome {
        findings: findings.into_findings(rules),
        stats,
    })
}

/// What a history walk says besides blobs: notes (shallow clone, submodules) and
/// problems (missing or corrupt objects, reported as errors).
#[derive(Debug, Default)]
struct WalkNotes {
    notes: Vec<String>,
    problems: Vec<(String, String)>,
}

/// What a CI integration asks of a repository before it picks a range: which
/// of these revisions resolve to a commit here, and whether the clone is shallow.
pub struct RepositoryFacts {
    pub shallow: bool,
    /// For each asked revision, whether it names a commit in the repository.
    pub commits: Vec<bool>,
}

/// [`RepositoryFacts`] for `revisions` in the repository at or above `path`.
pub fn repository_facts(path: &Path, revisions: &[&str]) -> Result<RepositoryFacts, GitError> {
    let repo = open(path)?;
    let shallow = repo.shallow_commits().ok().flatten().is_some_and(|c| !c.is_empty());
    let commits = revisions
        .iter()
        .map(|spec| {
            repo.rev_parse_single(*spec)
                .ok()
                .and_then(|id| id.object().ok())
                .and_then(|object| object.peel_to_commit().ok())
                .is_some()
        })
        .collect();
    Ok(RepositoryFacts { shallow, commits })
}

/// Opens the repository at or above `path`, with no global or system config (it
/// is never needed to read objects, and never runs anything).
fn open(path: &Path) -> Result<gix::Repository, GitError> {
    if !path.exists() {
        return Err(GitError::NoSuchPath { path: path.to_owned() });
    }
    // No global or system config: reading objects needs none. A larger delta-base
    // cache than git's default, as a history scan reads every version of every file.
    let options = gix::open::Options::isolated().config_overrides(["core.deltaBaseCacheLimit=64m"]);
    let trust = gix::sec::trust::Mapping {
        full: options.clone(),
        reduced: options,
    };
    gix::ThreadSafeRepository::discover_opts(path, Default::default(), trust)
        .map(|repo| repo.to_thread_local())
        .map_err(|e| GitError::NotARepository {
            path: path.to_owned(),
            source: e,
        })
}

/// Resolves a revision (`main`, `v1.0`, `HEAD~2`, an id) to an object id.
fn resolve(repo: &gix::Repository, spec: &str) -> Result<ObjectId, GitError> {
    repo.rev_parse_single(spec)
        .map(|id| id.detach())
        .map_err(|e| GitError::Revision {
            spec: spec.to_owned(),
            source: e,
        })
}

/// `A..B` split into A and B.
fn split_range(range: &str) -> Result<(&str, &str), GitError> {
    range
        .split_once("..")
        .filter(|(a, b)| !a.is_empty() && !b.is_empty() && !b.starts_with('.'))
        .ok_or_else(|| GitError::Range(range.to_owned()))
}

/// Every ref's target (branches, tags, remote-tracking refs, stash, notes) and HEAD.
fn all_ref_targets(repo: &gix::Repository) -> Result<Vec<ObjectId>, GitError> {
    let mut targets = Vec::new();
    let platform = repo.references().map_err(GitError::References)?;
    for reference in platform.all().map_err(GitError::References)? {
        let Ok(reference) = reference else { continue };
        if let Some(id) = reference.target().try_id() {
            targets.push(id.to_owned());
        }
    }
    if let Ok(head) = repo.head_id() {
        targets.push(head.detach());
    }
    Ok(targets)
}

fn history_jobs(
    repo: &gix::Repository,
    sync: &gix::ThreadSafeRepository,
    git: &GitOptions,
    pool: Pool,
    notes: &mut WalkNotes,
) -> Result<Vec<BlobJob>, GitError> {
    let mut reader = ObjectReader::new(repo);
    let mut scratch = History::default();
    let mut selection = Selection {
        since: git.since,
        ..Selection::default()
    };
    if let Some(range) = &git.range {
        let (from, to) = split_range(range)?;
        selection.hidden = vec![resolve(repo, from)?];
        selection.tips = commit_tips(&mut reader, &[resolve(repo, to)?], &mut scratch);
    } else if !git.branches.is_empty() {
        // `^REF` leaves out REF and its ancestors, as in `git rev-list`; with
        // only exclusions, every ref is a tip (`--all --not REF...`).
        let mut targets = Vec::new();
        for branch in &git.branches {
            match branch.strip_prefix('^') {
                Some(hidden) => selection.hidden.push(resolve(repo, hidden)?),
                None => targets.push(resolve(repo, branch)?),
            }
        }
        if targets.is_empty() {
            targets = all_ref_targets(repo)?;
        }
        selection.tips = commit_tips(&mut reader, &targets, &mut scratch);
    } else {
        let targets = all_ref_targets(repo)?;
        selection.tips = commit_tips(&mut reader, &targets, &mut scratch);
    }
    let shallow: HashSet<ObjectId> = match repo.shallow_commits() {
        Ok(Some(commits)) => commits.iter().copied().collect(),
        _ => HashSet::new(),
    };
    let mut history = walk(&mut reader, &selection, &shallow);
    pool.install(|| history::attribute(sync, &mut history, selection.since));
    if !shallow.is_empty() {
        notes.notes.push(format!(
            "shallow clone: history behind {} boundary commit(s) is not in this clone and was not scanned",
            shallow.len()
        ));
    }
    let mut submodules: Vec<String> = history
        .submodules
        .iter()
        .map(|p| String::from_utf8_lossy(p).into_owned())
        .collect();
    submodules.sort();
    for path in submodules {
        notes.notes.push(format!(
            "submodule {path}: not followed (scan its repository separately)"
        ));
    }
    notes.problems.extend(scratch.problems);
    notes.problems.extend(history.problems.iter().cloned());

    let mut jobs: Vec<BlobJob> = history
        .blobs
        .iter()
        .map(|(id, intros)| BlobJob {
            id: *id,
            places: intros
                .iter()
                .map(|i| BlobPlace {
                    repository: None,
                    path: String::from_utf8_lossy(&i.path).into_owned(),
                    commit: Some(history.commits[i.commit].meta.clone()),
                })
                .collect(),
        })
        .collect();
    let known: HashSet<ObjectId> = history.blobs.keys().copied().collect();
    let mut loose: Vec<ObjectId> = scratch
        .loose_blobs
        .into_iter()
        .chain(history.loose_blobs)
        .filter(|b| !known.contains(b))
        .collect();
    if git.all_objects && git.range.is_none() {
        loose.extend(unreachable_blobs(repo, &known, notes));
    }
    loose.sort();
    loose.dedup();
    jobs.extend(loose.into_iter().map(|id| BlobJob {
        id,
        places: vec![BlobPlace {
            repository: None,
            path: format!("(unreachable blob {})", &id.to_string()[..12]),
            commit: None,
        }],
    }));
    // Successive versions of one file are deltas of each other in a pack: scanning
    // them together keeps delta bases in the pack cache (rayon hands each thread
    // contiguous runs of jobs).
    jobs.sort_by(|a, b| {
        let key = |j: &BlobJob| {
            j.places
                .first()
                .map(|p| (p.path.clone(), p.commit.as_ref().map(|c| c.date.clone())))
        };
        key(a).cmp(&key(b)).then(a.id.cmp(&b.id))
    });
    Ok(jobs)
}

/// Every blob in the object database (packs and loose objects) not in `known`.
fn unreachable_blobs(repo: &gix::Repository, known: &HashSet<ObjectId>, notes: &mut WalkNotes) -> Vec<ObjectId> {
    let mut out = Vec::new();
    let iter = match repo.objects.iter() {
        Ok(iter) => iter,
        Err(e) => {
            notes.problems.push((
                "(object database)".into(),
                format!("cannot list all objects: {}", error_chain(&e)),
            ));
            return out;
        }
    };
    let reader = ObjectReader::new(repo);
    for id in iter {
        let Ok(id) = id else { continue };
        if known.contains(&id) {
            continue;
        }
        if let Ok(Some(header)) = reader.header(&id) {
            if header.kind == gix::objs::Kind::Blob {
                out.push(id);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::error_chain;

    #[test]
    fn an_object_error_holds_its_cause_and_reports_the_chain() {
        let id = ObjectId::empty_tree(gix::hash::Kind::Sha1);
        let error = GitError::object(
            &id,
            ObjectProblem::WrongKind {
                expected: gix::objs::Kind::Commit,
                found: gix::objs::Kind::Tree,
            },
        );
        assert_eq!(error.to_string(), format!("object {id}"));
        let cause = std::error::Error::source(&error).expect("a cause");
        assert!(matches!(
            cause.downcast_ref::<ObjectProblem>(),
            Some(ObjectProblem::WrongKind { .. })
        ));
        assert_eq!(
            error_chain(&error),
            format!("object {id}: expected a commit, found a tree")
        );
    }

    #[test]
    fn a_path_that_is_not_a_repository_keeps_gix_s_error() {
        let dir = tempfile::tempdir().expect("temp dir");
        let error = open(dir.path()).expect_err("not a repository");
        assert!(matches!(error, GitError::NotARepository { .. }), "{error:?}");
        let chain = error_chain(&error);
        assert!(
            chain.starts_with(&format!("{}: not a git repository: ", dir.path().display())),
            "{chain}"
        );
        let missing = open(&dir.path().join("nope")).expect_err("no such path");
        assert!(matches!(missing, GitError::NoSuchPath { .. }), "{missing:?}");
    }
}
