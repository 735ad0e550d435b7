//! `hush git --staged`: what a commit would add, for a pre-commit hook. The index
//! is compared with HEAD's tree; only added or changed blobs are scanned. A
//! directory whose id the index's cache-tree extension records, equal to HEAD's
//! tree for it, holds no staged change and is skipped whole (git keeps that
//! extension valid except along the paths of changed files); the other entries
//! are looked up in HEAD's tree, read lazily one directory at a time. So the cost
//! follows the change, not the size of the repository.

use std::collections::HashSet;

use std::collections::HashMap;

use gix::hash::ObjectId;

use super::blobs::{BlobJob, BlobPlace};
use super::objects::{EntryKind, ObjectReader, TreeBuf};
use super::GitError;

/// The staged blobs that differ from HEAD, as scan jobs.
pub fn staged_jobs(repo: &gix::Repository) -> Result<Vec<BlobJob>, GitError> {
    let index = repo.open_index().map_err(GitError::Index)?;
    let head_tree = repo.head_tree_id_or_empty().map_err(GitError::HeadTree)?.detach();
    let mut reader = ObjectReader::new(repo);
    let mut head = HeadTree {
        root: head_tree,
        dirs: HashMap::new(),
    };
    let mut unchanged = HashSet::new();
    if let Some(cache) = index.tree() {
        if cache.num_entries.is_some() && cache.id == head_tree {
            return Ok(Vec::new()); // the index is HEAD's tree: nothing staged
        }
        unchanged_dirs(&mut reader, &mut head, cache, &mut Vec::new(), &mut unchanged)?;
    }
    let mut jobs = Vec::new();
    let backing = index.path_backing();
    for entry in index.entries() {
        let is_file = entry.mode.to_tree_entry_mode().is_some_and(|m| m.is_blob());
        if entry.stage_raw() != 0 || !is_file {
            continue; // conflicts, submodules, symlinks
        }
        let path_bytes: &[u8] = entry.path_in(backing).as_ref();
        if in_unchanged_dir(path_bytes, &unchanged) || head.blob_at(&mut reader, path_bytes)? == Some(entry.id) {
            continue;
        }
        jobs.push(BlobJob {
            id: entry.id,
            places: vec![BlobPlace {
                repository: None,
                path: String::from_utf8_lossy(path_bytes).into_owned(),
                commit: None,
            }],
        });
    }
    Ok(jobs)
}

/// Collects the directories whose valid cache-tree id equals HEAD's tree there.
fn unchanged_dirs(
    reader: &mut ObjectReader,
    head: &mut HeadTree,
    node: &gix::index::extension::Tree,
    path: &mut Vec<u8>,
    out: &mut HashSet<Vec<u8>>,
) -> Result<(), GitError> {
    for child in &node.children {
        let len = path.len();
        if !path.is_empty() {
            path.push(b'/');
        }
        path.extend_from_slice(&child.name);
        if child.num_entries.is_some() && head.tree_at(reader, path)? == Some(child.id) {
            out.insert(path.clone());
        } else {
            unchanged_dirs(reader, head, child, path, out)?;
        }
        path.truncate(len);
    }
    Ok(())
}

/// Whether any ancestor directory of `path` is in `unchanged`.
fn in_unchanged_dir(path: &[u8], unchanged: &HashSet<Vec<u8>>) -> bool {
    !unchanged.is_empty()
        && path
            .iter()
            .enumerate()
            .filter(|(_, &b)| b == b'/')
            .any(|(i, _)| unchanged.contains(&path[..i]))
}

/// One directory of HEAD's tree: entry name -> (kind, id).
type Dir = HashMap<Vec<u8>, (EntryKind, ObjectId)>;

/// HEAD's tree, read lazily one directory at a time.
struct HeadTree {
    root: ObjectId,
    /// Directory path -> (entry name -> (kind, id)); `None` when absent in HEAD.
    dirs: HashMap<Vec<u8>, Option<Dir>>,
}

impl HeadTree {
    /// The blob id at `path` in HEAD, if any.
    fn blob_at(&mut self, reader: &mut ObjectReader, path: &[u8]) -> Result<Option<ObjectId>, GitError> {
        self.entry_at(reader, path, EntryKind::Blob)
    }

    /// The tree id of directory `dir` in HEAD, if any.
    fn tree_at(&mut self, reader: &mut ObjectReader, dir: &[u8]) -> Result<Option<ObjectId>, GitError> {
        self.entry_at(reader, dir, EntryKind::Tree)
    }

    /// The id of the entry of `kind` at `path` in HEAD, if any.
    fn entry_at(
        &mut self,
        reader: &mut ObjectReader,
        path: &[u8],
        kind: EntryKind,
    ) -> Result<Option<ObjectId>, GitError> {
        let (parent, name) = split_path(path);
        let Some(entries) = self.dir(reader, parent)? else {
            return Ok(None);
        };
        Ok(entries.get(name).filter(|(k, _)| *k == kind).map(|(_, id)| *id))
    }

    fn dir(&mut self, reader: &mut ObjectReader, dir: &[u8]) -> Result<Option<&Dir>, GitError> {
        if !self.dirs.contains_key(dir) {
            let tree = if dir.is_empty() {
                Some(self.root)
            } else {
                let (parent, name) = split_path(dir);
                self.dir(reader, parent)?
                    .and_then(|entries| entries.get(name))
                    .filter(|(kind, _)| *kind == EntryKind::Tree)
                    .map(|(_, id)| *id)
            };
            let entries = match tree {
                Some(id) => {
                    let mut tree = TreeBuf::default();
                    reader.tree_into(&id, &mut tree)?.then(|| {
                        (0..tree.len())
                            .map(|i| {
                                let (name, oid, kind) = tree.entry(i);
                                (name.to_vec(), (kind, oid))
                            })
                            .collect()
                    })
                }
                None => None,
            };
            self.dirs.insert(dir.to_vec(), entries);
        }
        Ok(self.dirs.get(dir).and_then(Option::as_ref))
    }
}

/// `a/b/c` -> (`a/b`, `c`); `c` -> (``, `c`).
fn split_path(path: &[u8]) -> (&[u8], &[u8]) {
    match path.iter().rposition(|&b| b == b'/') {
        Some(slash) => (&path[..slash], &path[slash + 1..]),
        None => (&path[..0], path),
    }
}
