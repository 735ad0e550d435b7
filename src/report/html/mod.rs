//! The HTML format: one self-contained page for people who triage a scan they
//! did not run (a security lead, an auditor), opened from an artifact or an
//! e-mail, offline.
//!
//! The page is a summary (what was scanned, when, by which hush and rules,
//! counts by severity, confidence and rule, new against known) and a table with
//! one row per finding — one secret, wherever it occurs — its locations folded
//! under it in a `<details>`. The table is plain HTML, readable with scripting
//! off; hush's own script ([`SCRIPT`]) only adds sorting, filters and a search
//! box, and reads and writes the filter in the URL fragment (`#severity=high&q=aws`)
//! so a filtered view can be shared.
//!
//! Safe against what it shows: every value comes from the scanned material
//! (paths, lines, commit messages, authors, image labels) and is written by the
//! [askama] template, which HTML-escapes every expression (text and quoted
//! attributes alike); only [`STYLE`] and [`SCRIPT`], hush's own, are inserted
//! raw. No scanned value goes into the script: it reads the table. A
//! Content-Security-Policy meta tag forbids every load (`default-src 'none'`)
//! and allows exactly the inline style and script by their SHA-256 hashes, so
//! neither an injected `<script>` nor an inline event handler could run even
//! if escaping failed. Nothing is fetched: no fonts, images or CDN; the only
//! links leaving the page are the rules' documentation links, which a reader
//! follows by clicking (`rel="noopener noreferrer"`, no referrer sent).
//!
//! Secrets are masked as in the text report ([`super::shown_secret`]); the
//! command line refuses `--show-secrets` for this format unless
//! `--allow-secrets-in-html` is given too, since the file is made to be passed
//! around.
//!
//! Scale: rows are rendered here, not by the script; the script filters by
//! toggling `hidden` in one pass over the rows. Rows come new first, most
//! severe first; any column sorts. Each rule's remediation is
//! written once, in the summary's rule table, and each row links to it.

mod view;

use std::io::{self, Write};
use std::sync::OnceLock;

use askama::Template;
use base64::Engine as _;
use sha2::{Digest, Sha256};

use super::ReportOptions;
use crate::finding::Finding;
use crate::stats::ScanStats;

/// The page's style sheet, inlined in a `<style>` element.
pub const STYLE: &str = include_str!("report.css");
/// The page's script (sorting, filters, search), inlined in a `<script>` element.
pub const SCRIPT: &str = include_str!("report.js");

/// The page: the summary and one row per finding (see `page.html`).
#[derive(Template)]
#[template(path = "page.html")]
struct Page<'a> {
    csp: &'static str,
    style: &'static str,
    script: &'static str,
    summary: view::Summary,
    columns: view::Columns,
    rows: Vec<view::Row<'a>>,
}

pub(super) fn write(
    findings: &[Finding],
    stats: &ScanStats,
    options: ReportOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    let mut rows: Vec<view::Row> = findings.iter().map(|f| view::Row::new(f, options)).collect();
    // What to rotate first on top: new before known, then by severity and
    // confidence; ties keep the findings' order (by first location).
    rows.sort_by_key(|r| (r.known, std::cmp::Reverse((r.severity_rank, r.confidence_rank))));
    let page = Page {
        csp: content_security_policy(),
        style: STYLE,
        script: SCRIPT,
        summary: view::Summary::new(findings, stats),
        columns: view::Columns::of(&rows),
        rows,
    };
    let html = page.render().map_err(io::Error::other)?;
    out.write_all(html.as_bytes())
}

/// The policy of the page's `<meta http-equiv="Content-Security-Policy">`:
/// nothing may load, and the only style and script are hush's own, allowed by
/// hash (computed once, from the very text the page inlines).
pub fn content_security_policy() -> &'static str {
    static POLICY: OnceLock<String> = OnceLock::new();
    POLICY.get_or_init(|| {
        format!(
            "default-src 'none'; style-src '{}'; script-src '{}'; img-src 'none'; \
             base-uri 'none'; form-action 'none'",
            csp_hash(STYLE),
            csp_hash(SCRIPT)
        )
    })
}

/// A CSP source expression for an inline element's text: `sha256-` and the
/// base64 of its SHA-256.
pub fn csp_hash(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    format!("sha256-{}", base64::engine::general_purpose::STANDARD.encode(digest))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_allows_only_the_inlined_style_and_script() {
        let policy = content_security_policy();
        assert!(policy.starts_with("default-src 'none';"), "{policy}");
        assert!(policy.contains(&format!("style-src '{}'", csp_hash(STYLE))), "{policy}");
        assert!(
            policy.contains(&format!("script-src '{}'", csp_hash(SCRIPT))),
            "{policy}"
        );
        assert!(!policy.contains("unsafe"), "{policy}");
    }

    #[test]
    fn hash_is_the_base64_sha256_csp_expects() {
        // The SHA-256 of the empty string, as every CSP implementation writes it.
        assert_eq!(csp_hash(""), "sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
    }
}
