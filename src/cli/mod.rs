//! The command line: [`args`] holds the clap definitions, close to the flags;
//! `run` dispatches, and [`session`] turns a source's outcome into a report and
//! an exit code the same way for every scanning command. Where hush runs has a
//! module each: [`hook`] (`install-hook`), [`action`] (`github-action`, what
//! action.yml runs), [`docs`] (`completions`, `man`).

mod action;
mod args;
mod docs;
mod files;
mod hook;
mod inputs;
mod merge;
mod rules;
mod session;

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use hush_rules::{check_examples, load_pack_file, RuleSet};

pub use args::*;
pub use rules::load_rules;

use files::{BaseFiles, Files};
use hush_scanner::baseline::Baseline;
use hush_scanner::git::{read_repos_file, scan_git, scan_repositories, GitOptions};
use hush_scanner::image::{scan_images, ImageOptions, RegistryAuth, RegistryOptions};
use hush_scanner::scan::scan;
use session::{ignore_broken_pipe, run_source};

/// Exit code when nothing was found.
pub const EXIT_CLEAN: i32 = 0;
/// Exit code when secrets were found.
pub const EXIT_FINDINGS: i32 = 1;
/// Exit code for bad arguments, bad config or input that could not be read.
pub const EXIT_ERROR: i32 = 2;

/// A path as a message on the terminal shows it: control characters escaped
/// (it may be a name from the scanned material).
pub(crate) fn shown_path(path: &Path) -> String {
    hush_scanner::report::escape::escape(&path.display().to_string()).into_owned()
}

/// Runs the parsed command line; the result is the process exit code.
pub fn run(cli: Cli) -> Result<i32> {
    match cli.command {
        Command::Scan(args) => {
            let root = args
                .paths
                .iter()
                .find(|p| p.is_dir())
                .cloned()
                .unwrap_or_else(|| PathBuf::from("."));
            let shard = args.shard.resolve()?;
            run_source(&args.report, Files::Disk(&root), |rules, mut options| {
                options.shard = shard;
                options.no_ignore = args.no_ignore;
                options.follow_links = args.follow;
                options.max_file_size = args.max_file_size;
                options.archive = args.archive.options();
                let mut outcome = scan(rules, &args.paths, &options);
                outcome.stats.inputs = inputs::scan(&args);
                Ok(outcome)
            })
        }
        Command::Image(args) => {
            let shard = args.shard.resolve()?;
            let auth = RegistryAuth::load(args.registry_auth_file.as_deref())
                .map_err(|e| anyhow::anyhow!(e).context("--registry-auth-file"))?;
            let registry = RegistryOptions {
                insecure: args.insecure_registry,
                auth: std::sync::Arc::new(auth),
            };
            run_source(&args.report, Files::Disk(Path::new(".")), |rules, mut options| {
                options.shard = shard;
                options.max_file_size = args.max_file_size;
                options.archive = args.archive.options();
                let options = ImageOptions {
                    scan: options,
                    platform: args.platform.clone(),
                    registry: registry.clone(),
                    catalogs: args.registry_catalog.clone(),
                };
                let mut outcome = scan_images(rules, &args.images, &options);
                outcome.stats.inputs = inputs::images(&args);
                Ok(outcome)
            })
        }
        Command::Git(args) => {
            let shard = args.shard.resolve()?;
            // A range trusts only its base for hush's own files (see files.rs).
            let base = match &args.range {
                Some(range) if !args.trust_range_config => Some(BaseFiles::open(&args.repo, range)?),
                _ => None,
            };
            let files = base.as_ref().map_or(Files::Disk(&args.repo), Files::Base);
            let mut git = GitOptions {
                repo: args.repo.clone(),
                range: args.range.clone(),
                since: args.since,
                branches: args.branch.clone(),
                staged: args.staged,
                all_objects: args.all_objects,
                max_blob_size: args.max_blob_size,
                guard: None,
            };
            if let Some(list) = &args.repos_file {
                let repos = read_repos_file(list)?;
                return run_source(&args.report, Files::Disk(Path::new(".")), |rules, mut options| {
                    options.shard = shard;
                    options.no_ignore = args.no_ignore;
                    Ok(scan_repositories(rules, &repos, &git, &options))
                });
            }
            run_source(&args.report, files, |rules, mut options| {
                options.shard = shard;
                options.no_ignore = args.no_ignore;
                git.guard = base.as_ref().map(BaseFiles::guard);
                let mut outcome = scan_git(rules, &git, &options)?;
                outcome.stats.inputs = inputs::git(&args);
                Ok(outcome)
            })
        }
        Command::Merge(args) => merge::merge(&args),
        Command::Redact(args) => Ok(hush_redact::cli::run(args, hush_redact::cli::Console::process())?),
        Command::Rules(RulesCommand::List(selection)) => list_rules(&selection),
        Command::Rules(RulesCommand::Check { packs }) => check_packs(&packs),
        Command::Baseline(BaselineCommand::Import { report, output }) => {
            let mut baseline = Baseline::load_or_new(&output)?;
            let file = report.display().to_string();
            let text = std::fs::read_to_string(&report).with_context(|| format!("reading {file}"))?;
            let imported = hush_scanner::import::import(&file, &text, &mut baseline)?;
            std::fs::write(&output, baseline.to_text()).with_context(|| format!("writing {}", output.display()))?;
            eprintln!(
                "hush: imported {} entries from a {} file into {}",
                imported.entries,
                imported.tool,
                shown_path(&output)
            );
            Ok(EXIT_CLEAN)
        }
        Command::InstallHook(args) => hook::install_hook(&args),
        Command::Completions { shell } => docs::completions(shell),
        Command::GithubAction => action::github_action(),
        Command::Man { dir } => docs::man(dir.as_deref()),
    }
}

fn list_rules(selection: &RuleSelection) -> Result<i32> {
    use std::io::Write;
    let rules = load_rules(selection)?;
    let mut out = std::io::stdout().lock();
    for rule in rules.rules() {
        let line = format!(
            "{:<40} {:<9} {:<7} {}\n",
            rule.id,
            rule.severity.as_str(),
            rule.confidence.as_str(),
            rule.keywords.join(",")
        );
        if ignore_broken_pipe(out.write_all(line.as_bytes()))? {
            break;
        }
    }
    Ok(EXIT_CLEAN)
}

fn check_packs(packs: &[PathBuf]) -> Result<i32> {
    let mut failed = false;
    for pack in packs {
        let specs = load_pack_file(pack)?;
        let set = RuleSet::compile(specs).with_context(|| pack.display().to_string())?;
        let failures = check_examples(&set, false);
        for f in &failures {
            eprintln!("hush: {}: {f}", shown_path(pack));
        }
        println!("{}: {} rules, {} failures", shown_path(pack), set.len(), failures.len());
        failed |= !failures.is_empty();
    }
    Ok(if failed { EXIT_FINDINGS } else { EXIT_CLEAN })
}
