//! Telling text from binary, and turning UTF-16 text into UTF-8 so that rules
//! written for ASCII tokens see it.
//!
//! A NUL byte alone does not make a binary: a log with NUL padding or a file
//! with one stray NUL is text. What decides is the rest of the bytes: a file
//! with a NUL in its first 8 KiB is text when, of its first 8 KiB of bytes that
//! are not NUL (NUL padding of any length skipped, within the first chunk read),
//! at most 1 in 32 ([`ODD_SHARE`]) is a byte text does not hold: a C0 control
//! other than tab, LF, VT, FF, CR and ESC, DEL, or a byte that is not UTF-8.
//! Executables, databases and compressed data hold far more (random bytes:
//! about 60 %); text, none or a few.

/// How many leading bytes decide whether a blob is binary (as git and ripgrep do).
pub const SNIFF_LEN: usize = 8192;

/// Text holds at most one byte in this many that text does not hold (see the
/// module docs).
pub const ODD_SHARE: usize = 32;

/// What the first bytes of a blob say about its encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// ASCII, UTF-8 or another byte-oriented text (invalid UTF-8 included).
    Bytes,
    /// Byte-oriented text that holds NUL bytes in its first [`SNIFF_LEN`] bytes
    /// (NUL padding, a stray NUL): scanned as text, skipped as a binary when
    /// binaries are skipped (as hush did before it told them apart).
    NulText,
    Utf16Le,
    Utf16Be,
    /// A NUL in the first [`SNIFF_LEN`] bytes, not UTF-16, and more bytes that
    /// text does not hold than [`ODD_SHARE`] allows.
    Binary,
}

/// Classifies a blob from its first bytes (`data`: as much of it as is at
/// hand, such as the first chunk read): a UTF-16 byte-order mark followed by a
/// body that reads as UTF-16 ([`plausible_utf16`]), or the pattern of UTF-16
/// ASCII text without one (a NUL in every other byte); else text, unless the
/// first [`SNIFF_LEN`] bytes hold a NUL and the bytes around it are those of a
/// binary (see the module docs). Two bytes alone decide nothing: ASCII text
/// that happens to start with `FF FE` is text.
pub fn sniff(data: &[u8]) -> Encoding {
    let head = &data[..data.len().min(SNIFF_LEN)];
    for (bom, little_endian) in [([0xFF, 0xFE], true), ([0xFE, 0xFF], false)] {
        if head.starts_with(&bom) && plausible_utf16(&head[2..], little_endian) {
            return if little_endian {
                Encoding::Utf16Le
            } else {
                Encoding::Utf16Be
            };
        }
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
    if looks_like_text(data) {
        Encoding::NulText
    } else {
        Encoding::Binary
    }
}

/// Whether the first [`SNIFF_LEN`] bytes of `data` that are not NUL hold at
/// most one in [`ODD_SHARE`] bytes that text does not (and there are some).
fn looks_like_text(data: &[u8]) -> bool {
    let (mut seen, mut odd) = (0usize, 0usize);
    let mut rest = data;
    while seen < SNIFF_LEN {
        let Some(start) = rest.iter().position(|&b| b != 0) else {
            break;
        };
        rest = &rest[start..];
        let len = memchr::memchr(0, rest).unwrap_or(rest.len()).min(SNIFF_LEN - seen);
        let (segment, tail) = rest.split_at(len);
        for chunk in segment.utf8_chunks() {
            odd += chunk.invalid().len();
            odd += chunk.valid().bytes().filter(|&b| odd_control(b)).count();
        }
        seen += len;
        rest = tail;
    }
    seen > 0 && odd * ODD_SHARE <= seen
}

/// A control byte that text does not hold (tab, LF, VT, FF, CR and ESC, for
/// coloured logs, are text).
fn odd_control(b: u8) -> bool {
    (b < 0x20 && !matches!(b, b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | 0x1b)) || b == 0x7f
}

/// Whether `body` (what follows a byte-order mark) reads as UTF-16 text. Real
/// UTF-16 text either holds ASCII characters (a zero high byte in their unit)
/// or non-ASCII ones (bytes of 0x80 and up, nearly always); byte text read as
/// UTF-16 has neither: its bytes are ASCII, or UTF-8 without NULs. The units
/// must also decode (no unpaired surrogate, but one cut by the end of the
/// head) and hold at most 1 % control characters other than tab, LF, FF, CR.
fn plausible_utf16(body: &[u8], little_endian: bool) -> bool {
    if body.len() < 2 {
        return true; // a mark alone: empty text either way
    }
    let high = usize::from(little_endian);
    let zero_high = body.chunks_exact(2).any(|unit| unit[high] == 0);
    let byte_text = body.is_ascii() || (memchr::memchr(0, body).is_none() && utf8_but_for_a_cut_end(body));
    if !zero_high && byte_text {
        return false;
    }
    let unit = |p: &[u8]| {
        if little_endian {
            u16::from_le_bytes([p[0], p[1]])
        } else {
            u16::from_be_bytes([p[0], p[1]])
        }
    };
    let mut units = &body[..body.len() & !1];
    if units.len() >= 2 && (0xD800..0xDC00).contains(&unit(&units[units.len() - 2..])) {
        units = &units[..units.len() - 2];
    }
    let (mut chars, mut controls) = (0usize, 0usize);
    for c in char::decode_utf16(units.chunks_exact(2).map(unit)) {
        let Ok(c) = c else { return false };
        chars += 1;
        controls += usize::from(c.is_control() && !matches!(c, '\t' | '\n' | '\x0c' | '\r'));
    }
    controls * 100 <= chars
}

/// Valid UTF-8, or valid but for a character cut by the end of `bytes`.
fn utf8_but_for_a_cut_end(bytes: &[u8]) -> bool {
    match std::str::from_utf8(bytes) {
        Ok(_) => true,
        Err(e) => e.error_len().is_none(),
    }
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

/// Raw bytes read at a time by [`Utf16Reader`].
const UTF16_READ: usize = 64 << 10;

/// Decodes a UTF-16 stream into UTF-8 as it is read, in bounded memory, with
/// the same output as [`decode_utf16`] on the whole stream whatever the read
/// sizes: a byte-order mark at the start is dropped, unpaired surrogates become
/// U+FFFD, an odd trailing byte is ignored.
pub struct Utf16Reader<R> {
    inner: R,
    little_endian: bool,
    /// Raw bytes not decoded yet: an odd byte, or a high surrogate that the next
    /// read may pair.
    raw: Vec<u8>,
    /// Decoded bytes not handed out yet, from `out_pos`.
    out: Vec<u8>,
    out_pos: usize,
    at_start: bool,
    eof: bool,
}

impl<R: std::io::Read> Utf16Reader<R> {
    pub fn new(inner: R, little_endian: bool) -> Self {
        Utf16Reader {
            inner,
            little_endian,
            raw: Vec::new(),
            out: Vec::new(),
            out_pos: 0,
            at_start: true,
            eof: false,
        }
    }

    /// Reads more raw bytes and decodes what can be decided; false at the end.
    fn refill(&mut self) -> std::io::Result<bool> {
        if self.eof {
            return Ok(false);
        }
        let kept = self.raw.len();
        self.raw.resize(kept + UTF16_READ, 0);
        let n = loop {
            match self.inner.read(&mut self.raw[kept..]) {
                Ok(n) => break n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => {
                    self.raw.truncate(kept);
                    return Err(e);
                }
            }
        };
        self.raw.truncate(kept + n);
        self.eof = n == 0;
        // Whole units only; at the end, an odd byte is dropped. Before it, a
        // trailing high surrogate waits for its pair.
        let mut take = self.raw.len() & !1;
        if !self.eof && take >= 2 {
            let last = [self.raw[take - 2], self.raw[take - 1]];
            let unit = if self.little_endian {
                u16::from_le_bytes(last)
            } else {
                u16::from_be_bytes(last)
            };
            if (0xD800..0xDC00).contains(&unit) {
                take -= 2;
            }
        }
        self.out.clear();
        self.out_pos = 0;
        if !self.at_start && self.raw.get(..2).is_some_and(|unit| is_bom(unit, self.little_endian)) {
            // decode_utf16 drops a U+FEFF first; only the stream's first is a mark.
            self.out.extend_from_slice("\u{FEFF}".as_bytes());
        }
        self.out
            .extend_from_slice(&decode_utf16(&self.raw[..take], self.little_endian));
        self.at_start &= take == 0;
        self.raw.drain(..take);
        if self.eof {
            self.raw.clear();
        }
        Ok(!self.out.is_empty() || !self.eof)
    }
}

fn is_bom(unit: &[u8], little_endian: bool) -> bool {
    unit == if little_endian { [0xFF, 0xFE] } else { [0xFE, 0xFF] }
}

impl<R: std::io::Read> std::io::Read for Utf16Reader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.out_pos == self.out.len() {
            if !self.refill()? {
                return Ok(0);
            }
        }
        let n = buf.len().min(self.out.len() - self.out_pos);
        buf[..n].copy_from_slice(&self.out[self.out_pos..self.out_pos + n]);
        self.out_pos += n;
        Ok(n)
    }
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
        assert_eq!(sniff(&utf16("token = abc", true, true)), Encoding::Utf16Le);
        assert_eq!(sniff(&utf16("token = abc", false, true)), Encoding::Utf16Be);
        assert_eq!(sniff(&utf16("token = abc", true, false)), Encoding::Utf16Le);
        assert_eq!(sniff(&utf16("token = abc", false, false)), Encoding::Utf16Be);
        assert_eq!(
            sniff(b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x03\x00>\x00"),
            Encoding::Binary
        );
        assert_eq!(sniff(b""), Encoding::Bytes);
    }

    #[test]
    fn a_byte_order_mark_needs_a_body_that_reads_as_utf16() {
        // Non-ASCII UTF-16 with a mark: no zero byte, but bytes of 0x80 and up.
        assert_eq!(sniff(&utf16("日本語のテキスト", true, true)), Encoding::Utf16Le);
        assert_eq!(sniff(&utf16("日本語のテキスト", false, true)), Encoding::Utf16Be);
        assert_eq!(sniff(&utf16("é", true, true)), Encoding::Utf16Le);
        assert_eq!(sniff(b"\xff\xfe"), Encoding::Utf16Le);
        // Byte text behind the same two bytes: ASCII, or UTF-8 without NULs.
        assert_eq!(sniff(b"\xff\xfetoken = ghp_abc\n"), Encoding::Bytes);
        assert_eq!(sniff(b"\xfe\xfftoken = ghp_abc\n"), Encoding::Bytes);
        assert_eq!(sniff(b"\xff\xfecaf\xc3\xa9 = 1\n"), Encoding::Bytes);
        // Units that do not decode, or control characters: not UTF-16 either.
        assert_eq!(sniff(b"\xff\xfe\x00\xdc\x00\x00garbage"), Encoding::Binary);
        assert_eq!(sniff(b"\xff\xfe\x01\x00\x02\x00\x03\x00\x04\x00"), Encoding::Binary);
        // A surrogate pair cut by the end of the head is not held against it.
        let mut cut = utf16("ab\u{1F600}", true, true);
        cut.truncate(cut.len() - 2);
        assert_eq!(sniff(&cut), Encoding::Utf16Le);
    }

    #[test]
    fn text_with_some_nuls_is_text_and_binaries_are_not() {
        let log = "2026-12-07 12:00:01 INFO started worker 3\n".repeat(40);
        let mut padded = log.as_bytes().to_vec();
        padded.extend(std::iter::repeat_n(0u8, 20_000));
        padded.extend_from_slice(log.as_bytes());
        assert_eq!(sniff(&padded), Encoding::NulText, "NUL padding in a log");
        let mut lead = vec![0u8; 100_000];
        lead.extend_from_slice(log.as_bytes());
        assert_eq!(sniff(&lead), Encoding::NulText, "a log truncated under its writer");
        let stray = format!("{}\0{}", &log[..500], &log[500..]);
        assert_eq!(sniff(stray.as_bytes()), Encoding::NulText, "one stray NUL");
        assert_eq!(sniff(&[0u8; 4096]), Encoding::Binary, "nothing but NULs");
        // Pseudo-random bytes (compressed or encrypted data) with a NUL.
        let mut x: u32 = 0x1234_5678;
        let random: Vec<u8> = (0..8192)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                x as u8
            })
            .collect();
        assert_eq!(sniff(&random), Encoding::Binary);
        // One odd byte in 32 is still text; a few more is not.
        let text = |odd: usize| {
            let mut t = vec![b'a'; 31 * 64];
            for i in 0..odd {
                t[i * 30] = 0x01;
            }
            t.push(0);
            t
        };
        assert_eq!(sniff(&text(62)), Encoding::NulText);
        assert_eq!(sniff(&text(64)), Encoding::Binary);
    }

    #[test]
    fn decodes_with_and_without_bom() {
        assert_eq!(decode_utf16(&utf16("héllo", true, true), true), "héllo".as_bytes());
        assert_eq!(decode_utf16(&utf16("héllo", false, true), false), "héllo".as_bytes());
        assert_eq!(decode_utf16(&utf16("abc", true, false), true), b"abc");
    }

    /// A reader that yields at most `step` bytes per read.
    struct Trickle<'a> {
        bytes: &'a [u8],
        step: usize,
    }

    impl std::io::Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = buf.len().min(self.step).min(self.bytes.len());
            buf[..n].copy_from_slice(&self.bytes[..n]);
            self.bytes = &self.bytes[n..];
            Ok(n)
        }
    }

    #[test]
    fn utf16_decodes_the_same_whatever_the_read_sizes() {
        use std::io::Read;
        let text = "\u{FEFF}a=1\n\u{1F600} x\u{FEFF}y 日本\n".repeat(3);
        for le in [true, false] {
            let mut input = utf16(&text, le, true);
            // A lone high surrogate, a lone low one, and an odd trailing byte.
            let lone: [u16; 3] = [0xD83D, 0x41, 0xDE00];
            for unit in lone {
                input.extend_from_slice(&if le { unit.to_le_bytes() } else { unit.to_be_bytes() });
            }
            input.push(0x41);
            let whole = decode_utf16(&input, le);
            for step in [1, 2, 3, 5, 64, 1 << 20] {
                let mut streamed = Vec::new();
                Utf16Reader::new(Trickle { bytes: &input, step }, le)
                    .read_to_end(&mut streamed)
                    .expect("in-memory reads");
                assert_eq!(
                    String::from_utf8_lossy(&streamed),
                    String::from_utf8_lossy(&whole),
                    "step {step}"
                );
            }
        }
    }
}
