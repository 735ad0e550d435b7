//! The text format, for people: each location as `path:line:col  rule-id  masked`
//! followed by the line with the secret masked, then the remediation once per
//! finding, and with `--verify` the provider's verdict. Colour only when asked for (a terminal without NO_COLOR, or
//! `--color always`). Everything that comes from the scanned material (paths,
//! context, image notes, the secret) goes through [`escape`], so a file cannot
//! drive the reader's terminal.

use std::borrow::Cow;
use std::io::{self, Write};

use super::escape::escape;
use super::{shown_secret, ReportOptions};
use crate::finding::{Finding, VerifyStatus};

const BOLD_RED: &str = "\x1b[1;31m";
const MAGENTA: &str = "\x1b[35m";
const YELLOW: &str = "\x1b[33m";
const DIM: &str = "\x1b[2m";
const RESET: &str = "\x1b[0m";

pub(super) fn write(findings: &[Finding], options: ReportOptions, out: &mut dyn Write) -> io::Result<()> {
    let paint = |code: &'static str| if options.color { code } else { "" };
    for f in findings {
        let secret = shown_secret(f, options);
        let secret = escape(&secret);
        for l in &f.locations {
            writeln!(
                out,
                "{}{}:{}:{}{}  {}{}{}  {}  [{}]",
                paint(MAGENTA),
                escape(&l.origin.location_label()),
                l.line,
                l.column,
                paint(RESET),
                paint(BOLD_RED),
                escape(&f.rule_id),
                paint(RESET),
                secret,
                f.severity.as_str(),
            )?;
            let before = escape(&l.before);
            let after = if l.end_line == l.line {
                escape(&l.after)
            } else {
                Cow::Borrowed("")
            };
            writeln!(
                out,
                "    {}{}{}{}{}",
                before.trim_start(),
                paint(YELLOW),
                secret,
                paint(RESET),
                after
            )?;
            if let Some(note) = l.origin.note() {
                writeln!(out, "    {}{}{}", paint(DIM), escape(&note), paint(RESET))?;
            }
            if !l.decoded.is_empty() {
                let chain: Vec<&str> = l.decoded.iter().map(|e| e.as_str()).collect();
                writeln!(out, "    {}decoded: {}{}", paint(DIM), chain.join("→"), paint(RESET))?;
            }
        }
        if let Some(v) = &f.verification {
            // The provider's answer is data from the network: escaped too.
            let colour = match v.status {
                VerifyStatus::Verified => BOLD_RED,
                VerifyStatus::Invalid | VerifyStatus::Unknown => DIM,
            };
            writeln!(
                out,
                "    {}verification: {}{}",
                paint(colour),
                escape(&v.summary()),
                paint(RESET)
            )?;
        }
        writeln!(
            out,
            "    {}{}: {}{}",
            paint(DIM),
            escape(&f.rule_name),
            escape(&f.remediation),
            paint(RESET)
        )?;
    }
    Ok(())
}
