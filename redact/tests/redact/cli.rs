//! The `hush-redact` binary end to end: exit codes, the report, masks from files,
//! variables and descriptors, latency over real pipes, and running a command.

use std::io::{BufRead, BufReader, Write};
use std::process::Stdio;
use std::sync::mpsc;
use std::time::Duration;

use crate::common::{base62, github_token, hush_redact, run, text};

/// Generous: these are functional checks on a shared machine, not benchmarks.
const PATIENCE: Duration = Duration::from_secs(20);

#[test]
fn fail_on_secret_exits_1_only_when_something_was_redacted() {
    let token = github_token(1);
    let dirty = run(&["--fail-on-secret"], format!("x {token}\n").as_bytes());
    assert_eq!(dirty.status.code(), Some(1), "{}", text(&dirty.stderr));
    assert_eq!(text(&dirty.stdout), "x [REDACTED:github-pat]\n");
    let clean = run(&["--fail-on-secret"], b"nothing here\n");
    assert_eq!(clean.status.code(), Some(0));
    assert_eq!(text(&clean.stdout), "nothing here\n");
    let without = run(&[], format!("x {token}\n").as_bytes());
    assert_eq!(without.status.code(), Some(0), "without the flag, redacting is success");
}

#[test]
fn report_lists_rules_and_lines_with_masked_secrets() {
    let dir = tempfile::tempdir().expect("temp dir");
    let report = dir.path().join("report.jsonl");
    let token = github_token(2);
    let input = format!("ok\nt {token}\n{{\"password\":\"hunter2hunter2\"}}\n");
    let out = run(&["--report", report.to_str().expect("utf-8 path")], input.as_bytes());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let written = std::fs::read_to_string(&report).expect("report written");
    assert!(!written.contains(&token) && !written.contains("hunter2"), "{written}");
    let lines: Vec<serde_json::Value> = written
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect();
    assert_eq!(lines.len(), 2, "{written}");
    assert_eq!(lines[0]["rule"], "github-pat");
    assert_eq!(lines[0]["line"], 2);
    assert_eq!(lines[0]["secret_masked"], "ghp_…(40)");
    assert_eq!(lines[1]["rule"], "json-secret-field");
    assert_eq!(lines[1]["line"], 3);
    assert_eq!(lines[1]["secret_masked"], "…(14)");
}

#[test]
fn masks_from_a_file_a_variable_and_a_descriptor() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("db_password");
    std::fs::write(&file, "from-the-file-1\n").expect("write");
    let shell = format!(
        "printf 'a from-the-file-1 b from-the-env-22 c from-the-fd-333 d short\\n' | {} --no-rules --mask-file {} --mask-env HUSH_TEST_MASK --mask-env HUSH_TEST_SHORT --mask-env HUSH_TEST_UNSET --mask-stdin-fd 3 3<<'EOF'\nfrom-the-fd-333\nEOF",
        env!("CARGO_BIN_EXE_hush-redact"),
        file.display()
    );
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(shell)
        .env("HUSH_TEST_MASK", "from-the-env-22")
        .env("HUSH_TEST_SHORT", "short")
        .env_remove("HUSH_TEST_UNSET")
        .output()
        .expect("sh runs");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "a [REDACTED:literal-mask] b [REDACTED:literal-mask] c [REDACTED:literal-mask] d short\n"
    );
    let stderr = text(&out.stderr);
    assert!(stderr.contains("HUSH_TEST_SHORT: refused"), "{stderr}");
    assert!(stderr.contains("HUSH_TEST_UNSET: the variable is not set"), "{stderr}");
}

#[test]
fn unreadable_mask_file_and_bad_flags_exit_2() {
    let missing = run(&["--mask-file", "/nonexistent/hush-mask"], b"x\n");
    assert_eq!(missing.status.code(), Some(2));
    assert!(text(&missing.stderr).contains("--mask-file /nonexistent/hush-mask"));
    let bad = run(&["--style", "label", "--replacement", "x"], b"x\n");
    assert_eq!(bad.status.code(), Some(2));
    let key = run(&["--style", "hash", "--hash-key-file", "/nonexistent/key"], b"x\n");
    assert_eq!(key.status.code(), Some(2));
}

#[test]
fn styles_from_the_command_line() {
    let token = github_token(4);
    let input = format!("{token}\n");
    let fixed = run(&["--replacement", "***"], input.as_bytes());
    assert_eq!(text(&fixed.stdout), "***\n");
    let partial = run(&["--style", "partial"], input.as_bytes());
    assert_eq!(text(&partial.stdout), "ghp_[REDACTED:github-pat]\n");
    let dir = tempfile::tempdir().expect("temp dir");
    let key = dir.path().join("key");
    std::fs::write(&key, "0123456789abcdef0123\n").expect("write");
    let args = ["--style", "hash", "--hash-key-file", key.to_str().expect("utf-8")];
    let a = run(&args, input.as_bytes());
    let b = run(&args, input.as_bytes());
    assert_eq!(a.stdout, b.stdout, "a key file makes hashes stable across runs");
    assert!(text(&a.stdout).starts_with("[REDACTED:github-pat:"));
    let random1 = run(&["--style", "hash"], input.as_bytes());
    let random2 = run(&["--style", "hash"], input.as_bytes());
    assert_ne!(random1.stdout, random2.stdout, "a random key per run");
}

/// Reads lines from `reader` on a thread; each arrives on the channel.
fn line_reader(reader: impl std::io::Read + Send + 'static) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(reader).lines() {
            let Ok(line) = line else { return };
            if tx.send(line).is_err() {
                return;
            }
        }
    });
    rx
}

#[test]
fn each_line_comes_out_before_the_writer_writes_again() {
    let mut child = hush_redact()
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("runs");
    let mut stdin = child.stdin.take().expect("stdin");
    let lines = line_reader(child.stdout.take().expect("stdout"));
    for i in 0..3u64 {
        writeln!(stdin, "line {i} {}", github_token(i)).expect("write");
        stdin.flush().expect("flush");
        let got = lines
            .recv_timeout(PATIENCE)
            .expect("the line came out while the writer waits");
        assert_eq!(got, format!("line {i} [REDACTED:github-pat]"));
    }
    write!(stdin, "Password for bob: ").expect("write");
    stdin.flush().expect("flush");
    drop(stdin);
    assert_eq!(lines.recv_timeout(PATIENCE).expect("last line"), "Password for bob: ");
    assert!(child.wait().expect("exits").success());
}

#[test]
fn each_line_reaches_a_file_from_a_pipe_while_the_writer_waits() {
    // `app | hush-redact >> app.log`, the file a log shipper tails: the line
    // must be in the file while the input is still open, not at its end.
    let dir = tempfile::tempdir().expect("temp dir");
    let log = dir.path().join("app.log");
    let file = std::fs::File::create(&log).expect("log file");
    let mut child = hush_redact().stdin(Stdio::piped()).stdout(file).spawn().expect("runs");
    let mut stdin = child.stdin.take().expect("stdin");
    writeln!(stdin, "first {}", github_token(20)).expect("write");
    stdin.flush().expect("flush");
    let deadline = std::time::Instant::now() + PATIENCE;
    let mut written = String::new();
    while std::time::Instant::now() < deadline {
        written = std::fs::read_to_string(&log).expect("read log");
        if written.ends_with('\n') {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(
        written, "first [REDACTED:github-pat]\n",
        "the line is in the file while stdin is open"
    );
    drop(stdin);
    assert!(child.wait().expect("exits").success());
}

#[test]
fn sigterm_writes_what_was_read_before_exiting() {
    // An incomplete last line waits for --max-delay (a minute here): SIGTERM
    // must not drop it.
    let mut child = hush_redact()
        .args(["--max-delay", "60s"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("runs");
    let mut stdin = child.stdin.take().expect("stdin");
    let lines = line_reader(child.stdout.take().expect("stdout"));
    writeln!(stdin, "ready").expect("write");
    stdin.flush().expect("flush");
    assert_eq!(lines.recv_timeout(PATIENCE).expect("the pump runs"), "ready");
    write!(stdin, "last words {} and more", github_token(21)).expect("write");
    stdin.flush().expect("flush");
    // Time for the reader thread to take the bytes in; nothing is written yet.
    std::thread::sleep(Duration::from_secs(1));
    assert!(lines.try_recv().is_err(), "the incomplete line waits for --max-delay");
    // SAFETY: kill(2) has no memory-safety preconditions; the pid is our child's.
    unsafe {
        libc::kill(child.id() as libc::pid_t, libc::SIGTERM);
    }
    let last = lines.recv_timeout(PATIENCE).expect("written on SIGTERM");
    assert_eq!(last, "last words [REDACTED:github-pat] and more");
    let status = child.wait().expect("exits");
    assert_eq!(status.code(), Some(128 + libc::SIGTERM), "{status:?}");
    drop(stdin);
}

#[test]
fn a_file_to_file_run_is_a_batch_and_still_complete() {
    let dir = tempfile::tempdir().expect("temp dir");
    let input = dir.path().join("in.log");
    let output = dir.path().join("out.log");
    let lines: String = (0..2000u64)
        .map(|i| format!("line {i} {}\n", github_token(i)))
        .collect();
    std::fs::write(&input, &lines).expect("write input");
    let status = hush_redact()
        .stdin(std::fs::File::open(&input).expect("open input"))
        .stdout(std::fs::File::create(&output).expect("create output"))
        .status()
        .expect("runs");
    assert!(status.success());
    let out = std::fs::read_to_string(&output).expect("read output");
    assert_eq!(out.lines().count(), 2000);
    assert!(
        out.lines().all(|l| l.ends_with(" [REDACTED:github-pat]")),
        "{}",
        &out[..200]
    );
}

#[test]
fn a_command_is_filtered_with_stdout_and_stderr_kept_apart() {
    let token = github_token(8);
    let out = hush_redact()
        .args(["--fail-on-secret", "--", "sh", "-c"])
        .arg(format!("echo out {token}; echo err {token} >&2; exit 3"))
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(3), "the command's exit code wins");
    assert_eq!(text(&out.stdout), "out [REDACTED:github-pat]\n");
    assert_eq!(text(&out.stderr), "err [REDACTED:github-pat]\n");
    let ok = hush_redact()
        .args(["--fail-on-secret", "--", "sh", "-c"])
        .arg(format!("echo {token}"))
        .output()
        .expect("runs");
    assert_eq!(ok.status.code(), Some(1), "a clean exit with a secret printed fails");
    let missing = hush_redact()
        .args(["--", "/nonexistent/program"])
        .output()
        .expect("runs");
    assert_eq!(missing.status.code(), Some(2));
}

#[test]
fn a_command_gets_the_signal_and_its_output_is_still_filtered() {
    let token = github_token(9);
    let script = format!("trap 'echo stopping {token}; exit 7' TERM; echo ready; while :; do sleep 0.05; done");
    let mut child = hush_redact()
        .args(["--", "sh", "-c", &script])
        .stdout(Stdio::piped())
        .spawn()
        .expect("runs");
    let lines = line_reader(child.stdout.take().expect("stdout"));
    assert_eq!(lines.recv_timeout(PATIENCE).expect("ready"), "ready");
    let pid = libc::pid_t::try_from(child.id()).expect("pid fits");
    // SAFETY: kill(2) on our own child process.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGTERM) }, 0);
    assert_eq!(
        lines.recv_timeout(PATIENCE).expect("the trap's output"),
        "stopping [REDACTED:github-pat]"
    );
    assert_eq!(child.wait().expect("exits").code(), Some(7));
}

#[test]
fn rsyslog_mmexternal_answers_each_message_before_the_next_is_sent() {
    // rsyslog writes one message and blocks until its reply: a reply that waited
    // for more input would hang the daemon.
    let dir = tempfile::tempdir().expect("temp dir");
    let report = dir.path().join("report.jsonl");
    let mut child = hush_redact()
        .arg("--rsyslog-mmexternal")
        .arg("--report")
        .arg(&report)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("runs");
    let mut stdin = child.stdin.take().expect("stdin");
    let replies = line_reader(child.stdout.take().expect("stdout"));
    let token = github_token(9);
    let messages = [
        " app started".to_string(),
        format!(" token {token} \"loaded\""),
        "-----BEGIN RSA PRIVATE KEY-----".to_string(),
        // A word that begins a multi-line rule's match: the stream holds what
        // follows it, which here must not wait for the next message.
        format!(
            r#"{{"host": "h", "{}": "{}"}}"#,
            ["pass", "word"].concat(),
            base62(4, 12)
        ),
        " done".to_string(),
    ];
    let mut answers = Vec::new();
    for message in &messages {
        writeln!(stdin, "{message}").expect("write");
        stdin.flush().expect("flush");
        let reply = replies
            .recv_timeout(PATIENCE)
            .expect("the reply came while rsyslog waits");
        answers.push(serde_json::from_str::<serde_json::Value>(&reply).expect("each reply is JSON"));
    }
    drop(stdin);
    let out = child.wait_with_output().expect("exits");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stderr), "", "stderr shares rsyslog's reply pipe");
    for answer in &answers {
        assert_eq!(answer["$!"]["hush"], "checked", "{answer}");
    }
    assert_eq!(answers[0].get("msg"), None, "an unchanged message is not sent back");
    assert_eq!(answers[1]["msg"], " token [REDACTED:github-pat] \"loaded\"");
    let redacted = answers[3]["msg"].as_str().expect("the value was redacted");
    assert!(
        redacted.starts_with(r#"{"host": "h", "password": "[REDACTED:"#) && redacted.ends_with(r#"]"}"#),
        "{redacted}"
    );
    assert_eq!(answers[4].get("msg"), None);
    let report = std::fs::read_to_string(&report).expect("report");
    assert!(!report.contains(&token), "{report}");
    assert!(report.starts_with("{\"rule\":\"github-pat\",\"line\":2,"), "{report}");
}

#[test]
fn rsyslog_mmexternal_makes_warnings_errors_and_refuses_other_modes() {
    let warned = run(
        &["--rsyslog-mmexternal", "--mask-env", "HUSH_TEST_VARIABLE_NOBODY_SETS"],
        b"message\n",
    );
    assert_eq!(warned.status.code(), Some(2));
    let said = text(&warned.stderr);
    assert!(said.contains("HUSH_TEST_VARIABLE_NOBODY_SETS"), "{said}");
    assert!(said.contains("a warning is an error"), "{said}");
    assert_eq!(
        text(&warned.stdout),
        "",
        "no reply that rsyslog could take for an answer"
    );
    for other in [
        &["--buffered"][..],
        &["--fail-on-secret"],
        &["--mask-stdin-fd", "3"],
        &["--", "true"],
    ] {
        let mut args = vec!["--rsyslog-mmexternal"];
        args.extend_from_slice(other);
        let out = run(&args, b"message\n");
        assert_eq!(out.status.code(), Some(2), "{other:?}: {}", text(&out.stderr));
        assert!(text(&out.stderr).contains("--rsyslog-mmexternal"), "{other:?}");
    }
}
