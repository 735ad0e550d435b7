//! The engine on arbitrary bytes: the default rules through the [`Matcher`]
//! directly, through a [`StreamScanner`] in one piece, and
//! through a reader with the smallest chunk the rules allow (twice the overlap
//! they need, about 130 KiB: chunk boundaries are tested with planted secrets
//! in `src/stream.rs`, since fuzz inputs are shorter). Every match must lie inside its
//! haystack, with the secret inside the whole match. The streaming UTF-16
//! decoder must give what decoding the whole input gives, whatever the reads.

use std::io::Read;

use crate::rules;
use hush_rules::{Match, Matcher};
use hush_scanner::stream::StreamScanner;
use hush_scanner::text::{decode_utf16, Utf16Reader};

/// Runs the target on one input.
pub fn run(data: &[u8]) {
    let rules = rules();

    let mut matcher = Matcher::new(rules);
    let mut found: Vec<Match> = Vec::new();
    matcher.find(data, &mut found);
    for m in &found {
        assert!(m.rule < rules.len());
        assert!(
            m.span.start <= m.span.end && m.span.end <= data.len(),
            "span out of the haystack"
        );
        assert!(
            m.span.start <= m.secret.start && m.secret.start <= m.secret.end && m.secret.end <= m.span.end,
            "secret outside its match"
        );
    }

    // Without decoding, a scanner over the whole input finds what the matcher
    // finds; with it (the default), decoded runs add matches or supersede
    // plain ones, and only their positions are checked.
    let mut whole = StreamScanner::new(rules);
    whole.decode_depth = 0;
    let mut located = Vec::new();
    whole.scan_bytes(data, &mut located);
    assert_eq!(located.len(), found.len());
    let mut decoding = StreamScanner::new(rules);
    let mut decoded = Vec::new();
    decoding.scan_bytes(data, &mut decoded);
    for l in &decoded {
        assert!(l.line >= 1 && l.column >= 1);
        assert!(
            (l.end_line, l.end_column) >= (l.line, l.column),
            "a decoded secret ends before it starts"
        );
    }

    // The file path: binary sniffing, UTF-16 decoding, chunks and overlaps.
    let Some((&knob, rest)) = data.split_first() else {
        return;
    };
    let chunk = 64 + usize::from(knob) * 4;
    for skip_binary in [true, false] {
        let mut small = StreamScanner::with_chunk(rules, chunk);
        small.skip_binary = skip_binary;
        let mut out = Vec::new();
        small.scan_reader(rest, &mut out).expect("in-memory reads do not fail");
        for l in &out {
            assert!(l.line >= 1 && l.column >= 1);
            assert!(
                (l.end_line, l.end_column) >= (l.line, l.column),
                "a secret ends before it starts"
            );
        }
    }

    // UTF-16 decoded as a stream, in reads of 1 to 8 bytes, is decoded as the
    // whole input is.
    let little_endian = knob & 0x80 == 0;
    let mut streamed = Vec::new();
    let trickle = Trickle {
        bytes: rest,
        step: 1 + usize::from(knob % 8),
    };
    Utf16Reader::new(trickle, little_endian)
        .read_to_end(&mut streamed)
        .expect("in-memory reads do not fail");
    assert!(
        streamed == decode_utf16(rest, little_endian),
        "streamed UTF-16 decodes differently"
    );
}

/// A reader that yields at most `step` bytes per read.
struct Trickle<'a> {
    bytes: &'a [u8],
    step: usize,
}

impl Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = buf.len().min(self.step).min(self.bytes.len());
        buf[..n].copy_from_slice(&self.bytes[..n]);
        self.bytes = &self.bytes[n..];
        Ok(n)
    }
}
