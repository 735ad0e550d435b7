//! Compiles every default rule's regex and reports the process's resident memory
//! before and after, grouped by rank (to size the regexes' memory):
//! `cargo run --release -p hush-rules --example regex-memory`.
fn rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|n| n.parse().ok()))
        })
        .unwrap_or(0)
}

fn main() {
    let set = hush_rules::RuleSet::default_rules().expect("default packs compile");
    let before = rss_kb();
    set.compile_rules(|r| r.tags.iter().any(|t| t == hush_rules::KEYWORD_VALUE_TAG))
        .expect("compiles");
    let table = rss_kb();
    set.compile_all().expect("compiles");
    let all = rss_kb();
    // One search per rule, as a scan's first hit would do: builds the caches.
    let mut m = hush_rules::Matcher::new(&set);
    let mut out = Vec::new();
    let mut text = String::new();
    for r in set.rules() {
        for k in &r.keywords {
            text.push_str(k);
            text.push_str("_API_KEY = \"a1b2c3\"\n");
        }
    }
    m.find(text.as_bytes(), &mut out);
    let searched = rss_kb();
    println!(
        "rss: {before} KB after loading; +{} KB table regexes; +{} KB the others; +{} KB after one search of each",
        table - before,
        all - table,
        searched - all
    );
}
