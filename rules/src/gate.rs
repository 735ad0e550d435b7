//! Keyword gates: which bytes may not come right before a rule's keyword hit,
//! read from the rule's regex.
//!
//! Most provider rules begin with a boundary and then their prefix:
//! `(?:^|[^A-Za-z0-9_])(?P<secret>ion_[A-Za-z0-9]{42})`. Such a rule can only
//! match where its keyword follows a byte the boundary allows, so a hit inside a
//! word (`ion_` in `duration_ms`, `session_id`) can be dropped before any regex
//! runs: the scanner skips the window, and the redactor does not even take the
//! line for a candidate. That is what a keyword like `ion_` costs without a gate:
//! it hit on every JSON log line with a `duration_ms` field.
//!
//! The gate is derived, never written by hand: a rule gets one only when its
//! regex is a concatenation whose first item is a boundary (`\b`, `^`, a
//! one-byte class, or an alternation of those) and every literal prefix of the
//! rest (regex-syntax's prefix extraction, which every match begins with) begins
//! with one of the rule's keywords, compared as the keyword's case mode compares.
//! Then every match begins with a hit of some keyword of the rule right after a
//! byte the boundary allows, so dropping hits after any other ASCII word byte
//! loses no match. Anything else (a top-level alternation, a keyword inside the
//! secret, a prefix longer than the extractor keeps) gets no gate.
//!
//! This file depends on regex-syntax and `hir.rs` alone: the build script includes them to
//! derive the built-in rules' gates at build time (parsing every regex at
//! start-up took over 100 ms), and the engine calls it for the rules of other
//! packs, whose regexes it parses at load anyway.

use regex_syntax::hir::literal::{ExtractKind, Extractor};
use regex_syntax::hir::{Class, Hir, HirKind, Look};

/// A set of ASCII bytes, bit `b` for byte `b`.
pub type AsciiSet = u128;

/// ASCII word bytes: `[A-Za-z0-9_]`.
const WORD: AsciiSet = {
    let mut set = 0u128;
    let mut b = 0u8;
    while b < 128 {
        if b.is_ascii_alphanumeric() || b == b'_' {
            set |= 1 << b;
        }
        b += 1;
    }
    set
};

/// The ASCII word bytes that may not precede a hit of any of `keywords` for a
/// rule whose regex is `regex` (0: no gate). `exact` is the keywords' case mode
/// (`keyword_case = "exact"`).
pub fn keyword_gate(regex: &str, keywords: &[String], exact: bool) -> AsciiSet {
    let Ok(hir) = super::hir::parse(regex) else {
        return 0;
    };
    let HirKind::Concat(items) = hir.kind() else {
        return 0;
    };
    let Some((first, rest)) = items.split_first() else {
        return 0;
    };
    let Some(boundary) = boundary(first) else {
        return 0;
    };
    let rest = Hir::concat(rest.to_vec());
    let seq = Extractor::new()
        .kind(ExtractKind::Prefix)
        .limit_literal_len(64)
        .limit_class(4)
        .limit_total(256)
        .extract(&rest);
    let Some(literals) = seq.literals() else {
        return 0;
    };
    if literals.is_empty() {
        return 0;
    }
    let begins_with_keyword = |lit: &[u8]| {
        keywords.iter().any(|k| {
            let k = k.as_bytes();
            lit.len() >= k.len()
                && if exact {
                    lit.starts_with(k)
                } else {
                    lit[..k.len()].eq_ignore_ascii_case(k)
                }
        })
    };
    let all = literals.iter().all(|lit| {
        let bytes = lit.as_bytes();
        begins_with_keyword(bytes) && (!boundary.word_first || bytes.first().is_some_and(|&b| is_word(b)))
    });
    if !all {
        return 0;
    }
    WORD & !boundary.allowed
}

/// What a regex's first item says about the byte before the rest.
struct Boundary {
    /// The ASCII bytes that may come before the rest.
    allowed: AsciiSet,
    /// The boundary holds only if the rest begins with a word byte (`\b`).
    word_first: bool,
}

fn boundary(hir: &Hir) -> Option<Boundary> {
    match hir.kind() {
        HirKind::Look(Look::WordAscii | Look::WordUnicode) => Some(Boundary {
            allowed: !WORD,
            word_first: true,
        }),
        HirKind::Look(
            Look::WordStartAscii | Look::WordStartUnicode | Look::WordStartHalfAscii | Look::WordStartHalfUnicode,
        ) => Some(Boundary {
            allowed: !WORD,
            word_first: false,
        }),
        HirKind::Alternation(alternatives) => {
            let mut allowed = 0;
            for alternative in alternatives {
                allowed |= one_byte_before(alternative)?;
            }
            Some(Boundary {
                allowed,
                word_first: false,
            })
        }
        _ => one_byte_before(hir).map(|allowed| Boundary {
            allowed,
            word_first: false,
        }),
    }
}

/// The ASCII bytes that may come right before what follows `hir`, when `hir` is
/// a line or text start or matches one byte; `None` for anything else.
fn one_byte_before(hir: &Hir) -> Option<AsciiSet> {
    match hir.kind() {
        HirKind::Look(Look::Start) => Some(0),
        HirKind::Look(Look::StartLF) => Some(1 << b'\n'),
        HirKind::Look(Look::StartCRLF) => Some(1 << b'\n' | 1 << b'\r'),
        HirKind::Literal(lit) if lit.0.len() == 1 => Some(ascii(lit.0[0], lit.0[0])),
        HirKind::Class(Class::Bytes(class)) => Some(
            class
                .iter()
                .fold(0, |set, range| set | ascii(range.start(), range.end())),
        ),
        HirKind::Class(Class::Unicode(class)) => Some(class.iter().fold(0, |set, range| {
            let (start, end) = (u32::from(range.start()), u32::from(range.end()).min(127));
            if start > 127 {
                set
            } else {
                set | ascii(start as u8, end as u8)
            }
        })),
        _ => None,
    }
}

/// The ASCII bytes from `start` to `end` inclusive (bytes past 127 left out).
fn ascii(start: u8, end: u8) -> AsciiSet {
    (start..=end.min(127)).fold(0, |set, b| set | 1 << b)
}

fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Whether a hit starting at `start` in `hay` is gated out by `gate`: the byte
/// before it is one the rule's boundary does not allow.
#[inline]
pub fn rejects(gate: AsciiSet, hay: &[u8], start: usize) -> bool {
    gate != 0 && start > 0 && hay[start - 1] < 128 && gate & (1 << hay[start - 1]) != 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gate(regex: &str, keywords: &[&str], exact: bool) -> AsciiSet {
        let keywords: Vec<String> = keywords.iter().map(|k| (*k).to_owned()).collect();
        keyword_gate(regex, &keywords, exact)
    }

    fn rejected(set: AsciiSet) -> String {
        (0u8..128).filter(|&b| set & (1 << b) != 0).map(char::from).collect()
    }

    #[test]
    fn a_boundary_class_before_the_prefix_gates_word_bytes() {
        let g = gate(r"(?:^|[^A-Za-z0-9_])(?P<secret>ion_[A-Za-z0-9]{42})", &["ion_"], true);
        assert_eq!(g, WORD);
        assert!(rejects(g, b"duration_ms", 4));
        assert!(!rejects(g, b"x ion_", 2));
        assert!(
            !rejects(g, b"ion_", 0),
            "the haystack's first byte has nothing before it"
        );
    }

    #[test]
    fn a_class_that_allows_some_word_bytes_gates_only_the_others() {
        let g = gate(
            r"(?:^|[^A-Za-z0-9./$])(?P<secret>sk_live_[A-Za-z0-9]{24})",
            &["sk_live_"],
            true,
        );
        assert_eq!(rejected(g), rejected(WORD & !(1 << b'_')));
        let g = gate(
            r"(?:^|[^A-Za-z0-9_-])(?P<secret>glpat-[A-Za-z0-9_-]{20})",
            &["glpat-"],
            true,
        );
        assert_eq!(
            g, WORD,
            "'-' is not a word byte: the gate is only ever about word bytes"
        );
    }

    #[test]
    fn word_boundaries_and_line_starts_gate() {
        assert_eq!(gate(r"\b(?P<secret>glpat-[A-Za-z0-9]{20})", &["glpat-"], true), WORD);
        assert_eq!(gate(r"(?m:^)TOKEN=(?P<secret>\w+)", &["token="], false), WORD);
        // `\b` before a non-word byte means a word byte must precede: no gate.
        assert_eq!(gate(r"\b-----BEGIN KEY", &["-----BEGIN"], true), 0);
    }

    #[test]
    fn every_prefix_must_begin_with_a_keyword() {
        // Two prefixes, both keywords.
        let both = gate(
            r"(?:^|[^A-Za-z0-9_])(?P<secret>sk-(?:proj|None)-[A-Za-z0-9]{20})",
            &["sk-proj-", "sk-None-"],
            true,
        );
        assert_eq!(both, WORD);
        // One of them is not a keyword: a hit of the other could be the only one.
        assert_eq!(gate(r"(?:^|[^a-z])(?:abc_|xyz_)[a-z]{9}", &["abc_"], true), 0);
        // The keyword is not where the match begins.
        assert_eq!(gate(r"(?:^|[^a-z])token=(?P<secret>ghp_[a-z]{9})", &["ghp_"], true), 0);
        // A keyword inside a case-insensitive prefix: compared the keyword's way.
        assert_eq!(gate(r"(?i)\bapi_[a-z]{9}", &["api_"], false), WORD);
        assert_eq!(
            gate(r"(?i)\bapi_[a-z]{9}", &["api_"], true),
            0,
            "API_ is a match no exact api_ hit finds"
        );
    }

    #[test]
    fn anything_else_gets_no_gate() {
        for regex in [
            r"(?P<secret>ion_[A-Za-z0-9]{42})",
            r"(?:^|[^A-Za-z0-9_])ion_x|y",
            r"(?:^|\s+)ion_[a-z]{4}",
            r"(?:^|[^A-Za-z0-9_])(?:ion_)?[a-z]{4}",
            r"(unbalanced",
        ] {
            assert_eq!(gate(regex, &["ion_"], true), 0, "{regex}");
        }
    }
}
