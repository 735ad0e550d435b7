//! External programs some tests drive (the pre-commit framework, check-jsonschema),
//! and the settings for the release builds those tests make.
//!
//! `.ci/run` installs the programs into a virtual environment, puts it on PATH
//! and sets `HUSH_REQUIRE_TOOLS=1`, so in CI a missing program fails the test.
//! Elsewhere a test that needs a missing program says so on stderr and returns.

use std::path::{Path, PathBuf};
use std::process::Command;

/// `name` from PATH; `None` (after saying so) when it is missing and
/// `HUSH_REQUIRE_TOOLS` is not set.
pub fn tool(name: &str) -> Option<PathBuf> {
    let found = std::env::var_os("PATH").and_then(|path| {
        std::env::split_paths(&path)
            .map(|dir| dir.join(name))
            .find(|candidate| candidate.is_file())
    });
    if found.is_none() {
        let hint = format!("`{name}` is not on PATH (pip install it, or run .ci/run, which does)");
        if std::env::var_os("HUSH_REQUIRE_TOOLS").is_some() {
            panic!("{hint}");
        }
        eprintln!("skipped: {hint}");
    }
    found
}

/// The repository root (this package's manifest directory).
pub fn repository_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Sets up `command` (a cargo build of hush made by pre-commit or by the
/// Action's steps) to share one target directory under `target/`, and to
/// build faster than the real release profile: these tests check what the hook
/// and the Action do, not how fast the binary is.
pub fn quick_release_build(command: &mut Command) -> &mut Command {
    command
        .env("CARGO_TARGET_DIR", repository_root().join("target/tool-tests"))
        .env("CARGO_PROFILE_RELEASE_LTO", "false")
        .env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "16")
        .env("CARGO_PROFILE_RELEASE_OPT_LEVEL", "1")
        .env("CARGO_PROFILE_RELEASE_INCREMENTAL", "true")
        .env("CARGO_TERM_COLOR", "never")
        // pre-commit's `cargo install` re-resolves dependencies: keep to versions that
        // build with the declared rust-version (as .cargo/config.toml says for users).
        .env("CARGO_RESOLVER_INCOMPATIBLE_RUST_VERSIONS", "fallback")
}
