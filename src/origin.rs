//! Where scanned bytes came from. Sources produce an [`Origin`]; reports only
//! format it.
//!
//! Nested sources join their names with `!`, outermost first: a file in a jar in
//! a tarball is `app.tar.gz!lib/a.jar!config.properties`, and a file in an image
//! layer is `image.tar!sha256:0123456789ab/etc/app/.env` (the layer's digest,
//! shortened to 12 hex digits, then the path inside the layer).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// What reports show about the commit that introduced a blob at a path.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CommitMeta {
    /// Full hex id.
    pub id: String,
    pub author: String,
    pub email: String,
    /// Committer date, RFC 3339 in UTC.
    pub date: String,
    /// The first line of the message.
    pub summary: String,
}

/// The path reports show: without a leading `./`.
pub fn display_path(path: &Path) -> PathBuf {
    path.strip_prefix("./")
        .map(Path::to_path_buf)
        .unwrap_or_else(|_| path.to_path_buf())
}

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
        /// The repository as `hush git --repos-file` lists it (none for a
        /// scan of one repository).
        repository: Option<Arc<str>>,
        blob: String,
        path: String,
        commit: Option<Arc<CommitMeta>>,
    },
    /// A member of an archive (zip, tar, a compressed stream); `outer` is where
    /// the archive itself came from.
    Archive { outer: Box<Origin>, inner: String },
    /// A file in a container image layer.
    ImageLayer {
        image: Arc<ImageName>,
        /// The layer's digest (`sha256:…`): the manifest's for OCI layouts, the
        /// config's diff id for `docker save` tarballs that have one.
        layer_digest: String,
        /// 0-based position of the layer in the image's manifest.
        layer_index: usize,
        /// The path inside the layer, without a leading `./` or `/`; only a name,
        /// never resolved on the filesystem.
        path: String,
        /// The history `created_by` command that made this layer, if known.
        created_by: Option<String>,
        /// The index of the later layer whose whiteout deleted this file: it
        /// still ships in the image.
        deleted_in: Option<usize>,
    },
    /// A field of an image's config (`Env[0]`, `history[3].created_by`, ...).
    ImageConfig { image: Arc<ImageName>, field: String },
}

/// Which image (and platform of a multi-platform index) a location is in.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ImageName {
    /// The tarball or directory named on the command line, as given.
    pub source: String,
    /// The image's reference (`app:1.0`) where the image names one, else the
    /// digest of its manifest or config.
    pub reference: String,
    /// `os/arch[/variant]`, set when the image holds several platforms.
    pub platform: Option<String>,
}

impl ImageName {
    /// `image.tar`, or `image.tar@linux/arm64` for one platform of several.
    pub(crate) fn display(&self) -> String {
        match &self.platform {
            Some(p) => format!("{}@{p}", self.source),
            None => self.source.clone(),
        }
    }
}

impl Origin {
    /// The path shown in reports (`-` for stdin; the path in the tree for a git
    /// blob); nested names joined with `!`.
    pub fn display_path(&self) -> String {
        match self {
            Origin::File { path } => path.display().to_string(),
            Origin::Stdin => "-".to_owned(),
            Origin::GitBlob {
                path,
                repository: Some(repository),
                ..
            } => format!("{repository}!{path}"),
            Origin::GitBlob { path, .. } => path.clone(),
            Origin::Archive { outer, inner } => format!("{}!{inner}", outer.display_path()),
            Origin::ImageLayer {
                image,
                layer_digest,
                path,
                ..
            } => format!("{}!{}/{path}", image.display(), short_digest(layer_digest)),
            Origin::ImageConfig { image, field } => format!("{}!config.{field}", image.display()),
        }
    }

    /// Where a person finds it: the path, prefixed with the commit for history
    /// (`3f9a1c2b7d4e:src/app.env`), and with the repository for one of many
    /// (`mirrors/app.git!3f9a1c2b7d4e:src/app.env`).
    pub fn location_label(&self) -> String {
        match self {
            Origin::GitBlob {
                path,
                commit: Some(c),
                repository,
                ..
            } => {
                let repository = repository.as_ref().map(|r| format!("{r}!")).unwrap_or_default();
                format!("{repository}{}:{path}", &c.id[..c.id.len().min(12)])
            }
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

    /// The repository of `--repos-file` this origin is in, for git blobs.
    pub fn repository(&self) -> Option<&str> {
        match self {
            Origin::GitBlob { repository, .. } => repository.as_deref(),
            _ => None,
        }
    }

    /// The image layer this origin is in, directly or through archives.
    pub fn image_layer(&self) -> Option<&Origin> {
        match self {
            Origin::ImageLayer { .. } => Some(self),
            Origin::Archive { outer, .. } => outer.image_layer(),
            _ => None,
        }
    }

    /// Mutable access to the image layer this origin is in.
    pub fn image_layer_mut(&mut self) -> Option<&mut Origin> {
        match self {
            Origin::ImageLayer { .. } => Some(self),
            Origin::Archive { outer, .. } => outer.image_layer_mut(),
            _ => None,
        }
    }

    /// The image this origin is in, if any.
    pub fn image(&self) -> Option<&ImageName> {
        match self.image_layer().unwrap_or(self) {
            Origin::ImageLayer { image, .. } | Origin::ImageConfig { image, .. } => Some(image),
            _ => None,
        }
    }

    /// A line of context for people (the text report): which layer, the command
    /// that made it, and whether a later layer deleted the file.
    pub fn note(&self) -> Option<String> {
        let Some(Origin::ImageLayer {
            layer_digest,
            layer_index,
            created_by,
            deleted_in,
            ..
        }) = self.image_layer()
        else {
            return None;
        };
        let mut note = format!("layer {layer_index} ({layer_digest})");
        if let Some(command) = created_by {
            let _ = write!(note, " created by: {}", command.trim());
        }
        if let Some(layer) = deleted_in {
            let _ = write!(note, "; deleted in layer {layer}, still in the image");
        }
        Some(note)
    }
}

/// `sha256:` and the first 12 hex digits.
fn short_digest(digest: &str) -> &str {
    let end = digest.find(':').map_or(0, |colon| colon + 1) + 12;
    digest.get(..end).unwrap_or(digest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_names_join_with_bangs() {
        let image = Arc::new(ImageName {
            source: "img.tar".into(),
            reference: "app:1".into(),
            platform: None,
        });
        let layer = Origin::ImageLayer {
            image,
            layer_digest: format!("sha256:{}", "ab".repeat(32)),
            layer_index: 1,
            path: "app/x.tar.gz".into(),
            created_by: Some("COPY . /app".into()),
            deleted_in: Some(2),
        };
        let inner = Origin::Archive {
            outer: Box::new(Origin::Archive {
                outer: Box::new(layer),
                inner: "lib/a.jar".into(),
            }),
            inner: "a.properties".into(),
        };
        assert_eq!(
            inner.display_path(),
            "img.tar!sha256:abababababab/app/x.tar.gz!lib/a.jar!a.properties"
        );
        assert_eq!(inner.image().map(|i| i.reference.as_str()), Some("app:1"));
        let note = inner.note().expect("in a layer");
        assert!(note.contains("created by: COPY . /app; deleted in layer 2"), "{note}");
    }
}
