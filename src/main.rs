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
            // Escaped: an error may name a path or hold text from the scanned input.
            let chain = hush_scanner::stats::error_chain(e.as_ref());
            eprintln!("hush: error: {}", hush_scanner::report::escape::escape(&chain));
            EXIT_ERROR
        }
    };
    std::process::exit(code);
}
