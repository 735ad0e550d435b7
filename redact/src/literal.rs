//! Literal masks: values known to be secret (a file's content, an environment
//! variable), masked exactly and in every encoded form of [`crate::encode`], with
//! one leftmost-longest Aho-Corasick automaton over all of them.

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};

use crate::encode::{encoded_forms, Form};
use crate::span::{Source, Span};
use crate::style::Context;

/// Values shorter than this are refused: masking every `abc` would garble the log
/// and reveal by elimination what the value is.
pub const MIN_LITERAL: usize = 6;
/// Lines of a multi-line value shorter than this are not masked on their own.
pub const MIN_LINE_LITERAL: usize = 8;
/// Values longer than this are not masked whole (their lines still are): a file
/// that large is a bundle, not a secret, and every byte of a literal costs memory
/// in the automaton and in the bytes a stream holds back.
pub const MAX_LITERAL: usize = 64 << 10;
/// Above this many pattern bytes the automaton is an NFA: building a DFA costs
/// time quadratic in a repetitive pattern's length (1.8 s for one 30 KB run of
/// `x`), and its tables grow with every pattern byte.
const MAX_DFA_BYTES: usize = 16 << 10;

/// A value to mask exactly, and where it came from (named in warnings).
#[derive(Debug, Clone)]
pub struct MaskValue {
    /// e.g. `--mask-env DB_PASSWORD`.
    pub origin: String,
    pub value: Vec<u8>,
}

/// The literal automaton could not be built.
#[derive(Debug, thiserror::Error)]
#[error("cannot build the literal mask automaton: {0}")]
pub struct LiteralError(aho_corasick::BuildError);

#[derive(Debug, Clone, Copy)]
struct Pattern {
    literal: u32,
    form: Form,
}

/// Every literal mask and its encoded forms, compiled.
#[derive(Debug, Default)]
pub struct LiteralSet {
    automaton: Option<AhoCorasick>,
    patterns: Vec<Pattern>,
    bytes: Vec<Vec<u8>>,
    literals: Vec<Vec<u8>>,
    warnings: Vec<String>,
}

impl LiteralSet {
    /// Compiles `values`; values too short to mask are left out, with a warning.
    pub fn build(values: &[MaskValue]) -> Result<LiteralSet, LiteralError> {
        let mut set = LiteralSet::default();
        for value in values {
            set.add(value);
        }
        if !set.bytes.is_empty() {
            let total: usize = set.bytes.iter().map(Vec::len).sum();
            let kind = if total <= MAX_DFA_BYTES {
                AhoCorasickKind::DFA
            } else {
                AhoCorasickKind::ContiguousNFA
            };
            set.automaton = Some(
                AhoCorasick::builder()
                    .match_kind(MatchKind::LeftmostLongest)
                    .kind(Some(kind))
                    .build(&set.bytes)
                    .map_err(LiteralError)?,
            );
        }
        Ok(set)
    }

    fn add(&mut self, mask: &MaskValue) {
        let value = trim_final_newline(&mask.value);
        if value.len() < MIN_LITERAL {
            self.warnings.push(format!(
                "{}: refused: the value is {} bytes, shorter than {MIN_LITERAL}; it is not masked",
                mask.origin,
                value.len()
            ));
            return;
        }
        let whole = value.len() <= MAX_LITERAL;
        if !whole {
            self.warnings.push(format!(
                "{}: the value is {} bytes, longer than {MAX_LITERAL}; only its lines are masked",
                mask.origin,
                value.len()
            ));
        }
        if !value.contains(&b'\n') {
            if whole {
                self.add_literal(value, true);
            }
            return;
        }
        // Lines are redacted one at a time, so the raw multi-line value can never
        // match; its encoded forms hold no newline, and each long line is masked.
        if whole {
            self.add_literal(value, false);
        }
        for line in value.split(|&b| b == b'\n') {
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            if (MIN_LINE_LITERAL..=MAX_LITERAL).contains(&line.len()) {
                self.add_literal(line, true);
            }
        }
    }

    fn add_literal(&mut self, value: &[u8], raw: bool) {
        let literal = u32::try_from(self.literals.len()).expect("fewer than 4 billion literals");
        self.literals.push(value.to_vec());
        let raw_form = raw.then(|| (Form::Raw, value.to_vec()));
        for (form, bytes) in raw_form.into_iter().chain(encoded_forms(value)) {
            if bytes.contains(&b'\n') || self.bytes.contains(&bytes) {
                continue;
            }
            self.patterns.push(Pattern { literal, form });
            self.bytes.push(bytes);
        }
    }

    /// Warnings about values that were refused.
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// Every pattern (each form of each literal), for the trigger automaton.
    pub fn patterns(&self) -> &[Vec<u8>] {
        &self.bytes
    }

    /// The longest pattern, in bytes (0 when empty).
    pub fn max_len(&self) -> usize {
        self.bytes.iter().map(Vec::len).max().unwrap_or(0)
    }

    /// The literal a [`Source::Literal`] refers to (the hash style's identity).
    pub fn literal(&self, index: u32) -> &[u8] {
        &self.literals[index as usize]
    }

    /// Appends a span for every occurrence of a pattern in `hay`.
    pub(crate) fn find(&self, hay: &[u8], out: &mut Vec<Span>) {
        let Some(automaton) = &self.automaton else {
            return;
        };
        for m in automaton.find_iter(hay) {
            let pattern = self.patterns[m.pattern().as_usize()];
            out.push(Span {
                start: m.start(),
                end: m.end(),
                source: Source::Literal {
                    literal: pattern.literal,
                    form: pattern.form,
                },
                context: Context::Text,
            });
        }
    }
}

/// A value read from a file usually ends with one newline that is not part of it.
fn trim_final_newline(value: &[u8]) -> &[u8] {
    let value = value.strip_suffix(b"\n").unwrap_or(value);
    value.strip_suffix(b"\r").unwrap_or(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(values: &[&[u8]]) -> LiteralSet {
        let values: Vec<MaskValue> = values
            .iter()
            .map(|v| MaskValue {
                origin: "test".into(),
                value: v.to_vec(),
            })
            .collect();
        LiteralSet::build(&values).expect("builds")
    }

    fn found(set: &LiteralSet, hay: &[u8]) -> Vec<(String, Form)> {
        let mut spans = Vec::new();
        set.find(hay, &mut spans);
        spans
            .iter()
            .map(|s| {
                let Source::Literal { form, .. } = s.source else {
                    panic!("literal spans only")
                };
                (String::from_utf8_lossy(&hay[s.start..s.end]).into_owned(), form)
            })
            .collect()
    }

    #[test]
    fn short_values_are_refused_with_a_warning() {
        let s = set(&[b"abc\n"]);
        assert!(s.patterns().is_empty());
        assert_eq!(s.warnings().len(), 1);
        assert!(s.warnings()[0].contains("shorter than 6"), "{:?}", s.warnings());
    }

    #[test]
    fn raw_and_encoded_forms_are_found() {
        let s = set(&[b"hunter2hunter\n"]);
        assert_eq!(
            found(&s, b"pw=hunter2hunter;"),
            vec![("hunter2hunter".into(), Form::Raw)]
        );
        assert_eq!(
            found(&s, b"x 68756e74657232 y").len(),
            0,
            "a partial hex is not a match"
        );
        assert_eq!(
            found(&s, b"68756e746572326875 6e746572"),
            Vec::<(String, Form)>::new(),
            "hex split by a space is not a match"
        );
        let hexed = "68756e7465723268756e746572";
        assert_eq!(found(&s, hexed.as_bytes()), vec![(hexed.into(), Form::Hex)]);
    }

    #[test]
    fn xml_escaped_and_shell_quoted_values_are_found() {
        let s = set(&[b"p&ss'wo\"rd$<1>\n"]);
        let xml = br#"<password>p&amp;ss&apos;wo&quot;rd$&lt;1&gt;</password>"#;
        assert_eq!(
            found(&s, xml),
            vec![("p&amp;ss&apos;wo&quot;rd$&lt;1&gt;".into(), Form::Xml)]
        );
        let script = br#"export PW='p&ss'\''wo"rd$<1>'"#;
        assert_eq!(found(&s, script), vec![(r#"p&ss'\''wo"rd$<1>"#.into(), Form::Shell)]);
        let double = br#"PW="p&ss'wo\"rd\$<1>" ./run"#;
        assert_eq!(found(&s, double), vec![(r#"p&ss'wo\"rd\$<1>"#.into(), Form::Shell)]);
    }

    #[test]
    fn multi_line_values_mask_each_long_line_and_the_encoded_whole() {
        let s = set(&[b"first-line-value\nshort\r\nthird-line-value\n"]);
        assert_eq!(found(&s, b"a first-line-value b").len(), 1);
        assert_eq!(found(&s, b"a third-line-value b").len(), 1);
        assert!(found(&s, b"a short b").is_empty());
        let json = br#"{"v":"first-line-value\nshort\r\nthird-line-value"}"#;
        let hits = found(&s, json);
        assert_eq!(hits.len(), 1, "{hits:?}");
        assert_eq!(hits[0].1, Form::Json);
    }
}
