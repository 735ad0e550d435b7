//! Scanning layers: each layer blob (plain, gzip or zstd tar, told by magic
//! bytes) is read as a stream straight from the image, its whiteouts noted and
//! each file scanned, archives in it opened.
//!
//! Readers decompress layers (one per layer at a time, several layers at once)
//! and hand small files to scanning threads through a bounded queue; a file
//! over 1 MiB is scanned by its reader as a stream. Readers and scanners
//! together are the run's `-j` threads; with `-j 1` one thread reads each layer
//! and scans its files in turn. Memory stays bounded: the queue holds at most
//! 32 small files, a large file costs one scanner chunk.
//! Paths in a layer are names only: nothing is ever written to or resolved on
//! the filesystem.

use std::collections::{HashMap, HashSet};
use std::io::{self, BufReader, Cursor, Read};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::Mutex;

use hush_rules::RuleSet;

use super::store::Store;
use crate::archive::{self, member_name, Kind};
use crate::finding::FindingSet;
use crate::origin::Origin;
use crate::search::{Collector, Context, Merge, Pool, ScanOptions};
use crate::stats::{ScanStats, SkipReason};

/// Files up to this size go to the scanning threads; larger ones are streamed.
const INLINE_MAX: u64 = 1 << 20;
/// Small files waiting for a scanning thread.
const QUEUE: usize = 32;

/// One layer blob to scan, with the origin of its first use in the image
/// (`path` empty); other uses get copies of its findings.
pub(crate) struct LayerJob {
    pub blob: String,
    pub template: Origin,
    /// How errors in this layer are named: `image.tar!sha256:…`.
    pub label: String,
    /// Another shard scans this layer: read only its whiteouts.
    pub whiteouts_only: bool,
}

/// What scanning one layer found.
#[derive(Default, Clone)]
pub(crate) struct LayerScan {
    pub findings: FindingSet,
    pub whiteouts: Whiteouts,
}

/// The paths a layer deletes from the layers below it.
#[derive(Debug, Default, Clone)]
pub(crate) struct Whiteouts {
    /// `dir/.wh.name` deletes `dir/name` (and everything under it).
    hidden: HashSet<String>,
    /// `dir/.wh..wh..opq` deletes everything below `dir` from lower layers.
    opaque: HashSet<String>,
}

impl Whiteouts {
    /// Notes a whiteout entry; false if `path` is an ordinary file.
    fn note(&mut self, path: &str) -> bool {
        let (dir, base) = path.rsplit_once('/').unwrap_or(("", path));
        if base == ".wh..wh..opq" {
            self.opaque.insert(dir.to_owned());
        } else if let Some(name) = base.strip_prefix(".wh.") {
            if name.starts_with(".wh.") {
                return true; // other aufs metadata (`.wh..wh.plnk`): not a deletion
            }
            let hidden = if dir.is_empty() {
                name.to_owned()
            } else {
                format!("{dir}/{name}")
            };
            self.hidden.insert(hidden);
        } else {
            return false;
        }
        true
    }

    /// Whether this layer's whiteouts delete `path` of a lower layer.
    pub fn hides(&self, path: &str) -> bool {
        if self.hidden.is_empty() && self.opaque.is_empty() {
            return false;
        }
        if self.opaque.contains("") || self.hidden.contains(path) {
            return true;
        }
        path.match_indices('/').any(|(at, _)| {
            let dir = &path[..at];
            self.hidden.contains(dir) || self.opaque.contains(dir)
        })
    }
}

/// A small file on its way to a scanning thread.
struct Member {
    job: usize,
    origin: Origin,
    bytes: Vec<u8>,
}

/// What one thread found, per job.
#[derive(Default)]
struct Share {
    scans: HashMap<usize, LayerScan>,
    stats: ScanStats,
}

impl Merge for Share {
    fn merge(&mut self, other: Share) {
        for (job, scan) in other.scans {
            let slot = self.scans.entry(job).or_default();
            slot.findings.merge(scan.findings);
            slot.whiteouts.hidden.extend(scan.whiteouts.hidden);
            slot.whiteouts.opaque.extend(scan.whiteouts.opaque);
        }
        self.stats.merge(other.stats);
    }
}

/// Scans every job's layer; the result is in the order of `jobs`.
pub(crate) fn scan_layers(
    rules: &RuleSet,
    store: &Store,
    jobs: &[LayerJob],
    opts: &ScanOptions,
) -> (Vec<LayerScan>, ScanStats) {
    let threads = Pool::new(opts.threads).threads();
    let next = AtomicUsize::new(0);
    let collector = Collector::<Share>::new();
    if threads == 1 {
        // One thread does it all: each layer is read and its files scanned in turn.
        read_layers(rules, store, jobs, opts, &next, None, &collector);
    } else {
        // Readers and scanners share the `-j` threads; scanners get the rest.
        let readers = (threads / 2).clamp(1, jobs.len().max(1));
        let scanners = threads - readers;
        let (sender, receiver) = sync_channel::<Member>(QUEUE);
        let receiver = Mutex::new(receiver);
        std::thread::scope(|scope| {
            for _ in 0..readers {
                let sender = sender.clone();
                let (next, collector) = (&next, &collector);
                scope.spawn(move || read_layers(rules, store, jobs, opts, next, Some(&sender), collector));
            }
            drop(sender);
            for _ in 0..scanners {
                let (receiver, collector) = (&receiver, &collector);
                scope.spawn(move || scan_members(rules, opts, receiver, collector));
            }
        });
    }
    let Share { mut scans, stats } = collector.into_inner();
    let in_order = (0..jobs.len())
        .map(|job| scans.remove(&job).unwrap_or_default())
        .collect();
    (in_order, stats)
}

/// A reader thread: takes layers until none are left; small files go to the
/// scanning threads through `sender`, or are scanned here when there is none.
fn read_layers(
    rules: &RuleSet,
    store: &Store,
    jobs: &[LayerJob],
    opts: &ScanOptions,
    next: &AtomicUsize,
    sender: Option<&SyncSender<Member>>,
    collector: &Collector<Share>,
) {
    let mut scanner = crate::search::scanner(rules, opts);
    let mut share = Share::default();
    loop {
        let index = next.fetch_add(1, Ordering::Relaxed);
        let Some(job) = jobs.get(index) else {
            return collector.add(share);
        };
        let scan = share.scans.entry(index).or_default();
        let mut ctx = Context {
            scanner: &mut scanner,
            opts,
            stats: &mut share.stats,
            findings: &mut scan.findings,
        };
        if let Err(e) = read_layer(&mut ctx, &mut scan.whiteouts, store, job, index, sender) {
            ctx.stats.error(job.label.clone(), format!("layer: {e}"));
        }
    }
}

/// Reads one layer: whiteouts noted, small files queued, large ones scanned.
fn read_layer(
    ctx: &mut Context,
    whiteouts: &mut Whiteouts,
    store: &Store,
    job: &LayerJob,
    index: usize,
    sender: Option<&SyncSender<Member>>,
) -> io::Result<()> {
    let (raw, _) = store
        .open_file(&job.blob)
        .map_err(io::Error::other)?
        .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, format!("{} is not in the image", job.blob)))?;
    let mut raw = BufReader::with_capacity(256 << 10, raw);
    let head = archive::read_head(&mut raw)?;
    let kind = archive::classify(&head, "");
    if kind == Kind::Zip {
        return Err(io::Error::other("a zip, not a tar layer"));
    }
    let stream = archive::decompressor(kind, Cursor::new(head).chain(&mut raw))?;
    let mut tar = tar::Archive::new(stream);
    read_entries(ctx, whiteouts, &mut tar, job, index, sender)?;
    drop(tar);
    if store.verifies() {
        // The blob's digest is checked at its end: read what the tar left
        // (its padding, the compressor's trailer).
        io::copy(&mut raw, &mut io::sink())?;
    }
    Ok(())
}

/// Each entry of a layer's tar: whiteouts noted, small files queued, large
/// ones scanned.
fn read_entries<R: Read>(
    ctx: &mut Context,
    whiteouts: &mut Whiteouts,
    tar: &mut tar::Archive<R>,
    job: &LayerJob,
    index: usize,
    sender: Option<&SyncSender<Member>>,
) -> io::Result<()> {
    for entry in tar.entries()? {
        let mut entry = entry?;
        let path = layer_path(&entry.path_bytes());
        if whiteouts.note(&path) || !entry.header().entry_type().is_file() || job.whiteouts_only {
            continue;
        }
        let origin = with_path(&job.template, path);
        let size = entry.size();
        if size > ctx.opts.max_file_size {
            ctx.stats.skip(origin.display_path(), SkipReason::TooLarge);
        } else if let Some(sender) = sender.filter(|_| size <= INLINE_MAX) {
            let mut bytes = Vec::with_capacity(size as usize);
            entry.read_to_end(&mut bytes)?;
            let member = Member {
                job: index,
                origin,
                bytes,
            };
            if sender.send(member).is_err() {
                return Err(io::Error::other("the scanning threads stopped"));
            }
        } else {
            archive::scan_member(ctx, &origin, &mut entry, size, 0, None)?;
        }
    }
    Ok(())
}

/// A scanning thread: scans queued files until the readers are done.
fn scan_members(rules: &RuleSet, opts: &ScanOptions, receiver: &Mutex<Receiver<Member>>, collector: &Collector<Share>) {
    let mut scanner = crate::search::scanner(rules, opts);
    let mut share = Share::default();
    loop {
        let member = {
            let receiver = receiver.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            receiver.recv()
        };
        let Ok(member) = member else {
            return collector.add(share);
        };
        let scan = share.scans.entry(member.job).or_default();
        let mut ctx = Context {
            scanner: &mut scanner,
            opts,
            stats: &mut share.stats,
            findings: &mut scan.findings,
        };
        let size = member.bytes.len() as u64;
        if let Err(e) = archive::scan_member(&mut ctx, &member.origin, &mut &member.bytes[..], size, 0, None) {
            ctx.stats.error(member.origin.display_path(), e.to_string());
        }
    }
}

/// A path in a layer as reports show it: no leading `./` or `/`, no trailing `/`.
fn layer_path(raw: &[u8]) -> String {
    let name = member_name(raw);
    name.trim_start_matches('/').trim_end_matches('/').to_owned()
}

/// The layer's template origin with the file's path.
fn with_path(template: &Origin, file: String) -> Origin {
    let mut origin = template.clone();
    if let Origin::ImageLayer { path, .. } = &mut origin {
        *path = file;
    }
    origin
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whiteouts_hide_files_dirs_and_opaque_trees() {
        let mut w = Whiteouts::default();
        assert!(w.note("etc/app/.wh..env"));
        assert!(w.note("var/.wh.cache"));
        assert!(w.note("opt/tool/.wh..wh..opq"));
        assert!(!w.note("etc/app/config.yml"));
        assert!(w.hides("etc/app/.env"));
        assert!(!w.hides("etc/app/.env.example"));
        assert!(w.hides("var/cache/x/y"));
        assert!(w.hides("opt/tool/bin/t"));
        assert!(!w.hides("opt/tool"));
        assert!(!w.hides("etc/app/config.yml"));
        assert_eq!(layer_path(b"./etc/x"), "etc/x");
        assert_eq!(layer_path(b"/../../etc/x"), "../../etc/x");
    }
}
