//! The CI-step recipe (`recipes/ci-step.sh`, README "Log filter recipes"), run
//! verbatim with bash in a temporary project whose Makefile has a `test` target,
//! the built `hush` first on PATH: the step passes the tests' output through
//! unchanged and succeeds when nothing secret was printed, fails (under
//! pipefail) when the tests fail, and fails when they printed a secret, which
//! the log shows redacted, never in clear. The other recipes run in
//! redact/tests/redact/recipes.rs.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use crate::common::{github_token, stderr, stdout};

/// The line of the recipe that the README shows and these tests are about.
const STEP: &str = "make test 2>&1 | hush redact --fail-on-secret";

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("recipes").join("ci-step.sh")
}

/// Runs the CI step in a project whose `make test` runs these recipe lines.
fn run_step(recipe_lines: &[String]) -> Output {
    let text = std::fs::read_to_string(script()).expect("recipes/ci-step.sh");
    assert!(text.lines().any(|l| l == STEP), "the step is `{STEP}`:\n{text}");
    assert!(text.lines().any(|l| l == "set -euo pipefail"));

    let dir = tempfile::tempdir().expect("temp dir");
    let bin = dir.path().join("bin");
    std::fs::create_dir(&bin).expect("bin dir");
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_hush"), bin.join("hush")).expect("symlink hush");
    let project = dir.path().join("project");
    std::fs::create_dir(&project).expect("project dir");
    let recipe: String = recipe_lines.iter().map(|l| format!("\t@{l}\n")).collect();
    std::fs::write(project.join("Makefile"), format!(".PHONY: test\ntest:\n{recipe}")).expect("Makefile");

    let mut paths = vec![bin];
    paths.extend(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()));
    let path: OsString = std::env::join_paths(paths).expect("PATH");
    Command::new("bash")
        .arg(script())
        .current_dir(&project)
        .env("PATH", path)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .expect("bash runs the CI step (bash and make are needed)")
}

#[test]
fn clean_test_output_passes_through_and_the_step_succeeds() {
    let out = run_step(&[
        "echo 'running 3 tests'".into(),
        "echo 'warning: slow test' >&2".into(),
        "echo 'test result: ok. 3 passed'".into(),
    ]);
    assert_eq!(
        stdout(&out),
        "running 3 tests\nwarning: slow test\ntest result: ok. 3 passed\n"
    );
    assert_eq!(stderr(&out), "");
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn a_printed_secret_is_redacted_and_fails_the_step() {
    let (on_stdout, on_stderr) = (github_token(41), github_token(42));
    let out = run_step(&[
        "echo 'running 3 tests'".into(),
        format!("echo 'debug: client token {on_stdout}'"),
        format!("echo 'warning: GITHUB_TOKEN={on_stderr} in the environment' >&2"),
        "echo 'test result: ok. 3 passed'".into(),
    ]);
    let log = stdout(&out);
    assert!(
        !log.contains(&on_stdout) && !log.contains(&on_stderr),
        "a token leaked:\n{log}"
    );
    assert_eq!(
        log,
        "running 3 tests\n\
         debug: client token [REDACTED:github-pat]\n\
         warning: GITHUB_TOKEN=[REDACTED:github-pat] in the environment\n\
         test result: ok. 3 passed\n"
    );
    assert_eq!(
        out.status.code(),
        Some(1),
        "the tests passed, the step fails: {}",
        stderr(&out)
    );
}

#[test]
fn failing_tests_fail_the_step_under_pipefail() {
    let out = run_step(&["echo 'test result: FAILED. 1 failed'".into(), "exit 1".into()]);
    let log = stdout(&out);
    assert!(log.starts_with("test result: FAILED. 1 failed\n"), "{log}");
    assert!(log.contains("Error 1"), "make's own message comes through 2>&1: {log}");
    assert_eq!(
        out.status.code(),
        Some(2),
        "make's status, not hush's 0: {}",
        stderr(&out)
    );
}
