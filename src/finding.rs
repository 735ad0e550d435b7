//! Findings: matches with the same rule and secret grouped into one finding with
//! all its locations ("rotate this key; it is in these 14 places"), a stable
//! fingerprint, and the masked form reports show instead of the secret.

use std::collections::HashMap;

use hush_rules::decode::Encoding as Decoded;
use hush_rules::{Confidence, RuleSet, Severity};
use sha2::{Digest, Sha256};

use crate::origin::Origin;
use crate::stream::Located;

/// One place a secret occurs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub origin: Origin,
    pub line: u64,
    pub column: u64,
    pub end_line: u64,
    pub end_column: u64,
    /// The line's text before and after the secret (for the text report).
    pub before: String,
    pub after: String,
    /// The encodings undone to find the secret here, outermost first (empty:
    /// found as it stands); the position is that of the encoded bytes.
    pub decoded: Vec<Decoded>,
}

/// One secret found by one rule, wherever it occurs.
#[derive(Debug, Clone)]
pub struct Finding {
    pub rule_id: String,
    pub rule_name: String,
    pub severity: Severity,
    pub confidence: Confidence,
    /// The rule's tags, as in its pack (e.g. `github`, `token`).
    pub tags: Vec<String>,
    pub remediation: String,
    /// In the baseline: reviewed before, does not fail the scan.
    pub known: bool,
    /// The secret itself: only shown with `--show-secrets`.
    pub secret: Vec<u8>,
    pub fingerprint: String,
    /// Sorted by origin, line and column.
    pub locations: Vec<Location>,
    /// A finding about the input rather than a secret (rules `archive-limit`,
    /// `hush-config-change`, `hush-allow-added`): `secret` holds a description,
    /// which reports show as it is.
    pub synthetic: bool,
    /// Set where the secret itself is not known (a finding `hush merge` read
    /// back from a report that masked it): the masked form that report
    /// showed. `secret` is then empty, and the fingerprint is the report's.
    pub secret_masked: Option<String>,
    /// The rule regex's named groups other than the secret, from the first
    /// match (what a verifier's templates name, such as an AWS key pair's
    /// `key_id`); never reported.
    pub captures: Vec<(String, Vec<u8>)>,
    /// What the provider said of the secret (`--verify`); `None` when not checked.
    pub verification: Option<Verification>,
}

/// A live check's verdict (`--verify`, `src/verify/`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VerifyStatus {
    /// The provider accepted the credential.
    Verified,
    /// The provider said it is not a valid credential.
    Invalid,
    /// No verdict: timeout, rate limit, 5xx, a 403 without the provider's own
    /// error body, TLS failure, a refused host, no side-effect-free check...
    Unknown,
}

impl VerifyStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            VerifyStatus::Verified => "verified",
            VerifyStatus::Invalid => "invalid",
            VerifyStatus::Unknown => "unknown",
        }
    }

    /// Reads [`VerifyStatus::as_str`] back (the verification cache, merged reports).
    pub fn parse(text: &str) -> Option<VerifyStatus> {
        match text {
            "verified" => Some(VerifyStatus::Verified),
            "invalid" => Some(VerifyStatus::Invalid),
            "unknown" => Some(VerifyStatus::Unknown),
            _ => None,
        }
    }
}

/// The verdict on one finding's secret, with why, and (for a verified key)
/// what it can do as the provider reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    pub status: VerifyStatus,
    pub reason: String,
    /// The verifier's provider name (`github`).
    pub provider: String,
    /// What the key can do, as the provider answered (`scopes`, `account`...).
    pub details: Vec<(String, String)>,
}

impl Verification {
    /// One line for people: `verified (scopes: repo; login: octocat)`,
    /// `unknown: timed out after 10 s`.
    pub fn summary(&self) -> String {
        let mut text = self.status.as_str().to_owned();
        if self.status == VerifyStatus::Verified {
            if !self.details.is_empty() {
                let shown: Vec<String> = self.details.iter().map(|(k, v)| format!("{k}: {v}")).collect();
                text.push_str(&format!(" ({})", shown.join("; ")));
            }
        } else if !self.reason.is_empty() {
            text.push_str(": ");
            text.push_str(&self.reason);
        }
        text
    }
}

impl Finding {
    /// The secret as reports show it by default: see [`mask`]. A synthetic
    /// finding's description is shown whole.
    pub fn masked(&self) -> String {
        if let Some(masked) = &self.secret_masked {
            masked.clone()
        } else if self.synthetic {
            String::from_utf8_lossy(&self.secret).into_owned()
        } else {
            mask(&self.secret)
        }
    }
}

/// The rule id of the synthetic finding for an archive that expands past the
/// limits (a decompression bomb): what was left of it was not scanned.
pub const ARCHIVE_LIMIT_RULE: &str = "archive-limit";

/// The first few characters of a secret and its length, e.g. `ghp_…(40)`: enough to
/// recognise a token's kind, never enough to use it. Short secrets show less
/// (a quarter of their length, at most 4 characters).
pub fn mask(secret: &[u8]) -> String {
    let text = String::from_utf8_lossy(secret);
    let shown = (secret.len() / 4).min(4);
    let prefix: String = text
        .chars()
        .take(shown)
        .map(|c| if c.is_control() { '?' } else { c })
        .collect();
    format!("{prefix}…({})", secret.len())
}

/// Stable identity of a finding: SHA-256 of the rule id and the secret, hex,
/// first 32 digits. Equal secrets found by the same rule anywhere share it.
pub fn fingerprint(rule_id: &str, secret: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(b"hush-fingerprint-v1\0");
    h.update(rule_id.as_bytes());
    h.update([0]);
    h.update(secret);
    let digest = h.finalize();
    digest[..16].iter().map(|b| format!("{b:02x}")).collect()
}

/// The longest whole match [`FindingSet`] keeps for a verifier's captures.
const MAX_KEPT_MATCH: usize = 2048;

/// Groups located matches from many origins into findings.
#[derive(Default, Clone)]
pub struct FindingSet {
    by_key: HashMap<(usize, Vec<u8>), Vec<Location>>,
    /// The whole match of each key's first location: a verifier's named
    /// captures are read from it.
    first_match: HashMap<(usize, Vec<u8>), Vec<u8>>,
    /// Findings about the input rather than a secret ([`Finding::synthetic`]):
    /// archives cut short by a limit, changes to hush's own files in a range.
    synthetic: Vec<Finding>,
}

impl FindingSet {
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether the set holds no finding.
    pub fn is_empty(&self) -> bool {
        self.by_key.is_empty() && self.synthetic.is_empty()
    }

    /// Adds the matches found in one origin.
    pub fn add(&mut self, origin: &Origin, found: Vec<Located>) {
        for m in found {
            let location = Location {
                origin: origin.clone(),
                line: m.line,
                column: m.column,
                end_line: m.end_line,
                end_column: m.end_column,
                before: m.before,
                after: m.after,
                decoded: m.decoded,
            };
            let key = (m.rule, m.secret);
            // Verifiers read captures from short matches (a key pair spans
            // a few lines); a longer one is not kept.
            if m.matched.len() <= MAX_KEPT_MATCH {
                self.first_match.entry(key.clone()).or_insert(m.matched);
            }
            self.by_key.entry(key).or_default().push(location);
        }
    }

    /// Records an archive that was cut short by a limit (`reason` says which).
    pub fn add_limit(&mut self, origin: Origin, reason: String) {
        self.synthetic.push(limit_finding((origin, reason)));
    }

    /// Adds a finding about the input ([`notice`]).
    pub fn add_synthetic(&mut self, finding: Finding) {
        self.synthetic.push(finding);
    }

    /// Merges another set (e.g. one thread's) into this one.
    pub fn merge(&mut self, other: FindingSet) {
        for (key, mut locations) in other.by_key {
            self.by_key.entry(key).or_default().append(&mut locations);
        }
        self.synthetic.extend(other.synthetic);
        for (key, matched) in other.first_match {
            self.first_match.entry(key).or_insert(matched);
        }
    }

    /// Rewrites every origin in the set (e.g. to mark image files deleted).
    pub fn map_origins(&mut self, mut change: impl FnMut(&mut Origin)) {
        let locations = self.by_key.values_mut().flatten().map(|l| &mut l.origin);
        locations
            .chain(
                self.synthetic
                    .iter_mut()
                    .flat_map(|f| &mut f.locations)
                    .map(|l| &mut l.origin),
            )
            .for_each(&mut change);
    }

    /// The findings, ordered by their first location, then rule id.
    pub fn into_findings(mut self, rules: &RuleSet) -> Vec<Finding> {
        let mut first_match = std::mem::take(&mut self.first_match);
        let mut findings: Vec<Finding> = self
            .by_key
            .into_iter()
            .map(|((rule_index, secret), mut locations)| {
                let rule = rules.rule(rule_index);
                let captures = match (&rule.spec.verify, first_match.remove(&(rule_index, secret.clone()))) {
                    (Some(_), Some(matched)) => rule.named_captures(&matched),
                    _ => Vec::new(),
                };
                locations.sort_by(|a, b| (&a.origin, a.line, a.column).cmp(&(&b.origin, b.line, b.column)));
                locations.dedup_by(|a, b| a.origin == b.origin && a.line == b.line && a.column == b.column);
                Finding {
                    rule_id: rule.id.clone(),
                    rule_name: rule.name.clone(),
                    severity: rule.severity,
                    confidence: rule.confidence,
                    tags: rule.tags.clone(),
                    remediation: rule.remediation.clone(),
                    known: false,
                    fingerprint: fingerprint(&rule.id, &secret),
                    secret,
                    locations,
                    synthetic: false,
                    secret_masked: None,
                    captures,
                    verification: None,
                }
            })
            .collect();
        findings.extend(self.synthetic);
        findings.sort_by(|a, b| {
            let key = |f: &Finding| {
                (
                    f.locations[0].origin.clone(),
                    f.locations[0].line,
                    f.locations[0].column,
                )
            };
            key(a).cmp(&key(b)).then_with(|| a.rule_id.cmp(&b.rule_id))
        });
        findings
    }
}

/// The rule id of the synthetic finding for a change, inside a scanned range, to
/// one of hush's own files (`.hush.toml`, `.hushignore`, the baseline) that lets
/// more through: a change cannot exempt itself, so a reviewer is told.
pub const CONFIG_CHANGE_RULE: &str = "hush-config-change";

/// The rule id of the synthetic finding for an inline allow annotation added in
/// a scanned range next to the secret it allows.
pub const ALLOW_ADDED_RULE: &str = "hush-allow-added";

/// A finding about the input, not a secret: `rule` at `line` of `origin`, with
/// `description` shown whole in place of a secret. Its fingerprint covers the
/// place (path and commit) and the description, so a baseline can accept one
/// such change without accepting all.
pub fn notice(rule: Notice, origin: Origin, line: u64, description: String) -> Finding {
    let (rule_id, rule_name, severity, confidence, remediation) = match rule {
        Notice::ConfigChange => (
            CONFIG_CHANGE_RULE,
            "Change to hush's config, ignore file or baseline",
            Severity::Medium,
            Confidence::High,
            "This change lets more through hush once it is merged; the scan of this range used the base \
             commit's files. Review it as you would a change to the gate itself.",
        ),
        Notice::AllowAdded => (
            ALLOW_ADDED_RULE,
            "Inline allow added with the secret it allows",
            Severity::Low,
            Confidence::High,
            "An inline allow annotation counts only once it is on the base: review the secret it allows \
             (reported too) before accepting it.",
        ),
    };
    let mut key = origin.display_path().into_bytes();
    key.push(0);
    key.extend_from_slice(origin.commit().map_or("", |c| c.id.as_str()).as_bytes());
    key.push(0);
    key.extend_from_slice(description.as_bytes());
    Finding {
        rule_id: rule_id.to_owned(),
        rule_name: rule_name.to_owned(),
        severity,
        confidence,
        remediation: remediation.to_owned(),
        tags: vec!["hush".to_owned()],
        known: false,
        fingerprint: fingerprint(rule_id, &key),
        secret: description.into_bytes(),
        locations: vec![Location {
            origin,
            line,
            column: 1,
            end_line: line,
            end_column: 1,
            before: String::new(),
            after: String::new(),
            decoded: Vec::new(),
        }],
        synthetic: true,
        secret_masked: None,
        captures: Vec::new(),
        verification: None,
    }
}

/// Which synthetic finding [`notice`] makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notice {
    /// [`CONFIG_CHANGE_RULE`].
    ConfigChange,
    /// [`ALLOW_ADDED_RULE`].
    AllowAdded,
}

/// The `archive-limit` finding for one archive; its fingerprint covers the
/// place, so a baseline can accept one archive without accepting all.
fn limit_finding((origin, reason): (Origin, String)) -> Finding {
    let place = origin.display_path();
    Finding {
        rule_id: ARCHIVE_LIMIT_RULE.to_owned(),
        rule_name: "Archive expands past the scan limits".to_owned(),
        severity: Severity::Medium,
        confidence: Confidence::High,
        remediation: "The rest of this archive was not scanned (a decompression bomb, or an archive larger \
                      than the limits): inspect it, or raise --archive-max-bytes / --archive-max-ratio."
            .to_owned(),
        tags: vec!["archive".to_owned()],
        known: false,
        fingerprint: fingerprint(ARCHIVE_LIMIT_RULE, place.as_bytes()),
        secret: reason.into_bytes(),
        locations: vec![Location {
            origin,
            line: 1,
            column: 1,
            end_line: 1,
            end_column: 1,
            before: String::new(),
            after: String::new(),
            decoded: Vec::new(),
        }],
        synthetic: true,
        secret_masked: None,
        captures: Vec::new(),
        verification: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mask_shows_a_short_prefix_and_the_length() {
        assert_eq!(mask(b"ghp_0123456789abcdef0123456789abcdef0123"), "ghp_…(40)");
        assert_eq!(mask(b"hunter2!"), "hu…(8)");
        assert_eq!(mask(b"abc"), "…(3)");
    }

    #[test]
    fn fingerprint_depends_on_rule_and_secret_only() {
        let a = fingerprint("r", b"s3cr3t");
        assert_eq!(a, fingerprint("r", b"s3cr3t"));
        assert_ne!(a, fingerprint("r2", b"s3cr3t"));
        assert_ne!(a, fingerprint("r", b"s3cr3u"));
        assert_eq!(a.len(), 32);
    }
}
