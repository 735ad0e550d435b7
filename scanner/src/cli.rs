//! The command line: clap definitions close to the flags (validation only), and
//! `run`, which builds the real objects from them and returns the exit code.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand, ValueEnum};
use hush_rules::{default_specs, load_pack_file, RuleSet, RuleSpec};

use crate::report::{write_report, Format, ReportOptions};
use crate::scan::{scan, Progress, ScanOptions, ScanOutcome};

/// Exit code when nothing was found.
pub const EXIT_CLEAN: i32 = 0;
/// Exit code when secrets were found.
pub const EXIT_FINDINGS: i32 = 1;
/// Exit code for bad arguments, bad config or input that could not be read.
pub const EXIT_ERROR: i32 = 2;

const LONG_VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), " (rules ", env!("CARGO_PKG_VERSION"), ")");

/// hush: find leaked secrets in files, directories and stdin.
#[derive(Debug, Parser)]
#[command(name = "hush", version, long_version = LONG_VERSION, about, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scan files, directories or stdin (`-`) for secrets.
    Scan(ScanArgs),
    /// Inspect the rule set.
    #[command(subcommand)]
    Rules(RulesCommand),
    /// Replace secrets in a stream: stdin to stdout, or a command's output (`-- CMD`).
    Redact(hush_redact::cli::RedactArgs),
}

#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// List every rule: id, severity, confidence, keywords.
    List(RuleSelection),
}

/// Which rules to load.
#[derive(Debug, clap::Args)]
pub struct RuleSelection {
    /// An extra rule pack (TOML), added to the default rules; repeatable.
    #[arg(long = "rules", value_name = "FILE")]
    pub rules: Vec<PathBuf>,
    /// Disable the rule with this id; repeatable.
    #[arg(long = "disable-rule", value_name = "ID")]
    pub disable: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, clap::Args)]
pub struct ScanArgs {
    /// Files or directories to scan; `-` reads stdin.
    #[arg(value_name = "PATH", default_value = ".")]
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Write the report to FILE instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Print secrets in full instead of masked (`ghp_…(40)`).
    #[arg(long)]
    pub show_secrets: bool,
    /// Do not respect .gitignore, .ignore or .hushignore files.
    #[arg(long)]
    pub no_ignore: bool,
    /// Follow symbolic links.
    #[arg(short = 'L', long)]
    pub follow: bool,
    /// Skip files larger than this (bytes; K, M, G suffixes).
    #[arg(long, value_name = "SIZE", default_value = "1G", value_parser = parse_size)]
    pub max_file_size: u64,
    /// Worker threads (0: one per CPU).
    #[arg(short = 'j', long, value_name = "N", default_value_t = 0)]
    pub threads: usize,
    /// When to colour the text report.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Name every skipped file and why.
    #[arg(short, long)]
    pub verbose: bool,
    /// No summary and no progress on stderr (errors are still printed).
    #[arg(short, long, conflicts_with = "verbose")]
    pub quiet: bool,
    #[command(flatten)]
    pub selection: RuleSelection,
}

/// Parses `123`, `64K`, `512M`, `1G` (binary units).
pub fn parse_size(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let (digits, shift) = match t.chars().last().map(|c| c.to_ascii_uppercase()) {
        Some('K') => (&t[..t.len() - 1], 10),
        Some('M') => (&t[..t.len() - 1], 20),
        Some('G') => (&t[..t.len() - 1], 30),
        Some('T') => (&t[..t.len() - 1], 40),
        _ => (t, 0),
    };
    let n: u64 = digits
        .parse()
        .map_err(|_| format!("{text:?} is not a size (examples: 4096, 64K, 512M, 1G)"))?;
    n.checked_mul(1 << shift)
        .ok_or_else(|| format!("{text:?} is too large"))
}

/// Runs the parsed command line; the result is the process exit code.
pub fn run(cli: Cli) -> Result<i32> {
    match cli.command {
        Command::Scan(args) => run_scan(args),
        Command::Redact(args) => Ok(hush_redact::cli::run(args)?),
        Command::Rules(RulesCommand::List(selection)) => {
            let rules = load_rules(&selection)?;
            let mut out = std::io::stdout().lock();
            for rule in rules.rules() {
                let line = format!(
                    "{:<40} {:<9} {:<7} {}\n",
                    rule.id,
                    crate::report::level_name(rule.severity),
                    crate::report::level_name(rule.confidence),
                    rule.keywords.join(",")
                );
                if ignore_broken_pipe(out.write_all(line.as_bytes()))? {
                    break;
                }
            }
            Ok(EXIT_CLEAN)
        }
    }
}

/// The default rules plus `--rules` packs, minus `--disable-rule` ids.
pub fn load_rules(selection: &RuleSelection) -> Result<RuleSet> {
    let mut specs: Vec<RuleSpec> = default_specs().context("loading the default rule packs")?;
    let mut user_ids = std::collections::HashSet::new();
    for pack in &selection.rules {
        let user = load_pack_file(pack).with_context(|| format!("--rules {}", pack.display()))?;
        user_ids.extend(user.iter().map(|s| s.id.clone()));
        specs.extend(user);
    }
    for id in &selection.disable {
        if !specs.iter().any(|s| &s.id == id) {
            bail!("--disable-rule {id}: no rule has this id (see `hush rules list`)");
        }
    }
    specs.retain(|s| !selection.disable.contains(&s.id));
    let set = RuleSet::compile(specs)?;
    // The default packs' regexes are compiled by the tests; a user's are checked now.
    set.compile_rules(|r| user_ids.contains(&r.id))?;
    Ok(set)
}

fn run_scan(args: ScanArgs) -> Result<i32> {
    let started = Instant::now();
    let rules = load_rules(&args.selection)?;
    let progress = Arc::new(Progress::default());
    let options = ScanOptions {
        no_ignore: args.no_ignore,
        follow_links: args.follow,
        max_file_size: args.max_file_size,
        threads: args.threads,
        progress: Some(progress.clone()),
    };
    let show_progress = !args.quiet && std::io::stderr().is_terminal();
    let outcome = with_progress(show_progress, &progress, || scan(&rules, &args.paths, &options));

    let color = match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            args.output.is_none()
                && std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    };
    let report = ReportOptions {
        show_secrets: args.show_secrets,
        color,
    };
    let mut buffer = Vec::new();
    write_report(args.format, &outcome.findings, &outcome.stats, report, &mut buffer)?;
    match &args.output {
        Some(path) => std::fs::write(path, &buffer).with_context(|| format!("--output {}", path.display()))?,
        None => {
            ignore_broken_pipe(std::io::stdout().lock().write_all(&buffer))?;
        }
    }
    print_diagnostics(&outcome, &args, started.elapsed());
    Ok(if !outcome.findings.is_empty() {
        EXIT_FINDINGS
    } else if !outcome.stats.errors.is_empty() {
        EXIT_ERROR
    } else {
        EXIT_CLEAN
    })
}

/// A closed stdout (`hush ... | head`) is not an error; true when it happened.
fn ignore_broken_pipe(result: std::io::Result<()>) -> Result<bool> {
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

/// Errors always; each skip with `--verbose`; a summary unless `--quiet`.
fn print_diagnostics(outcome: &ScanOutcome, args: &ScanArgs, elapsed: Duration) {
    let stats = &outcome.stats;
    let mut err = std::io::stderr().lock();
    for e in &stats.errors {
        let _ = writeln!(err, "hush: error: {e}");
    }
    if args.verbose {
        for s in &stats.skips {
            let _ = writeln!(err, "hush: skipped {}: {}", s.path, s.reason);
        }
    }
    if args.quiet {
        return;
    }
    let locations: usize = outcome.findings.iter().map(|f| f.locations.len()).sum();
    let mut summary = format!(
        "hush: {} finding(s) in {} location(s); scanned {} file(s), {} in {:.2} s",
        outcome.findings.len(),
        locations,
        stats.files_scanned,
        human_bytes(stats.bytes_scanned),
        elapsed.as_secs_f64()
    );
    if !stats.skips.is_empty() {
        summary.push_str(&format!("; skipped {} (--verbose names them)", stats.skips.len()));
    }
    if !stats.errors.is_empty() {
        summary.push_str(&format!("; {} error(s)", stats.errors.len()));
    }
    let _ = writeln!(err, "{summary}");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_with_suffixes() {
        assert_eq!(parse_size("4096"), Ok(4096));
        assert_eq!(parse_size("64K"), Ok(64 << 10));
        assert_eq!(parse_size("1g"), Ok(1 << 30));
        assert!(parse_size("lots").unwrap_err().contains("not a size"));
    }
}
