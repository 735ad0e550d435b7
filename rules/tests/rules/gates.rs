//! Keyword gates over the default rules: the gates built in at build time are
//! the ones the regexes give, and they drop no match (every example of every
//! rule, searched alone and inside a word-glued copy, finds exactly what the
//! same rules find with no gate).

use hush_rules::gate::keyword_gate;
use hush_rules::{default_specs, KeywordCase, Matcher, RuleSet, RuleSpec};

fn found(set: &RuleSet, text: &str) -> Vec<(String, std::ops::Range<usize>)> {
    let mut matcher = Matcher::new(set);
    let mut out = Vec::new();
    matcher.find(text.as_bytes(), &mut out);
    out.iter()
        .map(|m| (set.rule(m.rule).id.clone(), m.secret.clone()))
        .collect()
}

#[test]
fn the_built_in_gates_are_what_the_regexes_give() {
    let specs = default_specs().expect("default packs parse");
    let mut gated = 0;
    for spec in specs.iter().filter(|s| s.table.is_none()) {
        let derived = keyword_gate(&spec.regex, &spec.keywords, spec.keyword_case == KeywordCase::Exact);
        assert_eq!(spec.keyword_gate, Some(derived), "{}", spec.id);
        gated += usize::from(derived != 0);
    }
    // Most provider rules begin with a boundary and their prefix.
    assert!(gated >= 300, "only {gated} rules have a gate");
}

#[test]
fn gates_drop_no_match_of_any_example() {
    let specs = default_specs().expect("default packs parse");
    let ungated: Vec<RuleSpec> = specs
        .iter()
        .cloned()
        .map(|mut s| {
            s.keyword_gate = Some(0);
            s
        })
        .collect();
    let examples: Vec<String> = specs
        .iter()
        .flat_map(|s| s.examples.iter().chain(&s.negative_examples).cloned())
        .collect();
    let with = RuleSet::compile(specs).expect("default packs compile");
    let without = RuleSet::compile(ungated).expect("default packs compile");
    for example in &examples {
        // Alone, and with a word byte glued before every token: there the
        // boundary of a gated rule fails, so neither set may report it.
        for text in [example.clone(), example.replace(' ', " x").replace('=', "=x")] {
            assert_eq!(found(&with, &text), found(&without, &text), "{text:?}");
        }
    }
}

#[test]
fn a_prefix_inside_a_word_is_gated_out_and_one_after_a_boundary_is_not() {
    let set = RuleSet::default_rules().expect("default packs compile");
    let ionic = (0..set.len())
        .find(|&i| set.rule(i).id == "ionic-personal-access-token")
        .expect("the ionic rule exists");
    let gate = set.rule(ionic).keyword_gate();
    let line = b"{\"duration_ms\":12,\"token\":\"ion_";
    let inside = line.windows(4).position(|w| w == b"ion_").expect("ion_ in duration_ms");
    let after_quote = line.len() - 4;
    assert!(hush_rules::gate::rejects(gate, line, inside));
    assert!(!hush_rules::gate::rejects(gate, line, after_quote));
}
