//! What was redacted: one [`Redaction`] per replaced span, and the JSON Lines format
//! of `--report FILE`. A report never holds a secret, only a masked form of it.
//!
//! Each line is one object: `{"rule":"github-pat","line":12,"secret_masked":"ghp_…(40)"}`,
//! plus `"hash"` (the marker's 8 hex digits) with `--style hash` and `"stream"`
//! (`stdout` or `stderr`) when a command's output is filtered. `line` is 1-based and
//! counts the input's lines (for a private key block, its BEGIN line).

use std::io::{self, Write};

/// One replaced span.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redaction {
    /// The rule id (or `literal-mask`, `json-secret-field`, ...).
    pub rule: String,
    /// 1-based line of the input where the secret starts.
    pub line: u64,
    /// The first characters of a rule's match (a quarter of it, at most 4) and its
    /// length, e.g. `ghp_…(40)`; only the length for literals and structure finds,
    /// which are often short passwords.
    pub secret_masked: String,
    /// The `hash` style's tag, as in the output.
    pub hash: Option<String>,
}

/// `ghp_…(40)`: enough to recognise a token's kind, never enough to use it.
pub(crate) fn mask(secret: &[u8], show_prefix: bool) -> String {
    let shown = if show_prefix { (secret.len() / 4).min(4) } else { 0 };
    let prefix: String = String::from_utf8_lossy(&secret[..shown])
        .chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .collect();
    format!("{prefix}…({})", secret.len())
}

/// The wire format of one report line, fields in this order.
#[derive(serde::Serialize)]
struct JsonLine<'a> {
    rule: &'a str,
    line: u64,
    secret_masked: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    hash: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    stream: Option<&'a str>,
}

impl Redaction {
    /// Writes this redaction as one JSON line; `stream` names the output it was in.
    pub fn write_json_line(&self, stream: Option<&str>, out: &mut impl Write) -> io::Result<()> {
        let line = JsonLine {
            rule: &self.rule,
            line: self.line,
            secret_masked: &self.secret_masked,
            hash: self.hash.as_deref(),
            stream,
        };
        let mut text = serde_json::to_vec(&line).map_err(io::Error::other)?;
        text.push(b'\n');
        out.write_all(&text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_show_little() {
        assert_eq!(mask(b"ghp_0123456789abcdef0123456789abcdef0123", true), "ghp_…(40)");
        assert_eq!(mask(b"hunter2!", true), "hu…(8)");
        assert_eq!(mask(b"hunter2!", false), "…(8)");
        assert_eq!(mask(b"\x01\x02\x03\x04\x05\x06\x07\x08", true), "??…(8)");
    }

    #[test]
    fn json_line_fields() {
        let r = Redaction {
            rule: "github-pat".into(),
            line: 3,
            secret_masked: "ghp_…(40)".into(),
            hash: Some("0a1b2c3d".into()),
        };
        let mut out = Vec::new();
        r.write_json_line(Some("stderr"), &mut out).expect("in memory");
        let v: serde_json::Value = serde_json::from_slice(&out).expect("json");
        assert_eq!(v["rule"], "github-pat");
        assert_eq!(v["line"], 3);
        assert_eq!(v["secret_masked"], "ghp_…(40)");
        assert_eq!(v["hash"], "0a1b2c3d");
        assert_eq!(v["stream"], "stderr");
        assert!(out.ends_with(b"\n"));
        assert!(out.starts_with(br#"{"rule":"github-pat","line":3,"#));
    }
}
