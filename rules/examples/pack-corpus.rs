//! Runs rule packs (compiled alone) over a directory tree and prints, per rule, how
//! often its keywords hit and what it found, to tune keywords and false positives:
//! `cargo run --release -p hush-rules --example pack-corpus -- DIR rules/data/aws.toml ...`.
use std::collections::HashMap;
use std::path::Path;

use aho_corasick::AhoCorasick;
use hush_rules::{load_pack_file, Matcher, RuleSet};

fn walk(dir: &Path, files: &mut Vec<std::path::PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let Ok(t) = e.file_type() else { continue };
        if t.is_dir() {
            walk(&e.path(), files);
        } else if t.is_file() {
            files.push(e.path());
        }
    }
}

fn main() {
    let mut args = std::env::args_os().skip(1);
    let dir = std::path::PathBuf::from(args.next().expect("usage: pack-corpus DIR PACK..."));
    let mut specs = Vec::new();
    for p in args {
        specs.extend(load_pack_file(Path::new(&p)).unwrap_or_else(|e| panic!("{e}")));
    }
    let set = RuleSet::compile(specs).unwrap_or_else(|e| panic!("{e}"));
    let keywords: Vec<String> = set
        .rules()
        .iter()
        .flat_map(|r| r.keywords.iter().map(|k| k.to_ascii_lowercase()))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let ac = AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .build(&keywords)
        .expect("keywords");
    let mut keyword_hits = vec![0usize; keywords.len()];
    let mut files = Vec::new();
    walk(&dir, &mut files);
    let mut matcher = Matcher::new(&set);
    let mut found = Vec::new();
    let mut per_rule: HashMap<String, Vec<String>> = HashMap::new();
    for f in &files {
        let Ok(bytes) = std::fs::read(f) else { continue };
        if bytes.len() > 64 << 20 || memchr_nul(&bytes) {
            continue;
        }
        for m in ac.find_overlapping_iter(&bytes) {
            keyword_hits[m.pattern().as_usize()] += 1;
        }
        found.clear();
        matcher.find(&bytes, &mut found);
        for m in &found {
            let line = bytes[..m.secret.start].iter().filter(|&&b| b == b'\n').count() + 1;
            let secret = String::from_utf8_lossy(&bytes[m.secret.clone()]);
            let shown: String = secret.chars().take(12).collect();
            per_rule.entry(set.rule(m.rule).id.clone()).or_default().push(format!(
                "{}:{line} {shown}…({})",
                f.display(),
                secret.len()
            ));
        }
    }
    println!("keyword hits over {} files:", files.len());
    let mut kh: Vec<_> = keywords.iter().zip(&keyword_hits).collect();
    kh.sort_by(|a, b| b.1.cmp(a.1));
    for (k, n) in kh {
        println!("  {n:>8}  {k}");
    }
    println!("matches:");
    for rule in set.rules() {
        let list = per_rule.get(&rule.id).map(Vec::as_slice).unwrap_or(&[]);
        println!("  {:>6}  {}", list.len(), rule.id);
        for l in list.iter().take(5) {
            println!("          {l}");
        }
    }
}

fn memchr_nul(b: &[u8]) -> bool {
    b[..b.len().min(8192)].contains(&0)
}
