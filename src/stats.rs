//! What a scan did: files and bytes scanned, every file it skipped and why, every
//! error. Each worker thread keeps its own and they are merged at the end.

use std::collections::HashSet;
use std::fmt;
use std::thread::ThreadId;

/// Why a file was not scanned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SkipReason {
    /// A binary (see `crate::text`), with `--skip-binary`.
    Binary,
    /// Larger than `--max-file-size`.
    TooLarge,
    /// A FIFO, socket or device: reading it could block forever or never end.
    Special,
    /// A symbolic link, not followed without `--follow`.
    Symlink,
    /// Matched by an `[allow] paths` glob of `.hush.toml`.
    AllowedPath,
    /// A file named on the command line that `.hushignore` keeps out.
    Ignored,
    /// A Git LFS pointer: the content is not in the repository.
    LfsPointer,
    /// An archive nested deeper than `--archive-depth`.
    TooDeep,
    /// An encrypted archive member.
    Encrypted,
    /// A zip inside another archive, too large to hold in memory (reading a zip
    /// needs random access, and hush never unpacks to disk).
    ZipTooLarge,
}

impl fmt::Display for SkipReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SkipReason::Binary => "binary",
            SkipReason::TooLarge => "larger than --max-file-size",
            SkipReason::Special => "not a regular file (FIFO, socket or device)",
            SkipReason::Symlink => "symbolic link (use --follow to follow)",
            SkipReason::AllowedPath => "allowed by an [allow] paths glob",
            SkipReason::Ignored => "matched by .hushignore",
            SkipReason::LfsPointer => "Git LFS pointer (content stored outside the repository)",
            SkipReason::TooDeep => "archive nested deeper than --archive-depth",
            SkipReason::Encrypted => "encrypted archive member",
            SkipReason::ZipTooLarge => "zip inside an archive, larger than 256 MiB",
        })
    }
}

/// A file that was not scanned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skip {
    pub path: String,
    pub reason: SkipReason,
}

/// A path that could not be scanned, or not wholly, because of an error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScanError {
    pub path: String,
    pub message: String,
    /// A named input — a path given on the command line, stdin, an image
    /// named to `hush image` — could not be read at all. Other errors (a file
    /// inside a tree, an archive member, a git object, an image layer) leave
    /// part of the content unread while the rest of the scan goes on: they are
    /// warnings, and change the exit code only with `--strict`.
    pub input: bool,
}

impl fmt::Display for ScanError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

/// Counters and lists of one scan (or one worker's share of it).
#[derive(Debug, Clone, Default)]
pub struct ScanStats {
    pub files_scanned: u64,
    pub bytes_scanned: u64,
    pub utf16_files: u64,
    /// Binaries scanned over their printable runs (provider rules only).
    pub binary_files: u64,
    /// Matches dropped by an inline annotation or the config's allowlist.
    pub suppressed: u64,
    pub skips: Vec<Skip>,
    pub errors: Vec<ScanError>,
    /// Things a user should know that are not errors (a shallow clone, a
    /// submodule not followed).
    pub notes: Vec<String>,
    /// The repository a git scan read, for SARIF's `versionControlProvenance`.
    pub repository: Option<RepositoryInfo>,
    /// The threads that scanned content: at most `-j` of them.
    pub threads: HashSet<ThreadId>,
    /// What the command was asked to scan, as a person reads it (`directory
    /// src`, `git history of ., range main..HEAD`, `image app.tar`): set by the
    /// command line, shown by the HTML report's summary.
    pub inputs: Vec<String>,
    /// Which shard of the work this scan was (`--shard I/N`), if sharded.
    pub shard: Option<crate::shard::Shard>,
}

/// Where a scanned repository lives and what was checked out: its remote's URL
/// (never with credentials), HEAD's commit and branch.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RepositoryInfo {
    pub uri: String,
    pub revision: Option<String>,
    pub branch: Option<String>,
}

/// An error and its causes on one line (`object 1a2b…: cannot decode it: …`),
/// as a report shows it: typed errors hold their cause instead of its text.
pub fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut cause = error.source();
    while let Some(inner) = cause {
        let more = inner.to_string();
        // Some errors already end with their cause's text: do not say it twice.
        if !text.ends_with(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        cause = inner.source();
    }
    text
}

impl ScanStats {
    pub fn skip(&mut self, path: impl Into<String>, reason: SkipReason) {
        self.skips.push(Skip {
            path: path.into(),
            reason,
        });
    }

    /// Content that could not be read while the rest of the scan went on.
    pub fn error(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.errors.push(ScanError {
            path: path.into(),
            message: message.into(),
            input: false,
        });
    }

    /// A named input that could not be read at all (see [`ScanError::input`]).
    pub fn input_error(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.errors.push(ScanError {
            path: path.into(),
            message: message.into(),
            input: true,
        });
    }

    /// Whether a named input could not be read.
    pub fn input_unread(&self) -> bool {
        self.errors.iter().any(|e| e.input)
    }

    /// Counts one scanned file (or blob, or member) of `bytes` bytes, on the
    /// calling thread.
    pub fn scanned(&mut self, bytes: u64, content: crate::stream::Content) {
        use crate::stream::Content;
        self.files_scanned += 1;
        self.bytes_scanned += bytes;
        self.utf16_files += u64::from(content == Content::Utf16);
        self.binary_files += u64::from(content == Content::Binary);
        self.threads.insert(std::thread::current().id());
    }

    pub fn merge(&mut self, other: ScanStats) {
        self.files_scanned += other.files_scanned;
        self.bytes_scanned += other.bytes_scanned;
        self.utf16_files += other.utf16_files;
        self.binary_files += other.binary_files;
        self.suppressed += other.suppressed;
        self.skips.extend(other.skips);
        self.errors.extend(other.errors);
        self.notes.extend(other.notes);
        self.threads.extend(other.threads);
        self.inputs.extend(other.inputs);
        if self.repository.is_none() {
            self.repository = other.repository;
        }
    }

    /// Sorts skips and errors by path, so output does not depend on thread timing.
    pub fn sort(&mut self) {
        self.skips.sort_by(|a, b| a.path.cmp(&b.path));
        self.errors.sort_by(|a, b| a.path.cmp(&b.path));
    }

    /// How many files were skipped for `reason`.
    pub fn skipped(&self, reason: SkipReason) -> usize {
        self.skips.iter().filter(|s| s.reason == reason).count()
    }
}
