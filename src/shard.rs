//! Sharding: which pieces of a scan one of N machines takes (`--shard I/N`), so
//! that N runs together scan exactly what one run scans, each piece once.
//!
//! The partition is part of hush's output format, because shards run on
//! different machines (of the same hush version): a piece belongs to shard
//! `xxh3_64(key) % N` (XXH3, 64 bits, seed 0, over the key's bytes), where the
//! key is
//!
//! - a file of a directory scan: its path relative to the scan root, its
//!   components joined by `/` (the bytes of the name, not re-encoded); a file
//!   named on the command line: the path as given, without a leading `./`.
//!   An archive is one piece with everything inside it;
//! - a git blob: its object id, 40 (or 64) lower-case hex digits. Every shard
//!   walks the whole commit graph, so each blob is still attributed to every
//!   commit and path that introduced it;
//! - an image layer: its digest as the manifest names it (`sha256:…`); an
//!   image's config: the config's digest (its blob name);
//! - a repository of `hush git --repos-file`: its line in the file, trimmed;
//! - stdin: always shard 1.
//!
//! XXH3 rather than std's `DefaultHasher`: that one is SipHash with keys that
//! are random per process (and its algorithm may change between Rust
//! versions); XXH3's output is specified and spreads short, similar keys
//! (`src/a1.rs`, `src/a2.rs`) evenly over the shards.

use std::fmt;
use std::path::{Path, PathBuf};

use twox_hash::XxHash3_64;

/// The most shards a scan can be split into.
pub const MAX_SHARDS: u32 = 65_536;

/// One shard of N: `index` is 0-based here, 1-based where people see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    index: u32,
    count: u32,
}

impl Default for Shard {
    fn default() -> Self {
        Shard::WHOLE
    }
}

/// A `--shard` value that is not `I/N` with 1 ≤ I ≤ N ≤ [`MAX_SHARDS`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{text:?} is not a shard: {reason} (expected I/N with 1 <= I <= N <= {MAX_SHARDS}, e.g. 2/8)")]
pub struct ShardError {
    pub text: String,
    pub reason: &'static str,
}

impl Shard {
    /// The whole scan: one shard of one.
    pub const WHOLE: Shard = Shard { index: 0, count: 1 };

    /// Shard `index` (0-based) of `count`.
    pub fn new(index: u32, count: u32) -> Result<Shard, ShardError> {
        let error = |reason| ShardError {
            text: format!("{}/{count}", u64::from(index) + 1),
            reason,
        };
        if count == 0 || count > MAX_SHARDS {
            return Err(error("N is out of range"));
        }
        if index >= count {
            return Err(error("I is larger than N"));
        }
        Ok(Shard { index, count })
    }

    /// Parses `I/N`, 1-based (`1/4` … `4/4`).
    pub fn parse(text: &str) -> Result<Shard, ShardError> {
        let error = |reason| ShardError {
            text: text.to_owned(),
            reason,
        };
        let (i, n) = text.trim().split_once('/').ok_or_else(|| error("no `/`"))?;
        let i: u32 = i.trim().parse().map_err(|_| error("I is not a number"))?;
        let n: u32 = n.trim().parse().map_err(|_| error("N is not a number"))?;
        if i == 0 {
            return Err(error("I counts from 1"));
        }
        Shard::new(i - 1, n).map_err(|e| error(e.reason))
    }

    /// 1-based, as in `--shard I/N`.
    pub fn number(self) -> u32 {
        self.index + 1
    }

    /// N.
    pub fn count(self) -> u32 {
        self.count
    }

    /// Whether this is the whole scan (N = 1).
    pub fn is_whole(self) -> bool {
        self.count == 1
    }

    /// Whether the piece named `key` is this shard's (see the module docs).
    pub fn owns(self, key: &[u8]) -> bool {
        self.count == 1 || XxHash3_64::oneshot(key) % u64::from(self.count) == u64::from(self.index)
    }

    /// Whether this shard reads stdin: only the first does.
    pub fn owns_stdin(self) -> bool {
        self.index == 0
    }

    /// Whether the file at `path` is this shard's: keyed by its path relative
    /// to the deepest of `roots` it is under, else by the path as given.
    pub fn owns_path(self, path: &Path, roots: &[PathBuf]) -> bool {
        if self.count == 1 {
            return true;
        }
        let relative = roots
            .iter()
            .filter_map(|root| path.strip_prefix(root).ok())
            .min_by_key(|rest| rest.as_os_str().len())
            .unwrap_or(path);
        self.owns(&path_key(relative))
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.number(), self.count)
    }
}

/// A path's key: its normal components' bytes joined by `/` (no `./`).
fn path_key(path: &Path) -> Vec<u8> {
    let mut key = Vec::new();
    for part in path.components() {
        if let std::path::Component::Normal(name) = part {
            if !key.is_empty() {
                key.push(b'/');
            }
            key.extend_from_slice(&name_bytes(name));
        }
    }
    key
}

#[cfg(unix)]
fn name_bytes(name: &std::ffi::OsStr) -> Vec<u8> {
    use std::os::unix::ffi::OsStrExt;
    name.as_bytes().to_vec()
}

#[cfg(not(unix))]
fn name_bytes(name: &std::ffi::OsStr) -> Vec<u8> {
    name.to_string_lossy().into_owned().into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_one_based_shards_and_rejects_the_rest() {
        let s = Shard::parse("2/8").expect("valid");
        assert_eq!((s.number(), s.count(), s.to_string()), (2, 8, "2/8".to_owned()));
        for bad in ["0/4", "5/4", "1/0", "x/4", "1/y", "3", "1/65537", ""] {
            assert!(Shard::parse(bad).is_err(), "{bad}");
        }
        assert!(Shard::parse("0/4").unwrap_err().to_string().contains("counts from 1"));
    }

    #[test]
    fn every_key_belongs_to_exactly_one_shard() {
        for n in 1..=7 {
            for k in 0..200 {
                let key = format!("src/module{k}/file.rs");
                let owners = (0..n)
                    .filter(|&i| Shard::new(i, n).expect("valid").owns(key.as_bytes()))
                    .count();
                assert_eq!(owners, 1, "{key} in {n} shards");
            }
        }
    }

    /// The partition is a format: these values must not change between versions.
    #[test]
    fn the_hash_is_xxh3_with_seed_zero() {
        assert_eq!(XxHash3_64::oneshot(b""), 0x2d06_8005_38d3_94c2);
        assert_eq!(path_key(Path::new("./a/b/c.txt")), b"a/b/c.txt");
        let s = Shard::new(1, 3).expect("valid");
        let root = PathBuf::from("/checkout/x");
        assert_eq!(
            s.owns_path(Path::new("/checkout/x/a/b.txt"), std::slice::from_ref(&root)),
            s.owns(b"a/b.txt")
        );
    }

    #[test]
    fn shards_are_balanced() {
        let n = 4;
        let mut counts = [0u32; 4];
        for k in 0..4000 {
            let key = format!("dir{}/f{k}.txt", k % 13);
            let owner = (0..n)
                .find(|&i| Shard::new(i, n).expect("valid").owns(key.as_bytes()))
                .expect("one owner");
            counts[owner as usize] += 1;
        }
        assert!(counts.iter().all(|&c| (900..1100).contains(&c)), "{counts:?}");
    }
}
