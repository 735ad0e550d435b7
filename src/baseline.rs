//! Baselines: the findings a team has reviewed, so a scan fails only on new ones.
//!
//! A baseline is keyed on content, not place: each entry is a rule id and a keyed
//! hash of the secret (SHA-256 over the file's random salt, the rule id and the
//! secret), never the secret, never a line number or a timestamp. Entries are
//! sorted, one a line, after one `salt` line, so two branches that add findings
//! merge cleanly, and moving a known secret to another line or file keeps it known.
//!
//! ```text
//! # hush baseline v1: reviewed findings (rule id, keyed hash of the secret).
//! salt 5b0e1f0c3d2a4e6f8a9b7c6d5e4f3a2b
//! github-pat 4f2c...e1
//! ```
//!
//! Entries imported from other scanners match on what those store: `any <hash>`
//! (a secret from a gitleaks/betterleaks report, whatever rule finds it), `sha1
//! <hex>` (detect-secrets' hashed_secret), `location <path>:<line>` (a report whose
//! secrets were redacted: the one thing left to match on).

use std::collections::BTreeSet;
use std::path::Path;

use sha1::Sha1;
use sha2::{Digest, Sha256};

use crate::finding::Finding;

const HEADER: &str = "# hush baseline v1: reviewed findings (rule id, keyed hash of the secret); `hush scan --write-baseline FILE` rewrites it.";

/// A baseline that could not be read.
#[derive(Debug, thiserror::Error)]
pub enum BaselineError {
    #[error("cannot read baseline {file}: {source}")]
    Read {
        file: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{file}:{line}: {message}")]
    Invalid { file: String, line: usize, message: String },
    #[error("cannot get random bytes for a baseline salt: {0}")]
    Random(getrandom::Error),
}

/// A loaded (or new) baseline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Baseline {
    salt: String,
    entries: BTreeSet<String>,
}

impl Baseline {
    /// An empty baseline with a fresh random salt.
    pub fn new() -> Result<Baseline, BaselineError> {
        let mut salt = [0u8; 16];
        getrandom::fill(&mut salt).map_err(BaselineError::Random)?;
        Ok(Baseline {
            salt: hex(&salt),
            entries: BTreeSet::new(),
        })
    }

    /// Reads a baseline file.
    pub fn load(path: &Path) -> Result<Baseline, BaselineError> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| BaselineError::Read {
            file: file.clone(),
            source,
        })?;
        Baseline::parse(&file, &text)
    }

    /// The baseline at `path`, or a new one if the file does not exist.
    pub fn load_or_new(path: &Path) -> Result<Baseline, BaselineError> {
        if path.exists() {
            Baseline::load(path)
        } else {
            Baseline::new()
        }
    }

    /// Parses a baseline's `text`; `file` names it in errors.
    pub fn parse(file: &str, text: &str) -> Result<Baseline, BaselineError> {
        let mut salt = None;
        let mut entries = BTreeSet::new();
        for (index, raw) in text.lines().enumerate() {
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let invalid = |message: &str| BaselineError::Invalid {
                file: file.to_owned(),
                line: index + 1,
                message: message.to_owned(),
            };
            let Some((kind, value)) = line.split_once(' ') else {
                return Err(invalid(
                    "expected `<rule-id> <hash>`, `salt <hex>`, `any <hash>`, `sha1 <hex>` or `location <path>:<line>`",
                ));
            };
            if kind == "salt" {
                if salt.replace(value.to_owned()).is_some() {
                    return Err(invalid("a second salt line"));
                }
            } else {
                entries.insert(line.to_owned());
            }
        }
        let salt = salt.ok_or_else(|| BaselineError::Invalid {
            file: file.to_owned(),
            line: 1,
            message: "no `salt` line".into(),
        })?;
        Ok(Baseline { salt, entries })
    }

    fn keyed_hash(&self, rule_id: &str, secret: &[u8]) -> String {
        let mut h = Sha256::new();
        h.update(self.salt.as_bytes());
        h.update([0]);
        h.update(rule_id.as_bytes());
        h.update([0]);
        h.update(secret);
        hex(&h.finalize()[..20])
    }

    fn entry(&self, finding: &Finding) -> String {
        format!(
            "{} {}",
            finding.rule_id,
            self.keyed_hash(&finding.rule_id, &finding.secret)
        )
    }

    /// The entries (one a line, as written) this baseline has and `older` does
    /// not: what a change to the file newly accepts. A new salt re-keys every
    /// entry, so each counts as new.
    pub fn gained_over<'a>(&'a self, older: &Baseline) -> Vec<&'a str> {
        self.entries
            .iter()
            .filter(|e| self.salt != older.salt || !older.entries.contains(*e))
            .map(String::as_str)
            .collect()
    }

    /// Whether `finding` was reviewed.
    pub fn contains(&self, finding: &Finding) -> bool {
        // A finding read back from a masked report: only its places can match.
        if finding.secret_masked.is_none() && self.entries.contains(&self.entry(finding)) {
            return true;
        }
        let secret_known = finding.secret_masked.is_none();
        if secret_known
            && self
                .entries
                .contains(&format!("any {}", self.keyed_hash("*", &finding.secret)))
        {
            return true;
        }
        if secret_known
            && self
                .entries
                .contains(&format!("sha1 {}", hex(&Sha1::digest(&finding.secret))))
        {
            return true;
        }
        finding.locations.iter().any(|l| {
            self.entries
                .contains(&format!("location {}:{}", l.origin.display_path(), l.line))
        })
    }

    /// Adds every finding.
    pub fn add_findings(&mut self, findings: &[Finding]) {
        for f in findings {
            let entry = self.entry(f);
            self.entries.insert(entry);
        }
    }

    /// Keeps only the entries of `findings` (and imported entries): a rewrite drops
    /// findings that are gone.
    pub fn replace_findings(&mut self, findings: &[Finding]) {
        self.entries
            .retain(|e| e.starts_with("any ") || e.starts_with("sha1 ") || e.starts_with("location "));
        self.add_findings(findings);
    }

    /// Adds a secret reported by another scanner, whatever rule finds it here.
    pub fn add_any_rule_secret(&mut self, secret: &[u8]) {
        let entry = format!("any {}", self.keyed_hash("*", secret));
        self.entries.insert(entry);
    }

    /// Adds a detect-secrets `hashed_secret` (SHA-1 hex of the secret).
    pub fn add_sha1(&mut self, hex_digest: &str) {
        self.entries.insert(format!("sha1 {}", hex_digest.to_ascii_lowercase()));
    }

    /// Adds a path and line from a report whose secrets were redacted.
    pub fn add_location(&mut self, path: &str, line: u64) {
        self.entries.insert(format!("location {path}:{line}"));
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the baseline has no entry.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The file's text: header, salt, sorted entries.
    pub fn to_text(&self) -> String {
        let mut out = format!("{HEADER}\nsalt {}\n", self.salt);
        for e in &self.entries {
            out.push_str(e);
            out.push('\n');
        }
        out
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Location;
    use crate::origin::Origin;

    fn finding(rule: &str, secret: &[u8], path: &str, line: u64) -> Finding {
        Finding {
            rule_id: rule.into(),
            rule_name: rule.into(),
            severity: hush_rules::Severity::High,
            confidence: hush_rules::Confidence::High,
            remediation: String::new(),
            tags: Vec::new(),
            secret: secret.to_vec(),
            fingerprint: String::new(),
            known: false,
            locations: vec![Location {
                origin: Origin::File { path: path.into() },
                line,
                column: 1,
                end_line: line,
                end_column: 2,
                before: String::new(),
                after: String::new(),
                decoded: Vec::new(),
            }],
            synthetic: false,
            secret_masked: None,
            captures: Vec::new(),
            verification: None,
        }
    }

    #[test]
    fn keyed_on_content_not_place_and_never_holds_the_secret() {
        let mut b = Baseline::new().expect("salt");
        b.add_findings(&[finding("r", b"s3cr3t-value-1", "a.txt", 3)]);
        let text = b.to_text();
        assert!(!text.contains("s3cr3t"));
        let again = Baseline::parse("b", &text).expect("round trip");
        assert_eq!(again, b);
        assert!(again.contains(&finding("r", b"s3cr3t-value-1", "elsewhere.txt", 99)));
        assert!(!again.contains(&finding("r", b"s3cr3t-value-2", "a.txt", 3)));
        assert!(!again.contains(&finding("other-rule", b"s3cr3t-value-1", "a.txt", 3)));
    }

    #[test]
    fn salts_differ_so_hashes_do_not_correlate_across_baselines() {
        let (a, b) = (Baseline::new().expect("salt"), Baseline::new().expect("salt"));
        assert_ne!(a.keyed_hash("r", b"x"), b.keyed_hash("r", b"x"));
    }

    #[test]
    fn imported_entries_match_on_what_they_store() {
        let mut b = Baseline::new().expect("salt");
        b.add_any_rule_secret(b"from-gitleaks");
        b.add_sha1(&hex(&Sha1::digest(b"from-detect-secrets")));
        b.add_location("c.txt", 7);
        assert!(b.contains(&finding("any-rule", b"from-gitleaks", "x", 1)));
        assert!(b.contains(&finding("r", b"from-detect-secrets", "x", 1)));
        assert!(b.contains(&finding("r", b"whatever", "c.txt", 7)));
        assert!(!b.contains(&finding("r", b"whatever", "c.txt", 8)));
    }

    #[test]
    fn malformed_lines_name_file_and_line() {
        let err = Baseline::parse("base", "salt ab\ngarbage\n").unwrap_err().to_string();
        assert_eq!(
            err,
            "base:2: expected `<rule-id> <hash>`, `salt <hex>`, `any <hash>`, `sha1 <hex>` or `location <path>:<line>`"
        );
    }
}
