//! The default rule packs against their own examples, and the pack-wide bars: at
//! least 800 rules, each with two examples, a negative example and a remediation URL.

use hush_rules::{check_examples, default_specs, RuleSet, DEFAULT_PACKS};

#[test]
fn default_packs_pass_their_examples() {
    let set = RuleSet::default_rules().unwrap_or_else(|e| panic!("default packs compile: {e}"));
    let failures = check_examples(&set, true);
    let report: Vec<String> = failures.iter().map(ToString::to_string).collect();
    assert!(
        failures.is_empty(),
        "{} example failures:\n{}",
        failures.len(),
        report.join("\n")
    );
}

#[test]
fn default_packs_have_at_least_800_rules() {
    let specs = default_specs().expect("default packs parse");
    assert!(specs.len() >= 800, "only {} rules", specs.len());
    // The JSON the binary loads and the TOML it was made from agree.
    let from_toml: usize = DEFAULT_PACKS
        .iter()
        .map(|(file, text)| hush_rules::load_pack(file, text).expect("parses").len())
        .sum();
    assert_eq!(from_toml, specs.len());
    assert_eq!(hush_rules::DEFAULT_RULE_COUNT, specs.len());
}

#[test]
fn every_pack_file_is_embedded_and_non_empty() {
    assert!(DEFAULT_PACKS.len() >= 8, "{} packs", DEFAULT_PACKS.len());
    for (file, text) in DEFAULT_PACKS {
        let rules = hush_rules::load_pack(file, text).expect("parses");
        assert!(!rules.is_empty(), "{file} holds no rule");
    }
}
