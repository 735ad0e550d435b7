//! The `hush` binary: parse arguments, run, map the result to an exit code.

use clap::Parser;
use hush_scanner::cli::{run, Cli, EXIT_ERROR};

fn main() {
    let cli = Cli::parse();
    let code = match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("hush: error: {e:#}");
            EXIT_ERROR
        }
    };
    std::process::exit(code);
}
