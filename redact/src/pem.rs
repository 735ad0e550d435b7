//! Private key blocks that arrive line by line: recognising a `-----BEGIN ...
//! PRIVATE KEY-----` line, deciding whether a following line can still belong to
//! the key (so that lines are held only while they look like key material), and
//! the fallback span from BEGIN to END when no rule named the block.

use std::sync::LazyLock;

use memchr::memmem::Finder;

/// Base64 characters a key body must hold before a block no rule matched is
/// redacted anyway (the engine's `pem` validator asks for the same).
const MIN_BODY: usize = 64;

/// Built once: these run on every line that holds a `-----BEGIN ` and on every
/// line held after one.
static BEGIN: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b"-----BEGIN "));
static END: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b"-----END "));
static DASHES: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b"-----"));
static PRIVATE_KEY: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b"PRIVATE KEY"));

/// Where a `-----BEGIN ... PRIVATE KEY...-----` marker starts in `line`, when the
/// line has no END marker after it (a one-line block is the engine's to find).
pub(crate) fn begin_marker(line: &[u8]) -> Option<usize> {
    let mut from = 0;
    while let Some(at) = BEGIN.find(&line[from..]).map(|p| from + p) {
        if let Some(end) = private_key_label_end(&line[at + 11..]) {
            let after = at + 11 + end;
            return end_marker(&line[after..]).is_none().then_some(at);
        }
        from = at + 11;
    }
    None
}

/// The range of an `-----END ... PRIVATE KEY...-----` marker in `line`.
pub(crate) fn end_marker(line: &[u8]) -> Option<(usize, usize)> {
    let mut from = 0;
    while let Some(at) = END.find(&line[from..]).map(|p| from + p) {
        if let Some(end) = private_key_label_end(&line[at + 9..]) {
            return Some((at, at + 9 + end));
        }
        from = at + 9;
    }
    None
}

/// For the text after `BEGIN `/`END `: the end of a label that names a private
/// key and closes with `-----` (`RSA PRIVATE KEY-----`, `PGP PRIVATE KEY BLOCK-----`).
fn private_key_label_end(rest: &[u8]) -> Option<usize> {
    let label_len = DASHES.find(&rest[..rest.len().min(64)])?;
    PRIVATE_KEY.find(&rest[..label_len])?;
    Some(label_len + 5)
}

/// Whether a line held after a BEGIN line can still be part of the key: blank, or
/// ending in at least 4 base64 characters (after any quotes, commas, `\n` escapes
/// or `+` of a string literal), possibly after a log prefix, or an OpenPGP armor
/// header (`Comment: Alice's key`). Headers such as
/// `Proc-Type: 4,ENCRYPTED` and `DEK-Info: AES-128-CBC,<hex>` end in base64 too.
pub(crate) fn plausible_body_line(line: &[u8]) -> bool {
    let mut text = line;
    loop {
        let trimmed = text
            .strip_suffix(b"\\n")
            .or_else(|| text.strip_suffix(b"\\r"))
            .or_else(|| match text.last() {
                Some(b' ' | b'\t' | b'\r' | b'"' | b'\'' | b',' | b'+' | b';' | b'\\') => Some(&text[..text.len() - 1]),
                _ => None,
            });
        match trimmed {
            Some(t) => text = t,
            None => break,
        }
    }
    if text.is_empty() || armor_header(text) {
        return true;
    }
    let tail = text.iter().rev().take_while(|b| is_base64(**b)).count();
    tail >= 4
}

/// An OpenPGP armor header line (`Comment: Alice's key`, `Version: GnuPG v2`,
/// RFC 4880 section 6.2): a name of letters and dashes, a colon and a space.
fn armor_header(line: &[u8]) -> bool {
    let name = line
        .iter()
        .take_while(|b| b.is_ascii_alphabetic() || **b == b'-')
        .count();
    name > 0 && line[name..].starts_with(b": ")
}

fn is_base64(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=')
}

/// For a complete held block: the range from the BEGIN marker to the end of the END
/// marker, when the key material between holds enough base64 to be a key.
pub(crate) fn block_span(block: &[u8]) -> Option<(usize, usize)> {
    let begin = begin_marker_any(block)?;
    let (end_at, end) = end_marker(&block[begin..]).map(|(s, e)| (begin + s, begin + e))?;
    let body = &block[begin..end_at];
    let body_start = memchr::memchr(b'\n', body).map_or(body.len(), |nl| nl + 1);
    let material = body[body_start..].iter().filter(|b| is_base64(**b)).count();
    (material >= MIN_BODY).then_some((begin, end))
}

/// The first BEGIN marker of a private key, whatever follows it.
fn begin_marker_any(block: &[u8]) -> Option<usize> {
    let mut from = 0;
    while let Some(at) = BEGIN.find(&block[from..]).map(|p| from + p) {
        if private_key_label_end(&block[at + 11..]).is_some() {
            return Some(at);
        }
        from = at + 11;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers() {
        assert_eq!(begin_marker(b"key: -----BEGIN RSA PRIVATE KEY-----"), Some(5));
        assert_eq!(begin_marker(b"-----BEGIN PGP PRIVATE KEY BLOCK-----"), Some(0));
        assert_eq!(begin_marker(b"-----BEGIN CERTIFICATE-----"), None);
        assert_eq!(
            begin_marker(b"\"-----BEGIN PRIVATE KEY-----\\nMIIE\\n-----END PRIVATE KEY-----\""),
            None,
            "a one-line block is not held"
        );
        assert_eq!(end_marker(b"  -----END EC PRIVATE KEY-----\r"), Some((2, 30)));
        assert_eq!(end_marker(b"-----END CERTIFICATE-----"), None);
    }

    #[test]
    fn body_lines() {
        assert!(plausible_body_line(
            b"MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7"
        ));
        assert!(plausible_body_line(b"  \"MIIEvQIBADANBgkq\\n\" +"));
        assert!(plausible_body_line(b"Proc-Type: 4,ENCRYPTED"));
        assert!(plausible_body_line(b""));
        assert!(plausible_body_line(b"2024-05-01T10:00:00Z app[1]: AB=="));
        assert!(!plausible_body_line(b"..."));
        assert!(!plausible_body_line(b"}"));
        assert!(!plausible_body_line(b"done."));
    }

    #[test]
    fn fallback_needs_key_material() {
        let body = "QUJD".repeat(20);
        let block = format!("x -----BEGIN PRIVATE KEY-----\n{body}\n-----END PRIVATE KEY----- y");
        let (s, e) = block_span(block.as_bytes()).expect("a block");
        assert_eq!(&block[s..e], &block[2..block.len() - 2]);
        let placeholder = "-----BEGIN PRIVATE KEY-----\n...\n-----END PRIVATE KEY-----";
        assert_eq!(block_span(placeholder.as_bytes()), None);
    }
}
