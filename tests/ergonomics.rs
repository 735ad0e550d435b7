//! What users expect of a CLI: `--version` naming the rule packs, shell
//! completions that complete, a man page that renders, suggestions for a
//! misspelled command or flag, `NO_COLOR`, and `--quiet`.

use std::fs;
use std::process::Command;

use crate::common::{github_token, hush, run_in, stderr, stdout};

#[test]
fn version_names_the_rule_packs() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = run_in(dir.path(), &["--version"]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    let rules = stdout(&run_in(dir.path(), &["rules", "list"])).lines().count();
    let packs = hush_rules::DEFAULT_PACKS.len();
    assert!(
        text.starts_with(&format!("hush {}\n", env!("CARGO_PKG_VERSION"))),
        "{text}"
    );
    assert!(
        text.contains(&format!("{rules} rules in {packs} packs (digest ")),
        "{text}"
    );
    assert!(text.contains(hush_rules::DEFAULT_PACKS_DIGEST), "{text}");
}

#[test]
fn bash_completion_completes_commands_and_flags() {
    let dir = tempfile::tempdir().expect("temp dir");
    let script = dir.path().join("hush.bash");
    let out = run_in(dir.path(), &["completions", "bash"]);
    assert_eq!(out.status.code(), Some(0));
    fs::write(&script, &out.stdout).expect("write");
    // `words` as the shell splits them; the last one is the word being completed.
    let complete = |words: &[&str]| -> String {
        let quoted: Vec<String> = words.iter().map(|w| format!("'{w}'")).collect();
        let probe = format!(
            "source {script}; COMP_WORDS=({words}); COMP_CWORD={cword}; \
             COMP_LINE=\"{line}\"; COMP_POINT=${{#COMP_LINE}}; \
             _hush hush \"${{COMP_WORDS[COMP_CWORD]}}\" \"${{COMP_WORDS[COMP_CWORD-1]}}\"; echo \"${{COMPREPLY[*]}}\"",
            script = script.display(),
            words = quoted.join(" "),
            cword = words.len() - 1,
            line = words.join(" "),
        );
        let out = Command::new("bash")
            .args(["--norc", "-c", &probe])
            .output()
            .expect("bash runs");
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    };
    assert_eq!(complete(&["hush", "sc"]), "scan");
    assert_eq!(complete(&["hush", "install-h"]), "install-hook");
    assert!(complete(&["hush", "git", "--st"]).split(' ').any(|w| w == "--staged"));
    assert!(complete(&["hush", "scan", "--format", ""])
        .split(' ')
        .any(|w| w == "markdown"));
}

#[test]
fn zsh_and_fish_completions_name_every_command() {
    let dir = tempfile::tempdir().expect("temp dir");
    for (shell, header) in [("zsh", "#compdef hush"), ("fish", "complete -c hush")] {
        let out = run_in(dir.path(), &["completions", shell]);
        assert_eq!(out.status.code(), Some(0));
        let text = stdout(&out);
        assert!(text.contains(header), "{shell}");
        for command in ["scan", "git", "image", "redact", "install-hook", "completions", "man"] {
            assert!(text.contains(command), "{shell} completion lacks {command}");
        }
    }
    let out = run_in(dir.path(), &["completions", "tcsh"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("possible values"), "{}", stderr(&out));
}

#[test]
fn man_pages_render() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = run_in(dir.path(), &["man"]);
    assert_eq!(out.status.code(), Some(0));
    let roff = stdout(&out);
    assert!(roff.contains(".TH hush 1"), "{roff}");
    for command in ["scan", "git", "image", "redact", "install\\-hook"] {
        assert!(roff.contains(command), "hush(1) lacks {command}");
    }
    let pages = dir.path().join("man");
    let out = run_in(dir.path(), &["man", "--dir", pages.to_str().expect("utf-8")]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    for page in [
        "hush.1",
        "hush-scan.1",
        "hush-git.1",
        "hush-install-hook.1",
        "hush-rules-list.1",
    ] {
        assert!(pages.join(page).is_file(), "{page} missing");
    }
    // groff renders it as text, when it is installed (bold comes out as
    // overstrikes: a character, a backspace, the character again).
    if let Ok(rendered) = Command::new("groff")
        .args(["-man", "-Tascii"])
        .arg(pages.join("hush-git.1"))
        .output()
    {
        let mut text = String::new();
        for c in String::from_utf8_lossy(&rendered.stdout).chars() {
            if c == '\u{8}' {
                text.pop();
            } else {
                text.push(c);
            }
        }
        assert!(text.contains("NAME") && text.contains("--staged"), "{text}");
    }
}

#[test]
fn misspellings_suggest_the_closest_command_or_flag() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = run_in(dir.path(), &["scna", "."]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("similar subcommand exists: 'scan'"),
        "{}",
        stderr(&out)
    );
    let out = run_in(dir.path(), &["git", "--stagde"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("similar argument exists: '--staged'"),
        "{}",
        stderr(&out)
    );
    let out = run_in(dir.path(), &["scan", "--format", "sraif", "."]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("sarif"), "{}", stderr(&out));
}

/// Runs `hush args` in a pseudo-terminal (util-linux `script`), so stdout is a
/// terminal; its output.
fn in_terminal(dir: &std::path::Path, args: &str, no_color: bool) -> String {
    let mut command = Command::new("script");
    command
        .args(["-qec", &format!("{} {args}", env!("CARGO_BIN_EXE_hush")), "/dev/null"])
        .current_dir(dir)
        .env_remove("NO_COLOR");
    if no_color {
        command.env("NO_COLOR", "1");
    }
    let out = command.output().expect("script runs");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn colour_on_a_terminal_unless_no_color() {
    if Command::new("script").arg("--version").output().is_err() {
        eprintln!("skipped: util-linux `script` is not installed");
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    fs::write(dir.path().join("a.env"), format!("T={}\n", github_token(61))).expect("write");
    let coloured = in_terminal(dir.path(), "scan .", false);
    assert!(coloured.contains("\x1b["), "{coloured:?}");
    let plain = in_terminal(dir.path(), "scan .", true);
    assert!(plain.contains("github-pat"), "{plain:?}");
    assert!(!plain.contains("\x1b["), "{plain:?}");
}

#[test]
fn quiet_leaves_only_the_report() {
    let dir = tempfile::tempdir().expect("temp dir");
    fs::write(dir.path().join("a.env"), format!("T={}\n", github_token(62))).expect("write");
    let out = run_in(dir.path(), &["scan", "."]);
    assert!(stderr(&out).contains("new finding(s)"), "{}", stderr(&out));
    let out = hush()
        .args(["scan", "--quiet", "."])
        .current_dir(dir.path())
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stderr(&out), "");
    assert!(stdout(&out).contains("github-pat"));
}
