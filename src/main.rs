//! The `hush` binary: parse arguments, run, map the result to an exit code. The
//! command line itself (flags, sessions, reports to stdout, the hook and Action
//! helpers) is `cli/`, part of this binary: the `hush_scanner` library under it
//! prints nothing.

mod cli;

use clap::Parser;
use cli::{run, Cli, EXIT_ERROR};

fn main() {
    let cli = Cli::parse();
    let code = match run(cli) {
        Ok(code) => code,
        Err(e) => {
            // Each cause once: an error whose message ends with its cause says it once.
            eprintln!("hush: error: {}", hush_scanner::stats::error_chain(e.as_ref()));
            EXIT_ERROR
        }
    };
    std::process::exit(code);
}
