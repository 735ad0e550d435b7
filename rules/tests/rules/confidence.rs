//! The default packs' confidence levels follow one written policy (README,
//! "Confidence"), checked from each rule's own examples and tags:
//!
//! - `high` needs evidence in the value itself: a validator (checksum or
//!   structure), a self-identifying value (one of the rule's keywords, a
//!   provider prefix, is part of the secret in every example), or the tag
//!   `structure` (the regex checks a provider structure around the value: a
//!   connection string, a webhook URL, a key file, a key pair).
//! - Generic rules (a value known only by its key) and provider-table rules (a
//!   provider's name near a value of its shape) are never `high`.
//! - `low` needs a reason carried as a tag: `generic`, `weak-value` (a
//!   credential file's value too weak for its strong rule, or a value too short
//!   to be sure of), `public-identifier` (the provider documents the value as
//!   public) or `local-only` (a credential for a service on the local machine).
//! - Everything else, a provider's value next to its name or in a credential
//!   structure, is `medium`.

use hush_rules::{examples_of, Confidence, KeywordCase, Matcher, Rule, RuleSet, KEYWORD_VALUE_TAG};

/// Tags that justify `low`.
const LOW_REASONS: [&str; 4] = ["generic", "weak-value", "public-identifier", "local-only"];

fn has_tag(rule: &Rule, tag: &str) -> bool {
    rule.tags.iter().any(|t| t == tag)
}

/// Whether one of the rule's keywords is part of the secret in every example in
/// which the rule finds one (and it finds one in at least one).
fn value_identifies_itself(set: &RuleSet, matcher: &mut Matcher, index: usize) -> bool {
    let rule = &set.rules()[index];
    let (examples, _) = examples_of(rule);
    let mut found = Vec::new();
    let mut seen = 0;
    for example in &examples {
        found.clear();
        matcher.find(example.as_bytes(), &mut found);
        for m in found.iter().filter(|m| m.rule == index) {
            seen += 1;
            let secret = &example[m.secret.clone()];
            let holds_keyword = rule.keywords.iter().any(|k| match rule.spec.keyword_case {
                KeywordCase::Exact => secret.contains(k.as_str()),
                KeywordCase::Ignore => secret.to_ascii_lowercase().contains(&k.to_ascii_lowercase()),
            });
            if !holds_keyword {
                return false;
            }
        }
    }
    seen > 0
}

/// Why `rule` breaks the policy, if it does.
fn violation(set: &RuleSet, matcher: &mut Matcher, index: usize) -> Option<String> {
    let rule = &set.rules()[index];
    let generic = has_tag(rule, "generic");
    let table = has_tag(rule, KEYWORD_VALUE_TAG);
    match rule.confidence {
        Confidence::High => {
            if generic || table {
                return Some("is high, but generic and provider-table rules are medium or low".into());
            }
            let evidence = rule.spec.validate.is_some()
                || has_tag(rule, "structure")
                || value_identifies_itself(set, matcher, index);
            (!evidence).then(|| {
                "is high without evidence in the value: no validator, no `structure` tag, and no keyword \
                 inside the secret of every example"
                    .into()
            })
        }
        Confidence::Low => (!LOW_REASONS.iter().any(|tag| has_tag(rule, tag)))
            .then(|| format!("is low without a reason tag (one of {LOW_REASONS:?})")),
        Confidence::Medium => None,
    }
}

#[test]
fn every_default_rule_has_the_confidence_its_evidence_supports() {
    let set = RuleSet::default_rules().expect("default packs compile");
    let mut matcher = Matcher::new(&set);
    let problems: Vec<String> = (0..set.rules().len())
        .filter_map(|i| violation(&set, &mut matcher, i).map(|why| format!("{}: {why}", set.rules()[i].id)))
        .collect();
    assert!(
        problems.is_empty(),
        "{} rules:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn the_policy_rejects_a_keyword_context_rule_at_high_and_an_unexplained_low() {
    // Three rules that differ in keyword, regex and level; one example each.
    let rule = |id: &str, keyword: &str, regex: &str, confidence: &str| {
        format!(
            "[[rules]]\nid = \"{id}\"\nname = \"{id}\"\nkeywords = [\"{keyword}\"]\nregex = '''{regex}'''\n\
             severity = \"high\"\nconfidence = \"{confidence}\"\n\
             remediation = \"Rotate it at https://acme.example/tokens\"\n\n"
        )
    };
    let pack = [
        rule(
            "acme-context-high",
            "acme",
            r"acme_token\s*=\s*(?P<secret>[a-f0-9]{32})",
            "high",
        ),
        rule("acme-prefixed", "acme_", "(?P<secret>acme_[a-f0-9]{32})", "high"),
        rule("acme-low", "acmelow", "acmelow=(?P<secret>[a-f0-9]{32})", "low"),
    ]
    .concat();
    let value = hush_testkit::hex(7, 32);
    let mut specs = hush_rules::load_pack("acme.toml", &pack).expect("pack parses");
    specs[0].examples = vec![format!("acme_token = {value}")];
    specs[1].examples = vec![format!("key: acme_{value}")];
    specs[2].examples = vec![format!("acmelow={value}")];
    let set = RuleSet::compile(specs).expect("compiles");
    let mut matcher = Matcher::new(&set);
    assert!(violation(&set, &mut matcher, 0).is_some_and(|w| w.contains("without evidence")));
    assert_eq!(
        violation(&set, &mut matcher, 1),
        None,
        "a prefixed value is its own evidence"
    );
    assert!(violation(&set, &mut matcher, 2).is_some_and(|w| w.contains("reason tag")));
}
