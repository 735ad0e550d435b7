//! From flags to a [`Redactor`]: the rule set (defaults, `--rules`,
//! `--disable-rule`), literal masks from files, environment variables and file
//! descriptors, and the replacement style.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use hush_rules::{default_specs, load_pack_file, CompileError, LoadError, RuleSet, RuleSpec};

use super::{RedactArgs, StyleChoice};
use crate::literal::MaskValue;
use crate::redactor::{BuildError, Redactor};
use crate::style::{HashKey, HashKeyError, Style};

/// The flags do not make a redactor. Messages include their causes.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error("loading the default rule packs: {0}")]
    DefaultRules(LoadError),
    #[error("--rules {path}: {error}")]
    RulePack { path: String, error: LoadError },
    #[error("--disable-rule {0}: no rule has this id (see `hush rules list`)")]
    UnknownRule(String),
    #[error(transparent)]
    Compile(#[from] CompileError),
    #[error("{flag} {path}: {error}")]
    Read {
        flag: &'static str,
        path: String,
        error: std::io::Error,
    },
    #[error("--hash-key-file {path}: {error}")]
    HashKeyFile { path: String, error: HashKeyError },
    #[error(transparent)]
    RandomKey(HashKeyError),
    #[error("{0}")]
    Usage(&'static str),
    #[error(transparent)]
    Build(#[from] BuildError),
}

/// A redactor and what the user should be told about it.
pub(super) struct Built {
    pub redactor: Redactor,
    pub warnings: Vec<String>,
}

pub(super) fn redactor(args: &RedactArgs) -> Result<Built, SetupError> {
    let style = style(args)?;
    let (masks, mut warnings) = masks(args)?;
    let mut builder = Redactor::builder()
        .masks(masks)
        .structure(!args.no_structure)
        .decode_depth(args.max_decode_depth)
        .style(style);
    if !args.no_rules {
        builder = builder.rules(rules(&args.rules, &args.disable)?);
    }
    let redactor = builder.build()?;
    warnings.extend(redactor.warnings().iter().cloned());
    Ok(Built { redactor, warnings })
}

/// The default rules plus `--rules` packs, minus `--disable-rule` ids.
fn rules(packs: &[PathBuf], disable: &[String]) -> Result<RuleSet, SetupError> {
    let mut specs: Vec<RuleSpec> = default_specs().map_err(SetupError::DefaultRules)?;
    let mut user_ids = HashSet::new();
    for pack in packs {
        let user = load_pack_file(pack).map_err(|error| SetupError::RulePack {
            path: pack.display().to_string(),
            error,
        })?;
        user_ids.extend(user.iter().map(|s| s.id.clone()));
        specs.extend(user);
    }
    if let Some(unknown) = disable.iter().find(|id| !specs.iter().any(|s| &s.id == *id)) {
        return Err(SetupError::UnknownRule(unknown.clone()));
    }
    specs.retain(|s| !disable.contains(&s.id));
    let set = RuleSet::compile(specs)?;
    // The default packs' regexes are compiled by the tests; a user's are checked now.
    set.compile_rules(|r| user_ids.contains(&r.id))?;
    Ok(set)
}

fn style(args: &RedactArgs) -> Result<Style, SetupError> {
    let choice = args.style.unwrap_or(if args.replacement.is_some() {
        StyleChoice::Fixed
    } else {
        StyleChoice::Label
    });
    if args.replacement.is_some() && choice != StyleChoice::Fixed {
        return Err(SetupError::Usage("--replacement goes with --style fixed"));
    }
    if args.hash_key_file.is_some() && choice != StyleChoice::Hash {
        return Err(SetupError::Usage("--hash-key-file goes with --style hash"));
    }
    Ok(match choice {
        StyleChoice::Label => Style::Label,
        StyleChoice::Partial => Style::Partial,
        StyleChoice::Fixed => Style::Fixed(args.replacement.as_deref().unwrap_or("[REDACTED]").as_bytes().to_vec()),
        StyleChoice::Hash => Style::Hash(match &args.hash_key_file {
            Some(path) => {
                let bytes = read("--hash-key-file", path)?;
                let key = bytes.strip_suffix(b"\n").unwrap_or(&bytes);
                HashKey::from_bytes(key).map_err(|error| SetupError::HashKeyFile {
                    path: path.display().to_string(),
                    error,
                })?
            }
            None => HashKey::random().map_err(SetupError::RandomKey)?,
        }),
    })
}

/// Every literal mask value, and warnings about unset variables.
fn masks(args: &RedactArgs) -> Result<(Vec<MaskValue>, Vec<String>), SetupError> {
    let mut values = Vec::new();
    let mut warnings = Vec::new();
    for path in &args.mask_files {
        values.push(MaskValue {
            origin: format!("--mask-file {}", path.display()),
            value: read("--mask-file", path)?,
        });
    }
    for var in &args.mask_env {
        match std::env::var_os(var) {
            Some(value) => values.push(MaskValue {
                origin: format!("--mask-env {var}"),
                value: std::os::unix::ffi::OsStringExt::into_vec(value),
            }),
            None => warnings.push(format!("--mask-env {var}: the variable is not set; nothing to mask")),
        }
    }
    for fd in &args.mask_fds {
        if *fd == 0 && args.command.is_empty() {
            return Err(SetupError::Usage(
                "--mask-stdin-fd 0: stdin is the input to redact; pass the values on another descriptor (3<<<\"$VALUE\")",
            ));
        }
        let path = PathBuf::from(format!("/dev/fd/{fd}"));
        values.push(MaskValue {
            origin: format!("--mask-stdin-fd {fd}"),
            value: read("--mask-stdin-fd", &path)?,
        });
    }
    Ok((values, warnings))
}

fn read(flag: &'static str, path: &Path) -> Result<Vec<u8>, SetupError> {
    std::fs::read(path).map_err(|error| SetupError::Read {
        flag,
        path: path.display().to_string(),
        error,
    })
}
