//! Times each rule alone on the lines of a file (the rules whose keywords
//! occur there), slowest first: finds a rule whose regex is costly on some input.
//! `cargo run --release -p hush-rules --example rule-cost -- FILE`.
use std::time::Instant;

fn main() {
    let path = std::env::args().nth(1).expect("usage: rule-cost FILE");
    let text = std::fs::read(path).expect("read");
    let lines: Vec<&[u8]> = text.split(|&b| b == b'\n').take(2000).collect();
    let specs = hush_rules::default_specs().expect("default packs");
    let mut costs = Vec::new();
    for spec in specs {
        let lower = String::from_utf8_lossy(&text[..text.len().min(1 << 16)]).to_ascii_lowercase();
        if !spec.keywords.iter().any(|k| lower.contains(&k.to_ascii_lowercase())) {
            continue;
        }
        let id = spec.id.clone();
        let set = hush_rules::RuleSet::compile(vec![spec]).expect("compiles");
        let mut matcher = hush_rules::Matcher::new(&set);
        let mut found = Vec::new();
        matcher.find(lines[0], &mut found);
        let t = Instant::now();
        for line in &lines {
            found.clear();
            matcher.find(line, &mut found);
        }
        costs.push((t.elapsed() / lines.len() as u32, id));
    }
    costs.sort();
    for (cost, id) in costs.iter().rev().take(15) {
        println!("{cost:>10?} per line  {id}");
    }
}
