//! `hush merge`: folds reports into one finding set — the shards of a sharded
//! scan, or the reports of other scanners a team is migrating from — so that
//! any report writer can write it and the exit code is a scan's.
//!
//! Inputs are told apart by content, never by name: hush JSON (`{"version",
//! "findings", "stats"}`), hush JSON Lines (one finding a line; an empty file is
//! a shard that found nothing), hush SARIF (`runs`), a gitleaks/betterleaks
//! JSON report (an array of objects with `RuleID`), trufflehog's `--json` (one
//! object a line with `SourceMetadata` and `DetectorName`) and kingfisher's
//! JSON (`{"findings": [{"rule", "finding"}]}`, or one `{"rule", "finding"}` a
//! line).
//!
//! Findings are rebuilt as [`Finding`]s and grouped by fingerprint, the one
//! hush computed (the same secret in shards 3 and 7 is one finding with both
//! locations); a location reported twice is kept once. Where a report holds
//! the secret (`--show-secrets`, or another scanner's report) it is kept, and
//! masked again by the writers unless `--show-secrets`; where it holds only
//! the masked form, that form is carried ([`Finding::secret_masked`]). What a
//! report does not carry stays unknown: JSON has no rule tags, SARIF no image
//! layer fields (its `location` property gives the path), JSON Lines no
//! statistics. Statistics are the sums of the inputs' counters. Locations are
//! sorted by path, line and column (a git location's blob id is not in the
//! reports, so the order of one file's versions may differ from a scan's).

mod foreign;
mod hush;
mod sarif;

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use serde_json::Value;

use crate::allow::Allowlist;
use crate::finding::{Finding, Location, Verification, VerifyStatus};
use crate::search::ScanOutcome;
use crate::stats::ScanStats;

pub use foreign::{gitleaks_findings, Reported};

/// An input that cannot be merged; names the file.
#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    #[error("{file}: {source}")]
    Read {
        file: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{file}: not a hush JSON, JSON Lines or SARIF report, nor a gitleaks, betterleaks, trufflehog or kingfisher JSON report")]
    Unknown { file: String },
    #[error("{file}{}: {message}", line.map(|l| format!(":{l}")).unwrap_or_default())]
    Invalid {
        file: String,
        /// The line of a JSON Lines input.
        line: Option<usize>,
        message: String,
    },
}

/// Which kind of report an input was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputKind {
    HushJson,
    HushJsonLines,
    HushSarif,
    Gitleaks,
    Trufflehog,
    Kingfisher,
}

/// One input, read.
pub struct Input {
    pub kind: InputKind,
    pub findings: Vec<Finding>,
    pub stats: ScanStats,
}

/// Reads one report; `file` names it in errors.
pub fn read_input(file: &str, text: &str) -> Result<Input, MergeError> {
    let invalid = |line: Option<usize>, message: String| MergeError::Invalid {
        file: file.to_owned(),
        line,
        message,
    };
    let trimmed = text.trim_start();
    if trimmed.is_empty() {
        return Ok(Input {
            kind: InputKind::HushJsonLines,
            findings: Vec::new(),
            stats: ScanStats::default(),
        });
    }
    // One JSON value (a document), or else JSON Lines.
    if let Ok(doc) = serde_json::from_str::<Value>(text) {
        if let Some(input) = read_document(&doc).map_err(|m| invalid(None, m))? {
            return Ok(input);
        }
        // Else one JSON Lines line; a document of no known kind is not.
        if !matches!(read_line(&doc), Ok(Some(_)) | Err(_)) {
            return Err(MergeError::Unknown { file: file.to_owned() });
        }
    } else if !trimmed.starts_with('{') {
        return Err(MergeError::Unknown { file: file.to_owned() });
    }
    let mut findings = Vec::new();
    let mut kind = None;
    for (index, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let at = Some(index + 1);
        let value: Value = serde_json::from_str(line).map_err(|e| invalid(at, format!("not JSON: {e}")))?;
        let (this, finding) = read_line(&value).map_err(|m| invalid(at, m))?.ok_or_else(|| {
            invalid(
                at,
                "neither a hush finding (rule_id, fingerprint) nor a trufflehog or kingfisher result".into(),
            )
        })?;
        if kind.is_some_and(|k| k != this) {
            return Err(invalid(
                at,
                "a line of another kind of report than the lines before".into(),
            ));
        }
        kind = Some(this);
        findings.push(finding);
    }
    Ok(Input {
        kind: kind.unwrap_or(InputKind::HushJsonLines),
        findings,
        stats: ScanStats::default(),
    })
}

/// A whole-document input; `None` when the document is one JSON Lines line.
fn read_document(doc: &Value) -> Result<Option<Input>, String> {
    let input = |kind, findings, stats| Ok(Some(Input { kind, findings, stats }));
    if let Some(findings) = foreign::gitleaks_findings(doc) {
        return input(
            InputKind::Gitleaks,
            findings?.iter().map(Reported::to_finding).collect(),
            ScanStats::default(),
        );
    }
    if doc.get("runs").is_some() && doc.get("version").is_some() {
        return input(InputKind::HushSarif, sarif::findings(doc)?, ScanStats::default());
    }
    let Some(list) = doc.get("findings").and_then(Value::as_array) else {
        return Ok(None);
    };
    if doc.get("stats").is_some() {
        let findings = list.iter().map(hush::finding).collect::<Result<_, _>>()?;
        return input(InputKind::HushJson, findings, hush::stats(&doc["stats"])?);
    }
    if list
        .iter()
        .all(|f| f.get("rule").is_some() && f.get("finding").is_some())
    {
        let findings = list
            .iter()
            .map(|f| foreign::kingfisher(f).map(|r| r.to_finding()))
            .collect::<Result<_, _>>()?;
        return input(InputKind::Kingfisher, findings, ScanStats::default());
    }
    Ok(None)
}

/// One line of a JSON Lines input: a hush finding, a trufflehog result or a
/// kingfisher finding; `None` when it is none of those.
fn read_line(value: &Value) -> Result<Option<(InputKind, Finding)>, String> {
    if value.get("rule_id").is_some() && value.get("fingerprint").is_some() {
        return Ok(Some((InputKind::HushJsonLines, hush::finding(value)?)));
    }
    if value.get("SourceMetadata").is_some() && value.get("DetectorName").is_some() {
        return Ok(Some((InputKind::Trufflehog, foreign::trufflehog(value)?.to_finding())));
    }
    if value.get("rule").is_some() && value.get("finding").is_some() {
        return Ok(Some((InputKind::Kingfisher, foreign::kingfisher(value)?.to_finding())));
    }
    Ok(None)
}

/// Reads and merges the reports at `paths`.
pub fn merge_files(paths: &[impl AsRef<Path>]) -> Result<(ScanOutcome, Vec<InputKind>), MergeError> {
    let mut inputs = Vec::new();
    for path in paths {
        let path = path.as_ref();
        let file = path.display().to_string();
        let text = std::fs::read(path).map_err(|source| MergeError::Read {
            file: file.clone(),
            source,
        })?;
        let text = String::from_utf8(text).map_err(|_| MergeError::Invalid {
            file: file.clone(),
            line: None,
            message: "not UTF-8 (hush's reports are UTF-8)".into(),
        })?;
        inputs.push(read_input(&file, &text)?);
    }
    let kinds = inputs.iter().map(|i| i.kind).collect();
    Ok((merge(inputs), kinds))
}

/// Folds inputs into one outcome: findings grouped by fingerprint, each
/// location once, statistics summed.
pub fn merge(inputs: Vec<Input>) -> ScanOutcome {
    let mut by_fingerprint: BTreeMap<String, Finding> = BTreeMap::new();
    let mut stats = ScanStats::default();
    for input in inputs {
        merge_stats(&mut stats, input.stats);
        for finding in input.findings {
            match by_fingerprint.get_mut(&finding.fingerprint) {
                Some(known) => {
                    known.known |= finding.known;
                    known.locations.extend(finding.locations);
                    if known.secret_masked.is_some() && finding.secret_masked.is_none() {
                        known.secret = finding.secret;
                        known.secret_masked = None;
                    }
                    if known.tags.is_empty() {
                        known.tags = finding.tags;
                    }
                    if decisiveness(finding.verification.as_ref()) > decisiveness(known.verification.as_ref()) {
                        known.verification = finding.verification;
                    }
                }
                None => {
                    by_fingerprint.insert(finding.fingerprint.clone(), finding);
                }
            }
        }
    }
    let mut findings: Vec<Finding> = by_fingerprint
        .into_values()
        .map(|mut f| {
            sort_locations(&mut f.locations);
            f
        })
        .filter(|f| !f.locations.is_empty())
        .collect();
    sort_findings(&mut findings);
    stats.sort();
    ScanOutcome { findings, stats }
}

/// Which of two shards' verdicts on one secret the merged finding keeps: a
/// provider's acceptance anywhere is what a responder must know, then its
/// refusal, then "could not tell", then no check at all.
fn decisiveness(v: Option<&Verification>) -> u8 {
    match v.map(|v| v.status) {
        Some(VerifyStatus::Verified) => 3,
        Some(VerifyStatus::Invalid) => 2,
        Some(VerifyStatus::Unknown) => 1,
        None => 0,
    }
}

/// Drops what the config's allowlist allows: locations under an `[allow]
/// paths` glob, findings whose secret (where the report held it) the values,
/// hashes, stopwords or secret regexes allow. Line and match regexes need the
/// line, which reports do not hold. Returns how many locations were dropped.
pub fn drop_allowed(outcome: &mut ScanOutcome, allow: &Allowlist) -> u64 {
    let mut dropped = 0u64;
    outcome.findings.retain_mut(|f| {
        if !f.synthetic && f.secret_masked.is_none() && allow.allows_secret(&f.secret) {
            dropped += f.locations.len() as u64;
            return false;
        }
        let before = f.locations.len();
        f.locations
            .retain(|l| !allow.allows_path(Path::new(&l.origin.display_path())));
        dropped += (before - f.locations.len()) as u64;
        !f.locations.is_empty()
    });
    outcome.stats.suppressed += dropped;
    dropped
}

fn location_key(l: &Location) -> (String, u64, u64, String) {
    let commit = l.origin.commit().map(|c| c.id.clone()).unwrap_or_default();
    (l.origin.display_path(), l.line, l.column, commit)
}

fn sort_locations(locations: &mut Vec<Location>) {
    locations.sort_by_cached_key(location_key);
    locations.dedup_by(|a, b| location_key(a) == location_key(b));
}

/// As a scan orders them: by first location, then rule id.
fn sort_findings(findings: &mut [Finding]) {
    findings.sort_by_cached_key(|f| (location_key(&f.locations[0]), f.rule_id.clone()));
}

/// Sums counters; lists of errors and notes once each.
fn merge_stats(into: &mut ScanStats, other: ScanStats) {
    let errors: HashSet<(String, String)> = into
        .errors
        .iter()
        .map(|e| (e.path.clone(), e.message.clone()))
        .collect();
    let notes: HashSet<String> = into.notes.iter().cloned().collect();
    let ScanStats {
        files_scanned,
        bytes_scanned,
        utf16_files,
        binary_files,
        suppressed,
        skips,
        errors: other_errors,
        notes: other_notes,
        ..
    } = other;
    into.files_scanned += files_scanned;
    into.bytes_scanned += bytes_scanned;
    into.utf16_files += utf16_files;
    into.binary_files += binary_files;
    into.suppressed += suppressed;
    into.skips.extend(skips);
    into.errors.extend(
        other_errors
            .into_iter()
            .filter(|e| !errors.contains(&(e.path.clone(), e.message.clone()))),
    );
    into.notes
        .extend(other_notes.into_iter().filter(|n| !notes.contains(n)));
}
