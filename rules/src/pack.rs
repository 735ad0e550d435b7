//! Rule packs: the TOML schema of a rule, and loading packs from the embedded
//! defaults or from a user's file, with errors that name the file, line and key.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::table::{provider_rule, ProviderSpec, TableShape};
use crate::validate::Validator;

include!(concat!(env!("OUT_DIR"), "/default_packs.rs"));

/// How bad a leak of this kind is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    /// The name rule packs and reports use (`"high"`), as serde writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

/// How sure a match of this rule is to be a real secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    Low,
    Medium,
    High,
}

impl Confidence {
    /// The name rule packs and reports use (`"medium"`), as serde writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::Low => "low",
            Confidence::Medium => "medium",
            Confidence::High => "high",
        }
    }
}

impl std::fmt::Display for Confidence {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

/// Whether a keyword hit must match the keyword's case exactly. The prefilter is
/// case-insensitive; `exact` rules drop the hits whose case differs (provider
/// prefixes such as `AKIA` or `ghp_`), `ignore` rules keep them (provider names).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum KeywordCase {
    #[default]
    Ignore,
    Exact,
}

/// Where the rule's regex runs around a keyword hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// A window of `window_before` / `window_after` bytes around the hit.
    #[default]
    Window,
    /// Only the line that holds the hit (generic assignment rules: cheap, and
    /// a `password` keyword in one line never pairs with a value in another).
    Line,
}

/// One rule as written in a pack.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSpec {
    /// Stable kebab-case identifier.
    pub id: String,
    pub name: String,
    /// Literals for the prefilter; at least one must occur for the regex to run.
    pub keywords: Vec<String>,
    #[serde(default)]
    pub keyword_case: KeywordCase,
    /// The confirming regex; the secret is the group named `secret` (or, in other
    /// alternatives, `secret2`, `secret3`...; the whole match when there is none).
    pub regex: String,
    /// Shannon entropy floor (bits per byte) of the secret.
    pub entropy: Option<f64>,
    /// Structural or checksum validation of the secret.
    pub validate: Option<Validator>,
    pub severity: Severity,
    pub confidence: Confidence,
    #[serde(default)]
    pub tags: Vec<String>,
    /// How to revoke or rotate, with the provider's docs URL.
    pub remediation: String,
    #[serde(default)]
    pub scope: Scope,
    /// Bytes before a keyword hit that the regex may see (scope `window`).
    #[serde(default = "default_window_before")]
    pub window_before: usize,
    /// Bytes after a keyword hit that the regex may see (scope `window`).
    #[serde(default = "default_window_after")]
    pub window_after: usize,
    /// Reject secrets that look like placeholders (`EXAMPLE`, `xxxx`, `${VAR}`, ...).
    #[serde(default = "default_true")]
    pub reject_placeholders: bool,
    /// Inclusive bounds on the secret's length in bytes: a value too short or too
    /// long for any credential of the kind is not one (generic rules).
    pub secret_length: Option<[usize; 2]>,
    /// Secrets containing one of these (case-insensitively) are dropped.
    #[serde(default)]
    pub stopwords: Vec<String>,
    /// Texts in which the rule must find a secret.
    #[serde(default)]
    pub examples: Vec<String>,
    /// Texts in which the rule must find nothing.
    #[serde(default)]
    pub negative_examples: Vec<String>,
    /// Ids of rules whose matches inside this rule's whole match are parts of
    /// this finding and are not reported on their own (a key pair subsumes the
    /// key id and the secret key).
    #[serde(default)]
    pub subsumes: Vec<String>,
    /// One of the embedded default rules: its regex was checked by the test
    /// suite, so compiling the set does not parse it up front.
    #[serde(skip)]
    pub builtin: bool,
    /// Set on rules compiled from a `[[providers]]` table entry: the value's
    /// shape, from which their examples are generated.
    #[serde(skip)]
    pub table: Option<TableShape>,
}

fn default_window_before() -> usize {
    256
}
fn default_window_after() -> usize {
    512
}
fn default_true() -> bool {
    true
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PackFile {
    #[serde(default)]
    rules: Vec<RuleSpec>,
    /// The compact table form: one entry per provider credential.
    #[serde(default)]
    providers: Vec<ProviderSpec>,
}

/// A rule pack that could not be read or parsed.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("cannot read rule pack {file}: {source}")]
    Read {
        file: String,
        #[source]
        source: std::io::Error,
    },
    /// The TOML error text names the line, column and key.
    #[error("in rule pack {file}: {}", .error.to_string().trim_end())]
    Parse { file: String, error: Box<toml::de::Error> },
    /// An embedded default pack (JSON made by build.rs) does not parse.
    #[error("in embedded rule pack {file}: {error}")]
    Embedded { file: String, error: serde_json::Error },
}

/// Parses one pack's TOML text; `file` names it in errors. `[[providers]]`
/// table entries come after the pack's `[[rules]]`, compiled to rules.
pub fn load_pack(file: &str, text: &str) -> Result<Vec<RuleSpec>, LoadError> {
    let pack = toml::from_str::<PackFile>(text).map_err(|error| LoadError::Parse {
        file: file.to_owned(),
        error: Box::new(error),
    })?;
    let mut rules = pack.rules;
    rules.extend(pack.providers.into_iter().map(provider_rule));
    Ok(rules)
}

/// Reads and parses a pack from disk.
pub fn load_pack_file(path: &Path) -> Result<Vec<RuleSpec>, LoadError> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| LoadError::Read {
        file: file.clone(),
        source,
    })?;
    load_pack(&file, &text)
}

/// Every rule of the embedded default packs, in pack order. They are read from
/// the JSON form build.rs made of them (several times faster than TOML), and
/// marked [`RuleSpec::builtin`]: the test suite has compiled their regexes, so
/// start-up does not parse them again.
pub fn default_specs() -> Result<Vec<RuleSpec>, LoadError> {
    let mut all = Vec::new();
    for (file, json) in DEFAULT_PACKS_JSON {
        let pack: PackFile = serde_json::from_str(json).map_err(|error| LoadError::Embedded {
            file: (*file).to_owned(),
            error,
        })?;
        all.extend(pack.rules);
        all.extend(pack.providers.into_iter().map(provider_rule));
    }
    for spec in &mut all {
        spec.builtin = true;
    }
    Ok(all)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn level_names_are_the_names_serde_reads_and_writes() {
        use Confidence as C;
        use Severity as S;
        for s in [S::Info, S::Low, S::Medium, S::High, S::Critical] {
            let written = serde_json::to_string(&s).expect("serialises");
            assert_eq!(written, format!("\"{s}\""));
            assert_eq!(serde_json::from_str::<Severity>(&written).expect("reads back"), s);
        }
        for c in [C::Low, C::Medium, C::High] {
            let written = serde_json::to_string(&c).expect("serialises");
            assert_eq!(written, format!("\"{}\"", c.as_str()));
            assert_eq!(serde_json::from_str::<Confidence>(&written).expect("reads back"), c);
        }
    }

    #[test]
    fn unknown_key_is_named_with_its_line() {
        let text = "[[rules]]\nid = \"x\"\nname = \"x\"\nkeywords = [\"abc\"]\nregex = \"abc\"\nseverity = \"low\"\nconfidence = \"low\"\nremediation = \"r\"\nsevrity = \"high\"\n";
        let err = load_pack("custom.toml", text).unwrap_err().to_string();
        assert!(err.contains("custom.toml"), "{err}");
        assert!(err.contains("line 9"), "{err}");
        assert!(err.contains("sevrity"), "{err}");
    }

    #[test]
    fn bad_severity_is_an_error() {
        let text = "[[rules]]\nid = \"x\"\nname = \"x\"\nkeywords = [\"abc\"]\nregex = \"abc\"\nseverity = \"huge\"\nconfidence = \"low\"\nremediation = \"r\"\n";
        let err = load_pack("p.toml", text).unwrap_err().to_string();
        assert!(err.contains("huge"), "{err}");
    }
}
