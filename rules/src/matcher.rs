//! The matcher: runs a [`RuleSet`] over a haystack. One per thread; it owns the
//! scratch (keyword hits, capture slots) so the rule set stays shared and read-only.
//!
//! Steps: (1) the case-insensitive keyword automaton lists every hit, dropping hits
//! of `exact` keywords whose case differs; (2) per rule, the hits become windows
//! (bytes around the hit, or the hit's line), overlapping windows merge, and the
//! rule's regex runs in each window only; a provider-table rule has no regex: the
//! shared reach ([`crate::reach`]) runs from each hit, and the words between
//! keyword and value must not name an identifier; (3) each candidate secret passes
//! the rule's length bounds, entropy floor, placeholder and stopword rejection and
//! validator; (4) overlaps are resolved by rank
//! ([`crate::compile::Rank`]): a match that overlaps a higher-ranked rule's match,
//! or a candidate that a provider rule *rejected*, is dropped, and a pair rule's
//! match swallows the matches of the rules it subsumes, so one credential is
//! reported once, by the rule that knows most about it.

use std::ops::Range;

use regex::bytes::CaptureLocations;

use crate::compile::{Rank, Rule, RuleSet};
use crate::entropy::shannon_entropy;
use crate::placeholder::{has_marked_shape, is_marked_placeholder};
use crate::spec::Scope;

use crate::extent::MAX_LINE_REACH;
use crate::keywords::KeywordHits;

/// A secret found in a haystack (byte offsets into it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Match {
    /// Index of the rule in its [`RuleSet`].
    pub rule: usize,
    /// The secret itself.
    pub secret: Range<usize>,
    /// The whole regex match (the secret and its context).
    pub span: Range<usize>,
}

#[derive(Debug, Clone, Copy)]
struct Hit {
    rule: u32,
    start: usize,
    end: usize,
}

/// Per-thread scratch for running a [`RuleSet`].
pub struct Matcher<'s> {
    set: &'s RuleSet,
    hits: Vec<Hit>,
    locations: Vec<Option<CaptureLocations>>,
    /// Secrets a provider rule matched and rejected in the current haystack.
    rejected: Vec<Range<usize>>,
    /// Where a provider's case-exact prefix (`ghp_`, `AKIA`, `xoxb-`) starts in
    /// the current haystack, sorted.
    provider_prefixes: Vec<usize>,
    /// Where keywords end in the current haystack.
    keyword_hits: KeywordHits,
    /// Run only the rules of rank [`Rank::Provider`] (see
    /// [`Matcher::set_providers_only`]).
    providers_only: bool,
}

/// A case-exact provider keyword this long or longer is a prefix that names its
/// provider: a generic rule may not report a value that starts with it (the
/// provider rule, which knows its length and checksum, did not accept it).
const MIN_PROVIDER_PREFIX: usize = 3;

impl<'s> Matcher<'s> {
    pub fn new(set: &'s RuleSet) -> Self {
        Matcher {
            set,
            hits: Vec::new(),
            locations: (0..set.rules.len()).map(|_| None).collect(),
            rejected: Vec::new(),
            provider_prefixes: Vec::new(),
            keyword_hits: KeywordHits::default(),
            providers_only: false,
        }
    }

    /// From now on run only provider rules (a prefix, a structure or a
    /// checksum: not tagged `generic` nor compiled from the provider table's
    /// keyword-near-value shapes), or every rule again. The scanner runs only
    /// these on the printable runs of a binary, where a key and a value that
    /// merely sit side by side say nothing.
    pub fn set_providers_only(&mut self, on: bool) {
        self.providers_only = on;
    }

    /// The rule set this matcher runs.
    pub fn rules(&self) -> &'s RuleSet {
        self.set
    }

    /// Appends every secret in `hay` to `out`, ordered by rule then position.
    pub fn find(&mut self, hay: &[u8], out: &mut Vec<Match>) {
        self.begin();
        let mut keyword_hits = std::mem::take(&mut self.keyword_hits);
        let keywords = &self.set.keywords;
        keywords.find(hay, &mut keyword_hits);
        for hit in keyword_hits.iter() {
            for &word in keywords.words_of(hit.state) {
                self.add_hit(hay, word, hit.last + 1);
            }
        }
        self.keyword_hits = keyword_hits;
        self.find_from_hits(hay, out);
    }

    /// Like [`Matcher::find`], for a caller that has walked `hay` for the rule
    /// set's keywords already (the redactor's trigger scan): `hits` are
    /// (keyword, end) pairs, every keyword of [`RuleSet::keyword_index`] that
    /// ends in `hay` and where (exclusive), in any order; a pair for a keyword
    /// that does not end there is ignored.
    pub fn find_with_hits(&mut self, hay: &[u8], hits: impl IntoIterator<Item = (u32, usize)>, out: &mut Vec<Match>) {
        self.begin();
        let keywords = &self.set.keywords;
        for (word, end) in hits {
            let len = keywords.word_len(word);
            if end <= hay.len() && end >= len && hay[end - len..end].eq_ignore_ascii_case(self.set.keyword(word)) {
                self.add_hit(hay, word, end);
            }
        }
        self.find_from_hits(hay, out);
    }

    /// Clears the scratch of the last search.
    fn begin(&mut self) {
        self.hits.clear();
        self.rejected.clear();
        self.provider_prefixes.clear();
    }

    /// Runs the rules of the hits collected (see [`Matcher::add_hit`]).
    fn find_from_hits(&mut self, hay: &[u8], out: &mut Vec<Match>) {
        let first_new = out.len();
        if self.hits.is_empty() {
            return;
        }
        self.hits.sort_unstable_by_key(|h| (h.rule, h.start));
        let hits = std::mem::take(&mut self.hits);
        let mut i = 0;
        while i < hits.len() {
            let rule_index = hits[i].rule as usize;
            let rule = &self.set.rules[rule_index];
            if let Some(shape) = &rule.reach {
                let first = out.len();
                while i < hits.len() && hits[i].rule as usize == rule_index {
                    self.reach_from(rule_index, shape, hay, hits[i], first, out);
                    i += 1;
                }
                continue;
            }
            let mut window: Option<(usize, usize)> = None;
            while i < hits.len() && hits[i].rule as usize == rule_index {
                let (start, end) = window_of(rule, hay, hits[i]);
                window = match window {
                    Some((s, e)) if start <= e => Some((s, e.max(end))),
                    Some(done) => {
                        self.confirm(rule_index, hay, done, out);
                        Some((start, end))
                    }
                    None => Some((start, end)),
                };
                i += 1;
            }
            if let Some(done) = window {
                self.confirm(rule_index, hay, done, out);
            }
        }
        self.hits = hits;
        self.provider_prefixes.sort_unstable();
        self.provider_prefixes.dedup();
        resolve_overlaps(self.set, out, first_new, &self.rejected, &self.provider_prefixes);
    }

    /// The rule hits of keyword `word` ending at `end` of `hay`.
    fn add_hit(&mut self, hay: &[u8], word: u32, end: usize) {
        let start = end - self.set.keywords.word_len(word);
        for trigger in &self.set.triggers[word as usize] {
            if self.providers_only && self.set.rules[trigger.rule as usize].rank != Rank::Provider {
                continue;
            }
            if let Some(exact) = &trigger.exact {
                if hay[start..end] != **exact {
                    continue;
                }
                if exact.len() >= MIN_PROVIDER_PREFIX && self.set.rules[trigger.rule as usize].rank == Rank::Provider {
                    self.provider_prefixes.push(start);
                }
            }
            if crate::gate::rejects(trigger.gate, hay, start) {
                // Inside a word where the rule's boundary cannot hold.
                continue;
            }
            self.hits.push(Hit {
                rule: trigger.rule,
                start,
                end,
            });
        }
    }

    /// Runs a provider-table rule's reach from one keyword hit and keeps what
    /// validates (once per secret: several hits may reach the same value).
    fn reach_from(
        &mut self,
        rule_index: usize,
        shape: &crate::spec::TableShape,
        hay: &[u8],
        hit: Hit,
        first_of_rule: usize,
        out: &mut Vec<Match>,
    ) {
        let rule = &self.set.rules[rule_index];
        let limit = hit.end.saturating_add(rule.window_after);
        let Some(reached) = crate::reach::reach(hay, hit.start..hit.end, limit, shape) else {
            return;
        };
        if crate::table::gap_names_a_non_secret(&hay[reached.gap.clone()]) {
            return;
        }
        if out[first_of_rule..].iter().any(|m| m.secret == reached.secret) {
            return;
        }
        if let Verdict::Accepted = verdict(rule, &hay[reached.secret.clone()]) {
            out.push(Match {
                rule: rule_index,
                span: hit.start..reached.secret.end,
                secret: reached.secret,
            });
        }
    }

    /// Runs one rule's regex over `hay[start..end]` and keeps what validates.
    fn confirm(&mut self, rule_index: usize, hay: &[u8], (start, end): (usize, usize), out: &mut Vec<Match>) {
        let rule = &self.set.rules[rule_index];
        let Ok(compiled) = rule.compiled() else {
            return; // over the size limits: RuleSet::compile_all reports it
        };
        let locations = self.locations[rule_index].get_or_insert_with(|| compiled.regex.capture_locations());
        let bounded = &hay[..end];
        let mut at = start;
        while at <= end {
            let Some(m) = compiled.regex.captures_read_at(locations, bounded, at) else {
                break;
            };
            at = if m.end() > m.start() { m.end() } else { m.end() + 1 };
            let Some((group, (s, e))) = compiled
                .secret_groups
                .iter()
                .find_map(|&g| locations.get(g).map(|span| (g, span)))
            else {
                continue;
            };
            if s >= e || !compiled.limits.fits(m.end() - m.start(), group, e - s) {
                continue;
            }
            match verdict(rule, &hay[s..e]) {
                // A generic rule knows the value by its key: a key that says the
                // value is public, or an anti-forgery token, names no credential.
                Verdict::Accepted
                    if rule.rank == Rank::Generic && crate::table::key_names_a_non_credential(&hay[m.start()..s]) => {}
                Verdict::Accepted => out.push(Match {
                    rule: rule_index,
                    secret: s..e,
                    span: m.start()..m.end(),
                }),
                Verdict::RuledOut if rule.rank == Rank::Provider => self.rejected.push(s..e),
                Verdict::RuledOut | Verdict::Weak => {}
            }
        }
    }
}

/// The bytes a rule's regex may see around one keyword hit.
fn window_of(rule: &Rule, hay: &[u8], hit: Hit) -> (usize, usize) {
    match rule.scope {
        Scope::Window => (
            hit.start.saturating_sub(rule.window_before),
            hit.end.saturating_add(rule.window_after).min(hay.len()),
        ),
        Scope::Line => {
            let floor = hit.start.saturating_sub(MAX_LINE_REACH);
            let start = memchr::memrchr(b'\n', &hay[floor..hit.start]).map_or(floor, |p| floor + p + 1);
            let ceil = hit.end.saturating_add(MAX_LINE_REACH).min(hay.len());
            let end = memchr::memchr(b'\n', &hay[hit.end..ceil]).map_or(ceil, |p| hit.end + p);
            (start, end)
        }
    }
}

/// What a rule makes of a candidate its regex matched.
enum Verdict {
    Accepted,
    /// Too short, too long or too uniform for this rule: another rule may still
    /// know the value.
    Weak,
    /// A placeholder, a stopword, or a failed checksum or structure check: the
    /// value is not a credential, and a provider rule's word on it is final.
    RuledOut,
}

/// A generic rule's entropy floor is written for values of the whole printable
/// alphabet; a hex value (16 symbols) cannot reach it as often: random 32-hex
/// keys average about 3.6 bits and one in three falls under 3.5. For those the
/// floor is that of the provider table's hex values.
const HEX_ENTROPY_FLOOR: f64 = 3.0;

fn entropy_floor(rule: &Rule, secret: &[u8], floor: f64) -> f64 {
    if rule.rank == Rank::Generic && secret.len() >= 16 && secret.iter().all(u8::is_ascii_hexdigit) {
        floor.min(HEX_ENTROPY_FLOOR)
    } else {
        floor
    }
}

/// Length bounds and entropy floor (weak), then placeholder and stopword
/// rejection and the validator (ruled out).
fn verdict(rule: &Rule, secret: &[u8]) -> Verdict {
    if rule
        .secret_length
        .is_some_and(|[min, max]| secret.len() < min || secret.len() > max)
    {
        return Verdict::Weak;
    }
    if rule
        .entropy
        .is_some_and(|floor| shannon_entropy(secret) < entropy_floor(rule, secret, floor))
    {
        return Verdict::Weak;
    }
    // A checksum validator runs once, before the placeholder check it informs.
    let checksummed = rule.validator.is_some_and(|v| v.is_checksum() && v.check(secret));
    if rule.reject_placeholders {
        // Only a value marked as a stand-in is one (see `is_marked_placeholder`);
        // a provider's prefix is left out of the judgement.
        let body = &secret[provider_prefix_len(rule, secret)..];
        let placeholder = if checksummed {
            has_marked_shape(body, secret)
        } else {
            is_marked_placeholder(body, secret)
        };
        if placeholder {
            return Verdict::RuledOut;
        }
    }
    if !rule.stopwords.is_empty() {
        let lower = secret.to_ascii_lowercase();
        if rule.stopwords.iter().any(|w| memchr::memmem::find(&lower, w).is_some()) {
            return Verdict::RuledOut;
        }
    }
    if checksummed || rule.validator.is_none_or(|v| !v.is_checksum() && v.check(secret)) {
        Verdict::Accepted
    } else {
        Verdict::RuledOut
    }
}

/// The length of the provider prefix `secret` begins with: one of a provider
/// rule's keywords of three bytes or more (`glcbt-`, `sntrys_`, `AKIA`), or 0.
fn provider_prefix_len(rule: &Rule, secret: &[u8]) -> usize {
    if rule.rank != Rank::Provider {
        return 0;
    }
    rule.keywords
        .iter()
        .map(String::as_bytes)
        .filter(|k| k.len() >= 3 && secret.len() > k.len() && secret[..k.len()].eq_ignore_ascii_case(k))
        .map(<[u8]>::len)
        .max()
        .unwrap_or(0)
}

fn overlaps(a: &Range<usize>, b: &Range<usize>) -> bool {
    a.start < b.end && b.start < a.end
}

/// Ranges sorted by start, with the largest end so far at each place, so that
/// the ones overlapping a range are found by looking only near it.
struct Ranges {
    /// (range, its index in the input), by start.
    sorted: Vec<(Range<usize>, usize)>,
    /// `max_end[i]`: the largest end among `sorted[..=i]`.
    max_end: Vec<usize>,
}

impl Ranges {
    fn new(ranges: impl Iterator<Item = Range<usize>>) -> Ranges {
        let mut sorted: Vec<(Range<usize>, usize)> = ranges.enumerate().map(|(i, r)| (r, i)).collect();
        sorted.sort_unstable_by_key(|(r, i)| (r.start, *i));
        let max_end = sorted
            .iter()
            .scan(0, |most, (r, _)| {
                *most = (*most).max(r.end);
                Some(*most)
            })
            .collect();
        Ranges { sorted, max_end }
    }

    /// Whether some range overlapping `r` satisfies `wanted` (given its index).
    fn any_overlapping(&self, r: &Range<usize>, mut wanted: impl FnMut(usize) -> bool) -> bool {
        // Every range that starts before `r` ends, nearest first, until none
        // before can reach into `r`.
        let starts_before_end = self.sorted.partition_point(|(x, _)| x.start < r.end);
        for j in (0..starts_before_end).rev() {
            if self.max_end[j] <= r.start {
                return false;
            }
            let (x, index) = &self.sorted[j];
            if overlaps(x, r) && wanted(*index) {
                return true;
            }
        }
        false
    }
}

/// Resolves overlapping matches among `out[first_new..]`: drops each match that
/// overlaps a higher-ranked rule's match or a candidate a provider rule rejected
/// (when its own rank is lower), each generic match whose value starts with a
/// provider's prefix, and each match of a rule that another match's rule
/// subsumes, inside that match's span.
fn resolve_overlaps(
    set: &RuleSet,
    out: &mut Vec<Match>,
    first_new: usize,
    rejected: &[Range<usize>],
    provider_prefixes: &[usize],
) {
    let new = &out[first_new..];
    let rank = |m: &Match| set.rules[m.rule].rank;
    let lowest = new.iter().map(rank).min();
    let highest = new.iter().map(rank).max();
    let any_subsumer = new.iter().any(|m| !set.rules[m.rule].subsumes.is_empty());
    let mixed = lowest != highest;
    let rejections_matter =
        (!rejected.is_empty() || !provider_prefixes.is_empty()) && lowest.is_some_and(|r| r < Rank::Provider);
    if !mixed && !rejections_matter && !any_subsumer {
        return;
    }
    let mut new = out.split_off(first_new);
    // Indexed by position, so that each match is compared with the matches and
    // rejections that overlap it, not with all of them (a log of thousands of
    // tokens made this quadratic).
    let secrets = Ranges::new(new.iter().map(|m| m.secret.clone()));
    let rejections = Ranges::new(rejected.iter().cloned());
    let subsumers: Vec<&Match> = new.iter().filter(|o| !set.rules[o.rule].subsumes.is_empty()).collect();
    let keep: Vec<bool> = new
        .iter()
        .map(|m| {
            let r = rank(m);
            if r < Rank::Provider && rejections.any_overlapping(&m.secret, |_| true) {
                return false;
            }
            if r == Rank::Generic && provider_prefixes.binary_search(&m.secret.start).is_ok() {
                return false;
            }
            let outranked = secrets.any_overlapping(&m.secret, |o| rank(&new[o]) > r);
            let subsumed = subsumers.iter().any(|o| {
                set.rules[o.rule].subsumes.contains(&(m.rule as u32))
                    && o.span.start <= m.secret.start
                    && m.secret.end <= o.span.end
            });
            !outranked && !subsumed
        })
        .collect();
    let mut flags = keep.into_iter();
    new.retain(|_| flags.next().unwrap_or(true));
    out.append(&mut new);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pack::load_pack;

    fn set(body: &str) -> RuleSet {
        RuleSet::compile(load_pack("t.toml", body).expect("parses")).expect("compiles")
    }

    #[test]
    fn handed_hits_find_what_the_matchers_own_walk_finds() {
        let set = RuleSet::default_rules().expect("default rules compile");
        let mut matcher = Matcher::new(&set);
        let mut keyword_hits = KeywordHits::default();
        let (mut checked, mut found_any) = (0, 0);
        for rule in set.rules() {
            for example in rule.spec.examples.iter().chain(&rule.spec.negative_examples) {
                let hay = example.as_bytes();
                let mut own = Vec::new();
                matcher.find(hay, &mut own);
                set.keywords.find(hay, &mut keyword_hits);
                let mut hits: Vec<(u32, usize)> = keyword_hits
                    .iter()
                    .flat_map(|h| set.keywords.words_of(h.state).iter().map(move |&w| (w, h.last + 1)))
                    .collect();
                // In any order, with a pair whose keyword does not end there.
                hits.reverse();
                hits.push((0, hay.len()));
                let mut handed = Vec::new();
                matcher.find_with_hits(hay, hits, &mut handed);
                let key = |m: &Match| (m.rule, m.span.start, m.span.end, m.secret.start, m.secret.end);
                let (mut own, mut handed): (Vec<_>, Vec<_>) =
                    (own.iter().map(key).collect(), handed.iter().map(key).collect());
                own.sort();
                handed.sort();
                assert_eq!(own, handed, "{example:?}");
                checked += 1;
                found_any += usize::from(!own.is_empty());
            }
        }
        assert!(
            checked > 2000 && found_any > 1000,
            "{checked} examples, {found_any} with a match"
        );
    }

    const RULES: &str = r#"
[[rules]]
id = "tok"
name = "token"
keywords = ["tok_"]
keyword_case = "exact"
regex = '(?P<secret>tok_[a-z0-9]{8})'
severity = "high"
confidence = "high"
remediation = "r"

[[rules]]
id = "gen"
name = "generic"
keywords = ["key"]
scope = "line"
regex = 'key\s*=\s*(?P<secret>\S+)'
severity = "low"
confidence = "low"
tags = ["generic"]
remediation = "r"
"#;

    fn ids(set: &RuleSet, hay: &[u8]) -> Vec<(String, String)> {
        let mut m = Matcher::new(set);
        let mut out = Vec::new();
        m.find(hay, &mut out);
        out.iter()
            .map(|x| {
                (
                    set.rule(x.rule).id.clone(),
                    String::from_utf8_lossy(&hay[x.secret.clone()]).into_owned(),
                )
            })
            .collect()
    }

    #[test]
    fn exact_keywords_respect_case() {
        let s = set(RULES);
        assert_eq!(
            ids(&s, b"a tok_a8k2m4q9 b"),
            vec![("tok".into(), "tok_a8k2m4q9".into())]
        );
        assert!(ids(&s, b"a TOK_a8k2m4q9 b").is_empty());
    }

    #[test]
    fn generic_match_overlapping_a_specific_one_is_dropped() {
        let s = set(RULES);
        assert_eq!(
            ids(&s, b"key = tok_a8k2m4q9"),
            vec![("tok".into(), "tok_a8k2m4q9".into())]
        );
        assert_eq!(ids(&s, b"key = Zq8wV3rT"), vec![("gen".into(), "Zq8wV3rT".into())]);
    }

    #[test]
    fn line_scope_does_not_cross_lines() {
        let s = set(RULES);
        assert!(ids(&s, b"key\n= Zq8wV3rT").is_empty());
    }

    #[test]
    fn a_provider_rejection_is_final_for_generic_rules() {
        // `tok` rules the value out (a stopword): the generic rule, which would
        // accept it alone, may not report the span the provider rule ruled out.
        let s = set(&RULES.replace("confidence = \"high\"", "confidence = \"high\"\nstopwords = [\"aaaa\"]"));
        // (`X` before the prefix: the generic value does not start with it.)
        assert!(ids(&s, b"key = Xtok_aaaabbbb").is_empty());
        assert_eq!(ids(&s, b"key = Zq8wV3rT"), vec![("gen".into(), "Zq8wV3rT".into())]);
    }

    #[test]
    fn a_weak_provider_candidate_leaves_the_value_to_other_rules() {
        // Too little entropy for `tok` is not a verdict on the value: the generic
        // rule still reports it (a value that does not start with the prefix)...
        let s = set(&RULES.replace("confidence = \"high\"", "confidence = \"high\"\nentropy = 3.5"));
        assert_eq!(
            ids(&s, b"key = Xtok_aaaabbbb"),
            vec![("gen".into(), "Xtok_aaaabbbb".into())]
        );
        // ...but a value that starts with the provider's prefix is the provider's
        // to judge.
        assert!(ids(&s, b"key = tok_aaaabbbb").is_empty());
    }

    #[test]
    fn a_generic_rule_judges_hex_values_by_the_hex_floor() {
        let s = set(&RULES.replace("confidence = \"low\"", "confidence = \"low\"\nentropy = 3.5"));
        // 32 hex digits of 3.44 bits: under the generic floor, over the hex one.
        let hex = ["e12d5e1fc3711cda", "73aa8cff52c1a6c8"].concat();
        assert!(shannon_entropy(hex.as_bytes()) < 3.5);
        assert_eq!(ids(&s, format!("key = {hex}").as_bytes()), vec![("gen".into(), hex)]);
        // A non-hex value of the same entropy stays under the floor.
        assert!(ids(&s, b"key = abcabcabxyzxyzqq").is_empty());
    }

    #[test]
    fn a_pair_rule_subsumes_its_parts() {
        let pair = r#"
[[rules]]
id = "id"
name = "id"
keywords = ["KID"]
keyword_case = "exact"
regex = '(?P<secret>KID[0-9]{4})'
severity = "low"
confidence = "high"
remediation = "r"

[[rules]]
id = "pair"
name = "pair"
keywords = ["KID"]
keyword_case = "exact"
regex = 'KID[0-9]{4}\s+(?P<secret>[a-z]{8})'
subsumes = ["id"]
severity = "high"
confidence = "high"
remediation = "r"
"#;
        let s = set(pair);
        assert_eq!(ids(&s, b"KID1234 qwertzui"), vec![("pair".into(), "qwertzui".into())]);
        assert_eq!(ids(&s, b"KID1234 and no more"), vec![("id".into(), "KID1234".into())]);
    }

    #[test]
    fn indexed_ranges_find_what_comparing_with_all_finds() {
        let mut x = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = move |n: u64| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x % n) as usize
        };
        for round in 0..200 {
            // Short ranges and a few long ones (key blocks), some empty.
            let ranges: Vec<Range<usize>> = (0..1 + next(40))
                .map(|_| {
                    let start = next(500);
                    let len = if next(10) == 0 { next(300) } else { next(12) };
                    start..start + len
                })
                .collect();
            let index = Ranges::new(ranges.iter().cloned());
            for _ in 0..50 {
                let start = next(520);
                let probe = start..start + 1 + next(30);
                let odd = |i: usize| i % 2 == 1;
                let want = ranges.iter().enumerate().any(|(i, r)| overlaps(r, &probe) && odd(i));
                assert_eq!(index.any_overlapping(&probe, odd), want, "round {round}, {probe:?}");
            }
        }
    }

    #[test]
    fn many_hits_in_one_window_report_each_secret_once() {
        let s = set(RULES);
        let hay = b"tok_a8k2m4q9 tok_b7j3n5r1 tok_a8k2m4q9";
        assert_eq!(ids(&s, hay).len(), 3);
    }
}
