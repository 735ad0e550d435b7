//! The `hush-redact` binary: `hush redact` without the scanner (no walker, git or
//! image code), for log-pipeline containers. Parse, run, map to an exit code.

use clap::Parser;
use hush_redact::cli::{run, Console, RedactArgs, EXIT_ERROR};

/// hush-redact: replace secrets in a stream (stdin to stdout, or a command's output).
#[derive(Debug, Parser)]
#[command(name = "hush-redact", version, about)]
struct Cli {
    #[command(flatten)]
    args: RedactArgs,
}

fn main() {
    let cli = Cli::parse();
    let code = match run(cli.args, Console::process()) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("hush-redact: error: {e}");
            EXIT_ERROR
        }
    };
    std::process::exit(code);
}
