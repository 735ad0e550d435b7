//! `hush completions SHELL` and `hush man`: shell completion scripts and man
//! pages generated from the clap definitions, so they never disagree with the
//! flags the binary accepts.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};
use clap::CommandFactory;

use super::{Cli, EXIT_CLEAN};

pub(super) fn completions(shell: clap_complete::Shell) -> Result<i32> {
    let mut command = Cli::command();
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut command, "hush", &mut out);
    write_stdout(&out)?;
    Ok(EXIT_CLEAN)
}

/// Prints hush(1), or with `dir` writes a page for every command and
/// subcommand (`hush-git.1`, `hush-rules-list.1`, ...).
pub(super) fn man(dir: Option<&Path>) -> Result<i32> {
    let command = Cli::command();
    match dir {
        None => {
            let mut out = Vec::new();
            clap_mangen::Man::new(command).render(&mut out)?;
            write_stdout(&out)?;
        }
        Some(dir) => {
            std::fs::create_dir_all(dir).with_context(|| format!("--dir {}", dir.display()))?;
            clap_mangen::generate_to(command, dir)
                .with_context(|| format!("writing man pages to {}", dir.display()))?;
        }
    }
    Ok(EXIT_CLEAN)
}

fn write_stdout(bytes: &[u8]) -> Result<()> {
    let mut stdout = std::io::stdout().lock();
    super::session::ignore_broken_pipe(stdout.write_all(bytes).and_then(|()| stdout.flush()))?;
    Ok(())
}
