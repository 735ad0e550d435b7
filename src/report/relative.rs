//! Paths as code-hosting tools want them (SARIF `artifactLocation.uri`, GitHub
//! annotations' `file=`): relative to the current directory, which is the
//! repository root when CI runs `hush scan .`, split into segments to be joined
//! with `/`, never absolute.

use std::ffi::OsString;
use std::path::{Component, Path, PathBuf};

/// Where relative paths are resolved from: the current directory, looked up only
/// when a report meets an absolute path.
#[derive(Default)]
pub(crate) struct Base {
    cwd: Option<Option<PathBuf>>,
}

impl Base {
    /// The segments of `path` relative to the current directory.
    pub(crate) fn segments(&mut self, path: &Path) -> Vec<OsString> {
        if !path.is_absolute() {
            return segments(path, None);
        }
        let cwd = self.cwd.get_or_insert_with(|| std::env::current_dir().ok());
        segments(path, cwd.as_deref())
    }
}

/// The segments of `path`, relative and without `.`:
/// - a relative path keeps its segments (`./a/../b` gives `a`, `..`, `b`: the
///   walker's paths are not normalised and neither are these);
/// - an absolute path under `cwd` is made relative to it;
/// - an absolute path elsewhere climbs out of `cwd` with `..` segments, so it
///   still resolves from the same base; with no usable `cwd` (or, on Windows,
///   another drive) it loses its root, which is wrong but never absolute.
pub(crate) fn segments(path: &Path, cwd: Option<&Path>) -> Vec<OsString> {
    let Some(cwd) = cwd.filter(|c| path.is_absolute() && c.is_absolute()) else {
        return relative_parts(path);
    };
    if let Ok(rest) = path.strip_prefix(cwd) {
        return relative_parts(rest);
    }
    let ours: Vec<Component> = path.components().collect();
    let theirs: Vec<Component> = cwd.components().collect();
    let common = ours.iter().zip(&theirs).take_while(|(a, b)| a == b).count();
    // Nothing in common: different Windows drives; there is no relative path.
    if common == 0 {
        return relative_parts(path);
    }
    let mut out: Vec<OsString> = theirs[common..]
        .iter()
        .filter(|c| matches!(c, Component::Normal(_)))
        .map(|_| OsString::from(".."))
        .collect();
    out.extend(relative_parts(&ours[common..].iter().collect::<PathBuf>()));
    out
}

/// Named segments and `..`; roots, drive prefixes and `.` dropped.
fn relative_parts(path: &Path) -> Vec<OsString> {
    path.components()
        .filter_map(|c| match c {
            Component::Normal(name) => Some(name.to_os_string()),
            Component::ParentDir => Some(OsString::from("..")),
            Component::CurDir | Component::RootDir | Component::Prefix(_) => None,
        })
        .collect()
}

/// The segments joined with `/` (lossy where a name is not UTF-8).
pub(crate) fn slash_joined(segments: &[OsString]) -> String {
    segments
        .iter()
        .map(|s| s.to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn joined(path: &str, cwd: Option<&str>) -> String {
        slash_joined(&segments(Path::new(path), cwd.map(Path::new)))
    }

    #[cfg(unix)]
    #[test]
    fn absolute_paths_become_relative_to_the_current_directory() {
        assert_eq!(joined("/work/repo/src/a.rs", Some("/work/repo")), "src/a.rs");
        assert_eq!(joined("/work/other/a.rs", Some("/work/repo")), "../other/a.rs");
        assert_eq!(joined("/etc/a.conf", Some("/work/repo")), "../../etc/a.conf");
        assert_eq!(joined("/etc/a.conf", None), "etc/a.conf");
    }

    #[test]
    fn relative_paths_keep_their_segments() {
        assert_eq!(joined("src/a.rs", Some("/work/repo")), "src/a.rs");
        assert_eq!(joined("./src/./a.rs", None), "src/a.rs");
        assert_eq!(joined("../x/a.rs", None), "../x/a.rs");
    }
}
