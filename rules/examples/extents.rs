//! Prints each default rule's extent: how far its match reaches from its keyword
//! in bytes and lines (what the scanner's overlap and the redactor's look-back and
//! hold are derived from). `cargo run -p hush-rules --example extents`
use hush_rules::RuleSet;

fn main() {
    let set = RuleSet::default_rules().expect("default rules");
    let t = std::time::Instant::now();
    let extents: Vec<_> = set.rules().iter().map(|r| r.extent()).collect();
    let elapsed = t.elapsed();
    let mut crosses = 0;
    for (rule, e) in set.rules().iter().zip(&extents) {
        crosses += usize::from(e.crosses_lines);
        if e.continues_after_secret {
            println!(
                "continues: {:<45} before {:>5} after {:>5} keywords {:?}",
                rule.id, e.before, e.after, rule.keywords
            );
        }
    }
    println!(
        "{} rules, {crosses} cross lines, max span {} bytes; extents in {elapsed:?}",
        set.len(),
        set.max_span()
    );
}
