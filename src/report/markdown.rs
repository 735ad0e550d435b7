//! The Markdown format: a heading and one table row per finding, for a CI job
//! summary (`$GITHUB_STEP_SUMMARY`) or a pull request comment:
//!
//! ```text
//! ### hush: 2 secrets found
//!
//! | Severity | Rule | Secret | Where | Commit |
//! | --- | --- | --- | --- | --- |
//! | high | GitHub personal access token (`github-pat`) | `ghp_…(40)` | `config.env:2:14` and 2 more | `3f9a1c2b7d4e` |
//! ```
//!
//! Secrets are always masked: a summary is shown to everyone who can read the
//! job. Findings known from the baseline are counted, not listed. The `Commit`
//! column appears only for history scans, the `Live` column (the verdict of
//! `--verify`, with what a verified key can do) only when a finding has one. Cell text is escaped (`|`, backticks,
//! `<`, and control characters written visibly by [`escape`], `\x1b`, `\n`), so a
//! file name cannot break the table, inject markup or drive a terminal.

use std::io::{self, Write};

use super::escape::escape;
use crate::finding::Finding;
use crate::stats::ScanStats;

/// Rows after which the table is cut (GitHub caps a step summary at 1 MiB).
const MAX_ROWS: usize = 500;

pub(super) fn write(findings: &[Finding], stats: &ScanStats, out: &mut dyn Write) -> io::Result<()> {
    let new: Vec<&Finding> = findings.iter().filter(|f| !f.known).collect();
    let known = findings.len() - new.len();
    match new.len() {
        0 => writeln!(out, "### hush: no new secrets found")?,
        1 => writeln!(out, "### hush: 1 secret found")?,
        n => writeln!(out, "### hush: {n} secrets found")?,
    }
    writeln!(out)?;
    let mut facts = vec![format!("{} file(s) scanned", stats.files_scanned)];
    if known > 0 {
        facts.push(format!("{known} known from the baseline"));
    }
    if stats.suppressed > 0 {
        facts.push(format!("{} allowed by annotations or config", stats.suppressed));
    }
    let inputs = stats.errors.iter().filter(|e| e.input).count();
    if inputs > 0 {
        facts.push(format!("{inputs} input(s) could not be read, see the job log"));
    }
    if stats.errors.len() > inputs {
        facts.push(format!(
            "{} warning(s): content left unread, see the job log",
            stats.errors.len() - inputs
        ));
    }
    writeln!(out, "{}.", facts.join(", "))?;
    if new.is_empty() {
        return Ok(());
    }
    let history = new
        .iter()
        .any(|f| f.locations.iter().any(|l| l.origin.commit().is_some()));
    let verified = new.iter().any(|f| f.verification.is_some());
    let mut columns = vec!["Severity", "Rule", "Secret", "Where"];
    if history {
        columns.push("Commit");
    }
    if verified {
        columns.push("Live");
    }
    writeln!(out)?;
    writeln!(out, "| {} |", columns.join(" | "))?;
    writeln!(out, "|{}", " --- |".repeat(columns.len()))?;
    for f in new.iter().take(MAX_ROWS) {
        let Some(first) = f.locations.first() else { continue };
        let mut place = code(&format!(
            "{}:{}:{}",
            first.origin.display_path(),
            first.line,
            first.column
        ));
        if f.locations.len() > 1 {
            place.push_str(&format!(" and {} more", f.locations.len() - 1));
        }
        let mut row = format!(
            "| {} | {} ({}) | {} | {place} |",
            f.severity.as_str(),
            cell(&f.rule_name),
            code(&f.rule_id),
            code(&f.masked()),
        );
        if history {
            let commit = first
                .origin
                .commit()
                .map(|c| code(&c.id[..c.id.len().min(12)]))
                .unwrap_or_default();
            row.push_str(&format!(" {commit} |"));
        }
        if verified {
            let verdict = f.verification.as_ref().map(|v| cell(&v.summary())).unwrap_or_default();
            row.push_str(&format!(" {verdict} |"));
        }
        writeln!(out, "{row}")?;
    }
    if new.len() > MAX_ROWS {
        writeln!(
            out,
            "\n{} more not shown; the SARIF or JSON report has them all.",
            new.len() - MAX_ROWS
        )?;
    }
    Ok(())
}

/// Text in a table cell: no newline, pipe or markup survives.
fn cell(text: &str) -> String {
    let mut s = String::with_capacity(text.len());
    for c in escape(text).chars() {
        match c {
            '|' => s.push_str("\\|"),
            '<' => s.push_str("&lt;"),
            '>' => s.push_str("&gt;"),
            '`' | '*' | '_' | '[' | ']' | '\\' => {
                s.push('\\');
                s.push(c);
            }
            c => s.push(c),
        }
    }
    s
}

/// Text shown as code in a table cell. Backticks inside are replaced (a code
/// span cannot escape them), pipes escaped (GitHub splits cells before it
/// parses code spans).
fn code(text: &str) -> String {
    let inner: String = escape(text).chars().map(|c| if c == '`' { '\'' } else { c }).collect();
    format!("`{}`", inner.replace('|', "\\|"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_cannot_break_the_table_or_add_markup() {
        assert_eq!(cell("a|b\nc<script>"), "a\\|b\\\\nc&lt;script&gt;");
        assert_eq!(code("a\x1b[2Jb\r"), "`a\\x1b[2Jb\\r`");
        assert_eq!(cell("[x](y)"), "\\[x\\](y)");
        assert_eq!(code("a`b|c"), "`a'b\\|c`");
    }
}
