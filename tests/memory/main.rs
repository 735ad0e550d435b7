//! The tests that measure the peak memory of a `hush` run, in a test binary of
//! their own. On Linux a child's `ru_maxrss` starts from the resident size of
//! the process that spawned it (the child shares or copies the parent's memory
//! until `exec`, and the kernel keeps that high-water mark across `exec`), so a
//! child spawned by the big integration-test process, while other tests hold
//! their data, would be charged for it. This process stays small, and each
//! child's peak is read with `wait4` for that child alone.

// The integration tests' helpers; this binary uses few of them.
#[allow(dead_code, unused_imports)]
#[path = "../common/mod.rs"]
mod common;

mod large_file;
mod zip_bomb;

use std::io::Read;
use std::path::Path;
use std::process::Stdio;

/// Runs `hush` with `args` in `dir` (no colour, no stdin); returns its exit
/// code, its stdout and its peak resident set size in KiB, from `wait4` on
/// this child alone.
#[allow(clippy::zombie_processes)] // waited for with wait4, which std cannot do
fn run_measured(dir: &Path, args: &[&str]) -> (Option<i32>, Vec<u8>, i64) {
    let mut child = common::hush()
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("spawn hush");
    let mut stdout = Vec::new();
    child
        .stdout
        .take()
        .expect("piped stdout")
        .read_to_end(&mut stdout)
        .expect("read stdout");
    let pid = libc::pid_t::try_from(child.id()).expect("pid fits pid_t");
    let mut status: libc::c_int = 0;
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: `pid` is our own child, not yet waited for; wait4 writes a status
    // and a rusage into the pointers, both sized for them. `child` is never
    // waited for again.
    let rc = unsafe { libc::wait4(pid, &mut status, 0, usage.as_mut_ptr()) };
    assert_eq!(rc, pid, "wait4 failed: {}", std::io::Error::last_os_error());
    // SAFETY: wait4 returned the child's pid, so it initialised the struct.
    let rss_kib = unsafe { usage.assume_init() }.ru_maxrss;
    let code = libc::WIFEXITED(status).then(|| libc::WEXITSTATUS(status));
    (code, stdout, rss_kib)
}
