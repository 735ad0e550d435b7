//! `.hush.toml`: a repository's scanner settings. Found at the scan root or named
//! with `--config`. Unknown keys and bad regexes or globs are errors that name the
//! file, the line and the key.
//!
//! ```toml
//! baseline = ".hush-baseline"             # used when --baseline is not given
//! max_decode_depth = 2                    # used when --max-decode-depth is not given
//! skip_binary = true                      # as --skip-binary: binaries are not scanned
//! verify = true                           # as --verify: ask providers whether findings work
//!
//! [rules]
//! packs = ["security/extra-rules.toml"]   # relative to this file
//! disable = ["generic-password"]
//!
//! [rules.override.generic-api-key]
//! entropy = 4.2
//! severity = "low"
//!
//! [allow]
//! paths = ["vendor/**", "**/testdata/**"]
//! stopwords = ["dummy"]
//! values = ["not-a-real-password-1"]
//! sha256 = ["9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"]
//! regexes = [
//!   { pattern = '^AKIA[0-9A-Z]{12}TEST$', target = "secret" },
//!   { pattern = 'example\.com', target = "line" },
//! ]
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use hush_rules::Severity;
use serde::Deserialize;
use toml::Spanned;

/// The deepest decoding `--max-decode-depth` and `max_decode_depth` allow.
pub const MAX_DECODE_DEPTH: u32 = 4;

/// The file name looked for at the scan root.
pub const CONFIG_FILE: &str = ".hush.toml";

/// A config file that could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {file}: {source}")]
    Read {
        file: String,
        #[source]
        source: std::io::Error,
    },
    /// The TOML error text names the line, column and key.
    #[error("in {file}: {}", .error.to_string().trim_end())]
    Parse { file: String, error: Box<toml::de::Error> },
    #[error("{file}:{line}: {key}: {message}")]
    Invalid {
        file: String,
        line: usize,
        key: String,
        message: String,
    },
}

/// The parsed `.hush.toml`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub rules: RulesConfig,
    #[serde(default)]
    pub allow: AllowConfig,
    /// Baseline file used when `--baseline` is not given (relative to this file).
    pub baseline: Option<PathBuf>,
    /// Decoding depth used when `--max-decode-depth` is not given (0 to 4).
    pub max_decode_depth: Option<Spanned<u32>>,
    /// Skip binaries, as `--skip-binary` (default: scan their printable runs).
    pub skip_binary: Option<bool>,
    /// Verify findings with their providers, as `--verify`.
    pub verify: Option<bool>,
    /// The directory of the config file (set after loading).
    #[serde(skip)]
    pub dir: PathBuf,
    /// The config file's name, for errors.
    #[serde(skip)]
    pub file: String,
    #[serde(skip)]
    text: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RulesConfig {
    /// Extra rule packs, relative to the config file.
    #[serde(default)]
    pub packs: Vec<PathBuf>,
    /// Rule ids to disable.
    #[serde(default)]
    pub disable: Vec<Spanned<String>>,
    /// Per-rule settings, by rule id.
    #[serde(default, rename = "override")]
    pub overrides: BTreeMap<String, Spanned<RuleOverride>>,
}

/// What a repository may change about one rule.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleOverride {
    pub entropy: Option<f64>,
    pub severity: Option<Severity>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AllowConfig {
    /// Path globs (gitignore-like `**`) never scanned.
    #[serde(default)]
    pub paths: Vec<Spanned<String>>,
    /// Secrets containing one of these, case-insensitively, are allowed.
    #[serde(default)]
    pub stopwords: Vec<String>,
    /// Exact secret values that are allowed.
    #[serde(default)]
    pub values: Vec<String>,
    /// SHA-256 (hex) of allowed secrets, for values that should not be written down.
    #[serde(default)]
    pub sha256: Vec<Spanned<String>>,
    /// Regexes matched against the secret, the whole match, or the line.
    #[serde(default)]
    pub regexes: Vec<Spanned<AllowRegex>>,
}

/// An allow regex and what it is matched against.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AllowRegex {
    pub pattern: String,
    pub target: RegexTarget,
}

/// What an allow regex is matched against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RegexTarget {
    Secret,
    Match,
    Line,
}

impl Config {
    /// Reads and parses a config file.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            file: file.clone(),
            source,
        })?;
        Config::parse(file, text, path.parent().map(Path::to_path_buf).unwrap_or_default())
    }

    /// Parses a config's `text`; `file` names it in errors, and paths in it are
    /// relative to `dir` (a config read from a commit: the work tree's top).
    pub fn parse(file: String, text: String, dir: PathBuf) -> Result<Config, ConfigError> {
        let mut config: Config = toml::from_str(&text).map_err(|error| ConfigError::Parse {
            file: file.clone(),
            error: Box::new(error),
        })?;
        config.dir = dir;
        config.file = file;
        config.text = text;
        if let Some(depth) = &config.max_decode_depth {
            if *depth.get_ref() > MAX_DECODE_DEPTH {
                return Err(config.invalid(depth.span(), "max_decode_depth", format!("at most {MAX_DECODE_DEPTH}")));
            }
        }
        Ok(config)
    }

    /// The decoding depth the config asks for, if any.
    pub fn decode_depth(&self) -> Option<u32> {
        self.max_decode_depth.as_ref().map(|d| *d.get_ref())
    }

    /// `--config FILE` if given, else `.hush.toml` in `root` if it exists.
    pub fn discover(explicit: Option<&Path>, root: &Path) -> Result<Option<Config>, ConfigError> {
        if let Some(path) = explicit {
            return Config::load(path).map(Some);
        }
        let candidate = root.join(CONFIG_FILE);
        if candidate.is_file() {
            return Config::load(&candidate).map(Some);
        }
        Ok(None)
    }

    /// A path named in the config, resolved against the config file's directory.
    pub fn resolve(&self, path: &Path) -> PathBuf {
        if path.is_absolute() {
            path.to_path_buf()
        } else {
            self.dir.join(path)
        }
    }

    /// The 1-based line of byte `offset` of the file.
    pub fn line_of(&self, offset: usize) -> usize {
        self.text.get(..offset).map_or(1, |head| head.matches('\n').count() + 1)
    }

    /// An error about the value at byte `span` of the file.
    pub fn invalid(&self, span: std::ops::Range<usize>, key: &str, message: impl Into<String>) -> ConfigError {
        ConfigError::Invalid {
            file: self.file.clone(),
            line: self.line_of(span.start),
            key: key.to_owned(),
            message: message.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> Result<Config, ConfigError> {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join(CONFIG_FILE);
        std::fs::write(&path, text).expect("write");
        Config::load(&path)
    }

    #[test]
    fn full_example_parses() {
        let doc = include_str!("config.rs")
            .lines()
            .filter_map(|l| l.strip_prefix("//! "))
            .skip_while(|l| !l.starts_with("```toml"))
            .skip(1)
            .take_while(|l| !l.starts_with("```"))
            .collect::<Vec<_>>()
            .join("\n");
        let config = load(&doc).unwrap_or_else(|e| panic!("the doc example parses: {e}"));
        assert_eq!(config.rules.disable.len(), 1);
        assert_eq!(config.allow.regexes[1].get_ref().target, RegexTarget::Line);
        assert_eq!(
            config.rules.overrides["generic-api-key"].get_ref().severity,
            Some(Severity::Low)
        );
    }

    #[test]
    fn unknown_key_names_file_line_and_key() {
        let err = load("[allow]\npaths = []\nvalue = [\"x\"]\n").unwrap_err().to_string();
        assert!(
            err.contains(".hush.toml") && err.contains("line 3") && err.contains("value"),
            "{err}"
        );
    }
}
