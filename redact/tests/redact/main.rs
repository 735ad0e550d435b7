//! Integration tests of the redactor: properties (proptest), the known failure
//! modes of log redaction, streaming and timing, and the `hush-redact` command line.

mod cli;
mod common;
mod failure_modes;
mod parity;
mod props;
mod recipes;
mod streaming;
