//! SIGINT and SIGTERM while `hush redact` filters its stdin: instead of dying
//! with lines it has read but not yet written (a held private-key block, a
//! buffered batch, the last incomplete line), it stops its pump, which redacts
//! and writes everything read so far, and then exits with the shell's status
//! for that signal (128 + N). (With `-- CMD`, the signals go to the command
//! instead: see `child`.)

use std::io;
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::Arc;

use signal_hook::consts::{SIGINT, SIGTERM};
use signal_hook::iterator::Signals;

use crate::pump::Stop;

/// Watches for SIGINT and SIGTERM until [`Interrupt::finish`].
pub(super) struct Interrupt {
    handle: signal_hook::iterator::Handle,
    thread: std::thread::JoinHandle<()>,
    received: Arc<AtomicI32>,
}

impl Interrupt {
    /// Starts watching: the first signal records itself and requests `stop`.
    pub(super) fn watch(stop: &Stop) -> io::Result<Interrupt> {
        let mut signals = Signals::new([SIGINT, SIGTERM])?;
        let handle = signals.handle();
        let received = Arc::new(AtomicI32::new(0));
        let (stop, seen) = (stop.clone(), Arc::clone(&received));
        let thread = std::thread::Builder::new()
            .name("hush-redact-signals".into())
            .spawn(move || {
                if let Some(signal) = signals.forever().next() {
                    seen.store(signal, Ordering::SeqCst);
                    stop.request();
                }
            })?;
        Ok(Interrupt {
            handle,
            thread,
            received,
        })
    }

    /// Stops watching; the signal that stopped the pump, if one did.
    pub(super) fn finish(self) -> Option<i32> {
        self.handle.close();
        let _ = self.thread.join();
        match self.received.load(Ordering::SeqCst) {
            0 => None,
            signal => Some(signal),
        }
    }
}
