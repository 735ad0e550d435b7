//! The scan driver of `hush scan`: sorts the paths a user named into stdin,
//! single files and directory roots, runs those sources, and hands each one the
//! run's [`Collector`]. The search stage itself is [`crate::search`].

use std::path::{Path, PathBuf};

use hush_rules::RuleSet;

use crate::named::scan_named_files;
use crate::origin::{display_path, Origin};
use crate::search::{drop_allowed, Collector, Gathered, ScanOptions, ScanOutcome};
use crate::stream::{StreamOutcome, StreamScanner};
use crate::walk::walk;

/// Scans `paths` (`-` is stdin) with `rules`.
pub fn scan(rules: &RuleSet, paths: &[PathBuf], opts: &ScanOptions) -> ScanOutcome {
    // A file's shard key is its path relative to the directory named.
    let sharded;
    let opts = if opts.shard.is_whole() {
        opts
    } else {
        sharded = ScanOptions {
            shard_roots: paths.iter().filter(|p| p.is_dir()).cloned().collect(),
            ..opts.clone()
        };
        &sharded
    };
    let collector = Collector::new();
    let mut here = Gathered::default();
    let mut roots = Vec::new();
    let mut files = Vec::new();
    for path in paths {
        if path.as_os_str() == "-" {
            if !opts.shard.owns_stdin() {
                continue;
            }
            scan_stdin(&mut crate::search::scanner(rules, opts), opts, &mut here);
            continue;
        }
        match std::fs::metadata(path) {
            Err(e) => here
                .stats
                .input_error(display_path(path).display().to_string(), describe_missing(path, &e)),
            Ok(meta) if meta.is_dir() => roots.push(path.clone()),
            Ok(_) => files.push(path.clone()),
        }
    }
    collector.add(here);
    scan_named_files(rules, &files, opts, &collector);
    walk(rules, &roots, opts, &collector);
    let Gathered { findings, mut stats } = collector.into_inner();
    stats.sort();
    stats.shard = Some(opts.shard).filter(|s| !s.is_whole());
    ScanOutcome {
        findings: findings.into_findings(rules),
        stats,
    }
}

fn describe_missing(path: &Path, e: &std::io::Error) -> String {
    if e.kind() == std::io::ErrorKind::NotFound && std::fs::symlink_metadata(path).is_ok() {
        "broken symbolic link".to_owned()
    } else {
        e.to_string()
    }
}

fn scan_stdin(scanner: &mut StreamScanner, opts: &ScanOptions, here: &mut Gathered) {
    let Gathered { findings, stats } = here;
    let mut found = Vec::new();
    match scanner.scan_reader(std::io::stdin().lock(), &mut found) {
        Ok(StreamOutcome::Scanned { bytes, content }) => stats.scanned(bytes, content),
        Ok(StreamOutcome::Binary) => stats.skip("-", crate::stats::SkipReason::Binary),
        Err(e) => stats.input_error("-", e.to_string()),
    }
    drop_allowed(scanner.rules(), opts, &mut found, stats);
    findings.add(&Origin::Stdin, found);
}
