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
    let t = Instant::now();
    let automaton = hush_rules::keywords::KeywordAutomaton::new(&keywords.iter().collect::<Vec<_>>());
    println!(
        "{} keywords: hush's keyword automaton again in {:?} ({} KB)",
        keywords.len(),
        t.elapsed(),
        automaton.memory_usage() >> 10
    );
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
