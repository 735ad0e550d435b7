//! The log filter recipes in `recipes/` (README "Log filter recipes"), run with
//! the built `hush-redact` as close to verbatim as this machine allows: each
//! recipe's command line is read from its file (the Dockerfile's ENTRYPOINT and
//! CMD, the Kubernetes manifests' commands, the systemd unit's ExecStart=, the
//! Vector and Fluent Bit exec inputs), and only the absolute paths that cannot
//! exist here (`/run/secrets/...`, `${CREDENTIALS_DIRECTORY}`, `/usr/bin/...`,
//! `/var/log/app/...`) are replaced by temporary files; `hush-redact` and `app`
//! are found on PATH, as in an image. A stand-in app prints the mask file's
//! password and a GitHub token (both built at test time) on stdout and stderr;
//! the tests check that neither comes out, that every other byte does, that the
//! streams stay apart where the recipe says so, and that the exit code passes
//! through. Also: every README snippet named for a recipe file is copied from it
//! verbatim. (The CI-step recipe, which uses `hush redact`, is run by the root
//! package's tests/recipes.rs.)

use std::collections::{BTreeMap, BTreeSet};
use std::ffi::OsString;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::common::{base62, github_token, text};

/// Generous: functional checks on a shared machine, not benchmarks.
const PATIENCE: Duration = Duration::from_secs(20);

/// The app's exit code in these tests (passed through by the wrapper).
const APP_EXIT: i32 = 3;

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("redact/ is in the repository")
        .to_path_buf()
}

fn recipe(name: &str) -> String {
    let path = repo_root().join("recipes").join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A temporary root: `bin/` (first on PATH) with `hush-redact` and the stand-in
/// `app`, `secrets/db_password` (stands for `/run/secrets/db_password` and the
/// systemd credentials directory) and `log/` (stands for `/var/log/app`).
struct Setup {
    _dir: tempfile::TempDir,
    bin: PathBuf,
    secrets: PathBuf,
    logs: PathBuf,
    password: String,
    token: String,
}

impl Setup {
    fn new() -> Setup {
        let dir = tempfile::tempdir().expect("temp dir");
        let bin = dir.path().join("bin");
        let secrets = dir.path().join("secrets");
        let logs = dir.path().join("log");
        for d in [&bin, &secrets, &logs] {
            std::fs::create_dir(d).expect("create dir");
        }
        std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_hush-redact"), bin.join("hush-redact")).expect("symlink");
        let masked = format!("db-{}", base62(11, 18));
        std::fs::write(secrets.join("db_password"), format!("{masked}\n")).expect("write the password");
        let setup = Setup {
            _dir: dir,
            bin,
            secrets,
            logs,
            password: masked,
            token: github_token(7),
        };
        setup.write_app(&format!(
            "echo \"app: starting with args: $*\"\n\
             echo \"app: connected to the database, password {pw}\"\n\
             echo \"app: loaded token {token}\"\n\
             echo \"app: warning: password {pw} expires soon\" >&2\n\
             echo \"app: ready\" >&2\n\
             exit {APP_EXIT}\n",
            pw = setup.password,
            token = setup.token,
        ));
        setup
    }

    /// Writes the stand-in `app` (a shell script with this body).
    fn write_app(&self, body: &str) {
        use std::os::unix::fs::PermissionsExt;
        let path = self.bin.join("app");
        std::fs::write(&path, format!("#!/bin/sh\n{body}")).expect("write app");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod app");
    }

    fn path_env(&self) -> OsString {
        let mut paths = vec![self.bin.clone()];
        paths.extend(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()));
        std::env::join_paths(paths).expect("PATH")
    }

    /// One argument of a recipe with the paths that cannot exist here replaced.
    fn localize(&self, arg: &str) -> String {
        let dir = |p: &Path| format!("{}/", p.display());
        arg.replace("/run/secrets/", &dir(&self.secrets))
            .replace("${CREDENTIALS_DIRECTORY}/", &dir(&self.secrets))
            .replace("/usr/bin/", &dir(&self.bin))
            .replace("/var/log/app/", &dir(&self.logs))
    }

    /// A recipe's command line, localized, run with `bin/` first on PATH.
    fn command<S: AsRef<str>>(&self, argv: &[S]) -> Command {
        let argv: Vec<String> = argv.iter().map(|a| self.localize(a.as_ref())).collect();
        let (program, args) = argv.split_first().expect("a command");
        let mut command = Command::new(program);
        command.args(args).env("PATH", self.path_env()).stdin(Stdio::null());
        command
    }

    fn output<S: AsRef<str>>(&self, argv: &[S]) -> Output {
        self.command(argv).output().expect("the recipe's command runs")
    }

    fn assert_no_secret(&self, bytes: &[u8]) {
        let shown = text(bytes);
        assert!(
            !shown.contains(&self.password),
            "the mask file's password leaked:\n{shown}"
        );
        assert!(!shown.contains(&self.token), "the token leaked:\n{shown}");
    }

    /// The app's stdout, redacted, after `args` were passed to it.
    fn expected_stdout(&self, args: &str) -> String {
        format!(
            "app: starting with args: {args}\n\
             app: connected to the database, password [REDACTED:literal-mask]\n\
             app: loaded token [REDACTED:github-pat]\n"
        )
    }

    fn expected_stderr(&self) -> &'static str {
        "app: warning: password [REDACTED:literal-mask] expires soon\napp: ready\n"
    }

    /// A wrapper run: stdout and stderr redacted and apart, the exit code passed.
    fn assert_wrapped(&self, out: &Output, args: &str) {
        self.assert_no_secret(&out.stdout);
        self.assert_no_secret(&out.stderr);
        assert_eq!(text(&out.stdout), self.expected_stdout(args), "stdout");
        assert_eq!(text(&out.stderr), self.expected_stderr(), "stderr");
        assert_eq!(out.status.code(), Some(APP_EXIT), "the app's exit code passes through");
    }
}

/// Kills and reaps a child that a failing test leaves running.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Collects a child's stdout in the background.
fn collect(mut out: impl Read + Send + 'static) -> Arc<Mutex<Vec<u8>>> {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&seen);
    std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok(n) = out.read(&mut buf) {
            if n == 0 {
                break;
            }
            sink.lock().expect("lock").extend_from_slice(&buf[..n]);
        }
    });
    seen
}

fn wait_for(seen: &Mutex<Vec<u8>>, needle: &str) {
    let start = Instant::now();
    while !text(&seen.lock().expect("lock")).contains(needle) {
        assert!(
            start.elapsed() < PATIENCE,
            "{needle:?} never came; so far:\n{}",
            text(&seen.lock().expect("lock"))
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn send_sigterm(child: &Child) {
    let pid = libc::pid_t::try_from(child.id()).expect("pid");
    // SAFETY: kill(2) on our own child process, not yet reaped.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGTERM) }, 0);
}

fn wait_with_patience(child: &mut Child) -> std::process::ExitStatus {
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            return status;
        }
        assert!(start.elapsed() < PATIENCE, "the wrapper did not exit");
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// A JSON array of strings: a Dockerfile exec form, or a YAML flow sequence of
/// double-quoted strings.
fn json_list(line: &str) -> Vec<String> {
    serde_json::from_str(line.trim()).unwrap_or_else(|e| panic!("not a JSON list of strings ({e}): {line}"))
}

fn dockerfile_instruction(dockerfile: &str, instruction: &str) -> Vec<String> {
    let prefix = format!("{instruction} ");
    let lines: Vec<&str> = dockerfile.lines().filter(|l| l.starts_with(&prefix)).collect();
    assert_eq!(lines.len(), 1, "one {instruction} in the Dockerfile");
    let value = &lines[0][prefix.len()..];
    assert!(value.starts_with('['), "{instruction} in exec form (no shell): {value}");
    json_list(value)
}

/// The value of the first `key:` after the line `anchor` (both trimmed).
fn yaml_after<'a>(manifest: &'a str, anchor: &str, key: &str) -> &'a str {
    let prefix = format!("{key}: ");
    manifest
        .lines()
        .map(str::trim)
        .skip_while(|l| *l != anchor)
        .find_map(|l| l.strip_prefix(&prefix))
        .unwrap_or_else(|| panic!("no {key}: after {anchor}"))
}

/// Whether these lines (trimmed) appear one after the other in the manifest.
fn has_lines(manifest: &str, lines: &[&str]) -> bool {
    let trimmed: Vec<&str> = manifest.lines().map(str::trim).collect();
    trimmed.windows(lines.len()).any(|w| w == lines)
}

#[test]
fn readme_snippets_are_copied_from_the_recipe_files() {
    let readme = std::fs::read_to_string(repo_root().join("README.md")).expect("README.md");
    let start = readme
        .find("\n## Log filter recipes\n")
        .expect("the README has the section")
        + 1;
    let rest = &readme[start..];
    let end = rest[1..].find("\n## ").map(|i| i + 2).expect("a section follows");
    assert!(
        rest[end..].starts_with("## Rules\n"),
        "the section comes right before ## Rules"
    );
    let section = &rest[..end];

    // Blocks, each named by the prose line before it: "`recipes/NAME`:" or
    // "`recipes/NAME` (excerpt):"; consecutive blocks share a name.
    let mut shown: BTreeMap<String, usize> = BTreeMap::new();
    let mut name: Option<String> = None;
    let mut lines = section.lines();
    while let Some(line) = lines.next() {
        if line.starts_with("```") {
            let body: Vec<&str> = lines.by_ref().take_while(|l| !l.starts_with("```")).collect();
            let file = name
                .clone()
                .unwrap_or_else(|| panic!("a block with no recipe file named before it: {body:?}"));
            let snippet = format!("{}\n", body.join("\n"));
            let content = recipe(&file);
            assert!(
                content.contains(&snippet),
                "README snippet is not in recipes/{file} verbatim:\n{snippet}"
            );
            *shown.entry(file).or_default() += 1;
        } else if !line.trim().is_empty() {
            name = line
                .strip_prefix("`recipes/")
                .and_then(|l| l.split_once('`'))
                .filter(|(_, after)| *after == ":" || *after == " (excerpt):")
                .map(|(file, _)| file.to_string());
        }
    }

    let files: BTreeSet<String> = std::fs::read_dir(repo_root().join("recipes"))
        .expect("recipes/")
        .map(|e| e.expect("entry"))
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|f| f != "README.md")
        .collect();
    let shown_files: BTreeSet<String> = shown.keys().cloned().collect();
    assert_eq!(shown_files, files, "each recipe file is shown in the README");

    let index = recipe("README.md");
    let listed: BTreeSet<String> = index
        .lines()
        .filter_map(|l| l.strip_prefix("- `")?.split_once("`:").map(|(f, _)| f.to_string()))
        .collect();
    assert_eq!(listed, files, "recipes/README.md lists each file, one a line");
}

#[test]
fn dockerfile_entrypoint_wraps_the_app() {
    let dockerfile = recipe("Dockerfile");
    let entrypoint = dockerfile_instruction(&dockerfile, "ENTRYPOINT");
    let cmd = dockerfile_instruction(&dockerfile, "CMD");
    assert_eq!(entrypoint.first().map(String::as_str), Some("hush-redact"));
    assert!(
        dockerfile.contains("/usr/local/bin/hush-redact\n"),
        "the image puts hush-redact on PATH under the name ENTRYPOINT uses"
    );
    let s = Setup::new();
    let argv: Vec<&String> = entrypoint.iter().chain(&cmd).collect();
    let out = s.output(&argv);
    s.assert_wrapped(&out, &cmd.join(" "));
}

#[test]
fn k8s_wrapper_mounts_the_secret_read_only_and_runs_the_entrypoint() {
    let manifest = recipe("k8s-wrapper.yaml");
    let dockerfile = recipe("Dockerfile");
    let command = json_list(yaml_after(&manifest, "- name: app", "command"));
    let args = json_list(yaml_after(&manifest, "- name: app", "args"));
    assert_eq!(
        command,
        dockerfile_instruction(&dockerfile, "ENTRYPOINT"),
        "the Dockerfile's wrapper"
    );
    assert_eq!(args, dockerfile_instruction(&dockerfile, "CMD"));
    assert!(has_lines(
        &manifest,
        &["- name: db-password", "mountPath: /run/secrets", "readOnly: true"]
    ));
    assert!(has_lines(
        &manifest,
        &["- name: db-password", "secret:", "secretName: app-db"]
    ));
    assert!(has_lines(&manifest, &["- key: password", "path: db_password"]));
    let mask = command.iter().skip_while(|a| *a != "--mask-file").nth(1);
    assert_eq!(
        mask.map(String::as_str),
        Some("/run/secrets/db_password"),
        "the mask file is the Secret's mounted item"
    );

    let s = Setup::new();
    let out = s.output(&[command, args.clone()].concat());
    s.assert_wrapped(&out, &args.join(" "));
}

#[test]
fn k8s_sidecar_follows_the_shared_log_and_prints_it_redacted() {
    let manifest = recipe("k8s-sidecar.yaml");
    assert!(has_lines(&manifest, &["initContainers:", "- name: log-redactor"]));
    assert_eq!(yaml_after(&manifest, "- name: log-redactor", "restartPolicy"), "Always");
    assert!(has_lines(&manifest, &["- name: logs", "emptyDir:"]));
    assert!(has_lines(
        &manifest,
        &["- name: logs", "mountPath: /var/log/app", "readOnly: true"]
    ));
    // The sidecar reads the log volume; the app writes it (no readOnly).
    assert!(has_lines(
        &manifest,
        &["- name: logs", "mountPath: /var/log/app", "- name: db-password"]
    ));
    assert!(has_lines(
        &manifest,
        &["- name: db-password", "mountPath: /run/secrets", "readOnly: true"]
    ));
    let app = json_list(yaml_after(&manifest, "- name: app", "command"));
    let sidecar = json_list(yaml_after(&manifest, "- name: log-redactor", "command"));
    assert_eq!(sidecar.last().map(String::as_str), Some("/var/log/app/app.log"));
    assert!(app
        .last()
        .is_some_and(|script| script.contains(">>/var/log/app/app.log 2>&1")));

    let s = Setup::new();
    // The app container: its own stdout and stderr (what the collector reads from
    // it) carry nothing; everything goes to the shared file.
    let out = s.output(&app);
    assert_eq!(out.status.code(), Some(APP_EXIT));
    assert_eq!(text(&out.stdout), "", "the app container prints nothing itself");
    assert_eq!(text(&out.stderr), "", "the app container prints nothing itself");
    let log = s.logs.join("app.log");
    assert!(text(&std::fs::read(&log).expect("the shared log")).contains(&s.token));

    // The sidecar: what is in the file, then what is appended, redacted.
    let mut child = s
        .command(&sidecar)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the sidecar starts");
    let stdout = collect(child.stdout.take().expect("stdout"));
    let stderr = collect(child.stderr.take().expect("stderr"));
    let mut child = Running(child);
    wait_for(&stdout, "app: ready\n");
    let later = github_token(8);
    let mut file = std::fs::OpenOptions::new().append(true).open(&log).expect("open log");
    std::io::Write::write_all(&mut file, format!("app: rotated token {later}\napp: done\n").as_bytes())
        .expect("append");
    wait_for(&stdout, "app: done\n");
    send_sigterm(&child.0);
    let status = wait_with_patience(&mut child.0);
    assert_eq!(
        status.code(),
        Some(128 + libc::SIGTERM),
        "tail got the forwarded SIGTERM"
    );

    let seen = stdout.lock().expect("lock").clone();
    s.assert_no_secret(&seen);
    s.assert_no_secret(&stderr.lock().expect("lock"));
    assert!(!text(&seen).contains(&later));
    // The file holds the app's stdout and stderr in the order it wrote them.
    assert_eq!(
        text(&seen),
        format!(
            "{}{}app: rotated token [REDACTED:github-pat]\napp: done\n",
            s.expected_stdout("--serve"),
            s.expected_stderr()
        ),
        "the file's lines, then the appended ones, redacted"
    );
}

#[test]
fn systemd_unit_execstart_wraps_the_app_with_the_credential() {
    let unit = recipe("hush-app.service");
    let exec_start = unit
        .lines()
        .find_map(|l| l.strip_prefix("ExecStart="))
        .expect("ExecStart=");
    assert!(
        !exec_start.contains(['"', '\'', '\\', ';']),
        "no quoting: splitting on whitespace is systemd's reading"
    );
    let argv: Vec<&str> = exec_start.split_whitespace().collect();
    assert_eq!(argv[0], "/usr/bin/hush-redact");
    assert!(exec_start.contains("--mask-file ${CREDENTIALS_DIRECTORY}/db_password "));
    assert!(unit.lines().any(|l| l.starts_with("LoadCredential=db_password:")));
    assert!(unit.lines().any(|l| l == "KillMode=mixed"));
    assert!(unit.lines().any(|l| l == "SuccessExitStatus=143"));

    let s = Setup::new();
    let out = s.output(&argv);
    s.assert_wrapped(&out, "");
    verify_unit(&s, &unit);
}

/// `systemd-analyze verify` on the unit with this machine's paths, where the tool
/// exists: no diagnostic may name the unit.
fn verify_unit(s: &Setup, unit: &str) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("hush-app.service");
    std::fs::write(&path, unit.replace("/usr/bin/", &format!("{}/", s.bin.display()))).expect("write unit");
    let out = match Command::new("systemd-analyze")
        .args(["verify", "--man=no"])
        .arg(&path)
        .output()
    {
        Ok(out) => out,
        Err(e) => {
            eprintln!("systemd-analyze not run ({e}); the unit was not verified");
            return;
        }
    };
    let diagnostics: Vec<&str> = std::str::from_utf8(&out.stderr)
        .unwrap_or_default()
        .lines()
        .filter(|l| l.contains("hush-app.service"))
        .collect();
    assert!(diagnostics.is_empty(), "systemd-analyze verify: {diagnostics:#?}");
    if !out.status.success() {
        eprintln!(
            "systemd-analyze verify failed without naming the unit: {}",
            text(&out.stderr)
        );
    }
}

#[test]
fn systemd_stop_signals_the_wrapper_which_forwards_to_the_app() {
    // KillMode=mixed: SIGTERM goes to hush-redact alone; the app must still get it
    // and its last lines must still be filtered.
    let unit = recipe("hush-app.service");
    let exec_start = unit
        .lines()
        .find_map(|l| l.strip_prefix("ExecStart="))
        .expect("ExecStart=");
    let argv: Vec<&str> = exec_start.split_whitespace().collect();
    let s = Setup::new();
    s.write_app(&format!(
        "trap 'echo \"app: stopping, password {pw} released\"; kill \"$sleeper\" 2>/dev/null; exit 0' TERM\n\
         sleep 30 &\n\
         sleeper=$!\n\
         echo \"app: ready\"\n\
         wait \"$sleeper\"\n",
        pw = s.password
    ));
    let mut child = s
        .command(&argv)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("ExecStart runs");
    let stdout = collect(child.stdout.take().expect("stdout"));
    let stderr = collect(child.stderr.take().expect("stderr"));
    let mut child = Running(child);
    wait_for(&stdout, "app: ready\n");
    send_sigterm(&child.0);
    let status = wait_with_patience(&mut child.0);
    assert_eq!(
        status.code(),
        Some(0),
        "the app stopped cleanly: {}",
        text(&stderr.lock().expect("lock"))
    );
    let seen = stdout.lock().expect("lock").clone();
    s.assert_no_secret(&seen);
    assert_eq!(
        text(&seen),
        "app: ready\napp: stopping, password [REDACTED:literal-mask] released\n"
    );
}

#[test]
fn vector_exec_source_reads_the_app_through_the_wrapper() {
    let config: toml::Table = recipe("vector.toml").parse().expect("vector.toml is TOML");
    let source = &config["sources"]["app"];
    assert_eq!(source["type"].as_str(), Some("exec"));
    assert_eq!(source["mode"].as_str(), Some("streaming"));
    assert_eq!(source["include_stderr"].as_bool(), Some(true));
    assert!(source["streaming"]["respawn_on_exit"].is_bool());
    let inputs = config["sinks"]["console"]["inputs"].as_array().expect("sink inputs");
    assert!(
        inputs.iter().any(|i| i.as_str() == Some("app")),
        "the sink reads the source"
    );
    let command: Vec<&str> = source["command"]
        .as_array()
        .expect("command is an array (run without a shell)")
        .iter()
        .map(|a| a.as_str().expect("string arguments"))
        .collect();
    assert_eq!(command[0], "hush-redact");

    // Vector reads the command's stdout and stderr as two streams of events.
    let s = Setup::new();
    let out = s.output(&command);
    s.assert_wrapped(&out, "--serve");
}

/// The sections of a classic Fluent Bit configuration: name, then (key, value).
fn fluent_bit_sections(config: &str) -> Vec<(String, BTreeMap<String, String>)> {
    let mut sections: Vec<(String, BTreeMap<String, String>)> = Vec::new();
    for line in config.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            sections.push((name.to_string(), BTreeMap::new()));
            continue;
        }
        let (key, value) = line.split_once(char::is_whitespace).expect("key value");
        let section = sections.last_mut().expect("a key inside a section");
        section.1.insert(key.to_ascii_lowercase(), value.trim().to_string());
    }
    sections
}

#[test]
fn fluent_bit_exec_input_reads_the_app_through_the_wrapper() {
    let sections = fluent_bit_sections(&recipe("fluent-bit.conf"));
    let input = sections
        .iter()
        .find(|(name, keys)| name == "INPUT" && keys.get("name").map(String::as_str) == Some("exec"))
        .map(|(_, keys)| keys)
        .expect("an exec input");
    for key in ["oneshot", "exit_after_oneshot", "propagate_exit_code", "threaded"] {
        assert_eq!(input.get(key).map(String::as_str), Some("true"), "{key}");
    }
    let tag = input.get("tag").expect("a tag");
    assert!(
        sections
            .iter()
            .any(|(name, keys)| name == "OUTPUT" && keys.get("match") == Some(tag)),
        "an output matches the input's tag"
    );
    let command = input.get("command").expect("a command");
    assert!(command.starts_with("hush-redact "));

    // popen(command, "r"): /bin/sh runs it and only its stdout is read.
    let s = Setup::new();
    let out = s.output(&["sh", "-c", command]);
    s.assert_no_secret(&out.stdout);
    assert_eq!(text(&out.stderr), "", "2>&1: nothing is left on stderr");
    let mut lines: Vec<&str> = std::str::from_utf8(&out.stdout).expect("UTF-8").lines().collect();
    lines.sort_unstable();
    let expected_text = format!("{}{}", s.expected_stdout("--serve"), s.expected_stderr());
    let mut expected: Vec<&str> = expected_text.lines().collect();
    expected.sort_unstable();
    assert_eq!(
        lines, expected,
        "both streams, redacted, whole lines (their interleaving may vary)"
    );
    assert_eq!(
        out.status.code(),
        Some(APP_EXIT),
        "Propagate_Exit_Code gets the app's exit code"
    );
}
