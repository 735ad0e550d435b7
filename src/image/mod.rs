//! The container image source (`hush image`): `docker save` tarballs and OCI
//! image layouts (a directory or a tarball), single- or multi-platform.
//!
//! An image is read in three steps: the manifests (`manifest.json` or
//! `index.json` and the manifests it names) say which config and layers make
//! each image; each config's `Env`, `Cmd`, `Entrypoint`, `Labels` and history
//! are scanned; each distinct layer blob is scanned once, as a stream (see
//! [`layer`]), and its findings are copied to every image and position that
//! uses it, each with the `created_by` of the history entry that made it and,
//! where a later layer's whiteout deletes the file, that layer's index.
//!
//! A missing manifest, config or layer blob is an error naming it; the rest of
//! the image is still scanned.
//!
//! An image in a registry (`registry://HOST/REPO:TAG`, or every tag of a
//! registry's catalog) is read the same way, its manifests fetched by
//! [`registry`] and its blobs streamed over HTTP (see [`store::Store`]).

mod auth;
mod config;
mod docker;
mod layer;
mod oci;
mod registry;
mod store;

pub use auth::{AuthError, RegistryAuth};
pub use registry::RegistryOptions;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use hush_rules::RuleSet;

use crate::finding::FindingSet;
use crate::origin::{ImageName, Origin};
use crate::search::{drop_allowed, ScanOptions, ScanOutcome};
use crate::stats::ScanStats;
use crate::stream::StreamScanner;
use config::Config;
use layer::{LayerJob, LayerScan};
use store::Store;

/// How to scan images: the scan options, and which platform to pick.
#[derive(Debug, Clone, Default)]
pub struct ImageOptions {
    pub scan: ScanOptions,
    /// `os/arch[/variant]`: scan only this platform of a multi-platform image.
    pub platform: Option<String>,
    /// How registries are reached (for `registry://` images and catalogs).
    pub registry: RegistryOptions,
    /// Registry hosts whose every repository and tag is scanned.
    pub catalogs: Vec<String>,
}

/// Why an image could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ImageError {
    #[error("{path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{0}: neither a docker-save tarball nor an OCI layout (no manifest.json or index.json)")]
    NotAnImage(String),
    #[error("{0}: a compressed image tarball; decompress it first (gunzip, zstd -d): layers are read in place")]
    Compressed(String),
    #[error("the manifest references {0}, which is not in the image")]
    MissingBlob(String),
    #[error("{name}: invalid JSON: {source}")]
    Json {
        name: String,
        #[source]
        source: serde_json::Error,
    },
    #[error("{0}: larger than any manifest or config should be")]
    TooLarge(String),
    #[error("{0}: not a valid blob name or digest")]
    BadName(String),
    #[error("{0}: image indexes nested too deep")]
    TooDeep(String),
    #[error("no image for platform {wanted}; the image has: {available}")]
    NoPlatform { wanted: String, available: String },
    #[error("{0}")]
    Registry(String),
}

/// One image manifest, as the layout describes it.
pub(crate) struct Manifest {
    /// The image's reference (tag), or a digest.
    pub reference: String,
    /// From the index, where it says.
    pub platform: Option<String>,
    /// The config's name in the store.
    pub config: Option<String>,
    pub layers: Vec<LayerRef>,
    /// Where the image is, when not the scan's one source (each tag of a
    /// registry's catalog).
    pub source: Option<String>,
}

/// A layer of a manifest.
pub(crate) struct LayerRef {
    /// The blob's name in the store.
    pub blob: String,
    pub digest: String,
}

/// An image ready to scan: its name, config and layers with their commands.
struct Plan {
    name: Arc<ImageName>,
    /// The config's blob name (its digest), the config's shard key.
    config_digest: String,
    config: Option<Config>,
    layers: Vec<PlannedLayer>,
}

struct PlannedLayer {
    blob: String,
    digest: String,
    created_by: Option<String>,
}

/// Scans each image in `paths`; an image that cannot be read is an error in
/// the outcome's statistics, and the others are still scanned.
pub fn scan_images(rules: &RuleSet, paths: &[PathBuf], opts: &ImageOptions) -> ScanOutcome {
    let mut findings = FindingSet::new();
    let mut stats = ScanStats::default();
    for path in paths {
        let shown = path.to_string_lossy();
        let result = if shown.starts_with(registry::SCHEME) {
            registry::pull(&shown, &opts.registry)
                .and_then(|pulled| scan_pulled(rules, &shown, pulled, opts, &mut findings, &mut stats))
        } else {
            scan_image(rules, path, opts, &mut findings, &mut stats)
        };
        if let Err(e) = result {
            stats.input_error(shown.into_owned(), e.to_string());
        }
    }
    for host in &opts.catalogs {
        let shown = format!("--registry-catalog {host}");
        let result = registry::pull_catalog(host, &opts.registry)
            .and_then(|pulled| scan_pulled(rules, &shown, pulled, opts, &mut findings, &mut stats));
        if let Err(e) = result {
            stats.input_error(shown, e.to_string());
        }
    }
    stats.sort();
    stats.shard = Some(opts.scan.shard).filter(|s| !s.is_whole());
    ScanOutcome {
        findings: findings.into_findings(rules),
        stats,
    }
}

fn scan_image(
    rules: &RuleSet,
    path: &Path,
    opts: &ImageOptions,
    findings: &mut FindingSet,
    stats: &mut ScanStats,
) -> Result<(), ImageError> {
    let source = path.display().to_string();
    let store = Store::open(path)?;
    let manifests = if store.contains("manifest.json") {
        docker::manifests(&store)?
    } else if store.contains("index.json") {
        oci::manifests(&store)?
    } else {
        return Err(ImageError::NotAnImage(source));
    };
    scan_manifests(rules, &store, &source, manifests, opts, findings, stats)
}

/// Scans what a registry sent: images it could not send are errors naming them.
fn scan_pulled(
    rules: &RuleSet,
    source: &str,
    pulled: registry::Pulled,
    opts: &ImageOptions,
    findings: &mut FindingSet,
    stats: &mut ScanStats,
) -> Result<(), ImageError> {
    stats.notes.extend(pulled.notes);
    for (image, error) in pulled.failed {
        stats.input_error(image, error.to_string());
    }
    if pulled.manifests.is_empty() {
        return Ok(());
    }
    let store = Store::Registry(pulled.blobs);
    scan_manifests(rules, &store, source, pulled.manifests, opts, findings, stats)
}

/// Scans the images `manifests` describe, their blobs in `store`.
fn scan_manifests(
    rules: &RuleSet,
    store: &Store,
    source: &str,
    manifests: Vec<Manifest>,
    opts: &ImageOptions,
    findings: &mut FindingSet,
    stats: &mut ScanStats,
) -> Result<(), ImageError> {
    let source = source.to_owned();
    let plans = plan(store, &source, manifests, opts.platform.as_deref(), stats)?;
    let shard = opts.scan.shard;
    let mut scanner = crate::search::scanner(rules, &opts.scan);
    for plan in plans.iter().filter(|p| shard.owns(p.config_digest.as_bytes())) {
        scan_config(&mut scanner, plan, &opts.scan, findings, stats);
    }

    // Each distinct blob once, with the origin of its first use.
    let mut jobs: Vec<LayerJob> = Vec::new();
    let mut job_of: HashMap<&str, usize> = HashMap::new();
    for plan in &plans {
        for (index, layer) in plan.layers.iter().enumerate() {
            if job_of.contains_key(layer.blob.as_str()) || !shard.owns(layer.digest.as_bytes()) {
                continue;
            }
            if !store.contains(&layer.blob) {
                stats.error(
                    source.clone(),
                    ImageError::MissingBlob(layer.digest.clone()).to_string(),
                );
                continue;
            }
            job_of.insert(&layer.blob, jobs.len());
            jobs.push(LayerJob {
                blob: layer.blob.clone(),
                template: layer_origin(plan, index, String::new()),
                label: format!("{}!{}", plan.name.display(), layer.digest),
                whiteouts_only: false,
            });
        }
    }
    let (scans, layer_stats) = layer::scan_layers(rules, store, &jobs, &opts.scan);
    stats.merge(layer_stats);
    let others = other_shards_whiteouts(rules, store, &plans, &job_of, &scans, &opts.scan);
    for plan in &plans {
        let layer_scans: Vec<Option<&LayerScan>> = plan
            .layers
            .iter()
            .map(|l| job_of.get(l.blob.as_str()).and_then(|&j| scans.get(j)))
            .collect();
        let whiteouts: Vec<Option<&layer::Whiteouts>> = plan
            .layers
            .iter()
            .zip(&layer_scans)
            .map(|(l, scan)| scan.map(|s| &s.whiteouts).or_else(|| others.get(l.blob.as_str())))
            .collect();
        for (index, scan) in layer_scans.iter().enumerate() {
            let Some(scan) = scan else { continue };
            let mut copy = scan.findings.clone();
            copy.map_origins(|origin| {
                let Some(Origin::ImageLayer {
                    image,
                    layer_digest,
                    layer_index,
                    path,
                    created_by,
                    deleted_in,
                }) = origin.image_layer_mut()
                else {
                    return;
                };
                let layer = &plan.layers[index];
                *image = plan.name.clone();
                layer_digest.clone_from(&layer.digest);
                *layer_index = index;
                created_by.clone_from(&layer.created_by);
                *deleted_in =
                    (index + 1..whiteouts.len()).find(|&later| whiteouts[later].is_some_and(|w| w.hides(path)));
            });
            findings.merge(copy);
        }
    }
    Ok(())
}

/// The whiteouts of layers another shard scans, where this shard needs them:
/// above a layer in which it found something (a finding's `deleted_in`
/// must not depend on how the scan was split). Those layers are read for
/// their file names only; their errors are the other shard's to report.
fn other_shards_whiteouts(
    rules: &RuleSet,
    store: &Store,
    plans: &[Plan],
    job_of: &HashMap<&str, usize>,
    scans: &[LayerScan],
    opts: &ScanOptions,
) -> HashMap<String, layer::Whiteouts> {
    if opts.shard.is_whole() {
        return HashMap::new();
    }
    let mut jobs: Vec<LayerJob> = Vec::new();
    for plan in plans {
        let found_at = plan.layers.iter().position(|l| {
            job_of
                .get(l.blob.as_str())
                .is_some_and(|&j| scans.get(j).is_some_and(|s| !s.findings.is_empty()))
        });
        let Some(lowest) = found_at else { continue };
        for (index, layer) in plan.layers.iter().enumerate().skip(lowest + 1) {
            let known = job_of.contains_key(layer.blob.as_str()) || jobs.iter().any(|j| j.blob == layer.blob);
            if !known && store.contains(&layer.blob) {
                jobs.push(LayerJob {
                    blob: layer.blob.clone(),
                    template: layer_origin(plan, index, String::new()),
                    label: format!("{}!{}", plan.name.display(), layer.digest),
                    whiteouts_only: true,
                });
            }
        }
    }
    let (read, _) = layer::scan_layers(rules, store, &jobs, opts);
    jobs.into_iter()
        .map(|j| j.blob)
        .zip(read.into_iter().map(|r| r.whiteouts))
        .collect()
}

/// Reads each manifest's config and picks the platform; a missing or broken
/// config is an error, and the image's layers are still scanned.
fn plan(
    store: &Store,
    source: &str,
    manifests: Vec<Manifest>,
    wanted: Option<&str>,
    stats: &mut ScanStats,
) -> Result<Vec<Plan>, ImageError> {
    let mut loaded = Vec::new();
    for manifest in manifests {
        let config = match &manifest.config {
            None => None,
            Some(name) => match store.read(name) {
                Ok(Some(bytes)) => match Config::parse(&bytes) {
                    Ok(config) => Some(config),
                    Err(source_error) => {
                        stats.error(
                            source.to_owned(),
                            ImageError::Json {
                                name: name.clone(),
                                source: source_error,
                            }
                            .to_string(),
                        );
                        None
                    }
                },
                Ok(None) => {
                    stats.error(source.to_owned(), ImageError::MissingBlob(name.clone()).to_string());
                    None
                }
                Err(e) => {
                    stats.error(source.to_owned(), e.to_string());
                    None
                }
            },
        };
        let platform = manifest
            .platform
            .clone()
            .or_else(|| config.as_ref().and_then(Config::platform));
        loaded.push((manifest, config, platform));
    }
    let mut platforms: Vec<String> = loaded.iter().filter_map(|(_, _, p)| p.clone()).collect();
    platforms.sort();
    platforms.dedup();
    // Whether an image (a source) holds several platforms: then each is named.
    let mut platforms_of: HashMap<&str, Vec<&str>> = HashMap::new();
    for (manifest, _, platform) in &loaded {
        let list = platforms_of
            .entry(manifest.source.as_deref().unwrap_or(source))
            .or_default();
        if let Some(p) = platform.as_deref().filter(|p| !list.contains(p)) {
            list.push(p);
        }
    }
    let several: HashMap<String, bool> = platforms_of
        .into_iter()
        .map(|(s, l)| (s.to_owned(), l.len() > 1))
        .collect();
    if let Some(wanted) = wanted {
        loaded.retain(|(_, _, p)| p.as_deref().is_some_and(|p| platform_matches(p, wanted)));
        if loaded.is_empty() {
            return Err(ImageError::NoPlatform {
                wanted: wanted.to_owned(),
                available: platforms.join(", "),
            });
        }
    }
    Ok(loaded
        .into_iter()
        .map(|(manifest, config, platform)| {
            let config_digest = manifest.config.clone();
            let commands = config.as_ref().map(Config::layer_commands).unwrap_or_default();
            let diff_ids = config.as_ref().map(Config::diff_ids).unwrap_or_default();
            // Old docker-save layer files are named by an id, not a digest: use
            // the config's diff ids when they line up.
            let use_diff_ids = diff_ids.len() == manifest.layers.len()
                && manifest.layers.iter().any(|l| l.blob.ends_with("/layer.tar"));
            let layers = manifest
                .layers
                .into_iter()
                .enumerate()
                .map(|(i, layer)| PlannedLayer {
                    digest: if use_diff_ids {
                        diff_ids[i].clone()
                    } else {
                        layer.digest
                    },
                    blob: layer.blob,
                    created_by: commands.get(i).cloned().flatten(),
                })
                .collect();
            let source = manifest.source.unwrap_or_else(|| source.to_owned());
            let several = several.get(&source).copied().unwrap_or(false);
            Plan {
                config_digest: config_digest.unwrap_or_default(),
                name: Arc::new(ImageName {
                    platform: platform.filter(|_| several),
                    source,
                    reference: manifest.reference,
                }),
                config,
                layers,
            }
        })
        .collect())
}

/// `linux/arm64` matches `linux/arm64/v8`; a variant given must match.
fn platform_matches(platform: &str, wanted: &str) -> bool {
    platform == wanted || platform.strip_prefix(wanted).is_some_and(|rest| rest.starts_with('/'))
}

/// The origin of `path` in layer `index` of `plan`.
fn layer_origin(plan: &Plan, index: usize, path: String) -> Origin {
    let layer = &plan.layers[index];
    Origin::ImageLayer {
        image: plan.name.clone(),
        layer_digest: layer.digest.clone(),
        layer_index: index,
        path,
        created_by: layer.created_by.clone(),
        deleted_in: None,
    }
}

/// Scans the config fields where secrets land: environment, command, labels,
/// and the history's commands (build arguments).
fn scan_config(
    scanner: &mut StreamScanner,
    plan: &Plan,
    opts: &ScanOptions,
    findings: &mut FindingSet,
    stats: &mut ScanStats,
) {
    let Some(config) = &plan.config else { return };
    for (field, text) in config.fields() {
        let mut found = Vec::new();
        scanner.scan_bytes(text.as_bytes(), &mut found);
        stats.bytes_scanned += text.len() as u64;
        drop_allowed(scanner.rules(), opts, &mut found, stats);
        let origin = Origin::ImageConfig {
            image: plan.name.clone(),
            field,
        };
        findings.add(&origin, found);
    }
    // Counted as a file, not as a scanning thread: the config is scanned on the
    // calling thread before the layers' `-j` threads start.
    stats.files_scanned += 1;
}

#[cfg(test)]
mod tests {
    use super::platform_matches;

    #[test]
    fn platforms_match_with_or_without_variant() {
        assert!(platform_matches("linux/arm64/v8", "linux/arm64"));
        assert!(platform_matches("linux/arm64/v8", "linux/arm64/v8"));
        assert!(!platform_matches("linux/arm64", "linux/arm"));
        assert!(!platform_matches("linux/amd64", "linux/arm64"));
    }
}
