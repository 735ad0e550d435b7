//! The integration tests of the `hush` binary, as one test crate (the way
//! ripgrep's tests are laid out): each file under `tests/` is a module here, so
//! the shared helpers in `tests/common` compile once and the suite links one
//! binary instead of one per file. `autotests = false` in Cargo.toml keeps cargo
//! from also building each file as a target of its own. The tests that measure a
//! child's peak memory are in `tests/memory/`, a small test process of their own.

mod common;

mod action;
mod adoption;
mod archive;
mod binary;
mod cli;
mod decode;
mod ergonomics;
mod escaping;
mod fleet_recipes;
mod formats;
mod git;
mod hook;
mod html_report;
mod image;
mod inputs;
mod merge;
mod precommit;
mod range_config;
mod recipes;
mod registry;
mod shard;
mod shippers;
mod threads;
mod verify;
