//! The filesystem source: walks directories in parallel with the `ignore` crate
//! (the walker ripgrep uses: .gitignore, .ignore and .hushignore respected, hidden
//! files scanned, `.git/` skipped) and scans each regular file, one
//! [`StreamScanner`] per walker thread. Non-regular files are never opened for
//! reading (a FIFO would block forever, `/dev/zero` never ends), and every skip is
//! recorded.

use std::fs::{self, File, OpenOptions};
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use hush_rules::RuleSet;
use ignore::{DirEntry, ParallelVisitor, ParallelVisitorBuilder, WalkBuilder, WalkState};

use crate::archive;
use crate::finding::FindingSet;
use crate::origin::{display_path, Origin};
use crate::search::{Collector, Context, Gathered, Pool, ScanOptions};
use crate::stats::{ScanStats, SkipReason};
use crate::stream::StreamScanner;

/// Where a file to scan came from: named on the command line (it must be
/// readable: failing to open it is an input error) or found in a tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FileSource {
    Named,
    Found,
}

/// Scans one path that should be a regular file: checks its type and size
/// first, then streams it through the engine.
pub(crate) fn scan_file(
    scanner: &mut StreamScanner,
    path: &Path,
    opts: &ScanOptions,
    into: &mut Gathered,
    source: FileSource,
) {
    let shown = display_path(path);
    let name = shown.display().to_string();
    if opts.allows_path(path) {
        return into.stats.skip(name, SkipReason::AllowedPath);
    }
    let unopened = |stats: &mut crate::stats::ScanStats, name: String, e: std::io::Error| match source {
        FileSource::Named => stats.input_error(name, e.to_string()),
        FileSource::Found => stats.error(name, e.to_string()),
    };
    let meta = match fs::metadata(path) {
        Ok(meta) => meta,
        #[cfg(unix)]
        Err(e) if crate::deep::is_too_long(&e) => return crate::deep::scan_deep_file(scanner, path, opts, into),
        Err(e) => return unopened(&mut into.stats, name, e),
    };
    let Gathered { findings, stats } = into;
    if !meta.is_file() {
        return stats.skip(name, SkipReason::Special);
    }
    if meta.len() > opts.max_file_size {
        return stats.skip(name, SkipReason::TooLarge);
    }
    let file = match open_no_block(path) {
        Ok(file) => file,
        Err(e) => return unopened(stats, name, e),
    };
    scan_regular(scanner, opts, (findings, stats), (shown, name), file, meta.len());
}

/// Scans `file`, a regular file of `size` bytes shown as `shown` (`name` in
/// messages), opened and checked by the caller; an error while reading it is
/// recorded as its own.
pub(crate) fn scan_regular(
    scanner: &mut StreamScanner,
    opts: &ScanOptions,
    (findings, stats): (&mut FindingSet, &mut ScanStats),
    (shown, name): (PathBuf, String),
    file: File,
    size: u64,
) {
    let origin = Origin::File { path: shown };
    let mut ctx = Context {
        scanner,
        opts,
        stats,
        findings,
    };
    if let Err(e) = scan_opened(&mut ctx, &origin, file, size) {
        ctx.stats.error(name, e.to_string());
    }
}

/// Scans an open file: a zip in place, any other archive as a stream, text
/// through the engine. `take`: a file that grows while it is read still stops
/// at the size limit.
pub(crate) fn scan_opened(ctx: &mut Context, origin: &Origin, mut file: File, size: u64) -> std::io::Result<()> {
    if ctx.opts.archive.max_depth > 0 {
        let head = archive::read_head(&mut file)?;
        if archive::classify(&head, &origin.display_path()) == archive::Kind::Zip {
            archive::scan_zip_file(ctx, origin, BufReader::new(file), size);
            return Ok(());
        }
        file.seek(SeekFrom::Start(0))?;
    }
    let mut limited = file.take(ctx.opts.max_file_size);
    archive::scan_member(ctx, origin, &mut limited, size, 0, None)
}

/// Opens for reading without blocking: if a FIFO replaced the file after its type
/// was checked, the read fails instead of waiting for a writer forever.
fn open_no_block(path: &Path) -> std::io::Result<File> {
    let mut options = OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    options.open(path)
}

/// Walks `roots` (directories) in parallel and scans every file found.
/// The walker runs on `-j` threads of its own (the `ignore` crate's); each
/// thread's results go to `collector` when it ends.
pub(crate) fn walk(rules: &RuleSet, roots: &[PathBuf], opts: &ScanOptions, collector: &Collector) {
    let Some((first, rest)) = roots.split_first() else {
        return;
    };
    let mut builder = WalkBuilder::new(first);
    for root in rest {
        builder.add(root);
    }
    let respect = !opts.no_ignore;
    builder
        .hidden(false)
        .follow_links(opts.follow_links)
        .threads(Pool::new(opts.threads).threads())
        .ignore(respect)
        .git_ignore(respect)
        .git_global(respect)
        .git_exclude(respect)
        .parents(respect)
        .filter_entry(|entry| entry.file_name() != ".git");
    if respect {
        builder.add_custom_ignore_filename(".hushignore");
    }
    let mut workers = Workers { rules, opts, collector };
    builder.build_parallel().visit(&mut workers);
}

struct Workers<'a> {
    rules: &'a RuleSet,
    opts: &'a ScanOptions,
    collector: &'a Collector,
}

impl<'s> ParallelVisitorBuilder<'s> for Workers<'s> {
    fn build(&mut self) -> Box<dyn ParallelVisitor + 's> {
        Box::new(Worker {
            scanner: crate::search::scanner(self.rules, self.opts),
            opts: self.opts,
            collector: self.collector,
            gathered: Gathered::default(),
        })
    }
}

struct Worker<'a> {
    scanner: StreamScanner<'a>,
    opts: &'a ScanOptions,
    collector: &'a Collector,
    gathered: Gathered,
}

impl ParallelVisitor for Worker<'_> {
    fn visit(&mut self, entry: Result<DirEntry, ignore::Error>) -> WalkState {
        match entry {
            #[cfg(unix)]
            Err(e) if too_long_dir(&e).is_some() => {
                let dir = too_long_dir(&e).expect("checked").to_owned();
                crate::deep::scan_deep_dir(&mut self.scanner, &dir, self.opts, &mut self.gathered);
            }
            Err(e) => {
                let (path, message) = describe_walk_error(&e);
                // Depth 0 is a directory named on the command line.
                if e.depth() == Some(0) {
                    self.gathered.stats.input_error(path, message);
                } else {
                    self.gathered.stats.error(path, message);
                }
            }
            // Every shard walks every directory; a file is one shard's.
            Ok(entry) if !entry.file_type().is_some_and(|t| t.is_dir()) && !self.opts.owns_file(entry.path()) => {}
            Ok(entry) => match entry.file_type() {
                Some(t) if t.is_dir() => {}
                Some(t) if t.is_symlink() => self
                    .gathered
                    .stats
                    .skip(display_path(entry.path()).display().to_string(), SkipReason::Symlink),
                Some(t) if t.is_file() => scan_file(
                    &mut self.scanner,
                    entry.path(),
                    self.opts,
                    &mut self.gathered,
                    FileSource::Found,
                ),
                _ => self
                    .gathered
                    .stats
                    .skip(display_path(entry.path()).display().to_string(), SkipReason::Special),
            },
        }
        WalkState::Continue
    }
}

impl Drop for Worker<'_> {
    fn drop(&mut self) {
        self.collector.add(std::mem::take(&mut self.gathered));
    }
}

/// The directory a walker error could not read because its path is too long.
#[cfg(unix)]
fn too_long_dir(error: &ignore::Error) -> Option<&Path> {
    match error {
        ignore::Error::WithPath { path, err } => match err.as_ref() {
            ignore::Error::Io(io) if crate::deep::is_too_long(io) => Some(path),
            inner => too_long_dir(inner),
        },
        ignore::Error::WithDepth { err, .. } => too_long_dir(err),
        _ => None,
    }
}

/// The path and message of a walker error (loops, unreadable directories).
fn describe_walk_error(error: &ignore::Error) -> (String, String) {
    match error {
        ignore::Error::WithPath { path, err } => (display_path(path).display().to_string(), describe_walk_error(err).1),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => describe_walk_error(err),
        ignore::Error::Loop { child, ancestor } => (
            display_path(child).display().to_string(),
            format!("symbolic link loop: points to its ancestor {}", ancestor.display()),
        ),
        other => (String::new(), other.to_string()),
    }
}
