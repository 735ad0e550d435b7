//! Where a scanning session reads hush's own files — the config, the baseline,
//! rule packs: from the file system, or, in a range scan (`hush git --range
//! A..B`, the Action on a pull request), from the range's base commit, so that
//! a change cannot exempt itself. Every file read from the base is recorded:
//! those are the files whose changes inside the range are reported.

use std::cell::RefCell;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use hush_rules::{load_pack, load_pack_file, RuleSpec};
use hush_scanner::baseline::Baseline;
use hush_scanner::config::{Config, CONFIG_FILE};
use hush_scanner::git::{Guard, RangeBase};
use hush_scanner::widening::HushFile;

/// The `.hushignore` a guarded range reads from its base (see hush_scanner::git).
const IGNORE_FILE: &str = ".hushignore";

/// Where hush's files come from.
#[derive(Clone, Copy)]
pub(super) enum Files<'a> {
    /// The file system; `.hush.toml` is looked for in this directory.
    Disk(&'a Path),
    /// A range's base commit.
    Base(&'a BaseFiles),
}

/// A range's base, and the files read from it.
pub(super) struct BaseFiles {
    base: RangeBase,
    /// The top of the work tree, or empty for a bare repository.
    top: PathBuf,
    read: RefCell<Vec<(String, HushFile)>>,
}

impl BaseFiles {
    /// The base of `range` in `repo`.
    pub(super) fn open(repo: &Path, range: &str) -> Result<BaseFiles> {
        let base = RangeBase::open(repo, range)?;
        let top = base.workdir().map(Path::to_path_buf).unwrap_or_default();
        Ok(BaseFiles {
            base,
            top,
            read: RefCell::new(vec![(IGNORE_FILE.to_owned(), HushFile::Ignore)]),
        })
    }

    /// The files to guard: every one read from the base, and `.hushignore`.
    pub(super) fn guard(&self) -> Guard {
        Guard {
            files: self.read.borrow().clone(),
        }
    }

    /// `path`, relative to the repository, if it is inside it.
    fn relative(&self, path: &Path) -> Option<String> {
        if self.top.as_os_str().is_empty() {
            // A bare repository: a relative path is taken as the repository's.
            let parts: Option<Vec<&str>> = path
                .components()
                .filter(|c| !matches!(c, std::path::Component::CurDir))
                .map(|c| match c {
                    std::path::Component::Normal(n) => n.to_str(),
                    _ => None,
                })
                .collect();
            return parts.map(|p| p.join("/"));
        }
        self.base.relative(path)
    }

    /// The file at repository path `rel` in the base, recorded as `kind`.
    fn read(&self, rel: &str, kind: HushFile) -> Result<Option<String>> {
        let mut read = self.read.borrow_mut();
        if !read.iter().any(|(p, _)| p == rel) {
            read.push((rel.to_owned(), kind));
        }
        let bytes = self.base.read(rel)?;
        Ok(bytes.map(|b| String::from_utf8_lossy(&b).into_owned()))
    }

    /// How a file read from the base is named in errors and notes.
    fn name(&self, rel: &str) -> String {
        format!("{rel} (in base commit {:.12})", self.base.commit.to_string())
    }
}

impl Files<'_> {
    /// `--config FILE`, else `.hush.toml`: at the root, or in the base (where a
    /// `FILE` inside the repository is read from too).
    pub(super) fn config(self, explicit: Option<&Path>) -> Result<Option<Config>> {
        let base = match self {
            Files::Disk(root) => return Ok(Config::discover(explicit, root)?),
            Files::Base(base) => base,
        };
        let rel = match explicit {
            None => CONFIG_FILE.to_owned(),
            Some(path) => match base.relative(path) {
                Some(rel) => rel,
                None => return Ok(Some(Config::load(path)?)),
            },
        };
        match base.read(&rel, HushFile::Config)? {
            Some(text) => Ok(Some(Config::parse(base.name(&rel), text, base.top.clone())?)),
            None => {
                if explicit.is_some() {
                    eprintln!("hush: note: --config {rel} is not in the range's base: no config applies");
                }
                Ok(None)
            }
        }
    }

    /// The baseline at `path`; from the base if it is inside the repository
    /// there (none if the base lacks it).
    pub(super) fn baseline(self, path: &Path) -> Result<Option<Baseline>> {
        if let Files::Base(base) = self {
            if let Some(rel) = base.relative(path) {
                return match base.read(&rel, HushFile::Baseline)? {
                    Some(text) => Ok(Some(Baseline::parse(&base.name(&rel), &text)?)),
                    None => {
                        eprintln!("hush: note: baseline {rel} is not in the range's base: no baseline applies");
                        Ok(None)
                    }
                };
            }
        }
        Ok(Some(Baseline::load(path)?))
    }

    /// The rules of the pack at `path`; from the base if it is inside the
    /// repository there.
    pub(super) fn pack(self, path: &Path) -> Result<Vec<RuleSpec>> {
        if let Files::Base(base) = self {
            if let Some(rel) = base.relative(path) {
                let text = base
                    .read(&rel, HushFile::Pack)?
                    .with_context(|| format!("rule pack {}: no such file", base.name(&rel)))?;
                return Ok(load_pack(&base.name(&rel), &text)?);
            }
        }
        Ok(load_pack_file(path)?)
    }
}
