//! `hush redact -- CMD ARGS...`: runs a command with its stdout and stderr piped
//! through two redacting streams (kept apart: stdout to stdout, stderr to stderr),
//! forwards SIGINT and SIGTERM to it, and reports its exit status.

use std::ffi::OsString;
use std::io;
use std::os::unix::process::ExitStatusExt;
use std::process::{Command, ExitStatus, Stdio};

use signal_hook::consts::{SIGINT, SIGTERM};
use signal_hook::iterator::Signals;

use crate::pump::{pump, PumpError, PumpOptions};
use crate::redactor::Redactor;
use crate::report::Redaction;
use crate::stream::RedactStream;

/// The command could not be run or waited for.
#[derive(Debug, thiserror::Error)]
pub enum CommandError {
    #[error("no command after --")]
    Empty,
    #[error("cannot run {command}: {error}")]
    Spawn { command: String, error: io::Error },
    #[error("waiting for {command}: {error}")]
    Wait { command: String, error: io::Error },
    #[error("cannot forward signals to the command: {0}")]
    Signals(io::Error),
    #[error("filtering the command's {stream}: {error}")]
    Filter { stream: &'static str, error: PumpError },
}

/// Where a command's redactions go: with the name of the stream they were in.
pub(super) type ReportFn<'a> = dyn Fn(&Redaction, &str) -> io::Result<()> + Sync + 'a;

/// How the command ended and what was redacted from its output.
pub(super) struct Outcome {
    /// The command's exit code, or 128 + the signal that killed it.
    pub exit_code: i32,
    pub redactions: u64,
}

/// Runs `command` (program and arguments), filtering its stdout to `stdout` and
/// its stderr to `stderr`.
pub(super) fn run_command(
    redactor: &Redactor,
    command: &[OsString],
    options: &PumpOptions,
    report: Option<&ReportFn<'_>>,
    mut stdout_sink: Box<dyn io::Write + Send>,
    mut stderr_sink: Box<dyn io::Write + Send>,
) -> Result<Outcome, CommandError> {
    let (program, arguments) = command.split_first().ok_or(CommandError::Empty)?;
    let shown = program.to_string_lossy().into_owned();
    let mut child = Command::new(program)
        .args(arguments)
        .stdin(Stdio::inherit())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|error| CommandError::Spawn {
            command: shown.clone(),
            error,
        })?;
    let (Some(stdout), Some(stderr)) = (child.stdout.take(), child.stderr.take()) else {
        return Err(CommandError::Spawn {
            command: shown,
            error: io::Error::other("the child's output pipes are missing"),
        });
    };
    let forwarding = Forwarder::start(child.id()).map_err(CommandError::Signals)?;
    let (status, out, err) = std::thread::scope(|scope| {
        let out = scope.spawn(|| filter(redactor, stdout, &mut *stdout_sink, options, report, "stdout"));
        let err = scope.spawn(|| filter(redactor, stderr, &mut *stderr_sink, options, report, "stderr"));
        let status = child.wait();
        forwarding.stop();
        let joined = |h: std::thread::ScopedJoinHandle<'_, Result<u64, PumpError>>| {
            h.join()
                .unwrap_or_else(|_| Err(PumpError::Read(io::Error::other("the filter thread panicked"))))
        };
        (status, joined(out), joined(err))
    });
    let status = status.map_err(|error| CommandError::Wait { command: shown, error })?;
    let mut redactions = 0;
    for (stream, result) in [("stdout", out), ("stderr", err)] {
        match result {
            Ok(n) => redactions += n,
            Err(PumpError::Write(e)) if e.kind() == io::ErrorKind::BrokenPipe => {}
            Err(error) => return Err(CommandError::Filter { stream, error }),
        }
    }
    Ok(Outcome {
        exit_code: exit_code(status),
        redactions,
    })
}

fn filter<R: io::Read + Send + 'static, W: io::Write>(
    redactor: &Redactor,
    reader: R,
    writer: W,
    options: &PumpOptions,
    report: Option<&ReportFn<'_>>,
    name: &'static str,
) -> Result<u64, PumpError> {
    let mut stream = RedactStream::new(redactor);
    stream.keep_events(report.is_some());
    let result = pump(&mut stream, reader, writer, options, &mut |r| {
        report.map_or(Ok(()), |report| report(r, name))
    });
    result.map(|summary| summary.redactions)
}

/// The shell convention: the exit code, or 128 + the signal number.
fn exit_code(status: ExitStatus) -> i32 {
    status
        .code()
        .or_else(|| status.signal().map(|s| 128 + s))
        .unwrap_or(super::EXIT_ERROR)
}

/// Forwards SIGINT and SIGTERM received by hush to the child until stopped. While
/// it runs, those signals no longer end hush itself, so the child's last output
/// is still filtered after it was asked to stop.
struct Forwarder {
    handle: signal_hook::iterator::Handle,
    thread: std::thread::JoinHandle<()>,
}

impl Forwarder {
    fn start(pid: u32) -> io::Result<Forwarder> {
        let mut signals = Signals::new([SIGINT, SIGTERM])?;
        let handle = signals.handle();
        let pid = libc::pid_t::try_from(pid).map_err(io::Error::other)?;
        let thread = std::thread::Builder::new()
            .name("hush-redact-signals".into())
            .spawn(move || {
                for signal in signals.forever() {
                    // SAFETY: kill(2) has no memory-safety preconditions; the pid is
                    // our child's, not yet reaped while this thread runs.
                    unsafe {
                        libc::kill(pid, signal);
                    }
                }
            })?;
        Ok(Forwarder { handle, thread })
    }

    fn stop(self) {
        self.handle.close();
        let _ = self.thread.join();
    }
}
