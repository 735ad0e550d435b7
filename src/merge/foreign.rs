//! Other scanners' reports, in their documented shapes: gitleaks and
//! betterleaks JSON (an array of `{RuleID, Description, File, StartLine,
//! EndLine, StartColumn, EndColumn, Secret, Commit, Author, Email, Date,
//! Message}`), trufflehog `--json` (one `{SourceMetadata: {Data: {<Source>:
//! {file, line, commit, email, timestamp, repository}}}, DetectorName,
//! Verified, Raw, Redacted}` a line) and kingfisher JSON (`{rule: {id, name},
//! finding: {snippet, path, line, column_start, column_end, confidence,
//! git_metadata}}`).
//!
//! Each becomes a [`Reported`] and then a [`Finding`] under the tool's own rule
//! id, tagged with the tool's name. Where the report holds the secret, the
//! fingerprint is hush's (rule id and secret), so the same secret reported by
//! the same rule id in two reports is one finding; where it was redacted, the
//! fingerprint covers the tool, rule, path and line. Secrets are masked by the
//! writers like hush's own, unless `--show-secrets`. `hush baseline import`
//! reads gitleaks reports through [`gitleaks_findings`] too.

use std::sync::Arc;

use hush_rules::{Confidence, Severity};
use serde_json::Value;

use crate::finding::{fingerprint, Finding, Location};
use crate::origin::{CommitMeta, Origin};

/// One finding of another scanner, as its report gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reported {
    pub tool: &'static str,
    pub rule_id: String,
    pub rule_name: String,
    pub severity: Severity,
    pub confidence: Confidence,
    /// None where the report redacted it.
    pub secret: Option<String>,
    pub path: String,
    pub line: u64,
    pub column: u64,
    pub end_line: u64,
    pub end_column: u64,
    pub commit: Option<CommitMeta>,
}

impl Reported {
    /// The finding hush reports for it.
    pub fn to_finding(&self) -> Finding {
        let (secret, secret_masked, fingerprint) = match &self.secret {
            Some(secret) => (
                secret.as_bytes().to_vec(),
                None,
                fingerprint(&self.rule_id, secret.as_bytes()),
            ),
            None => {
                let place = format!("{}\0{}\0{}", self.tool, self.path, self.line);
                (
                    Vec::new(),
                    Some("(redacted)".to_owned()),
                    fingerprint(&self.rule_id, place.as_bytes()),
                )
            }
        };
        let origin = match &self.commit {
            Some(commit) => Origin::GitBlob {
                repository: None,
                blob: String::new(),
                path: self.path.clone(),
                commit: Some(Arc::new(commit.clone())),
            },
            None => Origin::File {
                path: self.path.clone().into(),
            },
        };
        Finding {
            rule_id: self.rule_id.clone(),
            rule_name: self.rule_name.clone(),
            severity: self.severity,
            confidence: self.confidence,
            tags: vec![self.tool.to_owned()],
            remediation: format!("Reported by {}: revoke or rotate it, then remove it.", self.tool),
            known: false,
            secret,
            fingerprint,
            locations: vec![Location {
                origin,
                line: self.line.max(1),
                column: self.column.max(1),
                end_line: self.end_line.max(self.line).max(1),
                end_column: self.end_column.max(1),
                before: String::new(),
                after: String::new(),
                decoded: Vec::new(),
            }],
            synthetic: false,
            secret_masked,
            captures: Vec::new(),
            verification: None,
        }
    }
}

fn text(v: &Value, key: &str) -> String {
    v.get(key).and_then(Value::as_str).unwrap_or("").to_owned()
}

fn number(v: &Value, key: &str) -> u64 {
    v.get(key).and_then(Value::as_u64).unwrap_or(0)
}

/// A secret that the report kept (not empty, not a redaction marker).
fn kept(secret: String) -> Option<String> {
    Some(secret).filter(|s| !s.is_empty() && s != "REDACTED")
}

/// A gitleaks or betterleaks report's findings; `None` when `doc` is not one
/// (an array whose every element has `RuleID`).
pub fn gitleaks_findings(doc: &Value) -> Option<Result<Vec<Reported>, String>> {
    let list = doc.as_array()?;
    if !list.iter().all(|f| f.get("RuleID").is_some()) {
        return None;
    }
    Some(Ok(list
        .iter()
        .map(|f| {
            let commit = Some(text(f, "Commit")).filter(|c| !c.is_empty()).map(|id| CommitMeta {
                id,
                author: text(f, "Author"),
                email: text(f, "Email"),
                date: text(f, "Date"),
                summary: text(f, "Message").lines().next().unwrap_or("").to_owned(),
            });
            let rule_id = text(f, "RuleID");
            Reported {
                tool: "gitleaks",
                rule_name: Some(text(f, "Description"))
                    .filter(|d| !d.is_empty())
                    .unwrap_or_else(|| rule_id.clone()),
                rule_id,
                severity: Severity::High,
                confidence: Confidence::Medium,
                secret: kept(text(f, "Secret")),
                path: text(f, "File"),
                line: number(f, "StartLine"),
                column: number(f, "StartColumn"),
                end_line: number(f, "EndLine"),
                end_column: number(f, "EndColumn"),
                commit,
            }
        })
        .collect()))
}

/// One trufflehog `--json` result. A verified secret is critical.
pub(super) fn trufflehog(v: &Value) -> Result<Reported, String> {
    let detector = text(v, "DetectorName");
    // `Data` holds one key, the source: Filesystem, Git, Github, ...
    let data = v["SourceMetadata"]["Data"]
        .as_object()
        .and_then(|d| d.values().next())
        .ok_or_else(|| format!("{detector}: no SourceMetadata.Data"))?;
    let verified = v.get("Verified").and_then(Value::as_bool).unwrap_or(false);
    let secret = kept(text(v, "Raw"));
    let commit = Some(text(data, "commit"))
        .filter(|c| !c.is_empty())
        .map(|id| CommitMeta {
            id,
            author: String::new(),
            email: text(data, "email"),
            date: text(data, "timestamp"),
            summary: String::new(),
        });
    let line = number(data, "line");
    Ok(Reported {
        tool: "trufflehog",
        rule_id: detector.to_ascii_lowercase(),
        rule_name: detector,
        severity: if verified { Severity::Critical } else { Severity::High },
        confidence: if verified { Confidence::High } else { Confidence::Medium },
        secret,
        path: text(data, "file"),
        line,
        column: 1,
        end_line: line,
        end_column: 1,
        commit,
    })
}

/// One kingfisher finding (`{rule, finding}`).
pub(super) fn kingfisher(v: &Value) -> Result<Reported, String> {
    let rule = &v["rule"];
    let finding = &v["finding"];
    let rule_id = Some(text(rule, "id"))
        .filter(|id| !id.is_empty())
        .ok_or("a kingfisher finding without rule.id")?;
    let confidence = match text(finding, "confidence").to_ascii_lowercase().as_str() {
        "high" => Confidence::High,
        "low" => Confidence::Low,
        _ => Confidence::Medium,
    };
    let git = &finding["git_metadata"];
    let commit_id = git["commit"]["id"].as_str().unwrap_or("").to_owned();
    let commit = Some(commit_id).filter(|c| !c.is_empty()).map(|id| CommitMeta {
        id,
        author: text(&git["commit"]["author"], "name"),
        email: text(&git["commit"]["author"], "email"),
        date: text(&git["commit"], "date"),
        summary: text(&git["commit"], "message").lines().next().unwrap_or("").to_owned(),
    });
    let line = number(finding, "line");
    Ok(Reported {
        tool: "kingfisher",
        rule_name: Some(text(rule, "name"))
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| rule_id.clone()),
        rule_id,
        severity: Severity::High,
        confidence,
        secret: kept(text(finding, "snippet")),
        path: text(finding, "path"),
        line,
        column: number(finding, "column_start"),
        end_line: line,
        end_column: number(finding, "column_end"),
        commit,
    })
}
