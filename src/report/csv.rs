//! The CSV format, for triage in a spreadsheet: a header, then one row per
//! location (a secret found in three places is three rows with one fingerprint):
//!
//! ```text
//! rule_id,rule_name,severity,confidence,path,line,column,end_line,end_column,secret_masked,fingerprint
//! ```
//!
//! With `--verify`, `verification` (verified, invalid or unknown; empty where
//! the rule has no verifier) and `verification_reason` follow; with
//! `--show-secrets` a `secret` column comes last. Quoting is RFC 4180 (the `csv`
//! crate). Paths are as in the JSON format (`-` for stdin, lossy where not UTF-8).
//! A text cell that starts with `=`, `+`, `-`, `@`, tab or CR is prefixed with `'`
//! (a lone `-` excepted), so a file name or secret cannot run as a spreadsheet
//! formula when the report is opened.

use std::borrow::Cow;
use std::io::{self, Write};

use super::ReportOptions;
use crate::finding::Finding;

const HEADER: [&str; 11] = [
    "rule_id",
    "rule_name",
    "severity",
    "confidence",
    "path",
    "line",
    "column",
    "end_line",
    "end_column",
    "secret_masked",
    "fingerprint",
];

pub(super) fn write(findings: &[Finding], options: ReportOptions, out: &mut dyn Write) -> io::Result<()> {
    let mut writer = ::csv::Writer::from_writer(out);
    let mut header = HEADER.to_vec();
    let verified = findings.iter().any(|f| f.verification.is_some());
    if verified {
        header.extend(["verification", "verification_reason"]);
    }
    if options.show_secrets {
        header.push("secret");
    }
    writer.write_record(&header)?;
    for f in findings {
        let severity = f.severity.as_str();
        let confidence = f.confidence.as_str();
        let masked = f.masked();
        let secret = options.show_secrets.then(|| String::from_utf8_lossy(&f.secret));
        for l in &f.locations {
            let path = l.origin.display_path();
            let numbers = [l.line, l.column, l.end_line, l.end_column].map(|n| n.to_string());
            let mut row: Vec<Cow<str>> = vec![
                cell(&f.rule_id),
                cell(&f.rule_name),
                Cow::Borrowed(severity),
                Cow::Borrowed(confidence),
                cell(&path),
            ];
            row.extend(numbers.iter().map(|n| Cow::Borrowed(n.as_str())));
            row.push(cell(&masked));
            row.push(Cow::Borrowed(f.fingerprint.as_str()));
            if verified {
                match &f.verification {
                    Some(v) => {
                        row.push(Cow::Borrowed(v.status.as_str()));
                        let reason = match v.status {
                            crate::finding::VerifyStatus::Verified => v.summary(),
                            _ => v.reason.clone(),
                        };
                        row.push(Cow::Owned(cell(&reason).into_owned()));
                    }
                    None => row.extend([Cow::Borrowed(""), Cow::Borrowed("")]),
                }
            }
            if let Some(secret) = &secret {
                row.push(cell(secret));
            }
            writer.write_record(row.iter().map(|c| c.as_bytes()))?;
        }
    }
    writer.flush()
}

/// `text`, defused if a spreadsheet would read it as a formula.
fn cell(text: &str) -> Cow<'_, str> {
    let risky = match text.as_bytes().first() {
        Some(b'=' | b'+' | b'@' | b'\t' | b'\r') => true,
        Some(b'-') => text.len() > 1,
        _ => false,
    };
    if risky {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_are_defused() {
        assert_eq!(cell("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(cell("+1"), "'+1");
        assert_eq!(cell("@sum"), "'@sum");
        assert_eq!(cell("-x"), "'-x");
        assert_eq!(cell("-"), "-");
        assert_eq!(cell("src/a.env"), "src/a.env");
    }
}
