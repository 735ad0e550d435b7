//! Suppressing reviewed findings: the allowlist of `.hush.toml` (paths, values,
//! hashes, stopwords, regexes) and inline annotations on the secret's line
//! (`hush:allow`, `hush:allow rule-id`, and the markers other scanners use, so a
//! team can switch without rewriting them).

use globset::{Glob, GlobSet, GlobSetBuilder};
use regex::bytes::Regex;
use sha2::{Digest, Sha256};

use crate::config::{Config, ConfigError, RegexTarget};
use crate::stream::Located;

/// Inline markers that allow every finding on their line (other scanners' too).
const ALLOW_ALL_MARKERS: &[&[u8]] = &[
    b"gitleaks:allow",
    b"betterleaks:allow",
    b"trufflehog:ignore",
    b"kingfisher:allow",
    b"pragma: allowlist secret",
];
/// hush's own marker; may be followed by rule ids to allow only those.
const HUSH_MARKER: &[u8] = b"hush:allow";

/// What a repository has allowed.
#[derive(Debug, Default)]
pub struct Allowlist {
    paths: Option<GlobSet>,
    values: Vec<Vec<u8>>,
    sha256: Vec<[u8; 32]>,
    stopwords: Vec<Vec<u8>>,
    regexes: Vec<(Regex, RegexTarget)>,
}

impl Allowlist {
    /// Compiles the `[allow]` table of a config.
    pub fn from_config(config: &Config) -> Result<Allowlist, ConfigError> {
        let allow = &config.allow;
        let paths = if allow.paths.is_empty() {
            None
        } else {
            let mut set = GlobSetBuilder::new();
            for glob in &allow.paths {
                let compiled =
                    Glob::new(glob.get_ref()).map_err(|e| config.invalid(glob.span(), "allow.paths", e.to_string()))?;
                set.add(compiled);
            }
            Some(
                set.build()
                    .map_err(|e| config.invalid(0..0, "allow.paths", e.to_string()))?,
            )
        };
        let mut sha256 = Vec::new();
        for hex in &allow.sha256 {
            let bytes = decode_hex(hex.get_ref())
                .ok_or_else(|| config.invalid(hex.span(), "allow.sha256", "expected 64 hexadecimal digits"))?;
            sha256.push(bytes);
        }
        let mut regexes = Vec::new();
        for entry in &allow.regexes {
            let r = entry.get_ref();
            let regex =
                Regex::new(&r.pattern).map_err(|e| config.invalid(entry.span(), "allow.regexes", e.to_string()))?;
            regexes.push((regex, r.target));
        }
        Ok(Allowlist {
            paths,
            values: allow.values.iter().map(|v| v.as_bytes().to_vec()).collect(),
            sha256,
            stopwords: allow
                .stopwords
                .iter()
                .map(|w| w.to_ascii_lowercase().into_bytes())
                .collect(),
            regexes,
        })
    }

    /// Whether `path` (relative to the scan root, or as shown) is never scanned.
    pub fn allows_path(&self, path: &std::path::Path) -> bool {
        self.paths.as_ref().is_some_and(|set| set.is_match(path))
    }

    /// Whether the config allows this match (values, hashes, stopwords, regexes).
    pub fn allows_match(&self, m: &Located) -> bool {
        self.allows_secret(&m.secret)
            || self.regexes.iter().any(|(regex, target)| match target {
                RegexTarget::Secret => false,
                RegexTarget::Match => regex.is_match(&m.matched),
                RegexTarget::Line => regex.is_match(&m.line_text),
            })
    }

    /// Whether the config allows this secret wherever it is (values, hashes,
    /// stopwords, regexes on the secret): what `hush merge` can check of a
    /// finding read back from a report, which holds no line.
    pub fn allows_secret(&self, secret: &[u8]) -> bool {
        if self.values.iter().any(|v| v == secret) {
            return true;
        }
        if !self.sha256.is_empty() {
            let digest: [u8; 32] = Sha256::digest(secret).into();
            if self.sha256.contains(&digest) {
                return true;
            }
        }
        if !self.stopwords.is_empty() {
            let lower = secret.to_ascii_lowercase();
            if self.stopwords.iter().any(|w| memchr::memmem::find(&lower, w).is_some()) {
                return true;
            }
        }
        self.regexes
            .iter()
            .any(|(regex, target)| *target == RegexTarget::Secret && regex.is_match(secret))
    }
}

fn decode_hex(hex: &str) -> Option<[u8; 32]> {
    let hex = hex.trim();
    if hex.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(hex.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}

/// Whether an inline annotation on `line` allows a finding of `rule_id`.
/// `hush:allow` alone allows everything on the line; `hush:allow id1 id2` (or
/// `hush:allow=id1,id2`) only the named rules, where `is_rule` says which words
/// are rule ids (a plain comment after the marker still allows everything).
pub fn inline_allows(line: &[u8], rule_id: &str, is_rule: impl Fn(&str) -> bool) -> bool {
    if ALLOW_ALL_MARKERS
        .iter()
        .any(|m| memchr::memmem::find(line, m).is_some())
    {
        return true;
    }
    let mut rest = line;
    while let Some(at) = memchr::memmem::find(rest, HUSH_MARKER) {
        rest = &rest[at + HUSH_MARKER.len()..];
        let named: Vec<&str> = std::str::from_utf8(&rest[..rest.len().min(512)])
            .unwrap_or("")
            .trim_start_matches([' ', '=', ':'])
            .split(|c: char| c.is_whitespace() || c == ',')
            .take_while(|w| is_rule(w))
            .collect();
        if named.is_empty() || named.contains(&rule_id) {
            return true;
        }
    }
    false
}

/// The inline annotation on `line` (`hush:allow`, `gitleaks:allow`, ...), if any.
pub fn inline_marker(line: &[u8]) -> Option<&'static str> {
    std::iter::once(HUSH_MARKER)
        .chain(ALLOW_ALL_MARKERS.iter().copied())
        .find(|m| memchr::memmem::find(line, m).is_some())
        .map(|m| std::str::from_utf8(m).expect("markers are ASCII"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn is_rule(w: &str) -> bool {
        ["github-pat", "aws-access-key-id"].contains(&w)
    }

    #[test]
    fn inline_markers() {
        assert!(inline_allows(b"t = x # hush:allow", "github-pat", is_rule));
        assert!(inline_allows(
            b"t = x // hush:allow test fixture",
            "github-pat",
            is_rule
        ));
        assert!(inline_allows(b"t = x # hush:allow github-pat", "github-pat", is_rule));
        assert!(!inline_allows(
            b"t = x # hush:allow aws-access-key-id",
            "github-pat",
            is_rule
        ));
        assert!(inline_allows(
            b"t = x # hush:allow=aws-access-key-id,github-pat",
            "github-pat",
            is_rule
        ));
        for other in [
            "gitleaks:allow",
            "betterleaks:allow",
            "trufflehog:ignore",
            "kingfisher:allow",
            "pragma: allowlist secret",
        ] {
            assert!(
                inline_allows(format!("t = x # {other}").as_bytes(), "github-pat", is_rule),
                "{other}"
            );
        }
        assert!(!inline_allows(b"t = x # allow", "github-pat", is_rule));
    }
}
