//! Builders for the archives and container images the tests scan: tar, gzip,
//! zstd and zip writers, OCI image layouts (directory or tarball, single- or
//! multi-platform) and `docker save` tarballs, all made in memory, no docker.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use serde_json::{json, Value};
use sha2::{Digest, Sha256};

/// A tar of regular files. Names are written raw, so `../x` and `/abs` stay
/// as they are (the tar crate's own setter refuses them).
pub fn tar(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    for (name, data) in files {
        let mut header = tar::Header::new_ustar();
        let raw = &mut header.as_old_mut().name;
        raw[..name.len()].copy_from_slice(name.as_bytes());
        header.set_size(data.len() as u64);
        header.set_mode(0o644);
        header.set_entry_type(tar::EntryType::Regular);
        header.set_cksum();
        builder.append(&header, *data).expect("append to an in-memory tar");
    }
    builder.into_inner().expect("finish tar")
}

pub fn gzip(data: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(data).expect("gzip in memory");
    encoder.finish().expect("finish gzip")
}

pub fn zstd(data: &[u8]) -> Vec<u8> {
    zstd::encode_all(data, 3).expect("zstd in memory")
}

pub fn bzip2(data: &[u8]) -> Vec<u8> {
    let mut encoder = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::fast());
    encoder.write_all(data).expect("bzip2 in memory");
    encoder.finish().expect("finish bzip2")
}

pub fn xz(data: &[u8]) -> Vec<u8> {
    let options = lzma_rust2::XzOptions::with_preset(1);
    let mut encoder = lzma_rust2::XzWriter::new(Vec::new(), options).expect("xz writer");
    encoder.write_all(data).expect("xz in memory");
    encoder.finish().expect("finish xz")
}

/// A zip with deflated members.
pub fn zip(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, data) in files {
        writer.start_file(*name, options).expect("zip member");
        writer.write_all(data).expect("zip data");
    }
    writer.finish().expect("finish zip").into_inner()
}

/// `sha256:<hex>` of `data`.
pub fn digest(data: &[u8]) -> String {
    let hash = Sha256::digest(data);
    format!("sha256:{}", hash.iter().map(|b| format!("{b:02x}")).collect::<String>())
}

/// The first 12 hex digits of a digest, as paths show it.
pub fn short(digest: &str) -> &str {
    &digest[..7 + 12]
}

/// An image config: platform, Env, and history lines (`(created_by, empty_layer)`).
pub fn config(platform: &str, env: &[String], history: &[(&str, bool)], diff_ids: &[String]) -> Vec<u8> {
    let mut parts = platform.split('/');
    let (os, arch) = (parts.next().unwrap_or("linux"), parts.next().unwrap_or("amd64"));
    let history: Vec<Value> = history
        .iter()
        .map(|(command, empty)| json!({"created_by": command, "empty_layer": empty}))
        .collect();
    serde_json::to_vec(&json!({
        "os": os,
        "architecture": arch,
        "config": {"Env": env, "Cmd": ["/app/run"], "Labels": {"maintainer": "tests"}},
        "history": history,
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
    }))
    .expect("config JSON")
}

/// An OCI image layout being built: blobs by digest, and the top index.
#[derive(Default)]
pub struct Layout {
    blobs: BTreeMap<String, Vec<u8>>,
    pub index: Vec<Value>,
}

impl Layout {
    pub fn blob(&mut self, data: Vec<u8>) -> String {
        let d = digest(&data);
        self.blobs.insert(d.clone(), data);
        d
    }

    /// Adds an image (config and stored layer blobs); returns its descriptor.
    pub fn image(&mut self, config: Vec<u8>, layers: &[Vec<u8>], platform: Option<&str>) -> Value {
        let config_size = config.len();
        let config_digest = self.blob(config);
        let layers: Vec<Value> = layers
            .iter()
            .map(|l| json!({"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": self.blob(l.clone()), "size": l.len()}))
            .collect();
        let manifest = serde_json::to_vec(&json!({
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": config_digest, "size": config_size},
            "layers": layers,
        }))
        .expect("manifest JSON");
        let size = manifest.len();
        let mut descriptor = json!({"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": self.blob(manifest), "size": size});
        if let Some(p) = platform {
            let mut parts = p.split('/');
            descriptor["platform"] = json!({"os": parts.next(), "architecture": parts.next()});
        }
        descriptor
    }

    /// Adds a nested index of `manifests`; returns its descriptor.
    pub fn nested_index(&mut self, manifests: Vec<Value>, name: &str) -> Value {
        let index = serde_json::to_vec(&json!({"schemaVersion": 2, "manifests": manifests})).expect("index JSON");
        let size = index.len();
        json!({
            "mediaType": "application/vnd.oci.image.index.v1+json",
            "digest": self.blob(index),
            "size": size,
            "annotations": {"org.opencontainers.image.ref.name": name},
        })
    }

    fn files(&self) -> Vec<(String, Vec<u8>)> {
        let mut files = vec![
            ("oci-layout".to_owned(), br#"{"imageLayoutVersion":"1.0.0"}"#.to_vec()),
            (
                "index.json".to_owned(),
                serde_json::to_vec(&json!({"schemaVersion": 2, "manifests": self.index})).expect("index JSON"),
            ),
        ];
        for (d, data) in &self.blobs {
            files.push((format!("blobs/{}", d.replace(':', "/")), data.clone()));
        }
        files
    }

    pub fn write_dir(&self, dir: &Path) {
        for (name, data) in self.files() {
            let path = dir.join(name);
            std::fs::create_dir_all(path.parent().expect("has a parent")).expect("mkdir");
            std::fs::write(path, data).expect("write blob");
        }
    }

    pub fn write_tar(&self, path: &Path) {
        let files = self.files();
        let refs: Vec<(&str, &[u8])> = files.iter().map(|(n, d)| (n.as_str(), d.as_slice())).collect();
        std::fs::write(path, tar(&refs)).expect("write image tarball");
    }

    /// Drops a blob, as if the layout had lost it.
    pub fn remove(&mut self, digest: &str) {
        self.blobs.remove(digest);
    }
}

/// A classic `docker save` tarball: `<id>/layer.tar` per layer (uncompressed
/// tars), `<id>.json` config, and `manifest.json` last, as docker writes it.
pub fn docker_save(path: &Path, tag: &str, config: &[u8], layers: &[Vec<u8>]) {
    let config_name = format!("{}.json", &digest(config)[7..]);
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    let mut layer_names = Vec::new();
    for layer in layers {
        let name = format!("{}/layer.tar", &digest(layer)[7..]);
        files.push((name.clone(), layer.clone()));
        layer_names.push(name);
    }
    files.push((config_name.clone(), config.to_vec()));
    let manifest = json!([{"Config": config_name, "RepoTags": [tag], "Layers": layer_names}]);
    files.push((
        "manifest.json".to_owned(),
        serde_json::to_vec(&manifest).expect("manifest JSON"),
    ));
    let refs: Vec<(&str, &[u8])> = files.iter().map(|(n, d)| (n.as_str(), d.as_slice())).collect();
    std::fs::write(path, tar(&refs)).expect("write docker-save tarball");
}
