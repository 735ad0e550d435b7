//! `hush image registry://…` and `--registry-catalog` against a real registry:
//! Debian's `docker-registry` (the CNCF distribution registry) started on
//! 127.0.0.1 with filesystem storage in a temp dir, images built by the test
//! as OCI layouts and pushed by the real `skopeo copy`. Connection failures and
//! corrupted blobs come from a small TCP proxy on loopback between hush and the
//! registry. The htpasswd file for the auth test is made by `htpasswd -B`
//! (bcrypt, Debian's apache2-utils).
//!
//! When `docker-registry`, `skopeo` or `htpasswd` is missing, a test says so
//! and passes, unless `HUSH_REQUIRE_TOOLS=1` (as under .ci/run).

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine as _;
use serde_json::{json, Value};

use crate::common::images::{config, digest, gzip, tar, Layout};
use crate::common::tools::tool;
use crate::common::{github_token, hush, json, stderr};

/// A registry process, killed when dropped.
struct Registry {
    child: Child,
    port: u16,
    _dir: tempfile::TempDir,
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Registry {
    fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }
}

/// The programs these tests drive, or `None` (after saying so).
struct Tools {
    registry: PathBuf,
    skopeo: PathBuf,
}

fn tools() -> Option<Tools> {
    Some(Tools {
        registry: tool("docker-registry")?,
        skopeo: tool("skopeo")?,
    })
}

fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    listener.local_addr().expect("local address").port()
}

/// Starts the registry: `htpasswd` auth when given a file, `max_entries` per
/// catalog page.
fn start_registry(tools: &Tools, htpasswd: Option<&Path>, max_entries: u32) -> Registry {
    let dir = tempfile::tempdir().expect("temp dir");
    let port = free_port();
    let auth = htpasswd.map_or(String::new(), |file| {
        format!(
            "auth:\n  htpasswd:\n    realm: hush-test\n    path: {}\n",
            file.display()
        )
    });
    let config = format!(
        "version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    \
         rootdirectory: {}\n  maintenance:\n    uploadpurging:\n      enabled: false\nhttp:\n  addr: 127.0.0.1:{port}\n\
         catalog:\n  maxentries: {max_entries}\n{auth}",
        dir.path().join("storage").display()
    );
    let config_path = dir.path().join("config.yml");
    std::fs::write(&config_path, config).expect("write registry config");
    let child = Command::new(&tools.registry)
        .arg("serve")
        .arg(&config_path)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start docker-registry");
    let registry = Registry { child, port, _dir: dir };
    let deadline = Instant::now() + Duration::from_secs(20);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "docker-registry did not listen on {port}");
        std::thread::sleep(Duration::from_millis(50));
    }
    registry
}

/// `skopeo copy` of `oci:LAYOUT:TAG` to `registry/DEST`; returns the pushed
/// manifest's digest.
fn push(
    tools: &Tools,
    layout: &Path,
    tag: &str,
    registry: &Registry,
    dest: &str,
    all: bool,
    creds: Option<&str>,
) -> String {
    let digest_file = layout.with_extension(format!("{}.digest", dest.replace(['/', ':'], "_")));
    let mut command = Command::new(&tools.skopeo);
    command
        .args([
            "--insecure-policy",
            "copy",
            "--quiet",
            "--dest-tls-verify=false",
            "--digestfile",
        ])
        .arg(&digest_file);
    if all {
        command.arg("--all");
    }
    if let Some(creds) = creds {
        command.args(["--dest-creds", creds]);
    }
    let out = command
        .arg(format!("oci:{}:{tag}", layout.display()))
        .arg(format!("docker://{}/{dest}", registry.host()))
        .output()
        .expect("run skopeo");
    assert!(out.status.success(), "skopeo copy: {}", stderr(&out));
    std::fs::read_to_string(&digest_file)
        .expect("digest file")
        .trim()
        .to_owned()
}

/// Runs `hush image ARGS --format json --show-secrets`, with a docker config
/// directory of its own (empty unless the test writes one).
fn scan(config_dir: &Path, args: &[&str]) -> Output {
    hush()
        .arg("image")
        .args(args)
        .args(["--format", "json", "--show-secrets"])
        .env("DOCKER_CONFIG", config_dir)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .expect("hush runs")
}

fn findings(doc: &Value) -> &Vec<Value> {
    doc["findings"].as_array().expect("findings array")
}

/// Every (secret, path) of a report, sorted.
fn secrets_and_paths(doc: &Value) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = findings(doc)
        .iter()
        .flat_map(|f| {
            let secret = f["secret"].as_str().expect("secret").to_owned();
            f["locations"]
                .as_array()
                .expect("locations")
                .iter()
                .map(move |l| (secret.clone(), l["path"].as_str().expect("path").to_owned()))
        })
        .collect();
    out.sort();
    out
}

fn errors(doc: &Value) -> Vec<String> {
    doc["stats"]["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| {
            format!(
                "{} {}",
                e["path"].as_str().unwrap_or(""),
                e["message"].as_str().unwrap_or("")
            )
        })
        .collect()
}

/// An image with a token in a layer file and one in the config's Env, under
/// `tag` in an OCI layout at `dir`; returns the two tokens.
fn simple_image(layout: &mut Layout, tag: &str, seed: u64) -> (String, String) {
    let (file_token, env_token) = (github_token(seed), github_token(seed + 1));
    let layer = tar(&[
        ("etc/app/.env", format!("GITHUB_TOKEN={file_token}\n").as_bytes()),
        ("etc/app/readme.txt", b"nothing here\n"),
    ]);
    let cfg = config(
        "linux/amd64",
        &[format!("DEPLOY_TOKEN={env_token}")],
        &[("COPY .env /etc/app/", false)],
        &[digest(&layer)],
    );
    let mut descriptor = layout.image(cfg, &[gzip(&layer)], None);
    descriptor["annotations"] = json!({"org.opencontainers.image.ref.name": tag});
    layout.index.push(descriptor);
    (file_token, env_token)
}

#[test]
fn a_tag_and_a_digest_are_scanned_like_the_layout_they_were_pushed_from() {
    let Some(tools) = tools() else { return };
    let registry = start_registry(&tools, None, 1000);
    let dir = tempfile::tempdir().expect("temp dir");
    let mut layout = Layout::default();
    let (file_token, env_token) = simple_image(&mut layout, "1.0", 10);
    let oci = dir.path().join("oci");
    layout.write_dir(&oci);
    let pushed = push(&tools, &oci, "1.0", &registry, "team/app:1.0", false, None);

    let by_tag = format!("registry://{}/team/app:1.0", registry.host());
    let out = scan(dir.path(), &[&by_tag, "--insecure-registry"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let doc = json(&out);
    let found = secrets_and_paths(&doc);
    let secrets: Vec<&str> = found.iter().map(|(s, _)| s.as_str()).collect();
    assert!(
        secrets.contains(&file_token.as_str()) && secrets.contains(&env_token.as_str()),
        "{found:?}"
    );
    assert!(
        found
            .iter()
            .any(|(_, p)| p.starts_with(&format!("{by_tag}!sha256:")) && p.ends_with("/etc/app/.env")),
        "{found:?}"
    );
    assert!(errors(&doc).is_empty(), "{:?}", errors(&doc));

    // The same findings as the layout scanned from disk, but for the image's name.
    let local = json(&scan(dir.path(), &[oci.to_str().expect("utf-8 path")]));
    let renamed: Vec<(String, String)> = secrets_and_paths(&local)
        .into_iter()
        .map(|(s, p)| (s, p.replacen(oci.to_str().expect("utf-8"), &by_tag, 1)))
        .collect();
    assert_eq!(found, renamed);

    // By digest: the same image.
    let by_digest = format!("registry://{}/team/app@{pushed}", registry.host());
    let out = scan(dir.path(), &[&by_digest, "--insecure-registry"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let digest_secrets: Vec<String> = secrets_and_paths(&json(&out)).into_iter().map(|(s, _)| s).collect();
    let tag_secrets: Vec<String> = found.iter().map(|(s, _)| s.clone()).collect();
    assert_eq!(digest_secrets, tag_secrets);

    // HTTPS unless --insecure-registry: the plain-HTTP registry is not read.
    let out = scan(dir.path(), &[&by_tag]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(findings(&json(&out)).is_empty());

    // A tag that is not there is an error naming it.
    let missing = format!("registry://{}/team/app:9.9", registry.host());
    let out = scan(dir.path(), &[&missing, "--insecure-registry"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("no manifest 9.9"), "{}", stderr(&out));
}

#[test]
fn a_multi_platform_index_scans_each_platform_and_a_shared_layer_once() {
    let Some(tools) = tools() else { return };
    let registry = start_registry(&tools, None, 1000);
    let dir = tempfile::tempdir().expect("temp dir");
    let shared_token = github_token(20);
    let shared = tar(&[("etc/shared.conf", format!("token={shared_token}\n").as_bytes())]);
    let mut layout = Layout::default();
    let mut manifests = Vec::new();
    let mut tokens = vec![shared_token.clone()];
    for (i, platform) in ["linux/amd64", "linux/arm64"].into_iter().enumerate() {
        let token = github_token(21 + i as u64);
        let own = tar(&[("etc/own.conf", format!("token={token}\n").as_bytes())]);
        let cfg = config(
            platform,
            &[],
            &[("ADD shared", false), ("ADD own", false)],
            &[digest(&shared), digest(&own)],
        );
        manifests.push(layout.image(cfg, &[gzip(&shared), gzip(&own)], Some(platform)));
        tokens.push(token);
    }
    let index = layout.nested_index(manifests, "multi");
    layout.index.push(index);
    let oci = dir.path().join("oci");
    layout.write_dir(&oci);
    push(&tools, &oci, "multi", &registry, "multi:1", true, None);

    let image = format!("registry://{}/multi:1", registry.host());
    let out = scan(dir.path(), &[&image, "--insecure-registry"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let doc = json(&out);
    let mut secrets: Vec<String> = findings(&doc)
        .iter()
        .map(|f| f["secret"].as_str().expect("secret").to_owned())
        .collect();
    secrets.sort();
    tokens.sort();
    assert_eq!(secrets, tokens);
    let shared_finding = findings(&doc)
        .iter()
        .find(|f| f["secret"] == shared_token.as_str())
        .expect("the shared layer's token");
    let mut platforms: Vec<&str> = shared_finding["locations"]
        .as_array()
        .expect("locations")
        .iter()
        .map(|l| l["platform"].as_str().expect("platform"))
        .collect();
    platforms.sort();
    assert_eq!(platforms, ["linux/amd64", "linux/arm64"], "one location per platform");
    // Two configs and three distinct layer files: the shared layer was read once.
    assert_eq!(doc["stats"]["files_scanned"], 5, "{:#}", doc["stats"]);

    let out = scan(
        dir.path(),
        &[&image, "--insecure-registry", "--platform", "linux/arm64"],
    );
    let doc = json(&out);
    assert_eq!(findings(&doc).len(), 2, "{doc:#}");
}

#[test]
fn a_catalog_scan_pages_through_repositories_and_tags_and_shards_by_layer() {
    let Some(tools) = tools() else { return };
    // One repository per catalog page: the Link header is followed.
    let registry = start_registry(&tools, None, 1);
    let dir = tempfile::tempdir().expect("temp dir");
    let mut layout = Layout::default();
    let mut expected = Vec::new();
    for (i, tag) in ["a", "b", "c"].into_iter().enumerate() {
        let (file_token, env_token) = simple_image(&mut layout, tag, 30 + 2 * i as u64);
        expected.extend([file_token, env_token]);
    }
    let oci = dir.path().join("oci");
    layout.write_dir(&oci);
    push(&tools, &oci, "a", &registry, "one:a", false, None);
    push(&tools, &oci, "b", &registry, "two/x:b", false, None);
    push(&tools, &oci, "c", &registry, "two/x:c", false, None);
    push(&tools, &oci, "a", &registry, "three:latest", false, None);

    let host = registry.host();
    let out = scan(dir.path(), &["--registry-catalog", &host, "--insecure-registry"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let whole = json(&out);
    let mut secrets: Vec<String> = findings(&whole)
        .iter()
        .map(|f| f["secret"].as_str().expect("secret").to_owned())
        .collect();
    secrets.sort();
    expected.sort();
    assert_eq!(secrets, expected);
    let images: Vec<String> = secrets_and_paths(&whole)
        .into_iter()
        .filter_map(|(_, p)| p.split('!').next().map(str::to_owned))
        .collect();
    for image in ["one:a", "two/x:b", "two/x:c", "three:latest"] {
        let name = format!("registry://{host}/{image}");
        assert!(images.contains(&name), "{name} not in {images:?}");
    }
    // The layer of one:a and three:latest is the same blob: scanned once.
    assert_eq!(whole["stats"]["files_scanned"], 3 * 2 + 4, "{:#}", whole["stats"]);

    // Two shards: together exactly the whole scan, nothing read twice.
    let mut union = Vec::new();
    let mut files = 0;
    for shard in ["1/2", "2/2"] {
        let out = scan(
            dir.path(),
            &["--registry-catalog", &host, "--insecure-registry", "--shard", shard],
        );
        let doc = json(&out);
        union.extend(secrets_and_paths(&doc));
        files += doc["stats"]["files_scanned"].as_u64().expect("files_scanned");
    }
    union.sort();
    assert_eq!(union, secrets_and_paths(&whole));
    assert_eq!(Some(files), whole["stats"]["files_scanned"].as_u64());
}

#[test]
fn a_decompression_bomb_in_a_layer_is_a_limit_and_the_rest_is_scanned() {
    let Some(tools) = tools() else { return };
    let registry = start_registry(&tools, None, 1000);
    let dir = tempfile::tempdir().expect("temp dir");
    let token = github_token(40);
    let zeros = vec![0u8; 32 << 20];
    let bomb = tar(&[("var/cache/zeros.gz", &gzip(&zeros)[..])]);
    let good = tar(&[("app/.env", format!("T={token}\n").as_bytes())]);
    let cfg = config("linux/amd64", &[], &[("ADD cache", false), ("ADD app", false)], &[]);
    let mut layout = Layout::default();
    let mut descriptor = layout.image(cfg, &[gzip(&bomb), gzip(&good)], None);
    descriptor["annotations"] = json!({"org.opencontainers.image.ref.name": "bomb"});
    layout.index.push(descriptor);
    let oci = dir.path().join("oci");
    layout.write_dir(&oci);
    push(&tools, &oci, "bomb", &registry, "bomb:1", false, None);

    let image = format!("registry://{}/bomb:1", registry.host());
    let out = scan(dir.path(), &[&image, "--insecure-registry"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let doc = json(&out);
    let limit = findings(&doc)
        .iter()
        .find(|f| f["rule_id"] == "archive-limit")
        .unwrap_or_else(|| panic!("no archive-limit finding: {doc:#}"));
    assert!(
        limit["path"].as_str().expect("path").ends_with("var/cache/zeros.gz"),
        "{limit:#}"
    );
    assert!(findings(&doc).iter().any(|f| f["secret"] == token.as_str()), "{doc:#}");
}

/// What the proxy does to the response to a request that names `target`.
#[derive(Clone, Copy)]
enum Fault {
    /// Closes the connection after this many bytes of the response.
    Cut(usize),
    /// Flips the bits of the response body's byte at this offset.
    Flip(usize),
}

/// A TCP proxy on loopback to `upstream`, faulting the response to any
/// request whose bytes contain `target`. Runs until the test ends.
fn faulty_proxy(upstream: u16, target: String, fault: Fault) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind proxy");
    let port = listener.local_addr().expect("proxy address").port();
    std::thread::spawn(move || {
        for client in listener.incoming() {
            let Ok(client) = client else { return };
            let Ok(server) = TcpStream::connect(("127.0.0.1", upstream)) else {
                return;
            };
            // Requests on a connection are sequential: when the target request
            // passes, the response bytes from then on are its response.
            let state = Arc::new(Mutex::new((0usize, None::<usize>)));
            let (mut client_in, mut server_out) =
                (client.try_clone().expect("clone"), server.try_clone().expect("clone"));
            let requests = state.clone();
            let target = target.clone();
            std::thread::spawn(move || {
                let mut buf = vec![0u8; 64 << 10];
                while let Ok(n) = client_in.read(&mut buf) {
                    if n == 0 {
                        break;
                    }
                    if String::from_utf8_lossy(&buf[..n]).contains(&target) {
                        let mut s = requests.lock().expect("state");
                        s.1 = Some(s.0);
                    }
                    if server_out.write_all(&buf[..n]).is_err() {
                        break;
                    }
                }
                let _ = server_out.shutdown(Shutdown::Write);
            });
            let (mut server_in, mut client_out) = (server, client);
            std::thread::spawn(move || {
                let mut buf = vec![0u8; 64 << 10];
                while let Ok(n) = server_in.read(&mut buf) {
                    if n == 0 {
                        break;
                    }
                    let mut s = state.lock().expect("state");
                    let start = s.0;
                    s.0 += n;
                    let mut chunk = buf[..n].to_vec();
                    if let Some(at) = s.1 {
                        match fault {
                            Fault::Cut(after) => {
                                let keep = (at + after).saturating_sub(start).min(n);
                                let _ = client_out.write_all(&chunk[..keep]);
                                if keep < n {
                                    let _ = client_out.shutdown(Shutdown::Both);
                                    let _ = server_in.shutdown(Shutdown::Both);
                                    return;
                                }
                                continue;
                            }
                            Fault::Flip(offset) => {
                                // The headers come in the response's first read.
                                let body = (start == at)
                                    .then(|| chunk.windows(4).position(|w| w == b"\r\n\r\n"))
                                    .flatten();
                                if let Some(byte) = body.and_then(|b| chunk.get_mut(b + 4 + offset)) {
                                    *byte ^= 0xff;
                                }
                            }
                        }
                    }
                    drop(s);
                    if client_out.write_all(&chunk).is_err() {
                        break;
                    }
                }
                let _ = client_out.shutdown(Shutdown::Write);
            });
        }
    });
    port
}

/// An image of two layers: a large one (cut or corrupted by the proxy) and a
/// small one holding a token. Returns (registry, large layer's digest, token).
fn two_layer_image(tools: &Tools, dir: &Path) -> (Registry, String, String) {
    let registry = start_registry(tools, None, 1000);
    let token = github_token(50);
    // Text that does not compress much: a dropped connection falls mid-body.
    let noise: String = (0..6000u32)
        .map(|i| format!("{:08x}{:08x}\n", i.wrapping_mul(2_654_435_761), i.wrapping_mul(40_503)))
        .collect();
    // gzip: skopeo pushes an uncompressed layer compressed (a new digest).
    let big = gzip(&tar(&[("var/log/noise.log", noise.as_bytes())]));
    let big_digest = digest(&big);
    let good = gzip(&tar(&[("app/.env", format!("T={token}\n").as_bytes())]));
    let cfg = config("linux/amd64", &[], &[("ADD logs", false), ("ADD app", false)], &[]);
    let mut layout = Layout::default();
    let mut descriptor = layout.image(cfg, &[big, good], None);
    descriptor["annotations"] = json!({"org.opencontainers.image.ref.name": "two"});
    layout.index.push(descriptor);
    let oci = dir.join("oci");
    layout.write_dir(&oci);
    push(tools, &oci, "two", &registry, "two:1", false, None);
    (registry, big_digest, token)
}

#[test]
fn a_connection_dropped_mid_layer_is_an_error_naming_the_layer_and_the_rest_is_scanned() {
    let Some(tools) = tools() else { return };
    let dir = tempfile::tempdir().expect("temp dir");
    let (registry, big_digest, token) = two_layer_image(&tools, dir.path());
    let proxy = faulty_proxy(registry.port, format!("blobs/{big_digest}"), Fault::Cut(4096));
    let image = format!("registry://127.0.0.1:{proxy}/two:1");
    let out = scan(dir.path(), &[&image, "--insecure-registry"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "the other layer's finding: {}",
        stderr(&out)
    );
    let doc = json(&out);
    assert_eq!(findings(&doc).len(), 1, "{doc:#}");
    assert_eq!(findings(&doc)[0]["secret"], token.as_str());
    let errors = errors(&doc);
    assert!(
        errors.iter().any(|e| e.contains(&format!("{image}!{big_digest}"))),
        "an error naming the layer: {errors:?}"
    );
    // As for any unreadable layer: a warning.
    assert!(
        stderr(&out).contains(&format!("hush: warning: {image}!{big_digest}")),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_blob_whose_digest_does_not_match_is_reported() {
    let Some(tools) = tools() else { return };
    let dir = tempfile::tempdir().expect("temp dir");
    // A flipped byte in the gzip header's modification time: the layer still
    // decompresses, only the digest can tell.
    let (registry, big_digest, _) = two_layer_image(&tools, dir.path());
    let proxy = faulty_proxy(registry.port, format!("blobs/{big_digest}"), Fault::Flip(4));
    let image = format!("registry://127.0.0.1:{proxy}/two:1");
    let out = scan(dir.path(), &[&image, "--insecure-registry"]);
    let doc = json(&out);
    let errors = errors(&doc);
    assert!(
        errors
            .iter()
            .any(|e| e.contains(&format!("{image}!{big_digest}")) && e.contains("digest mismatch")),
        "{errors:?}"
    );
}

#[test]
fn htpasswd_auth_uses_the_auth_file_and_never_prints_the_password() {
    let Some(tools) = tools() else { return };
    let Some(htpasswd) = tool("htpasswd") else { return };
    let dir = tempfile::tempdir().expect("temp dir");
    let user = "scanner";
    let password = ["pw", &github_token(70)[4..20]].concat();
    let file = dir.path().join("htpasswd");
    let out = Command::new(htpasswd)
        .args(["-B", "-b", "-c"])
        .arg(&file)
        .args([user, &password])
        .output()
        .expect("run htpasswd");
    assert!(out.status.success(), "htpasswd: {}", stderr(&out));
    let registry = start_registry(&tools, Some(&file), 1000);
    let mut layout = Layout::default();
    let (file_token, _) = simple_image(&mut layout, "1", 71);
    let oci = dir.path().join("oci");
    layout.write_dir(&oci);
    push(
        &tools,
        &oci,
        "1",
        &registry,
        "private:1",
        false,
        Some(&format!("{user}:{password}")),
    );
    let image = format!("registry://{}/private:1", registry.host());

    // No credentials: a 401 the error explains.
    let out = scan(dir.path(), &[&image, "--insecure-registry"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("asks for a user and password"),
        "{}",
        stderr(&out)
    );

    let auth_file = |pass: &str| {
        let encoded = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{pass}"));
        let path = dir.path().join(format!("auth-{}.json", pass.len()));
        let doc = json!({"auths": {registry.host(): {"auth": encoded}}});
        std::fs::write(&path, doc.to_string()).expect("write auth file");
        path
    };
    let good = auth_file(&password);
    let out = scan(
        dir.path(),
        &[
            &image,
            "--insecure-registry",
            "--registry-auth-file",
            good.to_str().expect("utf-8"),
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(findings(&json(&out)).iter().any(|f| f["secret"] == file_token.as_str()));
    for stream in [&out.stdout, &out.stderr] {
        assert!(!String::from_utf8_lossy(stream).contains(&password));
    }

    let wrong = auth_file("not-the-password");
    let out = scan(
        dir.path(),
        &[
            &image,
            "--insecure-registry",
            "--registry-auth-file",
            wrong.to_str().expect("utf-8"),
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("refused the credentials"), "{}", stderr(&out));
    assert!(!stderr(&out).contains("not-the-password"));

    // A credential helper in the docker config is named, never run.
    let config_dir = dir.path().join("docker");
    std::fs::create_dir_all(&config_dir).expect("mkdir");
    std::fs::write(config_dir.join("config.json"), r#"{"credsStore": "hush-test-helper"}"#).expect("write config");
    let out = scan(&config_dir, &[&image, "--insecure-registry"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("docker-credential-hush-test-helper"),
        "{}",
        stderr(&out)
    );
    assert!(
        stderr(&out).contains("never runs credential helpers"),
        "{}",
        stderr(&out)
    );

    // An auth file that is not there is a flag error.
    let out = scan(dir.path(), &[&image, "--registry-auth-file", "/nonexistent/auth.json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--registry-auth-file"), "{}", stderr(&out));
}
