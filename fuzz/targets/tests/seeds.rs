//! Every fuzz target on every seed of `fuzz/make_seeds.py`, as an ordinary
//! test: a change that makes a seed panic (or trips a target's assertions)
//! fails `cargo test` on stable, without nightly or cargo-fuzz. The seeds are
//! written to a temp dir when the test runs (they carry the rule packs' fake
//! example secrets, which the repository does not keep outside rules/data/).

use std::path::Path;
use std::process::Command;

/// A target: its name, its `run`, and the fewest seeds it must have.
type Target = (&'static str, fn(&[u8]), usize);

/// Writes the seeds into `dir`, one subdirectory per target.
fn make_seeds(dir: &Path) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../make_seeds.py");
    let out = Command::new("python3")
        .arg(&script)
        .arg("--out")
        .arg(dir)
        .output()
        .expect("python3 runs fuzz/make_seeds.py");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

/// The seeds of `target`, sorted by name.
fn seeds(dir: &Path, target: &str) -> Vec<(String, Vec<u8>)> {
    let mut seeds: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir.join(target))
        .unwrap_or_else(|e| panic!("{target}: {e}"))
        .map(|entry| {
            let path = entry.expect("entry").path();
            let name = path.file_name().expect("name").to_string_lossy().into_owned();
            (name, std::fs::read(&path).expect("read seed"))
        })
        .collect();
    seeds.sort();
    seeds
}

#[test]
fn every_target_runs_every_seed() {
    let dir = tempfile::tempdir().expect("temp dir");
    make_seeds(dir.path());
    let targets: [Target; 5] = [
        ("engine", hush_fuzz_targets::engine::run, 100),
        ("redact_stream", hush_fuzz_targets::redact_stream::run, 10),
        ("archive", hush_fuzz_targets::archive::run, 8),
        ("image", hush_fuzz_targets::image::run, 2),
        ("image_structured", hush_fuzz_targets::image_structured::run, 5),
    ];
    for (target, run, at_least) in targets {
        let seeds = seeds(dir.path(), target);
        assert!(seeds.len() >= at_least, "{target}: only {} seeds", seeds.len());
        for (name, data) in &seeds {
            let outcome = std::panic::catch_unwind(|| run(data));
            assert!(outcome.is_ok(), "{target} panicked on seed {name}");
        }
    }
}
