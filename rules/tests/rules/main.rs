//! Integration tests of the rule engine, as one test crate: the default packs
//! against their examples and pack-wide bars (`packs`), and the precision
//! mechanisms end to end (`precision`).

mod packs;
mod precision;
