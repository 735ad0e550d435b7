//! Checks one rule pack file against its own examples, compiled alone:
//! `cargo run -p hush-rules --example check-pack -- rules/data/aws.toml`.
use hush_rules::{check_examples, load_pack_file, RuleSet};

fn main() {
    let mut failed = false;
    for path in std::env::args_os().skip(1) {
        let path = std::path::PathBuf::from(path);
        let set = match load_pack_file(&path)
            .map_err(|e| e.to_string())
            .and_then(|s| RuleSet::compile(s).map_err(|e| e.to_string()))
        {
            Ok(set) => set,
            Err(e) => {
                eprintln!("{e}");
                failed = true;
                continue;
            }
        };
        let failures = check_examples(&set, true);
        for f in &failures {
            eprintln!("{}: {f}", path.display());
        }
        println!("{}: {} rules, {} failures", path.display(), set.len(), failures.len());
        failed |= !failures.is_empty();
    }
    std::process::exit(i32::from(failed));
}
