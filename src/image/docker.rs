//! `docker save` tarballs: `manifest.json` lists each saved image's config file,
//! tags and layer files (`<id>/layer.tar` before Docker 25, `blobs/sha256/<hex>`
//! since, when the tarball is also an OCI layout).

use serde::Deserialize;

use super::store::Store;
use super::{ImageError, LayerRef, Manifest};

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Entry {
    config: String,
    #[serde(default)]
    repo_tags: Option<Vec<String>>,
    #[serde(default)]
    layers: Vec<String>,
}

/// The images listed in `manifest.json`.
pub(crate) fn manifests(store: &Store) -> Result<Vec<Manifest>, ImageError> {
    let name = "manifest.json";
    let bytes = store
        .read(name)?
        .ok_or_else(|| ImageError::MissingBlob(name.to_owned()))?;
    let entries: Vec<Entry> = serde_json::from_slice(&bytes).map_err(|source| ImageError::Json {
        name: name.to_owned(),
        source,
    })?;
    Ok(entries
        .into_iter()
        .map(|entry| {
            let reference = entry
                .repo_tags
                .and_then(|tags| tags.into_iter().next())
                .unwrap_or_else(|| digest_of(&entry.config));
            Manifest {
                reference,
                platform: None,
                config: Some(entry.config),
                layers: entry
                    .layers
                    .into_iter()
                    .map(|blob| LayerRef {
                        digest: digest_of(&blob),
                        blob,
                    })
                    .collect(),
                source: None,
            }
        })
        .collect())
}

/// A digest from a file name: `blobs/sha256/<hex>` → `sha256:<hex>`,
/// `<hex>.json` or `<hex>/layer.tar` → `sha256:<hex>` (the id Docker gave it).
fn digest_of(name: &str) -> String {
    let parts: Vec<&str> = name.split('/').filter(|p| !p.is_empty() && *p != ".").collect();
    match parts.as_slice() {
        ["blobs", algorithm, hex] => format!("{algorithm}:{hex}"),
        [id, "layer.tar"] => format!("sha256:{id}"),
        [file] => format!("sha256:{}", file.trim_end_matches(".json")),
        _ => name.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::digest_of;

    #[test]
    fn digests_come_from_file_names() {
        assert_eq!(digest_of("blobs/sha256/ab12"), "sha256:ab12");
        assert_eq!(digest_of("ab12/layer.tar"), "sha256:ab12");
        assert_eq!(digest_of("ab12.json"), "sha256:ab12");
    }
}
