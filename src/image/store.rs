//! Where an image's files are: a directory (an OCI layout, or an unpacked
//! `docker save`) or an uncompressed tarball of one. A tarball is indexed once
//! (names, offsets and sizes, seeking over the data), then each file is read in
//! place through its own file handle, so layers stream from the tarball in
//! parallel and nothing is unpacked to disk.

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::{Component, Path, PathBuf};

use super::ImageError;

/// JSON files (manifests, configs) larger than this are not read.
const JSON_MAX: u64 = 64 << 20;
/// Symbolic links followed to find a file in a tarball (old `docker save` links
/// a repeated layer to its first copy).
const MAX_LINKS: usize = 8;

/// A file of the image as a stream, and its size.
pub(crate) type Opened = (Box<dyn Read + Send>, u64);

/// A file in a tarball.
#[derive(Debug, Clone)]
pub(crate) enum TarEntry {
    File { offset: u64, size: u64 },
    Link { target: String },
}

/// The files of one image.
#[derive(Debug)]
pub(crate) enum Store {
    Dir(PathBuf),
    Tar {
        path: PathBuf,
        entries: HashMap<String, TarEntry>,
    },
    /// Blobs streamed from a registry, checked against their digests.
    Registry(super::registry::Blobs),
}

impl Store {
    /// Opens a directory or indexes a tarball.
    pub fn open(path: &Path) -> Result<Store, ImageError> {
        let io_error = |source| ImageError::Io {
            path: path.display().to_string(),
            source,
        };
        let meta = std::fs::metadata(path).map_err(io_error)?;
        if meta.is_dir() {
            return Ok(Store::Dir(path.to_path_buf()));
        }
        let mut file = File::open(path).map_err(io_error)?;
        let head = crate::archive::read_head(&mut file).map_err(io_error)?;
        match crate::archive::classify(&head, ".tar") {
            crate::archive::Kind::Tar => {}
            crate::archive::Kind::Gzip
            | crate::archive::Kind::Zstd
            | crate::archive::Kind::Bzip2
            | crate::archive::Kind::Xz => return Err(ImageError::Compressed(path.display().to_string())),
            _ => return Err(ImageError::NotAnImage(path.display().to_string())),
        }
        file.seek(SeekFrom::Start(0)).map_err(io_error)?;
        let entries = index_tar(file).map_err(io_error)?;
        Ok(Store::Tar {
            path: path.to_path_buf(),
            entries,
        })
    }

    /// Whether the image has a file of this name.
    pub fn contains(&self, name: &str) -> bool {
        match self {
            Store::Dir(dir) => checked_name(name).is_some_and(|n| dir.join(n).is_file()),
            Store::Tar { entries, .. } => self.resolve(entries, name).is_some(),
            Store::Registry(blobs) => blobs.contains(name),
        }
    }

    /// Whether a blob's reader checks its digest at the end of the stream, so
    /// a reader should read a blob to its end even when the layer's tar ends
    /// before it.
    pub fn verifies(&self) -> bool {
        matches!(self, Store::Registry(_))
    }

    /// Reads a (JSON) file whole; `Ok(None)` if there is none of this name.
    pub fn read(&self, name: &str) -> Result<Option<Vec<u8>>, ImageError> {
        let Some((reader, size)) = self.open_file(name)? else {
            return Ok(None);
        };
        if size > JSON_MAX {
            return Err(ImageError::TooLarge(name.to_owned()));
        }
        let mut bytes = Vec::new();
        reader
            .take(JSON_MAX + 1)
            .read_to_end(&mut bytes)
            .map_err(|source| self.error(name, source))?;
        if bytes.len() as u64 > JSON_MAX {
            return Err(ImageError::TooLarge(name.to_owned()));
        }
        Ok(Some(bytes))
    }

    /// A file as a stream and its size; `Ok(None)` if there is none.
    pub fn open_file(&self, name: &str) -> Result<Option<Opened>, ImageError> {
        match self {
            Store::Dir(dir) => {
                let Some(relative) = checked_name(name) else {
                    return Err(ImageError::BadName(name.to_owned()));
                };
                let path = dir.join(relative);
                match File::open(&path) {
                    Ok(file) => {
                        let size = file.metadata().map_err(|e| self.error(name, e))?.len();
                        Ok(Some((Box::new(file), size)))
                    }
                    Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
                    Err(e) => Err(self.error(name, e)),
                }
            }
            Store::Tar { path, entries } => {
                let Some((offset, size)) = self.resolve(entries, name) else {
                    return Ok(None);
                };
                let mut file = File::open(path).map_err(|e| self.error(name, e))?;
                file.seek(SeekFrom::Start(offset)).map_err(|e| self.error(name, e))?;
                Ok(Some((Box::new(file.take(size)), size)))
            }
            Store::Registry(blobs) => blobs.open(name),
        }
    }

    /// The offset and size of a tarball's file, following links.
    fn resolve(&self, entries: &HashMap<String, TarEntry>, name: &str) -> Option<(u64, u64)> {
        let mut name = normalize(name);
        for _ in 0..MAX_LINKS {
            match entries.get(&name)? {
                TarEntry::File { offset, size } => return Some((*offset, *size)),
                TarEntry::Link { target } => name = join_link(&name, target),
            }
        }
        None
    }

    fn error(&self, name: &str, source: io::Error) -> ImageError {
        ImageError::Io {
            path: name.to_owned(),
            source,
        }
    }
}

/// Names, offsets and sizes of a tarball's files and links, seeking over data.
fn index_tar(file: File) -> io::Result<HashMap<String, TarEntry>> {
    let mut archive = tar::Archive::new(file);
    let mut entries = HashMap::new();
    for entry in archive.entries_with_seek()? {
        let entry = entry?;
        let name = normalize(&String::from_utf8_lossy(&entry.path_bytes()));
        let kind = entry.header().entry_type();
        if kind.is_file() {
            let (offset, size) = (entry.raw_file_position(), entry.size());
            entries.insert(name, TarEntry::File { offset, size });
        } else if kind.is_symlink() || kind.is_hard_link() {
            if let Some(target) = entry.link_name_bytes() {
                let target = String::from_utf8_lossy(&target).into_owned();
                let target = if kind.is_hard_link() {
                    format!("/{target}")
                } else {
                    target
                };
                entries.insert(name, TarEntry::Link { target });
            }
        }
    }
    Ok(entries)
}

/// A name without `./` segments or a leading `/`.
fn normalize(name: &str) -> String {
    name.split('/')
        .filter(|part| !part.is_empty() && *part != ".")
        .collect::<Vec<_>>()
        .join("/")
}

/// Where a link at `name` pointing at `target` leads (relative to its directory,
/// or to the tarball's root if it starts with `/`); `..` stays inside the root.
fn join_link(name: &str, target: &str) -> String {
    let mut parts: Vec<&str> = if target.starts_with('/') {
        Vec::new()
    } else {
        let mut dir: Vec<&str> = name.split('/').collect();
        dir.pop();
        dir
    };
    for part in target.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            part => parts.push(part),
        }
    }
    parts.join("/")
}

/// A relative path with no `..`, root or prefix: the only names a manifest may
/// use to reach into an image directory.
fn checked_name(name: &str) -> Option<&Path> {
    let path = Path::new(name);
    path.components()
        .all(|c| matches!(c, Component::Normal(_) | Component::CurDir))
        .then_some(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_cannot_leave_the_image() {
        assert!(checked_name("blobs/sha256/ab").is_some());
        assert!(checked_name("../etc/passwd").is_none());
        assert!(checked_name("/etc/passwd").is_none());
        assert_eq!(join_link("abc/layer.tar", "../def/layer.tar"), "def/layer.tar");
        assert_eq!(join_link("a/b", "../../../x"), "x");
        assert_eq!(normalize("./blobs//sha256/x"), "blobs/sha256/x");
    }
}
