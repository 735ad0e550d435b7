//! The redactor inside real log shippers: `recipes/rsyslog.conf` (mmexternal)
//! and `recipes/syslog-ng.conf` (a program() destination feeding a pipe()
//! source) run by the real rsyslogd and syslog-ng, as the user running the
//! tests. Only what cannot exist here is changed in the recipe: the paths under
//! `/run`, `/var/log` and `/usr/bin/hush` become a temporary directory and the
//! built `hush`, rsyslog's TCP port becomes an ephemeral one on 127.0.0.1 (read
//! back from `listenPortFileName`) and it gets a work directory; syslog-ng is
//! given its persist file, pid file and control socket on the command line.
//!
//! Each test sends messages over the recipe's input (TCP on loopback, a unix
//! stream socket), some holding planted secrets built at run time (a GitHub
//! token with a valid checksum, an AWS access key ID, a password in a database
//! URL, the value of the `--mask-file` password), and waits for the log file:
//! every secret is replaced by its marker, every other byte of every message
//! comes out as sent, and no message is lost or doubled. Then it kills the hush
//! process the daemon started (SIGKILL, found among the daemon's children in
//! /proc), sends more, and checks that the daemon started a new hush that
//! redacts and delivers them all. With rsyslog it also kills a stopped hush
//! holding an unanswered message: the recipe's second action answers it.
//!
//! The daemons come from Debian's `rsyslog` and `syslog-ng-core`; they conflict
//! as system log daemons, so .ci/run unpacks both under `target/shippers`
//! instead of installing them (see `tools::daemon`).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::tools::{self, Daemon};
use crate::common::{base62, github_token};

/// Generous: functional checks on a shared machine, not benchmarks.
const PATIENCE: Duration = Duration::from_secs(30);

/// Messages per batch (one batch before the kill, one after).
const BATCH: u64 = 40;

fn recipe(name: &str) -> String {
    let path = tools::repository_root().join("recipes").join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// `text` with `from` replaced, which must be in it (the test follows the recipe).
fn replace_in(text: &str, from: &str, to: &str) -> String {
    assert!(text.contains(from), "the recipe has `{from}`:\n{text}");
    text.replace(from, to)
}

/// One message: what is sent, what the log must show, and the secret in it.
struct Message {
    sent: Vec<u8>,
    expected: Vec<u8>,
    secret: Option<String>,
}

/// Message `n`: three in four plain (spaces, quotes, backslashes, JSON, UTF-8
/// and, once, bytes that are not UTF-8), one in four with a secret of one of
/// four kinds. Each holds its number, so a lost or doubled one shows.
fn message(n: u64, masked: &str) -> Message {
    let plain = |text: Vec<u8>| Message {
        expected: text.clone(),
        sent: text,
        secret: None,
    };
    let with_secret = |before: &str, secret: String, after: &str, label: &str| Message {
        sent: format!("{before}{secret}{after}").into_bytes(),
        expected: format!("{before}[REDACTED:{label}]{after}").into_bytes(),
        secret: Some(secret),
    };
    match n % 8 {
        1 => with_secret(
            &format!("#{n} deploy: using token "),
            github_token(n),
            " for the push",
            "github-pat",
        ),
        3 => with_secret(
            &format!("#{n} export AWS_ACCESS_KEY_ID="),
            format!("AKIA{}", base62(n, 16).to_uppercase()),
            " (from the instance profile)",
            "aws-access-key-id",
        ),
        5 => with_secret(
            &format!("#{n} connecting to postgres://orders:"),
            format!("pw{}", base62(n + 1000, 14)),
            "@db.internal:5432/orders",
            "uri-postgres",
        ),
        7 => with_secret(
            &format!("#{n} login ok  user=\"svc\" pass="),
            masked.to_string(),
            " \\ retry=0",
            "literal-mask",
        ),
        0 => plain(format!(r#"#{n} {{"level":"info","msg":"request done","path":"/a\\b","ms":12}}"#).into_bytes()),
        2 => {
            let mut bytes = format!("#{n} raw bytes ").into_bytes();
            bytes.extend_from_slice(if n == 2 {
                b"\xff\xfe\x80 end"
            } else {
                "caf\u{e9} \u{2713} end".as_bytes()
            });
            plain(bytes)
        }
        4 => plain(format!("#{n} worker  started,  two  spaces   and \"quotes\" 100%").into_bytes()),
        _ => plain(format!("#{n} GET /health 200 0.3ms password_reset=false token_count=3").into_bytes()),
    }
}

fn messages(range: std::ops::Range<u64>, masked: &str) -> Vec<Message> {
    range.map(|n| message(n, masked)).collect()
}

/// A temporary root standing in for the system paths of a recipe.
struct Root {
    dir: tempfile::TempDir,
    /// The mask file's value (the recipe's `/run/secrets/db_password`).
    masked: String,
}

impl Root {
    fn new() -> Root {
        let dir = tempfile::Builder::new()
            .prefix("hush-ship")
            .tempdir()
            .expect("temp dir");
        for sub in ["secrets", "log", "run", "work"] {
            std::fs::create_dir(dir.path().join(sub)).expect("create dir");
        }
        let masked = format!("db-{}", base62(77, 18));
        std::fs::write(dir.path().join("secrets/db_password"), format!("{masked}\n")).expect("password file");
        Root { dir, masked }
    }

    fn path(&self, sub: &str) -> PathBuf {
        self.dir.path().join(sub)
    }

    /// The recipe's paths that cannot exist here, replaced.
    fn localize(&self, recipe: &str) -> String {
        let dir = |sub: &str| format!("{}/", self.path(sub).display());
        let text = replace_in(recipe, "/usr/bin/hush ", &format!("{} ", env!("CARGO_BIN_EXE_hush")));
        let text = replace_in(&text, "/run/secrets/", &dir("secrets"));
        let text = replace_in(&text, "/var/log/app/", &dir("log"));
        text.replace("/run/app/", &dir("run"))
            .replace("/run/hush/", &dir("run"))
    }

    fn log(&self) -> PathBuf {
        self.path("log/app.log")
    }
}

/// A running daemon, stopped (SIGTERM, then SIGKILL) when dropped.
struct Running {
    child: Child,
    stderr: PathBuf,
}

impl Running {
    fn start(mut command: Command, root: &Root) -> Running {
        let stderr = root.path("daemon.stderr");
        let file = std::fs::File::create(&stderr).expect("stderr file");
        command
            .stdin(Stdio::null())
            .stdout(file.try_clone().expect("clone"))
            .stderr(file);
        let child = command.spawn().expect("the daemon starts");
        Running { child, stderr }
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Panics with what the daemon said, unless it is still running.
    fn assert_alive(&mut self) {
        if let Some(status) = self.child.try_wait().expect("wait") {
            panic!("the daemon exited ({status}):\n{}", self.said());
        }
    }

    fn said(&self) -> String {
        std::fs::read_to_string(&self.stderr).unwrap_or_default()
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        signal(self.child.id(), libc::SIGTERM);
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn signal(pid: u32, signal: i32) {
    let pid = i32::try_from(pid).expect("pid fits");
    // SAFETY: kill(2) has no memory effects; the pid is the daemon this test
    // started or a child of it that the test just found in /proc.
    unsafe { libc::kill(pid, signal) };
}

/// Live children of `parent` running `exe` (zombies have no executable).
fn children_running(parent: u32, exe: &Path) -> Vec<u32> {
    let exe = exe.canonicalize().expect("the binary exists");
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").expect("/proc") {
        let Ok(entry) = entry else { continue };
        let Some(pid) = entry.file_name().to_str().and_then(|s| s.parse::<u32>().ok()) else {
            continue;
        };
        // The parent pid is the 2nd field after the command, which ends at the last ')'.
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        let ppid = stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().nth(1))
            .and_then(|p| p.parse::<u32>().ok());
        if ppid == Some(parent) && std::fs::read_link(entry.path().join("exe")).is_ok_and(|e| e == exe) {
            found.push(pid);
        }
    }
    found
}

fn wait_until<T>(what: &str, daemon: &mut Running, mut ready: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + PATIENCE;
    loop {
        if let Some(value) = ready() {
            return value;
        }
        daemon.assert_alive();
        assert!(
            Instant::now() < deadline,
            "timed out waiting for {what}; the daemon said:\n{}",
            daemon.said()
        );
        std::thread::sleep(Duration::from_millis(25));
    }
}

/// Waits until the log holds `count` lines, then returns the message part of
/// each (after `TIMESTAMP HOST app: `, the file format of both daemons; the
/// messages themselves never hold ` app: `).
fn wait_for_lines(root: &Root, daemon: &mut Running, count: usize) -> Vec<Vec<u8>> {
    let log = root.log();
    let read = || std::fs::read(&log).unwrap_or_default();
    let lines_in = |bytes: &[u8]| bytes.iter().filter(|&&b| b == b'\n').count();
    wait_until(&format!("{count} lines in the log"), daemon, || {
        (lines_in(&read()) >= count).then_some(())
    });
    // Anything doubled would arrive with the rest: give it a moment.
    std::thread::sleep(Duration::from_millis(300));
    let bytes = read();
    bytes
        .split(|&b| b == b'\n')
        .filter(|line| !line.is_empty())
        .map(|line| {
            let text = String::from_utf8_lossy(line);
            let start = text
                .find(" app: ")
                .filter(|&i| i > 0)
                .unwrap_or_else(|| panic!("a line of the log is `TIMESTAMP HOST app: MESSAGE`: {text:?}"));
            // " app: " is ASCII: the same offset in the bytes.
            line[start + " app: ".len()..].to_vec()
        })
        .collect()
}

/// Every message is in the log once, as expected; no secret is anywhere in it.
fn assert_delivered(root: &Root, logged: &[Vec<u8>], sent: &[Message]) {
    let mut expected: Vec<&[u8]> = sent.iter().map(|m| m.expected.as_slice()).collect();
    let mut got: Vec<&[u8]> = logged.iter().map(Vec::as_slice).collect();
    // One connection and one worker keep the order, but a loaded machine need not:
    // each message holds its number, so the sorted lists still pair them up.
    expected.sort();
    got.sort();
    let show = |lines: &[&[u8]]| {
        lines
            .iter()
            .map(|l| String::from_utf8_lossy(l) + "\n")
            .collect::<String>()
    };
    assert!(
        got == expected,
        "the log's messages differ from the expected ones\n--- got:\n{}--- expected:\n{}",
        show(&got),
        show(&expected)
    );
    let whole = std::fs::read(root.log()).expect("the log");
    for secret in sent.iter().filter_map(|m| m.secret.as_deref()) {
        assert!(
            !whole.windows(secret.len()).any(|w| w == secret.as_bytes()),
            "a planted secret is in the log"
        );
    }
    assert!(sent.iter().filter(|m| m.secret.is_some()).count() >= 4);
}

/// Sends `messages` as syslog lines (`<13>... app: MESSAGE\n`) with `header`
/// before `app: `, over one connection.
fn send(mut connection: impl Write, header: &str, messages: &[Message]) {
    let mut bytes = Vec::new();
    for m in messages {
        bytes.extend_from_slice(format!("<13>Dec  7 10:00:00 {header}app: ").as_bytes());
        bytes.extend_from_slice(&m.sent);
        bytes.push(b'\n');
    }
    connection.write_all(&bytes).expect("send the messages");
    connection.flush().expect("flush");
}

/// The hush processes `daemon` started: waits for at least one, kills them all
/// with SIGKILL and returns their pids.
fn kill_the_redactors(daemon: &mut Running) -> Vec<u32> {
    let hush = Path::new(env!("CARGO_BIN_EXE_hush"));
    let pid = daemon.pid();
    let redactors = wait_until("the daemon's hush process", daemon, || {
        Some(children_running(pid, hush)).filter(|p| !p.is_empty())
    });
    for &redactor in &redactors {
        signal(redactor, libc::SIGKILL);
    }
    // Not "its executable is gone": the kernel drops a dying process's memory
    // (and with it /proc/PID/exe) before it closes its files, so a message sent in
    // between still lands in the dead redactor's pipe. Nor "its main thread is a
    // zombie": hush's other threads share its files and may still be exiting.
    wait_until("the killed hush processes to close their files", daemon, || {
        redactors.iter().all(|&r| has_exited(r)).then_some(())
    });
    redactors
}

/// Whether every thread of process `pid` has exited, so its files are closed:
/// it is gone, or a zombie whose other threads are gone too.
fn has_exited(pid: u32) -> bool {
    match process_status(pid, "State:") {
        None => true,
        Some(state) => state.starts_with(['Z', 'X']) && process_status(pid, "Threads:").as_deref() == Some("1"),
    }
}

/// The state letter of process `pid` (`S`, `T`, `Z`...), if it exists.
fn process_state(pid: u32) -> Option<char> {
    process_status(pid, "State:").and_then(|state| state.chars().next())
}

/// The value of `field` (e.g. `State:`) in /proc/`pid`/status, if it exists.
fn process_status(pid: u32, field: &str) -> Option<String> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix(field))
        .map(|value| value.trim().to_string())
}

/// The daemon runs hush again, as a new process.
fn assert_restarted(daemon: &mut Running, killed: &[u32]) {
    let hush = Path::new(env!("CARGO_BIN_EXE_hush"));
    let pid = daemon.pid();
    let now = wait_until("a new hush process", daemon, || {
        Some(children_running(pid, hush)).filter(|p| !p.is_empty())
    });
    assert!(now.iter().all(|p| !killed.contains(p)), "{now:?} vs killed {killed:?}");
}

/// Starts rsyslogd on `config` (the recipe, localized), listening on an
/// ephemeral port of 127.0.0.1, with its work directory under `root`; returns
/// the daemon and the port it read back.
fn start_rsyslog(rsyslogd: &tools::Found, root: &Root, config: String) -> (Running, u16) {
    let port_file = root.path("work/port");
    let config = replace_in(
        &config,
        r#"port="10514""#,
        &format!(r#"port="0" listenPortFileName="{}""#, port_file.display()),
    );
    let config = format!("global(workDirectory=\"{}\")\n{config}", root.path("work").display());
    let conf = root.path("rsyslog.conf");
    std::fs::write(&conf, config).expect("write the config");
    let mut command = Command::new(&rsyslogd.binary);
    command
        .arg("-n")
        .arg("-f")
        .arg(&conf)
        .arg("-i")
        .arg(root.path("work/rsyslogd.pid"));
    if let Some(modules) = &rsyslogd.modules {
        command.arg("-M").arg(modules);
    }
    let mut daemon = Running::start(command, root);
    let port = wait_until("rsyslog's port file", &mut daemon, || {
        std::fs::read_to_string(&port_file)
            .ok()
            .and_then(|p| p.trim().parse().ok())
            .filter(|&p| p != 0)
    });
    (daemon, port)
}

/// rsyslogd on the recipe, with a first batch of messages sent over TCP and
/// found in the log as expected; `None` when rsyslogd is not installed. Bind the
/// root before the daemon, so that the daemon is stopped (dropped) first.
fn rsyslog_after_a_first_batch() -> Option<(Root, Running, u16, Vec<Message>)> {
    let rsyslogd = tools::daemon(Daemon::Rsyslog)?;
    let root = Root::new();
    let (mut daemon, port) = start_rsyslog(&rsyslogd, &root, root.localize(&recipe("rsyslog.conf")));
    let first = messages(0..BATCH, &root.masked);
    send(connect_imtcp(port), "shipper-test ", &first);
    let logged = wait_for_lines(&root, &mut daemon, first.len());
    assert_delivered(&root, &logged, &first);
    Some((root, daemon, port, first))
}

fn connect_imtcp(port: u16) -> std::net::TcpStream {
    std::net::TcpStream::connect(("127.0.0.1", port)).expect("connect to imtcp")
}

#[test]
fn rsyslog_mmexternal_redacts_every_message_and_restarts_a_killed_redactor() {
    let Some((root, mut daemon, port, first)) = rsyslog_after_a_first_batch() else {
        return;
    };
    let killed = kill_the_redactors(&mut daemon);
    let second = messages(BATCH..2 * BATCH, &root.masked);
    send(connect_imtcp(port), "shipper-test ", &second);
    let logged = wait_for_lines(&root, &mut daemon, first.len() + second.len());
    assert_restarted(&mut daemon, &killed);
    let all: Vec<Message> = messages(0..2 * BATCH, &root.masked);
    assert_delivered(&root, &logged, &all);
}

#[test]
fn rsyslog_hands_a_message_the_redactor_died_holding_to_a_second_one() {
    let Some((root, mut daemon, port, first)) = rsyslog_after_a_first_batch() else {
        return;
    };

    // Stop the redactor, let rsyslog write it the next message (and wait for the
    // reply it will not get), then kill it: the message is in its unread input.
    let hush = Path::new(env!("CARGO_BIN_EXE_hush"));
    let pid = daemon.pid();
    let redactors = children_running(pid, hush);
    assert_eq!(redactors.len(), 1, "one hush answers the first batch: {redactors:?}");
    signal(redactors[0], libc::SIGSTOP);
    // Stopped, not only signalled: a hush still blocked in read would take the
    // message into its own buffer before it stops.
    wait_until("the hush to stop", &mut daemon, || {
        (process_state(redactors[0]) == Some('T')).then_some(())
    });
    let second = messages(BATCH..2 * BATCH, &root.masked);
    send(connect_imtcp(port), "shipper-test ", &second);
    wait_until("a message in the stopped hush's input", &mut daemon, || {
        (unread_input(redactors[0]) > 0).then_some(())
    });
    signal(redactors[0], libc::SIGKILL);
    wait_until("the killed hush to close its files", &mut daemon, || {
        has_exited(redactors[0]).then_some(())
    });

    let logged = wait_for_lines(&root, &mut daemon, first.len() + second.len());
    assert_delivered(&root, &logged, &messages(0..2 * BATCH, &root.masked));
    // The recipe's second action ran a hush of its own for that one message, and
    // the first was started again for the others.
    let now = children_running(pid, hush);
    assert_eq!(now.len(), 2, "the restarted hush and the second action's: {now:?}");
    assert!(!now.contains(&redactors[0]));
}

/// Bytes waiting in the pipe that is process `pid`'s stdin (0 when it is not a
/// pipe or cannot be opened). Opening /proc/PID/fd/0 gives a second reader of
/// the same pipe; it is closed again before this returns.
fn unread_input(pid: u32) -> usize {
    use std::os::fd::AsRawFd;
    use std::os::unix::fs::OpenOptionsExt;
    let Ok(pipe) = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(format!("/proc/{pid}/fd/0"))
    else {
        return 0;
    };
    let mut unread: libc::c_int = 0;
    // SAFETY: FIONREAD writes one c_int through the pointer, which points at one.
    let done = unsafe { libc::ioctl(pipe.as_raw_fd(), libc::FIONREAD, &mut unread) };
    if done == 0 {
        usize::try_from(unread).unwrap_or(0)
    } else {
        0
    }
}

#[test]
fn rsyslog_drops_a_message_that_hush_did_not_answer_instead_of_passing_it_on() {
    let Some(rsyslogd) = tools::daemon(Daemon::Rsyslog) else {
        return;
    };
    let root = Root::new();
    // hush cannot start (its mask file is missing): it exits with an error, which
    // rsyslog reads as an invalid reply, and keeps the message as it was.
    std::fs::remove_file(root.path("secrets/db_password")).expect("remove the password file");
    let config = root.localize(&recipe("rsyslog.conf"));
    // A second file, written before the recipe's guard, shows the messages did pass.
    let config = replace_in(
        &config,
        "    if $!hush",
        &format!(
            "    action(type=\"omfile\" file=\"{}\")\n    if $!hush",
            root.path("log/unguarded.log").display()
        ),
    );
    let (mut daemon, port) = start_rsyslog(&rsyslogd, &root, config);
    let sent = messages(0..8, "not-masked-here");
    send(
        std::net::TcpStream::connect(("127.0.0.1", port)).expect("connect"),
        "shipper-test ",
        &sent,
    );
    let unguarded = root.path("log/unguarded.log");
    let token = sent[1].secret.clone().expect("message 1 has a token");
    wait_until("the unguarded copy of every message", &mut daemon, || {
        let bytes = std::fs::read(&unguarded).unwrap_or_default();
        (bytes.iter().filter(|&&b| b == b'\n').count() >= sent.len()).then_some(())
    });
    let unguarded = std::fs::read(&unguarded).expect("unguarded log");
    assert!(
        unguarded.windows(token.len()).any(|w| w == token.as_bytes()),
        "without the guard, rsyslog passes the message on as it was (this is what the guard is for)"
    );
    let guarded = std::fs::read(root.log()).unwrap_or_default();
    assert!(
        guarded.is_empty(),
        "the recipe's log holds only answered messages: {}",
        String::from_utf8_lossy(&guarded)
    );
}

#[test]
fn syslog_ng_program_destination_redacts_every_message_and_restarts_a_killed_redactor() {
    let Some(syslog_ng) = tools::daemon(Daemon::SyslogNg) else {
        return;
    };
    let root = Root::new();
    let config = root.localize(&recipe("syslog-ng.conf"));
    let conf = root.path("syslog-ng.conf");
    std::fs::write(&conf, config).expect("write the config");
    let mut command = Command::new(&syslog_ng.binary);
    command
        .arg("-F")
        .arg("-f")
        .arg(&conf)
        .arg("-R")
        .arg(root.path("work/syslog-ng.persist"))
        .arg("-p")
        .arg(root.path("work/syslog-ng.pid"))
        .arg("-c")
        .arg(root.path("work/syslog-ng.ctl"));
    if let Some(modules) = &syslog_ng.modules {
        command.arg(format!("--module-path={}", modules.display()));
    }
    if let Some(libraries) = &syslog_ng.libraries {
        command.env("LD_LIBRARY_PATH", libraries);
    }
    let mut daemon = Running::start(command, &root);
    let socket = root.path("run/log.sock");
    let connect = || std::os::unix::net::UnixStream::connect(&socket);
    wait_until("syslog-ng's socket", &mut daemon, || connect().ok());

    // A local app's line has no host: syslog-ng adds its own.
    let first = messages(0..BATCH, &root.masked);
    send(connect().expect("connect"), "", &first);
    let logged = wait_for_lines(&root, &mut daemon, first.len());
    assert_delivered(&root, &logged, &first);

    // syslog-ng restarts the program time-reopen() after it died, by itself, and
    // sends it what was queued meanwhile.
    let killed = kill_the_redactors(&mut daemon);
    let second = messages(BATCH..2 * BATCH, &root.masked);
    send(connect().expect("connect"), "", &second);
    let logged = wait_for_lines(&root, &mut daemon, first.len() + second.len());
    assert_restarted(&mut daemon, &killed);
    let all: Vec<Message> = messages(0..2 * BATCH, &root.masked);
    assert_delivered(&root, &logged, &all);
}
