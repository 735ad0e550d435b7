//! Driving a [`RedactStream`] from a reader to a writer: the only place with I/O
//! and a clock. Interactive mode (the default) reads on a thread of its own so that
//! the main loop can wait with a timeout: what a read completes is written and
//! flushed at once, an incomplete line is flushed after `max_delay`, and held
//! private key lines are released after `hold_timeout`. Buffered mode reads and
//! writes in large blocks on the calling thread.

use std::io::{self, Read, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, SyncSender};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::report::Redaction;
use crate::stream::RedactStream;

/// Output is written when this much is pending, in buffered mode.
const BUFFERED_BLOCK: usize = 256 << 10;

/// How a stream is driven.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PumpOptions {
    /// Write in large blocks and only flush at the end (batch jobs); otherwise
    /// write and flush what each read completes.
    pub buffered: bool,
    /// How long an incomplete line may wait before what can be decided of it is
    /// written (interactive mode).
    pub max_delay: Duration,
    /// How long lines after a private key's BEGIN line are held waiting for its END
    /// line before they are released (interactive mode).
    pub hold_timeout: Duration,
    /// Bytes per read.
    pub read_size: usize,
}

impl Default for PumpOptions {
    fn default() -> Self {
        PumpOptions {
            buffered: false,
            max_delay: Duration::from_millis(100),
            hold_timeout: Duration::from_secs(1),
            read_size: 128 << 10,
        }
    }
}

/// What a pump did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PumpSummary {
    pub bytes_read: u64,
    pub redactions: u64,
}

/// A pump stopped early. Each message includes its cause (no `source()` chain to
/// repeat it).
#[derive(Debug, thiserror::Error)]
pub enum PumpError {
    #[error("reading input: {0}")]
    Read(io::Error),
    /// Includes a closed output (`BrokenPipe`), which callers usually treat as done.
    #[error("writing output: {0}")]
    Write(io::Error),
    #[error("writing the report: {0}")]
    Report(io::Error),
    #[error("cannot start the reader thread: {0}")]
    Thread(io::Error),
}

enum Chunk {
    Data(Vec<u8>),
    End,
    Failed(io::Error),
    /// [`Stop::request`] was called.
    Wake,
}

/// Ends a pump early from another thread (a signal's): what was read by then
/// is redacted, written and flushed, as at the end of the input (held lines
/// are released, the last incomplete line is written), and the pump returns.
/// An interactive pump stops at once; a buffered one after its current read.
#[derive(Clone, Default)]
pub struct Stop {
    inner: Arc<StopInner>,
}

#[derive(Default)]
struct StopInner {
    requested: AtomicBool,
    /// The running interactive pump's channel, to wake its wait.
    wake: Mutex<Option<SyncSender<Chunk>>>,
}

impl Stop {
    /// Asks the pump to stop.
    pub fn request(&self) {
        self.inner.requested.store(true, Ordering::SeqCst);
        if let Ok(wake) = self.inner.wake.lock() {
            if let Some(chunks) = wake.as_ref() {
                // A full channel wakes the pump anyway.
                let _ = chunks.try_send(Chunk::Wake);
            }
        }
    }

    /// Whether a stop was asked for.
    pub fn requested(&self) -> bool {
        self.inner.requested.load(Ordering::SeqCst)
    }
}

/// Redacts everything `reader` yields into `writer`, passing each redaction to
/// `on_redaction` (for `--report`). On a read error, what was read is still
/// redacted and written before the error is returned.
pub fn pump<R, W>(
    stream: &mut RedactStream<'_>,
    reader: R,
    writer: W,
    options: &PumpOptions,
    on_redaction: &mut dyn FnMut(&Redaction) -> io::Result<()>,
) -> Result<PumpSummary, PumpError>
where
    R: Read + Send + 'static,
    W: Write,
{
    pump_until(stream, reader, writer, options, on_redaction, &Stop::default())
}

/// [`pump()`], ending early when `stop` is requested.
pub fn pump_until<R, W>(
    stream: &mut RedactStream<'_>,
    reader: R,
    mut writer: W,
    options: &PumpOptions,
    on_redaction: &mut dyn FnMut(&Redaction) -> io::Result<()>,
    stop: &Stop,
) -> Result<PumpSummary, PumpError>
where
    R: Read + Send + 'static,
    W: Write,
{
    let mut summary = PumpSummary::default();
    let result = if options.buffered {
        buffered(stream, reader, &mut writer, options, on_redaction, &mut summary, stop)
    } else {
        interactive(stream, reader, &mut writer, options, on_redaction, &mut summary, stop)
    };
    summary.redactions = stream.redactions();
    result.map(|()| summary)
}

fn buffered<R: Read, W: Write>(
    stream: &mut RedactStream<'_>,
    mut reader: R,
    writer: &mut W,
    options: &PumpOptions,
    on_redaction: &mut dyn FnMut(&Redaction) -> io::Result<()>,
    summary: &mut PumpSummary,
    stop: &Stop,
) -> Result<(), PumpError> {
    let mut buf = vec![0u8; options.read_size.max(1)];
    let mut out = Vec::with_capacity(BUFFERED_BLOCK + buf.len());
    let mut failure = None;
    while !stop.requested() {
        match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                summary.bytes_read += n as u64;
                stream.push(&buf[..n], &mut out);
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => {
                failure = Some(e);
                break;
            }
        }
        report(stream, on_redaction)?;
        if out.len() >= BUFFERED_BLOCK {
            writer.write_all(&out).map_err(PumpError::Write)?;
            out.clear();
        }
    }
    stream.finish(&mut out);
    report(stream, on_redaction)?;
    writer.write_all(&out).map_err(PumpError::Write)?;
    writer.flush().map_err(PumpError::Write)?;
    failure.map_or(Ok(()), |e| Err(PumpError::Read(e)))
}

fn interactive<R: Read + Send + 'static, W: Write>(
    stream: &mut RedactStream<'_>,
    reader: R,
    writer: &mut W,
    options: &PumpOptions,
    on_redaction: &mut dyn FnMut(&Redaction) -> io::Result<()>,
    summary: &mut PumpSummary,
    stop: &Stop,
) -> Result<(), PumpError> {
    let (chunks, received) = mpsc::sync_channel(2);
    if let Ok(mut wake) = stop.inner.wake.lock() {
        *wake = Some(chunks.clone());
    }
    let (recycle, recycled) = mpsc::channel();
    let size = options.read_size.max(1);
    std::thread::Builder::new()
        .name("hush-redact-reader".into())
        .spawn(move || read_loop(reader, chunks, recycled, size))
        .map_err(PumpError::Thread)?;
    let mut out = Vec::with_capacity(2 * size);
    let mut partial_since: Option<Instant> = None;
    let mut hold_since: Option<Instant> = None;
    loop {
        let deadline = [
            partial_since.map(|t| t + options.max_delay),
            hold_since.map(|t| t + options.hold_timeout),
        ]
        .into_iter()
        .flatten()
        .min();
        let message = match deadline {
            Some(at) => received.recv_timeout(at.saturating_duration_since(Instant::now())),
            None => received.recv().map_err(|_| RecvTimeoutError::Disconnected),
        };
        let mut failure = None;
        let mut done = false;
        match message {
            Ok(Chunk::Data(buf)) => {
                summary.bytes_read += buf.len() as u64;
                stream.push(&buf, &mut out);
                let _ = recycle.send(buf);
                if stream.unwritten_partial() == 0 {
                    partial_since = None;
                } else if partial_since.is_none() {
                    partial_since = Some(Instant::now());
                }
            }
            Ok(Chunk::End) | Err(RecvTimeoutError::Disconnected) => done = true,
            Ok(Chunk::Wake) => {}
            Ok(Chunk::Failed(e)) => {
                failure = Some(e);
                done = true;
            }
            Err(RecvTimeoutError::Timeout) => {
                let now = Instant::now();
                if hold_since.is_some_and(|t| now >= t + options.hold_timeout) {
                    stream.release_hold(&mut out);
                }
                if partial_since.is_some_and(|t| now >= t + options.max_delay) {
                    stream.flush_partial(&mut out);
                    partial_since = None;
                }
            }
        }
        done |= stop.requested();
        if done {
            stream.finish(&mut out);
        }
        hold_since = match (stream.is_holding(), hold_since) {
            (false, _) => None,
            (true, None) => Some(Instant::now()),
            (true, since) => since,
        };
        report(stream, on_redaction)?;
        if !out.is_empty() {
            writer.write_all(&out).map_err(PumpError::Write)?;
            writer.flush().map_err(PumpError::Write)?;
            out.clear();
        }
        if done {
            writer.flush().map_err(PumpError::Write)?;
            return failure.map_or(Ok(()), |e| Err(PumpError::Read(e)));
        }
    }
}

fn report(
    stream: &mut RedactStream<'_>,
    on_redaction: &mut dyn FnMut(&Redaction) -> io::Result<()>,
) -> Result<(), PumpError> {
    for redaction in stream.drain_redactions() {
        on_redaction(&redaction).map_err(PumpError::Report)?;
    }
    Ok(())
}

/// The reader thread: reads until end of input, an error, or the pump is gone.
fn read_loop<R: Read>(mut reader: R, chunks: SyncSender<Chunk>, recycled: Receiver<Vec<u8>>, size: usize) {
    loop {
        let mut buf = recycled.try_recv().unwrap_or_default();
        buf.resize(size, 0);
        match reader.read(&mut buf) {
            Ok(0) => {
                let _ = chunks.send(Chunk::End);
                return;
            }
            Ok(n) => {
                buf.truncate(n);
                if chunks.send(Chunk::Data(buf)).is_err() {
                    return;
                }
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => {
                let _ = chunks.send(Chunk::Failed(e));
                return;
            }
        }
    }
}
