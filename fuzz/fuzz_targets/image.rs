//! The image reader on arbitrary bytes: the input is written to a file and
//! scanned as an image tarball (`hush image img.tar`), so the tarball index,
//! `manifest.json` or `index.json`, configs and layers all come from the
//! fuzzer. Seeds should be small valid `docker save` and OCI tarballs: the tar
//! header checks stop most random inputs early (see `image_structured`).

#![no_main]

use hush_fuzz::{image_path, rules};
use hush_scanner::image::{scan_images, ImageOptions};
use hush_scanner::scan::ScanOptions;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let path = image_path();
    std::fs::write(path, data).expect("write the image");
    let opts = ImageOptions {
        scan: ScanOptions {
            threads: 1,
            max_file_size: 1 << 20,
            ..ScanOptions::default()
        },
        platform: None,
    };
    let _ = scan_images(rules(), std::slice::from_ref(path), &opts);
});
