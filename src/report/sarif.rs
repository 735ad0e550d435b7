//! The SARIF 2.1.0 format (OASIS), for GitHub code scanning and other SARIF
//! viewers. One run; `tool.driver.rules` holds each rule that fired, once,
//! sorted by id; one result per location, pointing at its rule by `ruleId` and
//! `ruleIndex`.
//!
//! What GitHub's upload accepts shapes the details: uris are relative (to the
//! current directory, with `uriBaseId` `%SRCROOT%`), `/`-separated and
//! percent-encoded; lines and columns are 1-based and never 0, and a one-line
//! region's `endColumn` is past its `startColumn`. Columns count bytes, as in
//! the other formats. `partialFingerprints."hush/v1"` is the finding's
//! fingerprint, so an alert keeps its identity when the secret moves. A history
//! scan (`hush git`) adds `versionControlProvenance`: the repository's remote URL
//! (credentials removed), HEAD's commit and branch.
//!
//! Secrets never go into SARIF, with or without `--show-secrets`: a SARIF file is
//! uploaded and kept by other systems, so results carry the masked form only.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::io::{self, Write};

use hush_rules::{Confidence, Severity};
use percent_encoding::{AsciiSet, CONTROLS};
use serde_json::json;
use serde_sarif::sarif::{
    ArtifactLocation, Location as SarifLocation, Message, MultiformatMessageString, PhysicalLocation, PropertyBag,
    Region, ReportingConfiguration, ReportingDescriptor, Result as SarifResult, ResultLevel, Run, Sarif, Tool,
    ToolComponent, VersionControlDetails,
};

use super::relative::Base;
use crate::finding::{Finding, Location};
use crate::origin::Origin;
use crate::stats::{RepositoryInfo, ScanStats};

/// The schema of the OASIS Standard (errata 01), the one
/// `fixtures/sarif-schema-2.1.0.json` holds and the tests validate against.
const SCHEMA_URI: &str = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";
/// Uri base of every file result: the directory hush ran in.
const SRCROOT: &str = "%SRCROOT%";
/// Key of the finding's fingerprint in `partialFingerprints`.
const FINGERPRINT_KEY: &str = "hush/v1";
/// Set from the crate's `homepage`; the field is left out while that is unset.
const HOMEPAGE: &str = env!("CARGO_PKG_HOMEPAGE");

/// What a uri must escape: controls, space, and every character that would end
/// a path segment or change how a uri reference parses (`:` too, so a first
/// segment such as `c:x` cannot read as a scheme). Bytes above ASCII are always
/// escaped, so non-UTF-8 names are carried exactly.
const URI_ESCAPED: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b':')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'[')
    .add(b'\\')
    .add(b']')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

pub(super) fn write(findings: &[Finding], stats: &ScanStats, out: &mut dyn Write) -> io::Result<()> {
    let mut log = document(findings, &mut Base::default());
    if let (Some(repository), Some(run)) = (&stats.repository, log.runs.first_mut()) {
        run.version_control_provenance = Some(vec![provenance(repository)]);
    }
    serde_json::to_writer_pretty(&mut *out, &log)?;
    writeln!(out)
}

fn document(findings: &[Finding], base: &mut Base) -> Sarif {
    // Each rule that fired, once, sorted by id; a result's ruleIndex points here.
    let mut fired: BTreeMap<&str, &Finding> = BTreeMap::new();
    for f in findings {
        fired.entry(f.rule_id.as_str()).or_insert(f);
    }
    let index: BTreeMap<&str, i64> = fired.keys().zip(0..).map(|(id, i)| (*id, i)).collect();
    let rules: Vec<ReportingDescriptor> = fired.values().map(|f| rule(f)).collect();

    let mut results = Vec::new();
    for f in findings {
        let rule_index = *index
            .get(f.rule_id.as_str())
            .expect("every finding's rule was put in the index above");
        for l in &f.locations {
            results.push(result(f, rule_index, l, base));
        }
    }

    let mut driver = ToolComponent::builder()
        .name("hush")
        .version(env!("CARGO_PKG_VERSION"))
        .semantic_version(env!("CARGO_PKG_VERSION"))
        .rules(rules)
        .build();
    if !HOMEPAGE.is_empty() {
        driver.information_uri = Some(HOMEPAGE.to_owned());
    }
    let run = Run::builder()
        .tool(Tool::builder().driver(driver).build())
        .results(results)
        .build();
    Sarif::builder()
        .schema(SCHEMA_URI)
        .version(json!("2.1.0"))
        .runs(vec![run])
        .build()
}

/// The scanned repository: where it lives, HEAD's commit and branch; paths in
/// results are relative to its root (`%SRCROOT%`).
fn provenance(repository: &RepositoryInfo) -> VersionControlDetails {
    let mut details = VersionControlDetails::builder()
        .repository_uri(repository.uri.clone())
        .mapped_to(ArtifactLocation::builder().uri_base_id(SRCROOT).build())
        .build();
    details.revision_id = repository.revision.clone();
    details.branch = repository.branch.clone();
    details
}

/// The rule a finding came from, as a reporting descriptor.
fn rule(f: &Finding) -> ReportingDescriptor {
    let severity = f.severity.as_str();
    let confidence = f.confidence.as_str();
    let mut tags = f.tags.clone();
    if !tags.iter().any(|t| t == "security") {
        tags.push("security".to_owned());
    }
    let mut extra = BTreeMap::new();
    extra.insert("security-severity".to_owned(), json!(security_severity(f.severity)));
    extra.insert("precision".to_owned(), json!(precision(f.confidence)));
    ReportingDescriptor::builder()
        .id(f.rule_id.clone())
        .name(f.rule_name.clone())
        .short_description(text(format!("{} committed", f.rule_name)))
        .full_description(text(format!(
            "A {} was found in the scanned files ({severity} severity, {confidence} confidence). \
             Anyone who can read the repository or its history can use it: revoke or rotate it, \
             then remove it.",
            f.rule_name
        )))
        .help(
            MultiformatMessageString::builder()
                .text(format!("{}: {}", f.rule_name, f.remediation))
                .markdown(format!(
                    "**{}** ({severity} severity, {confidence} confidence)\n\n{}\n\nRemoving the secret \
                     from the code is not enough: it stays in the history, so revoke or rotate it first.",
                    f.rule_name, f.remediation
                ))
                .build(),
        )
        .default_configuration(
            ReportingConfiguration::builder()
                .level(json!(level(f.severity)))
                .build(),
        )
        .properties(PropertyBag::builder().tags(tags).additional_properties(extra).build())
        .build()
}

/// One location of a finding, as a result.
fn result(f: &Finding, rule_index: i64, l: &Location, base: &mut Base) -> SarifResult {
    let artifact = artifact(&l.origin, base);
    let location = SarifLocation::builder()
        .physical_location(
            PhysicalLocation::builder()
                .artifact_location(artifact)
                .region(region(l))
                .build(),
        )
        .build();
    let mut result = SarifResult::builder()
        .rule_id(f.rule_id.clone())
        .rule_index(rule_index)
        .level(result_level(f.severity))
        .message(
            Message::builder()
                .text(format!("{}: {}", f.rule_name, f.masked()))
                .build(),
        )
        .locations(vec![location])
        .partial_fingerprints(BTreeMap::from([(FINGERPRINT_KEY.to_owned(), f.fingerprint.clone())]))
        .build();
    let mut extra = BTreeMap::new();
    if matches!(
        l.origin,
        Origin::Archive { .. } | Origin::ImageLayer { .. } | Origin::ImageConfig { .. }
    ) {
        // The uri names the file on disk; where inside it the secret is, here.
        extra.insert("location".to_owned(), json!(l.origin.display_path()));
    }
    if let Some(repository) = l.origin.repository() {
        extra.insert("repository".to_owned(), json!(repository));
    }
    if let Some(commit) = l.origin.commit() {
        extra.extend([
            ("commit".to_owned(), json!(commit.id)),
            ("author".to_owned(), json!(commit.author)),
            ("email".to_owned(), json!(commit.email)),
            ("date".to_owned(), json!(commit.date)),
            ("message".to_owned(), json!(commit.summary)),
        ]);
    }
    if !l.decoded.is_empty() {
        let chain: Vec<&str> = l.decoded.iter().map(|e| e.as_str()).collect();
        extra.insert("decoded".to_owned(), json!(chain));
    }
    if let Some(v) = &f.verification {
        extra.insert("verification".to_owned(), super::verification_json(v));
    }
    if !extra.is_empty() {
        result.properties = Some(PropertyBag::builder().additional_properties(extra).build());
    }
    result
}

/// The artifact a location is in: the file on disk (for an archive member or an
/// image, the archive or image file itself), or the path in a git tree.
fn artifact(origin: &Origin, base: &mut Base) -> ArtifactLocation {
    match origin {
        Origin::File { path } => ArtifactLocation::builder()
            .uri(uri(&base.segments(path)))
            .uri_base_id(SRCROOT)
            .build(),
        Origin::Stdin => ArtifactLocation::builder().uri("stdin").build(),
        // Git paths are already relative to the repository root, `/`-separated.
        // With --repos-file, under the repository's name as the list gives it.
        Origin::GitBlob { path, repository, .. } => ArtifactLocation::builder()
            .uri(uri(&repository
                .iter()
                .flat_map(|r| r.split('/'))
                .chain(path.split('/'))
                .map(OsString::from)
                .collect::<Vec<_>>()))
            .uri_base_id(SRCROOT)
            .build(),
        Origin::Archive { outer, .. } => artifact(outer, base),
        Origin::ImageLayer { image, .. } | Origin::ImageConfig { image, .. } => ArtifactLocation::builder()
            .uri(uri(&base.segments(std::path::Path::new(&image.source))))
            .uri_base_id(SRCROOT)
            .build(),
    }
}

/// 1-based, never 0; a one-line region ends at least one column after it starts.
fn region(l: &Location) -> Region {
    let start_line = l.line.max(1);
    let end_line = l.end_line.max(start_line);
    let start_column = l.column.max(1);
    let end_column = if end_line == start_line {
        l.end_column.max(start_column + 1)
    } else {
        l.end_column.max(1)
    };
    Region::builder()
        .start_line(int(start_line))
        .start_column(int(start_column))
        .end_line(int(end_line))
        .end_column(int(end_column))
        .build()
}

/// Segments joined with `/`, each percent-encoded from its bytes.
fn uri(segments: &[OsString]) -> String {
    segments
        .iter()
        .map(|s| percent_encoding::percent_encode(&segment_bytes(s), URI_ESCAPED).to_string())
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(unix)]
fn segment_bytes(segment: &OsString) -> Vec<u8> {
    use std::os::unix::ffi::OsStrExt;
    segment.as_bytes().to_vec()
}

#[cfg(not(unix))]
fn segment_bytes(segment: &OsString) -> Vec<u8> {
    segment.to_string_lossy().into_owned().into_bytes()
}

fn int(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

fn text(s: String) -> MultiformatMessageString {
    MultiformatMessageString::builder().text(s).build()
}

/// GitHub's `security-severity`: a CVSS-like score as a string; GitHub shows
/// over 9.0 as critical, 7.0-8.9 high, 4.0-6.9 medium, under 4.0 low.
fn security_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Info => "1.0",
    }
}

/// GitHub's `precision`, from the rule's confidence.
fn precision(confidence: Confidence) -> &'static str {
    match confidence {
        Confidence::High => "high",
        Confidence::Medium => "medium",
        Confidence::Low => "low",
    }
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

fn result_level(severity: Severity) -> ResultLevel {
    match severity {
        Severity::Critical | Severity::High => ResultLevel::Error,
        Severity::Medium => ResultLevel::Warning,
        Severity::Low | Severity::Info => ResultLevel::Note,
    }
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use serde_json::Value;

    use super::*;

    fn finding(path: &str, line: u64, column: u64, end_line: u64, end_column: u64) -> Finding {
        Finding {
            rule_id: "demo-key".into(),
            rule_name: "Demo key".into(),
            severity: Severity::Medium,
            confidence: Confidence::Low,
            tags: vec!["demo".into()],
            remediation: "Rotate it.".into(),
            known: false,
            synthetic: false,
            secret_masked: None,
            captures: Vec::new(),
            verification: None,
            secret: b"demo-secret-value".to_vec(),
            fingerprint: "f".repeat(32),
            locations: vec![Location {
                origin: Origin::File {
                    path: PathBuf::from(path),
                },
                line,
                column,
                end_line,
                end_column,
                before: String::new(),
                after: String::new(),
                decoded: Vec::new(),
            }],
        }
    }

    fn json_of(findings: &[Finding]) -> Value {
        serde_json::to_value(document(findings, &mut Base::default())).expect("serialises")
    }

    #[test]
    fn uris_are_relative_slashed_and_percent_encoded() {
        assert_eq!(
            uri(&crate::report::relative::segments(Path::new("dir/a b#1%.txt"), None)),
            "dir/a%20b%231%25.txt"
        );
        assert_eq!(uri(&[OsString::from("c:x")]), "c%3Ax");
        assert_eq!(uri(&[OsString::from("é")]), "%C3%A9");
    }

    #[cfg(unix)]
    #[test]
    fn non_utf8_names_are_carried_byte_for_byte() {
        use std::os::unix::ffi::OsStringExt;
        assert_eq!(uri(&[OsString::from_vec(vec![b'a', 0xff])]), "a%FF");
    }

    #[test]
    fn regions_never_hold_zero_and_one_line_regions_are_not_empty() {
        let doc = json_of(&[finding("a.txt", 0, 0, 0, 0)]);
        let region = &doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"];
        assert_eq!(
            (
                &region["startLine"],
                &region["startColumn"],
                &region["endLine"],
                &region["endColumn"]
            ),
            (&json!(1), &json!(1), &json!(1), &json!(2))
        );
        let doc = json_of(&[finding("a.txt", 3, 5, 4, 0)]);
        let region = &doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"];
        assert_eq!((&region["endLine"], &region["endColumn"]), (&json!(4), &json!(1)));
    }

    #[test]
    fn rules_carry_tags_severity_and_level() {
        let doc = json_of(&[finding("a.txt", 1, 1, 1, 5)]);
        let rule = &doc["runs"][0]["tool"]["driver"]["rules"][0];
        assert_eq!(rule["properties"]["tags"], json!(["demo", "security"]));
        assert_eq!(rule["properties"]["security-severity"], "5.5");
        assert_eq!(rule["defaultConfiguration"]["level"], "warning");
        assert_eq!(doc["runs"][0]["results"][0]["level"], "warning");
        assert_eq!(doc["runs"][0]["results"][0]["message"]["text"], "Demo key: demo…(17)");
    }
}
