//! Finding the spans to replace in one haystack (a line, a held private key block,
//! or a window of an endless line): the rule engine, literal masks and structure
//! detectors, merged. One [`Detector`] per stream; it owns the scratch.

use hush_rules::decode::{DecodedMatch, Decoder};
use hush_rules::{Match, Matcher};

use crate::pem;
use crate::redactor::Redactor;
use crate::span::Kind;
use crate::span::{merge, Source, Span};
use crate::style::Context;
use crate::trigger::{self, Kinds};

/// Per-stream scratch for finding spans.
pub(crate) struct Detector<'r> {
    redactor: &'r Redactor,
    matcher: Option<Matcher<'r>>,
    found: Vec<Match>,
    decoder: Decoder,
    decoded: Vec<DecodedMatch>,
    /// Scratch of [`Detector::decode_lines`].
    run_starts: Vec<usize>,
    /// The spans of the last haystack, sorted and merged.
    pub spans: Vec<Span>,
    /// The rule keywords the trigger scan found in the next haystack (its
    /// address and length, and (keyword, end) pairs), so that the engine does
    /// not walk it again ([`Detector::prime`]).
    primed: Option<(usize, usize)>,
    primed_hits: Vec<(u32, usize)>,
}

impl<'r> Detector<'r> {
    pub fn new(redactor: &'r Redactor) -> Self {
        Detector {
            redactor,
            matcher: redactor.rules.as_ref().map(Matcher::new),
            found: Vec::new(),
            decoder: Decoder::new(),
            decoded: Vec::new(),
            run_starts: Vec::new(),
            spans: Vec::new(),
            primed: None,
            primed_hits: Vec::new(),
        }
    }

    /// Hands over the engine keywords the trigger scan found in `hay`: the
    /// next [`Detector::detect`] of this very haystack gives them to the
    /// engine instead of having it walk `hay` again. Any other haystack is
    /// walked as usual; [`Detector::unprime`] forgets them.
    pub fn prime(&mut self, hay: &[u8], hits: impl IntoIterator<Item = (u32, usize)>) {
        self.primed = Some((hay.as_ptr() as usize, hay.len()));
        self.primed_hits.clear();
        self.primed_hits.extend(hits);
    }

    pub fn unprime(&mut self) {
        self.primed = None;
    }

    /// Which kinds of trigger word `hay` holds (0: none, so nothing to redact),
    /// and [`trigger::DECODE`] if it holds an encoded run to look into.
    pub fn triggers(&mut self, hay: &[u8]) -> Kinds {
        self.redactor.triggers.kinds(hay) | self.decode_kind(hay)
    }

    /// [`trigger::DECODE`] if `hay` holds an encoded run that decodes and the
    /// redactor looks through encodings; else 0.
    pub fn decode_kind(&mut self, hay: &[u8]) -> Kinds {
        if self.decodes() {
            self.decoder.run_starts(hay, &mut self.run_starts);
            if !self.run_starts.is_empty() {
                return trigger::DECODE;
            }
        }
        0
    }

    /// Where encoded runs start in `block` (sorted) into `out`, if the redactor
    /// looks through encodings: the lines holding one are searched even
    /// without a keyword.
    pub fn decode_starts(&mut self, block: &[u8], out: &mut Vec<usize>) {
        out.clear();
        if self.decodes() {
            self.decoder.run_starts(block, out);
        }
    }

    fn decodes(&self) -> bool {
        self.matcher.is_some() && self.redactor.decode_depth > 0
    }

    /// Fills `self.spans` with what to replace in `hay`, running the detectors that
    /// `kinds` (from the trigger scan) calls for.
    pub fn detect(&mut self, hay: &[u8], kinds: Kinds) {
        self.spans.clear();
        // The trigger scan's hits serve this haystack only, once.
        let primed = self.primed.take() == Some((hay.as_ptr() as usize, hay.len()));
        if kinds & trigger::RULE == 0 {
            // No keyword: the engine would find nothing.
        } else if let Some(matcher) = &mut self.matcher {
            self.found.clear();
            if primed {
                matcher.find_with_hits(hay, self.primed_hits.drain(..), &mut self.found);
            } else {
                matcher.find(hay, &mut self.found);
            }
            for m in &self.found {
                let whole = self.redactor.whole_match[m.rule] && hay[m.span.start..].starts_with(b"-----BEGIN");
                let range = if whole { m.span.clone() } else { m.secret.clone() };
                self.spans.push(Span {
                    start: range.start,
                    end: range.end,
                    source: Source::Rule(m.rule),
                    context: Context::Text,
                });
            }
        }
        if kinds & trigger::DECODE != 0 && self.decodes() {
            if let Some(matcher) = &mut self.matcher {
                // What the rules find once the encoded runs are decoded is
                // replaced over the encoded bytes (the scanner reports the same
                // spans).
                self.decoded.clear();
                self.decoder
                    .find(matcher, hay, self.redactor.decode_depth, &mut self.decoded);
                for m in &self.decoded {
                    self.spans.push(Span {
                        start: m.input.start,
                        end: m.input.end,
                        source: Source::Rule(m.rule),
                        context: Context::Text,
                    });
                }
            }
        }
        if kinds & trigger::LITERAL != 0 {
            self.redactor.literals.find(hay, &mut self.spans);
        }
        if let Some(structure) = &self.redactor.structure {
            structure.find(hay, kinds, &mut self.spans);
        }
        merge(&mut self.spans);
    }

    /// Like [`Detector::detect`], for a complete private key block held line by
    /// line: when no rule named it, the block is redacted from BEGIN to END anyway
    /// if it holds key material (a structure-aware find: off with `--no-structure`).
    pub fn detect_block(&mut self, hay: &[u8]) {
        self.detect(hay, trigger::ALL);
        if self.redactor.structure.is_none() {
            return;
        }
        if let Some((start, end)) = pem::block_span(hay) {
            if !self.spans.iter().any(|s| s.start <= start && s.end > start) {
                self.spans.push(Span {
                    start,
                    end,
                    source: Source::Structure(Kind::PrivateKeyBlock),
                    context: Context::Text,
                });
                merge(&mut self.spans);
            }
        }
    }
}
