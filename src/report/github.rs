//! The GitHub Actions format: one workflow command per location, which the runner
//! turns into an annotation on the file and line in the job summary and the pull
//! request diff:
//!
//! ```text
//! ::error file=config.env,line=2,col=14,endLine=2,endColumn=54,title=GitHub personal access token (classic)::ghp_…(40) (github-pat): Delete the token at ...
//! ```
//!
//! `critical` and `high` findings are `error`, `medium` ones `warning`, `low` and
//! `info` ones `notice`. The file is relative to the current directory (the
//! checkout, when CI runs `hush scan .`) with `/` separators; for history
//! (`hush git`) it is the path in the commit's tree, which is where the checkout
//! has it, and the message names the commit; stdin findings have no `file`.
//! Control characters are written visibly first ([`escape`]: `\x1b`, `\r`, `\n`;
//! the job log renders ANSI), then values are escaped as the runner expects (`%`
//! in the message; also `:` and `,` in properties), so a file name cannot end
//! the command early, inject another one or recolour the log. With `--verify`
//! the message carries the verdict (`[verified (scopes: repo)]`). The message
//! shows the masked secret,
//! even with `--show-secrets`: a job log is not the place for it.

use std::io::{self, Write};

use hush_rules::Severity;

use super::escape::escape;
use super::relative::{slash_joined, Base};
use crate::finding::Finding;
use crate::origin::Origin;

pub(super) fn write(findings: &[Finding], out: &mut dyn Write) -> io::Result<()> {
    let mut base = Base::default();
    for f in findings {
        let title = escape_property(&f.rule_name);
        for l in &f.locations {
            let mut properties = Vec::with_capacity(6);
            let mut message = format!("{} ({})", f.masked(), f.rule_id);
            match &l.origin {
                Origin::File { path } => {
                    let file = slash_joined(&base.segments(path));
                    properties.push(format!("file={}", escape_property(&file)));
                }
                Origin::GitBlob { path, commit, .. } => {
                    properties.push(format!("file={}", escape_property(path)));
                    if let Some(c) = commit {
                        message.push_str(&format!(" in commit {}", &c.id[..c.id.len().min(12)]));
                    }
                }
                _ => {}
            }
            if let Some(v) = &f.verification {
                message.push_str(&format!(" [{}]", v.summary()));
            }
            let message = escape_data(&format!("{message}: {}", f.remediation));
            let line = l.line.max(1);
            properties.push(format!("line={line}"));
            properties.push(format!("col={}", l.column.max(1)));
            properties.push(format!("endLine={}", l.end_line.max(line)));
            properties.push(format!("endColumn={}", l.end_column.max(1)));
            properties.push(format!("title={title}"));
            writeln!(out, "::{} {}::{message}", command(f.severity), properties.join(","))?;
        }
    }
    Ok(())
}

fn command(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "notice",
    }
}

/// A command's message: control characters written visibly, then `%` escaped
/// (as `@actions/core` does; CR and LF are already `\r` and `\n`).
fn escape_data(s: &str) -> String {
    escape(s).replace('%', "%25")
}

/// A command's property value: as a message, and `:` and `,` too.
fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_follow_the_workflow_command_rules() {
        assert_eq!(escape_data("50% a\r\nb: c,d"), "50%25 a\\r\\nb: c,d");
        assert_eq!(escape_property("a,b:c%\n"), "a%2Cb%3Ac%25\\n");
        assert_eq!(escape_data("\x1b[31mred\x07"), "\\x1b[31mred\\x07");
        assert_eq!(escape_property("x::error ::y"), "x%3A%3Aerror %3A%3Ay");
    }
}
