//! The [`Redactor`]: everything that finds secrets (the rule engine, literal masks,
//! structure-aware detectors), compiled once and shared read-only by every stream,
//! plus the trigger automaton that lets a line without any keyword, literal or
//! secret name pass through after one scan.

use hush_rules::{KeywordCase, RuleSet};

use crate::literal::{LiteralError, LiteralSet, MaskValue};
use crate::structure::{trigger_words, StructureDetector};
use crate::style::Style;
use crate::trigger::{self, Reach, Triggers, Word};

/// Size limits of a stream; the defaults suit log lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// A line longer than this is redacted in overlapping windows of this size, so
    /// memory stays bounded on an endless line.
    pub max_line: usize,
    /// How much consecutive windows overlap: raised at build time to twice the
    /// widest match of the loaded rules (`RuleSet::max_span`) and of the literal
    /// masks' encoded forms, so no match is cut by a window edge.
    pub window_overlap: usize,
    /// The most a flush of an incomplete line (after `--max-delay`) holds back.
    pub partial_hold: usize,
    /// Lines held after a private key's BEGIN line before giving up on an END line.
    pub pem_max_lines: usize,
    /// Bytes held after a private key's BEGIN line before giving up.
    pub pem_max_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_line: 1 << 20,
            window_overlap: 64 << 10,
            partial_hold: 4 << 10,
            pem_max_lines: 256,
            pem_max_bytes: 64 << 10,
        }
    }
}

/// A redactor could not be built.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error(transparent)]
    Literal(#[from] LiteralError),
}

/// Builds a [`Redactor`].
#[derive(Debug)]
pub struct RedactorBuilder {
    rules: Option<RuleSet>,
    masks: Vec<MaskValue>,
    structure: bool,
    style: Style,
    limits: Limits,
    decode_depth: u32,
}

impl Default for RedactorBuilder {
    fn default() -> Self {
        RedactorBuilder {
            rules: None,
            masks: Vec::new(),
            structure: true,
            style: Style::Label,
            limits: Limits::default(),
            decode_depth: hush_rules::decode::DEFAULT_DEPTH,
        }
    }
}

impl RedactorBuilder {
    /// The rule set to run (none: only literal masks and structure).
    pub fn rules(mut self, rules: RuleSet) -> Self {
        self.rules = Some(rules);
        self
    }

    /// Values to mask exactly.
    pub fn masks(mut self, masks: impl IntoIterator<Item = MaskValue>) -> Self {
        self.masks.extend(masks);
        self
    }

    /// Whether structure-aware redaction (JSON fields, headers, URLs) is on
    /// (default: on).
    pub fn structure(mut self, on: bool) -> Self {
        self.structure = on;
        self
    }

    pub fn style(mut self, style: Style) -> Self {
        self.style = style;
        self
    }

    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// How many layers of encoding (base64, hex, percent, escapes, entities)
    /// the rules look through, as `hush scan --max-decode-depth` (default 2;
    /// 0: none).
    pub fn decode_depth(mut self, depth: u32) -> Self {
        self.decode_depth = depth;
        self
    }

    pub fn build(self) -> Result<Redactor, BuildError> {
        let literals = LiteralSet::build(&self.masks)?;
        let mut words: Vec<Word> = Vec::new();
        let mut whole_match = Vec::new();
        let mut prefixes = Vec::new();
        let mut lookback = 0;
        let mut hold_bytes = 0;
        if let Some(rules) = &self.rules {
            // Each engine keyword's index, for handing trigger hits to the engine.
            let engine_index: std::collections::HashMap<&[u8], u32> = rules
                .keywords()
                .iter()
                .enumerate()
                .map(|(i, k)| (k.as_slice(), i as u32))
                .collect();
            for rule in rules.rules() {
                // A keyword whose rule can match across lines: the lines its
                // window covers are searched as one haystack, with `before`
                // bytes of what was already written as context.
                let extent = rule.extent();
                for keyword in &rule.keywords {
                    let reach = if extent.crosses_lines {
                        let after = keyword.len() + extent.after;
                        lookback = lookback.max(extent.before);
                        hold_bytes = hold_bytes.max(extent.before + after);
                        Reach {
                            before: u32::try_from(extent.before).unwrap_or(u32::MAX),
                            after: u32::try_from(after).unwrap_or(u32::MAX),
                            always: extent.continues_after_secret,
                            leading: false,
                        }
                    } else {
                        Reach::default()
                    };
                    words.push(Word {
                        bytes: keyword.as_bytes().to_vec(),
                        kinds: trigger::RULE,
                        reach,
                        gate: rule.keyword_gate(),
                        exact: rule.spec.keyword_case == KeywordCase::Exact,
                        engine: engine_index.get(keyword.to_ascii_lowercase().as_bytes()).copied(),
                    });
                }
                // A rule whose keyword may follow its secret: from a word that
                // begins its match, the lines its whole window may cover are
                // held (see `RuleSpec::leading_keywords`).
                let longest_keyword = rule.keywords.iter().map(String::len).max().unwrap_or(0);
                for leading in &rule.spec.leading_keywords {
                    let after = leading.len() + extent.before + longest_keyword + extent.after;
                    hold_bytes = hold_bytes.max(after);
                    words.push(Word {
                        bytes: leading.as_bytes().to_vec(),
                        kinds: trigger::RULE,
                        reach: Reach {
                            before: 0,
                            after: u32::try_from(after).unwrap_or(u32::MAX),
                            always: false,
                            leading: true,
                        },
                        gate: 0,
                        exact: false,
                        engine: None,
                    });
                }
                whole_match.push(rule.tags.iter().any(|t| t == "private-key"));
                prefixes.push(if rule.spec.keyword_case == KeywordCase::Exact {
                    rule.keywords.clone()
                } else {
                    Vec::new()
                });
            }
        }
        let pem = self.rules.is_some() || self.structure;
        if pem {
            words.push(Word::from((b"-----BEGIN ".to_vec(), trigger::PEM)));
        }
        if self.structure {
            words.extend(trigger_words().into_iter().map(Word::from));
        }
        words.extend(
            literals
                .patterns()
                .iter()
                .map(|p| Word::from((p.clone(), trigger::LITERAL))),
        );
        let triggers = Triggers::new(&words);
        let mut limits = self.limits;
        limits.partial_hold = limits.partial_hold.max(literals.max_len());
        // Windows of a long line overlap by twice the widest match a rule or a
        // literal's encoded form can make (as the scanner's chunks do), so every
        // match lies whole in some window.
        let widest_rule = self.rules.as_ref().map_or(0, |rules| rules.max_span());
        limits.window_overlap = limits
            .window_overlap
            .max(2 * literals.max_len())
            .max(2 * widest_rule)
            .max(1024);
        limits.max_line = limits.max_line.max(4 * limits.window_overlap);
        Ok(Redactor {
            rules: self.rules,
            literals,
            structure: self.structure.then(StructureDetector::new),
            triggers,
            style: self.style,
            limits,
            whole_match,
            prefixes,
            pem,
            lookback,
            hold_bytes: hold_bytes.max(limits.pem_max_bytes),
            decode_depth: self.decode_depth,
        })
    }
}

/// Everything that finds and replaces secrets, compiled. `Send + Sync`: build it
/// once, then give each stream its own [`crate::RedactStream`].
#[derive(Debug)]
pub struct Redactor {
    pub(crate) rules: Option<RuleSet>,
    pub(crate) literals: LiteralSet,
    pub(crate) structure: Option<StructureDetector>,
    /// Every keyword, secret name and literal pattern, ASCII case-insensitive: a
    /// line with no match here has nothing to redact.
    pub(crate) triggers: Triggers,
    pub(crate) style: Style,
    pub(crate) limits: Limits,
    /// Per rule: replace the whole match, not only the secret group (private
    /// keys: from BEGIN to END).
    pub(crate) whole_match: Vec<bool>,
    /// Per rule: its case-sensitive keywords, which the partial style may keep.
    pub(crate) prefixes: Vec<Vec<String>>,
    /// Whether private key blocks are held and redacted from BEGIN to END.
    pub(crate) pem: bool,
    /// Bytes already written that a multi-line match may begin in: the widest
    /// `before` window of the rules that match across lines.
    pub(crate) lookback: usize,
    /// The most a hold of lines after a multi-line keyword may grow to: the
    /// widest window of those rules, and at least [`Limits::pem_max_bytes`].
    pub(crate) hold_bytes: usize,
    /// Layers of encoding the rules look through (0: none, or no rules).
    pub(crate) decode_depth: u32,
}

impl Redactor {
    pub fn builder() -> RedactorBuilder {
        RedactorBuilder::default()
    }

    /// Warnings from building (literal masks that were refused).
    pub fn warnings(&self) -> &[String] {
        self.literals.warnings()
    }

    /// The limits in force (after raising them to fit the longest literal).
    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// The replacement style.
    pub fn style(&self) -> &Style {
        &self.style
    }

    /// Redacts a whole input at once (the same output as streaming it).
    pub fn redact(&self, input: &[u8]) -> Vec<u8> {
        let mut stream = crate::RedactStream::new(self);
        let mut out = Vec::with_capacity(input.len());
        stream.push(input, &mut out);
        stream.finish(&mut out);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redactor_is_send_and_sync() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Redactor>();
    }

    #[test]
    fn limits_grow_to_fit_the_longest_literal() {
        let long = MaskValue {
            origin: "t".into(),
            value: vec![b'x'; 30_000],
        };
        let r = Redactor::builder().masks([long]).build().expect("builds");
        assert!(r.limits().partial_hold >= 60_000, "its hex form is 60 000 bytes");
        assert!(r.limits().window_overlap >= 2 * 60_000);
        assert!(r.limits().max_line >= 4 * r.limits().window_overlap);
    }

    #[test]
    fn long_line_windows_overlap_by_twice_the_widest_rule_match() {
        let rules = RuleSet::default_rules().expect("default rules compile");
        let widest = rules.max_span();
        // The default 64 KiB is less than twice the PGP rules' span.
        assert!(2 * widest > Limits::default().window_overlap, "{widest}");
        let r = Redactor::builder().rules(rules).build().expect("builds");
        assert!(r.limits().window_overlap >= 2 * widest);
        assert!(r.limits().max_line >= 4 * r.limits().window_overlap);
    }
}
