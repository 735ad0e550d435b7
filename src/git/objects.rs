//! Reading git objects straight from the object database (loose and packed) with
//! gix: commits, trees, tags and blob headers. Nothing here runs a program or
//! reads the worktree, so a scanned repository's config (textconv, filters,
//! fsmonitor, hooks) has no effect.

use std::sync::Arc;

use gix::hash::ObjectId;
use gix::objs::{CommitRef, Find, Header, Kind, TagRef, TreeRefIter};

use super::{GitError, ObjectProblem};
use crate::origin::CommitMeta;

/// Annotated tags followed to their target before the chain counts as corrupt.
const MAX_TAG_CHAIN: usize = 32;

/// A decoded commit: where its tree is, its parents, and its metadata.
#[derive(Debug, Clone)]
pub struct CommitNode {
    pub id: ObjectId,
    pub tree: ObjectId,
    pub parents: Vec<ObjectId>,
    /// Committer time, seconds since the epoch.
    pub time: i64,
    pub meta: Arc<CommitMeta>,
}

/// A decoded tree whose entry names point into one copy of the raw object: two
/// allocations per tree instead of one per entry (tree reads dominate a history
/// walk, and per-entry allocations were a third of its time).
#[derive(Debug, Default)]
pub struct TreeBuf {
    data: Vec<u8>,
    entries: Vec<(std::ops::Range<usize>, ObjectId, EntryKind)>,
}

impl TreeBuf {
    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Entry `i`: (name, id, kind).
    pub fn entry(&self, i: usize) -> (&[u8], ObjectId, EntryKind) {
        let (name, id, kind) = &self.entries[i];
        (&self.data[name.clone()], *id, *kind)
    }

    /// Sorts entries by name bytes (git's own order appends `/` to subtrees).
    fn sort(&mut self) {
        let data = &self.data;
        self.entries.sort_by(|a, b| data[a.0.clone()].cmp(&data[b.0.clone()]));
    }
}

fn entry_kind(mode: gix::objs::tree::EntryMode) -> EntryKind {
    if mode.is_tree() {
        EntryKind::Tree
    } else if mode.is_commit() {
        EntryKind::Submodule
    } else if mode.is_link() {
        EntryKind::Symlink
    } else {
        EntryKind::Blob
    }
}

/// What a tree entry points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryKind {
    Tree,
    /// A file (plain or executable).
    Blob,
    Symlink,
    /// A gitlink: a submodule's commit, not followed.
    Submodule,
}

/// Reads objects from one repository handle, reusing one buffer.
pub struct ObjectReader<'r> {
    repo: &'r gix::Repository,
    buf: Vec<u8>,
}

impl<'r> ObjectReader<'r> {
    pub fn new(repo: &'r gix::Repository) -> Self {
        Self::with_buffer(repo, Vec::new())
    }

    /// A reader that reuses `buf` (get it back with [`Self::into_buffer`]).
    pub fn with_buffer(repo: &'r gix::Repository, buf: Vec<u8>) -> Self {
        ObjectReader { repo, buf }
    }

    pub fn into_buffer(self) -> Vec<u8> {
        self.buf
    }

    /// The object's kind and size, without inflating it; `None` if missing.
    pub fn header(&self, id: &ObjectId) -> Result<Option<Header>, GitError> {
        gix::objs::FindHeader::try_header(&self.repo.objects, id)
            .map_err(|e| GitError::object(id, ObjectProblem::Read(e)))
    }

    /// The object's kind and data; `None` if missing.
    pub fn read(&mut self, id: &ObjectId) -> Result<Option<(Kind, &[u8])>, GitError> {
        match self.repo.objects.try_find(id, &mut self.buf) {
            Ok(Some(data)) => Ok(Some((data.kind, data.data))),
            Ok(None) => Ok(None),
            Err(e) => Err(GitError::object(id, ObjectProblem::Read(e))),
        }
    }

    /// Reads and decodes a commit; `Ok(None)` if it is missing.
    pub fn commit(&mut self, id: &ObjectId) -> Result<Option<CommitNode>, GitError> {
        let hash = self.repo.object_hash();
        let Some((kind, data)) = self.read(id)? else {
            return Ok(None);
        };
        if kind != Kind::Commit {
            return Err(GitError::object(
                id,
                ObjectProblem::WrongKind {
                    expected: Kind::Commit,
                    found: kind,
                },
            ));
        }
        let commit = CommitRef::from_bytes(data, hash).map_err(|e| GitError::object(id, ObjectProblem::Decode(e)))?;
        let author = commit
            .author()
            .map_err(|e| GitError::object(id, ObjectProblem::Decode(e)))?;
        let time = commit.time().map(|t| t.seconds).unwrap_or(0);
        let summary = String::from_utf8_lossy(commit.message().title).trim().to_owned();
        Ok(Some(CommitNode {
            id: *id,
            tree: commit.tree(),
            parents: commit.parents().collect(),
            time,
            meta: Arc::new(CommitMeta {
                id: id.to_string(),
                author: String::from_utf8_lossy(author.name).into_owned(),
                email: String::from_utf8_lossy(author.email).into_owned(),
                date: rfc3339_utc(time),
                summary,
            }),
        }))
    }

    /// Reads a tree into `out`, entries sorted by name; `Ok(false)` if missing.
    pub fn tree_into(&mut self, id: &ObjectId, out: &mut TreeBuf) -> Result<bool, GitError> {
        let hash = self.repo.object_hash();
        let Some((kind, data)) = self.read(id)? else {
            return Ok(false);
        };
        if kind != Kind::Tree {
            return Err(GitError::object(
                id,
                ObjectProblem::WrongKind {
                    expected: Kind::Tree,
                    found: kind,
                },
            ));
        }
        out.data.clear();
        out.data.extend_from_slice(data);
        out.entries.clear();
        let base = out.data.as_ptr() as usize;
        for entry in TreeRefIter::from_bytes(&out.data, hash) {
            let entry = entry.map_err(|e| GitError::object(id, ObjectProblem::Decode(e)))?;
            let name: &[u8] = entry.filename.as_ref();
            let start = name.as_ptr() as usize - base;
            out.entries
                .push((start..start + name.len(), entry.oid.to_owned(), entry_kind(entry.mode)));
        }
        out.sort();
        Ok(true)
    }

    /// Follows annotated tags to the object they name (with a bound on chains).
    pub fn peel_tags(&mut self, id: ObjectId) -> Result<Option<(Kind, ObjectId)>, GitError> {
        let hash = self.repo.object_hash();
        let mut current = id;
        for _ in 0..MAX_TAG_CHAIN {
            let Some((kind, data)) = self.read(&current)? else {
                return Ok(None);
            };
            if kind != Kind::Tag {
                return Ok(Some((kind, current)));
            }
            let tag =
                TagRef::from_bytes(data, hash).map_err(|e| GitError::object(&current, ObjectProblem::Decode(e)))?;
            current = tag.target();
        }
        Err(GitError::object(&id, ObjectProblem::TagChain(MAX_TAG_CHAIN)))
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
pub fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Seconds since the epoch as `YYYY-MM-DDTHH:MM:SSZ`.
pub fn rfc3339_utc(seconds: i64) -> String {
    let days = seconds.div_euclid(86_400);
    let secs = seconds.rem_euclid(86_400);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

#[cfg(test)]
mod tests {
    use super::rfc3339_utc;

    #[test]
    fn dates_format_in_utc() {
        assert_eq!(rfc3339_utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339_utc(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339_utc(1_798_761_599), "2026-12-31T23:59:59Z");
        assert_eq!(super::days_from_civil(2000, 2, 29) * 86_400, 951_782_400);
    }
}
