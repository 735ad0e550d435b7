//! The image reader past the outer tarball: fuzzer bytes become one part of an
//! otherwise valid image, written as a tarball and scanned, so the JSON, layer
//! and whiteout code is reached instead of the tar header checks.
//!
//! The input is a mode byte, then up to three parts separated by `--8<--`. The
//! mode picks the layout and which parts are fuzzed:
//! - 0: `docker save`, fixed manifest; part 0 is the config, parts 1 and 2 the
//!   two layers (layer 2 gzip-wrapped).
//! - 1: `docker save`; part 0 is `manifest.json`, parts 1 and 2 are files
//!   `c.json` and `l/layer.tar` it may name.
//! - 2: OCI; part 0 is `index.json`, parts 1 and 2 are blobs `sha256:aa` and
//!   `sha256:bb` it may name.
//! - 3: OCI, fixed index and manifest; part 0 is the config, part 1 the layer,
//!   part 2 a second layer (zstd-wrapped).
//! - 4: `docker save`, fixed manifest and config; each layer is a valid tar
//!   whose members are named and filled by the parts (paths, whiteouts, nested
//!   archives).

use crate::scan_as_image;

const SEPARATOR: &[u8] = b"--8<--";
const DOCKER_MANIFEST: &[u8] = br#"[{"Config":"c.json","RepoTags":["fuzz:1"],"Layers":["l/layer.tar","m/layer.tar"]}]"#;
const OCI_INDEX: &[u8] = br#"{"schemaVersion":2,"manifests":[{"digest":"sha256:ee","platform":{"os":"linux","architecture":"amd64"},"annotations":{"org.opencontainers.image.ref.name":"fuzz:1"}}]}"#;
const OCI_MANIFEST: &[u8] =
    br#"{"schemaVersion":2,"config":{"digest":"sha256:cc"},"layers":[{"digest":"sha256:aa"},{"digest":"sha256:bb"}]}"#;
const CONFIG: &[u8] = br#"{"os":"linux","architecture":"amd64","config":{"Env":["A=1"]},"history":[{"created_by":"ADD a"},{"created_by":"RUN b"}],"rootfs":{"diff_ids":["sha256:11","sha256:22"]}}"#;

/// Runs the target on one input.
pub fn run(data: &[u8]) {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let parts = split(rest);
    let part = |i: usize| parts.get(i).copied().unwrap_or_default();
    let files: Vec<(&str, Vec<u8>)> = match mode % 5 {
        0 => vec![
            ("manifest.json", DOCKER_MANIFEST.to_vec()),
            ("c.json", part(0).to_vec()),
            ("l/layer.tar", part(1).to_vec()),
            ("m/layer.tar", gzip(part(2))),
        ],
        1 => vec![
            ("manifest.json", part(0).to_vec()),
            ("c.json", part(1).to_vec()),
            ("l/layer.tar", part(2).to_vec()),
        ],
        2 => vec![
            ("oci-layout", br#"{"imageLayoutVersion":"1.0.0"}"#.to_vec()),
            ("index.json", part(0).to_vec()),
            ("blobs/sha256/aa", part(1).to_vec()),
            ("blobs/sha256/bb", part(2).to_vec()),
        ],
        3 => vec![
            ("index.json", OCI_INDEX.to_vec()),
            ("blobs/sha256/ee", OCI_MANIFEST.to_vec()),
            ("blobs/sha256/cc", part(0).to_vec()),
            ("blobs/sha256/aa", part(1).to_vec()),
            ("blobs/sha256/bb", zstd::encode_all(part(2), 1).expect("in-memory zstd")),
        ],
        _ => {
            // Pairs of parts: a member's name, then its content.
            let members: Vec<(&[u8], &[u8])> = parts
                .chunks(2)
                .map(|p| (p[0], p.get(1).copied().unwrap_or_default()))
                .collect();
            let (first, second) = members.split_at(members.len().div_ceil(2));
            vec![
                ("manifest.json", DOCKER_MANIFEST.to_vec()),
                ("c.json", CONFIG.to_vec()),
                ("l/layer.tar", tar(first)),
                ("m/layer.tar", tar(second)),
            ]
        }
    };
    let named: Vec<(&[u8], &[u8])> = files.iter().map(|(n, b)| (n.as_bytes(), &b[..])).collect();
    scan_as_image(&tar(&named));
}

/// The input cut at each separator (at most 8 parts).
fn split(mut data: &[u8]) -> Vec<&[u8]> {
    let mut parts = Vec::new();
    while parts.len() < 7 {
        match data.windows(SEPARATOR.len()).position(|w| w == SEPARATOR) {
            Some(at) => {
                parts.push(&data[..at]);
                data = &data[at + SEPARATOR.len()..];
            }
            None => break,
        }
    }
    parts.push(data);
    parts
}

/// A ustar archive of regular files; a name the header cannot hold is cut.
fn tar(files: &[(&[u8], &[u8])]) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    for (name, data) in files {
        let mut header = tar::Header::new_ustar();
        let field = &mut header.as_old_mut().name;
        let len = name.len().min(field.len());
        field[..len].copy_from_slice(&name[..len]);
        header.set_size(data.len() as u64);
        header.set_mode(0o644);
        header.set_entry_type(tar::EntryType::Regular);
        header.set_cksum();
        builder.append(&header, *data).expect("in-memory tar");
    }
    builder.into_inner().expect("in-memory tar")
}

fn gzip(data: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(data).expect("in-memory gzip");
    encoder.finish().expect("in-memory gzip")
}
