//! Checking a rule set against its own examples: each rule must find a secret in
//! every example, none in its negative examples, and its keywords must occur in
//! every example (a prefilter that hides a true example is a bug).

use crate::compile::{Rank, Rule, RuleSet};
use crate::matcher::Matcher;
use crate::spec::KeywordCase;

/// One way a rule fails its examples.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExampleFailure {
    pub rule_id: String,
    pub problem: String,
}

impl std::fmt::Display for ExampleFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "rule {}: {}", self.rule_id, self.problem)
    }
}

/// Every example failure of every rule in `set` (empty when all pass).
/// `require_counts` also demands the default packs' minimum of two examples,
/// one negative example and a remediation URL per rule.
pub fn check_examples(set: &RuleSet, require_counts: bool) -> Vec<ExampleFailure> {
    let mut failures = Vec::new();
    for rule in set.rules() {
        if let Err(message) = rule.compiled() {
            failures.push(ExampleFailure {
                rule_id: rule.id.clone(),
                problem: format!("regex does not compile: {message}"),
            });
        }
    }
    let mut matcher = Matcher::new(set);
    let mut found = Vec::new();
    for (index, rule) in set.rules().iter().enumerate() {
        let mut fail = |problem: String| {
            failures.push(ExampleFailure {
                rule_id: rule.id.clone(),
                problem,
            })
        };
        let spec = &rule.spec;
        let (examples, negatives) = examples_of(rule);
        if require_counts {
            if examples.len() < 2 {
                fail(format!("has {} examples, needs at least 2", examples.len()));
            }
            if negatives.is_empty() {
                fail("has no negative example".into());
            }
            if !spec.remediation.contains("https://") {
                fail("remediation names no https:// docs URL".into());
            }
        }
        for example in &examples {
            let keyword_present = spec.keywords.iter().any(|k| match spec.keyword_case {
                KeywordCase::Exact => example.contains(k.as_str()),
                KeywordCase::Ignore => example.to_ascii_lowercase().contains(&k.to_ascii_lowercase()),
            });
            if !keyword_present {
                fail(format!("no keyword occurs in example {}", abbreviate(example)));
            }
            found.clear();
            matcher.find(example.as_bytes(), &mut found);
            // A generated example of a table rule may be claimed by a provider rule
            // that knows the credential better (it outranks the table rule); the
            // value is still found, which is what the example asks.
            let claimed = spec.table.is_some() && found.iter().any(|m| set.rule(m.rule).rank == Rank::Provider);
            if !found.iter().any(|m| m.rule == index) && !claimed {
                fail(format!("finds nothing in example {}", abbreviate(example)));
            }
        }
        for negative in &negatives {
            found.clear();
            matcher.find(negative.as_bytes(), &mut found);
            if found.iter().any(|m| m.rule == index) {
                fail(format!("matches negative example {}", abbreviate(negative)));
            }
        }
    }
    failures
}

/// A rule's examples and negative examples: those its pack lists and, for a
/// provider-table rule, those generated from its shape (the value in every
/// wrapper the shared reach promises, and look-alikes).
pub fn examples_of(rule: &Rule) -> (Vec<String>, Vec<String>) {
    let spec = &rule.spec;
    let (generated, generated_negative) = match &spec.table {
        Some(shape) => crate::table::generated_examples(&spec.id, shape, spec.entropy.unwrap_or(0.0)),
        None => (Vec::new(), Vec::new()),
    };
    let examples = spec.examples.iter().cloned().chain(generated).collect();
    let negatives = spec
        .negative_examples
        .iter()
        .cloned()
        .chain(generated_negative)
        .collect();
    (examples, negatives)
}

/// The start of an example, for error messages (examples are fake secrets, but a
/// message still need not repeat them whole).
fn abbreviate(text: &str) -> String {
    let short: String = text.chars().take(48).collect();
    if short.len() < text.len() {
        format!("{short:?}…")
    } else {
        format!("{short:?}")
    }
}
