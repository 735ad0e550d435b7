//! Real git repositories for the tests, made with the git CLI under a fixed
//! identity and without the user's or the system's git config.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// git in `dir` with a fixed identity and no user or system config.
pub fn git_command(dir: &Path, args: &[&str]) -> Command {
    let mut command = Command::new("git");
    command
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_AUTHOR_NAME", "Ada Lovelace")
        .env("GIT_AUTHOR_EMAIL", "ada@example.invalid")
        .env("GIT_COMMITTER_NAME", "Ada Lovelace")
        .env("GIT_COMMITTER_EMAIL", "ada@example.invalid");
    command
}

/// Runs git, whatever its exit status.
pub fn git_output(dir: &Path, args: &[&str]) -> Output {
    git_command(dir, args).output().expect("git runs")
}

/// Runs git, which must succeed; its stdout, trimmed.
pub fn git(dir: &Path, args: &[&str]) -> String {
    let out = git_output(dir, args);
    assert!(
        out.status.success(),
        "git {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// A new repository (branch `main`) with one commit of a README, in a temp dir.
pub fn repo() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("repo");
    fs::create_dir(&path).expect("mkdir");
    git(&path, &["init", "-q", "-b", "main"]);
    fs::write(path.join("README.md"), "# demo\n").expect("write");
    git(&path, &["add", "."]);
    git(&path, &["commit", "-q", "-m", "initial"]);
    (dir, path)
}

/// Writes `text` to `name`, stages it (only it) and commits; the new commit's id.
pub fn commit_file(repo: &Path, name: &str, text: &str, message: &str) -> String {
    write_file(repo, name, text);
    git(repo, &["add", name]);
    git(repo, &["commit", "-q", "-m", message]);
    git(repo, &["rev-parse", "HEAD"])
}

/// Writes `text` to `name` in `repo`, making its directories.
pub fn write_file(repo: &Path, name: &str, text: &str) {
    let file = repo.join(name);
    if let Some(parent) = file.parent() {
        fs::create_dir_all(parent).expect("mkdir");
    }
    fs::write(file, text).expect("write");
}
