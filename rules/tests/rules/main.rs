//! Integration tests of the rule engine, as one test crate: the default packs
//! against their examples and pack-wide bars (`packs`), the precision
//! mechanisms end to end (`precision`), and credential files and config values
//! (`credential_files`).

mod confidence;
mod credential_files;
mod gates;
mod packs;
mod precision;
