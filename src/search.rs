//! The search stage every source shares: how to scan ([`ScanOptions`]), one
//! worker's view of a scan ([`Context`]: its scanner, its results), dropping
//! what the allowlist allows, and how results are gathered — each worker keeps
//! its own [`Gathered`] and hands it to the run's [`Collector`] once, when it
//! ends, whatever the source — on one pool of `-j` threads ([`Pool`]).
//!
//! Sources (the walker, named files, stdin, archives, git blobs, image layers)
//! depend on this module; it depends on none of them.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use hush_rules::RuleSet;

use crate::allow::{inline_allows, Allowlist};
use crate::finding::{Finding, FindingSet};
use crate::origin::{display_path, Origin};
use crate::shard::Shard;
use crate::stats::ScanStats;
use crate::stream::{Located, StreamOutcome, StreamScanner};

/// How to scan; the CLI builds it from flags.
#[derive(Debug, Clone)]
pub struct ScanOptions {
    /// Ignore .gitignore, .ignore and .hushignore files.
    pub no_ignore: bool,
    /// Follow symbolic links while walking.
    pub follow_links: bool,
    /// Files larger than this are skipped (and noted).
    pub max_file_size: u64,
    /// Worker threads of every source (`-j`); 0 picks one per CPU (see [`Pool`]).
    pub threads: usize,
    /// Live counters for a progress display.
    pub progress: Option<Arc<Progress>>,
    /// What the repository's config allows.
    pub allow: Arc<Allowlist>,
    /// Allow globs are matched against paths relative to this directory (the
    /// config file's), and against paths as shown.
    pub allow_root: PathBuf,
    /// Which archives to open, and how far.
    pub archive: ArchiveOptions,
    /// hush's own files in the scanned tree (the baseline), canonical paths:
    /// skipped and counted as allowed paths.
    pub own_files: Vec<PathBuf>,
    /// How deep encoded runs are decoded and searched again (0: never).
    pub decode_depth: u32,
    /// Skip binaries (`--skip-binary`) instead of scanning their printable runs.
    pub skip_binary: bool,
    /// Which pieces of the scan are this run's (`--shard I/N`; see [`crate::shard`]).
    pub shard: Shard,
    /// The directories a file's shard key is relative to (set by the scan driver).
    pub shard_roots: Vec<PathBuf>,
}

impl Default for ScanOptions {
    fn default() -> Self {
        ScanOptions {
            no_ignore: false,
            follow_links: false,
            max_file_size: 1 << 30,
            threads: 0,
            progress: None,
            allow: Arc::new(Allowlist::default()),
            allow_root: PathBuf::new(),
            archive: ArchiveOptions::default(),
            own_files: Vec::new(),
            decode_depth: hush_rules::decode::DEFAULT_DEPTH,
            skip_binary: false,
            shard: Shard::WHOLE,
            shard_roots: Vec::new(),
        }
    }
}

/// Archive limits (`--archive-depth`, `--archive-max-bytes`, `--archive-max-ratio`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArchiveOptions {
    /// How many archives deep to open; 0 opens none.
    pub max_depth: u32,
    /// Most bytes read out of one outermost archive, all levels together.
    pub max_bytes: u64,
    /// Most bytes read out of an archive per byte of its size.
    pub max_ratio: u64,
}

impl Default for ArchiveOptions {
    fn default() -> Self {
        ArchiveOptions {
            max_depth: 3,
            max_bytes: 1 << 30,
            max_ratio: 100,
        }
    }
}

/// Files and bytes scanned so far, updated by the workers.
#[derive(Debug, Default)]
pub struct Progress {
    pub files: AtomicU64,
    pub bytes: AtomicU64,
}

impl Progress {
    pub(crate) fn add(&self, bytes: u64) {
        self.files.fetch_add(1, Ordering::Relaxed);
        self.bytes.fetch_add(bytes, Ordering::Relaxed);
    }
}

/// What a scan found and did.
#[derive(Debug)]
pub struct ScanOutcome {
    pub findings: Vec<Finding>,
    pub stats: ScanStats,
}

/// What one worker needs to scan a blob and keep what it found: its scanner
/// (scratch space), the options, and its own findings and statistics.
pub struct Context<'a, 's> {
    pub scanner: &'a mut StreamScanner<'s>,
    pub opts: &'a ScanOptions,
    pub stats: &'a mut ScanStats,
    pub findings: &'a mut FindingSet,
}

impl Context<'_, '_> {
    /// Scans a stream as text (no archive is opened) and keeps what it found,
    /// even when reading fails halfway (the caller records the error).
    pub fn scan_plain(&mut self, origin: &Origin, reader: &mut dyn std::io::Read) -> std::io::Result<()> {
        let mut found = Vec::new();
        let result = match self.scanner.scan_reader(reader, &mut found) {
            Ok(StreamOutcome::Binary) => {
                self.stats.skip(origin.display_path(), crate::stats::SkipReason::Binary);
                Ok(())
            }
            Ok(StreamOutcome::Scanned { bytes, content }) => {
                self.stats.scanned(bytes, content);
                if let Some(progress) = &self.opts.progress {
                    progress.add(bytes);
                }
                Ok(())
            }
            Err(e) => Err(e),
        };
        drop_allowed(self.scanner.rules(), self.opts, &mut found, self.stats);
        self.findings.add(origin, found);
        result
    }
}

/// Removes the matches that an inline annotation or the config's allowlist allows.
pub fn drop_allowed(rules: &RuleSet, opts: &ScanOptions, found: &mut Vec<Located>, stats: &mut ScanStats) {
    drop_allowed_where(rules, opts, found, stats, |_| true);
}

/// Like [`drop_allowed`], but an inline annotation counts only where
/// `trust_inline` says so (a range scan: where the annotated line is on the
/// base already); the matches kept despite their annotation are returned.
pub fn drop_allowed_where(
    rules: &RuleSet,
    opts: &ScanOptions,
    found: &mut Vec<Located>,
    stats: &mut ScanStats,
    mut trust_inline: impl FnMut(&Located) -> bool,
) -> Vec<Located> {
    let before = found.len();
    let mut refused = Vec::new();
    found.retain(|m| {
        if opts.allow.allows_match(m) {
            return false;
        }
        let id = &rules.rule(m.rule).id;
        if !inline_allows(&m.line_text, id, |word| rules.rules().iter().any(|r| r.id == word)) {
            return true;
        }
        if trust_inline(m) {
            return false;
        }
        refused.push(m.clone());
        true
    });
    stats.suppressed += (before - found.len()) as u64;
    refused
}

impl ScanOptions {
    /// Whether an `[allow] paths` glob covers `path`, or it is one of hush's
    /// own files.
    pub(crate) fn allows_path(&self, path: &Path) -> bool {
        let relative = path.strip_prefix(&self.allow_root).unwrap_or(path);
        self.allow.allows_path(relative) || self.allow.allows_path(&display_path(path)) || self.is_own_file(path)
    }

    /// Whether the file at `path` is this shard's (see [`crate::shard`]).
    pub(crate) fn owns_file(&self, path: &Path) -> bool {
        self.shard.owns_path(path, &self.shard_roots)
    }

    /// Whether `path` is one of [`ScanOptions::own_files`] (by name first, so
    /// only a file of the same name costs a `canonicalize`).
    fn is_own_file(&self, path: &Path) -> bool {
        self.own_files
            .iter()
            .any(|own| own.file_name() == path.file_name() && std::fs::canonicalize(path).is_ok_and(|p| &p == own))
    }
}

/// A worker's stream scanner, set up as `opts` asks (decoding depth, binaries).
pub fn scanner<'s>(rules: &'s RuleSet, opts: &ScanOptions) -> StreamScanner<'s> {
    let mut scanner = StreamScanner::new(rules);
    scanner.decode_depth = opts.decode_depth;
    scanner.skip_binary = opts.skip_binary;
    scanner
}

/// What one worker found and did.
#[derive(Default)]
pub struct Gathered {
    pub findings: FindingSet,
    pub stats: ScanStats,
}

/// Results that can be folded together (a worker's into the run's).
pub trait Merge: Default {
    fn merge(&mut self, other: Self);
}

impl Merge for Gathered {
    fn merge(&mut self, other: Gathered) {
        self.findings.merge(other.findings);
        self.stats.merge(other.stats);
    }
}

/// Where every worker of a run leaves its results, once, when it ends: the one
/// way results are gathered, whatever the source.
#[derive(Default)]
pub struct Collector<T = Gathered> {
    total: Mutex<T>,
}

impl<T: Merge> Collector<T> {
    pub fn new() -> Self {
        Collector {
            total: Mutex::new(T::default()),
        }
    }

    /// Adds one worker's results.
    pub fn add(&self, results: T) {
        // A worker that panicked while holding the lock left whole results.
        self.total.lock().unwrap_or_else(PoisonError::into_inner).merge(results);
    }

    /// Everything the workers added.
    pub fn into_inner(self) -> T {
        self.total.into_inner().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The run's worker threads: `-j N`, or one per CPU. Every source scans on this
/// many threads: the walker's, the named files' and git's pool, and an image's
/// layer readers and scanners together.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pool {
    threads: usize,
}

impl Pool {
    /// `requested` threads; 0 picks one per CPU.
    pub fn new(requested: usize) -> Pool {
        let threads = match requested {
            0 => std::thread::available_parallelism().map_or(1, usize::from),
            n => n,
        };
        Pool { threads }
    }

    pub fn threads(self) -> usize {
        self.threads
    }

    /// No more threads than there are `jobs` (and at least one).
    pub fn at_most(self, jobs: usize) -> Pool {
        Pool {
            threads: self.threads.min(jobs.max(1)),
        }
    }

    /// Runs `work` inside a rayon pool of exactly this many threads, so that
    /// every parallel iterator under it (git's diffing and blob scanning, named
    /// files) runs on them, never on rayon's global pool.
    pub fn install<R: Send>(self, work: impl FnOnce() -> R + Send) -> R {
        match rayon::ThreadPoolBuilder::new()
            .num_threads(self.threads)
            .thread_name(|i| format!("hush-worker-{i}"))
            .build()
        {
            Ok(pool) => pool.install(work),
            // No threads to be had: run here, on the caller's thread.
            Err(_) => work(),
        }
    }

    /// Runs `work` once on each thread of the pool (workers that pull their
    /// jobs from a shared queue), and returns when all have finished.
    pub fn broadcast(self, work: impl Fn() + Sync) {
        self.install(|| {
            rayon::broadcast(|_| work());
        });
    }
}
