//! hush-scanner: finds leaked secrets in files, directories and stdin with the
//! [`hush_rules`] engine, groups matches into findings and writes reports.
//!
//! The data flow follows docs/DESIGN.md: a source (the filesystem walker, stdin) reads
//! bytes and names their [`origin::Origin`]; [`stream::StreamScanner`] runs the engine over
//! them in bounded, overlapping chunks and locates each match (line, column);
//! [`finding::FindingSet`] groups matches by rule and secret; a report formats the
//! findings. The `hush` binary (src/main.rs) is one user of this library.
//!
//! ```no_run
//! use hush_scanner::{scan::scan, search::ScanOptions};
//! let rules = hush_rules::RuleSet::default_rules().expect("default rules compile");
//! let outcome = scan(&rules, &["src".into()], &ScanOptions::default());
//! println!("{} findings", outcome.findings.len());
//! ```

pub mod allow;
pub mod archive;
pub mod baseline;
pub mod config;
#[cfg(unix)]
mod deep;
pub mod finding;
pub mod git;
pub mod image;
pub mod import;
pub mod merge;
mod named;
pub mod origin;
pub mod report;
pub mod scan;
pub mod search;
pub mod shard;
pub mod stats;
pub mod stream;
pub mod strings;
pub mod text;
pub mod verify;
pub mod walk;
pub mod widening;
