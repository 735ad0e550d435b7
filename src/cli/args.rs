//! The command line's flags, close to what the user types (validation only); the
//! `run` functions build the real objects from them.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};
use hush_rules::{Confidence, Severity};

use super::EXIT_FINDINGS;
use hush_scanner::report::Format;
use hush_scanner::shard::Shard;

/// `hush --version`: the version, then the rule packs built in (how many rules,
/// which packs, a digest of their text).
fn long_version() -> &'static str {
    static TEXT: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    TEXT.get_or_init(|| {
        format!(
            "{}\nrules {}: {} rules in {} packs (digest {})",
            env!("CARGO_PKG_VERSION"),
            hush_rules::RULES_VERSION,
            hush_rules::DEFAULT_RULE_COUNT,
            hush_rules::DEFAULT_PACKS.len(),
            hush_rules::DEFAULT_PACKS_DIGEST
        )
    })
}

/// Find leaked secrets in files, directories, git history, container
/// images and stdin, and redact them from logs.
#[derive(Debug, Parser)]
#[command(name = "hush", version, long_version = long_version(), propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scan files, directories or stdin (`-`) for secrets.
    Scan(ScanArgs),
    /// Scan a git repository's history: every commit of every ref, a range, or
    /// what is staged.
    Git(GitArgs),
    /// Scan container images: `docker save` tarballs and OCI layouts (directory
    /// or tar), every layer, the config and the history.
    Image(ImageArgs),
    /// Replace secrets in a stream: stdin to stdout, or a command's output (`-- CMD`).
    Redact(hush_redact::cli::RedactArgs),
    /// Inspect the rule set.
    #[command(subcommand)]
    Rules(RulesCommand),
    /// Merge reports into one: the shards of a `--shard` scan (hush JSON,
    /// JSON Lines or SARIF), or gitleaks, betterleaks, trufflehog and
    /// kingfisher JSON reports; exits like a scan.
    Merge(MergeArgs),
    /// Work with baseline files.
    #[command(subcommand)]
    Baseline(BaselineCommand),
    /// Install a git hook (pre-commit, or pre-push) that runs hush, for
    /// repositories that do not use the pre-commit framework.
    InstallHook(InstallHookArgs),
    /// Print a shell completion script (`hush completions bash > /etc/bash_completion.d/hush`).
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// What the GitHub Action (action.yml) runs: reads its inputs (`INPUT_*`) and
    /// the runner's event, scans what the event adds, writes annotations, SARIF
    /// and the job summary, and sets the step outputs.
    GithubAction,
    /// Print the man page (roff), or write one page per command into a directory.
    Man {
        /// Write hush.1, hush-scan.1, hush-git.1... into DIR instead of printing hush.1.
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
}

#[derive(Debug, clap::Args)]
pub struct InstallHookArgs {
    /// The repository (any directory in it).
    #[arg(value_name = "REPO", default_value = ".")]
    pub repo: PathBuf,
    /// Install a pre-push hook (scans the commits being pushed) instead of a
    /// pre-commit hook (scans what is staged).
    #[arg(long)]
    pub pre_push: bool,
    /// Replace an existing hook (it is kept as `<hook>.hush-backup`).
    #[arg(long)]
    pub force: bool,
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

/// How the report is written: the scanning commands and `hush merge` share
/// these flags (defined once here).
#[derive(Debug, Clone, clap::Args)]
pub struct OutputArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Write the report to FILE instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Also write a report in FORMAT to FILE, from the same findings;
    /// repeatable (`--report sarif=hush.sarif --report markdown=summary.md`).
    #[arg(long = "report", value_name = "FORMAT=FILE", value_parser = parse_report_target)]
    pub reports: Vec<(Format, PathBuf)>,
    /// Print secrets in full instead of masked (`ghp_…(40)`); `hush merge`
    /// prints what its inputs hold (another scanner's report, or shards run
    /// with --show-secrets).
    #[arg(long)]
    pub show_secrets: bool,
    /// Allow --show-secrets with an HTML report (`--format html`, `--report
    /// html=FILE`), which is refused otherwise: the page is made to be passed around.
    #[arg(long)]
    pub allow_secrets_in_html: bool,
    /// When to colour the text report.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

/// Which findings are reported and what the run exits with: shared by the
/// scanning commands and `hush merge`.
#[derive(Debug, Clone, clap::Args)]
pub struct OutcomeArgs {
    /// Findings in this baseline are reported as known and do not fail the run.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Exit code when new findings are reported.
    #[arg(long, value_name = "N", default_value_t = EXIT_FINDINGS)]
    pub exit_code: i32,
    /// Report only findings of at least this severity.
    #[arg(long, value_name = "LEVEL", value_parser = parse_severity)]
    pub min_severity: Option<Severity>,
    /// Report only findings of at least this confidence.
    #[arg(long, value_name = "LEVEL", value_parser = parse_confidence)]
    pub min_confidence: Option<Confidence>,
}

/// Flags every scanning command shares: output, rules, config, baseline.
#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    #[command(flatten)]
    pub out: OutputArgs,
    #[command(flatten)]
    pub outcome: OutcomeArgs,
    /// Worker threads (0: one per CPU).
    #[arg(short = 'j', long, value_name = "N", default_value_t = 0)]
    pub threads: usize,
    /// Decode base64, hex, percent-encoding, backslash escapes and HTML entities
    /// and search the result, up to N levels deep (0: no decoding) [default: 2,
    /// or `max_decode_depth` in .hush.toml].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(0..=4))]
    pub max_decode_depth: Option<u32>,
    /// Skip binary files instead of scanning their printable runs with the
    /// provider rules [or `skip_binary = true` in .hush.toml].
    #[arg(long)]
    pub skip_binary: bool,
    /// Name every skipped file and why.
    #[arg(short, long)]
    pub verbose: bool,
    /// No summary and no progress on stderr (errors are still printed).
    #[arg(short, long, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Read settings from FILE instead of `.hush.toml` at the scan root.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Write every finding to this baseline file (its salt is kept if it exists)
    /// and exit 0.
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,
    /// Exit 2 when any content could not be read (a file in a tree, an archive
    /// member, a git object, an image layer), not only a named input.
    #[arg(long)]
    pub strict: bool,
    #[command(flatten)]
    pub selection: RuleSelection,
    #[command(flatten)]
    pub verify: VerifyArgs,
}

/// Live verification of findings with their providers (`--verify`).
#[derive(Debug, Default, clap::Args)]
pub struct VerifyArgs {
    /// Ask each finding's provider whether its secret works (one read-only
    /// request per unique secret, to the host its rule's verifier names) and
    /// report verified / invalid / unknown [or `verify = true` in .hush.toml].
    /// Never on by default.
    #[arg(long)]
    pub verify: bool,
    /// Report only verified findings (implies --verify); the exit code then
    /// counts only them.
    #[arg(long)]
    pub only_verified: bool,
    /// Give up on a provider's answer after this many seconds (unknown).
    #[arg(long, value_name = "SECONDS", default_value_t = 10.0, value_parser = parse_seconds)]
    pub verify_timeout: f64,
    /// Requests in flight at once per provider.
    #[arg(long, value_name = "N", default_value_t = 4, value_parser = clap::value_parser!(u64).range(1..=64))]
    pub verify_concurrency: u64,
    /// Requests a second per provider.
    #[arg(long, value_name = "N", default_value_t = 10.0, value_parser = parse_seconds)]
    pub verify_rate: f64,
    /// Keep verdicts in FILE (by a salted hash, never the secret) and reuse
    /// them until they expire, so reruns do not ask again.
    #[arg(long, value_name = "FILE")]
    pub verify_cache: Option<PathBuf>,
    /// How long a cached verdict holds, in hours.
    #[arg(long, value_name = "HOURS", default_value_t = 24)]
    pub verify_cache_max_age: u64,
    /// Verify with hosts taken from the scanned data (a connection string's)
    /// even when they are private, loopback or link-local addresses.
    #[arg(long)]
    pub verify_allow_private: bool,
}

/// A positive number (seconds, or a rate).
pub fn parse_seconds(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(v) if v.is_finite() && v > 0.0 && v <= 86_400.0 => Ok(v),
        _ => Err(format!("{text:?} is not a positive number")),
    }
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
    /// Skip files larger than this (bytes; K, M, G suffixes).
    #[arg(long, value_name = "SIZE", default_value = "1G", value_parser = parse_size)]
    pub max_file_size: u64,
    #[command(flatten)]
    pub archive: ArchiveArgs,
    #[command(flatten)]
    pub shard: ShardArgs,
    #[command(flatten)]
    pub report: ReportArgs,
}

#[derive(Debug, clap::Args)]
pub struct ImageArgs {
    /// `docker save` tarballs, OCI image layout directories or OCI tarballs, or
    /// images in a registry: `registry://HOST[:PORT]/REPO[:TAG]` or
    /// `registry://HOST/REPO@sha256:DIGEST` (every platform of an index).
    #[arg(value_name = "IMAGE", required_unless_present = "registry_catalog")]
    pub images: Vec<PathBuf>,
    /// Scan only this platform of a multi-platform image (`linux/arm64`).
    #[arg(long, value_name = "OS/ARCH")]
    pub platform: Option<String>,
    /// Scan every tag of every repository of this registry (`HOST[:PORT]`),
    /// as listed by its `/v2/_catalog`; with --shard, split by layer.
    #[arg(long, value_name = "HOST")]
    pub registry_catalog: Vec<String>,
    /// Registry credentials, in the shape of docker's config.json
    /// (`auths.HOST.auth`, `identitytoken`); default: ~/.docker/config.json.
    /// Credential helpers are never run.
    #[arg(long, value_name = "FILE")]
    pub registry_auth_file: Option<PathBuf>,
    /// Reach registries over plain HTTP instead of HTTPS (local registries).
    #[arg(long)]
    pub insecure_registry: bool,
    /// Skip files larger than this (bytes; K, M, G suffixes).
    #[arg(long, value_name = "SIZE", default_value = "1G", value_parser = parse_size)]
    pub max_file_size: u64,
    #[command(flatten)]
    pub archive: ArchiveArgs,
    #[command(flatten)]
    pub shard: ShardArgs,
    #[command(flatten)]
    pub report: ReportArgs,
}

/// Which archives found while scanning are opened, and how far.
#[derive(Debug, clap::Args)]
pub struct ArchiveArgs {
    /// Open archives (zip, jar, whl, tar, tar.gz, gz, zst...) nested up to N deep.
    #[arg(long, value_name = "N", default_value_t = 3, value_parser = clap::value_parser!(u32).range(0..=16))]
    pub archive_depth: u32,
    /// Do not open archives (same as --archive-depth 0).
    #[arg(long)]
    pub no_archives: bool,
    /// Stop reading an archive after this many decompressed bytes (all levels).
    #[arg(long, value_name = "SIZE", default_value = "1G", value_parser = parse_size)]
    pub archive_max_bytes: u64,
    /// Stop reading an archive that expands more than N times its size.
    #[arg(long, value_name = "N", default_value_t = 100)]
    pub archive_max_ratio: u64,
}

impl ArchiveArgs {
    /// The archive limits these flags ask for.
    pub fn options(&self) -> hush_scanner::search::ArchiveOptions {
        hush_scanner::search::ArchiveOptions {
            max_depth: if self.no_archives { 0 } else { self.archive_depth },
            max_bytes: self.archive_max_bytes,
            max_ratio: self.archive_max_ratio,
        }
    }
}

#[derive(Debug, clap::Args)]
pub struct GitArgs {
    /// The repository (any directory in it; bare repositories and worktrees too).
    #[arg(value_name = "REPO", default_value = ".")]
    pub repo: PathBuf,
    /// Only what B adds over A (a push or a pull request), e.g. `origin/main..HEAD`.
    #[arg(long, value_name = "A..B", conflicts_with_all = ["staged", "branch"])]
    pub range: Option<String>,
    /// Only commits made at or after DATE (`2024-01-31`, RFC 3339, seconds since
    /// the epoch, or `N days|weeks|months|years ago`).
    #[arg(long, value_name = "DATE", value_parser = parse_since)]
    pub since: Option<i64>,
    /// Start from these refs or revisions instead of every ref; repeatable.
    /// `^REF` leaves out REF and what it reaches (`--branch HEAD --branch
    /// ^origin/main`); with only `^REF`s, every other ref is scanned.
    #[arg(long, value_name = "REF", conflicts_with = "staged")]
    pub branch: Vec<String>,
    /// Scan what is staged (the index against HEAD), for a pre-commit hook.
    #[arg(long)]
    pub staged: bool,
    /// Also scan blobs no ref reaches (dangling and unreachable objects).
    #[arg(long, conflicts_with_all = ["staged", "range"])]
    pub all_objects: bool,
    /// Skip blobs larger than this (bytes; K, M, G suffixes).
    #[arg(long, value_name = "SIZE", default_value = "100M", value_parser = parse_size)]
    pub max_blob_size: u64,
    /// Do not apply the repository's `.hushignore` to the paths in its history.
    #[arg(long)]
    pub no_ignore: bool,
    /// With --range A..B: read `.hush.toml`, `.hushignore`, the baseline and
    /// rule packs from the work tree, as other scans do, instead of from A; and
    /// do not report changes to them (hush-config-change) or inline allows the
    /// range adds (hush-allow-added). By default a range trusts only its base,
    /// so a change cannot exempt itself.
    #[arg(long, requires = "range")]
    pub trust_range_config: bool,
    /// Scan every repository listed in FILE (paths or bare mirrors, one a line,
    /// `#` comments) with one thread pool into one report: a secret in several
    /// repositories is one finding with a location in each. With --shard, the
    /// list is split by repository.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["range", "staged", "branch"])]
    pub repos_file: Option<PathBuf>,
    #[command(flatten)]
    pub shard: ShardArgs,
    #[command(flatten)]
    pub report: ReportArgs,
}

/// `hush merge`: the reports to fold, and how to report the result.
#[derive(Debug, clap::Args)]
pub struct MergeArgs {
    /// Reports to merge; the kind of each is told by its content.
    #[arg(value_name = "FILE", required = true)]
    pub files: Vec<PathBuf>,
    #[command(flatten)]
    pub out: OutputArgs,
    #[command(flatten)]
    pub outcome: OutcomeArgs,
    /// No summary on stderr (errors are still printed).
    #[arg(short, long)]
    pub quiet: bool,
    /// Read the allowlist and baseline setting from FILE instead of `.hush.toml`
    /// in the current directory.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

/// `--shard`: which part of the work this run does.
#[derive(Debug, clap::Args)]
pub struct ShardArgs {
    /// Scan only shard I of N (1-based): files by their path, git blobs by
    /// id, image layers by digest, repositories of --repos-file by their line.
    /// N runs with 1/N … N/N together scan exactly what one run scans; merge
    /// their reports with `hush merge`. Also read from HUSH_SHARD=I/N, or from
    /// JOB_COMPLETION_INDEX (0-based, a Kubernetes Indexed Job) with
    /// HUSH_SHARDS=N; the flag wins.
    #[arg(long, value_name = "I/N", value_parser = parse_shard)]
    pub shard: Option<Shard>,
}

impl ShardArgs {
    /// The shard to run: the flag, else `HUSH_SHARD`, else
    /// `JOB_COMPLETION_INDEX` with `HUSH_SHARDS`, else the whole scan.
    pub fn resolve(&self) -> anyhow::Result<Shard> {
        shard_from(self.shard, |name| std::env::var(name).ok())
    }
}

/// [`ShardArgs::resolve`] with the environment read through `var`.
fn shard_from(flag: Option<Shard>, var: impl Fn(&str) -> Option<String>) -> anyhow::Result<Shard> {
    use anyhow::Context;
    if let Some(shard) = flag {
        return Ok(shard);
    }
    if let Some(text) = var("HUSH_SHARD") {
        return Shard::parse(&text).context("HUSH_SHARD");
    }
    let Some(count) = var("HUSH_SHARDS") else {
        return Ok(Shard::WHOLE);
    };
    let count: u32 = count
        .trim()
        .parse()
        .map_err(|_| anyhow::anyhow!("HUSH_SHARDS: {count:?} is not a number of shards"))?;
    let index = var("JOB_COMPLETION_INDEX").ok_or_else(|| {
        anyhow::anyhow!("HUSH_SHARDS is set but JOB_COMPLETION_INDEX is not (set HUSH_SHARD=I/N instead)")
    })?;
    let index: u32 = index
        .trim()
        .parse()
        .map_err(|_| anyhow::anyhow!("JOB_COMPLETION_INDEX: {index:?} is not a 0-based index"))?;
    Shard::new(index, count).context("JOB_COMPLETION_INDEX and HUSH_SHARDS")
}

/// `I/N` of `--shard`.
pub fn parse_shard(text: &str) -> Result<Shard, String> {
    Shard::parse(text).map_err(|e| e.to_string())
}

/// `FORMAT=FILE` of `--report`.
pub fn parse_report_target(text: &str) -> Result<(Format, PathBuf), String> {
    let (format, file) = text
        .split_once('=')
        .filter(|(_, file)| !file.is_empty())
        .ok_or_else(|| format!("{text:?} is not FORMAT=FILE (example: sarif=hush.sarif)"))?;
    let format = Format::from_str(format, true).map_err(|_| {
        let names: Vec<String> = Format::value_variants()
            .iter()
            .filter_map(|v| v.to_possible_value().map(|p| p.get_name().to_owned()))
            .collect();
        format!("{format:?} is not a format ({})", names.join(", "))
    })?;
    Ok((format, PathBuf::from(file)))
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

/// `--since`: a date, RFC 3339 time, seconds since the epoch, or `N units ago`.
pub fn parse_since(text: &str) -> Result<i64, String> {
    let t = text.trim();
    let bad =
        || format!("{text:?} is not a date (examples: 2024-01-31, 2024-01-31T12:00:00Z, 1706702400, 2 weeks ago)");
    if let Ok(seconds) = t.parse::<i64>() {
        return Ok(seconds);
    }
    if let Some(amount) = t.strip_suffix(" ago") {
        let (n, unit) = amount.trim().split_once(' ').ok_or_else(bad)?;
        let n: i64 = n.parse().map_err(|_| bad())?;
        let unit_seconds = match unit.trim_end_matches('s') {
            "second" => 1,
            "minute" => 60,
            "hour" => 3600,
            "day" => 86_400,
            "week" => 7 * 86_400,
            "month" => 30 * 86_400,
            "year" => 365 * 86_400,
            _ => return Err(bad()),
        };
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_err(|e| e.to_string())?;
        return Ok(i64::try_from(now.as_secs()).map_err(|e| e.to_string())? - n * unit_seconds);
    }
    let (date, time) = t.split_once(['T', ' ']).unwrap_or((t, "00:00:00Z"));
    let mut ymd = date.split('-').map(|p| p.parse::<i64>());
    let (Some(Ok(y)), Some(Ok(m)), Some(Ok(d)), None) = (ymd.next(), ymd.next(), ymd.next(), ymd.next()) else {
        return Err(bad());
    };
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return Err(bad());
    }
    let time = time.trim_end_matches('Z');
    let mut hms = time.split(':').map(|p| p.parse::<i64>());
    let h = hms.next().unwrap_or(Ok(0)).map_err(|_| bad())?;
    let min = hms.next().unwrap_or(Ok(0)).map_err(|_| bad())?;
    let s = hms.next().unwrap_or(Ok(0)).map_err(|_| bad())?;
    Ok(hush_scanner::git::days_from_civil(y, m, d) * 86_400 + h * 3600 + min * 60 + s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn since_parses_dates_and_relative_times() {
        assert_eq!(parse_since("1970-01-02"), Ok(86_400));
        assert_eq!(parse_since("2000-02-29T00:00:01Z"), Ok(951_782_401));
        assert_eq!(parse_since("12345"), Ok(12345));
        assert!(parse_since("2 weeks ago").is_ok_and(|t| t > 1_700_000_000));
        assert!(parse_since("yesterday-ish").is_err());
    }

    #[test]
    fn shard_comes_from_the_flag_then_the_environment() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| pairs.iter().find(|(k, _)| *k == name).map(|(_, v)| (*v).to_owned())
        };
        let flag = Shard::parse("1/2").ok();
        assert_eq!(shard_from(flag, env(&[("HUSH_SHARD", "2/2")])).ok(), flag);
        assert_eq!(
            shard_from(None, env(&[("HUSH_SHARD", "2/2")])).ok(),
            Shard::parse("2/2").ok()
        );
        let k8s = env(&[("JOB_COMPLETION_INDEX", "0"), ("HUSH_SHARDS", "3")]);
        assert_eq!(shard_from(None, k8s).ok(), Shard::parse("1/3").ok());
        assert_eq!(
            shard_from(None, env(&[("JOB_COMPLETION_INDEX", "4")])).ok(),
            Some(Shard::WHOLE)
        );
        let bad = |pairs| format!("{:#}", shard_from(None, env(pairs)).expect_err("invalid"));
        assert!(bad(&[("HUSH_SHARD", "0/2")]).starts_with("HUSH_SHARD: "));
        assert!(bad(&[("JOB_COMPLETION_INDEX", "3"), ("HUSH_SHARDS", "3")]).contains("JOB_COMPLETION_INDEX"));
        assert!(bad(&[("HUSH_SHARDS", "3")]).contains("JOB_COMPLETION_INDEX is not"));
        assert!(bad(&[("JOB_COMPLETION_INDEX", "x"), ("HUSH_SHARDS", "3")]).contains("0-based"));
    }

    #[test]
    fn sizes_parse_with_suffixes() {
        assert_eq!(parse_size("4096"), Ok(4096));
        assert_eq!(parse_size("64K"), Ok(64 << 10));
        assert_eq!(parse_size("1g"), Ok(1 << 30));
        assert!(parse_size("lots").unwrap_err().contains("not a size"));
    }
}
