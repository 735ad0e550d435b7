//! The scan driver: sorts the paths a user named into stdin, single files and
//! directory roots, runs the sources, and gathers findings and statistics.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use hush_rules::RuleSet;

use crate::allow::{inline_allows, Allowlist};
use crate::archive::ArchiveOptions;
use crate::finding::{Finding, FindingSet};
use crate::named::scan_named_files;
use crate::origin::Origin;
use crate::stats::ScanStats;
use crate::stream::Located;
use crate::stream::{StreamOutcome, StreamScanner};
use crate::walk::{display_path, walk, Shared};

/// How to scan; the CLI builds it from flags.
#[derive(Debug, Clone)]
pub struct ScanOptions {
    /// Ignore .gitignore, .ignore and .hushignore files.
    pub no_ignore: bool,
    /// Follow symbolic links while walking.
    pub follow_links: bool,
    /// Files larger than this are skipped (and noted).
    pub max_file_size: u64,
    /// Walker threads; 0 picks from the number of CPUs.
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

/// Scans `paths` (`-` is stdin) with `rules`.
pub fn scan(rules: &RuleSet, paths: &[PathBuf], opts: &ScanOptions) -> ScanOutcome {
    let mut findings = FindingSet::new();
    let mut stats = ScanStats::default();
    let mut roots = Vec::new();
    let mut files = Vec::new();
    for path in paths {
        if path.as_os_str() == "-" {
            scan_stdin(&mut StreamScanner::new(rules), opts, &mut stats, &mut findings);
            continue;
        }
        match std::fs::metadata(path) {
            Err(e) => stats.error(display_path(path).display().to_string(), describe_missing(path, &e)),
            Ok(meta) if meta.is_dir() => roots.push(path.clone()),
            Ok(_) => files.push(path.clone()),
        }
    }
    scan_named_files(rules, &files, opts, &mut findings, &mut stats);
    let shared: Shared = Mutex::new((findings, stats));
    walk(rules, &roots, opts, &shared);
    let (findings, mut stats) = shared.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner);
    stats.sort();
    ScanOutcome {
        findings: findings.into_findings(rules),
        stats,
    }
}

fn describe_missing(path: &Path, e: &std::io::Error) -> String {
    if e.kind() == std::io::ErrorKind::NotFound && std::fs::symlink_metadata(path).is_ok() {
        "broken symbolic link".to_owned()
    } else {
        e.to_string()
    }
}

fn scan_stdin(scanner: &mut StreamScanner, opts: &ScanOptions, stats: &mut ScanStats, findings: &mut FindingSet) {
    let mut found = Vec::new();
    match scanner.scan_reader(std::io::stdin().lock(), &mut found) {
        Ok(StreamOutcome::Scanned { bytes, utf16 }) => {
            stats.files_scanned += 1;
            stats.bytes_scanned += bytes;
            stats.utf16_files += u64::from(utf16);
        }
        Ok(StreamOutcome::Binary) => stats.skip("-", crate::stats::SkipReason::Binary),
        Err(e) => stats.error("-", e.to_string()),
    }
    drop_allowed(scanner.rules(), opts, &mut found, stats);
    findings.add(&Origin::Stdin, found);
}

/// What one worker needs to scan a blob and keep what it found: its scanner
/// (scratch space), the options, and its own findings and statistics.
pub(crate) struct Context<'a, 's> {
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
            Ok(StreamOutcome::Scanned { bytes, utf16 }) => {
                self.stats.files_scanned += 1;
                self.stats.bytes_scanned += bytes;
                self.stats.utf16_files += u64::from(utf16);
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
pub(crate) fn drop_allowed(rules: &RuleSet, opts: &ScanOptions, found: &mut Vec<Located>, stats: &mut ScanStats) {
    let before = found.len();
    found.retain(|m| {
        let id = &rules.rule(m.rule).id;
        !inline_allows(&m.line_text, id, |word| rules.rules().iter().any(|r| r.id == word))
            && !opts.allow.allows_match(m)
    });
    stats.suppressed += (before - found.len()) as u64;
}

impl ScanOptions {
    /// Whether an `[allow] paths` glob covers `path`, or it is one of hush's
    /// own files.
    pub(crate) fn allows_path(&self, path: &Path) -> bool {
        let relative = path.strip_prefix(&self.allow_root).unwrap_or(path);
        self.allow.allows_path(relative) || self.allow.allows_path(&display_path(path)) || self.is_own_file(path)
    }

    /// Whether `path` is one of [`ScanOptions::own_files`] (by name first, so
    /// only a file of the same name costs a `canonicalize`).
    fn is_own_file(&self, path: &Path) -> bool {
        self.own_files
            .iter()
            .any(|own| own.file_name() == path.file_name() && std::fs::canonicalize(path).is_ok_and(|p| &p == own))
    }
}
