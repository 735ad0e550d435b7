//! Times the keyword automaton alone over a directory's files (read into memory
//! first): `cargo run --release -p hush-rules --example prefilter-bench -- DIR`.
//! Compares the automaton kinds on the default keywords, and hush's own
//! (`hush_rules::keywords`), to choose one.
use std::time::Instant;

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};

fn walk(dir: &std::path::Path, files: &mut Vec<Vec<u8>>, budget: &mut usize) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        if *budget == 0 {
            return;
        }
        let Ok(t) = e.file_type() else { continue };
        if t.is_dir() {
            walk(&e.path(), files, budget);
        } else if t.is_file() {
            if let Ok(b) = std::fs::read(e.path()) {
                if !b[..b.len().min(8192)].contains(&0) {
                    *budget = budget.saturating_sub(b.len());
                    files.push(b);
                }
            }
        }
    }
}

fn main() {
    let dir = std::env::args().nth(1).expect("usage: prefilter-bench DIR");
    let mut files = Vec::new();
    let mut budget = 300 << 20;
    walk(std::path::Path::new(&dir), &mut files, &mut budget);
    let bytes: usize = files.iter().map(Vec::len).sum();
    let set = hush_rules::RuleSet::default_rules().expect("rules");
    // `ONLY=regex` leaves out the provider-table rules' keywords.
    let only_regex = std::env::var("ONLY").is_ok_and(|v| v == "regex");
    let mut keywords: std::collections::BTreeSet<String> = set
        .rules()
        .iter()
        .filter(|r| !only_regex || !r.tags.iter().any(|t| t == hush_rules::KEYWORD_VALUE_TAG))
        .flat_map(|r| r.keywords.iter().map(|k| k.to_ascii_lowercase()))
        .collect();
    // `KEYWORDS=FILE`: one keyword per line instead (another rule set's).
    if let Ok(file) = std::env::var("KEYWORDS") {
        let text = std::fs::read_to_string(file).expect("keywords file");
        keywords = text.lines().map(str::to_owned).collect();
    }
    let configs: Vec<(&str, Option<AhoCorasickKind>, usize)> = vec![
        ("dfa", Some(AhoCorasickKind::DFA), 3),
        ("cnfa depth 2", Some(AhoCorasickKind::ContiguousNFA), 2),
        ("cnfa depth 4", Some(AhoCorasickKind::ContiguousNFA), 4),
        ("nnfa depth 3", Some(AhoCorasickKind::NoncontiguousNFA), 3),
    ];
    for (name, kind, depth) in configs {
        let t = Instant::now();
        let ac = AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .kind(kind)
            .dense_depth(depth)
            .prefilter(std::env::var("NOPREFILTER").is_err())
            .build(&keywords)
            .expect("builds");
        let built = t.elapsed();
        let t = Instant::now();
        let mut hits = 0usize;
        for f in &files {
            hits += if std::env::var("NONOVERLAP").is_ok() {
                ac.find_iter(f).count()
            } else {
                ac.find_overlapping_iter(f).count()
            };
        }
        let took = t.elapsed();
        println!(
            "{name:>14}: {} keywords, built {built:?}, {:.0} MB/s over {} MB, {hits} hits, {} KB",
            keywords.len(),
            bytes as f64 / took.as_secs_f64() / 1e6,
            bytes >> 20,
            ac.memory_usage() >> 10
        );
    }
    let words: Vec<&String> = keywords.iter().collect();
    let t = Instant::now();
    let automaton = hush_rules::keywords::KeywordAutomaton::new(&words);
    let built = t.elapsed();
    let mut found = hush_rules::keywords::KeywordHits::default();
    let t = Instant::now();
    let mut hits = 0usize;
    for f in &files {
        automaton.find(f, &mut found);
        hits += found.iter().map(|h| automaton.words_of(h.state).len()).sum::<usize>();
    }
    let took = t.elapsed();
    println!(
        "{:>14}: {} keywords, built {built:?}, {:.0} MB/s over {} MB, {hits} hits, {} KB",
        "hush keywords",
        keywords.len(),
        bytes as f64 / took.as_secs_f64() / 1e6,
        bytes >> 20,
        automaton.memory_usage() >> 10
    );
}
