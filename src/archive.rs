//! Archives found while scanning: zip-family files (zip, jar, war, whl, apk,
//! nupkg, ...), tar, and gzip, zstd, bzip2 or xz streams (so `.tar.gz`, `.tgz`,
//! `.gz`, `.zst`, `.tar.bz2`, `.tar.xz`, ...), opened in memory, nested up to a
//! depth, each member scanned as a file whose origin joins the outer and inner
//! names with `!`.
//!
//! The kind is told by magic bytes (gzip `1f 8b`, zstd `28 b5 2f fd`, bzip2
//! `BZh1`-`BZh9` followed by a block or end-of-stream marker, xz `fd 37 7a 58 5a
//! 00`, zip `PK\3\4`, tar `ustar` at 257 or a valid v7 header checksum in a
//! `.tar`), so a renamed archive is opened and a text file named `.zip` is
//! scanned as text. The xz decoder's dictionary is capped (`XZ_MEMORY_LIMIT_KB`),
//! so a crafted header cannot make it allocate gigabytes.
//!
//! Nothing is written to disk. Every byte read out of a decoder or a zip member
//! counts against one budget per outermost archive: at most `max_bytes`, and at
//! most `max_ratio` times the archive's own size (with a 10 MiB floor, so small
//! archives of very compressible text are not flagged). An archive that goes past
//! it is reported as an `archive-limit` finding and the rest of it is skipped.
//! A gzip or zstd stream counts as a level only when it does not hold a tar, so
//! `app.tar.gz` is one level and a jar in it is two.

use std::cell::Cell;
use std::io::{self, BufReader, Cursor, Read, Seek};

use hush_rules::RuleSet;

use crate::finding::FindingSet;
use crate::origin::Origin;
use crate::search::{ArchiveOptions, Context, ScanOptions, ScanOutcome};
use crate::stats::{ScanStats, SkipReason};

/// Below this many bytes read out, the ratio is not checked.
const RATIO_FLOOR: u64 = 10 << 20;
/// A zip inside another archive is read into memory (zip needs random access);
/// a larger one is skipped.
const ZIP_IN_MEMORY_MAX: u64 = 256 << 20;
/// The most memory the xz decoder may take (its dictionary): 256 MiB, above
/// what `xz -9` uses (64 MiB dictionary).
const XZ_MEMORY_LIMIT_KB: u32 = 256 << 10;
/// Bytes looked at to tell the kind of a stream (a tar header).
const HEAD_LEN: usize = 512;

/// What a stream is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Gzip,
    Zstd,
    Bzip2,
    Xz,
    Zip,
    Tar,
    Plain,
}

/// Tells the kind of a stream from its first bytes (and, for old tars without
/// the `ustar` magic, its name and header checksum).
pub(crate) fn classify(head: &[u8], name: &str) -> Kind {
    if head.starts_with(&[0x1f, 0x8b]) {
        Kind::Gzip
    } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        Kind::Zstd
    } else if is_bzip2(head) {
        Kind::Bzip2
    } else if head.starts_with(&[0xfd, b'7', b'z', b'X', b'Z', 0x00]) {
        Kind::Xz
    } else if head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06") {
        Kind::Zip
    } else if head.get(257..262) == Some(b"ustar") || (name.ends_with(".tar") && v7_tar_header(head)) {
        Kind::Tar
    } else {
        Kind::Plain
    }
}

/// The decoder of a compressed stream (gzip, zstd, bzip2, xz); any other kind
/// is passed through as it is.
pub(crate) fn decompressor<'r>(kind: Kind, reader: impl Read + 'r) -> io::Result<Box<dyn Read + 'r>> {
    Ok(match kind {
        Kind::Gzip => Box::new(flate2::read::MultiGzDecoder::new(reader)),
        Kind::Zstd => Box::new(zstd::stream::read::Decoder::new(reader)?),
        Kind::Bzip2 => Box::new(bzip2::read::MultiBzDecoder::new(reader)),
        Kind::Xz => Box::new(lzma_rust2::XzReader::new_mem_limit(reader, true, XZ_MEMORY_LIMIT_KB)),
        Kind::Zip | Kind::Tar | Kind::Plain => Box::new(reader),
    })
}

/// `BZh` and a block size digit, then the first block's magic (the digits of
/// pi) or the end-of-stream magic (the digits of the square root of pi): a text
/// that happens to start with `BZh9` is not taken for one.
fn is_bzip2(head: &[u8]) -> bool {
    const BLOCK: [u8; 6] = [0x31, 0x41, 0x59, 0x26, 0x53, 0x59];
    const END: [u8; 6] = [0x17, 0x72, 0x45, 0x38, 0x50, 0x90];
    head.len() >= 10
        && head.starts_with(b"BZh")
        && (b'1'..=b'9').contains(&head[3])
        && (head[4..10] == BLOCK || head[4..10] == END)
}

/// A 512-byte block whose checksum field matches its bytes.
fn v7_tar_header(head: &[u8]) -> bool {
    let Some(block) = head.get(..512) else {
        return false;
    };
    let field = String::from_utf8_lossy(&block[148..156]);
    let Ok(stored) = u32::from_str_radix(field.trim_matches(|c: char| c == '\0' || c == ' '), 8) else {
        return false;
    };
    let sum: u32 = block
        .iter()
        .enumerate()
        .map(|(i, &b)| {
            if (148..156).contains(&i) {
                u32::from(b' ')
            } else {
                u32::from(b)
            }
        })
        .sum();
    sum == stored
}

/// Reads up to `HEAD_LEN` bytes (fewer only at the end of the stream).
pub(crate) fn read_head(reader: &mut dyn Read) -> io::Result<Vec<u8>> {
    let mut head = Vec::with_capacity(HEAD_LEN);
    reader.take(HEAD_LEN as u64).read_to_end(&mut head)?;
    Ok(head)
}

/// The bytes one outermost archive may still yield.
pub(crate) struct Budget {
    left: Cell<u64>,
    exceeded: Cell<bool>,
    reason: String,
}

impl Budget {
    fn for_archive(size: u64, options: &ArchiveOptions) -> Budget {
        let by_ratio = size.saturating_mul(options.max_ratio).max(RATIO_FLOOR);
        let (limit, reason) = if by_ratio < options.max_bytes {
            (
                by_ratio,
                format!(
                    "expands past {}x its size of {size} bytes (--archive-max-ratio); the rest was not scanned",
                    options.max_ratio
                ),
            )
        } else {
            (
                options.max_bytes,
                format!(
                    "expands past {} bytes (--archive-max-bytes); the rest was not scanned",
                    options.max_bytes
                ),
            )
        };
        Budget {
            left: Cell::new(limit),
            exceeded: Cell::new(false),
            reason,
        }
    }

    fn exceeded(&self) -> bool {
        self.exceeded.get()
    }
}

/// A reader whose bytes count against a budget; past it, every read fails.
struct Metered<'b, R> {
    inner: R,
    budget: &'b Budget,
}

impl<R: Read> Read for Metered<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.budget.exceeded() {
            return Err(io::Error::other("archive limit reached"));
        }
        let n = self.inner.read(buf)?;
        match self.budget.left.get().checked_sub(n as u64) {
            Some(left) => {
                self.budget.left.set(left);
                Ok(n)
            }
            None => {
                self.budget.exceeded.set(true);
                Err(io::Error::other("archive limit reached"))
            }
        }
    }
}

/// Scans one file-like stream of `size` bytes: opens it if it is an archive
/// (and archives are on), else scans it as text. `depth` is how many archives
/// it is already inside; `budget` is the outermost archive's, if any.
pub(crate) fn scan_member(
    ctx: &mut Context,
    origin: &Origin,
    reader: &mut dyn Read,
    size: u64,
    depth: u32,
    budget: Option<&Budget>,
) -> io::Result<()> {
    let head = read_head(reader)?;
    let kind = match ctx.opts.archive.max_depth {
        0 => Kind::Plain,
        _ => classify(&head, &origin.display_path()),
    };
    let mut rest = Cursor::new(head).chain(reader);
    if kind == Kind::Plain {
        return ctx.scan_plain(origin, &mut rest);
    }
    if depth >= ctx.opts.archive.max_depth {
        ctx.stats.skip(origin.display_path(), SkipReason::TooDeep);
        return Ok(());
    }
    match budget {
        Some(budget) => open(ctx, origin, kind, &mut rest, depth + 1, budget),
        None => {
            let budget = Budget::for_archive(size, &ctx.opts.archive);
            let result = open(ctx, origin, kind, &mut rest, depth + 1, &budget);
            finish(ctx, origin, &budget, result);
            Ok(())
        }
    }
}

/// Scans a zip file on disk in place (it is seekable: nothing is buffered).
pub(crate) fn scan_zip_file(ctx: &mut Context, origin: &Origin, file: impl Read + Seek, size: u64) {
    let budget = Budget::for_archive(size, &ctx.opts.archive);
    let result = scan_zip(ctx, origin, file, 1, &budget);
    finish(ctx, origin, &budget, result);
}

/// Scans an in-memory file named `name` as the walker scans one on disk: a zip
/// in place, any other archive as a stream, anything else as text. The entry
/// point of the archive fuzz target and of tests that build archives in memory.
#[doc(hidden)]
pub fn scan_file_bytes(rules: &RuleSet, name: &str, bytes: &[u8], opts: &ScanOptions) -> ScanOutcome {
    let mut scanner = crate::search::scanner(rules, opts);
    let mut findings = FindingSet::new();
    let mut stats = ScanStats::default();
    let origin = Origin::File { path: name.into() };
    let mut ctx = Context {
        scanner: &mut scanner,
        opts,
        stats: &mut stats,
        findings: &mut findings,
    };
    let size = bytes.len() as u64;
    let result = if opts.archive.max_depth > 0 && classify(bytes, name) == Kind::Zip {
        scan_zip_file(&mut ctx, &origin, Cursor::new(bytes), size);
        Ok(())
    } else {
        scan_member(&mut ctx, &origin, &mut &bytes[..], size, 0, None)
    };
    if let Err(e) = result {
        ctx.stats.error(name, e.to_string());
    }
    stats.sort();
    ScanOutcome {
        findings: findings.into_findings(rules),
        stats,
    }
}

/// After the outermost archive: a limit hit is a finding, any other error is
/// the archive's.
fn finish(ctx: &mut Context, origin: &Origin, budget: &Budget, result: io::Result<()>) {
    if budget.exceeded() {
        ctx.findings.add_limit(origin.clone(), budget.reason.clone());
    } else if let Err(e) = result {
        ctx.stats.error(origin.display_path(), format!("archive: {e}"));
    }
}

/// Opens an archive of a known kind at level `depth` (1 = outermost).
fn open(
    ctx: &mut Context,
    origin: &Origin,
    kind: Kind,
    reader: &mut dyn Read,
    depth: u32,
    budget: &Budget,
) -> io::Result<()> {
    match kind {
        Kind::Gzip | Kind::Zstd | Kind::Bzip2 | Kind::Xz => {
            let decoder = decompressor(kind, reader)?;
            scan_decoded(ctx, origin, Metered { inner: decoder, budget }, depth, budget)
        }
        // Buffered: a tar is read one 512-byte header at a time.
        Kind::Tar => scan_tar(
            ctx,
            origin,
            &mut BufReader::with_capacity(64 << 10, reader),
            depth,
            budget,
        ),
        Kind::Zip => {
            let mut bytes = Vec::new();
            reader.take(ZIP_IN_MEMORY_MAX + 1).read_to_end(&mut bytes)?;
            if bytes.len() as u64 > ZIP_IN_MEMORY_MAX {
                ctx.stats.skip(origin.display_path(), SkipReason::ZipTooLarge);
                return Ok(());
            }
            scan_zip(ctx, origin, Cursor::new(bytes), depth, budget)
        }
        Kind::Plain => ctx.scan_plain(origin, reader),
    }
}

/// The decompressed content of a gzip or zstd stream: a tar is opened at the
/// same level, anything else is one member named like the stream without its
/// compression suffix.
fn scan_decoded(
    ctx: &mut Context,
    origin: &Origin,
    mut decoded: impl Read,
    depth: u32,
    budget: &Budget,
) -> io::Result<()> {
    let head = read_head(&mut decoded)?;
    let name = decompressed_name(&origin.display_path());
    let mut rest = Cursor::new(head.clone()).chain(decoded);
    if classify(&head, &name) == Kind::Tar {
        return scan_tar(ctx, origin, &mut rest, depth, budget);
    }
    let inner = Origin::Archive {
        outer: Box::new(origin.clone()),
        inner: name,
    };
    scan_member(ctx, &inner, &mut rest, 0, depth, Some(budget))
}

/// `a.txt.gz` → `a.txt`, `a.tgz` → `a.tar`, `a.zst` → `a`, `a.tar.xz` →
/// `a.tar`: the last name only.
fn decompressed_name(path: &str) -> String {
    let base = path.rsplit(['/', '!']).next().unwrap_or(path);
    for (suffix, replacement) in [
        (".tgz", ".tar"),
        (".gz", ""),
        (".zst", ""),
        (".zstd", ""),
        (".tbz2", ".tar"),
        (".tbz", ".tar"),
        (".bz2", ""),
        (".txz", ".tar"),
        (".xz", ""),
    ] {
        if let Some(stem) = base.strip_suffix(suffix) {
            if !stem.is_empty() {
                return format!("{stem}{replacement}");
            }
        }
    }
    "data".to_owned()
}

/// Each regular file in a tar stream, scanned as a member.
fn scan_tar(ctx: &mut Context, origin: &Origin, reader: &mut dyn Read, depth: u32, budget: &Budget) -> io::Result<()> {
    let mut archive = tar::Archive::new(reader);
    for entry in archive.entries()? {
        let mut entry = entry?;
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let inner = Origin::Archive {
            outer: Box::new(origin.clone()),
            inner: member_name(&entry.path_bytes()),
        };
        let size = entry.size();
        if size > ctx.opts.max_file_size {
            ctx.stats.skip(inner.display_path(), SkipReason::TooLarge);
            continue;
        }
        member(ctx, &inner, &mut entry, size, depth, budget)?;
    }
    Ok(())
}

/// Each file in a zip, scanned as a member; encrypted ones are skipped.
fn scan_zip<R: Read + Seek>(
    ctx: &mut Context,
    origin: &Origin,
    mut reader: R,
    depth: u32,
    budget: &Budget,
) -> io::Result<()> {
    let mut zip = match zip::ZipArchive::new(&mut reader) {
        Ok(zip) => zip,
        Err(broken) => return scan_broken_zip(ctx, origin, reader, broken, depth, budget),
    };
    for index in 0..zip.len() {
        let name = match zip.name_for_index(index) {
            Some(Ok(name)) => name.into_owned(),
            _ => format!("#{index}"),
        };
        let mut file = match zip.by_index(index) {
            Ok(file) => file,
            Err(zip::result::ZipError::UnsupportedArchive(zip::result::ZipError::PASSWORD_REQUIRED)) => {
                ctx.stats
                    .skip(format!("{}!{name}", origin.display_path()), SkipReason::Encrypted);
                continue;
            }
            Err(e) => return Err(io::Error::other(e)),
        };
        zip_member(ctx, origin, &mut file, depth, budget)?;
    }
    Ok(())
}

/// One zip member (from the central directory or a local header): skipped if
/// a directory or too large, else scanned like a file.
fn zip_member<R: Read>(
    ctx: &mut Context,
    origin: &Origin,
    file: &mut zip::read::ZipFile<'_, R>,
    depth: u32,
    budget: &Budget,
) -> io::Result<()> {
    if file.is_dir() {
        return Ok(());
    }
    let inner = Origin::Archive {
        outer: Box::new(origin.clone()),
        inner: member_name(file.name_raw()),
    };
    let size = file.size();
    if size > ctx.opts.max_file_size {
        ctx.stats.skip(inner.display_path(), SkipReason::TooLarge);
        return Ok(());
    }
    let mut metered = Metered { inner: file, budget };
    member(ctx, &inner, &mut metered, size, depth, budget)
}

/// A zip whose central directory cannot be read (truncated, corrupt, or not
/// really a zip): its members are read one by one from their local headers, as
/// far as they go, and if none could be read the raw bytes are scanned as a
/// file of their own. Either way the archive is named in a warning.
fn scan_broken_zip<R: Read + Seek>(
    ctx: &mut Context,
    origin: &Origin,
    mut reader: R,
    broken: zip::result::ZipError,
    depth: u32,
    budget: &Budget,
) -> io::Result<()> {
    reader.seek(io::SeekFrom::Start(0))?;
    let mut members = 0;
    let mut stopped = None;
    loop {
        let mut file = match zip::read::read_zipfile_from_stream(&mut reader) {
            Ok(Some(file)) => file,
            Ok(None) => break,
            Err(e) => {
                stopped = Some(e);
                break;
            }
        };
        members += 1;
        zip_member(ctx, origin, &mut file, depth, budget)?;
    }
    let what = match (members, stopped) {
        (0, _) => {
            reader.seek(io::SeekFrom::Start(0))?;
            ctx.scan_plain(origin, &mut reader)?;
            "its raw bytes were scanned instead".to_owned()
        }
        (n, Some(e)) => format!("{n} member(s) read from their local headers, then: {e}"),
        (n, None) => format!("{n} member(s) read from their local headers"),
    };
    ctx.stats
        .error(origin.display_path(), format!("archive: zip: {broken}; {what}"));
    Ok(())
}

/// Scans one member; an error in it is recorded as the member's and the
/// archive goes on (an error in the archive's own stream shows again at the
/// next member), unless the budget ran out: then the whole archive stops.
fn member(
    ctx: &mut Context,
    origin: &Origin,
    reader: &mut dyn Read,
    size: u64,
    depth: u32,
    budget: &Budget,
) -> io::Result<()> {
    match scan_member(ctx, origin, reader, size, depth, Some(budget)) {
        Err(e) if budget.exceeded() => Err(e),
        Err(e) => {
            ctx.stats.error(origin.display_path(), e.to_string());
            Ok(())
        }
        Ok(()) => Ok(()),
    }
}

/// A member's name as reports show it: lossy UTF-8, without a leading `./`.
pub(crate) fn member_name(raw: &[u8]) -> String {
    let name = String::from_utf8_lossy(raw);
    let mut name: &str = &name;
    while let Some(rest) = name.strip_prefix("./") {
        name = rest;
    }
    name.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_come_from_magic_bytes() {
        assert_eq!(classify(&[0x1f, 0x8b, 8], "x.txt"), Kind::Gzip);
        assert_eq!(classify(&[0x28, 0xb5, 0x2f, 0xfd], "x"), Kind::Zstd);
        assert_eq!(classify(b"BZh91AY&SY\x00", "x"), Kind::Bzip2);
        assert_eq!(classify(b"BZh9 is not a bzip2 stream", "x.bz2"), Kind::Plain);
        assert_eq!(classify(&[0xfd, b'7', b'z', b'X', b'Z', 0, 0, 4], "x"), Kind::Xz);
        assert_eq!(classify(b"PK\x03\x04rest", "a.txt"), Kind::Zip);
        assert_eq!(classify(b"just text", "a.zip"), Kind::Plain);
        let mut header = tar::Header::new_old();
        header.set_path("a.txt").expect("short path");
        header.set_size(0);
        header.set_cksum();
        assert_eq!(classify(header.as_bytes(), "old.tar"), Kind::Tar);
        assert_eq!(classify(header.as_bytes(), "old.bin"), Kind::Plain);
    }

    #[test]
    fn decompressed_names_drop_the_suffix() {
        assert_eq!(decompressed_name("logs/app.log.gz"), "app.log");
        assert_eq!(decompressed_name("a.tar!b.tgz"), "b.tar");
        assert_eq!(decompressed_name("x.zst"), "x");
        assert_eq!(decompressed_name("weird"), "data");
    }

    #[test]
    fn a_budget_stops_every_read_past_it() {
        let budget = Budget::for_archive(1, &ArchiveOptions::default());
        let zeros = io::repeat(0).take(RATIO_FLOOR + 1);
        let mut metered = Metered {
            inner: zeros,
            budget: &budget,
        };
        let err = io::copy(&mut metered, &mut io::sink()).expect_err("over the floor");
        assert!(err.to_string().contains("limit"));
        assert!(budget.exceeded());
        assert!(budget.reason.contains("--archive-max-ratio"), "{}", budget.reason);
    }
}
