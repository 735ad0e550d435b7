//! `hush merge`: reads the reports, folds them (`hush_scanner::merge`), drops
//! what the config allows, and ends like every session (baseline, reports,
//! exit code), so a merged run fails a build exactly as one scan would.

use std::path::Path;
use std::time::Instant;

use anyhow::Result;
use hush_scanner::allow::Allowlist;
use hush_scanner::merge::merge_files;

use super::files::Files;
use super::session::{baseline_path, refuse_secrets_in_html, report};
use super::{MergeArgs, ReportArgs, RuleSelection};

/// Runs `hush merge`; the result is the exit code.
pub(super) fn merge(args: &MergeArgs) -> Result<i32> {
    let started = Instant::now();
    let report_args = as_report_args(args);
    refuse_secrets_in_html(&report_args)?;
    let files = Files::Disk(Path::new("."));
    let config = files.config(args.config.as_deref())?;
    let baseline = match baseline_path(&report_args, config.as_ref()) {
        Some(path) => files.baseline(&path)?,
        None => None,
    };
    let (mut outcome, _) = merge_files(&args.files)?;
    if let Some(config) = &config {
        hush_scanner::merge::drop_allowed(&mut outcome, &Allowlist::from_config(config)?);
    }
    report(&report_args, baseline.as_ref(), outcome, started)
}

/// The session's flags for a merge: its own, and nothing that scans.
fn as_report_args(args: &MergeArgs) -> ReportArgs {
    ReportArgs {
        out: args.out.clone(),
        outcome: args.outcome.clone(),
        threads: 1,
        max_decode_depth: None,
        skip_binary: false,
        verbose: false,
        quiet: args.quiet,
        config: args.config.clone(),
        write_baseline: None,
        strict: false,
        selection: RuleSelection {
            rules: Vec::new(),
            disable: Vec::new(),
        },
        verify: super::args::VerifyArgs::default(),
    }
}
