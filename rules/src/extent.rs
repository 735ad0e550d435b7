//! How far a rule's match can reach from its keyword: in bytes (its windows) and
//! in lines (whether the match can cross a line break, and whether it can go on
//! past a line break once its secret has begun). [`crate::Rule::extent`] puts a
//! rule's windows and its regex's line shape (found here) together.
//!
//! Everything that cuts input into pieces derives its limits from these: the
//! scanner's chunk overlap (a match must fit in it whole, see
//! [`crate::RuleSet::max_span`]) and the redactor's look-back and hold (a line
//! after a keyword is searched with the keyword's line as context while the
//! keyword's window reaches it: lines after an open keyword line, or after a
//! keyword whose match can go on past its secret, are held until the window is
//! covered, and searched together).

use regex_syntax::hir::{Class, Hir, HirKind};

/// The widest window (bytes before plus bytes after a keyword) a rule may ask
/// for. Chunk overlaps and the redactor's look-back are derived from the widest
/// window of the loaded rules; a rule asking more is refused at load.
pub const MAX_WINDOW: usize = 64 << 10;

/// How far a scope-`line` rule reaches either side of its keyword.
pub(crate) const MAX_LINE_REACH: usize = 1024;

/// How far one rule's match can reach from one keyword hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Extent {
    /// Bytes before the keyword's first byte where the match may begin.
    pub before: usize,
    /// Bytes after the keyword's last byte where the match may end.
    pub after: usize,
    /// Whether one match can hold a line break (a keyword on one line, its value
    /// on the next; a private key block).
    pub crosses_lines: bool,
    /// Whether the match can go on past a line break at or after the start of
    /// its secret (a multi-line secret, or context after it on a later line):
    /// the secret's line cannot be judged until the window is seen.
    pub continues_after_secret: bool,
}

/// The line shape of a regex: whether it can match a line break at all, and at
/// or after the start of its secret group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct LineShape {
    pub crosses_lines: bool,
    pub continues_after_secret: bool,
}

/// Parses `pattern` as the engine compiles it and finds its line shape; a pattern
/// that does not parse (refused elsewhere) is taken to cross lines everywhere.
pub(crate) fn line_shape_of(pattern: &str) -> LineShape {
    let Ok(hir) = crate::hir::parse(pattern) else {
        return LineShape {
            crosses_lines: true,
            continues_after_secret: true,
        };
    };
    let whole = segment(&hir);
    let tail = tail_of(&hir);
    LineShape {
        crosses_lines: whole.newline_then_more,
        // No secret group: the whole match is the secret.
        continues_after_secret: match tail {
            Some(tail) => tail.newline_then_more,
            None => whole.newline_then_more,
        },
    }
}

/// What matters about a piece of a regex for line breaks. A match that ends with
/// the line break (a trailing `[^A-Za-z0-9]` that takes the `\n`) does not reach
/// the next line: only a line break followed by more of the match does.
#[derive(Debug, Clone, Copy, Default)]
struct Segment {
    /// Some match holds a `\n`.
    newline: bool,
    /// Some match holds a `\n` followed by at least one more byte.
    newline_then_more: bool,
    /// Some match is not empty.
    nonempty: bool,
}

/// Segments matched one after the other.
fn concat(parts: impl IntoIterator<Item = Segment>) -> Segment {
    let mut all = Segment::default();
    for part in parts {
        all.newline_then_more |= part.newline_then_more || (all.newline && part.nonempty);
        all.newline |= part.newline;
        all.nonempty |= part.nonempty;
    }
    all
}

/// Segments of which one or the other matches.
fn either(a: Segment, b: Segment) -> Segment {
    Segment {
        newline: a.newline || b.newline,
        newline_then_more: a.newline_then_more || b.newline_then_more,
        nonempty: a.nonempty || b.nonempty,
    }
}

fn segment(hir: &Hir) -> Segment {
    let nonempty = hir.properties().maximum_len() != Some(0);
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => Segment::default(),
        HirKind::Literal(lit) => Segment {
            newline: lit.0.contains(&b'\n'),
            newline_then_more: lit.0.iter().rev().skip(1).any(|&b| b == b'\n'),
            nonempty,
        },
        HirKind::Class(class) => Segment {
            newline: class_has_newline(class),
            newline_then_more: false,
            nonempty,
        },
        HirKind::Repetition(rep) if rep.max == Some(0) => Segment::default(),
        HirKind::Repetition(rep) => {
            let one = segment(&rep.sub);
            if rep.max == Some(1) {
                one
            } else {
                concat([one, one])
            }
        }
        HirKind::Capture(cap) => segment(&cap.sub),
        HirKind::Concat(subs) => concat(subs.iter().map(segment)),
        HirKind::Alternation(subs) => subs.iter().map(segment).fold(Segment::default(), either),
    }
}

fn class_has_newline(class: &Class) -> bool {
    match class {
        Class::Bytes(c) => c.ranges().iter().any(|r| r.start() <= b'\n' && b'\n' <= r.end()),
        Class::Unicode(c) => c.ranges().iter().any(|r| r.start() <= '\n' && '\n' <= r.end()),
    }
}

/// The segment from the start of the first secret group to the end of the match
/// (None: no secret group).
fn tail_of(hir: &Hir) -> Option<Segment> {
    match hir.kind() {
        HirKind::Capture(cap) if cap.name.as_deref().is_some_and(|n| n.starts_with("secret")) => {
            Some(segment(&cap.sub))
        }
        HirKind::Capture(cap) => tail_of(&cap.sub),
        HirKind::Repetition(rep) if rep.max == Some(0) => None,
        HirKind::Repetition(rep) => {
            let inner = tail_of(&rep.sub)?;
            // Later rounds of a repeated group follow the secret.
            Some(if rep.max == Some(1) {
                inner
            } else {
                concat([inner, segment(&rep.sub)])
            })
        }
        HirKind::Concat(subs) => {
            let (first, tail) = subs.iter().enumerate().find_map(|(i, s)| tail_of(s).map(|t| (i, t)))?;
            Some(concat(
                std::iter::once(tail).chain(subs[first + 1..].iter().map(segment)),
            ))
        }
        HirKind::Alternation(subs) => subs.iter().filter_map(tail_of).reduce(either),
        HirKind::Empty | HirKind::Look(_) | HirKind::Literal(_) | HirKind::Class(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape(p: &str) -> (bool, bool) {
        let s = line_shape_of(p);
        (s.crosses_lines, s.continues_after_secret)
    }

    #[test]
    fn a_value_after_its_keyword_on_one_line() {
        assert_eq!(
            shape(r#"token[ \t]*=[ \t]*(?P<secret>[A-Za-z0-9]{20})"#),
            (false, false)
        );
        assert_eq!(shape(r#"token(?P<secret>[^"\s]{20})"#), (false, false));
    }

    #[test]
    fn a_value_on_the_line_after_its_keyword() {
        assert_eq!(
            shape(r#"password\s*[:=]\s*(?P<secret>[A-Za-z0-9]{20})["']?"#),
            (true, false)
        );
    }

    #[test]
    fn context_after_the_secret_on_a_later_line() {
        assert_eq!(shape(r#"key\s*=\s*(?P<secret>[a-z]{20})\s*\n\s*id\s*="#), (true, true));
        assert_eq!(shape(r#"(?s)(?P<secret>-----BEGIN.{10,100}-----END)"#), (true, true));
        assert_eq!(shape(r#"(?:x(?P<secret>[a-z]+)|y(?P<secret2>[^"]+))"#), (true, true));
    }

    #[test]
    fn a_trailing_boundary_that_takes_the_line_break_stays_on_the_line() {
        assert_eq!(
            shape(r#"(?:^|[ =])(?P<secret>xoxb-[0-9]{6,15})(?:[^A-Za-z0-9_-]|$)"#),
            (false, false)
        );
        assert_eq!(shape(r#"key[^\n]{0,40}\n(?P<secret>[a-z]{20})"#), (true, false));
    }

    #[test]
    fn without_a_secret_group_the_whole_match_counts() {
        assert_eq!(shape(r#"AKIA[A-Z0-9]{16}"#), (false, false));
        assert_eq!(shape(r#"BEGIN[\s\S]{0,99}END"#), (true, true));
    }
}
