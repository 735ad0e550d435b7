//! Scanning the blobs a history walk (or the index) selected: each unique blob
//! once, in parallel with rayon, one repository handle and one stream scanner per
//! thread; each match is reported at every path and commit that introduced it.

use std::sync::Arc;

use gix::hash::ObjectId;
use gix::objs::Kind;
use hush_rules::RuleSet;
use rayon::prelude::*;

use super::objects::ObjectReader;
use crate::finding::FindingSet;
use crate::origin::{CommitMeta, Origin};
use crate::search::{drop_allowed, Collector, Gathered, ScanOptions};
use crate::stats::{error_chain, ScanStats, SkipReason};
use crate::stream::{StreamOutcome, StreamScanner};

/// Git LFS pointer files start with this; their content lives elsewhere.
const LFS_POINTER: &[u8] = b"version https://git-lfs.github.com/spec/v1";

/// One place a blob is found: its path and the commit that introduced it there
/// (none for staged or unreachable blobs).
#[derive(Debug, Clone)]
pub struct BlobPlace {
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
/// [`crate::search::Pool`]); each worker's results go to `collector`.
pub fn scan_blobs(
    repo: &gix::ThreadSafeRepository,
    rules: &RuleSet,
    jobs: Vec<BlobJob>,
    max_blob_size: u64,
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
        |worker, job| worker.scan(&job, max_blob_size, opts),
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
    fn scan(&mut self, job: &BlobJob, max_blob_size: u64, opts: &ScanOptions) {
        let mut reader = ObjectReader::with_buffer(&self.repo, std::mem::take(&mut self.buf));
        let Gathered { findings, stats } = &mut self.gathered;
        scan_one(
            &mut reader,
            &mut self.scanner,
            job,
            max_blob_size,
            opts,
            findings,
            stats,
        );
        self.buf = reader.into_buffer();
    }
}

impl Drop for Worker<'_> {
    fn drop(&mut self) {
        self.collector.add(std::mem::take(&mut self.gathered));
    }
}

fn scan_one(
    reader: &mut ObjectReader,
    scanner: &mut StreamScanner,
    job: &BlobJob,
    max_blob_size: u64,
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
    drop_allowed(rules, opts, &mut found, stats);
    if found.is_empty() {
        return;
    }
    let blob = job.id.to_string();
    for place in places {
        let origin = Origin::GitBlob {
            blob: blob.clone(),
            path: place.path.clone(),
            commit: place.commit.clone(),
        };
        findings.add(&origin, found.clone());
    }
}
