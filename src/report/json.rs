//! The JSON and JSON Lines formats. Field names are a stable interface, documented
//! in the README: each finding carries its first location flat (`path`, `line`,
//! `column`, `end_line`, `end_column`, and for git blobs `commit`, `author`,
//! `email`, `date`, `message`) and every location in `locations`. Paths
//! that are not UTF-8 are written lossily (U+FFFD). `commit`, `author` and `date`
//! are null for files and stdin. Image fields (`image`, `platform`,
//! `layer_digest`, `layer_index`, `layer_created_by`, `deleted_in_layer`,
//! `config_field`) are null outside images; a location in an image carries them
//! too. `repository` (only with `hush git --repos-file`) names the repository as
//! the list does, and `path` is then `repository!path`. A path inside an archive or image joins the nested names with `!`.

use std::io::{self, Write};

use hush_rules::{Confidence, Severity};
use serde::Serialize;

use super::{shown_secret, ReportOptions};
use crate::finding::{Finding, Location};
use crate::origin::Origin;
use crate::stats::{ScanStats, SkipReason};

#[derive(Serialize)]
struct JsonLocation {
    path: String,
    /// The repository of `hush git --repos-file`, as the list names it.
    #[serde(skip_serializing_if = "Option::is_none")]
    repository: Option<String>,
    line: u64,
    column: u64,
    end_line: u64,
    end_column: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    commit: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    author: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<String>,
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    image: Option<JsonImage>,
    /// Encodings undone to find the secret, outermost first.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    decoded: Vec<&'static str>,
}

/// Where in an image a location is (all null outside images).
#[derive(Serialize, Default, Clone)]
struct JsonImage {
    /// The image's reference (tag) or digest.
    image: Option<String>,
    /// `os/arch` of one image of a multi-platform index.
    platform: Option<String>,
    layer_digest: Option<String>,
    layer_index: Option<usize>,
    /// The history command that made the layer.
    layer_created_by: Option<String>,
    /// The later layer whose whiteout deleted the file (it still ships).
    deleted_in_layer: Option<usize>,
    /// The config field (`Env[0]`, `history[2].created_by`).
    config_field: Option<String>,
}

fn image(origin: &Origin) -> Option<JsonImage> {
    let name = origin.image()?;
    let mut fields = JsonImage {
        image: Some(name.reference.clone()),
        platform: name.platform.clone(),
        ..JsonImage::default()
    };
    match origin.image_layer().unwrap_or(origin) {
        Origin::ImageLayer {
            layer_digest,
            layer_index,
            created_by,
            deleted_in,
            ..
        } => {
            fields.layer_digest = Some(layer_digest.clone());
            fields.layer_index = Some(*layer_index);
            fields.layer_created_by.clone_from(created_by);
            fields.deleted_in_layer = *deleted_in;
        }
        Origin::ImageConfig { field, .. } => fields.config_field = Some(field.clone()),
        _ => {}
    }
    Some(fields)
}

#[derive(Serialize)]
struct JsonFinding {
    rule_id: String,
    rule_name: String,
    severity: Severity,
    confidence: Confidence,
    secret_masked: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    secret: Option<String>,
    fingerprint: String,
    path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    repository: Option<String>,
    line: u64,
    column: u64,
    end_line: u64,
    end_column: u64,
    commit: Option<String>,
    author: Option<String>,
    email: Option<String>,
    date: Option<String>,
    message: Option<String>,
    #[serde(flatten)]
    image: JsonImage,
    /// Encodings undone to find the secret at its first location.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    decoded: Vec<&'static str>,
    remediation: String,
    /// In the baseline (reviewed before); does not fail the scan.
    known: bool,
    /// `--verify`: `{"status", "reason", "provider", "details"}`; absent where
    /// the finding was not checked.
    #[serde(skip_serializing_if = "Option::is_none")]
    verification: Option<serde_json::Value>,
    locations: Vec<JsonLocation>,
}

#[derive(Serialize)]
struct JsonSkipped {
    binary: usize,
    too_large: usize,
    special: usize,
    symlink: usize,
    allowed_path: usize,
    lfs_pointer: usize,
    too_deep: usize,
    encrypted: usize,
    zip_too_large: usize,
}

#[derive(Serialize)]
struct JsonError {
    path: String,
    message: String,
    /// A named input (command-line path, stdin, image) that could not be read
    /// at all; otherwise content left unread while the scan went on.
    input: bool,
}

#[derive(Serialize)]
struct JsonStats {
    files_scanned: u64,
    bytes_scanned: u64,
    /// Of the files scanned, the binaries scanned over their printable runs.
    binary_scanned: u64,
    /// How many threads scanned files' content: at most `-j` for each source
    /// (stdin, named files, the walk, git blobs, image layers).
    threads: usize,
    suppressed: u64,
    skipped: JsonSkipped,
    errors: Vec<JsonError>,
    notes: Vec<String>,
    /// `{"index": I, "count": N}` (1-based I) when this scan was shard I of N.
    #[serde(skip_serializing_if = "Option::is_none")]
    shard: Option<JsonShard>,
}

#[derive(Serialize)]
struct JsonShard {
    index: u32,
    count: u32,
}

#[derive(Serialize)]
struct JsonDocument {
    version: &'static str,
    findings: Vec<JsonFinding>,
    stats: JsonStats,
}

fn location(l: &Location) -> JsonLocation {
    let commit = l.origin.commit();
    JsonLocation {
        path: l.origin.display_path(),
        repository: l.origin.repository().map(str::to_owned),
        line: l.line,
        column: l.column,
        end_line: l.end_line,
        end_column: l.end_column,
        commit: commit.map(|c| c.id.clone()),
        author: commit.map(|c| c.author.clone()),
        email: commit.map(|c| c.email.clone()),
        date: commit.map(|c| c.date.clone()),
        message: commit.map(|c| c.summary.clone()),
        image: image(&l.origin),
        decoded: l.decoded.iter().map(|e| e.as_str()).collect(),
    }
}

fn finding(f: &Finding, options: ReportOptions) -> JsonFinding {
    let first = location(&f.locations[0]);
    let image = first.image.clone().unwrap_or_default();
    JsonFinding {
        rule_id: f.rule_id.clone(),
        rule_name: f.rule_name.clone(),
        severity: f.severity,
        confidence: f.confidence,
        secret_masked: f.masked(),
        secret: options.show_secrets.then(|| shown_secret(f, options)),
        fingerprint: f.fingerprint.clone(),
        path: first.path.clone(),
        repository: first.repository.clone(),
        line: first.line,
        column: first.column,
        end_line: first.end_line,
        end_column: first.end_column,
        commit: first.commit.clone(),
        author: first.author.clone(),
        email: first.email.clone(),
        date: first.date.clone(),
        message: first.message.clone(),
        image,
        decoded: first.decoded.clone(),
        remediation: f.remediation.clone(),
        known: f.known,
        verification: f.verification.as_ref().map(super::verification_json),
        locations: f.locations.iter().map(location).collect(),
    }
}

pub(super) fn write_document(
    findings: &[Finding],
    stats: &ScanStats,
    options: ReportOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    let doc = JsonDocument {
        version: env!("CARGO_PKG_VERSION"),
        findings: findings.iter().map(|f| finding(f, options)).collect(),
        stats: JsonStats {
            files_scanned: stats.files_scanned,
            bytes_scanned: stats.bytes_scanned,
            binary_scanned: stats.binary_files,
            threads: stats.threads.len(),
            suppressed: stats.suppressed,
            skipped: JsonSkipped {
                binary: stats.skipped(SkipReason::Binary),
                too_large: stats.skipped(SkipReason::TooLarge),
                special: stats.skipped(SkipReason::Special),
                symlink: stats.skipped(SkipReason::Symlink),
                allowed_path: stats.skipped(SkipReason::AllowedPath),
                lfs_pointer: stats.skipped(SkipReason::LfsPointer),
                too_deep: stats.skipped(SkipReason::TooDeep),
                encrypted: stats.skipped(SkipReason::Encrypted),
                zip_too_large: stats.skipped(SkipReason::ZipTooLarge),
            },
            errors: stats
                .errors
                .iter()
                .map(|e| JsonError {
                    path: e.path.clone(),
                    message: e.message.clone(),
                    input: e.input,
                })
                .collect(),
            notes: stats.notes.clone(),
            shard: stats.shard.map(|s| JsonShard {
                index: s.number(),
                count: s.count(),
            }),
        },
    };
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)
}

pub(super) fn write_lines(findings: &[Finding], options: ReportOptions, out: &mut dyn Write) -> io::Result<()> {
    for f in findings {
        serde_json::to_writer(&mut *out, &finding(f, options))?;
        writeln!(out)?;
    }
    Ok(())
}
