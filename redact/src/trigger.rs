//! The trigger scan: which lines hold a rule keyword, a secret name or the start of
//! a literal mask. Every input byte goes through it, and a line without a hit is
//! copied out untouched, so it decides the redactor's throughput.
//!
//! The search is the engine's keyword automaton
//! ([`hush_rules::keywords::KeywordAutomaton`], the one the scanner's rules run
//! on), over the trigger words; this module adds what each word means to the
//! redactor.
//!
//! Only a prefix of each word is needed: a line holding a word holds its prefix.
//! Cutting words to [`MAX_WORD`] bytes keeps the automaton small however long the
//! literal masks are.
//!
//! Each word says which detectors it is for ([`Kinds`]), so that a line that only
//! holds `https://` does not run the literal or JSON-field detectors, and a line
//! that only holds a secret name does not run the rule engine. A hit keeps its
//! match state, from which the reach of its multi-line keywords is read
//! ([`Triggers::line_span`]) without walking the line again.

use hush_rules::gate::{self, AsciiSet};
use hush_rules::keywords::{KeywordAutomaton, KeywordHits};

/// Words are cut to this many bytes.
const MAX_WORD: usize = 16;

/// Which detectors a trigger word is for: a bit set of the constants below.
pub(crate) type Kinds = u8;
/// A keyword of a rule of the engine.
pub(crate) const RULE: Kinds = 1;
/// A prefix of a form of a literal mask.
pub(crate) const LITERAL: Kinds = 2;
/// A secret name (JSON keys, headers, query parameters).
pub(crate) const NAME: Kinds = 4;
/// `://`: a URL that may carry a password.
pub(crate) const URL: Kinds = 8;
/// `-----BEGIN `: a private key block may start.
pub(crate) const PEM: Kinds = 16;
/// A keyword of a rule whose match can cross lines (see [`Reach`]): only a line
/// holding one can start a multi-line hold.
pub(crate) const SPAN: Kinds = 32;
/// Not a word: the line holds an encoded run (base64, hex, escapes) whose
/// decoding the rules must search (set from the decode stage, not the automaton).
pub(crate) const DECODE: Kinds = 64;
/// Every detector.
pub(crate) const ALL: Kinds = RULE | LITERAL | NAME | URL | PEM | DECODE;

/// How far the matches of a rule keyword's rules can reach across lines, in
/// bytes from the keyword's first byte (both 0: they stay on its line).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Reach {
    pub before: u32,
    pub after: u32,
    /// Some rule of the word can go on past a line break after its secret has
    /// begun (a private key block): its lines are held whatever follows the word.
    pub always: bool,
    /// The word begins a match whose keyword may come on a later line
    /// (`RuleSpec::leading_keywords`): its lines are held unless the object it
    /// stands in closes on its line (a `}` after it), as a one-line JSON log
    /// record does, whose keyword would have been on that line too.
    pub leading: bool,
}

/// A keyword line is "open" when at most this many non-blank bytes follow the
/// keyword: its value (or the block it names) can only be on a later line. A
/// line that holds more after its keyword (`token refreshed for user 42`,
/// `password=<value>`) is judged on its own, as before multi-line holds, unless
/// a rule of the word always needs its following lines.
const OPEN_TAIL: usize = 48;

/// One trigger word: the detectors it is for and, for a rule keyword, how far
/// its rules' matches reach across lines and which word bytes may not precede
/// it.
#[derive(Debug, Clone)]
pub(crate) struct Word {
    pub bytes: Vec<u8>,
    pub kinds: Kinds,
    pub reach: Reach,
    /// The rule's keyword gate ([`hush_rules::gate`]): a hit right after one of
    /// these bytes cannot begin the rule's match (0 for every other word).
    pub gate: AsciiSet,
    /// The rule's keyword is case-exact (`keyword_case = "exact"`): a hit whose
    /// case differs from `bytes` triggers nothing.
    pub exact: bool,
    /// The word's index among the engine's keywords
    /// ([`hush_rules::RuleSet::keyword_index`]), for a rule keyword: its hits
    /// are handed to the engine, which then need not walk the line again.
    pub engine: Option<u32>,
}

impl From<(Vec<u8>, Kinds)> for Word {
    fn from((bytes, kinds): (Vec<u8>, Kinds)) -> Word {
        Word {
            bytes,
            kinds,
            reach: Reach::default(),
            gate: 0,
            exact: false,
            engine: None,
        }
    }
}

/// What a rule keyword's hit must pass to trigger its rule: the byte before it
/// outside `gate`, and its bytes equal to `exact` when set.
#[derive(Debug, Clone)]
struct Filter {
    gate: AsciiSet,
    exact: Option<Box<[u8]>>,
}

impl Filter {
    fn passes(&self, hay: &[u8], start: usize, last: usize) -> bool {
        self.exact.as_ref().is_none_or(|e| hay[start..=last] == **e) && !gate::rejects(self.gate, hay, start)
    }
}

/// How far the multi-line matches of a haystack's rule keywords may reach
/// outside it: `before` bytes before its start, and up to `end` (an offset in the
/// haystack, possibly past its end).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct LineSpan {
    pub before: usize,
    pub end: usize,
}

/// The compiled trigger words: the keyword automaton, and per match state the
/// kinds of its words and the reach of its multi-line ones.
#[derive(Debug)]
pub(crate) struct Triggers {
    automaton: KeywordAutomaton,
    /// Per match state: the kinds of the words that end in it.
    kinds: Vec<Kinds>,
    /// Per match state: its multi-line words, a range of `spans`.
    span_words: Vec<(u32, u32)>,
    /// Length and reach of the multi-line words (the widest of the words cut to
    /// them), by match state.
    spans: Vec<(u32, Reach)>,
    /// Per match state whose every word is a rule keyword with a filter (a
    /// gate or an exact case): its range of `filters` (else empty). Such a hit
    /// counts only if some word's filter passes.
    filtered: Vec<(u32, u32)>,
    /// Length and filter of the words of filtered states.
    filters: Vec<(u32, Filter)>,
    /// Per match state: its words that are engine keywords, a range of
    /// `engine_words`.
    engine_ranges: Vec<(u32, u32)>,
    /// Engine keyword indices, by match state.
    engine_words: Vec<u32>,
}

/// A trigger word ending in a block: where, the kinds of the words that end there,
/// and the automaton's state, from which [`Triggers::add_span`] reads the words'
/// reach without walking the line again.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Hit {
    /// The position of the last byte of the words.
    pub pos: usize,
    pub kinds: Kinds,
    /// The match state's index.
    state: u32,
}

impl Hit {
    /// A pseudo-hit where an encoded run starts (see [`DECODE`]).
    pub fn decode(pos: usize) -> Hit {
        Hit {
            pos,
            kinds: DECODE,
            state: 0,
        }
    }
}

/// Two sequences of hits, each in increasing order of position, as one.
pub(crate) fn merge_hits(a: impl Iterator<Item = Hit>, b: impl Iterator<Item = Hit>) -> impl Iterator<Item = Hit> {
    let (mut a, mut b) = (a.peekable(), b.peekable());
    std::iter::from_fn(move || match (a.peek(), b.peek()) {
        (Some(x), Some(y)) if y.pos < x.pos => b.next(),
        (Some(_), _) => a.next(),
        (None, _) => b.next(),
    })
}

/// Where trigger words end in a block.
#[derive(Debug, Default)]
pub(crate) struct Hits(KeywordHits);

/// What the trigger automaton found in one line: the kinds of its words and the
/// span of its multi-line keywords.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct LineInfo {
    pub kinds: Kinds,
    pub span: Option<LineSpan>,
}

impl Triggers {
    /// Compiles the words, each with the kinds of detector it is for.
    pub fn new(words: &[Word]) -> Triggers {
        // Each word cut and folded, with the filters of its uses (`None`: some
        // use of it counts at every hit).
        let mut cut: Vec<(Word, Option<Vec<Filter>>)> = words
            .iter()
            .filter(|w| !w.bytes.is_empty() && !w.bytes.contains(&b'\n'))
            .map(|w| {
                // An engine keyword is kept whole: its hits go to the engine.
                let keep = if w.engine.is_some() { w.bytes.len() } else { MAX_WORD };
                let bytes = &w.bytes[..w.bytes.len().min(keep)];
                // Only a rule keyword's hit may be filtered out.
                let filter = (w.kinds == RULE && (w.gate != 0 || w.exact)).then(|| Filter {
                    gate: w.gate,
                    exact: w.exact.then(|| bytes.into()),
                });
                let word = Word {
                    bytes: bytes.to_ascii_lowercase(),
                    ..*w
                };
                (word, filter.map(|f| vec![f]))
            })
            .collect();
        cut.sort_unstable_by(|a, b| a.0.bytes.cmp(&b.0.bytes));
        cut.dedup_by(|(next, next_filters), (kept, kept_filters)| {
            let same = next.bytes == kept.bytes;
            if same {
                kept.kinds |= next.kinds;
                kept.reach.before = kept.reach.before.max(next.reach.before);
                kept.reach.after = kept.reach.after.max(next.reach.after);
                kept.reach.always |= next.reach.always;
                kept.reach.leading &= next.reach.leading;
                kept.engine = kept.engine.or(next.engine);
                // A hit counts if any use of the word lets it through.
                *kept_filters = match (kept_filters.take(), next_filters.take()) {
                    (Some(mut a), Some(b)) => {
                        a.extend(b);
                        Some(a)
                    }
                    _ => None,
                };
            }
            same
        });
        let automaton = KeywordAutomaton::new(&cut.iter().map(|(w, _)| w.bytes.as_slice()).collect::<Vec<_>>());
        let (mut kinds, mut span_words, mut spans) = (Vec::new(), Vec::new(), Vec::new());
        let (mut filtered, mut filters) = (Vec::new(), Vec::new());
        let (mut engine_ranges, mut engine_words) = (Vec::new(), Vec::new());
        for m in 0..automaton.match_states() as u32 {
            let words = automaton.words_of(m);
            kinds.push(words.iter().fold(0, |k, &w| {
                let word = &cut[w as usize].0;
                k | word.kinds | if word.reach.after > 0 { SPAN } else { 0 }
            }));
            let from = spans.len() as u32;
            for &w in words {
                let word = &cut[w as usize].0;
                if word.reach.after > 0 {
                    spans.push((word.bytes.len() as u32, word.reach));
                }
            }
            span_words.push((from, spans.len() as u32));
            let from = filters.len() as u32;
            if words.iter().all(|&w| cut[w as usize].1.is_some()) {
                for &w in words {
                    let (word, word_filters) = &cut[w as usize];
                    let len = word.bytes.len() as u32;
                    filters.extend(word_filters.iter().flatten().map(|f| (len, f.clone())));
                }
            }
            filtered.push((from, filters.len() as u32));
            let from = engine_words.len() as u32;
            engine_words.extend(words.iter().filter_map(|&w| cut[w as usize].0.engine));
            engine_ranges.push((from, engine_words.len() as u32));
        }
        Triggers {
            automaton,
            kinds,
            span_words,
            spans,
            filtered,
            filters,
            engine_ranges,
            engine_words,
        }
    }

    /// The engine keywords ending at `hits` (of a line starting at `line_start`
    /// in their block), as (keyword, end in the line) pairs for
    /// [`hush_rules::Matcher::find_with_hits`]. Every engine keyword is a
    /// trigger word, so these are all the engine's own walk would find.
    pub fn engine_hits<'a>(&'a self, hits: &'a [Hit], line_start: usize) -> impl Iterator<Item = (u32, usize)> + 'a {
        hits.iter().filter(|h| h.kinds & DECODE == 0).flat_map(move |h| {
            let (from, to) = self.engine_ranges[h.state as usize];
            self.engine_words[from as usize..to as usize]
                .iter()
                .map(move |&word| (word, h.pos + 1 - line_start))
        })
    }

    /// Whether the words ending at `hay[last]` in match state `m` count: false
    /// when each is a rule keyword whose every use is filtered out (gated by the
    /// byte before it, or of another case than its exact one).
    #[inline]
    fn counts(&self, hay: &[u8], last: usize, m: u32) -> bool {
        let (from, to) = self.filtered[m as usize];
        from == to
            || self.filters[from as usize..to as usize]
                .iter()
                .any(|(len, filter)| filter.passes(hay, (last + 1).saturating_sub(*len as usize), last))
    }

    /// The kinds and the multi-line span of `hay`'s trigger words, in one walk.
    pub fn line(&self, hay: &[u8]) -> LineInfo {
        let mut info = LineInfo::default();
        self.automaton.for_each_match(hay, |hit| {
            if !self.counts(hay, hit.last, hit.state) {
                return false;
            }
            let kinds = self.kinds[hit.state as usize];
            info.kinds |= kinds;
            if kinds & SPAN != 0 {
                self.add_span(&mut info.span, hay, hit.last, hit.state);
            }
            false
        });
        info
    }

    /// Widens `span` to the bytes around `hay` that the multi-line matches of the
    /// rule keywords ending at `hay[end]` (in match state `m`) may cover: those
    /// whose line is open after them, or whose rules always go on.
    fn add_span(&self, span: &mut Option<LineSpan>, hay: &[u8], end: usize, m: u32) {
        let (from, to) = self.span_words[m as usize];
        for &(len, reach) in &self.spans[from as usize..to as usize] {
            if reach.leading {
                if memchr::memchr(b'}', &hay[end + 1..]).is_some() {
                    continue;
                }
            } else if !reach.always {
                let tail = hay[end + 1..]
                    .iter()
                    .filter(|b| !b.is_ascii_whitespace())
                    .take(OPEN_TAIL + 1)
                    .count();
                if tail > OPEN_TAIL {
                    continue;
                }
            }
            let word_start = (end + 1).saturating_sub(len as usize);
            let before = (reach.before as usize).saturating_sub(word_start);
            let end = word_start + reach.after as usize;
            *span = Some(match *span {
                Some(s) => LineSpan {
                    before: s.before.max(before),
                    end: s.end.max(end),
                },
                None => LineSpan { before, end },
            });
        }
    }

    /// The span of the multi-line keywords of `line` (a line of a block, without
    /// its newline, starting at `line_start` in the block), from its `hits`.
    pub fn line_span(&self, line: &[u8], line_start: usize, hits: &[Hit]) -> Option<LineSpan> {
        let mut span = None;
        for hit in hits.iter().filter(|h| h.kinds & SPAN != 0) {
            self.add_span(&mut span, line, hit.pos - line_start, hit.state);
        }
        span
    }

    /// The kinds of every trigger word in `hay` (0: none).
    pub fn kinds(&self, hay: &[u8]) -> Kinds {
        let mut kinds = 0;
        self.automaton.for_each_match(hay, |hit| {
            if !self.counts(hay, hit.last, hit.state) {
                return false;
            }
            kinds |= self.kinds[hit.state as usize];
            kinds == (ALL & !DECODE) | SPAN
        });
        kinds
    }

    /// Finds where trigger words end in `block`.
    pub fn hits(&self, block: &[u8], hits: &mut Hits) {
        self.automaton.find(block, &mut hits.0);
    }

    /// The hits of `block`, in increasing order of position; every word in the
    /// block that counts (see [`Triggers::counts`]) has one.
    pub fn positions<'a>(&'a self, block: &'a [u8], hits: &'a Hits) -> impl Iterator<Item = Hit> + 'a {
        hits.0
            .iter()
            .filter(|h| self.counts(block, h.last, h.state))
            .map(|h| Hit {
                pos: h.last,
                kinds: self.kinds[h.state as usize],
                state: h.state,
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn triggers(words: &[&str]) -> Triggers {
        let words: Vec<Word> = words
            .iter()
            .map(|w| Word::from((w.as_bytes().to_vec(), RULE)))
            .collect();
        Triggers::new(&words)
    }

    /// The lines (by index) that have a hit.
    fn hit_lines(t: &Triggers, block: &[u8]) -> Vec<usize> {
        let mut hits = Hits::default();
        t.hits(block, &mut hits);
        let mut lines: Vec<usize> = t
            .positions(block, &hits)
            .map(|h| memchr::memchr_iter(b'\n', &block[..h.pos]).count())
            .collect();
        lines.dedup();
        lines
    }

    #[test]
    fn lanes_find_what_one_walk_finds() {
        let t = triggers(&["token", "ghp_", "-----BEGIN A VERY LONG WORD THAT IS CUT"]);
        let mut block = Vec::new();
        let mut expected = Vec::new();
        for i in 0..5000 {
            let line = match i % 7 {
                0 => "a TOKEN here\n".to_owned(),
                3 => format!("x -----begin a very long word {i}\n"),
                5 => "ends with ghp_\n".to_owned(),
                _ => format!("nothing {i} tok en\n"),
            };
            if matches!(i % 7, 0 | 3 | 5) {
                expected.push(i);
            }
            block.extend_from_slice(line.as_bytes());
        }
        assert!(block.len() > 100_000, "long enough for the automaton's four lanes");
        assert_eq!(hit_lines(&t, &block), expected);
        for (i, line) in block.split_inclusive(|&b| b == b'\n').enumerate() {
            assert_eq!(t.kinds(line) != 0, expected.binary_search(&i).is_ok(), "line {i}");
        }
    }

    #[test]
    fn kinds_of_shared_words_merge() {
        let words: Vec<Word> = vec![
            Word::from((b"token".to_vec(), RULE)),
            Word::from((b"TOKEN".to_vec(), NAME)),
            Word::from((b"://".to_vec(), URL)),
            Word::from((b"ken".to_vec(), LITERAL)),
        ];
        let t = Triggers::new(&words);
        assert_eq!(
            t.kinds(b"a Token b"),
            RULE | NAME | LITERAL,
            "overlapping words all count"
        );
        assert_eq!(t.kinds(b"https://x"), URL);
        assert_eq!(t.kinds(b"nothing"), 0);
    }

    /// A multi-line rule's reach: 10 bytes before its keyword, 50 after.
    const OPEN_REACH: Reach = Reach {
        before: 10,
        after: 50,
        always: false,
        leading: false,
    };

    /// `password`, a keyword of a rule with [`OPEN_REACH`].
    fn password_word() -> Word {
        Word {
            bytes: b"password".to_vec(),
            kinds: RULE,
            reach: OPEN_REACH,
            gate: 0,
            exact: false,
            engine: None,
        }
    }

    #[test]
    fn line_spans_come_from_multi_line_keywords_only() {
        let reach = OPEN_REACH;
        let words = vec![password_word(), Word::from((b"ghp_".to_vec(), RULE))];
        let t = Triggers::new(&words);
        assert_eq!(t.line(b"ghp_ only").span, None);
        assert_eq!(
            t.line(b"password accepted for user deploy-bot-42 from 10.0.0.7 port 22 via ssh2 (publickey)")
                .span,
            None,
            "a line that goes on past its keyword is judged on its own"
        );
        assert_eq!(
            t.line(b"0123456789ab PASSWORD:").span,
            Some(LineSpan { before: 0, end: 63 }),
            "from 10 bytes before the word to 50 after its first byte"
        );
        let long = Word {
            bytes: b"-----BEGIN RSA PRIVATE KEY-----".to_vec(),
            kinds: RULE,
            reach: Reach { always: true, ..reach },
            gate: 0,
            exact: false,
            engine: None,
        };
        let t = Triggers::new(&[long]);
        assert_eq!(
            t.line(b"x-----BEGIN RSA PRIVATE KEY-----").span,
            Some(LineSpan { before: 9, end: 51 }),
            "a word cut to 16 bytes still reaches from its own first byte"
        );
    }

    #[test]
    fn a_leading_word_holds_only_when_its_object_goes_on() {
        let leading = Word {
            bytes: br#""password""#.to_vec(),
            kinds: RULE,
            reach: Reach {
                before: 0,
                after: 300,
                always: false,
                leading: true,
            },
            gate: 0,
            exact: false,
            engine: None,
        };
        let t = Triggers::new(&[leading]);
        assert_eq!(
            t.line(br#"    "password": "a long value that goes on and on past the open tail limit of lines","#)
                .span,
            Some(LineSpan { before: 0, end: 304 }),
            "a member of a pretty-printed object: the keyword may follow"
        );
        assert_eq!(
            t.line(br#"{"ts":1,"password":"x","user":"bob"}"#).span,
            None,
            "a one-line record closes on its line: nothing to wait for"
        );
    }

    #[test]
    fn block_hits_give_each_line_what_a_walk_of_it_gives() {
        let reach = OPEN_REACH;
        let words = vec![
            password_word(),
            Word {
                bytes: b"-----BEGIN RSA PRIVATE KEY-----".to_vec(),
                kinds: RULE,
                reach: Reach { always: true, ..reach },
                gate: 0,
                exact: false,
                engine: None,
            },
            Word::from((b"ghp_".to_vec(), RULE)),
            Word::from((b"word".to_vec(), NAME)),
        ];
        let t = Triggers::new(&words);
        let mut block = Vec::new();
        for i in 0..3000 {
            let line = match i % 5 {
                0 => format!("{i} password:\n"),
                1 => format!("{i} password: ghp_ and a long tail that goes on past the open tail limit {i}\n"),
                2 => format!("x{i}-----BEGIN RSA PRIVATE KEY----- password word\n"),
                3 => format!("nothing here {i}\n"),
                _ => format!("{i} PassWord password\n"),
            };
            block.extend_from_slice(line.as_bytes());
        }
        assert!(block.len() > 100_000, "long enough for the automaton's four lanes");
        let mut hits = Hits::default();
        t.hits(&block, &mut hits);
        let all: Vec<Hit> = t.positions(&block, &hits).collect();
        let mut start = 0;
        for line in block.split_inclusive(|&b| b == b'\n') {
            let end = start + line.len();
            let hay = &line[..line.len() - 1];
            let in_line: Vec<Hit> = all.iter().copied().filter(|h| (start..end).contains(&h.pos)).collect();
            let info = LineInfo {
                kinds: in_line.iter().fold(0, |k, h| k | h.kinds),
                span: t.line_span(hay, start, &in_line),
            };
            assert_eq!(info, t.line(hay), "{}", String::from_utf8_lossy(hay));
            start = end;
        }
    }

    #[test]
    fn the_automaton_finds_what_aho_corasick_finds() {
        // Small alphabet, many overlapping words, mixed case.
        let mut seed = 0x2545_f491_u32;
        let mut rand = move |n: u32| {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            seed % n
        };
        let alphabet = b"abAB:/ -c\n";
        let words: Vec<Vec<u8>> = (0..60)
            .map(|_| (0..1 + rand(6)).map(|_| b"ab:/ -c"[rand(7) as usize]).collect())
            .collect();
        let kinds_of = |i: usize| [RULE, NAME, URL, LITERAL][i % 4];
        let t = Triggers::new(
            &words
                .iter()
                .enumerate()
                .map(|(i, w)| Word::from((w.clone(), kinds_of(i))))
                .collect::<Vec<_>>(),
        );
        let ac = aho_corasick::AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build(&words)
            .expect("builds");
        let text: Vec<u8> = (0..20_000)
            .map(|_| alphabet[rand(alphabet.len() as u32) as usize])
            .collect();
        let mut want = std::collections::BTreeMap::<usize, Kinds>::new();
        for m in ac.find_overlapping_iter(&text) {
            *want.entry(m.end() - 1).or_default() |= kinds_of(m.pattern().as_usize());
        }
        let mut hits = Hits::default();
        t.hits(&text, &mut hits);
        let got: std::collections::BTreeMap<usize, Kinds> =
            t.positions(&text, &hits).map(|h| (h.pos, h.kinds)).collect();
        assert_eq!(got, want);
    }

    #[test]
    fn no_words_never_trigger() {
        let t = triggers(&[]);
        assert_eq!(t.kinds(b"anything"), 0);
        assert!(hit_lines(&t, b"a\nb\n").is_empty());
    }

    #[test]
    fn a_gated_keyword_inside_a_word_is_no_hit_unless_another_use_of_it_counts() {
        let word_bytes: AsciiSet = (0u8..128)
            .filter(|b| b.is_ascii_alphanumeric() || *b == b'_')
            .fold(0, |set, b| set | 1 << b);
        let gated = |bytes: &str, kinds| Word {
            bytes: bytes.as_bytes().to_vec(),
            kinds,
            reach: Reach::default(),
            gate: word_bytes,
            exact: false,
            engine: None,
        };
        let t = Triggers::new(&[gated("ion_", RULE)]);
        assert_eq!(t.kinds(br#"{"duration_ms":12}"#), 0);
        assert_eq!(t.line(br#"{"duration_ms":12}"#).kinds, 0);
        assert_eq!(t.kinds(b"IONIC_TOKEN=ion_abc"), RULE);
        assert_eq!(t.kinds(b"ion_abc at the start"), RULE);
        let block = b"{\"duration_ms\":1}\nx ion_abc\nversion_2\n";
        assert_eq!(hit_lines(&t, block), vec![1]);
        // The same word as a secret name too: that use has no gate.
        let t = Triggers::new(&[gated("ion_", RULE), gated("ion_", NAME)]);
        assert_eq!(t.kinds(b"duration_ms"), RULE | NAME);
        // Another word ending at the same byte keeps the hit.
        let t = Triggers::new(&[gated("ion_", RULE), Word::from((b"ration_".to_vec(), RULE))]);
        assert_eq!(t.kinds(b"duration_ms"), RULE);
    }

    #[test]
    fn an_exact_keyword_of_another_case_is_no_hit() {
        let exact = |bytes: &str| Word {
            bytes: bytes.as_bytes().to_vec(),
            kinds: RULE,
            reach: Reach::default(),
            gate: 0,
            exact: true,
            engine: None,
        };
        let t = Triggers::new(&[exact("GOOG")]);
        assert_eq!(t.kinds(b"https://www.google.com/"), 0);
        assert_eq!(t.kinds(b"id GOOG1EXAMPLE"), RULE);
        // Two rules with the word in two cases: either case counts.
        let t = Triggers::new(&[exact("GOOG"), exact("goog")]);
        assert_eq!(t.kinds(b"www.google.com"), RULE);
        assert_eq!(t.kinds(b"www.Google.com"), 0);
        // A case-insensitive use of the same word counts in any case.
        let t = Triggers::new(&[exact("GOOG"), Word::from((b"goog".to_vec(), RULE))]);
        assert_eq!(t.kinds(b"www.Google.com"), RULE);
    }

    #[test]
    fn engine_hits_name_every_engine_keyword_ending_at_each_hit() {
        let engine = |bytes: &str, index| Word {
            engine: Some(index),
            ..Word::from((bytes.as_bytes().to_vec(), RULE))
        };
        let long = "a-keyword-longer-than-sixteen-bytes";
        let t = Triggers::new(&[
            engine("token", 7),
            engine("ken", 9),
            Word::from((b"secret".to_vec(), NAME)),
            engine(long, 3),
        ]);
        let block = format!("x\na token and a secret, {long}\n");
        let mut hits = Hits::default();
        t.hits(block.as_bytes(), &mut hits);
        let line_hits: Vec<Hit> = t.positions(block.as_bytes(), &hits).collect();
        let mut got: Vec<(u32, usize)> = t.engine_hits(&line_hits, 2).collect();
        got.sort_unstable();
        let line = &block[2..];
        let end = line.find(long).unwrap() + long.len();
        assert_eq!(got, vec![(3, end), (7, 7), (9, 7)], "the long keyword whole, not cut");
    }
}
