//! Where scanned bytes came from. Sources produce an [`Origin`]; reports only
//! format it.

use std::path::PathBuf;
use std::sync::Arc;

use crate::git::CommitMeta;

/// The source of a blob of scanned bytes.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Origin {
    /// A file on disk (the path as the walker produced it).
    File { path: PathBuf },
    /// Standard input (`hush scan -`).
    Stdin,
    /// A blob in a git repository, at a path, as introduced by a commit (none
    /// for staged or unreachable blobs).
    GitBlob {
        blob: String,
        path: String,
        commit: Option<Arc<CommitMeta>>,
    },
}

impl Origin {
    /// The file path (`-` for stdin; the path in the tree for a git blob).
    pub fn display_path(&self) -> String {
        match self {
            Origin::File { path } => path.display().to_string(),
            Origin::Stdin => "-".to_owned(),
            Origin::GitBlob { path, .. } => path.clone(),
        }
    }

    /// Where a person finds it: the path, prefixed with the commit for history
    /// (`3f9a1c2b7d4e:src/app.env`).
    pub fn location_label(&self) -> String {
        match self {
            Origin::GitBlob {
                path, commit: Some(c), ..
            } => format!("{}:{path}", &c.id[..c.id.len().min(12)]),
            other => other.display_path(),
        }
    }

    /// The commit that introduced it, for git blobs.
    pub fn commit(&self) -> Option<&CommitMeta> {
        match self {
            Origin::GitBlob { commit, .. } => commit.as_deref(),
            _ => None,
        }
    }
}
