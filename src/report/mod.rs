//! Reports: each output format is a separate writer over the same findings and
//! statistics. None of them prints a whole secret unless `show_secrets` is set,
//! and SARIF and GitHub annotations never do: those outputs are uploaded or kept
//! in job logs. Those for people (text, Markdown, GitHub annotations, HTML)
//! print scanned strings through [`escape::escape`]; HTML also escapes them as
//! markup (see [`html`]).

mod csv;
pub mod escape;
mod github;
pub mod html;
mod json;
mod markdown;
mod relative;
mod sarif;
mod text;

use std::io::{self, Write};

use crate::finding::Finding;
use crate::stats::ScanStats;

/// An output format (`--format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// `path:line:col  rule-id  masked`, then the line with the secret masked.
    Text,
    /// One JSON document: `{"version", "findings": [...], "stats": {...}}`.
    Json,
    /// One JSON object per finding, one per line.
    Jsonl,
    /// SARIF 2.1.0, for GitHub code scanning (secrets always masked).
    Sarif,
    /// GitHub Actions workflow annotations, one per location (secrets always masked).
    Github,
    /// CSV, one row per location, for spreadsheets.
    Csv,
    /// A Markdown table, for a CI job summary or a pull request comment (secrets always masked).
    Markdown,
    /// One self-contained HTML page for triage: summary, one row per secret,
    /// sorting and filters; loads nothing (secrets always masked, unless
    /// `--show-secrets` with `--allow-secrets-in-html`).
    Html,
}

/// Settings shared by every format.
#[derive(Debug, Clone, Copy, Default)]
pub struct ReportOptions {
    /// Print secrets in full.
    pub show_secrets: bool,
    /// ANSI colours (text format only).
    pub color: bool,
}

/// Writes `findings` in `format` to `out`.
pub fn write_report(
    format: Format,
    findings: &[Finding],
    stats: &ScanStats,
    options: ReportOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        Format::Text => text::write(findings, options, out),
        Format::Json => json::write_document(findings, stats, options, out),
        Format::Jsonl => json::write_lines(findings, options, out),
        Format::Sarif => sarif::write(findings, stats, out),
        Format::Github => github::write(findings, out),
        Format::Csv => csv::write(findings, options, out),
        Format::Markdown => markdown::write(findings, stats, out),
        Format::Html => html::write(findings, stats, options, out),
    }
}

/// The secret as a report shows it: masked, or whole with `--show-secrets`.
pub(crate) fn shown_secret(finding: &Finding, options: ReportOptions) -> String {
    if options.show_secrets && finding.secret_masked.is_none() {
        String::from_utf8_lossy(&finding.secret).into_owned()
    } else {
        finding.masked()
    }
}

/// A finding's verdict as JSON, SARIF and JSON Lines carry it:
/// `{"status": "verified"|"invalid"|"unknown", "reason", "provider", "details": {name: value}}`.
pub(crate) fn verification_json(v: &crate::finding::Verification) -> serde_json::Value {
    let details: serde_json::Map<String, serde_json::Value> = v
        .details
        .iter()
        .map(|(k, val)| (k.clone(), serde_json::Value::String(val.clone())))
        .collect();
    serde_json::json!({
        "status": v.status.as_str(),
        "reason": v.reason,
        "provider": v.provider,
        "details": details,
    })
}
