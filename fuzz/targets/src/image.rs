//! The image reader on arbitrary bytes: the input is written to a file and
//! scanned as an image tarball (`hush image img.tar`), so the tarball index,
//! `manifest.json` or `index.json`, configs and layers all come from the
//! fuzzer. Seeds should be small valid `docker save` and OCI tarballs: the tar
//! header checks stop most random inputs early (see `image_structured`).

use crate::scan_as_image;

/// Runs the target on one input.
pub fn run(data: &[u8]) {
    scan_as_image(data);
}
