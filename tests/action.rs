//! The GitHub Action (`action.yml`), run the way the runner runs a composite
//! action: its `run` steps in order with `bash --noprofile --norc -eo pipefail`,
//! `${{ }}` expressions filled in from the inputs, step outputs and runner
//! context, `GITHUB_OUTPUT` read back after each step, `GITHUB_EVENT_PATH`
//! holding a push or pull_request payload, `GITHUB_STEP_SUMMARY` and
//! `GITHUB_WORKSPACE` set. `uses` steps (the cargo cache) are not run here.
//! The tests assert the range chosen, the outputs, the annotations, the summary,
//! the SARIF file and the exit code. `action.yml` and the README's example
//! workflows are also validated with check-jsonschema's vendored schemas.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::github_token;
use crate::common::gitrepo::{commit_file, git, repo};
use crate::common::tools::{quick_release_build, repository_root, tool};

/// What a run of the action left behind.
struct ActionRun {
    /// The exit code of the step that failed, or 0.
    code: i32,
    stdout: String,
    stderr: String,
    outputs: HashMap<String, String>,
    summary: String,
}

/// A job on a simulated runner: a workspace (the repository) and a temp dir.
struct Runner {
    _temp: tempfile::TempDir,
    temp: PathBuf,
    workspace: PathBuf,
}

impl Runner {
    fn new(workspace: &Path) -> Runner {
        let temp = tempfile::tempdir().expect("temp dir");
        Runner {
            temp: temp.path().to_path_buf(),
            _temp: temp,
            workspace: workspace.to_path_buf(),
        }
    }

    /// Runs action.yml with `with` as its inputs for `event_name` and `payload`.
    fn run(&self, event_name: &str, payload: &serde_json::Value, with: &[(&str, &str)]) -> ActionRun {
        let action = read_yaml(&repository_root().join("action.yml"));
        let event_path = self.temp.join("event.json");
        fs::write(&event_path, payload.to_string()).expect("write event");
        let summary_path = self.temp.join("step-summary.md");
        fs::write(&summary_path, "").expect("write summary");

        let mut inputs: HashMap<String, String> = HashMap::new();
        for (name, spec) in action["inputs"].as_object().expect("inputs") {
            inputs.insert(name.clone(), spec["default"].as_str().unwrap_or_default().to_owned());
        }
        for (name, value) in with {
            assert!(inputs.contains_key(*name), "action.yml has no input {name}");
            inputs.insert((*name).to_owned(), (*value).to_owned());
        }
        let context = |expr: &str, steps: &HashMap<String, HashMap<String, String>>| -> String {
            let parts: Vec<&str> = expr.split('.').collect();
            match parts.as_slice() {
                ["inputs", name] => inputs[*name].clone(),
                ["steps", id, "outputs", name] => {
                    steps.get(*id).and_then(|o| o.get(*name)).cloned().unwrap_or_default()
                }
                ["github", "action_path"] => repository_root().display().to_string(),
                ["github", "workspace"] => self.workspace.display().to_string(),
                ["github", "event_name"] => event_name.to_owned(),
                ["runner", "temp"] => self.temp.display().to_string(),
                ["runner", "os"] => "Linux".to_owned(),
                _ => panic!("action.yml uses an expression this runner does not know: {expr}"),
            }
        };

        let mut steps: HashMap<String, HashMap<String, String>> = HashMap::new();
        let mut stdout = String::new();
        let mut stderr = String::new();
        let mut code = 0;
        for (index, step) in action["runs"]["steps"].as_array().expect("steps").iter().enumerate() {
            if let Some(uses) = step["uses"].as_str() {
                assert!(uses.starts_with("actions/cache@"), "unexpected step {uses}");
                continue;
            }
            let script = evaluate(step["run"].as_str().expect("a run step"), &|e| context(e, &steps));
            assert_eq!(
                step["shell"].as_str(),
                Some("bash"),
                "composite run steps must name their shell"
            );
            let script_path = self.temp.join(format!("step-{index}.sh"));
            fs::write(&script_path, script).expect("write step");
            let output_path = self.temp.join(format!("output-{index}"));
            fs::write(&output_path, "").expect("write output file");

            let mut command = Command::new("bash");
            command
                .args(["--noprofile", "--norc", "-eo", "pipefail"])
                .arg(&script_path)
                .current_dir(&self.workspace)
                .env("GITHUB_ACTIONS", "true")
                .env("CI", "true")
                .env("GITHUB_ACTION_PATH", repository_root())
                .env("GITHUB_WORKSPACE", &self.workspace)
                .env("GITHUB_EVENT_NAME", event_name)
                .env("GITHUB_EVENT_PATH", &event_path)
                .env("GITHUB_OUTPUT", &output_path)
                .env("GITHUB_STEP_SUMMARY", &summary_path)
                .env("RUNNER_TEMP", &self.temp)
                .env("RUNNER_OS", "Linux");
            quick_release_build(&mut command);
            if let Some(env) = step["env"].as_object() {
                for (key, value) in env {
                    command.env(
                        key,
                        evaluate(value.as_str().unwrap_or_default(), &|e| context(e, &steps)),
                    );
                }
            }
            let out = command.output().expect("bash runs");
            stdout.push_str(&String::from_utf8_lossy(&out.stdout));
            stderr.push_str(&String::from_utf8_lossy(&out.stderr));
            if let Some(id) = step["id"].as_str() {
                let text = fs::read_to_string(&output_path).expect("read outputs");
                steps.insert(id.to_owned(), parse_outputs(&text));
            }
            if !out.status.success() {
                code = out.status.code().unwrap_or(-1);
                break;
            }
        }
        let outputs = action["outputs"]
            .as_object()
            .expect("outputs")
            .iter()
            .map(|(name, spec)| {
                let value = evaluate(spec["value"].as_str().expect("value"), &|e| context(e, &steps));
                (name.clone(), value)
            })
            .collect();
        ActionRun {
            code,
            stdout,
            stderr,
            outputs,
            summary: fs::read_to_string(&summary_path).expect("read summary"),
        }
    }
}

fn read_yaml(path: &Path) -> serde_json::Value {
    let text = fs::read_to_string(path).expect("read YAML");
    serde_yaml_ng::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Replaces each `${{ expr }}` with `context(expr)`.
fn evaluate(text: &str, context: &dyn Fn(&str) -> String) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("${{") {
        out.push_str(&rest[..start]);
        let end = rest[start..].find("}}").expect("a closed expression") + start;
        out.push_str(&context(rest[start + 3..end].trim()));
        rest = &rest[end + 2..];
    }
    out.push_str(rest);
    out
}

/// `name=value` lines and `name<<DELIMITER` blocks, as the runner reads them.
fn parse_outputs(text: &str) -> HashMap<String, String> {
    let mut outputs = HashMap::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if let Some((name, delimiter)) = line.split_once("<<") {
            let value: Vec<&str> = lines.by_ref().take_while(|l| *l != delimiter).collect();
            outputs.insert(name.to_owned(), value.join("\n"));
        } else if let Some((name, value)) = line.split_once('=') {
            outputs.insert(name.to_owned(), value.to_owned());
        }
    }
    outputs
}

/// A repository with an old secret, a clean commit, then a new secret.
struct History {
    _dir: tempfile::TempDir,
    repo: PathBuf,
    old_secret: String,
    new_secret: String,
    old: String,
    clean: String,
    new: String,
}

fn history() -> History {
    let (dir, repo) = repo();
    let old_secret = github_token(51);
    let new_secret = github_token(52);
    let old = commit_file(&repo, "old.env", &format!("TOKEN={old_secret}\n"), "old settings");
    let clean = commit_file(&repo, "src/app.py", "print('hello')\n", "app");
    let new = commit_file(
        &repo,
        "config/new.env",
        &format!("TOKEN={new_secret}\n"),
        "new settings",
    );
    History {
        _dir: dir,
        repo,
        old_secret,
        new_secret,
        old,
        clean,
        new,
    }
}

fn sarif_results(path: &Path) -> Vec<serde_json::Value> {
    let doc: serde_json::Value =
        serde_json::from_slice(&fs::read(path).expect("SARIF written")).expect("SARIF is JSON");
    doc["runs"][0]["results"].as_array().cloned().unwrap_or_default()
}

#[test]
fn push_scans_only_the_pushed_commits_and_fails() {
    let h = history();
    let runner = Runner::new(&h.repo);
    let payload = serde_json::json!({
        "ref": "refs/heads/main", "before": h.clean, "after": h.new,
        "repository": {"default_branch": "main"}
    });
    let run = runner.run("push", &payload, &[]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(
        run.stdout.contains(&format!("{}..{}", &h.clean[..12], &h.new[..12])),
        "{}",
        run.stdout
    );
    assert_eq!(run.outputs["findings"], "1");
    assert_eq!(run.outputs["sarif-file"], "hush.sarif");
    // One annotation, on the file the pushed commit added, masked.
    let annotations: Vec<&str> = run.stdout.lines().filter(|l| l.starts_with("::error ")).collect();
    assert_eq!(annotations.len(), 1, "{}", run.stdout);
    assert!(
        annotations[0].contains("file=config/new.env,line=1"),
        "{}",
        annotations[0]
    );
    assert!(
        annotations[0].contains(&format!("in commit {}", &h.new[..12])),
        "{}",
        annotations[0]
    );
    // The summary: a table row for the new secret, masked; nothing of the old one.
    assert!(run.summary.contains("### hush: 1 secret found"), "{}", run.summary);
    assert!(run.summary.contains("`config/new.env:1:7`"), "{}", run.summary);
    assert!(run.summary.contains("the pushed commits"), "{}", run.summary);
    for text in [&run.stdout, &run.summary] {
        assert!(
            !text.contains(&h.new_secret) && !text.contains(&h.old_secret),
            "a secret leaked: {text}"
        );
        assert!(!text.contains("old.env"), "the old commit was scanned: {text}");
    }
    let results = sarif_results(&h.repo.join("hush.sarif"));
    assert_eq!(results.len(), 1);
    assert_eq!(results[0]["ruleId"], "github-pat");
}

#[test]
fn pull_request_scans_base_to_head_and_passes_when_clean() {
    let h = history();
    let runner = Runner::new(&h.repo);
    let payload = serde_json::json!({
        "pull_request": {"base": {"sha": h.old}, "head": {"sha": h.clean}}
    });
    // The SARIF file's directory is made if missing.
    let run = runner.run("pull_request", &payload, &[("sarif-file", "out/pr.sarif")]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert_eq!(run.outputs["findings"], "0");
    assert_eq!(run.outputs["sarif-file"], "out/pr.sarif");
    assert!(
        run.summary.contains("### hush: no new secrets found"),
        "{}",
        run.summary
    );
    assert!(run.summary.contains("the pull request's commits"), "{}", run.summary);
    assert!(sarif_results(&h.repo.join("out/pr.sarif")).is_empty());
}

#[test]
fn a_pull_request_cannot_exempt_itself_with_a_hushignore() {
    let (_dir, repo) = repo();
    let base = git(&repo, &["rev-parse", "HEAD"]);
    let token = github_token(187);
    fs::write(repo.join(".hushignore"), "*\n").expect("write");
    fs::write(repo.join("app.env"), format!("TOKEN={token}\n")).expect("write");
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-q", "-m", "settings, ignored by their own commit"]);
    let head = git(&repo, &["rev-parse", "HEAD"]);
    let runner = Runner::new(&repo);
    let payload = serde_json::json!({"pull_request": {"base": {"sha": base}, "head": {"sha": head}}});
    let run = runner.run("pull_request", &payload, &[]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(run.outputs["findings"], "2");
    let annotations: Vec<&str> = run.stdout.lines().filter(|l| l.starts_with("::")).collect();
    assert!(
        annotations
            .iter()
            .any(|a| a.contains("file=.hushignore") && a.contains("hush-config-change")),
        "{}",
        run.stdout
    );
    assert!(annotations.iter().any(|a| a.contains("file=app.env")), "{}", run.stdout);
    assert!(run.summary.contains("hush-config-change"), "{}", run.summary);
    let mut rules: Vec<String> = sarif_results(&repo.join("hush.sarif"))
        .iter()
        .map(|r| r["ruleId"].as_str().unwrap_or_default().to_owned())
        .collect();
    rules.sort();
    assert_eq!(rules, ["github-pat", "hush-config-change"]);
    assert!(!run.stdout.contains(&token) && !run.summary.contains(&token));
}

#[test]
fn a_new_branch_is_scanned_against_the_default_branch() {
    let h = history();
    // The checkout's remote-tracking ref of the default branch is at `clean`.
    git(&h.repo, &["update-ref", "refs/remotes/origin/main", &h.clean]);
    let runner = Runner::new(&h.repo);
    let payload = serde_json::json!({
        "ref": "refs/heads/feature", "before": "0".repeat(40), "after": h.new, "created": true,
        "repository": {"default_branch": "main"}
    });
    let run = runner.run("push", &payload, &[("fail-on-findings", "false")]);
    assert_eq!(run.code, 0, "fail-on-findings is false: {}", run.stdout);
    assert_eq!(run.outputs["findings"], "1");
    assert!(run.stdout.contains("adds over main (a new ref)"), "{}", run.stdout);
    assert!(!run.stdout.contains("old.env"), "{}", run.stdout);
}

#[test]
fn schedule_scans_the_whole_history_and_the_baseline_is_honoured() {
    let h = history();
    let runner = Runner::new(&h.repo);
    let run = runner.run("schedule", &serde_json::json!({"schedule": "0 3 * * 1"}), &[]);
    assert_eq!(run.code, 1);
    assert_eq!(run.outputs["findings"], "2");
    assert!(
        run.summary.contains("the whole history (schedule event)"),
        "{}",
        run.summary
    );
    assert!(run.summary.contains("| Commit |"), "{}", run.summary);

    // Both reviewed into a baseline: known, so the job passes.
    let out = crate::common::run_in(&h.repo, &["git", "--write-baseline", ".hush-baseline", "."]);
    assert_eq!(out.status.code(), Some(0));
    let run = runner.run("schedule", &serde_json::json!({}), &[("baseline", ".hush-baseline")]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert_eq!(run.outputs["findings"], "0");
    assert!(run.summary.contains("2 known from the baseline"), "{}", run.summary);
}

#[test]
fn dir_mode_and_extra_args() {
    let h = history();
    let runner = Runner::new(&h.repo);
    let run = runner.run("workflow_dispatch", &serde_json::json!({}), &[("mode", "dir")]);
    assert_eq!(run.code, 1);
    assert_eq!(run.outputs["findings"], "2");
    assert!(run.stdout.contains("file=old.env"), "{}", run.stdout);

    let args = "--disable-rule 'github-pat' --disable-rule=generic-token";
    let run = runner.run(
        "workflow_dispatch",
        &serde_json::json!({}),
        &[("mode", "dir"), ("args", args)],
    );
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert_eq!(run.outputs["findings"], "0");
}

#[test]
fn bad_inputs_fail_with_the_input_named() {
    let h = history();
    let runner = Runner::new(&h.repo);
    for (input, value, expected) in [
        ("mode", "everything", "input mode"),
        ("fail-on-findings", "maybe", "input fail-on-findings"),
        ("args", "--min-severity 'high", "input args"),
        ("args", "--no-such-flag", "input args"),
    ] {
        let out = runner.run("schedule", &serde_json::json!({}), &[(input, value)]);
        assert_eq!(out.code, 2, "{input}={value}");
        assert!(out.stderr.contains(expected), "{input}={value}: {}", out.stderr);
    }
    // A pull request whose base the checkout lacks (a shallow checkout).
    let payload = serde_json::json!({"pull_request": {"base": {"sha": "1".repeat(40)}, "head": {"sha": h.new}}});
    let out = runner.run("pull_request", &payload, &[]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("fetch-depth: 0"), "{}", out.stderr);
}

/// check-jsonschema with one of its vendored (offline) schemas.
fn check_jsonschema(schema: &str, files: &[PathBuf]) {
    let Some(program) = tool("check-jsonschema") else {
        return;
    };
    let out = Command::new(program)
        .args(["--builtin-schema", schema])
        .args(files)
        .output()
        .expect("check-jsonschema runs");
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn action_yml_is_a_valid_action() {
    check_jsonschema("vendor.github-actions", &[repository_root().join("action.yml")]);
}

#[test]
fn the_readme_workflows_are_valid_and_shown_as_they_are() {
    let dir = repository_root().join("recipes/github-actions");
    let mut workflows: Vec<PathBuf> = fs::read_dir(&dir)
        .expect("recipes/github-actions")
        .map(|e| e.expect("entry").path())
        .collect();
    workflows.sort();
    assert!(workflows.len() >= 2, "{workflows:?}");
    let readme = fs::read_to_string(repository_root().join("README.md")).expect("README");
    for workflow in &workflows {
        let text = fs::read_to_string(workflow).expect("workflow");
        assert!(
            readme.contains(&format!("```yaml\n{text}```")),
            "README.md does not show {} as it is",
            workflow.display()
        );
        read_yaml(workflow);
    }
    check_jsonschema("vendor.github-workflows", &workflows);
}

#[test]
fn this_repositorys_workflows_are_valid() {
    let dir = repository_root().join(".github/workflows");
    let workflows: Vec<PathBuf> = fs::read_dir(&dir)
        .expect(".github/workflows")
        .map(|e| e.expect("entry").path())
        .collect();
    assert!(!workflows.is_empty());
    for workflow in &workflows {
        read_yaml(workflow);
    }
    check_jsonschema("vendor.github-workflows", &workflows);
}
