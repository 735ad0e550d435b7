//! A range scan trusts only its base. In `hush git --range A..B` (a push, a
//! pull request), hush's own files — `.hush.toml`, `.hushignore`, the baseline,
//! the rule packs the config names — are read from A's tree, never from the work
//! tree or B, so a change cannot exempt itself; each change to them inside the
//! range that lets more through is a `hush-config-change` finding; and an inline
//! allow annotation counts only where its line is on the base already (else the
//! secret is reported, with a `hush-allow-added` finding next to it).

use gix::hash::ObjectId;

use super::blobs::BlobJob;
use super::objects::{EntryKind, ObjectReader, TreeBuf};
use super::{open, resolve, split_range, GitError};
use crate::finding::{notice, Finding, Notice};
use crate::origin::Origin;
use crate::widening::{widening, HushFile};

/// Hush's files that a range scan guards: repository-relative paths (`/`
/// separated) and what each is.
#[derive(Debug, Clone, Default)]
pub struct Guard {
    pub files: Vec<(String, HushFile)>,
}

/// The base (A) of a range, for reading hush's files as they were there.
pub struct RangeBase {
    repo: gix::Repository,
    /// The base commit's id.
    pub commit: ObjectId,
    /// The base commit's tree.
    pub tree: ObjectId,
}

impl RangeBase {
    /// The base of `range` (`A..B`) in the repository at or above `repo`.
    pub fn open(repo: &std::path::Path, range: &str) -> Result<RangeBase, GitError> {
        let repo = open(repo)?;
        let (from, _) = split_range(range)?;
        let commit = resolve(&repo, from)?;
        let mut reader = ObjectReader::new(&repo);
        let (_, commit) = reader.peel_tags(commit)?.ok_or(GitError::MissingCommit(commit))?;
        let node = reader.commit(&commit)?.ok_or(GitError::MissingCommit(commit))?;
        Ok(RangeBase {
            repo,
            commit,
            tree: node.tree,
        })
    }

    /// The top of the work tree (none in a bare repository).
    pub fn workdir(&self) -> Option<&std::path::Path> {
        self.repo.workdir()
    }

    /// `path` (on disk) relative to the top of the work tree, `/` separated, if
    /// it is inside it.
    pub fn relative(&self, path: &std::path::Path) -> Option<String> {
        let top = std::fs::canonicalize(self.workdir()?).ok()?;
        let absolute = match std::fs::canonicalize(path) {
            Ok(p) => p,
            // A file the work tree lacks: resolve its directory instead.
            Err(_) => std::fs::canonicalize(path.parent().filter(|p| !p.as_os_str().is_empty())?)
                .ok()?
                .join(path.file_name()?),
        };
        let relative = absolute.strip_prefix(&top).ok()?;
        let parts: Vec<&str> = relative
            .components()
            .map(|c| c.as_os_str().to_str())
            .collect::<Option<_>>()?;
        Some(parts.join("/"))
    }

    /// The file at `path` (repository-relative) in the base's tree; `None` if
    /// the base has no file there.
    pub fn read(&self, path: &str) -> Result<Option<Vec<u8>>, GitError> {
        blob_at(&mut ObjectReader::new(&self.repo), self.tree, path)
    }
}

/// The blob at `path` (`/` separated) under `tree`; `None` if there is no file
/// there (or a directory, a submodule, a missing object).
pub(super) fn blob_at(reader: &mut ObjectReader, tree: ObjectId, path: &str) -> Result<Option<Vec<u8>>, GitError> {
    let mut current = tree;
    let mut buf = TreeBuf::default();
    let mut parts = path.split('/').filter(|p| !p.is_empty()).peekable();
    while let Some(part) = parts.next() {
        if !reader.tree_into(&current, &mut buf)? {
            return Ok(None);
        }
        let Some((_, id, kind)) = (0..buf.len())
            .map(|i| buf.entry(i))
            .find(|(name, _, _)| *name == part.as_bytes())
        else {
            return Ok(None);
        };
        match (kind, parts.peek().is_some()) {
            (EntryKind::Tree, true) => current = id,
            (EntryKind::Blob, false) => {
                return Ok(reader
                    .read(&id)?
                    .filter(|(k, _)| *k == gix::objs::Kind::Blob)
                    .map(|(_, data)| data.to_vec()))
            }
            _ => return Ok(None),
        }
    }
    Ok(None)
}

/// The `hush-config-change` findings for the guarded files among `jobs` (the
/// blobs the range introduced): each version compared with the one before it
/// (its commit's first parent's), so each commit is charged with what it added.
pub(super) fn config_changes(
    repo: &gix::Repository,
    guard: &Guard,
    jobs: &[BlobJob],
    max_blob_size: u64,
    problems: &mut Vec<(String, String)>,
) -> Vec<Finding> {
    let mut reader = ObjectReader::new(repo);
    let mut out = Vec::new();
    for job in jobs {
        for place in &job.places {
            let Some((_, kind)) = guard.files.iter().find(|(path, _)| *path == place.path) else {
                continue;
            };
            let Some(commit) = &place.commit else { continue };
            let origin = Origin::GitBlob {
                repository: place.repository.clone(),
                blob: job.id.to_string(),
                path: place.path.clone(),
                commit: Some(commit.clone()),
            };
            match versions(&mut reader, job.id, &commit.id, &place.path, max_blob_size) {
                Ok((old, new)) => {
                    let found = widening(*kind, old.as_deref(), &new);
                    if let Some(first) = found.first() {
                        let mut whats: Vec<&str> = found.iter().map(|w| w.what.as_str()).collect();
                        let more = whats.len().saturating_sub(10);
                        whats.truncate(10);
                        let mut description = format!("{}: {}", place.path, whats.join("; "));
                        if more > 0 {
                            description.push_str(&format!("; and {more} more"));
                        }
                        out.push(notice(Notice::ConfigChange, origin, first.line, description));
                    }
                }
                Err(e) => problems.push((place.path.clone(), crate::stats::error_chain(&e))),
            }
        }
    }
    out
}

/// The version of `path` before `commit` (its first parent's; none for a root
/// commit or a new file) and the one it introduced (`blob`). A version too large
/// to read whole is compared as empty, which reports every line of the new one.
fn versions(
    reader: &mut ObjectReader,
    blob: ObjectId,
    commit: &str,
    path: &str,
    max_blob_size: u64,
) -> Result<(Option<Vec<u8>>, Vec<u8>), GitError> {
    let small =
        |reader: &ObjectReader, id: &ObjectId| reader.header(id).map(|h| h.is_some_and(|h| h.size <= max_blob_size));
    let new = if small(reader, &blob)? {
        reader.read(&blob)?.map(|(_, d)| d.to_vec()).unwrap_or_default()
    } else {
        b"(too large to compare)".to_vec()
    };
    let parent = match ObjectId::from_hex(commit.as_bytes()) {
        Ok(id) => reader.commit(&id)?.and_then(|c| c.parents.first().copied()),
        Err(_) => None,
    };
    let old = match parent {
        Some(parent) => match reader.commit(&parent)? {
            Some(node) => blob_at(reader, node.tree, path)?,
            None => None,
        },
        None => None,
    };
    Ok((old, new))
}
