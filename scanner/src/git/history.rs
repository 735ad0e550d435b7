//! Enumerating history: every commit reachable from the chosen tips (all refs by
//! default), and for each the blobs it introduced at each path, found by diffing
//! its tree against its parents'. A blob is introduced by a merge only where it
//! differs from every parent (a conflict resolution), so content that a merge
//! merely brings in from a branch is attributed to the commit that wrote it.
//!
//! Missing and corrupt objects are recorded and skipped: one bad object never
//! hides the rest of history.

use std::collections::{HashMap, HashSet};

use gix::hash::ObjectId;
use gix::objs::Kind;

use super::objects::{CommitNode, EntryKind, ObjectReader, TreeEntry};

/// Where a blob first appeared at one path.
#[derive(Debug, Clone)]
pub struct Introduction {
    pub path: Vec<u8>,
    /// Index into [`History::commits`].
    pub commit: usize,
}

/// What a history walk found.
#[derive(Debug, Default)]
pub struct History {
    pub commits: Vec<CommitNode>,
    /// Each blob's first introduction at each path.
    pub blobs: HashMap<ObjectId, Vec<Introduction>>,
    /// Blobs reachable without a commit (a ref to a tree or a blob).
    pub loose_blobs: HashSet<ObjectId>,
    /// Problems met on the way (missing or corrupt objects), as (object, message).
    pub problems: Vec<(String, String)>,
    /// Paths of submodules seen (gitlinks are not followed).
    pub submodules: HashSet<Vec<u8>>,
    /// Commits whose parents are absent because the clone is shallow.
    pub shallow_boundary: usize,
}

/// Which commits to take.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// Start points; every ancestor is taken.
    pub tips: Vec<ObjectId>,
    /// Ancestors of these (and they) are left out (`--range A..B`: A).
    pub hidden: Vec<ObjectId>,
    /// Only commits with a committer time at or after this (`--since`).
    pub since: Option<i64>,
}

/// Walks the commits of `selection` and records the blobs each introduced.
pub fn walk(reader: &mut ObjectReader, selection: &Selection, shallow: &HashSet<ObjectId>) -> History {
    let mut history = History::default();
    let hidden = ancestors(reader, &selection.hidden, &HashSet::new(), shallow, &mut history);
    let mut seen: HashSet<ObjectId> = HashSet::new();
    let mut stack: Vec<ObjectId> = selection
        .tips
        .iter()
        .filter(|t| !hidden.contains(*t))
        .copied()
        .collect();
    while let Some(id) = stack.pop() {
        if !seen.insert(id) {
            continue;
        }
        match reader.commit(&id) {
            Ok(Some(node)) => {
                for parent in &node.parents {
                    if !hidden.contains(parent) && !seen.contains(parent) {
                        stack.push(*parent);
                    }
                }
                if shallow.contains(&id) {
                    history.shallow_boundary += 1;
                }
                history.commits.push(node);
            }
            Ok(None) => history
                .problems
                .push((id.to_string(), "commit object is missing".into())),
            Err(e) => history.problems.push((id.to_string(), e.to_string())),
        }
    }
    // Oldest first, so the first commit to introduce a blob at a path keeps it.
    history.commits.sort_by_key(|c| (c.time, c.id));
    let trees: HashMap<ObjectId, ObjectId> = history.commits.iter().map(|c| (c.id, c.tree)).collect();
    let mut introduced: HashMap<(ObjectId, Vec<u8>), usize> = HashMap::new();
    for index in 0..history.commits.len() {
        let node = history.commits[index].clone();
        if selection.since.is_some_and(|since| node.time < since) {
            continue;
        }
        for (path, blob) in introduced_by(reader, &node, &trees, &mut history) {
            introduced.entry((blob, path)).or_insert(index);
        }
    }
    for ((blob, path), commit) in introduced {
        history
            .blobs
            .entry(blob)
            .or_default()
            .push(Introduction { path, commit });
    }
    for intros in history.blobs.values_mut() {
        intros.sort_by(|a, b| (a.commit, &a.path).cmp(&(b.commit, &b.path)));
    }
    history
}

/// Every commit reachable from `tips` (ids only).
fn ancestors(
    reader: &mut ObjectReader,
    tips: &[ObjectId],
    stop: &HashSet<ObjectId>,
    shallow: &HashSet<ObjectId>,
    history: &mut History,
) -> HashSet<ObjectId> {
    let mut seen = HashSet::new();
    let mut stack: Vec<ObjectId> = tips.to_vec();
    while let Some(id) = stack.pop() {
        if stop.contains(&id) || !seen.insert(id) {
            continue;
        }
        match reader.commit(&id) {
            Ok(Some(node)) if !shallow.contains(&id) => stack.extend(node.parents),
            Ok(Some(_)) => {}
            Ok(None) => history
                .problems
                .push((id.to_string(), "commit object is missing".into())),
            Err(e) => history.problems.push((id.to_string(), e.to_string())),
        }
    }
    seen
}

/// The (path, blob) pairs `node` introduced over its parents. `trees` maps the
/// walked commits to their trees; other parents (outside a range) are read.
fn introduced_by(
    reader: &mut ObjectReader,
    node: &CommitNode,
    trees: &HashMap<ObjectId, ObjectId>,
    history: &mut History,
) -> Vec<(Vec<u8>, ObjectId)> {
    let parent_trees: Vec<Option<ObjectId>> = node
        .parents
        .iter()
        .map(|p| match trees.get(p) {
            Some(tree) => Some(*tree),
            None => reader.commit(p).ok().flatten().map(|parent| parent.tree), // missing (shallow): diff against nothing
        })
        .collect();
    let mut first = Vec::new();
    let base = parent_trees.first().copied().flatten();
    diff_trees(reader, base, Some(node.tree), &mut Vec::new(), &mut first, history);
    if parent_trees.len() <= 1 {
        return first;
    }
    // A merge: keep only what differs from every parent.
    let mut kept: HashSet<(Vec<u8>, ObjectId)> = first.into_iter().collect();
    for other in &parent_trees[1..] {
        let mut changes = Vec::new();
        diff_trees(reader, *other, Some(node.tree), &mut Vec::new(), &mut changes, history);
        let changed: HashSet<(Vec<u8>, ObjectId)> = changes.into_iter().collect();
        kept.retain(|c| changed.contains(c));
    }
    kept.into_iter().collect()
}

/// Appends to `out` each blob of `new` that is not at the same path in `old`.
fn diff_trees(
    reader: &mut ObjectReader,
    old: Option<ObjectId>,
    new: Option<ObjectId>,
    prefix: &mut Vec<u8>,
    out: &mut Vec<(Vec<u8>, ObjectId)>,
    history: &mut History,
) {
    let Some(new) = new else { return };
    if old == Some(new) {
        return;
    }
    let new_entries = match read_tree(reader, &new, history) {
        Some(entries) => entries,
        None => return,
    };
    let old_entries: HashMap<Vec<u8>, TreeEntry> = old
        .and_then(|o| read_tree(reader, &o, history))
        .map(|entries| entries.into_iter().map(|e| (e.name.clone(), e)).collect())
        .unwrap_or_default();
    for entry in new_entries {
        let before = old_entries.get(&entry.name);
        if before.is_some_and(|b| b.oid == entry.oid && b.kind == entry.kind) {
            continue;
        }
        let len = prefix.len();
        if !prefix.is_empty() {
            prefix.push(b'/');
        }
        prefix.extend_from_slice(&entry.name);
        match entry.kind {
            EntryKind::Tree => {
                let old_subtree = before.filter(|b| b.kind == EntryKind::Tree).map(|b| b.oid);
                diff_trees(reader, old_subtree, Some(entry.oid), prefix, out, history);
            }
            EntryKind::Blob => out.push((prefix.clone(), entry.oid)),
            EntryKind::Submodule => {
                history.submodules.insert(prefix.clone());
            }
            EntryKind::Symlink => {}
        }
        prefix.truncate(len);
    }
}

fn read_tree(reader: &mut ObjectReader, id: &ObjectId, history: &mut History) -> Option<Vec<TreeEntry>> {
    match reader.tree(id) {
        Ok(Some(entries)) => Some(entries),
        Ok(None) => {
            history.problems.push((id.to_string(), "tree object is missing".into()));
            None
        }
        Err(e) => {
            history.problems.push((id.to_string(), e.to_string()));
            None
        }
    }
}

/// Every blob under `tree` with its path (for refs that point at a tree).
pub fn tree_blobs(reader: &mut ObjectReader, tree: ObjectId, history: &mut History) -> Vec<(Vec<u8>, ObjectId)> {
    let mut out = Vec::new();
    diff_trees(reader, None, Some(tree), &mut Vec::new(), &mut out, history);
    out
}

/// Resolves ref targets to commits (following tags); refs to trees or blobs add
/// those blobs directly.
pub fn commit_tips(reader: &mut ObjectReader, targets: &[ObjectId], history: &mut History) -> Vec<ObjectId> {
    let mut tips = Vec::new();
    for target in targets {
        match reader.peel_tags(*target) {
            Ok(Some((Kind::Commit, id))) => tips.push(id),
            Ok(Some((Kind::Tree, id))) => {
                for (_, blob) in tree_blobs(reader, id, history) {
                    history.loose_blobs.insert(blob);
                }
            }
            Ok(Some((Kind::Blob, id))) => {
                history.loose_blobs.insert(id);
            }
            Ok(Some((Kind::Tag, _))) => {}
            Ok(None) => history
                .problems
                .push((target.to_string(), "object named by a ref is missing".into())),
            Err(e) => history.problems.push((target.to_string(), e.to_string())),
        }
    }
    tips.sort();
    tips.dedup();
    tips
}
