//! The command line shared by `hush redact` and the `hush-redact` binary: the
//! flags ([`RedactArgs`], validation only) and [`run`], which builds the redactor
//! from them, filters stdin to stdout (or a command's stdout and stderr) and
//! returns the exit code. It reads and writes only the streams of the
//! [`Console`] it is given (the binaries pass the process's own, tests pass
//! buffers): the library prints nothing by itself.

mod child;
mod mmexternal;
mod setup;
mod signals;

use std::ffi::OsString;
use std::io::{self, Write};
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;

use clap::ValueEnum;

use crate::pump::{pump_until, PumpError, PumpOptions, Stop};
use crate::report::Redaction;
use crate::stream::RedactStream;

/// Exit code: nothing went wrong (and, with `--fail-on-secret`, nothing was redacted).
pub const EXIT_OK: i32 = 0;
/// Exit code with `--fail-on-secret` when something was redacted.
pub const EXIT_REDACTED: i32 = 1;
/// Exit code for bad flags, unreadable masks or rule packs, and I/O errors.
pub const EXIT_ERROR: i32 = 2;

/// How secrets are replaced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StyleChoice {
    /// `[REDACTED:rule-id]`
    Label,
    /// The text of `--replacement` (default `[REDACTED]`)
    Fixed,
    /// Keep the first 4 characters of prefixed tokens: `ghp_[REDACTED:github-pat]`
    Partial,
    /// `[REDACTED:rule-id:3f9a1c2b]`, an HMAC-SHA256 of the secret
    Hash,
}

/// Flags of `hush redact` / `hush-redact`.
#[derive(Debug, Clone, clap::Args)]
pub struct RedactArgs {
    /// An extra rule pack (TOML), added to the default rules; repeatable.
    #[arg(long = "rules", value_name = "FILE")]
    pub rules: Vec<PathBuf>,
    /// Disable the rule with this id; repeatable.
    #[arg(long = "disable-rule", value_name = "ID")]
    pub disable: Vec<String>,
    /// Do not run the rule engine (only literal masks and structure-aware redaction).
    #[arg(long, conflicts_with_all = ["rules", "disable"])]
    pub no_rules: bool,
    /// No structure-aware redaction (JSON secret fields, Authorization headers, URL
    /// passwords, secret query parameters, private key blocks no rule names).
    #[arg(long)]
    pub no_structure: bool,
    /// Mask this file's content exactly (and each line of a multi-line value of 8
    /// bytes or more), raw and encoded; repeatable.
    #[arg(long = "mask-file", value_name = "FILE")]
    pub mask_files: Vec<PathBuf>,
    /// Mask the value of this environment variable; repeatable.
    #[arg(long = "mask-env", value_name = "VAR")]
    pub mask_env: Vec<String>,
    /// Mask what can be read from this file descriptor (e.g. `3<<<"$TOKEN"`); repeatable.
    #[arg(long = "mask-stdin-fd", value_name = "N")]
    pub mask_fds: Vec<u32>,
    /// How secrets are replaced [default: label, or fixed with --replacement].
    #[arg(long, value_enum)]
    pub style: Option<StyleChoice>,
    /// The replacement text of `--style fixed`.
    #[arg(long, value_name = "TEXT")]
    pub replacement: Option<String>,
    /// Key of `--style hash` (at least 16 bytes); default: a random key per run.
    #[arg(long, value_name = "FILE")]
    pub hash_key_file: Option<PathBuf>,
    /// Look through base64, hex, percent-encoding, backslash escapes and HTML
    /// entities up to N levels deep, as `hush scan` does (0: no decoding).
    #[arg(long, value_name = "N", default_value_t = hush_rules::decode::DEFAULT_DEPTH,
          value_parser = clap::value_parser!(u32).range(0..=4))]
    pub max_decode_depth: u32,
    /// Write output in large blocks instead of line by line (the default when stdout
    /// is a regular file).
    #[arg(long)]
    pub buffered: bool,
    /// Flush an incomplete line after this long (except a last word that may still
    /// be the start of a secret): `100ms`, `2s`, or milliseconds.
    #[arg(long, value_name = "DURATION", default_value = "100ms", value_parser = parse_duration)]
    pub max_delay: Duration,
    /// Exit 1 at end of input if anything was redacted.
    #[arg(long)]
    pub fail_on_secret: bool,
    /// Write what was redacted to FILE, as JSON lines (rule, line, masked secret).
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
    /// Speak rsyslog's mmexternal protocol: answer each message line on stdin with
    /// one JSON line (`{"msg":...}` when redacted) that also sets `$!hush`.
    #[arg(long, conflicts_with_all = ["command", "buffered", "fail_on_secret", "mask_fds"])]
    pub rsyslog_mmexternal: bool,
    /// Run this command and filter its stdout and stderr (after `--`).
    #[arg(last = true, value_name = "CMD")]
    pub command: Vec<OsString>,
}

/// Parses `100ms`, `2s`, `1.5s` or a number of milliseconds.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let t = text.trim();
    let bad = || format!("{text:?} is not a duration (examples: 100ms, 2s, 250)");
    let (number, scale) = if let Some(ms) = t.strip_suffix("ms") {
        (ms, 1e-3)
    } else if let Some(s) = t.strip_suffix('s') {
        (s, 1.0)
    } else {
        (t, 1e-3)
    };
    let value: f64 = number.trim().parse().map_err(|_| bad())?;
    Duration::try_from_secs_f64(value * scale).map_err(|_| bad())
}

/// A front end could not do its job. Messages include their causes.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    Setup(#[from] setup::SetupError),
    #[error("--report {path}: {error}")]
    Report { path: String, error: io::Error },
    #[error(transparent)]
    Pump(#[from] PumpError),
    #[error(transparent)]
    Command(#[from] child::CommandError),
    #[error("cannot watch for SIGINT and SIGTERM: {0}")]
    Signals(io::Error),
    #[error("{0} (with --rsyslog-mmexternal a warning is an error: rsyslog reads stderr as a reply)")]
    MmexternalWarning(String),
    #[error("--rsyslog-mmexternal: {0}")]
    Mmexternal(io::Error),
}

/// Where `--report` lines go; shared by the two streams of a command.
struct ReportSink {
    file: Option<Mutex<io::BufWriter<std::fs::File>>>,
    path: String,
}

impl ReportSink {
    fn open(path: Option<&PathBuf>) -> Result<ReportSink, RunError> {
        let shown = path.map(|p| p.display().to_string()).unwrap_or_default();
        let file = match path {
            Some(p) => Some(Mutex::new(io::BufWriter::new(std::fs::File::create(p).map_err(
                |error| RunError::Report {
                    path: shown.clone(),
                    error,
                },
            )?))),
            None => None,
        };
        Ok(ReportSink { file, path: shown })
    }

    fn write(&self, redaction: &Redaction, stream: Option<&str>) -> io::Result<()> {
        let Some(file) = &self.file else {
            return Ok(());
        };
        let mut file = file.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        redaction.write_json_line(stream, &mut *file)
    }

    fn finish(&self) -> Result<(), RunError> {
        let Some(file) = &self.file else {
            return Ok(());
        };
        let mut file = file.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        file.flush().map_err(|error| RunError::Report {
            path: self.path.clone(),
            error,
        })
    }
}

/// The streams a run reads and writes: the process's own
/// ([`Console::process`]), or any others.
pub struct Console {
    /// What is filtered when no command is given.
    pub stdin: Box<dyn io::Read + Send>,
    /// Where filtered input (or a command's filtered stdout) goes.
    pub stdout: Box<dyn io::Write + Send>,
    /// Where warnings (and a command's filtered stderr) go.
    pub stderr: Box<dyn io::Write + Send>,
    /// Whether stdin and stdout are both regular files (`hush redact < in >
    /// out`): a batch job, written in blocks, as no one watches it line by line.
    /// Output to a file from a pipe (`app | hush redact >> app.log`, a file a
    /// log shipper tails) is not: each line reaches the file within
    /// `--max-delay`.
    pub batch: bool,
}

impl Console {
    /// The process's stdin, stdout and stderr.
    pub fn process() -> Console {
        use std::os::fd::AsFd;
        Console {
            stdin: Box::new(io::stdin()),
            stdout: Box::new(io::stdout()),
            stderr: Box::new(io::stderr()),
            batch: is_regular_file(io::stdin().as_fd()) && is_regular_file(io::stdout().as_fd()),
        }
    }
}

/// Runs `hush redact` with these flags on `console`'s streams; the result is the
/// exit code.
pub fn run(args: RedactArgs, console: Console) -> Result<i32, RunError> {
    let Console {
        stdin,
        stdout,
        mut stderr,
        batch,
    } = console;
    let built = setup::redactor(&args)?;
    if args.rsyslog_mmexternal {
        if let Some(warning) = built.warnings.into_iter().next() {
            return Err(RunError::MmexternalWarning(warning));
        }
        return serve_mmexternal(&args, &built.redactor, stdin, stdout);
    }
    for warning in &built.warnings {
        // A warning that cannot be written must not stop the filter.
        let _ = writeln!(stderr, "hush redact: warning: {warning}");
    }
    let redactor = built.redactor;
    let report = ReportSink::open(args.report.as_ref())?;
    let options = PumpOptions {
        buffered: args.buffered || (args.command.is_empty() && batch),
        max_delay: args.max_delay,
        ..PumpOptions::default()
    };
    let (code, redactions) = if args.command.is_empty() {
        let mut stream = RedactStream::new(&redactor);
        stream.keep_events(args.report.is_some());
        let stop = Stop::default();
        let interrupt = signals::Interrupt::watch(&stop).map_err(RunError::Signals)?;
        let result = pump_until(
            &mut stream,
            stdin,
            stdout,
            &options,
            &mut |r| report.write(r, None),
            &stop,
        );
        report.finish()?;
        // Killed by a signal after writing what was read: the shell's 128 + N.
        let code = interrupt.finish().map_or(EXIT_OK, |signal| 128 + signal);
        match result {
            Ok(summary) => (code, summary.redactions),
            Err(PumpError::Write(e)) if e.kind() == io::ErrorKind::BrokenPipe => (code, stream.redactions()),
            Err(e) => return Err(e.into()),
        }
    } else {
        let report_fn = |r: &Redaction, s: &str| report.write(r, Some(s));
        let sink: Option<&child::ReportFn<'_>> = args.report.is_some().then_some(&report_fn as &child::ReportFn<'_>);
        let outcome = child::run_command(&redactor, &args.command, &options, sink, stdout, stderr);
        report.finish()?;
        let outcome = outcome?;
        (outcome.exit_code, outcome.redactions)
    };
    Ok(if args.fail_on_secret && redactions > 0 && code == EXIT_OK {
        EXIT_REDACTED
    } else {
        code
    })
}

/// `--rsyslog-mmexternal`: one reply per message until rsyslog closes stdin.
fn serve_mmexternal(
    args: &RedactArgs,
    redactor: &crate::Redactor,
    stdin: Box<dyn io::Read + Send>,
    stdout: Box<dyn io::Write + Send>,
) -> Result<i32, RunError> {
    let report = ReportSink::open(args.report.as_ref())?;
    let mut stream = RedactStream::new(redactor);
    stream.keep_events(args.report.is_some());
    let served = mmexternal::serve(&mut stream, stdin, stdout, &mut |r| report.write(r, None));
    report.finish()?;
    match served {
        Ok(_) => Ok(EXIT_OK),
        // rsyslog went away (it closes the pipe on shutdown).
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(EXIT_OK),
        Err(e) => Err(RunError::Mmexternal(e)),
    }
}

/// Whether `fd` is a regular file.
fn is_regular_file(fd: std::os::fd::BorrowedFd<'_>) -> bool {
    fd.try_clone_to_owned()
        .map(std::fs::File::from)
        .and_then(|f| f.metadata())
        .is_ok_and(|m| m.is_file())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    /// A writer the test can read back after `run` has consumed the console.
    #[derive(Clone, Default)]
    struct Shared(Arc<Mutex<Vec<u8>>>);

    impl Write for Shared {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0.lock().expect("not poisoned").extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    impl Shared {
        fn text(&self) -> String {
            String::from_utf8(self.0.lock().expect("not poisoned").clone()).expect("UTF-8")
        }
    }

    fn args(flags: &[&str]) -> RedactArgs {
        #[derive(clap::Parser)]
        struct Flags {
            #[command(flatten)]
            args: RedactArgs,
        }
        let argv = std::iter::once("hush-redact").chain(flags.iter().copied());
        <Flags as clap::Parser>::try_parse_from(argv).expect("flags parse").args
    }

    #[test]
    fn a_run_reads_and_writes_only_the_console_it_is_given() {
        let token = hush_testkit::github_token(5);
        let input = format!("starting\nGITHUB_TOKEN={token}\ndone\n");
        let (stdout, stderr) = (Shared::default(), Shared::default());
        let console = Console {
            stdin: Box::new(io::Cursor::new(input.into_bytes())),
            stdout: Box::new(stdout.clone()),
            stderr: Box::new(stderr.clone()),
            batch: true,
        };
        // A variable to mask that is not set: a warning, written to stderr.
        let flags = ["--fail-on-secret", "--mask-env", "HUSH_TEST_VARIABLE_NOBODY_SETS"];
        let code = run(args(&flags), console).expect("runs");
        assert_eq!(code, EXIT_REDACTED);
        let out = stdout.text();
        assert!(!out.contains(&token), "{out}");
        assert!(out.starts_with("starting\nGITHUB_TOKEN=[REDACTED:"), "{out}");
        assert!(out.ends_with("]\ndone\n"), "{out}");
        assert_eq!(
            stderr.text(),
            "hush redact: warning: --mask-env HUSH_TEST_VARIABLE_NOBODY_SETS: the variable is not set; nothing to mask\n"
        );
    }

    #[test]
    fn durations_parse() {
        assert_eq!(parse_duration("100ms"), Ok(Duration::from_millis(100)));
        assert_eq!(parse_duration("2s"), Ok(Duration::from_secs(2)));
        assert_eq!(parse_duration("250"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("0"), Ok(Duration::ZERO));
        assert!(parse_duration("soon").is_err());
        assert!(parse_duration("-1s").is_err());
    }
}
