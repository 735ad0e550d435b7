//! OCI image layouts: `index.json` lists manifests (or nested indexes, as for a
//! multi-platform image) by digest; each blob is `blobs/<algorithm>/<hex>`.
//! Attestation manifests (platform `unknown/unknown`) are not images and are
//! left out.

use std::collections::HashMap;

use serde::Deserialize;

use super::store::Store;
use super::{ImageError, LayerRef, Manifest};

/// Nested indexes followed below `index.json`.
const MAX_NESTING: usize = 4;
const REF_NAME: &str = "org.opencontainers.image.ref.name";
const CONTAINERD_NAME: &str = "io.containerd.image.name";

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Descriptor {
    pub digest: String,
    #[serde(default)]
    platform: Option<Platform>,
    #[serde(default)]
    annotations: Option<HashMap<String, String>>,
}

#[derive(Deserialize)]
struct Platform {
    #[serde(default)]
    os: String,
    #[serde(default)]
    architecture: String,
    #[serde(default)]
    variant: Option<String>,
}

impl Platform {
    fn name(&self) -> String {
        match &self.variant {
            Some(v) if !v.is_empty() => format!("{}/{}/{v}", self.os, self.architecture),
            _ => format!("{}/{}", self.os, self.architecture),
        }
    }
}

/// An index or an image manifest: which one is told by `manifests` (the
/// same shape for OCI and Docker v2 manifests and manifest lists).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Document {
    #[serde(default)]
    pub schema_version: Option<u32>,
    #[serde(default)]
    pub manifests: Option<Vec<Descriptor>>,
    #[serde(default)]
    config: Option<Descriptor>,
    #[serde(default)]
    layers: Vec<Descriptor>,
}

/// The blob name of a digest: `sha256:<hex>` → `blobs/sha256/<hex>`. A digest
/// that could name anything else is an error.
pub(crate) fn blob_name(digest: &str) -> Result<String, ImageError> {
    let valid =
        |s: &str, extra: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || extra.contains(c));
    match digest.split_once(':') {
        Some((algorithm, hex)) if valid(algorithm, "+._-") && valid(hex, "=_-") => {
            Ok(format!("blobs/{algorithm}/{hex}"))
        }
        _ => Err(ImageError::BadName(digest.to_owned())),
    }
}

/// Every image manifest reachable from `index.json`.
pub(crate) fn manifests(store: &Store) -> Result<Vec<Manifest>, ImageError> {
    let index = read_document(store, "index.json", "index.json")?;
    let mut out = Vec::new();
    let mut fetch =
        |digest: &str| -> Result<Document, ImageError> { read_document(store, &blob_name(digest)?, digest) };
    for descriptor in index.manifests.unwrap_or_default() {
        collect(&mut fetch, descriptor, None, 0, &mut out)?;
    }
    Ok(out)
}

fn read_document(store: &Store, name: &str, digest: &str) -> Result<Document, ImageError> {
    let bytes = store
        .read(name)?
        .ok_or_else(|| ImageError::MissingBlob(digest.to_owned()))?;
    serde_json::from_slice(&bytes).map_err(|source| ImageError::Json {
        name: digest.to_owned(),
        source,
    })
}

/// Reads a manifest or index by its digest.
pub(crate) type Fetch<'f> = dyn FnMut(&str) -> Result<Document, ImageError> + 'f;

/// Follows one descriptor: an image manifest is added, an index is walked
/// (its documents read by `fetch`).
pub(crate) fn collect(
    fetch: &mut Fetch,
    descriptor: Descriptor,
    reference: Option<&str>,
    depth: usize,
    out: &mut Vec<Manifest>,
) -> Result<(), ImageError> {
    if let Some(p) = &descriptor.platform {
        if p.os == "unknown" {
            return Ok(());
        }
    }
    let named = descriptor
        .annotations
        .as_ref()
        .and_then(|a| a.get(REF_NAME).or_else(|| a.get(CONTAINERD_NAME)))
        .map(String::as_str);
    let reference = named.or(reference);
    let document = fetch(&descriptor.digest)?;
    let platform = descriptor.platform.as_ref().map(Platform::name);
    walk(fetch, document, &descriptor.digest, reference, platform, depth, out)
}

/// Adds an image manifest, or walks an index (`digest` names the document).
pub(crate) fn walk(
    fetch: &mut Fetch,
    document: Document,
    digest: &str,
    reference: Option<&str>,
    platform: Option<String>,
    depth: usize,
    out: &mut Vec<Manifest>,
) -> Result<(), ImageError> {
    if let Some(children) = document.manifests {
        if depth >= MAX_NESTING {
            return Err(ImageError::TooDeep(digest.to_owned()));
        }
        for child in children {
            collect(fetch, child, reference, depth + 1, out)?;
        }
        return Ok(());
    }
    let mut layers = Vec::new();
    for layer in document.layers {
        layers.push(LayerRef {
            blob: blob_name(&layer.digest)?,
            digest: layer.digest,
        });
    }
    let config = match document.config {
        Some(c) => Some(blob_name(&c.digest)?),
        None => None,
    };
    out.push(Manifest {
        reference: reference.map_or_else(|| digest.to_owned(), str::to_owned),
        platform,
        config,
        layers,
        source: None,
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::blob_name;

    #[test]
    fn digests_name_blobs_and_nothing_else() {
        assert_eq!(blob_name("sha256:ab12").expect("valid"), "blobs/sha256/ab12");
        assert!(blob_name("sha256:../../etc/passwd").is_err());
        assert!(blob_name("nocolon").is_err());
        assert!(blob_name("sha256:").is_err());
    }
}
