//! The decode stage: secrets stored or logged encoded — base64 (a Kubernetes
//! `Secret`, a docker `auth`, a `Basic` header), hex, percent-encoding (`p%40ss`
//! in a URL), backslash escapes (`\u0067hp_…` in minified JavaScript, a private
//! key JSON-escaped onto one line) and HTML entities — are decoded in place and
//! the rules run again on the result.
//!
//! Each line of a haystack that holds an encoded run is copied with its runs
//! decoded where they stand, so a value that is only partly escaped is whole
//! again and keeps its keyword context; a [`DecodedText`] remembers which input
//! bytes each piece of its text came from. A match is reported only if it
//! touches a decoded piece: its secret (reported at the input bytes of the
//! encoded secret, with the chain of encodings undone, outermost first), or
//! only its context (`{\"apiKey\":\"…\"}`: the secret is reported as it
//! stands, unless the plain search reported it already, see
//! [`drop_plain_repeats`]). Decoded text is decoded again up to the depth asked
//! for; a pass that decodes nothing stops early.
//!
//! What is decoded, and what is not:
//! - **base64** (standard or URL-safe, padded or not): runs of at least
//!   [`MIN_BASE64`] characters of the alphabet whose decoding is text (valid
//!   UTF-8, at least [`MIN_TEXT_SHARE`] printable): identifiers, hashes, images
//!   and fonts decode to binary and are left alone;
//! - **hex**: runs of at least [`MIN_HEX`] hex digits, even length, decoding to
//!   text as above (so digests stay quiet);
//! - **percent**: each `%XX`;
//! - **escapes**: `\uXXXX`, `\xNN`, and `\n \r \t \" \' \/ \\` where a line holds
//!   at least [`MIN_SIMPLE_ESCAPES`] of them (one `\n` in a format string is not
//!   worth a second search; a key escaped onto one line has dozens);
//! - **HTML**: `&#NN;`, `&#xHH;`, `&quot; &amp; &lt; &gt; &apos;`.
//!
//! Cost is bounded: one pass over the haystack finds candidates, only lines
//! holding a decoded run are searched again, a line longer than
//! [`MAX_LINE`] is not decoded, and the decoded bytes of one haystack are at
//! most [`MAX_DECODED_SHARE`] times its size. Memory is bounded too: each
//! decoded line is searched and dropped before the next is made.

use std::ops::Range;

use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::DecodePaddingMode;
use base64::Engine as _;

use crate::matcher::{Match, Matcher};

mod runs;

/// Shortest base64 run decoded (16 bytes of data, a short password's size).
pub const MIN_BASE64: usize = 20;
/// Shortest hex run decoded.
pub const MIN_HEX: usize = 32;
/// Simple escapes (`\n`, `\"`…) a line needs before they are decoded.
pub const MIN_SIMPLE_ESCAPES: usize = 3;
/// A decoded run must be at least this share printable to count as text.
pub const MIN_TEXT_SHARE: f64 = 0.95;
/// Lines longer than this are not decoded (minified bundles are searched plain).
pub const MAX_LINE: usize = 64 << 10;
/// Decoded bytes of one haystack, as a multiple of its size.
pub const MAX_DECODED_SHARE: usize = 4;
/// Default decoding depth (`--max-decode-depth`).
pub const DEFAULT_DEPTH: u32 = 2;

/// An encoding the decode stage undoes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Encoding {
    Base64,
    Hex,
    Percent,
    Escape,
    Html,
}

impl Encoding {
    /// The name reports use (`"base64"`).
    pub fn as_str(self) -> &'static str {
        match self {
            Encoding::Base64 => "base64",
            Encoding::Hex => "hex",
            Encoding::Percent => "percent",
            Encoding::Escape => "escape",
            Encoding::Html => "html",
        }
    }
}

impl std::fmt::Display for Encoding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

/// A piece of a decoded text: its bytes `text` stand for the input's bytes
/// `input`, decoded from `encoding` (none: copied as they were).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Piece {
    text: Range<usize>,
    input: Range<usize>,
    encoding: Option<Encoding>,
}

/// A stretch of input (one line) with its encoded runs decoded in place.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DecodedText {
    pub text: Vec<u8>,
    pieces: Vec<Piece>,
}

impl DecodedText {
    /// The input bytes behind `range` of the text, and the encodings of the
    /// decoded pieces it touches (none: the input held it as it stands).
    pub fn input_of(&self, range: Range<usize>) -> (Range<usize>, Vec<Encoding>) {
        let first = self.pieces.partition_point(|p| p.text.end <= range.start);
        let mut encodings = Vec::new();
        let mut start = None;
        let mut end = 0;
        for piece in &self.pieces[first..] {
            if piece.text.start >= range.end.max(range.start + 1) {
                break;
            }
            let (from, to) = match piece.encoding {
                // Copied bytes map one to one.
                None => {
                    let offset =
                        |at: usize| piece.input.start + (at.clamp(piece.text.start, piece.text.end) - piece.text.start);
                    (offset(range.start), offset(range.end))
                }
                // A decoded run maps to the whole run.
                Some(encoding) => {
                    if !encodings.contains(&encoding) {
                        encodings.push(encoding);
                    }
                    (piece.input.start, piece.input.end)
                }
            };
            start.get_or_insert(from);
            end = to;
        }
        (start.unwrap_or(0)..end, encodings)
    }
}

/// A match found in decoded text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodedMatch {
    pub rule: usize,
    /// The decoded secret.
    pub secret: Vec<u8>,
    /// The decoded match (secret and context).
    pub matched: Vec<u8>,
    /// The input bytes of the encoded secret.
    pub input: Range<usize>,
    /// Encodings undone, outermost first.
    pub encodings: Vec<Encoding>,
}

/// Whether the same rule also matched `m`'s bytes once decoded: the decoded
/// secret is the credential (`p%40ss` is the password `p@ss`), so the plain
/// match of the encoded form is not reported beside it.
pub fn superseded(m: &Match, decoded: &[DecodedMatch]) -> bool {
    decoded
        .iter()
        .any(|d| d.rule == m.rule && d.input.start < m.secret.end && m.secret.start < d.input.end)
}

/// Drops the decoded matches that only repeat a plain one: a secret that was
/// not itself encoded (its context was) and that the plain search already
/// reported, by any rule. Call before [`superseded`].
pub fn drop_plain_repeats(decoded: &mut Vec<DecodedMatch>, plain: &[Match]) {
    decoded.retain(|d| {
        !d.encodings.is_empty()
            || !plain
                .iter()
                .any(|m| m.secret.start < d.input.end && d.input.start < m.secret.end)
    });
}

/// Per-thread scratch of the decode stage.
#[derive(Debug, Default)]
pub struct Decoder {
    runs: Vec<Run>,
    /// Runs of the haystack that decode to binary holding printable text.
    binary: Vec<Run>,
    found: Vec<Match>,
    scratch: Vec<u8>,
}

/// An encoded run: its bytes in the haystack and what they decode to.
#[derive(Debug, Clone)]
struct Run {
    input: Range<usize>,
    decoded: Bytes,
    encoding: Encoding,
}

/// Decoded bytes: an escape's few inline (no allocation per escape), a run's
/// on the heap.
#[derive(Debug, Clone)]
enum Bytes {
    Inline([u8; 4], u8),
    Heap(Vec<u8>),
}

impl Bytes {
    fn as_slice(&self) -> &[u8] {
        match self {
            Bytes::Inline(bytes, len) => &bytes[..usize::from(*len)],
            Bytes::Heap(bytes) => bytes,
        }
    }

    fn inline(text: &[u8]) -> Bytes {
        let mut bytes = [0u8; 4];
        bytes[..text.len()].copy_from_slice(text);
        Bytes::Inline(bytes, text.len() as u8)
    }
}

impl Decoder {
    pub fn new() -> Self {
        Self::default()
    }

    /// Finds what the rules match in `hay` once its encoded runs are decoded,
    /// decoding again up to `depth` times; appends to `out`, each match once.
    pub fn find(&mut self, matcher: &mut Matcher, hay: &[u8], depth: u32, out: &mut Vec<DecodedMatch>) {
        if depth == 0 {
            return;
        }
        let mut budget = hay.len().saturating_mul(MAX_DECODED_SHARE);
        self.runs.clear();
        find_runs(hay, &mut self.runs, &mut self.binary, &mut self.scratch);
        self.search_binary(matcher, out);
        // Line by line: each decoded line is searched (and decoded further)
        // and dropped before the next is made, so the stage holds one line's
        // text at a time, not every decoded line of a chunk.
        let runs = std::mem::take(&mut self.runs);
        for (line, group) in lines_with_runs(hay, &runs) {
            if budget == 0 {
                break;
            }
            if line.len() <= MAX_LINE {
                let text = substitute(hay, line, &runs[group]);
                budget = budget.saturating_sub(text.text.len());
                self.search(matcher, &text, depth - 1, &mut budget, &[], out);
            }
        }
        self.runs = runs;
        self.runs.clear();
        out.sort_by(|a, b| (a.input.start, a.rule, &a.secret).cmp(&(b.input.start, b.rule, &b.secret)));
        out.dedup_by(|a, b| a.rule == b.rule && a.secret == b.secret && a.input == b.input);
    }

    /// The haystack's runs that decode to binary (a serialized message, a
    /// keystore, compressed data that happens to hold a token): only the rules
    /// of providers whose case-exact prefix starts their token (`ghp_`,
    /// `AKIA`, `xoxb-`) search them, since binary has no lines, assignments or
    /// keywords in context to judge a generic value by. Each is searched alone
    /// and reported at its whole encoded run.
    fn search_binary(&mut self, matcher: &mut Matcher, out: &mut Vec<DecodedMatch>) {
        let binary = std::mem::take(&mut self.binary);
        let mut found = std::mem::take(&mut self.found);
        for run in &binary {
            let bytes = run.decoded.as_slice();
            found.clear();
            matcher.find(bytes, &mut found);
            let rules = matcher.rules();
            for m in found.iter().filter(|m| prefixed_provider(rules.rule(m.rule))) {
                out.push(DecodedMatch {
                    rule: m.rule,
                    secret: bytes[m.secret.clone()].to_vec(),
                    matched: bytes[m.span.clone()].to_vec(),
                    input: run.input.clone(),
                    encodings: vec![run.encoding],
                });
            }
        }
        self.found = found;
        self.binary = binary;
    }

    /// Where the encoded runs of `hay` that decode start (sorted): the lines a
    /// caller that skips lines without a keyword (the redactor) must search
    /// with [`Decoder::find`] all the same.
    pub fn run_starts(&mut self, hay: &[u8], out: &mut Vec<usize>) {
        out.clear();
        self.runs.clear();
        find_runs(hay, &mut self.runs, &mut self.binary, &mut self.scratch);
        out.extend(self.runs.iter().chain(&self.binary).map(|r| r.input.start));
        out.sort_unstable();
    }

    /// Searches one decoded text (and, while `depth` lasts, its own decoding);
    /// `outer` maps its input back through the texts it was decoded from,
    /// innermost last.
    fn search(
        &mut self,
        matcher: &mut Matcher,
        text: &DecodedText,
        depth: u32,
        budget: &mut usize,
        outer: &[&DecodedText],
        out: &mut Vec<DecodedMatch>,
    ) {
        let mut found = std::mem::take(&mut self.found);
        found.clear();
        matcher.find(&text.text, &mut found);
        for m in &found {
            let (mut input, mut encodings) = text.input_of(m.secret.clone());
            // A secret held as it stands is new only if decoding its context
            // made the match (`{\"apiKey\":\"…\"}`); otherwise the text this
            // one was decoded from held the whole match already.
            if encodings.is_empty() && text.input_of(m.span.clone()).1.is_empty() {
                continue;
            }
            // Back through the texts this one was decoded from, outermost last.
            for level in outer.iter().rev() {
                let (range, mut chain) = level.input_of(input);
                chain.extend(encodings);
                (input, encodings) = (range, chain);
            }
            out.push(DecodedMatch {
                rule: m.rule,
                secret: text.text[m.secret.clone()].to_vec(),
                matched: text.text[m.span.clone()].to_vec(),
                input,
                encodings,
            });
        }
        self.found = found;
        if depth == 0 {
            return;
        }
        let mut inner = Vec::new();
        self.decode_lines(&text.text, budget, &mut inner);
        let mut chain: Vec<&DecodedText> = outer.to_vec();
        chain.push(text);
        for deeper in &inner {
            self.search(matcher, deeper, depth - 1, budget, &chain, out);
        }
    }

    /// Every line of `hay` that holds an encoded run, decoded in place. The
    /// runs are found in one pass over the whole haystack; only the lines that
    /// hold one are looked at again.
    fn decode_lines(&mut self, hay: &[u8], budget: &mut usize, out: &mut Vec<DecodedText>) {
        self.runs.clear();
        find_runs(hay, &mut self.runs, &mut self.binary, &mut self.scratch);
        for (line, group) in lines_with_runs(hay, &self.runs) {
            if *budget == 0 {
                break;
            }
            if line.len() <= MAX_LINE {
                let text = substitute(hay, line, &self.runs[group]);
                *budget = budget.saturating_sub(text.text.len());
                out.push(text);
            }
        }
    }
}

/// The lines of `hay` that hold runs, in order: each line's bytes (without
/// its `\n`) and the range of `runs` (sorted by start) that lie in it.
fn lines_with_runs<'a>(hay: &'a [u8], runs: &'a [Run]) -> impl Iterator<Item = (Range<usize>, Range<usize>)> + 'a {
    let mut next = 0;
    std::iter::from_fn(move || {
        let run = runs.get(next)?;
        let (start, end) = line_around(hay, run.input.start);
        let first = next;
        next += runs[next..].partition_point(|r| r.input.start < end);
        Some((start..end, first..next))
    })
}

/// The line holding byte `at` of `hay`: (start, end), without its `\n`.
fn line_around(hay: &[u8], at: usize) -> (usize, usize) {
    let start = memchr::memrchr(b'\n', &hay[..at]).map_or(0, |nl| nl + 1);
    let end = memchr::memchr(b'\n', &hay[at..]).map_or(hay.len(), |nl| at + nl);
    (start, end)
}

/// The line `line` of `hay` with `runs` (sorted, disjoint) decoded in place.
fn substitute(hay: &[u8], line: Range<usize>, runs: &[Run]) -> DecodedText {
    let mut text = Vec::with_capacity(line.len());
    let mut pieces = Vec::with_capacity(2 * runs.len() + 1);
    let mut at = line.start;
    for run in runs {
        if run.input.start > at {
            let from = text.len();
            text.extend_from_slice(&hay[at..run.input.start]);
            pieces.push(Piece {
                text: from..text.len(),
                input: at..run.input.start,
                encoding: None,
            });
        }
        let from = text.len();
        text.extend_from_slice(run.decoded.as_slice());
        pieces.push(Piece {
            text: from..text.len(),
            input: run.input.clone(),
            encoding: Some(run.encoding),
        });
        at = run.input.end;
    }
    if at < line.end {
        let from = text.len();
        text.extend_from_slice(&hay[at..line.end]);
        pieces.push(Piece {
            text: from..text.len(),
            input: at..line.end,
            encoding: None,
        });
    }
    DecodedText { text, pieces }
}

/// Finds the encoded runs of `hay`, sorted and disjoint, with what each
/// decodes to.
/// Finds the encoded runs of `hay` that decode to text, sorted and disjoint,
/// with what each decodes to, into `runs`; and the base64 or hex runs that
/// decode to binary holding a printable stretch a token could be, into `binary`.
fn find_runs(hay: &[u8], runs: &mut Vec<Run>, binary: &mut Vec<Run>, scratch: &mut Vec<u8>) {
    binary.clear();
    find_alphabet_runs(hay, runs, binary, scratch);
    find_escapes(hay, runs);
    runs.sort_by_key(|r| r.input.start);
    // Escapes inside a base64 run (a `%2B` is not base64): keep the first.
    let mut end = 0;
    runs.retain(|r| {
        let keep = r.input.start >= end;
        if keep {
            end = r.input.end;
        }
        keep
    });
}

/// Base64 and hex runs (a run never holds a line break).
fn find_alphabet_runs(line: &[u8], runs: &mut Vec<Run>, binary: &mut Vec<Run>, scratch: &mut Vec<u8>) {
    let mut i = 0;
    while i < line.len() {
        // Skip to the next run long enough to decode: the byte MIN_BASE64 - 1
        // ahead must be in the alphabet, and nothing between.
        let Some(start) = runs::next_long_run(line, i, MIN_BASE64) else {
            return;
        };
        let end = runs::run_end(line, start);
        // Padding belongs to the run.
        let mut padded = end;
        while padded < line.len() && padded - end < 2 && line[padded] == b'=' {
            padded += 1;
        }
        let run = &line[start..end];
        let url_safe = memchr::memchr2(b'-', b'_', run).is_some();
        let encoding = if run.len() >= MIN_HEX && run.iter().all(u8::is_ascii_hexdigit) {
            // Only hex digits: hex if even, else not a run worth decoding.
            (run.len().is_multiple_of(2) && decode_hex(run, scratch)).then_some(Encoding::Hex)
        } else if !(url_safe && memchr::memchr2(b'+', b'/', run).is_some()) {
            decode_base64(run, url_safe, scratch).then_some(Encoding::Base64)
        } else {
            None
        };
        if let Some(encoding) = encoding {
            let to = if is_text(scratch) {
                Some(&mut *runs)
            } else if scratch.len() <= MAX_BINARY && printable_stretch(scratch) {
                Some(&mut *binary)
            } else {
                None
            };
            if let Some(to) = to {
                to.push(Run {
                    input: start..padded,
                    decoded: Bytes::Heap(scratch.clone()),
                    encoding,
                });
            }
        }
        i = padded.max(end);
    }
}

/// Decodes hex digits into `out`; false if one is not a hex digit.
fn decode_hex(run: &[u8], out: &mut Vec<u8>) -> bool {
    out.clear();
    let value = |c: u8| (c as char).to_digit(16);
    for pair in run.chunks_exact(2) {
        let (Some(high), Some(low)) = (value(pair[0]), value(pair[1])) else {
            return false;
        };
        out.push((high * 16 + low) as u8);
    }
    true
}

/// Decodes base64 into `out`; false if it is not base64.
fn decode_base64(run: &[u8], url_safe: bool, out: &mut Vec<u8>) -> bool {
    const CONFIG: GeneralPurposeConfig = GeneralPurposeConfig::new()
        .with_encode_padding(false)
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true);
    const STANDARD_ENGINE: GeneralPurpose = GeneralPurpose::new(&base64::alphabet::STANDARD, CONFIG);
    const URL_ENGINE: GeneralPurpose = GeneralPurpose::new(&base64::alphabet::URL_SAFE, CONFIG);
    // A run of 4n+1 characters holds one that is not base64 data: drop it.
    let usable = if run.len() % 4 == 1 { &run[..run.len() - 1] } else { run };
    out.clear();
    let engine = if url_safe { &URL_ENGINE } else { &STANDARD_ENGINE };
    engine.decode_vec(usable, out).is_ok()
}

/// The most decoded binary of one run that is searched: a serialized message
/// or a keystore is smaller; a font, an image or an archive in base64 is
/// larger, and searching those cost a quarter of the decode stage's time on
/// the benchmark tree while finding nothing.
pub const MAX_BINARY: usize = 16 << 10;

/// The shortest printable stretch in decoded binary worth searching: no
/// prefixed token is shorter (random bytes hold one once in a few thousand).
const MIN_PRINTABLE_STRETCH: usize = 16;

/// Whether decoded binary holds [`MIN_PRINTABLE_STRETCH`] printable ASCII bytes
/// in a row.
fn printable_stretch(bytes: &[u8]) -> bool {
    let printable = |b: u8| (0x21..0x7f).contains(&b);
    // Every stretch of MIN_PRINTABLE_STRETCH bytes holds a byte at a multiple
    // of that length past its start's block: look around those bytes only.
    let n = MIN_PRINTABLE_STRETCH;
    let mut probe = n - 1;
    while probe < bytes.len() {
        if printable(bytes[probe]) {
            let back = bytes[..probe].iter().rev().take_while(|&&b| printable(b)).count();
            let ahead = bytes[probe + 1..].iter().take_while(|&&b| printable(b)).count();
            if back + 1 + ahead >= n {
                return true;
            }
            // No stretch holds this probe; the next one that could begins
            // after the break that ended it.
            probe += ahead + n;
        } else {
            probe += n;
        }
    }
    false
}

/// A provider rule whose keyword is a case-exact prefix of its token: the only
/// rules that search decoded binary.
fn prefixed_provider(rule: &crate::compile::Rule) -> bool {
    rule.rank == crate::compile::Rank::Provider && rule.spec.keyword_case == crate::spec::KeywordCase::Exact
}

/// Whether decoded bytes are text: valid UTF-8, mostly printable, not empty.
fn is_text(bytes: &[u8]) -> bool {
    if bytes.len() < 4 {
        return false;
    }
    let Ok(text) = std::str::from_utf8(bytes) else {
        return false;
    };
    let total = text.chars().count();
    let printable = text
        .chars()
        .filter(|c| !c.is_control() || matches!(c, '\n' | '\r' | '\t'))
        .count();
    printable as f64 >= MIN_TEXT_SHARE * total as f64
}

/// `%XX`, backslash escapes and HTML entities, one run each. Simple escapes
/// (`\n`, `\"`…) count only on lines holding at least [`MIN_SIMPLE_ESCAPES`].
fn find_escapes(hay: &[u8], runs: &mut Vec<Run>) {
    // Simple escapes of the current line, not yet known to be enough.
    let mut line_end = 0;
    let mut pending: Vec<Run> = Vec::new();
    let mut escaped_to = 0;
    for at in memchr::memchr3_iter(b'%', b'\\', b'&', hay) {
        if at < escaped_to {
            continue; // inside the previous escape (`\\u0067`)
        }
        let rest = &hay[at..];
        let found = match rest[0] {
            b'%' => percent(rest),
            b'\\' => backslash(rest),
            _ => entity(rest),
        };
        let Some((len, decoded, simple)) = found else {
            continue;
        };
        escaped_to = at + len;
        let encoding = match rest[0] {
            b'%' => Encoding::Percent,
            b'\\' => Encoding::Escape,
            _ => Encoding::Html,
        };
        let run = Run {
            input: at..at + len,
            decoded,
            encoding,
        };
        if !simple {
            runs.push(run);
            continue;
        }
        if at >= line_end {
            if pending.len() >= MIN_SIMPLE_ESCAPES {
                runs.append(&mut pending);
            }
            pending.clear();
            line_end = memchr::memchr(b'\n', &hay[at..]).map_or(hay.len(), |nl| at + nl);
        }
        pending.push(run);
    }
    if pending.len() >= MIN_SIMPLE_ESCAPES {
        runs.append(&mut pending);
    }
}

/// An escape's length, what it decodes to, and whether it is a simple one.
type Escape = (usize, Bytes, bool);

fn hex_value(bytes: &[u8]) -> Option<u32> {
    if bytes.is_empty() || bytes.len() > 6 || !bytes.iter().all(u8::is_ascii_hexdigit) {
        return None;
    }
    bytes
        .iter()
        .try_fold(0u32, |value, &b| Some(value * 16 + (b as char).to_digit(16)?))
}

fn char_bytes(c: char) -> Bytes {
    let mut buf = [0u8; 4];
    Bytes::inline(c.encode_utf8(&mut buf).as_bytes())
}

fn percent(rest: &[u8]) -> Option<Escape> {
    let value = hex_value(rest.get(1..3)?)?;
    Some((3, Bytes::inline(&[value as u8]), false))
}

fn backslash(rest: &[u8]) -> Option<Escape> {
    let simple = |c: u8| Some((2, Bytes::inline(&[c]), true));
    match *rest.get(1)? {
        b'n' => simple(b'\n'),
        b'r' => simple(b'\r'),
        b't' => simple(b'\t'),
        b'"' => simple(b'"'),
        b'\'' => simple(b'\''),
        b'/' => simple(b'/'),
        b'\\' => simple(b'\\'),
        b'u' => {
            let c = char::from_u32(hex_value(rest.get(2..6)?)?)?;
            Some((6, char_bytes(c), false))
        }
        b'x' => {
            let value = hex_value(rest.get(2..4)?)?;
            Some((4, Bytes::inline(&[value as u8]), false))
        }
        _ => None,
    }
}

fn entity(rest: &[u8]) -> Option<Escape> {
    // Most `&` are operators: only `&#` and the five named entities count.
    if !matches!(rest.get(1), Some(b'#' | b'q' | b'a' | b'l' | b'g')) {
        return None;
    }
    let end = memchr::memchr(b';', &rest[..rest.len().min(10)])?;
    let body = &rest[1..end];
    let decoded = match body {
        b"quot" => Bytes::inline(b"\""),
        b"amp" => Bytes::inline(b"&"),
        b"lt" => Bytes::inline(b"<"),
        b"gt" => Bytes::inline(b">"),
        b"apos" => Bytes::inline(b"'"),
        _ => {
            let code = match body {
                [b'#', b'x' | b'X', hex @ ..] => hex_value(hex)?,
                [b'#', digits @ ..]
                    if !digits.is_empty() && digits.len() <= 7 && digits.iter().all(u8::is_ascii_digit) =>
                {
                    std::str::from_utf8(digits).ok()?.parse().ok()?
                }
                _ => return None,
            };
            char_bytes(char::from_u32(code)?)
        }
    };
    Some((end + 1, decoded, false))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_probing_stretch_check_agrees_with_a_byte_walk() {
        let walk = |bytes: &[u8]| {
            let mut run = 0;
            bytes.iter().any(|&b| {
                run = if (0x21..0x7f).contains(&b) { run + 1 } else { 0 };
                run >= MIN_PRINTABLE_STRETCH
            })
        };
        let mut seed = 7u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let (mut found, mut total) = (0, 0);
        for _ in 0..20_000 {
            let len = (next() % 120) as usize;
            // Mostly printable, so stretches of every length occur.
            let bytes: Vec<u8> = (0..len)
                .map(|_| {
                    if next() % 9 == 0 {
                        b' '
                    } else {
                        b'!' + (next() % 90) as u8
                    }
                })
                .collect();
            assert_eq!(printable_stretch(&bytes), walk(&bytes), "{bytes:?}");
            found += usize::from(walk(&bytes));
            total += 1;
        }
        assert!(found > total / 10 && found < total * 9 / 10, "{found} of {total}");
    }

    fn runs_of(line: &str) -> Vec<(String, String, Encoding)> {
        let mut runs = Vec::new();
        find_runs(line.as_bytes(), &mut runs, &mut Vec::new(), &mut Vec::new());
        runs.iter()
            .map(|r| {
                (
                    line[r.input.clone()].to_owned(),
                    String::from_utf8_lossy(r.decoded.as_slice()).into_owned(),
                    r.encoding,
                )
            })
            .collect()
    }

    /// A setting line, built at run time (no secret-shaped text in the source).
    fn setting() -> String {
        ["pass", "word=Tr0ub4dor&3xyz"].concat()
    }

    #[test]
    fn base64_runs_that_decode_to_text_are_found() {
        use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};
        let padded = STANDARD.encode(setting());
        assert!(padded.ends_with('='), "{padded}");
        let runs = runs_of(&format!("data:\n  DB: {padded}\n"));
        assert_eq!(runs.len(), 1, "{runs:?}");
        assert_eq!(runs[0].1, setting());
        assert_eq!(runs[0].0, padded, "the padding belongs to the run");
        assert_eq!(runs[0].2, Encoding::Base64);
        let bare = STANDARD_NO_PAD.encode(setting());
        assert_eq!(runs_of(&format!("v={bare}"))[0].1, setting());
    }

    #[test]
    fn identifiers_digests_and_binary_stay_encoded() {
        assert!(runs_of("let thisIsAVeryLongIdentifierName = 1;").is_empty());
        assert!(runs_of("sha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08").is_empty());
        assert!(
            runs_of("integrity sha512-z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUR")
                .is_empty()
        );
        assert!(runs_of("src/components/widgets/button_group.rs").is_empty());
    }

    #[test]
    fn long_runs_are_found_wherever_they_start() {
        let alphabet = b"Zz9+/_-aB";
        for len in [MIN_BASE64 - 1, MIN_BASE64, MIN_BASE64 + 7] {
            for lead in 0..30 {
                let mut line = vec![b' '; lead];
                line.extend((0..len).map(|i| alphabet[i % alphabet.len()]));
                line.extend_from_slice(b" x.y");
                let found = runs::next_long_run(&line, 0, MIN_BASE64);
                if len >= MIN_BASE64 {
                    assert_eq!(found, Some(lead), "len {len} lead {lead}");
                } else {
                    assert_eq!(found, None, "len {len} lead {lead}");
                }
            }
        }
        // Short runs before a long one are stepped over.
        let line = b"ab cd_ef12345 ghi.jk AAAAAAAAAABBBBBBBBBBCC end";
        assert_eq!(runs::next_long_run(line, 0, MIN_BASE64), Some(21));
    }

    #[test]
    fn hex_runs_that_decode_to_text_are_found() {
        let hex: String = b"api_key=Zq8vLx2Rw9Pm".iter().map(|b| format!("{b:02x}")).collect();
        let runs = runs_of(&format!("blob {hex} end"));
        assert_eq!(runs, vec![(hex, "api_key=Zq8vLx2Rw9Pm".to_owned(), Encoding::Hex)]);
    }

    #[test]
    fn escapes_and_entities_decode_one_by_one() {
        let runs = runs_of(r#"x = "\u0067hp_abc" p%40ss &quot;q&#x41;"#);
        let decoded: Vec<(&str, &str)> = runs.iter().map(|r| (r.0.as_str(), r.1.as_str())).collect();
        assert_eq!(
            decoded,
            [("\\u0067", "g"), ("%40", "@"), ("&quot;", "\""), ("&#x41;", "A")]
        );
        // One `\n` in a format string is not decoded; many are.
        assert!(runs_of(r#"printf("done\n");"#).is_empty());
        assert_eq!(runs_of(r#""a\nb\nc\nd""#).len(), 3);
    }

    #[test]
    fn a_decoded_text_maps_ranges_back_to_the_input() {
        let hay = b"k: \\u0067hp_x; plain";
        let mut runs = Vec::new();
        find_runs(hay, &mut runs, &mut Vec::new(), &mut Vec::new());
        let text = substitute(hay, 0..hay.len(), &runs);
        assert_eq!(text.text, b"k: ghp_x; plain");
        // "ghp_x" in the text is "\u0067hp_x" in the input.
        let (input, encodings) = text.input_of(3..8);
        assert_eq!(&hay[input], b"\\u0067hp_x");
        assert_eq!(encodings, [Encoding::Escape]);
        // "plain" was copied: the same bytes of the input, no encoding.
        assert_eq!(text.input_of(10..15), (15..20, Vec::new()));
        assert_eq!(&hay[15..20], b"plain");
    }

    #[test]
    fn a_decoded_match_that_repeats_a_plain_one_is_dropped_whatever_its_rule() {
        let decoded = |rule: usize, input: Range<usize>, encodings: Vec<Encoding>| DecodedMatch {
            rule,
            secret: Vec::new(),
            matched: Vec::new(),
            input,
            encodings,
        };
        let plain = [Match {
            rule: 0,
            secret: 10..20,
            span: 5..20,
        }];
        let mut found = vec![
            decoded(1, 12..20, Vec::new()),          // context decoded, secret plain: a repeat
            decoded(1, 30..40, Vec::new()),          // nowhere in the plain results: new
            decoded(2, 10..20, vec![Encoding::Hex]), // the secret itself was encoded: kept
        ];
        drop_plain_repeats(&mut found, &plain);
        let kept: Vec<(usize, Range<usize>)> = found.iter().map(|d| (d.rule, d.input.clone())).collect();
        assert_eq!(kept, [(1, 30..40), (2, 10..20)]);
    }

    fn tok_rules() -> crate::RuleSet {
        let pack = r#"
[[rules]]
id = "tok"
name = "t"
keywords = ["tok_"]
regex = '(?P<secret>tok_[a-z0-9]{12})'
severity = "high"
confidence = "high"
remediation = "r"
"#;
        set_of(pack)
    }

    /// The rule set of one pack's text.
    fn set_of(pack: &str) -> crate::RuleSet {
        crate::RuleSet::compile(crate::load_pack("t.toml", pack).expect("parses")).expect("compiles")
    }

    #[test]
    fn decoded_binary_is_searched_by_prefixed_provider_rules_only() {
        use base64::engine::general_purpose::STANDARD;
        let pack = r#"
[[rules]]
id = "tok"
name = "t"
keywords = ["tok_"]
keyword_case = "exact"
regex = '(?P<secret>tok_[a-z0-9]{12})'
severity = "high"
confidence = "high"
remediation = "r"

[[rules]]
id = "gen"
name = "g"
keywords = ["password="]
regex = 'password=(?P<secret>[A-Za-z0-9]{12,})'
severity = "medium"
confidence = "low"
tags = ["generic"]
remediation = "r"
"#;
        let set = set_of(pack);
        let mut matcher = Matcher::new(&set);
        let mut decoder = Decoder::new();
        // Binary around the values: NULs and high bytes, as in a serialized
        // message or a keystore.
        let binary = |inside: &str| {
            let mut bytes = vec![0x00, 0x9f, 0x01, 0xfe, 0x12, 0x00, 0x80, 0x7f];
            bytes.extend_from_slice(inside.as_bytes());
            bytes.extend_from_slice(&[0x00, 0x00, 0xc3, 0x28, 0x01, 0xff, 0x00, 0x02]);
            STANDARD.encode(bytes)
        };
        // Assembled here, so that the source holds no assignment to scan.
        let assign = |value: &str| ["pass", "word=", value].concat();
        let hay = format!(
            "blob {}\nother {}\ntext {}\n",
            binary("tok_a8k2m4q9z7x1"),
            binary(&assign("Zq8vLx2Rw9Pm4Kt7")),
            STANDARD.encode(assign("Wq8vLx2Rw9Pm4Kt7"))
        );
        let mut out = Vec::new();
        decoder.find(&mut matcher, hay.as_bytes(), DEFAULT_DEPTH, &mut out);
        let found: Vec<(&str, String)> = out
            .iter()
            .map(|m| {
                (
                    set.rule(m.rule).id.as_str(),
                    String::from_utf8_lossy(&m.secret).into_owned(),
                )
            })
            .collect();
        assert_eq!(
            found,
            [
                ("tok", "tok_a8k2m4q9z7x1".to_owned()),
                ("gen", "Wq8vLx2Rw9Pm4Kt7".to_owned())
            ],
            "the generic rule does not judge the binary value"
        );
        // Reported at the whole encoded run.
        assert_eq!(
            &hay.as_bytes()[out[0].input.clone()],
            binary("tok_a8k2m4q9z7x1").as_bytes()
        );
        assert_eq!(out[0].encodings, [Encoding::Base64]);
    }

    /// xorshift64: deterministic pseudo-random numbers for the property tests.
    fn next(state: &mut u64) -> u64 {
        *state ^= *state << 13;
        *state ^= *state >> 7;
        *state ^= *state << 17;
        *state
    }

    #[test]
    fn a_planted_base64_secret_is_found_wherever_it_lands_and_random_bytes_are_not() {
        use base64::engine::general_purpose::STANDARD;
        let set = tok_rules();
        let mut matcher = Matcher::new(&set);
        let mut decoder = Decoder::new();
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let words = ["alpha", "beta", "gamma", "x", "=", ":", "\"", "{", "}", "12", "path/to"];
        for case in 0..200 {
            let secret: String = (0..12)
                .map(|_| b"abcdefghijklmnopqrstuvwxyz0123456789"[(next(&mut state) % 36) as usize] as char)
                .collect();
            let planted = STANDARD.encode(format!("key: tok_{secret}"));
            let mut hay = String::new();
            let lines = 1 + next(&mut state) % 6;
            let target = next(&mut state) % lines;
            for line in 0..lines {
                for _ in 0..next(&mut state) % 8 {
                    hay.push_str(words[(next(&mut state) % words.len() as u64) as usize]);
                    hay.push(' ');
                }
                if line == target {
                    hay.push_str(&planted);
                    hay.push(' ');
                }
                // Random bytes in base64: binary once decoded, never searched.
                let noise: Vec<u8> = (0..48).map(|_| next(&mut state) as u8).collect();
                hay.push_str(&STANDARD.encode(noise));
                hay.push('\n');
            }
            let mut out = Vec::new();
            decoder.find(&mut matcher, hay.as_bytes(), DEFAULT_DEPTH, &mut out);
            assert_eq!(out.len(), 1, "case {case}: {hay:?} -> {out:?}");
            let found = &out[0];
            assert_eq!(found.secret, format!("tok_{secret}").into_bytes(), "case {case}");
            let span = &hay.as_bytes()[found.input.clone()];
            let decoded = STANDARD.decode(span).expect("the reported span is the base64 run");
            assert!(
                String::from_utf8_lossy(&decoded).contains(&format!("tok_{secret}")),
                "case {case}"
            );
            assert_eq!(found.encodings, [Encoding::Base64]);
        }
    }
}
