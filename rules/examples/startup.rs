//! Times the steps of building the default rule set (start-up cost):
//! `cargo run --release -p hush-rules --example startup`.
use std::time::Instant;

fn main() {
    let t = Instant::now();
    let specs = hush_rules::default_specs().expect("default packs parse");
    let parsed = t.elapsed();
    let n = specs.len();
    let t = Instant::now();
    let set = hush_rules::RuleSet::compile(specs).expect("default packs compile");
    let compiled = t.elapsed();
    let keywords: std::collections::BTreeSet<String> = set
        .rules()
        .iter()
        .flat_map(|r| r.keywords.iter().map(|k| k.to_ascii_lowercase()))
        .collect();
    for kind in [
        aho_corasick::AhoCorasickKind::DFA,
        aho_corasick::AhoCorasickKind::ContiguousNFA,
    ] {
        let t = Instant::now();
        let _ac = aho_corasick::AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .kind(Some(kind))
            .build(&keywords)
            .expect("builds");
        println!("{} keywords: {kind:?} automaton in {:?}", keywords.len(), t.elapsed());
    }
    let t = Instant::now();
    for r in set.rules() {
        let _ = regex_syntax::ParserBuilder::new()
            .unicode(false)
            .utf8(false)
            .build()
            .parse(&r.spec.regex);
    }
    println!("regex syntax parse of all: {:?}", t.elapsed());
    println!(
        "{n} rules: packs parsed in {parsed:?}, rule set built in {compiled:?} ({} rules)",
        set.len()
    );
}
