//! What a rule is: the data model every other module shares — a rule's
//! specification as packs write it ([`RuleSpec`]), its severity, confidence,
//! scope and keyword case, and the value shape of provider-table rules
//! ([`TableShape`], [`Alphabet`]). Loading packs is [`crate::pack`]; the compact
//! provider table is [`crate::table`].

use serde::{Deserialize, Serialize};

use crate::validate::Validator;
use crate::verify::VerifySpec;

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
    /// Literals that begin this rule's match *before* its keyword, for a rule
    /// whose keyword may follow its secret on a later line (a JSON object whose
    /// password precedes the field that names the file type). The scanner sees
    /// the whole window and ignores them; the redactor, which writes lines as
    /// they come, holds the lines after one of them until the keyword's window
    /// has passed, so the secret is still unwritten when the keyword arrives.
    #[serde(default)]
    pub leading_keywords: Vec<String>,
    /// How `--verify` checks a secret of this rule with its provider (see
    /// [`crate::verify`]).
    pub verify: Option<VerifySpec>,
    /// One of the embedded default rules: its regex was checked by the test
    /// suite, so compiling the set does not parse it up front.
    #[serde(skip)]
    pub builtin: bool,
    /// The ASCII word bytes that may not precede a keyword hit
    /// ([`crate::gate`]): derived from the regex, at build time for the
    /// built-in rules; `None` until then.
    #[serde(skip)]
    pub keyword_gate: Option<crate::gate::AsciiSet>,
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

/// The alphabet of a provider credential's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Alphabet {
    /// `0-9a-f`, either case (providers print lower case; people paste upper).
    Hex,
    /// `0-9a-f` only.
    HexLower,
    /// `0-9A-F` only.
    HexUpper,
    /// `A-Za-z0-9`.
    Alnum,
    /// `a-z0-9`.
    AlnumLower,
    /// `A-Z0-9`.
    AlnumUpper,
    /// `0-9`.
    Digits,
    /// Standard base64 `A-Za-z0-9+/`, with up to two `=` of padding after it.
    Base64,
    /// URL-safe `A-Za-z0-9_-`.
    Base64url,
    /// URL-safe plus `.`: `A-Za-z0-9_.-`.
    TokenDot,
    /// A UUID, 8-4-4-4-12 hex digits (`length` is ignored).
    Uuid,
}

impl Alphabet {
    /// Whether `b` belongs to a value of this alphabet (`hex` and UUIDs take
    /// either case).
    pub fn contains(self, b: u8) -> bool {
        match self {
            Alphabet::Hex | Alphabet::Uuid => b.is_ascii_hexdigit(),
            Alphabet::HexLower => b.is_ascii_digit() || (b'a'..=b'f').contains(&b),
            Alphabet::HexUpper => b.is_ascii_digit() || (b'A'..=b'F').contains(&b),
            Alphabet::Alnum => b.is_ascii_alphanumeric(),
            Alphabet::AlnumLower => b.is_ascii_digit() || b.is_ascii_lowercase(),
            Alphabet::AlnumUpper => b.is_ascii_digit() || b.is_ascii_uppercase(),
            Alphabet::Digits => b.is_ascii_digit(),
            Alphabet::Base64 => b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/'),
            Alphabet::Base64url => b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-'),
            Alphabet::TokenDot => b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'),
        }
    }

    /// The characters of the alphabet, for generating examples.
    pub fn chars(self) -> &'static [u8] {
        match self {
            Alphabet::Hex | Alphabet::HexLower | Alphabet::Uuid => b"0123456789abcdef",
            Alphabet::HexUpper => b"0123456789ABCDEF",
            Alphabet::Alnum => b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
            Alphabet::AlnumLower => b"abcdefghijklmnopqrstuvwxyz0123456789",
            Alphabet::AlnumUpper => b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
            Alphabet::Digits => b"0123456789",
            Alphabet::Base64 => b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/",
            Alphabet::Base64url => b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-",
            Alphabet::TokenDot => b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-.",
        }
    }

    /// The entropy floor (bits per character) a random value of this alphabet
    /// clears with room to spare at the lengths providers use.
    pub(crate) fn default_entropy(self) -> f64 {
        match self {
            Alphabet::Digits => 2.5,
            Alphabet::Hex | Alphabet::HexLower | Alphabet::HexUpper | Alphabet::Uuid => 3.0,
            Alphabet::AlnumLower | Alphabet::AlnumUpper => 3.2,
            _ => 3.5,
        }
    }
}

/// Everything [`crate::check_examples`] needs to generate examples of a table rule.
#[derive(Debug, Clone, PartialEq)]
pub struct TableShape {
    /// The first keyword, as written.
    pub keyword: String,
    pub value: Alphabet,
    pub min_len: usize,
    pub max_len: usize,
    pub prefix: String,
    pub suffix: String,
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
}
