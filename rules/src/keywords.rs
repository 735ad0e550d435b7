//! The keyword automaton: where any of a set of words ends in a haystack, ASCII
//! case folded. It is the first step of every search (the scanner's rule keywords,
//! the redactor's trigger words), and every input byte goes through it, so it
//! decides much of hush's throughput.
//!
//! It is an Aho-Corasick automaton whose transitions are all looked up in one
//! table (a DFA), built here rather than taken from `aho_corasick` for its
//! layout and its laziness. A row is filled in the first time a walk needs one
//! of its transitions, from the trie and its failure links, and kept: a small
//! scan reaches a few hundred of the default keywords' ~20,000 states, so
//! start-up builds only the trie (a dense table built up front was 5 MB of
//! fresh memory and most of a one-file scan's time), and no walk ever pays for
//! a row twice. Layout: one column per byte
//! that occurs in a word (both cases of a letter share one; every other byte shares
//! column 0), `u32` row offsets, and match states first, so that "is this a match"
//! is one compare; within each group the states are in breadth-first order, so
//! the states near the root, where a walk spends its time, share cache lines and
//! pages. With the ~1,000 default rules' 3,500 keywords this table is about half
//! the size of `aho_corasick`'s DFA of the same words (whose rows are padded to a
//! power of two) and builds in a fraction of its time.
//!
//! [`KeywordAutomaton::find`] walks four parts of the haystack at once. One walk
//! is bound by the latency of its table lookups (each state depends on the last);
//! four interleaved walks hide much of it. A part after the first starts its walk
//! `longest word − 1` bytes early without reporting those bytes, so it is in the
//! state one walk from the start would be in for every word ending in its part:
//! each hit is reported once, by the part it ends in, and the parts need not
//! start at line boundaries. (Measured on 100 MB of logs with the redactor's
//! words: 0.4–0.55 GB/s over `aho_corasick`'s DFA, 1.1–1.2 GB/s over this table;
//! eight lanes were no faster than four, `u16` states slower.)

use std::sync::atomic::AtomicU32;
use std::sync::atomic::Ordering::Relaxed;

/// Interleaved walks per haystack (the loop in `find` is written for four).
pub const LANES: usize = 4;
/// Haystacks shorter than this are walked in one lane.
const MIN_LANE_HAYSTACK: usize = 1024;

/// Where a word ends: the position of its last byte, and the automaton's match
/// state there, which names every word ending at that byte
/// ([`KeywordAutomaton::words_of`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeywordHit {
    /// The position of the last byte of the words.
    pub last: usize,
    /// The match state's index.
    pub state: u32,
}

/// The hits of one [`KeywordAutomaton::find`], lane by lane; lanes cover
/// increasing parts of the haystack, so [`KeywordHits::iter`] is in order.
#[derive(Debug, Default, Clone)]
pub struct KeywordHits {
    lanes: [Vec<KeywordHit>; LANES],
}

impl KeywordHits {
    /// The hits in increasing order of position (one per position with a hit).
    pub fn iter(&self) -> impl Iterator<Item = KeywordHit> + '_ {
        self.lanes.iter().flatten().copied()
    }

    /// Whether there is no hit.
    pub fn is_empty(&self) -> bool {
        self.lanes.iter().all(Vec::is_empty)
    }

    fn clear(&mut self) {
        for lane in &mut self.lanes {
            lane.clear();
        }
    }
}

/// The compiled words: an ASCII-case-insensitive Aho-Corasick DFA whose rows
/// are filled in as walks first need them (see [`KeywordAutomaton::fill`]).
#[derive(Debug)]
pub struct KeywordAutomaton {
    /// The column of each byte in `trans`: one per byte that occurs in a word
    /// (both cases of an ASCII letter share one), and 0 for every other byte.
    classes: [u8; 256],
    /// Columns per state.
    stride: usize,
    /// Row by row, the next state for each column, as that state's row offset
    /// (index × stride), or [`UNKNOWN`] until a walk first needs it. Row 0 is
    /// no state's, so no transition leads to offset 0.
    trans: Vec<AtomicU32>,
    /// The start state's row offset (its row is filled when built).
    start: u32,
    /// Match states come first: a state whose offset is below this is one.
    matches_end: u32,
    /// Per state (by row), its failure state's row offset (the start state's
    /// is itself).
    fail: Vec<u32>,
    /// Per state (by row), its range of `edges`: the trie's own transitions.
    edge_ranges: Vec<(u32, u32)>,
    /// Trie transitions as (column, target row offset), by state, by column.
    edges: Vec<(u8, u32)>,
    /// Per match state: the words that end in it, a range of `outputs`.
    output_ranges: Vec<(u32, u32)>,
    /// Word indices, by match state.
    outputs: Vec<u32>,
    /// Each word's length.
    lengths: Vec<u32>,
    /// The longest word's length.
    longest: usize,
}

/// A transition not yet worked out (no state's row is at offset 0).
const UNKNOWN: u32 = 0;

/// The end of a list of trie children.
const NO_STATE: u32 = u32::MAX;

impl Clone for KeywordAutomaton {
    fn clone(&self) -> Self {
        KeywordAutomaton {
            classes: self.classes,
            stride: self.stride,
            trans: self.trans.iter().map(|t| AtomicU32::new(t.load(Relaxed))).collect(),
            start: self.start,
            matches_end: self.matches_end,
            fail: self.fail.clone(),
            edge_ranges: self.edge_ranges.clone(),
            edges: self.edges.clone(),
            output_ranges: self.output_ranges.clone(),
            outputs: self.outputs.clone(),
            lengths: self.lengths.clone(),
            longest: self.longest,
        }
    }
}

/// `n` zeroed transitions, from memory the allocator zeroes (fresh pages from
/// the kernel for a table this size), so the rows no walk reaches are never
/// touched: they cost neither start-up time nor resident memory.
fn unknown_transitions(n: usize) -> Vec<AtomicU32> {
    const _: () = assert!(
        std::mem::size_of::<AtomicU32>() == std::mem::size_of::<u32>()
            && std::mem::align_of::<AtomicU32>() == std::mem::align_of::<u32>()
    );
    let mut zeroed = std::mem::ManuallyDrop::new(vec![0u32; n]);
    // SAFETY: `AtomicU32` has the same size, alignment (asserted above) and bit
    // validity as `u32`, so the allocation's layout is the same for both types
    // and every zeroed `u32` is a valid `AtomicU32`; the `Vec<u32>` is not
    // dropped, so the allocation has one owner.
    unsafe { Vec::from_raw_parts(zeroed.as_mut_ptr().cast::<AtomicU32>(), zeroed.len(), zeroed.capacity()) }
}

impl KeywordAutomaton {
    /// Compiles `words` (matched ASCII-case-insensitively); word `i` is reported
    /// as `i`. Empty words are never reported; duplicates are each reported.
    ///
    /// Only the trie, its failure links and the start state's row are built
    /// here; every other row is filled in by [`KeywordAutomaton::fill`] the
    /// first time a walk takes one of its transitions. A scan of one small file
    /// touches a few hundred of the ~20,000 rows the default keywords make.
    pub fn new<W: AsRef<[u8]>>(words: &[W]) -> KeywordAutomaton {
        let words: Vec<Vec<u8>> = words.iter().map(|w| w.as_ref().to_ascii_lowercase()).collect();
        let mut classes = [0u8; 256];
        let mut stride = 1;
        for &b in words.iter().flatten() {
            if classes[usize::from(b)] == 0 {
                // At most 1 + 256 - 26 columns: a u8 holds the index.
                classes[usize::from(b)] = stride as u8;
                classes[usize::from(b.to_ascii_uppercase())] = stride as u8;
                stride += 1;
            }
        }
        // The trie in flat arrays (state 0 is the root): each state's children
        // are a list through `sibling`, with their columns in `label`; `own`
        // pairs each non-empty word with the state it ends in.
        let mut first_child: Vec<u32> = vec![NO_STATE];
        let mut sibling: Vec<u32> = vec![NO_STATE];
        let mut label: Vec<u8> = vec![0];
        // The root's children by column too: most lookups end there.
        let mut root_child = vec![NO_STATE; stride];
        let child = |root_child: &[u32], first_child: &[u32], sibling: &[u32], label: &[u8], s: usize, c: u8| {
            if s == 0 {
                let t = root_child[usize::from(c)];
                return (t != NO_STATE).then_some(t);
            }
            let mut t = first_child[s];
            while t != NO_STATE && label[t as usize] != c {
                t = sibling[t as usize];
            }
            (t != NO_STATE).then_some(t)
        };
        let mut own: Vec<(u32, u32)> = Vec::with_capacity(words.len());
        for (i, w) in words.iter().enumerate().filter(|(_, w)| !w.is_empty()) {
            let mut s = 0usize;
            for &b in w {
                let c = classes[usize::from(b)];
                s = match child(&root_child, &first_child, &sibling, &label, s, c) {
                    Some(t) => t as usize,
                    None => {
                        let t = first_child.len();
                        first_child.push(NO_STATE);
                        sibling.push(first_child[s]);
                        label.push(c);
                        first_child[s] = t as u32;
                        if s == 0 {
                            root_child[usize::from(c)] = t as u32;
                        }
                        t
                    }
                };
            }
            own.push((s as u32, i as u32));
        }
        let states = first_child.len();
        // Row 0 is left to no state (see `UNKNOWN`).
        u32::try_from((states + 1) * stride).expect("the keyword automaton fits u32 offsets");
        own.sort_unstable();
        let mut own_start = vec![0u32; states + 1];
        for &(s, _) in &own {
            own_start[s as usize + 1] += 1;
        }
        for s in 0..states {
            own_start[s + 1] += own_start[s];
        }
        // Breadth-first order, with each state's failure state (the longest
        // proper suffix of its path that is a trie path), found along the
        // parent's failure chain; a state matches if a word ends in it or its
        // failure state matches.
        let mut order = Vec::with_capacity(states);
        let mut fail = vec![0u32; states];
        let mut matching = vec![false; states];
        order.push(0u32);
        let mut next = 0;
        while next < order.len() {
            let s = order[next] as usize;
            next += 1;
            let mut t = first_child[s];
            while t != NO_STATE {
                let (tu, c) = (t as usize, label[t as usize]);
                if s != 0 {
                    let mut f = fail[s] as usize;
                    fail[tu] = loop {
                        if let Some(g) = child(&root_child, &first_child, &sibling, &label, f, c) {
                            break g;
                        }
                        if f == 0 {
                            break 0;
                        }
                        f = fail[f] as usize;
                    };
                }
                matching[tu] = own_start[tu + 1] > own_start[tu] || matching[fail[tu] as usize];
                order.push(t);
                t = sibling[tu];
            }
        }
        // Match states first, then the others, each in breadth-first order,
        // from row 1: `row[s]` is trie state s's row.
        let matches = matching.iter().filter(|&&m| m).count();
        let mut row = vec![0u32; states];
        let (mut next_match, mut next_other) = (1u32, 1 + matches as u32);
        for &s in &order {
            let slot = if matching[s as usize] {
                &mut next_match
            } else {
                &mut next_other
            };
            row[s as usize] = *slot;
            *slot += 1;
        }
        let offset = |s: u32| row[s as usize] * stride as u32;
        let rows = states + 1;
        let (mut fail_by_row, mut edge_ranges) = (vec![0u32; rows], vec![(0u32, 0u32); rows]);
        let mut edges = Vec::with_capacity(states);
        // A match state's words: its own, then its failure state's (whose
        // range is already written, being earlier in breadth-first order).
        let mut word_ranges = vec![(0u32, 0u32); states];
        let mut output_ranges = vec![(0, 0); matches];
        let mut outputs = Vec::new();
        for &s in &order {
            let (su, r) = (s as usize, row[s as usize] as usize);
            fail_by_row[r] = offset(fail[su]);
            let from = edges.len();
            let mut t = first_child[su];
            while t != NO_STATE {
                edges.push((label[t as usize], offset(t)));
                t = sibling[t as usize];
            }
            edges[from..].sort_unstable();
            edge_ranges[r] = (from as u32, edges.len() as u32);
            if matching[su] {
                let from = outputs.len();
                outputs.extend(
                    own[own_start[su] as usize..own_start[su + 1] as usize]
                        .iter()
                        .map(|&(_, w)| w),
                );
                let (f_from, f_to) = word_ranges[fail[su] as usize];
                outputs.extend_from_within(f_from as usize..f_to as usize);
                word_ranges[su] = (from as u32, outputs.len() as u32);
                output_ranges[r - 1] = word_ranges[su];
            }
        }
        let trans = unknown_transitions(rows * stride);
        let start = offset(0);
        // The start state's row: its children, and itself everywhere else.
        for t in &trans[start as usize..start as usize + stride] {
            t.store(start, Relaxed);
        }
        let mut t = first_child[0];
        while t != NO_STATE {
            trans[start as usize + usize::from(label[t as usize])].store(offset(t), Relaxed);
            t = sibling[t as usize];
        }
        KeywordAutomaton {
            classes,
            stride,
            trans,
            start,
            matches_end: ((matches + 1) * stride) as u32,
            fail: fail_by_row,
            edge_ranges,
            edges,
            output_ranges,
            outputs,
            lengths: words.iter().map(|w| w.len() as u32).collect(),
            longest: words.iter().map(Vec::len).max().unwrap_or(0),
        }
    }

    /// Works out and records the transition from the state at row offset `s`
    /// on column `c`: the trie's own edge if there is one, else the failure
    /// state's transition on `c` (filled the same way; the start state's row is
    /// complete, so this ends). Walks on several threads may fill the same
    /// entry at once; they write the same value.
    #[cold]
    #[inline(never)]
    fn fill(&self, s: u32, c: u8) -> u32 {
        let r = s as usize / self.stride;
        let (from, to) = self.edge_ranges[r];
        let edges = &self.edges[from as usize..to as usize];
        let t = match edges.binary_search_by_key(&c, |&(k, _)| k) {
            Ok(i) => edges[i].1,
            Err(_) => self.next_by_column(self.fail[r], c),
        };
        self.trans[s as usize + usize::from(c)].store(t, Relaxed);
        t
    }

    /// The next state after column `c` in state `s`, filling it in if needed.
    #[inline(always)]
    fn next_by_column(&self, s: u32, c: u8) -> u32 {
        match self.trans[(s + u32::from(c)) as usize].load(Relaxed) {
            UNKNOWN => self.fill(s, c),
            t => t,
        }
    }

    /// The number of match states (each hit's `state` is below it).
    pub fn match_states(&self) -> usize {
        self.output_ranges.len()
    }

    /// The words ending in match state `state`, longest first.
    pub fn words_of(&self, state: u32) -> &[u32] {
        let (from, to) = self.output_ranges[state as usize];
        &self.outputs[from as usize..to as usize]
    }

    /// Word `word`'s length in bytes.
    pub fn word_len(&self, word: u32) -> usize {
        self.lengths[word as usize] as usize
    }

    /// The heap bytes the automaton has reserved (the transition table whole,
    /// though only the rows walks have reached are resident).
    pub fn memory_usage(&self) -> usize {
        self.trans.len() * 4
            + self.fail.len() * 4
            + self.edge_ranges.len() * 8
            + self.edges.len() * 8
            + self.outputs.len() * 4
            + self.output_ranges.len() * 8
            + self.lengths.len() * 4
    }

    /// The next state after byte `b` in state `s`.
    #[inline(always)]
    fn next(&self, s: u32, b: u8) -> u32 {
        self.next_by_column(s, self.classes[usize::from(b)])
    }

    /// The table's entry after byte `b` in state `s`, unchecked: [`UNKNOWN`]
    /// (offset 0, below `matches_end`) falls into a walk's rare "match?" path,
    /// where [`KeywordAutomaton::settle`] fills it in, so the hot loop tests
    /// each state once, as it did when the table was built whole.
    #[inline(always)]
    fn step(&self, s: u32, b: u8) -> u32 {
        self.trans[(s + u32::from(self.classes[usize::from(b)])) as usize].load(Relaxed)
    }

    /// After `s = step(prev, b)` fell below `matches_end`: the real state (filled
    /// in if it was unknown) and its match index, if it is a match state.
    #[inline(always)]
    fn settle(&self, s: &mut u32, prev: u32, b: u8) -> Option<u32> {
        if *s == UNKNOWN {
            *s = self.fill(prev, self.classes[usize::from(b)]);
        }
        self.matched(*s)
    }

    /// The state after a walk has read `hay[..=at]`, for a lane that met an
    /// unknown transition there (the lanes do not keep their previous state):
    /// the state names the longest suffix of what was read that begins a word,
    /// so reading the last `longest` bytes from the start state reaches it.
    #[cold]
    #[inline(never)]
    fn state_after(&self, hay: &[u8], at: usize) -> u32 {
        let from = (at + 1).saturating_sub(self.longest);
        hay[from..=at].iter().fold(self.start, |s, &b| self.next(s, b))
    }

    /// The index of match state `s`, if it is one.
    #[inline(always)]
    fn matched(&self, s: u32) -> Option<u32> {
        (s < self.matches_end).then(|| s / self.stride as u32 - 1)
    }

    /// The match states of every word in `hay`, in one plain walk; stops early
    /// when `enough` says so. For short haystacks and one-off questions.
    pub fn for_each_match(&self, hay: &[u8], mut enough: impl FnMut(KeywordHit) -> bool) {
        let mut s = self.start;
        for (k, &b) in hay.iter().enumerate() {
            s = self.next(s, b);
            if let Some(m) = self.matched(s) {
                if enough(KeywordHit { last: k, state: m }) {
                    return;
                }
            }
        }
    }

    /// Finds where words end in `hay`, into `hits`. Not inlined: in a caller of
    /// its own the four lanes' states and pointers stay in registers.
    #[inline(never)]
    pub fn find(&self, hay: &[u8], hits: &mut KeywordHits) {
        hits.clear();
        if self.output_ranges.is_empty() {
            return;
        }
        if hay.len() < MIN_LANE_HAYSTACK {
            self.walk(self.start, hay, 0, &mut hits.lanes[0]);
            return;
        }
        let part = hay.len() / LANES;
        let bounds: [usize; LANES + 1] = std::array::from_fn(|l| if l == LANES { hay.len() } else { l * part });
        // Each lane's state at its part's start, as one walk from the start
        // would have it for every word that ends in the part.
        let warm_up = self.longest.saturating_sub(1);
        let states: [u32; LANES] = std::array::from_fn(|l| {
            let from = bounds[l].saturating_sub(warm_up);
            hay[from..bounds[l]].iter().fold(self.start, |s, &b| self.next(s, b))
        });
        // Equal-length slices zipped: no bounds checks on the input, and one test
        // of the four states for the rare match state. The last part may be
        // longer by up to LANES - 1 bytes; its tail is walked after.
        let (l0, l1, l2, l3) = (
            &hay[bounds[0]..bounds[0] + part],
            &hay[bounds[1]..bounds[1] + part],
            &hay[bounds[2]..bounds[2] + part],
            &hay[bounds[3]..bounds[3] + part],
        );
        let end = self.matches_end;
        let [mut s0, mut s1, mut s2, mut s3] = states;
        for (k, (((&b0, &b1), &b2), &b3)) in l0.iter().zip(l1).zip(l2).zip(l3).enumerate() {
            s0 = self.step(s0, b0);
            s1 = self.step(s1, b1);
            s2 = self.step(s2, b2);
            s3 = self.step(s3, b3);
            if (s0 < end) | (s1 < end) | (s2 < end) | (s3 < end) {
                for (l, s) in [&mut s0, &mut s1, &mut s2, &mut s3].into_iter().enumerate() {
                    if *s == UNKNOWN {
                        *s = self.state_after(hay, bounds[l] + k);
                    }
                    if let Some(m) = self.matched(*s) {
                        hits.lanes[l].push(KeywordHit {
                            last: bounds[l] + k,
                            state: m,
                        });
                    }
                }
            }
        }
        let tail = bounds[3] + part;
        self.walk(s3, &hay[tail..], tail, &mut hits.lanes[3]);
    }

    /// One walk over `bytes` from state `s`, pushing `offset +` the position of
    /// each word's last byte.
    fn walk(&self, mut s: u32, bytes: &[u8], offset: usize, out: &mut Vec<KeywordHit>) {
        let end = self.matches_end;
        for (k, &b) in bytes.iter().enumerate() {
            let prev = s;
            s = self.step(s, b);
            if s < end {
                if let Some(m) = self.settle(&mut s, prev, b) {
                    out.push(KeywordHit {
                        last: offset + k,
                        state: m,
                    });
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aho_corasick::{AhoCorasick, MatchKind};

    /// Every (start, end, word) the automaton finds, sorted.
    fn found(a: &KeywordAutomaton, hay: &[u8]) -> Vec<(usize, usize, usize)> {
        let mut hits = KeywordHits::default();
        a.find(hay, &mut hits);
        let mut out: Vec<_> = hits
            .iter()
            .flat_map(|h| {
                a.words_of(h.state)
                    .iter()
                    .map(move |&w| (h.last + 1 - a.word_len(w), h.last + 1, w as usize))
            })
            .collect();
        out.sort_unstable();
        out
    }

    /// What `aho_corasick`'s overlapping search finds, sorted the same way.
    fn reference(words: &[&str], hay: &[u8]) -> Vec<(usize, usize, usize)> {
        let ac = AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .build(words)
            .expect("builds");
        let mut out: Vec<_> = ac
            .find_overlapping_iter(hay)
            .map(|m| (m.start(), m.end(), m.pattern().as_usize()))
            .collect();
        out.sort_unstable();
        out
    }

    /// A deterministic pseudo-random haystack over a small alphabet, so that
    /// words and their overlaps occur often, with the words planted in it.
    fn haystack(len: usize, words: &[&str], seed: u64) -> Vec<u8> {
        let mut x = seed;
        let mut step = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let mut hay = Vec::with_capacity(len + 64);
        while hay.len() < len {
            let r = step();
            if r % 16 == 0 {
                let w = words[(r >> 8) as usize % words.len()];
                // Upper-case some: the search folds ASCII case.
                if r & 0x100_0000 != 0 {
                    hay.extend(w.bytes().map(|b| b.to_ascii_uppercase()));
                } else {
                    hay.extend_from_slice(w.as_bytes());
                }
            } else {
                hay.push(b"abcknotey_\n \xff"[(r >> 16) as usize % 13]);
            }
        }
        hay
    }

    const WORDS: &[&str] = &[
        "token",
        "ken",
        "api_key",
        "key",
        "a_very_long_keyword_that_crosses_lane_bounds",
        "y_",
        "not",
        "notebook",
        "\u{ff}x",
    ];

    #[test]
    fn finds_what_aho_corasick_finds_in_one_lane_and_in_four() {
        for (len, seed) in [(0, 1), (10, 2), (3000, 3), (5000, 4), (100_003, 5), (250_000, 6)] {
            let hay = haystack(len, WORDS, seed);
            let want = reference(WORDS, &hay);
            assert_eq!(found(&KeywordAutomaton::new(WORDS), &hay), want, "length {len}");
            if len > 5000 {
                assert!(want.len() > 1000, "the haystack exercises the words");
            }
        }
    }

    #[test]
    fn a_word_across_a_lane_boundary_is_found_once() {
        let long = WORDS[4];
        let a = KeywordAutomaton::new(WORDS);
        let len = 40_000;
        let part = len / LANES;
        // Plant the long word so that it ends at every offset around the second
        // lane's start; the rest is bytes no word holds.
        for shift in 0..long.len() + 2 {
            let mut hay = vec![b'#'; len];
            let end = part + shift;
            hay[end - long.len()..end].copy_from_slice(long.as_bytes());
            let hits: Vec<_> = found(&a, &hay).into_iter().filter(|h| h.2 == 4).collect();
            assert_eq!(hits, vec![(end - long.len(), end, 4)], "ending at {end}");
        }
    }

    #[test]
    fn overlapping_and_duplicate_words_are_all_reported() {
        let a = KeywordAutomaton::new(&["key", "KEY", "api_key", "", "y"]);
        let got = found(&a, b"my API_Key");
        assert_eq!(got, vec![(1, 2, 4), (3, 10, 2), (7, 10, 0), (7, 10, 1), (9, 10, 4)]);
        // `y`, `key` (also `KEY`, `y`) and `api_key` (also the words of `key`).
        assert_eq!(a.match_states(), 3);
        let mut sizes: Vec<usize> = (0..3).map(|m| a.words_of(m).len()).collect();
        sizes.sort_unstable();
        assert_eq!(sizes, vec![1, 3, 4]);
    }

    #[test]
    fn rows_filled_by_threads_at_once_agree_with_a_fresh_automaton() {
        // One automaton, its rows filled in by four threads walking different
        // haystacks at the same time; then every haystack again, single-threaded,
        // against aho_corasick.
        let shared = KeywordAutomaton::new(WORDS);
        let hays: Vec<Vec<u8>> = (0..4).map(|seed| haystack(60_000, WORDS, 40 + seed)).collect();
        std::thread::scope(|scope| {
            for hay in &hays {
                let shared = &shared;
                scope.spawn(move || {
                    for _ in 0..3 {
                        assert_eq!(found(shared, hay), reference(WORDS, hay));
                    }
                });
            }
        });
        for hay in &hays {
            assert_eq!(found(&shared, hay), reference(WORDS, hay));
            assert_eq!(found(&shared.clone(), hay), reference(WORDS, hay));
        }
    }

    #[test]
    fn no_words_find_nothing() {
        let a = KeywordAutomaton::new::<&str>(&[]);
        let mut hits = KeywordHits::default();
        a.find(&vec![b'a'; 10_000], &mut hits);
        assert!(hits.is_empty());
        a.for_each_match(b"anything", |_| panic!("no match state"));
    }
}
