//! Spans: the byte ranges of a haystack to replace, what found each one, and the
//! merge that turns overlapping finds into one replacement each.

use crate::encode::Form;
use crate::style::Context;

/// What found a span.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Source {
    /// A rule of the engine (its index in the rule set).
    Rule(usize),
    /// A form of a literal mask.
    Literal { literal: u32, form: Form },
    /// A structure-aware detector.
    Structure(Kind),
}

/// Which structure a span was found in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// The value of a JSON key named like a secret.
    JsonField,
    /// The credentials of an `Authorization` (or `Proxy-Authorization`) header.
    Authorization,
    /// The password in a URL's user info (`scheme://user:password@host`).
    UrlPassword,
    /// A query parameter named like a secret (`?token=`, `&sig=`).
    QueryParam,
    /// A private key block that no rule named (PEM armor, key material between).
    PrivateKeyBlock,
}

impl Kind {
    /// The id a redaction of this kind is labelled with.
    pub fn id(self) -> &'static str {
        match self {
            Kind::JsonField => "json-secret-field",
            Kind::Authorization => "http-authorization",
            Kind::UrlPassword => "url-password",
            Kind::QueryParam => "url-secret-param",
            Kind::PrivateKeyBlock => "private-key-block",
        }
    }
}

/// A byte range to replace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Span {
    pub start: usize,
    pub end: usize,
    pub source: Source,
    pub context: Context,
}

/// Which source names a merged span when several start and end together: a
/// rule knows best what a secret is, then a literal, then a structure.
fn rank(source: Source) -> u8 {
    match source {
        Source::Rule(_) => 0,
        Source::Literal { .. } => 1,
        Source::Structure(_) => 2,
    }
}

/// Sorts `spans` and merges overlapping ones in place: a merged span keeps the
/// source of the one that starts first (the longest, then the best ranked, on a
/// tie) and ends where the last of them ends. A JSON context of a span that starts
/// at the same place is kept, so the line stays valid JSON whoever names the span.
/// Empty spans are dropped.
pub(crate) fn merge(spans: &mut Vec<Span>) {
    spans.retain(|s| s.start < s.end);
    if spans.len() < 2 {
        return;
    }
    spans.sort_unstable_by(|a, b| {
        a.start
            .cmp(&b.start)
            .then(b.end.cmp(&a.end))
            .then(rank(a.source).cmp(&rank(b.source)))
    });
    let mut kept = 0;
    for i in 1..spans.len() {
        let next = spans[i];
        if next.start < spans[kept].end {
            spans[kept].end = spans[kept].end.max(next.end);
            if next.start == spans[kept].start && next.context != Context::Text {
                spans[kept].context = next.context;
            }
        } else {
            kept += 1;
            spans[kept] = next;
        }
    }
    spans.truncate(kept + 1);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(start: usize, end: usize, rule: usize) -> Span {
        Span {
            start,
            end,
            source: Source::Rule(rule),
            context: Context::Text,
        }
    }

    #[test]
    fn overlapping_spans_merge_and_touching_ones_do_not() {
        let mut spans = vec![
            span(10, 20, 2),
            span(0, 5, 0),
            span(12, 25, 3),
            span(5, 8, 1),
            span(9, 9, 4),
        ];
        merge(&mut spans);
        let ranges: Vec<(usize, usize, Source)> = spans.iter().map(|s| (s.start, s.end, s.source)).collect();
        assert_eq!(
            ranges,
            vec![
                (0, 5, Source::Rule(0)),
                (5, 8, Source::Rule(1)),
                (10, 25, Source::Rule(2))
            ]
        );
    }

    #[test]
    fn on_a_tie_the_longest_span_names_the_merge() {
        let mut spans = vec![span(3, 6, 0), span(3, 9, 1)];
        merge(&mut spans);
        assert_eq!(spans, vec![span(3, 9, 1)]);
    }

    #[test]
    fn a_rule_names_the_merge_and_json_context_survives() {
        let json = Span {
            start: 3,
            end: 9,
            source: Source::Structure(Kind::JsonField),
            context: Context::JsonValue,
        };
        let mut spans = vec![json, span(3, 9, 7)];
        merge(&mut spans);
        assert_eq!(
            spans,
            vec![Span {
                context: Context::JsonValue,
                ..span(3, 9, 7)
            }]
        );
    }
}
