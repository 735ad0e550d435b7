//! JSON values of secret-named keys: given where a key name ends, find the value's
//! extent, in plain JSON (`{"password": "x"}`) or in JSON escaped inside a JSON
//! string (`"{\"password\":\"x\"}"`), without parsing the whole line: a log line
//! may be truncated, prefixed, or only partly JSON.

use crate::style::Context;

/// Longest key looked at, in bytes.
const MAX_KEY: usize = 128;

/// Where a secret-named key's value lies: `name_end` is just past the key's last
/// name byte. Returns the range to replace and how to write the replacement there,
/// or None when this is not a key, or its value is empty, null or a boolean.
pub(crate) fn value_after_key(hay: &[u8], name_start: usize, name_end: usize) -> Option<(usize, usize, Context)> {
    let rest = &hay[name_end..];
    let escaped = if rest.first() == Some(&b'"') {
        false
    } else if rest.starts_with(b"\\\"") {
        true
    } else {
        return None;
    };
    if !opens_key(hay, name_start, escaped) {
        return None;
    }
    let mut at = name_end + if escaped { 2 } else { 1 };
    at = skip_space(hay, at);
    if hay.get(at) != Some(&b':') {
        return None;
    }
    at = skip_space(hay, at + 1);
    if escaped {
        if !hay[at..].starts_with(b"\\\"") {
            return None;
        }
        let start = at + 2;
        let end = string_end(hay, start, 1);
        return (end > start).then_some((start, end, Context::Text));
    }
    match hay.get(at)? {
        b'"' => {
            let start = at + 1;
            let end = string_end(hay, start, 0);
            (end > start && !is_version_spec(&hay[start..end])).then_some((start, end, Context::JsonString))
        }
        // An opener that ends the line starts a pretty-printed, multi-line value:
        // its secret-named members are found on their own lines, and replacing the
        // opener alone would break the document's structure.
        b'{' | b'[' if hay[at + 1..].iter().all(|b| b.is_ascii_whitespace()) => None,
        b'{' | b'[' => Some((at, container_end(hay, at), Context::JsonValue)),
        b'-' | b'0'..=b'9' => {
            let len = hay[at..]
                .iter()
                .take_while(|b| matches!(b, b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9'))
                .count();
            Some((at, at + len, Context::JsonValue))
        }
        _ => None,
    }
}

/// Whether a string value is a version or a version requirement (`1.0.6`,
/// `~0.7.1`, `^2.3.0-rc.1`, `>=1.2`): a package manifest's or lock file's entry
/// for a package named like a secret (`cookie`, `cookie-signature`), not a secret.
fn is_version_spec(value: &[u8]) -> bool {
    let start = value
        .iter()
        .position(|b| !matches!(b, b'^' | b'~' | b'=' | b'<' | b'>' | b'v' | b' '))
        .unwrap_or(value.len());
    let rest = &value[start..];
    let core = rest.iter().position(|b| matches!(b, b'-' | b'+')).unwrap_or(rest.len());
    let (numbers, label) = rest.split_at(core);
    let dots = numbers.iter().filter(|&&b| b == b'.').count();
    (1..=3).contains(&dots)
        && numbers
            .split(|&b| b == b'.')
            .all(|part| !part.is_empty() && part.len() <= 9 && part.iter().all(u8::is_ascii_digit))
        && label.len() <= 32
        && label
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'+' | b'.'))
}

/// Whether a quote (`"`, or `\"` when escaped) opens the key that the name ends.
fn opens_key(hay: &[u8], name_start: usize, escaped: bool) -> bool {
    let floor = name_start.saturating_sub(MAX_KEY);
    let Some(q) = memchr::memrchr(b'"', &hay[floor..name_start]).map(|q| floor + q) else {
        return false;
    };
    let backslash = q > 0 && hay[q - 1] == b'\\';
    backslash == escaped
}

fn skip_space(hay: &[u8], mut at: usize) -> usize {
    while at < hay.len() && matches!(hay[at], b' ' | b'\t' | b'\r') {
        at += 1;
    }
    at
}

/// The end of a string's contents that start at `start` (the index of its closing
/// quote), or the end of the haystack when the string is not closed. `level` 0 is
/// plain JSON; level 1 is JSON escaped inside a JSON string, where the closing
/// quote is `\"` and an escaped quote inside is `\\\"`.
fn string_end(hay: &[u8], start: usize, level: u8) -> usize {
    let mut at = start;
    let mut inner_escape = false;
    while at < hay.len() {
        let here = at;
        let decoded = if level == 1 && hay[at] == b'\\' && at + 1 < hay.len() {
            at += 2;
            hay[at - 1]
        } else if level == 1 && hay[at] == b'"' {
            // A bare quote ends the outer string, and so this one.
            return here;
        } else {
            at += 1;
            hay[here]
        };
        let closing_quote = if level == 1 {
            decoded == b'"' && hay[here] == b'\\'
        } else {
            decoded == b'"'
        };
        if inner_escape {
            inner_escape = false;
        } else if decoded == b'\\' {
            inner_escape = true;
        } else if closing_quote {
            return here;
        }
    }
    hay.len()
}

/// The end (exclusive) of the object or array that opens at `open`, or the end of
/// the haystack when it is not closed.
fn container_end(hay: &[u8], open: usize) -> usize {
    let mut depth = 0usize;
    let mut at = open;
    while at < hay.len() {
        match hay[at] {
            b'{' | b'[' => depth += 1,
            b'}' | b']' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return at + 1;
                }
            }
            b'"' => {
                at = string_end(hay, at + 1, 0);
            }
            _ => {}
        }
        at += 1;
    }
    hay.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The value after the first occurrence of `name` in `hay`.
    fn value(hay: &str, name: &str) -> Option<(String, Context)> {
        let start = hay.find(name)?;
        value_after_key(hay.as_bytes(), start, start + name.len()).map(|(s, e, c)| (hay[s..e].to_owned(), c))
    }

    #[test]
    fn strings_numbers_and_containers() {
        assert_eq!(
            value(r#"{"user":"bob","password": "p\"w d"}"#, "password"),
            Some((r#"p\"w d"#.into(), Context::JsonString))
        );
        assert_eq!(
            value(r#"{"pin_token":1234,"x":1}"#, "token"),
            Some(("1234".into(), Context::JsonValue))
        );
        assert_eq!(
            value(r#"{"cookie":{"a":"}","b":[1]},"x":1}"#, "cookie"),
            Some((r#"{"a":"}","b":[1]}"#.into(), Context::JsonValue))
        );
    }

    #[test]
    fn not_a_key_or_nothing_to_hide() {
        assert_eq!(value(r#"{"password":null}"#, "password"), None);
        assert_eq!(value(r#"{"password":""}"#, "password"), None);
        assert_eq!(value(r#"{"is_secret":true}"#, "secret"), None);
        assert_eq!(value(r#"{"msg":"password reset"}"#, "password"), None);
        assert_eq!(value(r#"{"tokens":"x"}"#, "token"), None);
        assert_eq!(value("password: x", "password"), None);
    }

    #[test]
    fn truncated_values_run_to_the_end() {
        assert_eq!(
            value(r#"{"secret":"abc"#, "secret"),
            Some(("abc".into(), Context::JsonString))
        );
    }

    #[test]
    fn lock_file_entries_of_packages_named_like_secrets() {
        // package-lock.json: a package called `cookie`, and version requirements.
        assert_eq!(value(r#"    "node_modules/cookie": {"#, "cookie"), None);
        assert_eq!(value(r#"    "cookie": "~0.7.1","#, "cookie"), None);
        assert_eq!(value(r#""cookie-signature": "1.0.6""#, "signature"), None);
        assert_eq!(value(r#""token": "^2.3.0-rc.1""#, "token"), None);
        assert_eq!(value(r#""cookie": {  "#, "cookie"), None);
        // Still secrets: a value that only starts like a version, a one-line object.
        assert_eq!(
            value(r#""token": "1.2.3.4.5.6""#, "token"),
            Some(("1.2.3.4.5.6".into(), Context::JsonString))
        );
        assert_eq!(
            value(r#""password": "v1.secret""#, "password"),
            Some(("v1.secret".into(), Context::JsonString))
        );
        assert_eq!(
            value(r#""cookie": {"sid": "abc"}"#, "cookie"),
            Some((r#"{"sid": "abc"}"#.into(), Context::JsonValue))
        );
    }

    #[test]
    fn escaped_json_inside_a_string() {
        let line = r#"{"body":"{\"api_key\":\"k\\\"ey-1\",\"n\":1}"}"#;
        assert_eq!(value(line, "api_key"), Some((r#"k\\\"ey-1"#.into(), Context::Text)));
    }
}
