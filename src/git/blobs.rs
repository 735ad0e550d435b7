//! Scanning the blobs a history walk (or the index) selected: each unique blob
//! once, in parallel with rayon, one repository handle and one stream scanner per
//! thread; each match is reported at every path and commit that introduced it.

use std::sync::Arc;

use gix::hash::ObjectId;
use gix::objs::Kind;
use hush_rules::RuleSet;
use rayon::prelude::*;

use super::guard::blob_at;
use super::objects::ObjectReader;
use crate::allow::inline_marker;
use crate::finding::FindingSet;
use crate::finding::{notice, Notice};
use crate::origin::{CommitMeta, Origin};
use crate::search::{drop_allowed, drop_allowed_where, Collector, Gathered, ScanOptions};
use crate::stats::{error_chain, ScanStats, SkipReason};
use crate::stream::{Located, StreamOutcome, StreamScanner};

/// Git LFS pointer files start with this; their content lives elsewhere.
const LFS_POINTER: &[u8] = b"version https://git-lfs.github.com/spec/v1";

/// One place a blob is found: its path and the commit that introduced it there
/// (none for staged or unreachable blobs).
#[derive(Debug, Clone)]
pub struct BlobPlace {
    /// The repository of `--repos-file` it is in (none for one repository).
    pub repository: Option<Arc<str>>,
    pub path: String,
    pub commit: Option<Arc<CommitMeta>>,
}

/// A blob to scan and everywhere it is.
#[derive(Debug, Clone)]
pub struct BlobJob {
    pub id: ObjectId,
    pub places: Vec<BlobPlace>,
}

/// Scans `jobs` in parallel on the current rayon pool (the run's, see
/// [`crate::search::Pool`]); each worker's results go to `collector`. With a
/// `base` tree (a guarded range), an inline allow counts only where its line is
/// in the base's version of the file (see [`super::guard`]).
pub fn scan_blobs(
    repo: &gix::ThreadSafeRepository,
    rules: &RuleSet,
    jobs: Vec<BlobJob>,
    max_blob_size: u64,
    base: Option<ObjectId>,
    opts: &ScanOptions,
    collector: &Collector,
) {
    jobs.into_par_iter().for_each_init(
        || Worker {
            repo: repo.to_thread_local(),
            buf: Vec::new(),
            scanner: crate::search::scanner(rules, opts),
            gathered: Gathered::default(),
            collector,
        },
        |worker, job| worker.scan(&job, Limits { max_blob_size, base }, opts),
    );
}

/// One rayon worker's repository handle, buffers and results, which go to the
/// collector when it is dropped.
struct Worker<'s> {
    repo: gix::Repository,
    buf: Vec<u8>,
    scanner: StreamScanner<'s>,
    gathered: Gathered,
    collector: &'s Collector,
}

impl Worker<'_> {
    fn scan(&mut self, job: &BlobJob, limits: Limits, opts: &ScanOptions) {
        let mut reader = ObjectReader::with_buffer(&self.repo, std::mem::take(&mut self.buf));
        let Gathered { findings, stats } = &mut self.gathered;
        scan_one(&mut reader, &mut self.scanner, job, limits, opts, findings, stats);
        self.buf = reader.into_buffer();
    }
}

impl Drop for Worker<'_> {
    fn drop(&mut self) {
        self.collector.add(std::mem::take(&mut self.gathered));
    }
}

/// What bounds one blob's scan: its size, and the base whose lines an inline
/// allow must be on (a guarded range).
#[derive(Clone, Copy)]
struct Limits {
    max_blob_size: u64,
    base: Option<ObjectId>,
}

fn scan_one(
    reader: &mut ObjectReader,
    scanner: &mut StreamScanner,
    job: &BlobJob,
    Limits { max_blob_size, base }: Limits,
    opts: &ScanOptions,
    findings: &mut FindingSet,
    stats: &mut ScanStats,
) {
    let places: Vec<&BlobPlace> = job
        .places
        .iter()
        .filter(|p| !opts.allows_path(std::path::Path::new(&p.path)))
        .collect();
    // Only skips and errors name the blob: format it then, not for every blob.
    let name = || {
        job.places.first().map_or_else(
            || job.id.to_string(),
            |p| format!("{}:{}", &job.id.to_string()[..12], p.path),
        )
    };
    if places.is_empty() {
        return stats.skip(name(), SkipReason::AllowedPath);
    }
    match reader.header(&job.id) {
        Ok(Some(header)) if header.kind != Kind::Blob => return,
        Ok(Some(header)) if header.size > max_blob_size => return stats.skip(name(), SkipReason::TooLarge),
        Ok(Some(_)) => {}
        Ok(None) => return stats.error(name(), "blob object is missing"),
        Err(e) => return stats.error(name(), error_chain(&e)),
    }
    let data = match reader.read(&job.id) {
        Ok(Some((_, data))) => data,
        Ok(None) => return stats.error(name(), "blob object is missing"),
        Err(e) => return stats.error(name(), error_chain(&e)),
    };
    if data.starts_with(LFS_POINTER) {
        return stats.skip(name(), SkipReason::LfsPointer);
    }
    let mut found = Vec::new();
    match scanner.scan_blob(data, &mut found) {
        StreamOutcome::Binary => return stats.skip(name(), SkipReason::Binary),
        StreamOutcome::Scanned { bytes, content } => {
            stats.scanned(bytes, content);
            if let Some(progress) = &opts.progress {
                progress.add(bytes);
            }
        }
    }
    let rules = scanner.rules();
    let refused = match base {
        None => {
            drop_allowed(rules, opts, &mut found, stats);
            Vec::new()
        }
        // Read lazily: only a match with an inline allow needs the base's file.
        Some(tree) => {
            let mut at_base: Vec<Option<Option<Vec<u8>>>> = vec![None; places.len()];
            drop_allowed_where(rules, opts, &mut found, stats, |m| {
                places.iter().zip(&mut at_base).any(|(place, file)| {
                    file.get_or_insert_with(|| blob_at(reader, tree, &place.path).ok().flatten())
                        .as_deref()
                        .is_some_and(|text| memchr::memmem::find(text, &m.line_text).is_some())
                })
            })
        }
    };
    if found.is_empty() {
        return;
    }
    let blob = job.id.to_string();
    for place in places {
        let origin = Origin::GitBlob {
            repository: place.repository.clone(),
            blob: blob.clone(),
            path: place.path.clone(),
            commit: place.commit.clone(),
        };
        for (line, description) in allows_added(rules, &place.path, &refused) {
            findings.add_synthetic(notice(Notice::AllowAdded, origin.clone(), line, description));
        }
        findings.add(&origin, found.clone());
    }
}

/// One `hush-allow-added` description per line of `refused` (matches kept
/// although an inline allow on their line would have allowed them).
fn allows_added(rules: &RuleSet, path: &str, refused: &[Located]) -> Vec<(u64, String)> {
    let mut by_line: std::collections::BTreeMap<u64, (&'static str, Vec<&str>)> = Default::default();
    for m in refused {
        let marker = inline_marker(&m.line_text).unwrap_or("hush:allow");
        let entry = by_line.entry(m.line).or_insert((marker, Vec::new()));
        let id = rules.rule(m.rule).id.as_str();
        if !entry.1.contains(&id) {
            entry.1.push(id);
        }
    }
    by_line
        .into_iter()
        .map(|(line, (marker, ids))| {
            let description = format!(
                "{path}:{line}: `{marker}` is not on the base branch: it is added in this range with the {} \
                 secret it would allow (reported as well)",
                ids.join(", ")
            );
            (line, description)
        })
        .collect()
}
