//! The `.pre-commit-hooks.yaml` of this repository, driven by the real pre-commit
//! framework (PyPI `pre-commit`): a project whose `.pre-commit-config.yaml` points
//! at a snapshot of this working tree, so pre-commit builds hush itself
//! (`language: rust`, `cargo install --path .`) and runs it from `git commit`.
//! A staged secret is refused and shown masked, a clean commit passes, a secret
//! in the baseline passes, `SKIP=hush` bypasses, and `hush-files` scans the
//! names pre-commit passes (`--all-files`), leaving out what `.hushignore` does.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use crate::common::gitrepo::{git, git_command, repo, write_file};
use crate::common::tools::{quick_release_build, repository_root, tool};
use crate::common::{github_token, run_in, stderr, stdout};

/// What every test shares: pre-commit's store (hush is built into it once) and
/// the snapshot repository and commit the projects point at.
struct Hooks {
    _dir: tempfile::TempDir,
    home: PathBuf,
    source: PathBuf,
    rev: String,
}

/// Builds the shared state once; `None` when pre-commit is not installed here.
fn hooks() -> Option<&'static Hooks> {
    static HOOKS: OnceLock<Option<Hooks>> = OnceLock::new();
    HOOKS
        .get_or_init(|| {
            tool("pre-commit")?;
            let dir = tempfile::tempdir().expect("temp dir");
            let (source, rev) = snapshot(dir.path());
            let hooks = Hooks {
                home: dir.path().join("pre-commit-home"),
                _dir: dir,
                source,
                rev,
            };
            // Build hush into the store now, so a failed build reads as one.
            let (_project_dir, project) = project(&hooks, "");
            let out = pre_commit(&hooks, &project, &["install-hooks"]);
            assert!(out.status.success(), "pre-commit could not build hush:\n{}", both(&out));
            Some(hooks)
        })
        .as_ref()
}

/// A commit of this working tree as it is now (tracked and new files, minus
/// what .gitignore leaves out) in a repository of its own under `dir`, so
/// pre-commit tests the code under test, not the last commit.
fn snapshot(dir: &Path) -> (PathBuf, String) {
    let source = dir.join("hush-source");
    git(dir, &["init", "-q", "-b", "main", source.to_str().expect("utf-8 path")]);
    let git_dir = source.join(".git");
    let snapshot_git = |args: &[&str]| {
        let mut full = vec!["--git-dir", git_dir.to_str().expect("utf-8 path")];
        full.extend_from_slice(&["--work-tree", repository_root().to_str().expect("utf-8 path")]);
        full.extend_from_slice(args);
        git(dir, &full)
    };
    snapshot_git(&["add", "-A"]);
    snapshot_git(&["commit", "-q", "-m", "snapshot of the working tree"]);
    let rev = snapshot_git(&["rev-parse", "HEAD"]);
    (source, rev)
}

/// A project repository using the hooks, with pre-commit's git hook installed.
fn project(hooks: &Hooks, extra_hook_settings: &str) -> (tempfile::TempDir, PathBuf) {
    let (dir, repo) = repo();
    let config = format!(
        "repos:\n  - repo: {}\n    rev: {}\n    hooks:\n      - id: hush\n      - id: hush-files\n        stages: [manual]\n{extra_hook_settings}",
        hooks.source.display(),
        hooks.rev
    );
    write_file(&repo, ".pre-commit-config.yaml", &config);
    git(&repo, &["add", ".pre-commit-config.yaml"]);
    git(&repo, &["commit", "-q", "--no-verify", "-m", "use pre-commit"]);
    let out = pre_commit(hooks, &repo, &["install"]);
    assert!(out.status.success(), "{}", both(&out));
    (dir, repo)
}

/// `command` with pre-commit's store and the shared build settings.
fn with_store<'a>(hooks: &Hooks, command: &'a mut Command) -> &'a mut Command {
    quick_release_build(command).env("PRE_COMMIT_HOME", &hooks.home)
}

fn pre_commit(hooks: &Hooks, repo: &Path, args: &[&str]) -> Output {
    let mut command = Command::new("pre-commit");
    command.args(args).current_dir(repo);
    // The same identity and isolation as the git helpers.
    for (key, value) in git_command(repo, &[]).get_envs() {
        if let Some(value) = value {
            command.env(key, value);
        }
    }
    with_store(hooks, &mut command).output().expect("pre-commit runs")
}

/// `git commit -m message` in `repo`, which runs pre-commit's hook.
fn commit(hooks: &Hooks, repo: &Path, message: &str, env: &[(&str, &str)]) -> Output {
    let mut command = git_command(repo, &["commit", "-q", "-m", message]);
    command.envs(env.iter().copied());
    with_store(hooks, &mut command).output().expect("git runs")
}

fn both(out: &Output) -> String {
    format!("{}{}", stdout(out), stderr(out))
}

fn commits(repo: &Path) -> usize {
    git(repo, &["rev-list", "--count", "HEAD"]).parse().expect("a count")
}

#[test]
fn a_staged_secret_is_refused_and_shown_masked() {
    let Some(hooks) = hooks() else { return };
    let (_dir, repo) = project(hooks, "");
    let token = github_token(41);
    write_file(&repo, "config/deploy.env", &format!("GITHUB_TOKEN={token}\n"));
    git(&repo, &["add", "config/deploy.env"]);
    let before = commits(&repo);
    let out = commit(hooks, &repo, "deploy settings", &[]);
    assert!(!out.status.success(), "the commit went through:\n{}", both(&out));
    let shown = both(&out);
    assert!(shown.contains("hush (secrets in staged changes)"), "{shown}");
    assert!(shown.contains("config/deploy.env:1:14"), "{shown}");
    assert!(shown.contains("github-pat"), "{shown}");
    assert!(!shown.contains(&token), "pre-commit showed the whole secret:\n{shown}");
    assert_eq!(commits(&repo), before);
}

#[test]
fn a_clean_commit_passes() {
    let Some(hooks) = hooks() else { return };
    let (_dir, repo) = project(hooks, "");
    write_file(&repo, "src/main.rs", "fn main() {\n    println!(\"hello\");\n}\n");
    git(&repo, &["add", "src/main.rs"]);
    let before = commits(&repo);
    let out = commit(hooks, &repo, "hello", &[]);
    assert!(out.status.success(), "{}", both(&out));
    assert!(both(&out).contains("Passed"), "{}", both(&out));
    assert_eq!(commits(&repo), before + 1);
}

#[test]
fn a_secret_in_the_baseline_passes() {
    let Some(hooks) = hooks() else { return };
    let (_dir, repo) = project(hooks, "");
    write_file(&repo, "legacy.env", &format!("TOKEN={}\n", github_token(42)));
    git(&repo, &["add", "legacy.env"]);
    // Reviewed: recorded in the baseline the config names.
    let out = run_in(&repo, &["git", "--staged", "--write-baseline", ".hush-baseline", "."]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    write_file(&repo, ".hush.toml", "baseline = \".hush-baseline\"\n");
    git(&repo, &["add", ".hush.toml", ".hush-baseline"]);
    let before = commits(&repo);
    let out = commit(hooks, &repo, "legacy settings, reviewed", &[]);
    assert!(out.status.success(), "{}", both(&out));
    assert_eq!(commits(&repo), before + 1);

    // A new secret next to it is still refused.
    write_file(&repo, "new.env", &format!("TOKEN={}\n", github_token(43)));
    git(&repo, &["add", "new.env"]);
    let out = commit(hooks, &repo, "new settings", &[]);
    assert!(!out.status.success(), "{}", both(&out));
    assert!(both(&out).contains("new.env"), "{}", both(&out));
    assert!(!both(&out).contains("legacy.env"), "{}", both(&out));
}

#[test]
fn skip_bypasses_the_hook_and_hush_files_scans_named_files() {
    let Some(hooks) = hooks() else { return };
    let (_dir, repo) = project(hooks, "");
    let token = github_token(44);
    write_file(&repo, "ci.env", &format!("TOKEN={token}\n"));
    write_file(&repo, "fixtures/fake.env", &format!("TOKEN={}\n", github_token(45)));
    write_file(&repo, ".hushignore", "fixtures/\n");
    git(&repo, &["add", "ci.env", "fixtures/fake.env", ".hushignore"]);
    let before = commits(&repo);
    let out = commit(hooks, &repo, "skipped on purpose", &[("SKIP", "hush")]);
    assert!(out.status.success(), "{}", both(&out));
    assert!(both(&out).contains("Skipped"), "{}", both(&out));
    assert_eq!(commits(&repo), before + 1);

    // hush-files over every tracked file finds the committed secret, not the
    // fixture .hushignore leaves out.
    let out = pre_commit(
        hooks,
        &repo,
        &["run", "hush-files", "--all-files", "--hook-stage", "manual"],
    );
    assert!(!out.status.success(), "{}", both(&out));
    let shown = both(&out);
    assert!(shown.contains("ci.env:1:7"), "{shown}");
    assert!(!shown.contains("fixtures/fake.env"), "{shown}");
    assert!(!shown.contains(&token), "{shown}");
}
