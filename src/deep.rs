//! Directories too deep for a path. A tree can nest deeper than the system's
//! path limit (`PATH_MAX`, 4,096 bytes on Linux): every call that takes a whole
//! path then fails with "file name too long", and a file placed there would be
//! out of any path-based scanner's reach. When the walker meets such a
//! directory, it is walked here instead, from directory handles: each directory
//! is opened relative to its parent's handle (`openat`), one name at a time, so
//! no path handed to the system is longer than one name.
//!
//! Inside such a directory every regular file is scanned (symbolic links are
//! not followed, `.git` is left out, the config's allowlist paths apply); ignore
//! files are not read there, so the walk errs on the side of scanning more.

use std::ffi::OsStr;
use std::fs::File;
use std::os::fd::OwnedFd;
use std::os::unix::ffi::OsStrExt;
use std::path::{Component, Path, PathBuf};

use rustix::fs::{openat, Dir, FileType, Mode, OFlags, CWD};

use crate::origin::display_path;
use crate::search::{Gathered, ScanOptions};
use crate::stats::SkipReason;
use crate::stream::StreamScanner;

/// Whether `error` is the system saying a path is too long.
pub(crate) fn is_too_long(error: &std::io::Error) -> bool {
    error.raw_os_error() == Some(libc::ENAMETOOLONG)
}

/// Scans every file under `dir`, a directory whose path is too long to open.
pub(crate) fn scan_deep_dir(scanner: &mut StreamScanner, dir: &Path, opts: &ScanOptions, into: &mut Gathered) {
    match open_by_components(dir) {
        Ok(handle) => walk(scanner, handle, dir, opts, into),
        Err(e) => into.stats.error(display_path(dir).display().to_string(), e.to_string()),
    }
}

/// Scans file `path`, whose path is too long to open, from its directory's
/// handle.
pub(crate) fn scan_deep_file(scanner: &mut StreamScanner, path: &Path, opts: &ScanOptions, into: &mut Gathered) {
    let parent = path.parent().unwrap_or(Path::new("."));
    match open_by_components(parent) {
        Ok(handle) => scan_file_at(scanner, &handle, path, opts, into),
        Err(e) => into
            .stats
            .error(display_path(path).display().to_string(), e.to_string()),
    }
}

/// Opens directory `path` one component at a time, each relative to the last.
fn open_by_components(path: &Path) -> std::io::Result<OwnedFd> {
    let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC;
    let mut handle: Option<OwnedFd> = None;
    for component in path.components() {
        let name: &OsStr = match component {
            Component::RootDir => OsStr::new("/"),
            Component::CurDir => OsStr::new("."),
            Component::ParentDir => OsStr::new(".."),
            Component::Normal(name) => name,
            Component::Prefix(_) => continue,
        };
        let next = match &handle {
            Some(parent) => openat(parent, name, flags, Mode::empty()),
            None => openat(CWD, name, flags, Mode::empty()),
        }?;
        handle = Some(next);
    }
    match handle {
        Some(handle) => Ok(handle),
        None => Ok(openat(CWD, ".", flags, Mode::empty())?),
    }
}

/// Scans the files under the open directory `handle` (shown as `path`), depth
/// first. Directories are kept open only along the current branch.
fn walk(scanner: &mut StreamScanner, handle: OwnedFd, path: &Path, opts: &ScanOptions, into: &mut Gathered) {
    let name = || display_path(path).display().to_string();
    let entries = match Dir::read_from(&handle) {
        Ok(entries) => entries,
        Err(e) => return into.stats.error(name(), std::io::Error::from(e).to_string()),
    };
    let mut subdirs: Vec<PathBuf> = Vec::new();
    let mut files: Vec<PathBuf> = Vec::new();
    for entry in entries {
        let entry = match entry {
            Ok(entry) => entry,
            Err(e) => {
                into.stats.error(name(), std::io::Error::from(e).to_string());
                break;
            }
        };
        let file_name = OsStr::from_bytes(entry.file_name().to_bytes());
        if file_name == "." || file_name == ".." {
            continue;
        }
        let kind = match entry.file_type() {
            FileType::Unknown => match rustix::fs::statat(&handle, file_name, rustix::fs::AtFlags::SYMLINK_NOFOLLOW) {
                Ok(stat) => FileType::from_raw_mode(stat.st_mode),
                Err(_) => FileType::Unknown,
            },
            kind => kind,
        };
        let child = path.join(file_name);
        if kind != FileType::Directory && !opts.owns_file(&child) {
            continue;
        }
        match kind {
            FileType::Directory if file_name != ".git" => subdirs.push(child),
            FileType::Directory => {}
            FileType::RegularFile => files.push(child),
            FileType::Symlink => into
                .stats
                .skip(display_path(&child).display().to_string(), SkipReason::Symlink),
            _ => into
                .stats
                .skip(display_path(&child).display().to_string(), SkipReason::Special),
        }
    }
    files.sort();
    subdirs.sort();
    for file in &files {
        scan_file_at(scanner, &handle, file, opts, into);
    }
    for dir in &subdirs {
        let leaf = dir.file_name().unwrap_or_default();
        match openat(
            &handle,
            leaf,
            OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC,
            Mode::empty(),
        ) {
            Ok(child) => walk(scanner, child, dir, opts, into),
            Err(e) => into.stats.error(
                display_path(dir).display().to_string(),
                std::io::Error::from(e).to_string(),
            ),
        }
    }
}

/// Scans regular file `path`, opened relative to its directory's handle.
fn scan_file_at(scanner: &mut StreamScanner, dir: &OwnedFd, path: &Path, opts: &ScanOptions, into: &mut Gathered) {
    let Gathered { findings, stats } = into;
    let shown = display_path(path);
    let name = shown.display().to_string();
    if opts.allows_path(path) {
        return stats.skip(name, SkipReason::AllowedPath);
    }
    let leaf = path.file_name().unwrap_or_default();
    // Non-blocking and not following links: a FIFO or a link swapped in after
    // the directory was read is not waited on or followed.
    let flags = OFlags::RDONLY | OFlags::NONBLOCK | OFlags::NOFOLLOW | OFlags::CLOEXEC;
    let file = match openat(dir, leaf, flags, Mode::empty()) {
        Ok(fd) => File::from(fd),
        Err(e) => return stats.error(name, std::io::Error::from(e).to_string()),
    };
    let meta = match file.metadata() {
        Ok(meta) => meta,
        Err(e) => return stats.error(name, e.to_string()),
    };
    if !meta.is_file() {
        return stats.skip(name, SkipReason::Special);
    }
    if meta.len() > opts.max_file_size {
        return stats.skip(name, SkipReason::TooLarge);
    }
    crate::walk::scan_regular(scanner, opts, (findings, stats), (shown, name), file, meta.len());
}
