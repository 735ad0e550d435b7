//! One scanning session, the same for every source: load config and rules, run
//! the source, apply severity filters and the baseline, write the report, print
//! diagnostics, and pick the exit code.

use std::io::{IsTerminal, Write};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use hush_rules::RuleSet;

use super::files::Files;
use super::rules::load_rules_from;
use super::{ColorChoice, ReportArgs, EXIT_CLEAN, EXIT_ERROR};
use hush_scanner::allow::Allowlist;
use hush_scanner::baseline::Baseline;
use hush_scanner::config::Config;
use hush_scanner::finding::VerifyStatus;
use hush_scanner::report::escape::escape;
use hush_scanner::report::{write_report, Format, ReportOptions};
use hush_scanner::search::{Progress, ScanOptions, ScanOutcome};
use hush_scanner::verify::{verify, Overrides, VerifyOptions};

/// Runs `source` with the rules and options `args` and the config in `files`
/// ask for, then reports; returns the exit code.
pub(super) fn run_source(
    args: &ReportArgs,
    files: Files,
    source: impl FnOnce(&RuleSet, ScanOptions) -> Result<ScanOutcome>,
) -> Result<i32> {
    let started = Instant::now();
    refuse_secrets_in_html(args)?;
    let config = files.config(args.config.as_deref())?;
    let rules = load_rules_from(&args.selection, config.as_ref(), files)?;
    // Read before the scan, so that a range's source knows every file read
    // from its base.
    let baseline = match baseline_path(args, config.as_ref()) {
        Some(path) if args.write_baseline.is_none() => files.baseline(&path)?,
        _ => None,
    };
    let allow = match &config {
        Some(c) => Allowlist::from_config(c)?,
        None => Allowlist::default(),
    };
    let progress = Arc::new(Progress::default());
    // hush's own baseline lists rule ids next to keyed hashes (`datadog-api-key
    // <40 hex>`), which is what a provider rule looks for: it is not scanned.
    let own_files = [args.write_baseline.clone(), baseline_path(args, config.as_ref())]
        .into_iter()
        .flatten()
        .filter_map(|p| std::fs::canonicalize(p).ok())
        .collect();
    let options = ScanOptions {
        threads: args.threads,
        decode_depth: args
            .max_decode_depth
            .or(config.as_ref().and_then(|c| c.decode_depth()))
            .unwrap_or(hush_rules::decode::DEFAULT_DEPTH),
        progress: Some(progress.clone()),
        allow: Arc::new(allow),
        allow_root: config.as_ref().map(|c| c.dir.clone()).unwrap_or_default(),
        own_files,
        skip_binary: args.skip_binary || config.as_ref().is_some_and(|c| c.skip_binary == Some(true)),
        ..ScanOptions::default()
    };
    let show_progress = !args.quiet && std::io::stderr().is_terminal();
    let verify = verify_options(args, config.as_ref())?;
    let mut outcome = with_progress(show_progress, &progress, || source(&rules, options))?;
    if let Some(verify) = verify {
        run_verification(args, &rules, &mut outcome, &verify)?;
    }
    report(args, baseline.as_ref(), outcome, started)
}

/// The verification the flags and config ask for (`None`: none). Read before
/// the scan, so a bad `HUSH_VERIFY_OVERRIDE` costs nothing; no client is built
/// here.
fn verify_options(args: &ReportArgs, config: Option<&Config>) -> Result<Option<VerifyOptions>> {
    let flags = &args.verify;
    let wanted = flags.verify || flags.only_verified || config.is_some_and(|c| c.verify == Some(true));
    if !wanted {
        return Ok(None);
    }
    let overrides = Overrides::from_env().map_err(anyhow::Error::msg)?;
    Ok(Some(VerifyOptions {
        timeout: Duration::from_secs_f64(flags.verify_timeout),
        concurrency: flags.verify_concurrency as usize,
        rate: flags.verify_rate,
        allow_private: flags.verify_allow_private,
        cache: flags.verify_cache.clone(),
        cache_max_age: Duration::from_secs(flags.verify_cache_max_age.saturating_mul(3600)),
        overrides,
    }))
}

/// Verifies the findings, saying on stderr which providers are contacted
/// (always, even with `--quiet`: the user should know where requests go).
fn run_verification(
    args: &ReportArgs,
    rules: &RuleSet,
    outcome: &mut ScanOutcome,
    options: &VerifyOptions,
) -> Result<()> {
    let summary = verify(&mut outcome.findings, rules, options, |providers| {
        let named: Vec<String> = providers
            .iter()
            .map(|(p, host)| format!("{p} ({})", escape(host)))
            .collect();
        eprintln!("hush: --verify: contacting {}", named.join(", "));
    })
    .map_err(anyhow::Error::msg)?;
    if !args.quiet {
        eprintln!(
            "hush: verification: {} unique check(s), {} request(s){}: {} verified, {} invalid, {} unknown finding(s)",
            summary.checks,
            summary.requests,
            if summary.cached > 0 {
                format!(" ({} from --verify-cache)", summary.cached)
            } else {
                String::new()
            },
            summary.verified,
            summary.invalid,
            summary.unknown
        );
    }
    Ok(())
}

/// The end of every session (a scan's, a merge's): severity filters, the
/// baseline, the reports, diagnostics; returns the exit code.
pub(super) fn report(
    args: &ReportArgs,
    baseline: Option<&Baseline>,
    mut outcome: ScanOutcome,
    started: Instant,
) -> Result<i32> {
    outcome.findings.retain(|f| {
        args.outcome.min_severity.is_none_or(|min| f.severity >= min)
            && args.outcome.min_confidence.is_none_or(|min| f.confidence >= min)
            && (!args.verify.only_verified
                || f.verification
                    .as_ref()
                    .is_some_and(|v| v.status == VerifyStatus::Verified))
    });
    apply_baseline(args, baseline, &mut outcome)?;

    let color = match args.out.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            args.out.output.is_none()
                && std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    };
    let report = ReportOptions {
        show_secrets: args.out.show_secrets,
        color,
    };
    let buffer = render(args.out.format, &outcome, report)?;
    match &args.out.output {
        Some(path) => std::fs::write(path, &buffer).with_context(|| format!("--output {}", path.display()))?,
        None => {
            ignore_broken_pipe(std::io::stdout().lock().write_all(&buffer))?;
        }
    }
    let plain = ReportOptions { color: false, ..report };
    for (format, path) in &args.out.reports {
        let buffer = render(*format, &outcome, plain)?;
        std::fs::write(path, &buffer).with_context(|| format!("--report {}", path.display()))?;
    }
    print_diagnostics(&outcome, args, started.elapsed());
    Ok(exit_code(&outcome, args))
}

/// `--show-secrets` with an HTML report needs `--allow-secrets-in-html`: the
/// page is made to be mailed and uploaded, so whole secrets in it must be asked
/// for twice. Checked before scanning, so the mistake costs nothing.
pub(super) fn refuse_secrets_in_html(args: &ReportArgs) -> Result<()> {
    let html = args.out.format == Format::Html || args.out.reports.iter().any(|(f, _)| *f == Format::Html);
    if args.out.show_secrets && html && !args.out.allow_secrets_in_html {
        anyhow::bail!(
            "--show-secrets with an HTML report (--format html or --report html=FILE) would put whole \
             secrets in a file made to be passed around; add --allow-secrets-in-html if that is intended"
        );
    }
    Ok(())
}

/// The exit code of a scan: `--exit-code` (1) when there are new findings;
/// else 2 when a named input could not be read, or with `--strict` when any
/// content could not be read; else 0.
fn exit_code(outcome: &ScanOutcome, args: &ReportArgs) -> i32 {
    let stats = &outcome.stats;
    if outcome.findings.iter().any(|f| !f.known) {
        args.outcome.exit_code
    } else if stats.input_unread() || (args.strict && !stats.errors.is_empty()) {
        EXIT_ERROR
    } else {
        EXIT_CLEAN
    }
}

/// One report of the outcome in `format`.
fn render(format: Format, outcome: &ScanOutcome, options: ReportOptions) -> Result<Vec<u8>> {
    let mut buffer = Vec::new();
    // The text report is for people: it shows what needs action, not what was reviewed.
    if format == Format::Text {
        let shown: Vec<_> = outcome.findings.iter().filter(|f| !f.known).cloned().collect();
        write_report(format, &shown, &outcome.stats, options, &mut buffer)?;
    } else {
        write_report(format, &outcome.findings, &outcome.stats, options, &mut buffer)?;
    }
    Ok(buffer)
}

/// `--write-baseline` records every finding (all become known); `baseline`
/// (`--baseline`, or the config's) marks the reviewed ones known.
fn apply_baseline(args: &ReportArgs, baseline: Option<&Baseline>, outcome: &mut ScanOutcome) -> Result<()> {
    if let Some(path) = &args.write_baseline {
        let mut baseline = Baseline::load_or_new(path)?;
        baseline.replace_findings(&outcome.findings);
        std::fs::write(path, baseline.to_text()).with_context(|| format!("--write-baseline {}", path.display()))?;
        eprintln!("hush: wrote {} entries to {}", baseline.len(), super::shown_path(path));
        for f in &mut outcome.findings {
            f.known = true;
        }
    } else if let Some(baseline) = baseline {
        for f in &mut outcome.findings {
            f.known = baseline.contains(f);
        }
    }
    Ok(())
}

/// The baseline to read: `--baseline`, else the config's `baseline`.
pub(super) fn baseline_path(args: &ReportArgs, config: Option<&Config>) -> Option<std::path::PathBuf> {
    args.outcome
        .baseline
        .clone()
        .or_else(|| config.and_then(|c| c.baseline.as_ref().map(|b| c.resolve(b))))
}

/// A closed stdout (`hush ... | head`) is not an error; true when it happened.
pub(super) fn ignore_broken_pipe(result: std::io::Result<()>) -> Result<bool> {
    match result {
        Ok(()) => Ok(false),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(true),
        Err(e) => Err(e.into()),
    }
}

/// Runs `work`; if it takes over a second and `enabled`, shows a spinner with the
/// files and bytes scanned so far on stderr.
fn with_progress<T>(enabled: bool, progress: &Progress, work: impl FnOnce() -> T) -> T {
    use std::sync::atomic::Ordering::Relaxed;
    if !enabled {
        return work();
    }
    let done = std::sync::atomic::AtomicBool::new(false);
    std::thread::scope(|scope| {
        scope.spawn(|| {
            let start = Instant::now();
            let mut bar: Option<indicatif::ProgressBar> = None;
            while !done.load(Relaxed) {
                std::thread::sleep(Duration::from_millis(100));
                if start.elapsed() < Duration::from_secs(1) {
                    continue;
                }
                let bar = bar.get_or_insert_with(|| {
                    let b = indicatif::ProgressBar::new_spinner();
                    b.enable_steady_tick(Duration::from_millis(120));
                    b
                });
                let (files, bytes) = (progress.files.load(Relaxed), progress.bytes.load(Relaxed));
                bar.set_message(format!("scanned {files} files, {}", human_bytes(bytes)));
            }
            if let Some(bar) = bar {
                bar.finish_and_clear();
            }
        });
        let result = work();
        done.store(true, Relaxed);
        result
    })
}

fn human_bytes(n: u64) -> String {
    match n {
        n if n >= 1 << 30 => format!("{:.1} GiB", n as f64 / f64::from(1u32 << 30)),
        n if n >= 1 << 20 => format!("{:.1} MiB", n as f64 / f64::from(1u32 << 20)),
        n if n >= 1 << 10 => format!("{:.1} KiB", n as f64 / 1024.0),
        n => format!("{n} B"),
    }
}

/// Errors always; each skip with `--verbose`; a summary unless `--quiet`. Paths
/// and messages are escaped: they may come from the scanned material.
fn print_diagnostics(outcome: &ScanOutcome, args: &ReportArgs, elapsed: Duration) {
    let stats = &outcome.stats;
    let mut err = std::io::stderr().lock();
    for e in &stats.errors {
        let level = if e.input { "error" } else { "warning" };
        let _ = writeln!(err, "hush: {level}: {}", escape(&e.to_string()));
    }
    for note in &stats.notes {
        let _ = writeln!(err, "hush: note: {}", escape(note));
    }
    if args.verbose {
        for s in &stats.skips {
            let _ = writeln!(err, "hush: skipped {}: {}", escape(&s.path), s.reason);
        }
    }
    if args.quiet {
        return;
    }
    let new: Vec<_> = outcome.findings.iter().filter(|f| !f.known).collect();
    let locations: usize = new.iter().map(|f| f.locations.len()).sum();
    let mut summary = format!(
        "hush: {} new finding(s) in {} location(s); scanned {} file(s), {} in {:.2} s",
        new.len(),
        locations,
        stats.files_scanned,
        human_bytes(stats.bytes_scanned),
        elapsed.as_secs_f64()
    );
    if stats.binary_files > 0 {
        summary.push_str(&format!(
            " ({} binary file(s) scanned over their printable runs)",
            stats.binary_files
        ));
    }
    let known = outcome.findings.len() - new.len();
    if known > 0 {
        summary.push_str(&format!("; {known} known from the baseline"));
    }
    if stats.suppressed > 0 {
        summary.push_str(&format!("; {} allowed by annotations or config", stats.suppressed));
    }
    if !stats.skips.is_empty() {
        summary.push_str(&format!("; skipped {} (--verbose names them)", stats.skips.len()));
    }
    let inputs = stats.errors.iter().filter(|e| e.input).count();
    if inputs > 0 {
        summary.push_str(&format!("; {inputs} input(s) unread"));
    }
    if stats.errors.len() > inputs {
        summary.push_str(&format!(
            "; {} warning(s): content left unread",
            stats.errors.len() - inputs
        ));
    }
    let _ = writeln!(err, "{summary}");
}
