//! `hush github-action`: what the GitHub Action (`action.yml`) runs after it has
//! built hush. It reads the action's inputs (`INPUT_*`, set by action.yml) and the
//! runner's environment (`GITHUB_EVENT_NAME`, `GITHUB_EVENT_PATH`,
//! `GITHUB_OUTPUT`, `GITHUB_STEP_SUMMARY`), picks what to scan, runs one scan
//! that writes workflow annotations to stdout, a SARIF file and a Markdown job
//! summary, sets the outputs `findings` and `sarif-file`, and picks the exit code.
//!
//! `mode: auto` scans what the event adds: on `push`, the commits from `before`
//! to `after` (a new branch, or one whose old tip the checkout lacks after a
//! force-push, is scanned as the commits the default branch does not have); on
//! `pull_request` (and `pull_request_target`, `merge_group`), base..head; on
//! anything else (`schedule`, `workflow_dispatch`) the whole history. `git`
//! always scans the whole history, `dir` a directory, `image` an image.
//! The event payload is parsed here rather than with jq in the action's shell,
//! so self-hosted runners need nothing but cargo.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use clap::Parser;

use super::{run, Cli, EXIT_CLEAN};
use hush_scanner::git::repository_facts;

/// The action's inputs, as action.yml passes them.
#[derive(Debug)]
struct Inputs {
    mode: String,
    path: String,
    config: String,
    baseline: String,
    sarif_file: String,
    fail_on_findings: bool,
    args: Vec<String>,
}

fn input(name: &str) -> String {
    std::env::var(format!("INPUT_{name}"))
        .unwrap_or_default()
        .trim()
        .to_owned()
}

impl Inputs {
    fn from_env() -> Result<Inputs> {
        let fail = input("FAIL_ON_FINDINGS");
        let fail_on_findings = match fail.to_ascii_lowercase().as_str() {
            "" | "true" | "yes" | "1" => true,
            "false" | "no" | "0" => false,
            _ => bail!("input fail-on-findings: {fail:?} is not true or false"),
        };
        let raw_args = input("ARGS");
        let args = shlex::split(&raw_args)
            .with_context(|| format!("input args: {raw_args:?} has an unterminated quote or escape"))?;
        let or = |value: String, default: &str| if value.is_empty() { default.to_owned() } else { value };
        Ok(Inputs {
            mode: or(input("MODE"), "auto"),
            path: or(input("PATH"), "."),
            config: input("CONFIG"),
            baseline: input("BASELINE"),
            sarif_file: or(input("SARIF_FILE"), "hush.sarif"),
            fail_on_findings,
            args,
        })
    }
}

/// What to scan: the `hush` subcommand and its selection flags, and a sentence
/// for the job summary.
#[derive(Debug, PartialEq, Eq)]
struct Plan {
    command: &'static str,
    selection: Vec<String>,
    described: String,
}

/// The runner's event, as far as picking a range needs it.
#[derive(Debug, Default)]
struct Event {
    name: String,
    payload: serde_json::Value,
}

impl Event {
    fn from_env() -> Result<Event> {
        let name = std::env::var("GITHUB_EVENT_NAME").unwrap_or_default();
        let payload = match std::env::var_os("GITHUB_EVENT_PATH") {
            Some(path) if !path.is_empty() => {
                let path = PathBuf::from(path);
                let text =
                    std::fs::read_to_string(&path).with_context(|| format!("GITHUB_EVENT_PATH {}", path.display()))?;
                serde_json::from_str(&text)
                    .with_context(|| format!("GITHUB_EVENT_PATH {}: not JSON", path.display()))?
            }
            _ => serde_json::Value::Null,
        };
        Ok(Event { name, payload })
    }

    fn text(&self, pointer: &str) -> Option<&str> {
        self.payload
            .pointer(pointer)
            .and_then(|v| v.as_str())
            .filter(|s| !s.is_empty())
    }
}

fn is_zero_id(id: &str) -> bool {
    id.bytes().all(|b| b == b'0')
}

/// Picks what to scan for `mode` and the event.
fn plan(mode: &str, event: &Event, repo: &Path) -> Result<Plan> {
    let whole_history = |why: &str| Plan {
        command: "git",
        selection: Vec::new(),
        described: format!("the whole history ({why})"),
    };
    match mode {
        "dir" => Ok(Plan {
            command: "scan",
            selection: Vec::new(),
            described: "the files in the directory".into(),
        }),
        "image" => Ok(Plan {
            command: "image",
            selection: Vec::new(),
            described: "the image".into(),
        }),
        "git" => Ok(whole_history("mode: git")),
        "auto" => match event.name.as_str() {
            "push" => plan_push(event, repo),
            "pull_request" | "pull_request_target" => {
                let (Some(base), Some(head)) = (
                    event.text("/pull_request/base/sha"),
                    event.text("/pull_request/head/sha"),
                ) else {
                    bail!("the {} event has no pull_request.base.sha and head.sha", event.name);
                };
                plan_range(
                    repo,
                    base,
                    head,
                    &format!("the pull request's commits ({base:.12}..{head:.12})"),
                )
            }
            "merge_group" => {
                let (Some(base), Some(head)) =
                    (event.text("/merge_group/base_sha"), event.text("/merge_group/head_sha"))
                else {
                    bail!("the merge_group event has no base_sha and head_sha");
                };
                plan_range(
                    repo,
                    base,
                    head,
                    &format!("the merge group's commits ({base:.12}..{head:.12})"),
                )
            }
            "" => Ok(whole_history("no GitHub event")),
            other => Ok(whole_history(&format!("{other} event"))),
        },
        other => bail!("input mode: {other:?} is not auto, git, dir or image"),
    }
}

fn plan_range(repo: &Path, base: &str, head: &str, described: &str) -> Result<Plan> {
    let facts = repository_facts(repo, &[base, head])?;
    if !facts.commits[1] {
        bail!("commit {head} is not in the checkout; use actions/checkout with fetch-depth: 0");
    }
    if !facts.commits[0] {
        bail!("base commit {base} is not in the checkout; use actions/checkout with fetch-depth: 0");
    }
    Ok(Plan {
        command: "git",
        selection: vec!["--range".into(), format!("{base}..{head}")],
        described: described.to_owned(),
    })
}

fn plan_push(event: &Event, repo: &Path) -> Result<Plan> {
    let after = event.text("/after").context("the push event has no `after` commit")?;
    if is_zero_id(after) || event.payload.pointer("/deleted").and_then(|v| v.as_bool()) == Some(true) {
        return Ok(Plan {
            command: "",
            selection: Vec::new(),
            described: "nothing: the push deleted a ref".into(),
        });
    }
    let before = event.text("/before").filter(|b| !is_zero_id(b));
    let pushed = event.text("/ref").unwrap_or_default();
    let default_branch = event.text("/repository/default_branch").unwrap_or("main");
    let default_ref = format!("refs/remotes/origin/{default_branch}");
    let mut revisions = vec![after, default_ref.as_str()];
    revisions.extend(before);
    let facts = repository_facts(repo, &revisions)?;
    if !facts.commits[0] {
        bail!("pushed commit {after} is not in the checkout; use actions/checkout with fetch-depth: 0");
    }
    if let (Some(before), Some(true)) = (before, facts.commits.get(2)) {
        return Ok(Plan {
            command: "git",
            selection: vec!["--range".into(), format!("{before}..{after}")],
            described: format!("the pushed commits ({before:.12}..{after:.12})"),
        });
    }
    let why = if before.is_some() {
        "its old tip is not in the checkout"
    } else {
        "a new ref"
    };
    if facts.commits[1] && pushed != format!("refs/heads/{default_branch}") {
        return Ok(Plan {
            command: "git",
            selection: vec!["--branch".into(), after.to_owned(), format!("--branch=^{default_ref}")],
            described: format!("the commits {after:.12} adds over {default_branch} ({why})"),
        });
    }
    Ok(Plan {
        command: "git",
        selection: vec!["--branch".into(), after.to_owned()],
        described: format!("all of {after:.12}'s history ({why})"),
    })
}

/// Runs the action; the result is the step's exit code.
pub(super) fn github_action() -> Result<i32> {
    let inputs = Inputs::from_env()?;
    let event = Event::from_env()?;
    let plan = plan(&inputs.mode, &event, Path::new(&inputs.path))?;
    println!(
        "hush: scanning {}",
        hush_scanner::report::escape::escape(&plan.described)
    );
    if plan.command.is_empty() {
        write_outputs(0, &inputs.sarif_file)?;
        append_summary(format!("### hush: nothing to scan\n\nThe action scanned {}.\n", plan.described).as_bytes())?;
        return Ok(EXIT_CLEAN);
    }
    if plan.command == "git" && repository_facts(Path::new(&inputs.path), &[])?.shallow {
        println!(
            "::warning title=hush::The checkout is shallow, so older history was not scanned. \
             Use actions/checkout with fetch-depth: 0."
        );
    }

    if let Some(dir) = Path::new(&inputs.sarif_file)
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
    {
        std::fs::create_dir_all(dir).with_context(|| format!("input sarif-file: creating {}", dir.display()))?;
    }
    let scratch = std::env::var_os("RUNNER_TEMP").map_or_else(std::env::temp_dir, PathBuf::from);
    let summary_file = scratch.join(format!("hush-summary-{}.md", std::process::id()));
    let lines_file = scratch.join(format!("hush-findings-{}.jsonl", std::process::id()));
    let mut argv: Vec<String> = vec!["hush".into(), plan.command.into()];
    argv.extend(plan.selection.iter().cloned());
    argv.extend(["--format".into(), "github".into()]);
    for (format, file) in [
        ("sarif", Path::new(&inputs.sarif_file)),
        ("markdown", summary_file.as_path()),
        ("jsonl", lines_file.as_path()),
    ] {
        argv.push("--report".into());
        argv.push(format!("{format}={}", file.display()));
    }
    if !inputs.config.is_empty() {
        argv.extend(["--config".into(), inputs.config.clone()]);
    }
    if !inputs.baseline.is_empty() {
        argv.extend(["--baseline".into(), inputs.baseline.clone()]);
    }
    argv.extend(inputs.args.iter().cloned());
    argv.push(inputs.path.clone());
    let cli = Cli::try_parse_from(&argv).map_err(|e| anyhow::anyhow!("input args: {}", e.render()))?;
    let code = run(cli)?;
    std::io::stdout().flush()?;

    let findings = count_new_findings(&lines_file)?;
    let mut summary = std::fs::read(&summary_file).unwrap_or_default();
    summary.extend_from_slice(format!("\nThe action scanned {}.\n", plan.described).as_bytes());
    append_summary(&summary)?;
    write_outputs(findings, &inputs.sarif_file)?;
    let _ = std::fs::remove_file(&summary_file);
    let _ = std::fs::remove_file(&lines_file);
    Ok(if findings > 0 && !inputs.fail_on_findings {
        EXIT_CLEAN
    } else {
        code
    })
}

/// Findings in the JSON lines report that are not in the baseline.
fn count_new_findings(path: &Path) -> Result<usize> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let mut count = 0;
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let finding: serde_json::Value = serde_json::from_str(line).context("hush's own JSON lines report")?;
        if finding.get("known").and_then(|k| k.as_bool()) != Some(true) {
            count += 1;
        }
    }
    Ok(count)
}

/// The runner's file named by the environment variable `var` (GITHUB_OUTPUT,
/// GITHUB_STEP_SUMMARY), opened for appending; `None` outside a runner.
fn runner_file(var: &str) -> Result<Option<std::fs::File>> {
    let Some(path) = std::env::var_os(var).filter(|p| !p.is_empty()) else {
        return Ok(None);
    };
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .with_context(|| format!("{var} {}", Path::new(&path).display()))?;
    Ok(Some(file))
}

/// Appends to `$GITHUB_STEP_SUMMARY` (other steps write there too).
fn append_summary(markdown: &[u8]) -> Result<()> {
    if let Some(mut file) = runner_file("GITHUB_STEP_SUMMARY")? {
        file.write_all(markdown)?;
    }
    Ok(())
}

/// Sets the step outputs `findings` and `sarif-file` in `$GITHUB_OUTPUT`.
fn write_outputs(findings: usize, sarif_file: &str) -> Result<()> {
    if sarif_file.contains(['\n', '\r']) {
        bail!("input sarif-file: a file name with a line break cannot be an output");
    }
    if let Some(mut file) = runner_file("GITHUB_OUTPUT")? {
        writeln!(file, "findings={findings}")?;
        writeln!(file, "sarif-file={sarif_file}")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_modes_and_events_without_shas_are_errors() {
        let event = Event::default();
        let err = plan("fast", &event, Path::new(".")).unwrap_err().to_string();
        assert!(err.contains("input mode") && err.contains("fast"), "{err}");
        let event = Event {
            name: "pull_request".into(),
            payload: serde_json::json!({"pull_request": {}}),
        };
        assert!(plan("auto", &event, Path::new(".")).is_err());
        assert_eq!(
            plan("dir", &event, Path::new(".")).map(|p| p.command).ok(),
            Some("scan")
        );
    }

    #[test]
    fn deleted_refs_scan_nothing() {
        let event = Event {
            name: "push".into(),
            payload: serde_json::json!({"after": "0".repeat(40), "before": "ab".repeat(20), "deleted": true}),
        };
        assert_eq!(plan("auto", &event, Path::new(".")).map(|p| p.command).ok(), Some(""));
    }
}
