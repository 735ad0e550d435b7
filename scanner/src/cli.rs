//! The command line: clap definitions close to the flags (validation only), and
//! `run`, which builds the real objects from them and returns the exit code.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand, ValueEnum};
use hush_rules::{check_examples, default_specs, load_pack_file, Confidence, RuleSet, RuleSpec, Severity};

use crate::allow::Allowlist;
use crate::archive::ArchiveOptions;
use crate::baseline::Baseline;
use crate::config::Config;
use crate::image::{scan_images, ImageOptions};
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
    /// Scan container images: `docker save` tarballs and OCI layouts (directory
    /// or tarball), every layer and the config.
    Image(ImageArgs),
    /// Inspect the rule set.
    #[command(subcommand)]
    Rules(RulesCommand),
    /// Work with baseline files.
    #[command(subcommand)]
    Baseline(BaselineCommand),
}

#[derive(Debug, Subcommand)]
pub enum BaselineCommand {
    /// Add the findings of a gitleaks/betterleaks JSON report or a detect-secrets
    /// `.secrets.baseline` to a hush baseline (created if missing).
    Import {
        /// The other scanner's report.
        #[arg(value_name = "REPORT")]
        report: PathBuf,
        /// The hush baseline to add to.
        #[arg(short, long, value_name = "FILE", default_value = ".hush-baseline")]
        output: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// List every rule: id, severity, confidence, keywords.
    List(RuleSelection),
    /// Check a rule pack: it parses, its regexes compile, and each rule finds its
    /// examples and none of its negative examples.
    Check {
        #[arg(value_name = "FILE", required = true)]
        packs: Vec<PathBuf>,
    },
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
    /// Do not respect .gitignore, .ignore or .hushignore files.
    #[arg(long)]
    pub no_ignore: bool,
    /// Follow symbolic links.
    #[arg(short = 'L', long)]
    pub follow: bool,
    #[command(flatten)]
    pub common: CommonArgs,
}

#[derive(Debug, clap::Args)]
pub struct ImageArgs {
    /// Image tarballs (`docker save`, OCI archive) or OCI layout directories.
    #[arg(value_name = "IMAGE", required = true)]
    pub images: Vec<PathBuf>,
    /// Scan only this platform of a multi-platform image (`linux/arm64`).
    #[arg(long, value_name = "OS/ARCH")]
    pub platform: Option<String>,
    #[command(flatten)]
    pub common: CommonArgs,
}

/// Archives found while scanning (zip, jar, tar, tar.gz, gz, zst, ...).
#[derive(Debug, clap::Args)]
pub struct ArchiveArgs {
    /// Open archives nested up to N deep (0: do not open archives; at most 16).
    #[arg(long, value_name = "N", default_value_t = 3,
          value_parser = clap::value_parser!(u32).range(0..=16))]
    pub archive_depth: u32,
    /// Do not open archives (same as --archive-depth 0).
    #[arg(long)]
    pub no_archives: bool,
    /// Stop reading an archive after this many decompressed bytes (all nested
    /// levels together) and report it as `archive-limit`.
    #[arg(long, value_name = "SIZE", default_value = "1G", value_parser = parse_size)]
    pub archive_max_bytes: u64,
    /// Stop reading an archive that expands past N times its size.
    #[arg(long, value_name = "N", default_value_t = 100)]
    pub archive_max_ratio: u64,
}

impl ArchiveArgs {
    fn options(&self) -> ArchiveOptions {
        ArchiveOptions {
            max_depth: if self.no_archives { 0 } else { self.archive_depth },
            max_bytes: self.archive_max_bytes,
            max_ratio: self.archive_max_ratio,
        }
    }
}

/// Flags shared by `hush scan` and `hush image`: rules, config, limits, report.
#[derive(Debug, clap::Args)]
pub struct CommonArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Write the report to FILE instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Print secrets in full instead of masked (`ghp_…(40)`).
    #[arg(long)]
    pub show_secrets: bool,
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
    /// Read settings from FILE instead of `.hush.toml` at the scan root.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Findings in this baseline are reported as known and do not fail the scan.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Write every finding to this baseline file (its salt is kept if it exists)
    /// and exit 0.
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,
    /// Exit code when new findings are reported.
    #[arg(long, value_name = "N", default_value_t = EXIT_FINDINGS)]
    pub exit_code: i32,
    /// Report only findings of at least this severity.
    #[arg(long, value_name = "LEVEL", value_parser = parse_severity)]
    pub min_severity: Option<Severity>,
    /// Report only findings of at least this confidence.
    #[arg(long, value_name = "LEVEL", value_parser = parse_confidence)]
    pub min_confidence: Option<Confidence>,
    #[command(flatten)]
    pub archive: ArchiveArgs,
    #[command(flatten)]
    pub selection: RuleSelection,
}

/// `critical`, `high`, `medium`, `low` or `info`.
pub fn parse_severity(text: &str) -> Result<Severity, String> {
    match text.to_ascii_lowercase().as_str() {
        "critical" => Ok(Severity::Critical),
        "high" => Ok(Severity::High),
        "medium" => Ok(Severity::Medium),
        "low" => Ok(Severity::Low),
        "info" => Ok(Severity::Info),
        _ => Err(format!(
            "{text:?} is not a severity (critical, high, medium, low, info)"
        )),
    }
}

/// `high`, `medium` or `low`.
pub fn parse_confidence(text: &str) -> Result<Confidence, String> {
    match text.to_ascii_lowercase().as_str() {
        "high" => Ok(Confidence::High),
        "medium" => Ok(Confidence::Medium),
        "low" => Ok(Confidence::Low),
        _ => Err(format!("{text:?} is not a confidence (high, medium, low)")),
    }
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
        Command::Image(args) => run_image(args),
        Command::Rules(RulesCommand::Check { packs }) => check_packs(&packs),
        Command::Baseline(BaselineCommand::Import { report, output }) => {
            let mut baseline = Baseline::load_or_new(&output)?;
            let file = report.display().to_string();
            let text = std::fs::read_to_string(&report).with_context(|| format!("reading {file}"))?;
            let imported = crate::import::import(&file, &text, &mut baseline)?;
            std::fs::write(&output, baseline.to_text()).with_context(|| format!("writing {}", output.display()))?;
            eprintln!(
                "hush: imported {} entries from a {} file into {}",
                imported.entries,
                imported.tool,
                output.display()
            );
            Ok(EXIT_CLEAN)
        }
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
    load_rules_with(selection, None)
}

/// Like [`load_rules`], with a config's packs, disabled rules and overrides.
pub fn load_rules_with(selection: &RuleSelection, config: Option<&Config>) -> Result<RuleSet> {
    let mut specs: Vec<RuleSpec> = default_specs().context("loading the default rule packs")?;
    let mut user_ids = std::collections::HashSet::new();
    let config_packs = config
        .map(|c| c.rules.packs.iter().map(|p| c.resolve(p)).collect::<Vec<_>>())
        .unwrap_or_default();
    for pack in selection.rules.iter().chain(&config_packs) {
        let user = load_pack_file(pack).with_context(|| format!("rule pack {}", pack.display()))?;
        user_ids.extend(user.iter().map(|s| s.id.clone()));
        specs.extend(user);
    }
    let mut disabled: Vec<String> = Vec::new();
    for id in &selection.disable {
        if !specs.iter().any(|s| &s.id == id) {
            bail!("--disable-rule {id}: no rule has this id (see `hush rules list`)");
        }
        disabled.push(id.clone());
    }
    if let Some(config) = config {
        for id in &config.rules.disable {
            if !specs.iter().any(|s| &s.id == id.get_ref()) {
                return Err(config
                    .invalid(
                        id.span(),
                        "rules.disable",
                        format!("no rule has the id {:?}", id.get_ref()),
                    )
                    .into());
            }
            disabled.push(id.get_ref().clone());
        }
        for (id, change) in &config.rules.overrides {
            let Some(spec) = specs.iter_mut().find(|s| &s.id == id) else {
                return Err(config
                    .invalid(change.span(), &format!("rules.override.{id}"), "no rule has this id")
                    .into());
            };
            let change = change.get_ref();
            if let Some(entropy) = change.entropy {
                spec.entropy = Some(entropy);
            }
            if let Some(severity) = change.severity {
                spec.severity = severity;
            }
        }
    }
    specs.retain(|s| !disabled.contains(&s.id));
    let set = RuleSet::compile(specs)?;
    // The default packs' regexes are compiled by the tests; a user's are checked now.
    set.compile_rules(|r| user_ids.contains(&r.id))?;
    Ok(set)
}

fn check_packs(packs: &[PathBuf]) -> Result<i32> {
    let mut failed = false;
    for pack in packs {
        let specs = load_pack_file(pack)?;
        let set = RuleSet::compile(specs).with_context(|| pack.display().to_string())?;
        let failures = check_examples(&set, false);
        for f in &failures {
            eprintln!("hush: {}: {f}", pack.display());
        }
        println!("{}: {} rules, {} failures", pack.display(), set.len(), failures.len());
        failed |= !failures.is_empty();
    }
    Ok(if failed { EXIT_FINDINGS } else { EXIT_CLEAN })
}

fn run_scan(args: ScanArgs) -> Result<i32> {
    let root = args
        .paths
        .iter()
        .find(|p| p.is_dir())
        .cloned()
        .unwrap_or_else(|| PathBuf::from("."));
    run_report(&args.common, &root, |rules, mut options| {
        options.no_ignore = args.no_ignore;
        options.follow_links = args.follow;
        scan(rules, &args.paths, &options)
    })
}

fn run_image(args: ImageArgs) -> Result<i32> {
    run_report(&args.common, Path::new("."), |rules, options| {
        let options = ImageOptions {
            scan: options,
            platform: args.platform.clone(),
        };
        scan_images(rules, &args.images, &options)
    })
}

/// What `hush scan` and `hush image` share around their source: config, rules,
/// options, progress, filters, baseline, the report and the exit code.
fn run_report(
    args: &CommonArgs,
    root: &Path,
    source: impl FnOnce(&RuleSet, ScanOptions) -> ScanOutcome,
) -> Result<i32> {
    let started = Instant::now();
    let config = Config::discover(args.config.as_deref(), root)?;
    let rules = load_rules_with(&args.selection, config.as_ref())?;
    let allow = match &config {
        Some(c) => Allowlist::from_config(c)?,
        None => Allowlist::default(),
    };
    let progress = Arc::new(Progress::default());
    let options = ScanOptions {
        max_file_size: args.max_file_size,
        threads: args.threads,
        progress: Some(progress.clone()),
        allow: Arc::new(allow),
        allow_root: config.as_ref().map(|c| c.dir.clone()).unwrap_or_default(),
        archive: args.archive.options(),
        ..ScanOptions::default()
    };
    let show_progress = !args.quiet && std::io::stderr().is_terminal();
    let mut outcome = with_progress(show_progress, &progress, || source(&rules, options));
    outcome.findings.retain(|f| {
        args.min_severity.is_none_or(|min| f.severity >= min)
            && args.min_confidence.is_none_or(|min| f.confidence >= min)
    });
    if let Some(path) = &args.write_baseline {
        let mut baseline = Baseline::load_or_new(path)?;
        baseline.replace_findings(&outcome.findings);
        std::fs::write(path, baseline.to_text()).with_context(|| format!("--write-baseline {}", path.display()))?;
        eprintln!("hush: wrote {} entries to {}", baseline.len(), path.display());
        for f in &mut outcome.findings {
            f.known = true;
        }
    } else if let Some(path) = args
        .baseline
        .clone()
        .or_else(|| config.as_ref().and_then(|c| c.baseline.as_ref().map(|b| c.resolve(b))))
    {
        let baseline = Baseline::load(&path)?;
        for f in &mut outcome.findings {
            f.known = baseline.contains(f);
        }
    }

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
    // The text report is for people: it shows what needs action, not what was reviewed.
    let shown: Vec<_> = if args.format == Format::Text {
        outcome.findings.iter().filter(|f| !f.known).cloned().collect()
    } else {
        outcome.findings.clone()
    };
    write_report(args.format, &shown, &outcome.stats, report, &mut buffer)?;
    match &args.output {
        Some(path) => std::fs::write(path, &buffer).with_context(|| format!("--output {}", path.display()))?,
        None => {
            ignore_broken_pipe(std::io::stdout().lock().write_all(&buffer))?;
        }
    }
    print_diagnostics(&outcome, args, started.elapsed());
    Ok(if outcome.findings.iter().any(|f| !f.known) {
        args.exit_code
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
fn print_diagnostics(outcome: &ScanOutcome, args: &CommonArgs, elapsed: Duration) {
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
