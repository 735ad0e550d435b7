//! The archive readers on arbitrary bytes: the first byte picks the file's name
//! (`.zip`, `.tar`, `.tgz`, `.gz`, `.zst` or none, which matters for old tars
//! without the `ustar` magic) and whether the rest is used as it is or first
//! wrapped in a valid gzip or zstd stream, so that the decoded bytes, not only
//! the compressed ones, are under the fuzzer's control (a tar or zip inside a
//! compressed stream, nested archives). Limits are small so bombs stay cheap.

use crate::rules;
use hush_scanner::archive::scan_file_bytes;
use hush_scanner::search::{ArchiveOptions, ScanOptions};

const NAMES: [&str; 6] = ["a.zip", "a.tar", "a.tgz", "a.txt.gz", "a.zst", "blob"];

/// Runs the target on one input.
pub fn run(data: &[u8]) {
    let Some((&knob, rest)) = data.split_first() else {
        return;
    };
    let name = NAMES[usize::from(knob & 7) % NAMES.len()];
    let wrapped;
    let bytes = match (knob >> 3) & 3 {
        1 => {
            wrapped = gzip(rest);
            &wrapped[..]
        }
        2 => {
            wrapped = zstd::encode_all(rest, 1).expect("in-memory zstd");
            &wrapped[..]
        }
        _ => rest,
    };
    let opts = ScanOptions {
        max_file_size: 1 << 20,
        archive: ArchiveOptions {
            max_depth: 3,
            max_bytes: 4 << 20,
            max_ratio: 100,
        },
        ..ScanOptions::default()
    };
    let _ = scan_file_bytes(rules(), name, bytes, &opts);
}

fn gzip(data: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(data).expect("in-memory gzip");
    encoder.finish().expect("in-memory gzip")
}
