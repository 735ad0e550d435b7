//! `hush install-hook`: the plain git hooks it writes, run by real `git commit`
//! and `git push` (to a bare repository on disk): a staged or pushed secret is
//! refused and shown masked, clean work goes through, only what a push adds is
//! scanned, and someone else's hook is never replaced without `--force`.

use std::fs;
use std::path::Path;
use std::process::Output;

use crate::common::gitrepo::{commit_file, git, git_output, repo, write_file};
use crate::common::{github_token, run_in, stderr, stdout};

fn all_output(out: &Output) -> String {
    format!("{}{}", stdout(out), stderr(out))
}

fn install(repo: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["install-hook"];
    args.extend_from_slice(extra);
    run_in(repo, &args)
}

#[test]
fn pre_commit_hook_refuses_a_staged_secret_and_shows_it_masked() {
    let (_dir, repo) = repo();
    let out = install(&repo, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let hook = repo.join(".git/hooks/pre-commit");
    assert!(stderr(&out).contains(&hook.display().to_string()), "{}", stderr(&out));

    let token = github_token(31);
    write_file(&repo, "deploy.env", &format!("GITHUB_TOKEN={token}\n"));
    git(&repo, &["add", "deploy.env"]);
    let commit = git_output(&repo, &["commit", "-q", "-m", "add deploy settings"]);
    assert!(!commit.status.success(), "the commit went through");
    let shown = all_output(&commit);
    assert!(shown.contains("deploy.env:1:14"), "{shown}");
    assert!(shown.contains("github-pat"), "{shown}");
    assert!(!shown.contains(&token), "the hook printed the whole secret: {shown}");
    assert_eq!(git(&repo, &["rev-list", "--count", "HEAD"]), "1");

    // Unstage the secret; a clean commit passes.
    git(&repo, &["rm", "-q", "--cached", "deploy.env"]);
    write_file(&repo, "notes.md", "nothing to hide\n");
    git(&repo, &["add", "notes.md"]);
    let commit = git_output(&repo, &["commit", "-q", "-m", "notes"]);
    assert!(commit.status.success(), "{}", all_output(&commit));
    assert_eq!(git(&repo, &["rev-list", "--count", "HEAD"]), "2");

    // --no-verify is git's own bypass.
    git(&repo, &["add", "deploy.env"]);
    git(&repo, &["commit", "-q", "--no-verify", "-m", "forced"]);
    assert_eq!(git(&repo, &["rev-list", "--count", "HEAD"]), "3");
}

#[test]
fn an_existing_hook_is_kept_unless_forced() {
    let (_dir, repo) = repo();
    let hook = repo.join(".git/hooks/pre-commit");
    fs::write(&hook, "#!/bin/sh\necho team hook\n").expect("write hook");

    let out = install(&repo, &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("already exists"), "{}", stderr(&out));
    assert!(stderr(&out).contains("--force"), "{}", stderr(&out));
    assert_eq!(fs::read_to_string(&hook).expect("hook"), "#!/bin/sh\necho team hook\n");

    let out = install(&repo, &["--force"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let backup = repo.join(".git/hooks/pre-commit.hush-backup");
    assert_eq!(
        fs::read_to_string(backup).expect("backup"),
        "#!/bin/sh\necho team hook\n"
    );
    assert!(fs::read_to_string(&hook).expect("hook").contains("git --staged"));

    // Its own hook is replaced without --force (an upgrade).
    let out = install(&repo, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn hooks_go_where_git_looks_for_them() {
    let (_dir, repo) = repo();
    git(&repo, &["config", "core.hooksPath", "team-hooks"]);
    let out = install(&repo, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(repo.join("team-hooks/pre-commit").is_file());
    assert!(!repo.join(".git/hooks/pre-commit").exists());

    let outside = tempfile::tempdir().expect("temp dir");
    let out = install(outside.path(), &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("not in a git repository"), "{}", stderr(&out));
}

#[test]
fn pre_push_hook_scans_only_what_the_push_adds() {
    let (dir, repo) = repo();
    let remote = dir.path().join("remote.git");
    git(
        dir.path(),
        &["init", "-q", "--bare", remote.to_str().expect("utf-8 path")],
    );
    git(
        &repo,
        &["remote", "add", "origin", remote.to_str().expect("utf-8 path")],
    );
    let out = install(&repo, &["--pre-push"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(repo.join(".git/hooks/pre-push").is_file());

    // A new branch with only clean commits goes through.
    commit_file(&repo, "src/app.rs", "fn main() {}\n", "app");
    let push = git_output(&repo, &["push", "-q", "origin", "main"]);
    assert!(push.status.success(), "{}", all_output(&push));

    // A pushed commit with a secret is refused, masked.
    let token = github_token(32);
    commit_file(&repo, "ci.env", &format!("TOKEN={token}\n"), "ci settings");
    let push = git_output(&repo, &["push", "-q", "origin", "main"]);
    assert!(!push.status.success(), "the push went through");
    let shown = all_output(&push);
    assert!(shown.contains("ci.env"), "{shown}");
    assert!(!shown.contains(&token), "{shown}");

    // Once it is on the remote (pushed past the hook), later clean pushes are
    // not blocked by it: only the new range is scanned.
    git(&repo, &["push", "-q", "--no-verify", "origin", "main"]);
    commit_file(&repo, "docs.md", "docs\n", "docs");
    let push = git_output(&repo, &["push", "-q", "origin", "main"]);
    assert!(push.status.success(), "{}", all_output(&push));

    // A new branch: only the commits the remote does not have are scanned.
    git(&repo, &["checkout", "-q", "-b", "feature"]);
    commit_file(&repo, "feature.md", "feature\n", "feature");
    let push = git_output(&repo, &["push", "-q", "origin", "feature"]);
    assert!(push.status.success(), "{}", all_output(&push));
    git(&repo, &["checkout", "-q", "-b", "leaky"]);
    commit_file(&repo, "leak.env", &format!("TOKEN={}\n", github_token(33)), "leak");
    let push = git_output(&repo, &["push", "-q", "origin", "leaky"]);
    assert!(!push.status.success(), "the new branch with a secret went through");
    assert!(all_output(&push).contains("leak.env"), "{}", all_output(&push));
    assert!(!all_output(&push).contains("ci.env"), "{}", all_output(&push));

    // Deleting a remote branch scans nothing.
    let push = git_output(&repo, &["push", "-q", "origin", "--delete", "feature"]);
    assert!(push.status.success(), "{}", all_output(&push));
}
