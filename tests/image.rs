//! `hush image` end to end, on images the tests build themselves: docker-save
//! tarballs and OCI layouts, gzip/zstd/plain layers, whiteouts, config and
//! history secrets, multi-platform indexes, broken and hostile layers.

use std::path::Path;

use crate::common::images::{config, digest, docker_save, gzip, short, tar, zip, zstd, Layout};
use crate::common::{github_token, json, run_in, stderr, stdout};
use serde_json::Value;

fn findings(doc: &Value) -> &Vec<Value> {
    doc["findings"].as_array().expect("findings array")
}

/// The finding whose first path ends with `suffix`.
fn finding_at<'a>(doc: &'a Value, suffix: &str) -> &'a Value {
    findings(doc)
        .iter()
        .find(|f| f["path"].as_str().is_some_and(|p| p.ends_with(suffix)))
        .unwrap_or_else(|| panic!("no finding at …{suffix}: {doc:#}"))
}

/// A docker-save image: layer 0 holds `etc/app/.env` with a token, layer 1
/// optionally deletes it.
fn env_file_image(dir: &Path, delete: bool) -> (String, String) {
    let token = github_token(40);
    let layer0 = tar(&[
        ("etc/app/.env", format!("GITHUB_TOKEN={token}\n").as_bytes()),
        ("etc/app/readme.txt", b"nothing here\n"),
    ]);
    let layer1 = if delete {
        tar(&[("etc/app/.wh..env", b""), ("etc/app/new.txt", b"clean\n")])
    } else {
        tar(&[("etc/app/new.txt", b"clean\n")])
    };
    let diff_ids = [digest(&layer0), digest(&layer1)];
    let cfg = config(
        "linux/amd64",
        &["PATH=/usr/bin".to_owned()],
        &[
            ("COPY .env /etc/app/", false),
            ("ENV MODE=prod", true),
            ("RUN rm /etc/app/.env", false),
        ],
        &diff_ids,
    );
    docker_save(&dir.join("img.tar"), "app:1", &cfg, &[layer0, layer1]);
    (token, diff_ids[0].clone())
}

#[test]
fn secret_in_a_layer_file_names_image_layer_path_and_command() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (token, layer0) = env_file_image(dir.path(), false);
    let out = run_in(dir.path(), &["image", "img.tar", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let doc = json(&out);
    let f = finding_at(&doc, "/etc/app/.env");
    assert_eq!(f["rule_id"], "github-pat");
    assert_eq!(f["path"], format!("img.tar!{}/etc/app/.env", short(&layer0)));
    assert_eq!(f["image"], "app:1");
    assert_eq!(f["layer_digest"], layer0);
    assert_eq!(f["layer_index"], 0);
    assert_eq!(f["layer_created_by"], "COPY .env /etc/app/");
    assert_eq!(f["deleted_in_layer"], Value::Null);
    assert_eq!(f["locations"][0]["layer_index"], 0);
    assert!(!stdout(&out).contains(&token));

    let text = run_in(dir.path(), &["image", "img.tar"]);
    let text = stdout(&text);
    assert!(text.contains("/etc/app/.env:1:14  github-pat  ghp_…(40)"), "{text}");
    assert!(text.contains("created by: COPY .env /etc/app/"), "{text}");
}

#[test]
fn a_file_deleted_by_a_later_whiteout_is_reported_as_deleted() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (_, _) = env_file_image(dir.path(), true);
    let out = run_in(dir.path(), &["image", "img.tar", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let doc = json(&out);
    let f = finding_at(&doc, "/etc/app/.env");
    assert_eq!(f["deleted_in_layer"], 1);
    let text = stdout(&run_in(dir.path(), &["image", "img.tar"]));
    assert!(text.contains("deleted in layer 1, still in the image"), "{text}");
}

#[test]
fn opaque_whiteouts_delete_whole_directories() {
    let dir = tempfile::tempdir().expect("temp dir");
    let layer0 = tar(&[("srv/conf/keys.txt", format!("k={}\n", github_token(41)).as_bytes())]);
    let layer1 = tar(&[("srv/conf/.wh..wh..opq", b""), ("srv/conf/new.txt", b"x\n")]);
    let cfg = config("linux/amd64", &[], &[("ADD a", false), ("ADD b", false)], &[]);
    docker_save(&dir.path().join("img.tar"), "opq:1", &cfg, &[layer0, layer1]);
    let doc = json(&run_in(dir.path(), &["image", "img.tar", "--format", "json"]));
    assert_eq!(finding_at(&doc, "srv/conf/keys.txt")["deleted_in_layer"], 1);
}

#[test]
fn env_and_build_arg_secrets_in_the_config_are_found() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (env_token, arg_token) = (github_token(42), github_token(43));
    let layer = tar(&[("app/main.py", b"print('hi')\n")]);
    let cfg = config(
        "linux/amd64",
        &["PATH=/usr/bin".to_owned(), format!("GITHUB_TOKEN={env_token}")],
        &[(&format!("RUN |1 GH_TOKEN={arg_token} /bin/sh -c make"), false)],
        &[digest(&layer)],
    );
    docker_save(&dir.path().join("img.tar"), "cfg:1", &cfg, &[layer]);
    let out = run_in(dir.path(), &["image", "img.tar", "--format", "json", "--show-secrets"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let doc = json(&out);
    let env = finding_at(&doc, "!config.Env[1]");
    assert_eq!(env["secret"], env_token.as_str());
    assert_eq!(env["config_field"], "Env[1]");
    assert_eq!(env["path"], "img.tar!config.Env[1]");
    assert_eq!(env["image"], "cfg:1");
    assert_eq!(env["layer_digest"], Value::Null);
    let arg = finding_at(&doc, "!config.history[0].created_by");
    assert_eq!(arg["secret"], arg_token.as_str());
}

/// An OCI layout with a nested multi-platform index (as buildx writes it),
/// an attestation manifest, and a token per platform.
fn multi_platform(layer_for: impl Fn(&[u8]) -> Vec<u8>) -> (Layout, String, String) {
    let (amd, arm) = (github_token(50), github_token(51));
    let mut layout = Layout::default();
    let mut manifests = Vec::new();
    for (platform, token) in [("linux/amd64", &amd), ("linux/arm64", &arm)] {
        let layer = tar(&[("etc/token", format!("t={token}\n").as_bytes())]);
        let cfg = config(platform, &[], &[("COPY token /etc/", false)], &[digest(&layer)]);
        manifests.push(layout.image(cfg, &[layer_for(&layer)], Some(platform)));
    }
    let attestation = layout.image(b"{}".to_vec(), &[], Some("unknown/unknown"));
    manifests.push(attestation);
    let index = layout.nested_index(manifests, "multi:1");
    layout.index.push(index);
    (layout, amd, arm)
}

#[test]
fn a_multi_platform_index_scans_every_platform_and_platform_picks_one() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (layout, amd, arm) = multi_platform(gzip);
    layout.write_dir(&dir.path().join("oci"));
    let out = run_in(dir.path(), &["image", "oci", "--format", "json", "--show-secrets"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let doc = json(&out);
    let mut seen: Vec<(String, String)> = findings(&doc)
        .iter()
        .map(|f| {
            (
                f["platform"].as_str().expect("platform").to_owned(),
                f["secret"].as_str().expect("secret").to_owned(),
            )
        })
        .collect();
    seen.sort();
    assert_eq!(
        seen,
        vec![
            ("linux/amd64".to_owned(), amd.clone()),
            ("linux/arm64".to_owned(), arm.clone())
        ]
    );
    assert_eq!(findings(&doc)[0]["image"], "multi:1");
    assert!(findings(&doc)[0]["path"]
        .as_str()
        .expect("path")
        .starts_with("oci@linux/"));

    let out = run_in(
        dir.path(),
        &[
            "image",
            "oci",
            "--platform",
            "linux/arm64",
            "--format",
            "json",
            "--show-secrets",
        ],
    );
    let doc = json(&out);
    assert_eq!(findings(&doc).len(), 1, "{doc:#}");
    assert_eq!(findings(&doc)[0]["secret"], arm.as_str());

    let out = run_in(dir.path(), &["image", "oci", "--platform", "windows/amd64"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("linux/amd64, linux/arm64"), "{}", stderr(&out));
}

#[test]
fn an_oci_tarball_with_zstd_layers_is_read_in_place() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (layout, amd, _) = multi_platform(zstd);
    layout.write_tar(&dir.path().join("oci.tar"));
    let out = run_in(
        dir.path(),
        &[
            "image",
            "oci.tar",
            "--platform",
            "linux/amd64",
            "--format",
            "json",
            "--show-secrets",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let doc = json(&out);
    assert_eq!(findings(&doc)[0]["secret"], amd.as_str());
    assert!(findings(&doc)[0]["path"]
        .as_str()
        .expect("path")
        .ends_with("/etc/token"));
}

#[test]
fn a_corrupt_gzip_layer_is_reported_and_the_other_layers_scanned() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut layout = Layout::default();
    let big: String = (0..20_000)
        .map(|i| format!("line {i} of a file that compresses\n"))
        .collect();
    let mut broken = gzip(&tar(&[("var/log/big.log", big.as_bytes())]));
    broken.truncate(broken.len() / 2);
    let good = tar(&[("app/.env", format!("T={}\n", github_token(60)).as_bytes())]);
    let cfg = config("linux/amd64", &[], &[("ADD logs", false), ("ADD app", false)], &[]);
    let broken_digest = digest(&broken);
    let descriptor = layout.image(cfg, &[broken, gzip(&good)], None);
    layout.index.push(descriptor);
    layout.write_dir(&dir.path().join("oci"));
    let out = run_in(dir.path(), &["image", "oci", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "findings win over errors: {}", stderr(&out));
    let doc = json(&out);
    assert_eq!(findings(&doc).len(), 1);
    assert_eq!(finding_at(&doc, "app/.env")["layer_index"], 1);
    let errors = doc["stats"]["errors"].as_array().expect("errors");
    assert!(
        errors
            .iter()
            .any(|e| e["path"].as_str().is_some_and(|p| p.contains(&broken_digest))),
        "{errors:?}"
    );
}

#[test]
fn a_missing_blob_is_a_warning_naming_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut layout = Layout::default();
    let layer = gzip(&tar(&[("a.txt", b"clean\n")]));
    let lost = digest(&layer);
    let descriptor = layout.image(config("linux/amd64", &[], &[], &[]), &[layer], None);
    layout.index.push(descriptor);
    layout.remove(&lost);
    layout.write_tar(&dir.path().join("oci.tar"));
    // The image was read; one of its layers was not: a warning, and exit 2
    // only with --strict.
    let out = run_in(dir.path(), &["image", "oci.tar"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).lines().any(|l| l.starts_with("hush: warning: oci.tar")
            && l.contains(&format!("references {lost}, which is not in the image"))),
        "{}",
        stderr(&out)
    );
    let out = run_in(dir.path(), &["image", "oci.tar", "--strict"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
}

#[test]
fn dot_dot_and_absolute_paths_are_only_names() {
    let dir = tempfile::tempdir().expect("temp dir");
    let escape = dir.path().join("escaped");
    let depth = dir.path().components().count() + 2;
    let sneaky = format!(
        "{}{}",
        "../".repeat(depth),
        escape.display().to_string().trim_start_matches('/')
    );
    let token = github_token(70);
    let body = format!("t={token}\n");
    let layer = tar(&[(sneaky.as_str(), body.as_bytes()), ("/etc/abs.conf", body.as_bytes())]);
    let cfg = config("linux/amd64", &[], &[("ADD x", false)], &[digest(&layer)]);
    docker_save(&dir.path().join("img.tar"), "evil:1", &cfg, &[layer]);
    let out = run_in(dir.path(), &["image", "img.tar", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let doc = json(&out);
    let paths: Vec<&str> = findings(&doc)[0]["locations"]
        .as_array()
        .expect("locations")
        .iter()
        .map(|l| l["path"].as_str().expect("path"))
        .collect();
    assert_eq!(paths.len(), 2, "{paths:?}");
    assert!(paths.iter().any(|p| p.ends_with("/etc/abs.conf")), "{paths:?}");
    assert!(paths.iter().any(|p| p.contains("/../../")), "{paths:?}");
    assert!(!escape.exists(), "a layer path was resolved on the filesystem");
}

#[test]
fn a_jar_in_a_tarball_in_a_layer_is_found_with_the_joined_path() {
    let dir = tempfile::tempdir().expect("temp dir");
    let token = github_token(80);
    let jar = zip(&[
        ("META-INF/MANIFEST.MF", b"Manifest-Version: 1.0\n"),
        ("application.properties", format!("github.token={token}\n").as_bytes()),
    ]);
    let bundle = gzip(&tar(&[("lib/app.jar", &jar)]));
    let layer = tar(&[("opt/bundle.tar.gz", &bundle)]);
    let cfg = config("linux/amd64", &[], &[("COPY bundle /opt/", false)], &[digest(&layer)]);
    docker_save(
        &dir.path().join("img.tar"),
        "nested:1",
        &cfg,
        std::slice::from_ref(&layer),
    );
    let out = run_in(dir.path(), &["image", "img.tar", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let doc = json(&out);
    let f = finding_at(&doc, "application.properties");
    assert_eq!(
        f["path"],
        format!(
            "img.tar!{}/opt/bundle.tar.gz!lib/app.jar!application.properties",
            short(&digest(&layer))
        )
    );
    assert_eq!(f["layer_index"], 0);
    assert_eq!(f["image"], "nested:1");
}

#[test]
fn not_an_image_and_compressed_tarballs_are_errors() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("plain.tar"), tar(&[("a.txt", b"x\n")])).expect("write");
    std::fs::write(dir.path().join("img.tar.gz"), gzip(&tar(&[("manifest.json", b"[]")]))).expect("write");
    std::fs::write(dir.path().join("junk"), b"\x00\x01 not a tar").expect("write");
    for (name, message) in [
        ("plain.tar", "no manifest.json or index.json"),
        ("img.tar.gz", "decompress it first"),
        ("junk", "neither a docker-save tarball nor an OCI layout"),
    ] {
        let out = run_in(dir.path(), &["image", name]);
        assert_eq!(out.status.code(), Some(2), "{name}");
        assert!(stderr(&out).contains(message), "{name}: {}", stderr(&out));
    }
}
