//! What the HTML page shows, computed from the findings and statistics: the
//! summary and one [`Row`] per finding. Every string taken from the scanned
//! material goes through [`visible`] here (control and bidirectional-override
//! characters written as text); the template HTML-escapes all of them.

use std::borrow::Cow;
use std::collections::BTreeMap;

use hush_rules::{Confidence, Severity};

use crate::finding::{Finding, Location};
use crate::origin::{CommitMeta, Origin};
use crate::report::escape::escape;
use crate::report::{shown_secret, ReportOptions};
use crate::stats::ScanStats;

/// The severities, most severe first, as the summary and the filter list them.
const SEVERITIES: [Severity; 5] = [
    Severity::Critical,
    Severity::High,
    Severity::Medium,
    Severity::Low,
    Severity::Info,
];
const CONFIDENCES: [Confidence; 3] = [Confidence::High, Confidence::Medium, Confidence::Low];

/// The page's heading block.
pub(super) struct Summary {
    pub title: String,
    /// What the command was asked to scan.
    pub inputs: Vec<String>,
    /// The repository of a history scan: remote, branch, HEAD.
    pub repository: Option<String>,
    /// When the report was written (RFC 3339, UTC).
    pub written: String,
    pub version: &'static str,
    /// The built-in rule packs: version, count and digest (as `hush --version`).
    pub rules: String,
    pub files_scanned: u64,
    pub bytes_scanned: u64,
    pub findings: usize,
    pub new: usize,
    pub known: usize,
    pub locations: usize,
    pub suppressed: u64,
    pub skipped: usize,
    /// Content that could not be read (errors and warnings), for people.
    pub errors: Vec<String>,
    pub notes: Vec<String>,
    pub by_severity: Vec<Count>,
    pub by_confidence: Vec<Count>,
    pub by_rule: Vec<RuleCount>,
}

/// Findings of one severity or confidence.
pub(super) struct Count {
    pub name: &'static str,
    pub rank: u8,
    pub total: usize,
    pub new: usize,
}

/// Findings of one rule, with the rule's remediation (written once per rule).
pub(super) struct RuleCount {
    pub id: String,
    pub name: String,
    pub total: usize,
    pub new: usize,
    pub remediation: String,
    /// The first `https://` link in the remediation (its documentation).
    pub link: Option<String>,
}

impl Summary {
    pub fn new(findings: &[Finding], stats: &ScanStats) -> Summary {
        let new = findings.iter().filter(|f| !f.known).count();
        let title = match new {
            0 => "hush report: no new secrets".to_owned(),
            1 => "hush report: 1 new secret".to_owned(),
            n => format!("hush report: {n} new secrets"),
        };
        let mut by_rule: BTreeMap<&str, RuleCount> = BTreeMap::new();
        for f in findings {
            let count = by_rule.entry(&f.rule_id).or_insert_with(|| RuleCount {
                id: visible(&f.rule_id).into_owned(),
                name: visible(&f.rule_name).into_owned(),
                total: 0,
                new: 0,
                remediation: visible(&f.remediation).into_owned(),
                link: documentation_link(&f.remediation).map(str::to_owned),
            });
            count.total += 1;
            count.new += usize::from(!f.known);
        }
        let mut by_rule: Vec<RuleCount> = by_rule.into_values().collect();
        by_rule.sort_by(|a, b| b.total.cmp(&a.total).then_with(|| a.id.cmp(&b.id)));
        let count = |name, rank, matches: &dyn Fn(&Finding) -> bool| Count {
            name,
            rank,
            total: findings.iter().filter(|f| matches(f)).count(),
            new: findings.iter().filter(|f| !f.known && matches(f)).count(),
        };
        Summary {
            title,
            inputs: stats.inputs.iter().map(|i| visible(i).into_owned()).collect(),
            repository: stats.repository.as_ref().map(|r| {
                let mut text = r.uri.clone();
                if let Some(branch) = &r.branch {
                    text.push_str(&format!(", branch {branch}"));
                }
                if let Some(revision) = &r.revision {
                    text.push_str(&format!(", HEAD {revision}"));
                }
                visible(&text).into_owned()
            }),
            written: crate::git::rfc3339_utc(now()),
            version: env!("CARGO_PKG_VERSION"),
            rules: format!(
                "rules {}: {} built-in rules in {} packs, digest {}",
                hush_rules::RULES_VERSION,
                hush_rules::DEFAULT_RULE_COUNT,
                hush_rules::DEFAULT_PACKS.len(),
                hush_rules::DEFAULT_PACKS_DIGEST
            ),
            files_scanned: stats.files_scanned,
            bytes_scanned: stats.bytes_scanned,
            findings: findings.len(),
            new,
            known: findings.len() - new,
            locations: findings.iter().map(|f| f.locations.len()).sum(),
            suppressed: stats.suppressed,
            skipped: stats.skips.len(),
            errors: stats
                .errors
                .iter()
                .map(|e| {
                    let level = if e.input { "error" } else { "warning" };
                    format!("{level}: {}", visible(&e.to_string()))
                })
                .collect(),
            notes: stats.notes.iter().map(|n| visible(n).into_owned()).collect(),
            by_severity: SEVERITIES
                .iter()
                .map(|&s| count(s.as_str(), severity_rank(s), &|f| f.severity == s))
                .filter(|c| c.total > 0)
                .collect(),
            by_confidence: CONFIDENCES
                .iter()
                .map(|&c| count(c.as_str(), confidence_rank(c), &|f| f.confidence == c))
                .filter(|c| c.total > 0)
                .collect(),
            by_rule,
        }
    }
}

/// Seconds since the epoch, now (0 if the clock is before it).
fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// Which optional columns the table has: only those some row fills.
pub(super) struct Columns {
    /// First commit, author and date (history scans).
    pub history: bool,
    /// Image, layer and the command that made it (image scans).
    pub image: bool,
    /// Whether the secret was checked against its provider.
    pub verification: bool,
}

impl Columns {
    pub fn of(rows: &[Row]) -> Columns {
        Columns {
            history: rows.iter().any(|r| r.introduced.is_some()),
            image: rows.iter().any(|r| r.image.is_some()),
            verification: rows.iter().any(|r| r.verification.is_some()),
        }
    }
}

/// One finding: one secret, wherever it occurs.
pub(super) struct Row<'a> {
    pub severity: &'static str,
    pub severity_rank: u8,
    pub confidence: &'static str,
    pub confidence_rank: u8,
    pub rule_id: Cow<'a, str>,
    pub rule_name: Cow<'a, str>,
    /// Masked, unless `--show-secrets` (with `--allow-secrets-in-html`).
    pub secret: String,
    pub known: bool,
    /// `--verify`'s verdict: `verified (scopes: repo)`, `unknown: timed out…`.
    pub verification: Option<String>,
    pub introduced: Option<Introduced>,
    pub image: Option<ImageCell>,
    pub locations: Vec<Place>,
}

impl<'a> Row<'a> {
    pub fn new(finding: &'a Finding, options: ReportOptions) -> Row<'a> {
        let secret = visible(&shown_secret(finding, options)).into_owned();
        Row {
            severity: finding.severity.as_str(),
            severity_rank: severity_rank(finding.severity),
            confidence: finding.confidence.as_str(),
            confidence_rank: confidence_rank(finding.confidence),
            rule_id: visible(&finding.rule_id),
            rule_name: visible(&finding.rule_name),
            secret,
            known: finding.known,
            verification: verification(finding),
            introduced: finding
                .locations
                .iter()
                .filter_map(|l| l.origin.commit())
                .min_by(|a, b| a.date.cmp(&b.date))
                .map(Introduced::new),
            image: finding.locations.iter().find_map(|l| ImageCell::new(&l.origin)),
            locations: finding.locations.iter().map(Place::new).collect(),
        }
    }
}

/// Whether the secret was checked against its provider (`--verify`), and what
/// it said: the table then has a "Verified" column, sorted like any other.
/// The provider's words are shown visibly (control characters escaped); the
/// template escapes them as markup.
fn verification(finding: &Finding) -> Option<String> {
    finding
        .verification
        .as_ref()
        .map(|v| visible(&v.summary()).into_owned())
}

/// The commit that introduced a secret first (the earliest of its locations').
pub(super) struct Introduced {
    pub short: String,
    pub id: String,
    pub author: String,
    pub date: String,
    pub summary: String,
}

impl Introduced {
    fn new(commit: &CommitMeta) -> Introduced {
        Introduced {
            short: visible(&commit.id[..commit.id.len().min(12)]).into_owned(),
            id: visible(&commit.id).into_owned(),
            author: visible(&commit.author).into_owned(),
            date: visible(&commit.date).into_owned(),
            summary: visible(&commit.summary).into_owned(),
        }
    }
}

/// Where in an image a secret is (its first location in one).
pub(super) struct ImageCell {
    /// The image's reference, and platform of a multi-platform image.
    pub image: String,
    /// `layer N (sha256:…)`, or `config Env[0]`.
    pub place: String,
    pub created_by: Option<String>,
    pub deleted_in: Option<usize>,
}

impl ImageCell {
    fn new(origin: &Origin) -> Option<ImageCell> {
        let name = origin.image()?;
        let image = match &name.platform {
            Some(p) => format!("{} ({p})", name.reference),
            None => name.reference.clone(),
        };
        let (place, created_by, deleted_in) = match origin.image_layer().unwrap_or(origin) {
            Origin::ImageLayer {
                layer_digest,
                layer_index,
                created_by,
                deleted_in,
                ..
            } => (
                format!("layer {layer_index} ({layer_digest})"),
                created_by.as_deref().map(|c| visible(c.trim()).into_owned()),
                *deleted_in,
            ),
            Origin::ImageConfig { field, .. } => (format!("config {field}"), None, None),
            _ => (String::new(), None, None),
        };
        Some(ImageCell {
            image: visible(&image).into_owned(),
            place: visible(&place).into_owned(),
            created_by,
            deleted_in,
        })
    }
}

/// One location of a finding.
pub(super) struct Place {
    /// The path (nested names joined with `!`), for the path filter.
    pub path: String,
    /// The commit's short id, for history scans.
    pub commit: Option<String>,
    pub line: u64,
    pub column: u64,
    /// The line's text around the secret (the secret itself is the row's).
    pub before: String,
    pub after: String,
    /// Which image layer, and the command that made it.
    pub note: Option<String>,
    /// The encodings undone to find the secret (`base64→hex`), or empty.
    pub decoded: String,
}

impl Place {
    fn new(l: &Location) -> Place {
        Place {
            path: visible(&l.origin.display_path()).into_owned(),
            commit: l
                .origin
                .commit()
                .map(|c| visible(&c.id[..c.id.len().min(12)]).into_owned()),
            line: l.line,
            column: l.column,
            before: visible(l.before.trim_start()).into_owned(),
            after: if l.end_line == l.line {
                visible(&l.after).into_owned()
            } else {
                String::new()
            },
            note: l.origin.note().map(|n| visible(&n).into_owned()),
            decoded: l.decoded.iter().map(|e| e.as_str()).collect::<Vec<_>>().join("→"),
        }
    }
}

/// Sort key of a severity: higher is more severe.
fn severity_rank(severity: Severity) -> u8 {
    SEVERITIES.len() as u8 - SEVERITIES.iter().position(|&s| s == severity).unwrap_or(0) as u8
}

/// Sort key of a confidence: higher is more certain.
fn confidence_rank(confidence: Confidence) -> u8 {
    CONFIDENCES.len() as u8 - CONFIDENCES.iter().position(|&c| c == confidence).unwrap_or(0) as u8
}

/// The first `https://` link in a remediation text, if it is a plain one: no
/// quote, angle bracket or backslash (it becomes an `href`), trailing
/// punctuation left out.
pub(super) fn documentation_link(text: &str) -> Option<&str> {
    let start = text.find("https://")?;
    let rest = &text[start..];
    let end = rest.find(|c: char| c.is_whitespace()).unwrap_or(rest.len());
    let link = rest[..end].trim_end_matches(['.', ',', ';', ':', ')', ']']);
    let plain = link.len() > "https://".len()
        && link
            .chars()
            .all(|c| c.is_ascii_graphic() && !matches!(c, '"' | '\'' | '<' | '>' | '\\' | '`'));
    plain.then_some(link)
}

/// Text from the scanned material as the page shows it: control characters
/// written visibly (as the text report does, [`escape`]), and the Unicode
/// bidirectional controls too, so a path cannot display reversed ("Trojan
/// Source"). HTML escaping is the template's.
pub(super) fn visible(text: &str) -> Cow<'_, str> {
    let escaped = escape(text);
    if !escaped.chars().any(is_bidi_control) {
        return escaped;
    }
    let mut out = String::with_capacity(escaped.len() + 8);
    for c in escaped.chars() {
        if is_bidi_control(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// U+200E/F, U+202A-E, U+2066-9, U+061C: marks and overrides of text direction.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{061c}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documentation_link_is_a_plain_https_url() {
        assert_eq!(
            documentation_link("Revoke it: https://docs.example.com/a?b=1. Then rotate."),
            Some("https://docs.example.com/a?b=1")
        );
        assert_eq!(
            documentation_link("see (https://x.example/y)"),
            Some("https://x.example/y")
        );
        assert_eq!(documentation_link("javascript:alert(1) http://x.example"), None);
        assert_eq!(documentation_link("https://x.example/\"onmouseover=1"), None);
        assert_eq!(documentation_link("https://"), None);
    }

    #[test]
    fn bidirectional_overrides_and_controls_become_text() {
        assert_eq!(visible("a\u{202e}gpj.exe"), "a\\u{202e}gpj.exe");
        assert_eq!(visible("x\x1b[2J\n"), "x\\x1b[2J\\n");
        assert!(matches!(visible("plain é"), Cow::Borrowed("plain é")));
    }

    #[test]
    fn ranks_order_from_most_severe_and_most_certain() {
        assert!(severity_rank(Severity::Critical) > severity_rank(Severity::High));
        assert!(severity_rank(Severity::Low) > severity_rank(Severity::Info));
        assert_eq!(severity_rank(Severity::Info), 1);
        assert!(confidence_rank(Confidence::High) > confidence_rank(Confidence::Low));
    }
}
