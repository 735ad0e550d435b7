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

/// A log daemon the shipper tests start.
#[derive(Debug, Clone, Copy)]
pub enum Daemon {
    /// `rsyslogd`, Debian package `rsyslog`.
    Rsyslog,
    /// `syslog-ng`, Debian package `syslog-ng-core`.
    SyslogNg,
}

/// Where a daemon's binary is, and what it needs when it is not installed.
pub struct Found {
    pub binary: PathBuf,
    /// rsyslogd's `-M`, syslog-ng's `--module-path`: its modules.
    pub modules: Option<PathBuf>,
    /// syslog-ng's own libraries (`LD_LIBRARY_PATH`), when unpacked.
    pub libraries: Option<PathBuf>,
}

/// The directory .ci/run unpacks the Debian packages of the log daemons into
/// (`dpkg -x`): they conflict with each other as system log daemons, and the
/// tests need neither installed as one.
pub fn unpacked_daemons() -> PathBuf {
    repository_root().join("target/shippers")
}

/// `daemon` from PATH, `/usr/sbin` or [`unpacked_daemons`], with the module
/// directory of the same tree; `None` (after saying so) when it is missing and
/// `HUSH_REQUIRE_TOOLS` is not set.
pub fn daemon(daemon: Daemon) -> Option<Found> {
    let (name, package) = match daemon {
        Daemon::Rsyslog => ("rsyslogd", "rsyslog"),
        Daemon::SyslogNg => ("syslog-ng", "syslog-ng-core"),
    };
    let mut dirs: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|path| std::env::split_paths(&path).collect())
        .unwrap_or_default();
    dirs.push("/usr/sbin".into());
    dirs.push(unpacked_daemons().join("usr/sbin"));
    let Some(binary) = dirs.iter().map(|dir| dir.join(name)).find(|c| c.is_file()) else {
        let hint =
            format!("`{name}` is not installed (run .ci/run, which unpacks Debian's {package} under target/shippers)");
        if std::env::var_os("HUSH_REQUIRE_TOOLS").is_some() {
            panic!("{hint}");
        }
        eprintln!("skipped: {hint}");
        return None;
    };
    // BINARY is PREFIX/usr/sbin/NAME (PREFIX empty when installed).
    let usr = binary.parent().and_then(Path::parent).map(Path::to_path_buf);
    let lib = usr.map(|usr| usr.join("lib"));
    let found = match daemon {
        Daemon::Rsyslog => Found {
            // PREFIX/usr/lib/<multiarch triplet>/rsyslog
            modules: lib.as_deref().and_then(|lib| {
                std::fs::read_dir(lib)
                    .ok()?
                    .filter_map(Result::ok)
                    .map(|e| e.path().join("rsyslog"))
                    .find(|dir| dir.join("imtcp.so").is_file())
            }),
            libraries: None,
            binary,
        },
        Daemon::SyslogNg => {
            let own = lib.map(|lib| lib.join("syslog-ng"));
            Found {
                // PREFIX/usr/lib/syslog-ng/<version>
                modules: own.as_deref().and_then(|own| {
                    std::fs::read_dir(own)
                        .ok()?
                        .filter_map(Result::ok)
                        .map(|e| e.path())
                        .find(|dir| dir.join("libafprog.so").is_file())
                }),
                libraries: own,
                binary,
            }
        }
    };
    Some(found)
}
