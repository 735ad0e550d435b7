//! Long counted repetitions, compiled small. A rule bounds a value's length the
//! way its format does (`[A-Za-z0-9+/=]{100,8000}` for a PEM body, `{20,247}` for
//! a Stripe key, `[\s\S]{0,1500}?` for a gap), and the regex engine compiles
//! `X{m,n}` into `n` copies of `X`: a few such rules made NFAs of 70,000 states,
//! and every scanning thread's lazy-DFA cache for them grows with that size.
//! Measured on the shared tree with two threads, the rules' regexes as written
//! held 13 MB more at peak than with these repetitions relaxed.
//!
//! So a repetition whose upper bound is [`LONG_REPETITION`] or more is compiled
//! as `X{m,}`, and the bounds it dropped are checked on each match instead: the
//! whole match and each secret group may be no longer than the regex as written
//! allows ([`Limits::fits`]). Within those limits the relaxed regex matches what
//! the written one does: a repetition shorter than its old bound is unchanged,
//! and a lazy one still stops at its first chance. One difference is accepted: a
//! greedy repetition followed by nothing that stops it (`[a-z]{20,247}` at the end
//! of a regex with no boundary) used to report the first 247 bytes of a longer
//! run; the relaxed regex takes the whole run, which is then too long and not
//! reported. A value longer than its format allows is not that format's.

use regex_syntax::ast::{self, Ast, RepetitionKind, RepetitionRange};
use regex_syntax::hir::{Hir, HirKind};

/// Upper bounds from here on are dropped from the compiled regex.
pub(crate) const LONG_REPETITION: u32 = 100;

/// What a pattern's relaxed repetitions bounded, to check on matches.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Limits {
    /// Whether a repetition was relaxed (if not, the pattern is the original and
    /// the limits below need no checking).
    pub changed: bool,
    /// The longest whole match the original allows (`None`: unbounded).
    pub max_match: Option<usize>,
    /// By capture group index: the longest text that group can hold.
    pub max_group: Vec<Option<usize>>,
}

impl Limits {
    /// Whether a match of the relaxed regex, `whole` bytes long with its secret
    /// in group `group` of `secret` bytes, is within the original's limits.
    pub fn fits(&self, whole: usize, group: usize, secret: usize) -> bool {
        !self.changed
            || (self.max_match.is_none_or(|max| whole <= max)
                && self
                    .max_group
                    .get(group)
                    .copied()
                    .flatten()
                    .is_none_or(|max| secret <= max))
    }
}

/// `pattern` with its long repetitions made open-ended, and what they bounded.
/// A pattern that does not parse is returned as it is (the regex compiler then
/// reports the error).
pub(crate) fn relax(pattern: &str) -> (String, Limits) {
    let unchanged = (pattern.to_owned(), Limits::default());
    let Ok(mut parsed) = ast::parse::Parser::new().parse(pattern) else {
        return unchanged;
    };
    if !open_long_repetitions(&mut parsed) {
        return unchanged;
    }
    let Ok(hir) = crate::hir::parse(pattern) else {
        return unchanged;
    };
    let mut max_group = Vec::new();
    group_limits(&hir, &mut max_group);
    let mut printed = String::new();
    if ast::print::Printer::new().print(&parsed, &mut printed).is_err() {
        return unchanged;
    }
    let limits = Limits {
        changed: true,
        max_match: hir.properties().maximum_len(),
        max_group,
    };
    (printed, limits)
}

/// Turns every `{m,n}` with `n >= LONG_REPETITION` into `{m,}`; true if any was.
fn open_long_repetitions(node: &mut Ast) -> bool {
    match node {
        Ast::Repetition(rep) => {
            let mut changed = open_long_repetitions(&mut rep.ast);
            if let RepetitionKind::Range(RepetitionRange::Bounded(min, max)) = rep.op.kind {
                if max >= LONG_REPETITION {
                    rep.op.kind = RepetitionKind::Range(RepetitionRange::AtLeast(min));
                    changed = true;
                }
            }
            changed
        }
        Ast::Group(group) => open_long_repetitions(&mut group.ast),
        Ast::Alternation(alt) => alt.asts.iter_mut().fold(false, |c, a| open_long_repetitions(a) | c),
        Ast::Concat(concat) => concat.asts.iter_mut().fold(false, |c, a| open_long_repetitions(a) | c),
        _ => false,
    }
}

/// Records each capture group's longest text, by group index.
fn group_limits(hir: &Hir, out: &mut Vec<Option<usize>>) {
    match hir.kind() {
        HirKind::Capture(capture) => {
            let index = capture.index as usize;
            if out.len() <= index {
                out.resize(index + 1, None);
            }
            out[index] = capture.sub.properties().maximum_len();
            group_limits(&capture.sub, out);
        }
        HirKind::Repetition(rep) => group_limits(&rep.sub, out),
        HirKind::Concat(subs) | HirKind::Alternation(subs) => {
            for sub in subs {
                group_limits(sub, out);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_bounds_open_and_short_ones_stay() {
        let (pattern, r) = relax(r"key=(?P<secret>[A-Za-z0-9]{20,247})\b[\s\S]{0,1500}?END|x{2,5}");
        assert!(r.changed);
        assert_eq!(pattern, r"key=(?P<secret>[A-Za-z0-9]{20,})\b[\s\S]{0,}?END|x{2,5}");
        assert_eq!(r.max_match, Some(4 + 247 + 1500 + 3));
        assert_eq!(r.max_group[1], Some(247));
        let (pattern, short) = relax(r"(?i)token[:=](?P<secret>[a-f0-9]{32,64})");
        assert!(!short.changed);
        assert_eq!(pattern, r"(?i)token[:=](?P<secret>[a-f0-9]{32,64})");
    }

    #[test]
    fn the_original_limits_are_checked_on_matches() {
        let (pattern, r) = relax(r"k=(?P<secret>[a-z]{3,120})(?:;|$)");
        let re = regex::bytes::Regex::new(&pattern).expect("relaxed pattern compiles");
        let fits = |text: &str| {
            let caps = re.captures(text.as_bytes()).expect("matches");
            let (whole, secret) = (caps.get(0).expect("whole"), caps.name("secret").expect("secret"));
            r.fits(whole.len(), 1, secret.len())
        };
        assert!(fits(&format!("k={};", "a".repeat(120))));
        assert!(!fits(&format!("k={};", "a".repeat(121))));
        assert!(fits("k=abc"));
    }

    #[test]
    fn nested_and_flagged_patterns_print_back() {
        let pattern = r"(?i:fingerprint)\s*(?:(?:[0-9a-f]{2}:){15}[0-9a-f]{2})[\s\S]{0,1500}?(?P<secret>-----BEGIN (?:RSA )?PRIVATE KEY-----[A-Za-z0-9+/=\\\s]{100,8000}?-----END)";
        let (relaxed, r) = relax(pattern);
        assert!(r.changed);
        assert!(relaxed.contains(r"[A-Za-z0-9+/=\\\s]{100,}?"), "{relaxed}");
        assert!(relaxed.contains(r"(?:[0-9a-f]{2}:){15}"), "{relaxed}");
        regex::bytes::RegexBuilder::new(&relaxed)
            .unicode(false)
            .build()
            .expect("compiles");
    }

    #[test]
    fn unparsable_patterns_are_left_alone() {
        let (pattern, r) = relax(r"(unclosed{1,500}");
        assert!(!r.changed);
        assert_eq!(pattern, r"(unclosed{1,500}");
    }
}
