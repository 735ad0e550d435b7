//! Telling text from binary, and turning UTF-16 text into UTF-8 so that rules
//! written for ASCII tokens see it.

/// How many leading bytes decide whether a blob is binary (as git and ripgrep do).
pub const SNIFF_LEN: usize = 8192;

/// What the first bytes of a blob say about its encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// ASCII, UTF-8 or another byte-oriented text (invalid UTF-8 included).
    Bytes,
    Utf16Le,
    Utf16Be,
    /// A NUL in the first [`SNIFF_LEN`] bytes and not UTF-16.
    Binary,
}

/// Classifies a blob from its first bytes: a UTF-16 byte-order mark, or the
/// pattern of UTF-16 ASCII text without one (a NUL in every other byte), else a
/// NUL means binary.
pub fn sniff(head: &[u8]) -> Encoding {
    let head = &head[..head.len().min(SNIFF_LEN)];
    if head.starts_with(&[0xFF, 0xFE]) {
        return Encoding::Utf16Le;
    }
    if head.starts_with(&[0xFE, 0xFF]) {
        return Encoding::Utf16Be;
    }
    if memchr::memchr(0, head).is_none() {
        return Encoding::Bytes;
    }
    let pairs = head.len() / 2;
    if pairs >= 2 {
        let zero_at = |offset: usize| head.chunks_exact(2).filter(|p| p[offset] == 0).count();
        let (even, odd) = (zero_at(0), zero_at(1));
        // ASCII text in UTF-16LE has a zero high byte (odd offsets) in nearly every pair.
        if odd * 10 >= pairs * 9 && even * 10 <= pairs {
            return Encoding::Utf16Le;
        }
        if even * 10 >= pairs * 9 && odd * 10 <= pairs {
            return Encoding::Utf16Be;
        }
    }
    Encoding::Binary
}

/// Decodes UTF-16 (dropping a byte-order mark) into UTF-8; unpaired surrogates
/// become U+FFFD and an odd trailing byte is ignored.
pub fn decode_utf16(bytes: &[u8], little_endian: bool) -> Vec<u8> {
    let units = bytes.chunks_exact(2).map(|p| {
        if little_endian {
            u16::from_le_bytes([p[0], p[1]])
        } else {
            u16::from_be_bytes([p[0], p[1]])
        }
    });
    let mut out = String::with_capacity(bytes.len() / 2);
    for c in char::decode_utf16(units) {
        out.push(c.unwrap_or(char::REPLACEMENT_CHARACTER));
    }
    let text = out.strip_prefix('\u{FEFF}').map(str::to_owned).unwrap_or(out);
    text.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16(s: &str, le: bool, bom: bool) -> Vec<u8> {
        let mut out = Vec::new();
        if bom {
            out.extend_from_slice(if le { &[0xFF, 0xFE] } else { &[0xFE, 0xFF] });
        }
        for u in s.encode_utf16() {
            out.extend_from_slice(&if le { u.to_le_bytes() } else { u.to_be_bytes() });
        }
        out
    }

    #[test]
    fn sniffs_each_encoding() {
        assert_eq!(sniff(b"plain text\n"), Encoding::Bytes);
        assert_eq!(sniff(b"\xff\xfe\x00garbage"), Encoding::Utf16Le);
        assert_eq!(sniff(&utf16("token = abc", true, false)), Encoding::Utf16Le);
        assert_eq!(sniff(&utf16("token = abc", false, false)), Encoding::Utf16Be);
        assert_eq!(
            sniff(b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x03\x00>\x00"),
            Encoding::Binary
        );
        assert_eq!(sniff(b""), Encoding::Bytes);
    }

    #[test]
    fn decodes_with_and_without_bom() {
        assert_eq!(decode_utf16(&utf16("héllo", true, true), true), "héllo".as_bytes());
        assert_eq!(decode_utf16(&utf16("héllo", false, true), false), "héllo".as_bytes());
        assert_eq!(decode_utf16(&utf16("abc", true, false), true), b"abc");
    }
}
