//! Scanning a byte stream of any length in bounded memory: the stream is read in
//! chunks that overlap by more than the longest secret, the engine runs on each
//! chunk, and each match is located (line, column) and reported once.
//!
//! A file of any size, or a line of any length, costs one chunk plus the overlap
//! (4 MiB + about 64 KiB with the default rules). The overlap is derived from the
//! loaded rules: twice the widest match any rule can report
//! ([`RuleSet::max_span`]). A match whose secret starts in the second half of the
//! overlap is left to the next chunk, which sees it whole, with half an overlap
//! of context before it; one that starts earlier ends within this chunk.
//!
//! The first design named memmap2 for large files (docs/DESIGN.md, section 3, says
//! why not); hush reads them with `read()` into a reused chunk buffer instead. A
//! memory map of a file that another process truncates kills the scanner with
//! SIGBUS (no panic handler can catch it), and the pages of a mapped 300 MB file
//! count in the scanner's RSS; copying 4 MiB at a time costs about 0.1 s per GB and
//! keeps the memory bound exact.
//!
//! A binary (see [`crate::text`]) is scanned over its printable runs
//! ([`crate::strings`]), chunk by chunk like text, with the provider rules only
//! (`Matcher::set_providers_only`): a key next to a value means something in
//! text, not in the strings of a binary. Its findings carry their true byte
//! offset in the binary, and the line and column are counted in the binary's
//! bytes as for text (1 + the LF bytes before the secret; bytes since the last
//! one); the context is the run's text. Encoded runs are not decoded in
//! binaries. With `skip_binary` a binary is not scanned ([`StreamOutcome::Binary`]).

use std::io::{self, Read};

use hush_rules::decode::{drop_plain_repeats, superseded, DecodedMatch, Decoder, Encoding as Decoded, DEFAULT_DEPTH};
use hush_rules::{Match, Matcher, RuleSet};

use crate::strings::Strings;
use crate::text::{decode_utf16, sniff, Encoding, Utf16Reader};

/// Default chunk size: large enough that typical files are one read (4 MiB:
/// on the shared tree, 8 MiB held 6 MB more per scanning thread at the same
/// speed, 2026-12-07).
pub const DEFAULT_CHUNK: usize = 4 << 20;
/// The overlap between chunks for a rule set: twice its widest match, so that
/// half an overlap holds any match whole (see the module docs).
pub fn overlap_for(rules: &RuleSet) -> usize {
    2 * rules.max_span().max(1)
}
/// Bytes of the secret's line kept either side of it for the text report.
const CONTEXT: usize = 80;
/// Bytes of the secret's line searched either side of it for allow annotations.
const LINE_REACH: usize = 1024;

/// A match located in its stream, with the secret copied out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    pub rule: usize,
    pub secret: Vec<u8>,
    /// Byte offset of the secret in the (decoded) stream.
    pub offset: u64,
    /// 1-based line and column (in bytes) of the secret's first byte.
    pub line: u64,
    pub column: u64,
    /// 1-based line and column just past the secret's last byte.
    pub end_line: u64,
    pub end_column: u64,
    /// Up to 80 bytes of the line before and after the secret (lossy UTF-8).
    pub before: String,
    pub after: String,
    /// The whole regex match (the secret and its context).
    pub matched: Vec<u8>,
    /// The secret's first line (at most 1 KiB either side of the secret), for
    /// inline `hush:allow` annotations and line allowlists.
    pub line_text: Vec<u8>,
    /// The encodings undone to find the secret, outermost first (empty when it
    /// was found as it stands); the location is then that of the encoded bytes.
    pub decoded: Vec<Decoded>,
}

/// What a scanned stream was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Content {
    /// Text (ASCII, UTF-8 or other bytes), scanned with every rule.
    Text,
    /// UTF-16 text, decoded and scanned with every rule.
    Utf16,
    /// A binary, scanned over its printable runs with the provider rules.
    Binary,
}

/// What became of a stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StreamOutcome {
    /// Scanned this many bytes (after decoding; a binary's whole size).
    Scanned { bytes: u64, content: Content },
    /// A binary, not scanned (`skip_binary`).
    Binary,
}

/// Per-thread scanner of streams: owns the engine's scratch and the chunk buffer.
pub struct StreamScanner<'s> {
    matcher: Matcher<'s>,
    decoder: Decoder,
    buf: Vec<u8>,
    found: Vec<Match>,
    decoded: Vec<DecodedMatch>,
    strings: Strings,
    chunk: usize,
    overlap: usize,
    /// Skip binaries instead of scanning their printable runs.
    pub skip_binary: bool,
    /// How many times encoded runs are decoded and searched again (0: never;
    /// see `hush_rules::decode`).
    pub decode_depth: u32,
}

/// Where the current chunk sits in the stream, to turn buffer offsets into lines.
#[derive(Debug, Clone, Copy, Default)]
struct ChunkPosition {
    /// Stream offset of `buf[0]`.
    base: u64,
    /// Newlines before `base`.
    lines_before: u64,
    /// Stream offset just past the last newline before `base` (start of its line).
    line_start_before: u64,
}

impl<'s> StreamScanner<'s> {
    pub fn new(rules: &'s RuleSet) -> Self {
        Self::with_chunk(rules, DEFAULT_CHUNK)
    }

    /// A scanner with a custom chunk size (raised to twice the overlap when
    /// smaller, so that chunks advance).
    pub fn with_chunk(rules: &'s RuleSet, chunk: usize) -> Self {
        let overlap = overlap_for(rules);
        let chunk = chunk.max(2 * overlap);
        StreamScanner {
            matcher: Matcher::new(rules),
            decoder: Decoder::new(),
            buf: Vec::new(),
            found: Vec::new(),
            decoded: Vec::new(),
            strings: Strings::default(),
            chunk,
            overlap,
            skip_binary: false,
            decode_depth: DEFAULT_DEPTH,
        }
    }

    /// Scans everything `reader` yields, appending located matches to `out`.
    /// UTF-16 is decoded as it is read: any stream costs one chunk plus the
    /// overlap (and, for UTF-16, the undecoded first chunk).
    pub fn scan_reader<R: Read>(&mut self, mut reader: R, out: &mut Vec<Located>) -> io::Result<StreamOutcome> {
        self.buf.clear();
        let eof = fill(&mut reader, &mut self.buf, self.chunk)?;
        match sniff(&self.buf) {
            Encoding::Binary | Encoding::NulText if self.skip_binary => Ok(StreamOutcome::Binary),
            Encoding::Binary => {
                self.matcher.set_providers_only(true);
                let bytes = self.scan_chunks(&mut reader, eof, Content::Binary, out);
                self.matcher.set_providers_only(false);
                Ok(StreamOutcome::Scanned {
                    bytes: bytes?,
                    content: Content::Binary,
                })
            }
            encoding @ (Encoding::Utf16Le | Encoding::Utf16Be) => {
                let head = io::Cursor::new(std::mem::take(&mut self.buf));
                let mut decoded = Utf16Reader::new(head.chain(reader), encoding == Encoding::Utf16Le);
                let eof = fill(&mut decoded, &mut self.buf, self.chunk)?;
                let bytes = self.scan_chunks(&mut decoded, eof, Content::Utf16, out)?;
                Ok(StreamOutcome::Scanned {
                    bytes,
                    content: Content::Utf16,
                })
            }
            Encoding::Bytes | Encoding::NulText => {
                let bytes = self.scan_chunks(&mut reader, eof, Content::Text, out)?;
                Ok(StreamOutcome::Scanned {
                    bytes,
                    content: Content::Text,
                })
            }
        }
    }

    /// The chunk loop of [`StreamScanner::scan_reader`]: `buf` holds the first
    /// chunk (`eof` if it is the last). Returns the bytes scanned.
    fn scan_chunks<R: Read>(
        &mut self,
        reader: &mut R,
        mut eof: bool,
        content: Content,
        out: &mut Vec<Located>,
    ) -> io::Result<u64> {
        // A secret in a UTF-16LE run of a binary takes two bytes per character:
        // twice the overlap keeps half of it wider than any such secret.
        let overlap = if content == Content::Binary {
            2 * self.overlap
        } else {
            self.overlap
        };
        let chunk = self.chunk.max(2 * overlap);
        if !eof && self.buf.len() < chunk {
            eof = fill(reader, &mut self.buf, chunk)?;
        }
        let mut pos = ChunkPosition::default();
        let mut reported_upto = 0u64;
        loop {
            // Report secrets that start before the last half-overlap; the next chunk
            // starts a half-overlap earlier, so it sees their context too.
            let limit = if eof {
                u64::MAX
            } else {
                pos.base + (self.buf.len() - overlap / 2) as u64
            };
            if content == Content::Binary {
                self.find_in_strings(pos, reported_upto..limit, out);
            } else {
                self.find_in_text(pos, reported_upto..limit, out);
            }
            if eof {
                return Ok(pos.base + self.buf.len() as u64);
            }
            reported_upto = limit;
            let drop = self.buf.len() - overlap;
            let dropped = &self.buf[..drop];
            pos.lines_before += memchr::memchr_iter(b'\n', dropped).count() as u64;
            if let Some(nl) = memchr::memrchr(b'\n', dropped) {
                pos.line_start_before = pos.base + nl as u64 + 1;
            }
            pos.base += drop as u64;
            self.buf.drain(..drop);
            eof = fill(reader, &mut self.buf, chunk)?;
        }
    }

    /// Reports the matches in the chunk buffer (text) that start in `report`
    /// (stream offsets).
    fn find_in_text(&mut self, pos: ChunkPosition, report: std::ops::Range<u64>, out: &mut Vec<Located>) {
        self.found.clear();
        self.matcher.find(&self.buf, &mut self.found);
        self.find_decoded();
        drop_plain_repeats(&mut self.decoded, &self.found);
        self.found.sort_unstable_by_key(|m| m.secret.start);
        let mut lines = LineCursor::default();
        for m in &self.found {
            let at = pos.base + m.secret.start as u64;
            if report.contains(&at) && !superseded(m, &self.decoded) {
                out.push(locate(&self.buf, pos, m, &mut lines));
            }
        }
        for d in &self.decoded {
            let at = pos.base + d.input.start as u64;
            if report.contains(&at) {
                out.push(locate_decoded(&self.buf, pos, d, &mut lines));
            }
        }
    }

    /// Reports the matches in the printable runs of the chunk buffer (a
    /// binary) that start in `report` (stream offsets), at their bytes in the
    /// binary. The matcher runs only provider rules (the caller sets it).
    fn find_in_strings(&mut self, pos: ChunkPosition, report: std::ops::Range<u64>, out: &mut Vec<Located>) {
        self.strings.extract(&self.buf);
        self.found.clear();
        self.matcher.find(&self.strings.text, &mut self.found);
        self.found.sort_unstable_by_key(|m| m.secret.start);
        let (mut text_lines, mut lines) = (LineCursor::default(), LineCursor::default());
        for m in &self.found {
            let start = self.strings.source_of(m.secret.start);
            if !report.contains(&(pos.base + start as u64)) {
                continue;
            }
            let end = self.strings.source_end(m.secret.end).max(start);
            let mut located = locate(&self.strings.text, ChunkPosition::default(), m, &mut text_lines);
            located.offset = pos.base + start as u64;
            (located.line, located.column) = line_col(&self.buf, pos, start, &mut lines);
            (located.end_line, located.end_column) = line_col(&self.buf, pos, end, &mut lines);
            out.push(located);
        }
    }

    /// Scans an in-memory blob (a git object): binaries and UTF-16 as for
    /// files, without copying the blob into the chunk buffer.
    pub fn scan_blob(&mut self, bytes: &[u8], out: &mut Vec<Located>) -> StreamOutcome {
        match sniff(bytes) {
            Encoding::Binary | Encoding::NulText if self.skip_binary => StreamOutcome::Binary,
            Encoding::Binary => {
                // The chunk loop over an in-memory reader: the same runs,
                // offsets and bounded scratch as for a file.
                self.buf.clear();
                let mut reader = bytes;
                let scanned = fill(&mut reader, &mut self.buf, self.chunk).and_then(|eof| {
                    self.matcher.set_providers_only(true);
                    let scanned = self.scan_chunks(&mut reader, eof, Content::Binary, out);
                    self.matcher.set_providers_only(false);
                    scanned
                });
                StreamOutcome::Scanned {
                    bytes: scanned.unwrap_or(bytes.len() as u64),
                    content: Content::Binary,
                }
            }
            encoding @ (Encoding::Utf16Le | Encoding::Utf16Be) => {
                let decoded = decode_utf16(bytes, encoding == Encoding::Utf16Le);
                self.scan_bytes(&decoded, out);
                StreamOutcome::Scanned {
                    bytes: decoded.len() as u64,
                    content: Content::Utf16,
                }
            }
            Encoding::Bytes | Encoding::NulText => {
                self.scan_bytes(bytes, out);
                StreamOutcome::Scanned {
                    bytes: bytes.len() as u64,
                    content: Content::Text,
                }
            }
        }
    }

    /// The rule set this scanner runs.
    pub fn rules(&self) -> &'s RuleSet {
        self.matcher.rules()
    }

    /// Scans an in-memory blob in one piece.
    pub fn scan_bytes(&mut self, bytes: &[u8], out: &mut Vec<Located>) {
        self.found.clear();
        self.matcher.find(bytes, &mut self.found);
        self.decoded.clear();
        self.decoder
            .find(&mut self.matcher, bytes, self.decode_depth, &mut self.decoded);
        drop_plain_repeats(&mut self.decoded, &self.found);
        self.found.sort_unstable_by_key(|m| m.secret.start);
        let mut lines = LineCursor::default();
        for m in &self.found {
            if !superseded(m, &self.decoded) {
                out.push(locate(bytes, ChunkPosition::default(), m, &mut lines));
            }
        }
        for d in &self.decoded {
            out.push(locate_decoded(bytes, ChunkPosition::default(), d, &mut lines));
        }
    }

    /// The decode stage over the chunk buffer, into `self.decoded`.
    fn find_decoded(&mut self) {
        self.decoded.clear();
        self.decoder
            .find(&mut self.matcher, &self.buf, self.decode_depth, &mut self.decoded);
    }
}

/// Reads until `buf` holds `chunk` bytes or the stream ends; true at end of stream.
fn fill<R: Read>(reader: &mut R, buf: &mut Vec<u8>, chunk: usize) -> io::Result<bool> {
    let want = chunk.saturating_sub(buf.len()) as u64;
    let got = reader.by_ref().take(want).read_to_end(buf)? as u64;
    Ok(got < want)
}

/// Counts the lines before offsets of one buffer, moving from the last offset
/// asked for: the findings of a buffer are located in order, so counting costs
/// one pass over the buffer however many there are (counting from the start
/// for each made a file with thousands of tokens quadratic).
#[derive(Debug, Default)]
struct LineCursor {
    at: usize,
    newlines: u64,
}

impl LineCursor {
    /// Newlines in `buf[..at]`.
    fn newlines_before(&mut self, buf: &[u8], at: usize) -> u64 {
        if at >= self.at {
            self.newlines += memchr::memchr_iter(b'\n', &buf[self.at..at]).count() as u64;
        } else {
            self.newlines -= memchr::memchr_iter(b'\n', &buf[at..self.at]).count() as u64;
        }
        self.at = at;
        self.newlines
    }
}

/// Line and column of buffer offset `at`: (line, column), both 1-based.
fn line_col(buf: &[u8], pos: ChunkPosition, at: usize, lines: &mut LineCursor) -> (u64, u64) {
    let head = &buf[..at];
    let line = pos.lines_before + lines.newlines_before(buf, at) + 1;
    let line_start = memchr::memrchr(b'\n', head).map_or(pos.line_start_before, |nl| pos.base + nl as u64 + 1);
    (line, pos.base + at as u64 - line_start + 1)
}

fn locate(buf: &[u8], pos: ChunkPosition, m: &Match, lines: &mut LineCursor) -> Located {
    let mut located = locate_range(buf, pos, m.rule, m.secret.clone(), lines);
    located.matched = buf[m.span.clone()].to_vec();
    located
}

/// A match found in decoded text: located at the encoded bytes, with the
/// decoded secret and match.
fn locate_decoded(buf: &[u8], pos: ChunkPosition, d: &DecodedMatch, lines: &mut LineCursor) -> Located {
    let mut located = locate_range(buf, pos, d.rule, d.input.clone(), lines);
    located.secret.clone_from(&d.secret);
    located.matched.clone_from(&d.matched);
    located.decoded.clone_from(&d.encodings);
    located
}

/// A secret at `buf[secret]`, located: line, column, context and line text.
fn locate_range(
    buf: &[u8],
    pos: ChunkPosition,
    rule: usize,
    secret: std::ops::Range<usize>,
    lines: &mut LineCursor,
) -> Located {
    let (start, end) = (secret.start, secret.end);
    let (line, column) = line_col(buf, pos, start, lines);
    let (end_line, end_column) = line_col(buf, pos, end, lines);
    let before_floor = start.saturating_sub(CONTEXT);
    let before_from =
        memchr::memrchr(b'\n', &buf[before_floor..start]).map_or(before_floor, |nl| before_floor + nl + 1);
    let after_ceil = end.saturating_add(CONTEXT).min(buf.len());
    let after_to = memchr::memchr(b'\n', &buf[end..after_ceil]).map_or(after_ceil, |nl| end + nl);
    let line_floor = start.saturating_sub(LINE_REACH);
    let line_from = memchr::memrchr(b'\n', &buf[line_floor..start]).map_or(line_floor, |nl| line_floor + nl + 1);
    let line_ceil = start.saturating_add(LINE_REACH).min(buf.len());
    let line_to = memchr::memchr(b'\n', &buf[start..line_ceil]).map_or(line_ceil, |nl| start + nl);
    Located {
        rule,
        matched: Vec::new(),
        line_text: buf[line_from..line_to].to_vec(),
        secret: buf[start..end].to_vec(),
        offset: pos.base + start as u64,
        line,
        column,
        end_line,
        end_column,
        before: String::from_utf8_lossy(&buf[before_from..start])
            .trim_end_matches('\r')
            .to_owned(),
        after: String::from_utf8_lossy(&buf[end..after_to])
            .trim_end_matches('\r')
            .to_owned(),
        decoded: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hush_rules::load_pack;

    fn rules() -> RuleSet {
        let pack = r#"
[[rules]]
id = "tok"
name = "t"
keywords = ["tok_"]
regex = '(?P<secret>tok_[a-z0-9]{12})'
window_before = 4
window_after = 16
severity = "high"
confidence = "high"
remediation = "r"
"#;
        RuleSet::compile(load_pack("t.toml", pack).expect("parses")).expect("compiles")
    }

    /// Scans `input` with a tiny chunk so that every boundary case is exercised.
    fn scan_small(input: &[u8], chunk: usize) -> Vec<Located> {
        let set = rules();
        assert_eq!(
            overlap_for(&set),
            48,
            "windows of 4 and 16 bytes around a 4-byte keyword"
        );
        let mut s = StreamScanner::with_chunk(&set, chunk);
        let mut out = Vec::new();
        s.scan_reader(input, &mut out).expect("in-memory read");
        out
    }

    #[test]
    fn every_chunk_size_finds_each_secret_once_at_the_right_place() {
        let mut input = Vec::new();
        for i in 0..50 {
            input.extend_from_slice(format!("line {i} filler filler\n").as_bytes());
            if i % 7 == 3 {
                input.extend_from_slice(format!("  x = tok_k3j9q2m8v7{i:02}\n").as_bytes());
            }
        }
        let expected = scan_small(&input, 1 << 20);
        assert_eq!(expected.len(), 7);
        for chunk in [80, 97, 128, 200, 1000] {
            let got = scan_small(&input, chunk);
            assert_eq!(got, expected, "chunk {chunk}");
        }
        let text = String::from_utf8(input).expect("ascii");
        let first = &expected[0];
        let line_text = text.lines().nth(first.line as usize - 1).expect("line exists");
        assert_eq!(&line_text[first.column as usize - 1..][..16], "tok_k3j9q2m8v703");
        assert_eq!(first.before, "  x = ");
    }

    #[test]
    fn binaries_are_scanned_over_their_runs_or_skipped_and_utf16_decoded() {
        let set = rules();
        let mut s = StreamScanner::new(&set);
        let mut out = Vec::new();
        let mut bin = b"\x00\x01\x02\xff\xfe\n\x03".repeat(40);
        let at = bin.len() + 1;
        bin.extend_from_slice(b" tok_k3j9q2m8v7aa\x00\x01\x02");
        let outcome = s.scan_reader(&bin[..], &mut out).expect("read");
        assert!(matches!(
            outcome,
            StreamOutcome::Scanned {
                content: Content::Binary,
                ..
            }
        ));
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].secret, b"tok_k3j9q2m8v7aa");
        assert_eq!(out[0].offset, at as u64);
        // 40 LF bytes before it; the last one 2 bytes before the run.
        assert_eq!((out[0].line, out[0].column, out[0].end_column), (41, 3, 19));
        let mut blob = Vec::new();
        assert_eq!(s.scan_blob(&bin, &mut blob), outcome);
        assert_eq!(blob, out);
        s.skip_binary = true;
        out.clear();
        assert_eq!(s.scan_reader(&bin[..], &mut out).expect("read"), StreamOutcome::Binary);
        assert_eq!(s.scan_blob(&bin, &mut out), StreamOutcome::Binary);
        assert!(out.is_empty());
        let utf16: Vec<u8> = "a\ntok_k3j9q2m8v7aa\n"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        let outcome = s.scan_reader(&utf16[..], &mut out).expect("read");
        assert!(matches!(
            outcome,
            StreamOutcome::Scanned {
                content: Content::Utf16,
                ..
            }
        ));
        assert_eq!(out.len(), 1);
        assert_eq!((out[0].line, out[0].column), (2, 1));
    }

    /// A binary larger than a chunk: a token in a UTF-16LE run across a chunk
    /// boundary is found once, at its bytes.
    #[test]
    fn binary_runs_across_chunks_are_found_once() {
        let set = rules();
        let token = b"tok_k3j9q2m8v7bb";
        let wide: Vec<u8> = b"key: ".iter().chain(token).flat_map(|&b| [b, 0]).collect();
        for shift in (0..120).step_by(5) {
            let mut bin = vec![0x01u8; 150 + shift];
            bin[0] = 0; // a NUL in the first chunk: a binary
            let at = bin.len() + 10;
            bin.extend_from_slice(&wide);
            bin.extend(std::iter::repeat_n(0xffu8, 300));
            let mut s = StreamScanner::with_chunk(&set, 200);
            let mut out = Vec::new();
            s.scan_reader(&bin[..], &mut out).expect("read");
            assert_eq!(out.len(), 1, "shift {shift}");
            assert_eq!((out[0].secret.as_slice(), out[0].offset), (&token[..], at as u64));
            assert_eq!(out[0].end_column - out[0].column, 2 * token.len() as u64);
        }
    }

    /// Fuzzing regression: a UTF-16 stream was read whole into memory (and
    /// decoded into a second copy) before scanning, so stdin or a large file in
    /// UTF-16 cost memory in proportion to its size. It is now decoded as it is
    /// read and goes through the same chunks as any stream.
    #[test]
    fn utf16_streams_are_scanned_in_chunks_in_bounded_memory() {
        let mut text = String::new();
        for i in 0..2000 {
            text.push_str(&format!("line {i} filler filler filler\n"));
            if i % 97 == 3 {
                text.push_str(&format!("  x = tok_k3j9q2m8v7{:02}\n", i % 100));
            }
        }
        let input: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        let set = rules();
        let mut whole = Vec::new();
        let blob = StreamScanner::new(&set).scan_blob(&input, &mut whole);
        assert_eq!(whole.len(), 21);
        let chunk = 1000;
        let mut s = StreamScanner::with_chunk(&set, chunk);
        let mut out = Vec::new();
        let outcome = s.scan_reader(&input[..], &mut out).expect("in-memory read");
        assert_eq!(outcome, blob);
        assert!(matches!(
            outcome,
            StreamOutcome::Scanned {
                content: Content::Utf16,
                ..
            }
        ));
        assert_eq!(out, whole);
        assert!(
            s.buf.capacity() < input.len() / 8,
            "the chunk buffer grew to {} bytes for a {}-byte stream",
            s.buf.capacity(),
            input.len()
        );
    }

    /// The widest default rule's example, planted at every offset around a chunk
    /// boundary (each byte of the last 300 before it and the first 300 after),
    /// is found exactly once, whole, as in one chunk.
    #[test]
    fn the_widest_rule_is_found_across_chunk_boundaries() {
        let set = RuleSet::default_rules().expect("default rules");
        let widest = set
            .rules()
            .iter()
            .filter(|r| !r.spec.examples.is_empty())
            .max_by_key(|r| {
                let e = r.extent();
                e.before + e.after
            })
            .expect("rules");
        let example = widest.spec.examples[0].as_bytes();
        let mut whole = Vec::new();
        StreamScanner::new(&set).scan_bytes(example, &mut whole);
        let want: Vec<&[u8]> = whole.iter().map(|l| &l.secret[..]).collect();
        assert!(!want.is_empty(), "rule {} finds its example", widest.id);
        let overlap = overlap_for(&set);
        let chunk = 2 * overlap;
        for shift in (0..600).step_by(7) {
            let pad = chunk - 300 + shift - example.len().min(chunk - 300);
            let mut input = vec![b'.'; pad];
            input.push(b'\n');
            input.extend_from_slice(example);
            input.extend_from_slice(b"\n");
            input.extend(std::iter::repeat_n(b'.', chunk));
            let mut s = StreamScanner::with_chunk(&set, chunk);
            let mut out = Vec::new();
            s.scan_reader(&input[..], &mut out).expect("in-memory read");
            let got: Vec<&[u8]> = out.iter().map(|l| &l.secret[..]).collect();
            assert_eq!(got, want, "rule {} with its example at offset {}", widest.id, pad + 1);
        }
    }
}
