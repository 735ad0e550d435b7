//! The encoded forms of a literal mask: base64 (standard and URL-safe, in all three
//! alignments), hex, percent-encoding, JSON string escaping, XML/HTML escaping and
//! shell quoting. A secret that is printed encoded is as leaked as one printed raw.

use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE_NO_PAD};
use base64::Engine as _;

/// Which encoding a form of a literal is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Form {
    Raw,
    Base64,
    Base64Url,
    Hex,
    Percent,
    Json,
    /// XML or HTML character escaping (`&amp;`, `&lt;`, `&quot;`, `&#39;`…).
    Xml,
    /// Shell quoting: inside single quotes (`'\''`), inside double quotes, or
    /// backslash-escaped as `printf %q` and `shlex.quote` write it.
    Shell,
}

impl Form {
    /// The id a redaction of this form is labelled with.
    pub fn id(self) -> &'static str {
        match self {
            Form::Raw => "literal-mask",
            Form::Base64 => "literal-mask-base64",
            Form::Base64Url => "literal-mask-base64url",
            Form::Hex => "literal-mask-hex",
            Form::Percent => "literal-mask-percent",
            Form::Json => "literal-mask-json",
            Form::Xml => "literal-mask-xml",
            Form::Shell => "literal-mask-shell",
        }
    }
}

/// Every encoded form of `value` (the raw form excluded), deduplicated, none empty.
pub fn encoded_forms(value: &[u8]) -> Vec<(Form, Vec<u8>)> {
    let mut forms: Vec<(Form, Vec<u8>)> = Vec::new();
    let mut add = |form: Form, bytes: Vec<u8>| {
        if !bytes.is_empty() && bytes != value && !forms.iter().any(|(_, b)| *b == bytes) {
            forms.push((form, bytes));
        }
    };
    add(Form::Base64, STANDARD.encode(value).into_bytes());
    for body in aligned_base64(value, &STANDARD_NO_PAD) {
        add(Form::Base64, body);
    }
    for body in aligned_base64(value, &URL_SAFE_NO_PAD) {
        add(Form::Base64Url, body);
    }
    add(Form::Hex, hex(value, b"0123456789abcdef"));
    add(Form::Hex, hex(value, b"0123456789ABCDEF"));
    add(Form::Percent, percent(value, b"0123456789ABCDEF", false));
    add(Form::Percent, percent(value, b"0123456789abcdef", false));
    add(Form::Percent, percent(value, b"0123456789ABCDEF", true));
    if let Ok(text) = std::str::from_utf8(value) {
        let quoted = serde_json::Value::String(text.to_owned()).to_string();
        let escaped = quoted[1..quoted.len() - 1].to_owned();
        if escaped.contains('/') {
            add(Form::Json, escaped.replace('/', "\\/").into_bytes());
        }
        add(Form::Json, escaped.into_bytes());
    }
    for quotes in [XmlQuotes::Named, XmlQuotes::Numeric, XmlQuotes::Hex] {
        add(Form::Xml, xml_escape(value, quotes));
    }
    for quoting in [
        ShellQuoting::Single,
        ShellQuoting::SingleByDouble,
        ShellQuoting::Double,
        ShellQuoting::Backslash,
    ] {
        add(Form::Shell, shell_quote(value, quoting));
    }
    forms
}

/// How an XML/HTML escaper writes quotes: `&quot;`/`&apos;` (XML), `&#34;`/`&#39;`
/// (Python's `html.escape`, many template engines) or `&#x22;`/`&#x27;`.
#[derive(Clone, Copy)]
enum XmlQuotes {
    Named,
    Numeric,
    Hex,
}

/// `value` with `&`, `<`, `>` and both quotes written as character references.
fn xml_escape(value: &[u8], quotes: XmlQuotes) -> Vec<u8> {
    let mut out = Vec::with_capacity(value.len() + 16);
    for &b in value {
        let reference: &[u8] = match (b, quotes) {
            (b'&', _) => b"&amp;",
            (b'<', _) => b"&lt;",
            (b'>', _) => b"&gt;",
            (b'"', XmlQuotes::Named) => b"&quot;",
            (b'\'', XmlQuotes::Named) => b"&apos;",
            (b'"', XmlQuotes::Numeric) => b"&#34;",
            (b'\'', XmlQuotes::Numeric) => b"&#39;",
            (b'"', XmlQuotes::Hex) => b"&#x22;",
            (b'\'', XmlQuotes::Hex) => b"&#x27;",
            _ => {
                out.push(b);
                continue;
            }
        };
        out.extend_from_slice(reference);
    }
    out
}

/// The ways a shell script or a tool quoting for one writes a value.
#[derive(Clone, Copy)]
enum ShellQuoting {
    /// Inside `'…'`, a quote written `'\''` (POSIX `shlex.quote`).
    Single,
    /// Inside `'…'`, a quote written `'"'"'`.
    SingleByDouble,
    /// Inside `"…"`: `\`, `"`, `$` and `` ` `` backslash-escaped.
    Double,
    /// Unquoted, every shell metacharacter backslash-escaped (`printf %q`).
    Backslash,
}

/// The body of `value` quoted for a POSIX shell (without the outer quotes, which
/// stay visible and hide nothing).
fn shell_quote(value: &[u8], quoting: ShellQuoting) -> Vec<u8> {
    let mut out = Vec::with_capacity(value.len() + 8);
    for &b in value {
        match quoting {
            ShellQuoting::Single if b == b'\'' => out.extend_from_slice(b"'\\''"),
            ShellQuoting::SingleByDouble if b == b'\'' => out.extend_from_slice(b"'\"'\"'"),
            ShellQuoting::Double if matches!(b, b'\\' | b'"' | b'$' | b'`') => out.extend_from_slice(&[b'\\', b]),
            ShellQuoting::Backslash
                if !(b.is_ascii_alphanumeric()
                    || matches!(b, b'-' | b'_' | b'.' | b'/' | b'@' | b'%' | b'+' | b',' | b':' | b'=')
                    || b >= 0x80) =>
            {
                out.extend_from_slice(&[b'\\', b]);
            }
            _ => out.push(b),
        }
    }
    out
}

/// The base64 characters that depend only on `value`, for each of the three
/// byte offsets at which it can sit in a longer encoded message: the characters
/// that mix in bits of a neighbouring byte are left out, so
/// `base64(prefix + value + suffix)` contains one of these whatever the prefix and
/// suffix, and at most two characters at each edge stay visible.
fn aligned_base64(value: &[u8], engine: &impl base64::Engine) -> Vec<Vec<u8>> {
    (0..3usize)
        .filter_map(|offset| {
            let mut message = vec![0u8; offset];
            message.extend_from_slice(value);
            let encoded = engine.encode(&message).into_bytes();
            let first = (8 * offset).div_ceil(6);
            let end = (8 * (offset + value.len())) / 6;
            (end > first).then(|| encoded[first..end].to_vec())
        })
        .collect()
}

fn hex(value: &[u8], digits: &[u8; 16]) -> Vec<u8> {
    value
        .iter()
        .flat_map(|b| [digits[usize::from(b >> 4)], digits[usize::from(b & 15)]])
        .collect()
}

/// RFC 3986 percent-encoding (everything but unreserved characters); `form` writes
/// a space as `+` (application/x-www-form-urlencoded).
fn percent(value: &[u8], digits: &[u8; 16], form: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(value.len() * 3);
    for &b in value {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => out.push(b),
            b' ' if form => out.push(b'+'),
            _ => out.extend_from_slice(&[b'%', digits[usize::from(b >> 4)], digits[usize::from(b & 15)]]),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn has(forms: &[(Form, Vec<u8>)], form: Form, bytes: &[u8]) -> bool {
        forms.iter().any(|(f, b)| *f == form && b == bytes)
    }

    #[test]
    fn every_alignment_is_found_inside_a_longer_message() {
        let value = b"s3cr3t-Pa55word";
        let forms = encoded_forms(value);
        for prefix_len in 0..6 {
            for suffix_len in 0..4 {
                let mut message = b"prefix"[..prefix_len].to_vec();
                message.extend_from_slice(value);
                message.extend_from_slice(&b"tail"[..suffix_len]);
                let encoded = STANDARD.encode(&message);
                let found = forms.iter().any(|(form, bytes)| {
                    *form == Form::Base64 && encoded.as_bytes().windows(bytes.len()).any(|w| w == bytes.as_slice())
                });
                assert!(found, "prefix {prefix_len}, suffix {suffix_len}: {encoded}");
            }
        }
    }

    #[test]
    fn hex_percent_and_json_forms() {
        let forms = encoded_forms(b"p@ss w/\"x\"");
        assert!(has(&forms, Form::Hex, b"7040737320772f227822"));
        assert!(has(&forms, Form::Hex, b"7040737320772F227822"));
        assert!(has(&forms, Form::Percent, b"p%40ss%20w%2F%22x%22"));
        assert!(has(&forms, Form::Percent, b"p%40ss+w%2F%22x%22"));
        assert!(has(&forms, Form::Json, br#"p@ss w/\"x\""#));
        assert!(has(&forms, Form::Json, br#"p@ss w\/\"x\""#));
        let hexed = encoded_forms(b"abcdef");
        assert!(has(&hexed, Form::Hex, b"616263646566"));
    }

    #[test]
    fn xml_and_shell_forms() {
        let forms = encoded_forms(b"a<b>&'c\"d$e f");
        assert!(has(&forms, Form::Xml, b"a&lt;b&gt;&amp;&apos;c&quot;d$e f"));
        assert!(has(&forms, Form::Xml, b"a&lt;b&gt;&amp;&#39;c&#34;d$e f"));
        assert!(has(&forms, Form::Xml, b"a&lt;b&gt;&amp;&#x27;c&#x22;d$e f"));
        assert!(has(&forms, Form::Shell, br#"a<b>&'\''c"d$e f"#));
        assert!(has(&forms, Form::Shell, br#"a<b>&'"'"'c"d$e f"#));
        assert!(has(&forms, Form::Shell, br#"a<b>&'c\"d\$e f"#));
        assert!(has(&forms, Form::Shell, br#"a\<b\>\&\'c\"d\$e\ f"#));
        // What the real quoters write, the quotes around the body aside.
        let quoted = encoded_forms(b"it's");
        assert!(
            has(&quoted, Form::Shell, br#"it'\''s"#),
            "shlex.quote(\"it's\") == 'it'\\''s'"
        );
    }

    #[test]
    fn forms_equal_to_the_raw_value_are_dropped() {
        let forms = encoded_forms(b"plainvalue");
        assert!(!forms.iter().any(|(_, b)| b == b"plainvalue"));
        assert!(!forms
            .iter()
            .any(|(f, _)| matches!(f, Form::Percent | Form::Json | Form::Xml | Form::Shell)));
    }
}
