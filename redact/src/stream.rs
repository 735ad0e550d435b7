//! The streaming state machine: bytes in, redacted bytes out, in order, whatever
//! the read sizes. No I/O and no clock: the caller pushes what it read, calls
//! [`RedactStream::flush_partial`] when an incomplete line has waited long enough,
//! and [`RedactStream::finish`] at end of input.
//!
//! The unit of redaction is the line: each complete line is a haystack of its own
//! (without its newline), so the output does not depend on how the input was cut
//! into reads. Exceptions, each bounded:
//! - a line longer than [`Limits::max_line`] is redacted in windows of that size
//!   that overlap by [`Limits::window_overlap`];
//! - a line holding a private key's BEGIN marker is held with the lines after it
//!   until the END line, and the block is one haystack; the hold is released (each
//!   line redacted on its own) at a line that cannot be key material, at the caps
//!   on lines and bytes, or at end of input;
//! - an incomplete line flushed early (`flush_partial`) is redacted as far as it
//!   goes, except its last word, which may still be the start of a secret.
//!
//! Fast path: a block of complete lines is scanned once with the trigger automaton;
//! lines without a hit are copied out as they are, and a line with hits gets the
//! detector kinds and multi-line span it calls for from them, without a second
//! walk. Look-back context for holds is kept once per block, not per line.

use std::mem;

use crate::detect::Detector;
use crate::pem;
use crate::redactor::Redactor;
use crate::report::{mask, Redaction};
use crate::span::Source;
use crate::style::Target;
use crate::trigger::{self, Hit, Hits, LineInfo};

/// Bytes before a window's cut kept as context for the next window (rules that
/// look at what precedes a secret); at most half the overlap, so windows advance.
const WINDOW_CONTEXT: usize = 4096;

/// Lines held after a keyword whose rules can match across lines (a private key's
/// BEGIN line, `password:` with its value on the next line): searched as one
/// haystack, as the scanner sees them, once the keywords' windows are covered.
struct Hold {
    /// Look-back context (input already written), then the held complete lines,
    /// each with its newline.
    buf: Vec<u8>,
    /// Bytes at the front of `buf` already written: the look-back context, and
    /// the part of the first held line an early flush wrote.
    written: usize,
    /// Held lines.
    lines: usize,
    /// Offset in `buf` up to which the keywords' windows reach: a line that
    /// starts before it joins the hold.
    until: usize,
    /// A private key block is open: lines are held to its END line (or a line
    /// that cannot be key material).
    pem: Option<PemBlock>,
}

/// Where the open private key block of a hold begins: the block's own size is
/// what [`crate::Limits::pem_max_lines`] and `pem_max_bytes` bound, however many
/// lines a keyword's window held before it.
#[derive(Debug, Clone, Copy)]
struct PemBlock {
    /// Offset in the hold's `buf` of the BEGIN line (of its unwritten part).
    at: usize,
    /// Held lines before the BEGIN line.
    lines_before: usize,
}

/// One redacted stream. Owns its scratch; borrows the shared [`Redactor`].
pub struct RedactStream<'r> {
    redactor: &'r Redactor,
    detector: Detector<'r>,
    /// The incomplete line at the end of the input so far (or the unfinished
    /// windows of a long one).
    partial: Vec<u8>,
    /// Bytes at the front of `partial` already written.
    emitted: usize,
    /// 1-based number of the next line to be written (held lines are not yet).
    line: u64,
    hold: Option<Hold>,
    /// The end of the input before the current block or incomplete line (up to
    /// the redactor's look-back): with the block's lines before a line that
    /// starts a hold, the context of a multi-line match that begins before it.
    /// Kept once per block, not per line, so clean lines cost nothing here.
    recent: Vec<u8>,
    events: Vec<Redaction>,
    keep_events: bool,
    redactions: u64,
    hits: Hits,
    /// Where encoded runs start in the current block (scratch).
    decode_starts: Vec<usize>,
    /// The hits of the line being redacted (scratch).
    line_hits: Vec<Hit>,
}

impl<'r> RedactStream<'r> {
    pub fn new(redactor: &'r Redactor) -> Self {
        RedactStream {
            redactor,
            detector: Detector::new(redactor),
            partial: Vec::new(),
            emitted: 0,
            line: 1,
            hold: None,
            recent: Vec::new(),
            events: Vec::new(),
            keep_events: true,
            redactions: 0,
            hits: Hits::default(),
            decode_starts: Vec::new(),
            line_hits: Vec::new(),
        }
    }

    /// Spans replaced so far.
    pub fn redactions(&self) -> u64 {
        self.redactions
    }

    /// Whether to keep a [`Redaction`] for each replaced span (default: yes). Off,
    /// only [`RedactStream::redactions`] counts them: a dense input (a window of
    /// 1 MiB can hold 100 000 secrets) then costs no memory for them.
    pub fn keep_events(&mut self, keep: bool) {
        self.keep_events = keep;
    }

    /// What was redacted since the last call (drain it regularly: it grows).
    pub fn drain_redactions(&mut self) -> std::vec::Drain<'_, Redaction> {
        self.events.drain(..)
    }

    /// Whether lines are being held after a private key's BEGIN line.
    pub fn is_holding(&self) -> bool {
        self.hold.is_some()
    }

    /// Bytes of the incomplete last line not yet written.
    pub fn unwritten_partial(&self) -> usize {
        self.partial.len() - self.emitted
    }

    /// Redacts `input`, appending to `out` every byte that can be decided now.
    pub fn push(&mut self, mut input: &[u8], out: &mut Vec<u8>) {
        while !input.is_empty() {
            if self.partial.is_empty() {
                let complete = memchr::memrchr(b'\n', input).map_or(0, |nl| nl + 1);
                self.block(&input[..complete], out);
                self.partial.extend_from_slice(&input[complete..]);
                input = &[];
            } else if let Some(nl) = memchr::memchr(b'\n', input) {
                self.partial.extend_from_slice(&input[..nl]);
                input = &input[nl + 1..];
                self.bound_partial(out);
                self.partial.push(b'\n');
                self.complete_partial(out);
                continue;
            } else {
                self.partial.extend_from_slice(input);
                input = &[];
            }
            self.bound_partial(out);
        }
    }

    /// `partial` holds a whole line now: redact and write it.
    fn complete_partial(&mut self, out: &mut Vec<u8>) {
        let line = mem::take(&mut self.partial);
        let skip = mem::replace(&mut self.emitted, 0);
        self.line_complete(&line, skip, None, &[], out);
        self.remember(&line);
        self.partial = line;
        self.partial.clear();
    }

    /// End of input: the last line (even without a newline) and any held lines
    /// are redacted and written.
    pub fn finish(&mut self, out: &mut Vec<u8>) {
        if !self.partial.is_empty() {
            self.complete_partial(out);
        }
        self.release_hold(out);
    }

    /// Writes the held lines, searched as one haystack with their look-back
    /// context (their keywords' windows are covered, or the caller gave up
    /// waiting for more input).
    pub fn release_hold(&mut self, out: &mut Vec<u8>) {
        let Some(hold) = self.hold.take() else {
            return;
        };
        let hay = hold.buf.strip_suffix(b"\n").unwrap_or(&hold.buf);
        self.detector.detect_block(hay);
        self.write_spans(hay, hold.written, None, out);
        if hay.len() < hold.buf.len() {
            out.push(b'\n');
        }
        self.line += memchr::memchr_iter(b'\n', &hold.buf[hold.written.min(hold.buf.len())..]).count() as u64;
    }

    /// Keeps the end of the input as look-back context: called with each block
    /// and each line completed from pieces, in input order.
    fn remember(&mut self, input: &[u8]) {
        let keep = self.redactor.lookback;
        if keep == 0 {
            return;
        }
        if input.len() >= keep {
            self.recent.clear();
            self.recent.extend_from_slice(&input[input.len() - keep..]);
            return;
        }
        self.recent.extend_from_slice(input);
        if self.recent.len() > 2 * keep {
            self.recent.drain(..self.recent.len() - keep);
        }
    }

    /// Writes as much of the incomplete last line as can be decided: all but its
    /// last word (bounded by [`crate::Limits::partial_hold`]) and any secret that
    /// reaches its end. Nothing while private key lines are held.
    pub fn flush_partial(&mut self, out: &mut Vec<u8>) {
        if self.hold.is_some() || self.partial.len() <= self.emitted {
            return;
        }
        let hay = mem::take(&mut self.partial);
        let last_space = hay.iter().rposition(|b| matches!(b, b' ' | b'\t' | b'\r'));
        let mut cut = last_space
            .map_or(0, |p| p + 1)
            .max(hay.len().saturating_sub(self.redactor.limits.partial_hold));
        if cut > self.emitted {
            let kinds = self.detector.triggers(&hay);
            self.detector.detect(&hay, kinds);
            // A secret that reaches the end may go on: keep it whole for later.
            if let Some(open) = self.detector.spans.iter().find(|s| s.end >= hay.len()) {
                cut = cut.min(open.start);
            }
            if cut > self.emitted {
                self.emitted = self.write_spans(&hay, self.emitted, Some(cut), out);
            }
        }
        self.partial = hay;
    }

    /// A block of complete lines (empty or ending with a newline).
    fn block(&mut self, block: &[u8], out: &mut Vec<u8>) {
        if block.is_empty() {
            return;
        }
        let mut hits = mem::take(&mut self.hits);
        let triggers = &self.redactor.triggers;
        triggers.hits(block, &mut hits);
        let mut starts = mem::take(&mut self.decode_starts);
        self.detector.decode_starts(block, &mut starts);
        let decoded = starts.iter().map(|&at| Hit::decode(at));
        let mut positions = trigger::merge_hits(triggers.positions(block, &hits), decoded).peekable();
        let mut pos = 0;
        while pos < block.len() {
            if self.hold.is_some() {
                let end = memchr::memchr(b'\n', &block[pos..]).map_or(block.len(), |nl| pos + nl + 1);
                self.block_line(&block[pos..end], &block[..pos], None, out);
                pos = end;
                continue;
            }
            let Some(first) = positions.find(|h| h.pos >= pos) else {
                self.pass(&block[pos..], out);
                break;
            };
            let start = memchr::memrchr(b'\n', &block[pos..first.pos]).map_or(pos, |nl| pos + nl + 1);
            let end = memchr::memchr(b'\n', &block[first.pos..]).map_or(block.len(), |nl| first.pos + nl + 1);
            let mut kinds = first.kinds;
            self.line_hits.clear();
            self.line_hits.push(first);
            while let Some(more) = positions.next_if(|h| h.pos < end) {
                kinds |= more.kinds;
                self.line_hits.push(more);
            }
            // The line's multi-line span comes from the hits: no second walk.
            let line = &block[start..end];
            let span = if kinds & trigger::SPAN != 0 {
                let hay = line.strip_suffix(b"\n").unwrap_or(line);
                self.redactor.triggers.line_span(hay, start, &self.line_hits)
            } else {
                None
            };
            if kinds & trigger::RULE != 0 {
                let hay = line.strip_suffix(b"\n").unwrap_or(line);
                let hits = self.redactor.triggers.engine_hits(&self.line_hits, start);
                self.detector.prime(hay, hits);
            }
            self.pass(&block[pos..start], out);
            self.block_line(line, &block[..start], Some(LineInfo { kinds, span }), out);
            self.detector.unprime();
            pos = end;
        }
        drop(positions);
        self.hits = hits;
        self.decode_starts = starts;
        self.remember(block);
    }

    /// A complete line of a block. One of [`crate::Limits::max_line`] bytes or more
    /// goes through the windows of `bound_partial`, as it would have had it arrived
    /// in small reads, so the output does not depend on read sizes. `before`: the
    /// block before the line.
    fn block_line(&mut self, line: &[u8], before: &[u8], info: Option<LineInfo>, out: &mut Vec<u8>) {
        let hay = line.strip_suffix(b"\n").unwrap_or(line);
        if hay.len() < self.redactor.limits.max_line {
            self.line_complete(line, 0, info, before, out);
            return;
        }
        self.partial.extend_from_slice(hay);
        self.bound_partial(out);
        if hay.len() < line.len() {
            self.partial.push(b'\n');
        }
        self.complete_partial(out);
    }

    /// Copies lines with nothing to redact.
    fn pass(&mut self, bytes: &[u8], out: &mut Vec<u8>) {
        out.extend_from_slice(bytes);
        self.line += memchr::memchr_iter(b'\n', bytes).count() as u64;
    }

    /// One line (with its newline, except at end of input), of which `skip` bytes
    /// were already written; `info` from the trigger scan, when already known;
    /// `before`: the input between [`RedactStream::recent`] and the line (the
    /// block before it, or nothing).
    fn line_complete(&mut self, line: &[u8], skip: usize, info: Option<LineInfo>, before: &[u8], out: &mut Vec<u8>) {
        let hay = line.strip_suffix(b"\n").unwrap_or(line);
        if self.hold.is_some() {
            if skip > 0 {
                self.release_hold(out);
            } else {
                self.held_line(line, before, out);
                return;
            }
        }
        let LineInfo { kinds, span } = match info {
            Some(info) => info,
            None => {
                let mut info = self.redactor.triggers.line(hay);
                info.kinds |= self.detector.decode_kind(hay);
                info
            }
        };
        if kinds == 0 {
            out.extend_from_slice(&line[skip.min(line.len())..]);
            self.line += u64::from(hay.len() < line.len());
            return;
        }
        let pem = kinds & trigger::PEM != 0 && self.redactor.pem && pem::begin_marker(hay).is_some();
        if pem || span.is_some() {
            // Look-back context: the end of `recent` then `before`.
            let want = span.map_or(0, |s| s.before);
            let near = want.min(before.len());
            let far = (want - near).min(self.recent.len());
            let context = far + near;
            let mut buf = Vec::with_capacity(context + line.len());
            buf.extend_from_slice(&self.recent[self.recent.len() - far..]);
            buf.extend_from_slice(&before[before.len() - near..]);
            buf.extend_from_slice(line);
            let until = context + span.map_or(0, |s| s.end);
            let whole = buf.len();
            self.hold = Some(Hold {
                buf,
                written: context + skip,
                lines: 1,
                until,
                pem: pem.then_some(PemBlock {
                    at: context + skip,
                    lines_before: 0,
                }),
            });
            if !pem && whole >= until {
                // The windows end on this line: nothing to wait for.
                self.release_hold(out);
            }
            return;
        }
        self.plain_line(line, skip, kinds, out);
    }

    /// A line while lines are held: it joins the hold while a keyword's window or
    /// an open private key block reaches it; otherwise the hold is written first.
    fn held_line(&mut self, line: &[u8], before: &[u8], out: &mut Vec<u8>) {
        let hay = line.strip_suffix(b"\n").unwrap_or(line);
        let limits = self.redactor.limits;
        let hold_bytes = self.redactor.hold_bytes;
        let Some(hold) = &mut self.hold else {
            return;
        };
        let at = hold.buf.len();
        if let Some(block) = hold.pem {
            if pem::end_marker(hay).is_some() {
                hold.buf.extend_from_slice(line);
                hold.lines += 1;
                hold.pem = None;
                // The block is whole: its rules' windows need go no further.
                self.release_hold(out);
                return;
            }
            let fits = hold.lines - block.lines_before < limits.pem_max_lines
                && at - block.at + line.len() <= limits.pem_max_bytes;
            if fits && pem::begin_marker(hay).is_none() && pem::plausible_body_line(hay) {
                hold.buf.extend_from_slice(line);
                hold.lines += 1;
                return;
            }
        } else if at < hold.until && at - hold.written + line.len() <= hold_bytes {
            hold.buf.extend_from_slice(line);
            hold.lines += 1;
            let LineInfo { kinds, span } = self.redactor.triggers.line(hay);
            if let Some(span) = span {
                hold.until = hold.until.max(at + span.end);
            }
            if kinds & trigger::PEM != 0 && self.redactor.pem && pem::begin_marker(hay).is_some() {
                hold.pem = Some(PemBlock {
                    at,
                    lines_before: hold.lines - 1,
                });
            } else if hold.buf.len() >= hold.until {
                self.release_hold(out);
            }
            return;
        }
        self.release_hold(out);
        self.line_complete(line, 0, None, before, out);
    }

    /// Redacts one line on its own, holding trigger words of `kinds`.
    fn plain_line(&mut self, line: &[u8], skip: usize, kinds: trigger::Kinds, out: &mut Vec<u8>) {
        let hay = line.strip_suffix(b"\n").unwrap_or(line);
        if kinds != 0 {
            self.detector.detect(hay, kinds);
            self.write_spans(hay, skip, None, out);
        } else {
            out.extend_from_slice(&hay[skip.min(hay.len())..]);
        }
        if hay.len() < line.len() {
            out.push(b'\n');
            self.line += 1;
        }
    }

    /// Keeps the incomplete line under [`crate::Limits::max_line`]: a longer one is
    /// redacted window by window, each window written up to `window_overlap` before
    /// its end (or past a secret that crosses that point), keeping some context.
    fn bound_partial(&mut self, out: &mut Vec<u8>) {
        let limits = self.redactor.limits;
        while self.partial.len() >= limits.max_line {
            self.release_hold(out);
            self.recent.clear();
            let mut buf = mem::take(&mut self.partial);
            let window = &buf[..limits.max_line];
            let kinds = self.detector.triggers(window);
            self.detector.detect(window, kinds);
            let cut = limits.max_line - limits.window_overlap;
            let written = self.write_spans(window, self.emitted, Some(cut), out);
            let context = WINDOW_CONTEXT.min(limits.window_overlap / 2);
            let keep_from = written.saturating_sub(context);
            buf.drain(..keep_from);
            self.emitted = written - keep_from;
            self.partial = buf;
        }
    }

    /// Writes `hay[from..]` (or up to `upto`, extended past a span that crosses it)
    /// with the spans of the detector replaced, records each redaction, and returns
    /// how far it wrote. Spans wholly before `from` were handled earlier.
    fn write_spans(&mut self, hay: &[u8], from: usize, upto: Option<usize>, out: &mut Vec<u8>) -> usize {
        let limit = upto.unwrap_or(hay.len()).min(hay.len());
        let mut pos = from.min(hay.len());
        let spans = mem::take(&mut self.detector.spans);
        // Newlines before the current span (a held key block has several), counted
        // incrementally from where writing starts: counting from the start for
        // every span was quadratic.
        let (mut counted_to, mut newlines) = (pos, 0u64);
        for span in &spans {
            if span.start >= limit {
                break;
            }
            if span.end <= pos {
                continue;
            }
            out.extend_from_slice(&hay[pos..span.start.max(pos)]);
            let secret = &hay[span.start..span.end];
            self.replace(secret, span.source, span.context, out);
            let span_at = span.start.max(counted_to);
            newlines += memchr::memchr_iter(b'\n', &hay[counted_to..span_at]).count() as u64;
            counted_to = span_at;
            self.record(secret, span.source, self.line + newlines);
            pos = span.end;
        }
        self.detector.spans = spans;
        let end = limit.max(pos);
        out.extend_from_slice(&hay[pos..end]);
        end
    }

    fn replace(&self, secret: &[u8], source: Source, context: crate::style::Context, out: &mut Vec<u8>) {
        let r = self.redactor;
        let target = Target {
            id: source_id(r, source),
            secret,
            identity: identity(r, source, secret),
            prefixes: match source {
                Source::Rule(i) => &r.prefixes[i],
                _ => &[],
            },
            context,
        };
        r.style.write(target, out);
    }

    fn record(&mut self, secret: &[u8], source: Source, line: u64) {
        let r = self.redactor;
        self.redactions += 1;
        if !self.keep_events {
            return;
        }
        self.events.push(Redaction {
            rule: source_id(r, source).to_owned(),
            line,
            secret_masked: mask(secret, matches!(source, Source::Rule(_))),
            hash: r.style.tag(identity(r, source, secret)),
        });
    }
}

fn source_id(r: &Redactor, source: Source) -> &str {
    match source {
        Source::Rule(i) => r.rules.as_ref().map_or("rule", |set| set.rule(i).id.as_str()),
        Source::Literal { form, .. } => form.id(),
        Source::Structure(kind) => kind.id(),
    }
}

/// What the hash style hashes: every encoded form of one literal hashes as the
/// literal, so they correlate.
fn identity<'a>(r: &'a Redactor, source: Source, secret: &'a [u8]) -> &'a [u8] {
    match source {
        Source::Literal { literal, .. } => r.literals.literal(literal),
        _ => secret,
    }
}
