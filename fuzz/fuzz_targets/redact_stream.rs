//! cargo-fuzz entry point of `hush_fuzz_targets::redact_stream` (see that module).

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    hush_fuzz_targets::redact_stream::run(data);
});
