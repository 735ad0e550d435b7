//! Images in a registry, over the OCI distribution API:
//! `registry://HOST[:PORT]/REPO[:TAG]`, `registry://HOST/REPO@sha256:…`, and a
//! whole registry's catalog (`--registry-catalog HOST`: every tag of every
//! repository, pages followed through the `Link` header).
//!
//! A registry is one more way to get an image's manifests, config and layers:
//! manifests (OCI and Docker v2 manifests, indexes and manifest lists) are
//! fetched and walked here, then the image is scanned by the same code as a
//! tarball ([`super::scan_manifests`]), blobs read through [`Blobs`] as HTTP
//! streams, never written to disk. Every blob and every manifest fetched by
//! digest is checked against its sha256 while it streams: a mismatch is an
//! error naming the blob (the bytes are not the image asked for).
//!
//! HTTPS only, unless `--insecure-registry` (then plain HTTP, for local
//! registries). Authentication answers the registry's challenge: Basic with the
//! configured user and password, or Bearer, a token fetched from the realm the
//! registry names (see [`super::auth`]).

use std::collections::HashMap;
use std::io::{self, Read};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sha2::{Digest, Sha256};
use ureq::http::Response;
use ureq::Body;

use super::auth::{parse_challenge, Credential, RegistryAuth};
use super::oci::{self, Document};
use super::store::Opened;
use super::{ImageError, Manifest};

/// Manifests and indexes larger than this are refused (the distribution spec
/// lets registries refuse manifests over 4 MiB).
const MANIFEST_MAX: u64 = 8 << 20;
/// Catalog and tag-list pages larger than this are refused.
const PAGE_MAX: u64 = 64 << 20;
/// Catalog and tag-list pages followed at most.
const MAX_PAGES: usize = 100_000;
/// Every manifest and index type a registry may answer with.
const MANIFEST_ACCEPT: &str = "application/vnd.oci.image.index.v1+json, \
     application/vnd.docker.distribution.manifest.list.v2+json, \
     application/vnd.oci.image.manifest.v1+json, \
     application/vnd.docker.distribution.manifest.v2+json";
/// The scheme of an image argument naming a registry image.
pub(crate) const SCHEME: &str = "registry://";

/// How registries are reached.
#[derive(Debug, Clone, Default)]
pub struct RegistryOptions {
    /// Plain HTTP instead of HTTPS (`--insecure-registry`).
    pub insecure: bool,
    /// Credentials by host.
    pub auth: Arc<RegistryAuth>,
}

/// `registry://HOST[:PORT]/REPO[:TAG|@DIGEST]`, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Reference {
    pub host: String,
    pub repository: String,
    /// A tag or a `sha256:` digest (`latest` when none is given).
    pub reference: String,
}

impl Reference {
    pub fn parse(text: &str) -> Result<Reference, ImageError> {
        // The caller names `text` in the error.
        let bad = |why: &str| ImageError::Registry(why.to_owned());
        let rest = text
            .strip_prefix(SCHEME)
            .ok_or_else(|| bad("does not start with registry://"))?;
        let (host, path) = rest
            .split_once('/')
            .ok_or_else(|| bad("no repository after the host (registry://HOST/REPO:TAG)"))?;
        if !valid_host(host) {
            return Err(bad("not a host[:port]"));
        }
        let (repository, reference) = if let Some((repo, digest)) = path.split_once('@') {
            if !valid_digest(digest) {
                return Err(bad("the digest is not sha256:<64 hex digits>"));
            }
            (repo, digest.to_owned())
        } else {
            match path.rsplit_once(':') {
                Some((repo, tag)) if !tag.contains('/') => {
                    if !valid_tag(tag) {
                        return Err(bad("not a valid tag"));
                    }
                    (repo, tag.to_owned())
                }
                _ => (path, "latest".to_owned()),
            }
        };
        if !valid_repository(repository) {
            return Err(bad(
                "not a valid repository name (lower-case letters, digits, . _ - and /)",
            ));
        }
        Ok(Reference {
            host: host.to_owned(),
            repository: repository.to_owned(),
            reference,
        })
    }

    /// `registry://HOST/REPO:TAG` or `…@sha256:…`.
    fn display(&self) -> String {
        let join = if self.reference.contains(':') { '@' } else { ':' };
        format!("{SCHEME}{}/{}{join}{}", self.host, self.repository, self.reference)
    }
}

fn valid_host(host: &str) -> bool {
    let (name, port) = match host.rsplit_once(':') {
        Some((name, port)) if !name.contains(']') || name.ends_with(']') => (name, Some(port)),
        _ => (host, None),
    };
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '[' | ']' | ':'))
        && port.is_none_or(|p| !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()))
}

/// `component(/component)*`, each `[a-z0-9]+([._-][a-z0-9]+)*` (the
/// distribution spec's grammar, separators simplified to runs of `._-`).
fn valid_repository(repo: &str) -> bool {
    !repo.is_empty()
        && repo.len() <= 255
        && repo.split('/').all(|part| {
            let edge = |c: Option<char>| c.is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
            edge(part.chars().next())
                && edge(part.chars().last())
                && part
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'))
        })
}

fn valid_tag(tag: &str) -> bool {
    !tag.is_empty()
        && tag.len() <= 128
        && !tag.starts_with(['.', '-'])
        && tag
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
}

fn valid_digest(digest: &str) -> bool {
    digest
        .strip_prefix("sha256:")
        .is_some_and(|hex| hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)))
}

/// One registry: where it is, its credentials, the tokens it granted.
pub(crate) struct Client {
    agent: ureq::Agent,
    /// `https://HOST` (or `http://`).
    base: String,
    host: String,
    insecure: bool,
    credential: Option<Credential>,
    /// `Authorization` values by scope (Bearer), or under "" (Basic).
    granted: Mutex<HashMap<String, String>>,
}

impl Client {
    /// A client for `host`, and a note when its credentials are in a helper.
    pub fn new(host: &str, options: &RegistryOptions) -> (Client, Option<String>) {
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .https_only(!options.insecure)
            .timeout_connect(Some(Duration::from_secs(15)))
            .timeout_recv_response(Some(Duration::from_secs(60)))
            .user_agent(concat!("hush/", env!("CARGO_PKG_VERSION")))
            .build()
            .new_agent();
        let (credential, note) = options.auth.for_host(host);
        let scheme = if options.insecure { "http" } else { "https" };
        (
            Client {
                agent,
                base: format!("{scheme}://{host}"),
                host: host.to_owned(),
                insecure: options.insecure,
                credential,
                granted: Mutex::new(HashMap::new()),
            },
            note,
        )
    }

    /// GETs `path` (below the host), answering an authentication challenge
    /// once; any status is returned (404 is for the caller to judge).
    fn get(&self, path: &str, accept: Option<&str>, scope: &str) -> Result<Response<Body>, ImageError> {
        let url = format!("{}{path}", self.base);
        let send = |authorization: Option<&str>| {
            let mut request = self.agent.get(&url);
            if let Some(accept) = accept {
                request = request.header("Accept", accept);
            }
            if let Some(value) = authorization {
                request = request.header("Authorization", value);
            }
            request.call().map_err(|e| self.error(path, e))
        };
        let cached = {
            let granted = self.lock();
            granted.get(scope).or_else(|| granted.get("")).cloned()
        };
        let response = send(cached.as_deref())?;
        if response.status() != 401 {
            return Ok(response);
        }
        let challenge = response
            .headers()
            .get_all("www-authenticate")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .filter_map(parse_challenge)
            .find(|c| c.scheme == "bearer" || c.scheme == "basic");
        let Some(challenge) = challenge else {
            return Err(ImageError::Registry(format!(
                "{}: {path}: 401 Unauthorized without a Basic or Bearer challenge",
                self.host
            )));
        };
        let (key, authorization) = if challenge.scheme == "basic" {
            let header = self
                .credential
                .as_ref()
                .and_then(Credential::basic_header)
                .ok_or_else(|| self.unauthorized(path, "asks for a user and password, and none is configured"))?;
            (String::new(), header)
        } else {
            (
                scope.to_owned(),
                format!("Bearer {}", self.token(&challenge.params, scope)?),
            )
        };
        let response = send(Some(&authorization))?;
        if response.status() == 401 {
            return Err(self.unauthorized(path, "refused the credentials"));
        }
        self.lock().insert(key, authorization);
        Ok(response)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, String>> {
        self.granted.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// A Bearer token from the challenge's realm: with the user and password
    /// (Basic) or the identity token (an OAuth2 refresh token), else anonymous.
    fn token(&self, params: &HashMap<String, String>, scope: &str) -> Result<String, ImageError> {
        let realm = params
            .get("realm")
            .ok_or_else(|| self.unauthorized("", "sent a Bearer challenge without a realm"))?;
        if !(realm.starts_with("https://") || (self.insecure && realm.starts_with("http://"))) {
            return Err(self.unauthorized("", "names a token realm that is not HTTPS"));
        }
        let scope = params.get("scope").map_or(scope, String::as_str);
        let service = params.get("service").map_or("", String::as_str);
        let encode = |s: &str| percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string();
        let response = match &self.credential {
            Some(Credential {
                identity_token: Some(refresh),
                ..
            }) => {
                let form = format!(
                    "grant_type=refresh_token&client_id=hush&service={}&scope={}&refresh_token={}",
                    encode(service),
                    encode(scope),
                    encode(refresh)
                );
                self.agent
                    .post(realm.as_str())
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .send(form.as_bytes())
            }
            credential => {
                let url = format!("{realm}?service={}&scope={}", encode(service), encode(scope));
                let mut request = self.agent.get(&url);
                if let Some(header) = credential.as_ref().and_then(Credential::basic_header) {
                    request = request.header("Authorization", header);
                }
                request.call()
            }
        };
        let mut response = response.map_err(|e| ImageError::Registry(format!("{}: token realm: {e}", self.host)))?;
        if !response.status().is_success() {
            return Err(self.unauthorized(
                "",
                &format!("token realm answered {} for scope {scope}", response.status()),
            ));
        }
        #[derive(serde::Deserialize)]
        struct Token {
            #[serde(default)]
            token: Option<String>,
            #[serde(default)]
            access_token: Option<String>,
        }
        let token: Token = response
            .body_mut()
            .with_config()
            .limit(1 << 20)
            .read_json()
            .map_err(|e| ImageError::Registry(format!("{}: token realm: {e}", self.host)))?;
        token
            .token
            .or(token.access_token)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| self.unauthorized("", "token realm sent no token"))
    }

    fn error(&self, path: &str, error: ureq::Error) -> ImageError {
        ImageError::Registry(format!("{}{path}: {error}", self.base))
    }

    fn unauthorized(&self, path: &str, why: &str) -> ImageError {
        ImageError::Registry(format!("{}{path}: 401 Unauthorized: the registry {why}", self.base))
    }

    /// A non-success status as an error.
    fn status(&self, path: &str, response: &Response<Body>) -> ImageError {
        ImageError::Registry(format!("{}{path}: {}", self.base, response.status()))
    }

    /// A manifest or index by tag or digest, checked against the digest when
    /// fetched by one (or against `Docker-Content-Digest` when the registry sends it).
    fn manifest(&self, repository: &str, reference: &str) -> Result<Document, ImageError> {
        let path = format!("/v2/{repository}/manifests/{reference}");
        let mut response = self.get(&path, Some(MANIFEST_ACCEPT), &pull_scope(repository))?;
        if response.status() == 404 {
            return Err(ImageError::Registry(format!(
                "{}/{repository}: no manifest {reference} (404)",
                self.host
            )));
        }
        if !response.status().is_success() {
            return Err(self.status(&path, &response));
        }
        let sent_digest = response
            .headers()
            .get("docker-content-digest")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let bytes = response
            .body_mut()
            .with_config()
            .limit(MANIFEST_MAX)
            .read_to_vec()
            .map_err(|e| self.error(&path, e))?;
        let actual = sha256_digest(&bytes);
        let expected = if valid_digest(reference) {
            Some(reference.to_owned())
        } else {
            sent_digest.filter(|d| d.starts_with("sha256:"))
        };
        if let Some(expected) = expected.filter(|e| *e != actual) {
            return Err(ImageError::Registry(format!(
                "{}/{repository}: manifest {reference}: digest mismatch: expected {expected}, received {actual}",
                self.host
            )));
        }
        let document: Document = serde_json::from_slice(&bytes).map_err(|source| ImageError::Json {
            name: format!("{}/{repository}:{reference}", self.host),
            source,
        })?;
        if document.schema_version == Some(1) {
            return Err(ImageError::Registry(format!(
                "{}/{repository}:{reference}: a schema 1 manifest (deprecated, unsigned layers): not supported",
                self.host
            )));
        }
        Ok(document)
    }

    /// Every page of a paginated list (`/v2/_catalog`, `/v2/NAME/tags/list`),
    /// each page's `field` array.
    fn pages(&self, first: &str, field: &str, scope: &str) -> Result<Vec<String>, ImageError> {
        let mut items = Vec::new();
        let mut next = Some(first.to_owned());
        let mut seen = 0;
        while let Some(path) = next.take() {
            seen += 1;
            if seen > MAX_PAGES {
                return Err(ImageError::Registry(format!(
                    "{}{first}: more than {MAX_PAGES} pages",
                    self.base
                )));
            }
            let mut response = self.get(&path, Some("application/json"), scope)?;
            if !response.status().is_success() {
                return Err(self.status(&path, &response));
            }
            next = response
                .headers()
                .get("link")
                .and_then(|v| v.to_str().ok())
                .and_then(|link| next_link(link, &self.base));
            let page: serde_json::Value = response
                .body_mut()
                .with_config()
                .limit(PAGE_MAX)
                .read_json()
                .map_err(|e| self.error(&path, e))?;
            let before = items.len();
            if let Some(list) = page.get(field).and_then(serde_json::Value::as_array) {
                items.extend(list.iter().filter_map(|v| v.as_str()).map(str::to_owned));
            }
            if items.len() == before {
                break; // an empty page ends the list, whatever the Link says
            }
        }
        Ok(items)
    }

    /// A blob of `repository` as a verified stream; `Ok(None)` on 404.
    fn blob(&self, repository: &str, digest: &str) -> Result<Option<Opened>, ImageError> {
        let Some(expected) = digest.strip_prefix("sha256:").filter(|_| valid_digest(digest)) else {
            return Err(ImageError::Registry(format!(
                "{digest}: only sha256 digests can be verified"
            )));
        };
        let path = format!("/v2/{repository}/blobs/{digest}");
        let response = self.get(&path, None, &pull_scope(repository))?;
        if response.status() == 404 {
            return Ok(None);
        }
        if !response.status().is_success() {
            return Err(self.status(&path, &response));
        }
        // A transfer coding (gzip) is undone by ureq: the length is then not the blob's.
        let encoded = response.headers().contains_key("content-encoding");
        let body = response.into_body();
        let size = body.content_length().filter(|_| !encoded);
        let reader = Verified {
            inner: body.into_reader(),
            hasher: Sha256::new(),
            expected: expected.to_owned(),
            digest: digest.to_owned(),
            size,
            read: 0,
            checked: false,
        };
        Ok(Some((Box::new(reader), size.unwrap_or(0))))
    }
}

fn pull_scope(repository: &str) -> String {
    format!("repository:{repository}:pull")
}

/// The `rel="next"` target of a `Link` header, on the same registry only.
fn next_link(link: &str, base: &str) -> Option<String> {
    link.split(',').find_map(|part| {
        let (target, params) = part.split_once(';')?;
        let rel_next = params.split(';').any(|p| {
            let p = p.trim().replace(' ', "");
            p == "rel=\"next\"" || p == "rel=next"
        });
        let target = target.trim().strip_prefix('<')?.strip_suffix('>')?;
        if !rel_next {
            return None;
        }
        if target.starts_with('/') {
            Some(target.to_owned())
        } else {
            target
                .strip_prefix(base)
                .filter(|t| t.starts_with('/'))
                .map(str::to_owned)
        }
    })
}

fn sha256_digest(bytes: &[u8]) -> String {
    format!("sha256:{}", hex(&Sha256::digest(bytes)))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A blob's HTTP body, hashed as it is read: at its end, a digest other than
/// the one asked for is an error (so is a body cut short, which ureq reports).
struct Verified {
    inner: ureq::BodyReader<'static>,
    hasher: Sha256,
    expected: String,
    digest: String,
    /// The `Content-Length`, when sent.
    size: Option<u64>,
    read: u64,
    checked: bool,
}

impl Read for Verified {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf).map_err(|e| {
            io::Error::new(
                e.kind(),
                format!("{}: the connection failed after {} bytes: {e}", self.digest, self.read),
            )
        })?;
        if n == 0 && !buf.is_empty() && !self.checked {
            self.checked = true;
            if let Some(size) = self.size.filter(|&size| size != self.read) {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    format!(
                        "{}: the connection ended after {} of {size} bytes",
                        self.digest, self.read
                    ),
                ));
            }
            let actual = hex(&self.hasher.clone().finalize());
            if actual != self.expected {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!(
                        "{}: digest mismatch: the registry sent {} bytes with digest sha256:{actual}",
                        self.digest, self.read
                    ),
                ));
            }
        }
        self.hasher.update(&buf[..n]);
        self.read += n as u64;
        Ok(n)
    }
}

/// The blobs of a registry scan: each fetched from a repository whose
/// manifest names it (blobs are shared by digest, so a layer in several
/// repositories is fetched and scanned once).
pub(crate) struct Blobs {
    client: Arc<Client>,
    /// `blobs/sha256/<hex>` → a repository that has it.
    repository_of: HashMap<String, String>,
}

impl std::fmt::Debug for Blobs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Blobs").field("registry", &self.client.base).finish()
    }
}

impl Blobs {
    pub fn contains(&self, name: &str) -> bool {
        self.repository_of.contains_key(name)
    }

    pub fn open(&self, name: &str) -> Result<Option<Opened>, ImageError> {
        let Some(repository) = self.repository_of.get(name) else {
            return Ok(None);
        };
        let digest = name
            .strip_prefix("blobs/")
            .map(|d| d.replacen('/', ":", 1))
            .ok_or_else(|| ImageError::BadName(name.to_owned()))?;
        self.client.blob(repository, &digest)
    }
}

/// The images to scan from a registry: their manifests (each with its
/// `source`), and where their blobs are.
pub(crate) struct Pulled {
    pub manifests: Vec<Manifest>,
    pub blobs: Blobs,
    pub notes: Vec<String>,
    /// Images that could not be read (`source`, error); the others are scanned.
    pub failed: Vec<(String, ImageError)>,
}

/// The manifests of one image reference (every platform of an index); an
/// image the registry does not send is in `failed`.
pub(crate) fn pull(text: &str, options: &RegistryOptions) -> Result<Pulled, ImageError> {
    let reference = Reference::parse(text)?;
    let (client, note) = Client::new(&reference.host, options);
    let mut pulled = Pulled::new(Arc::new(client), note);
    match image_manifests(&pulled.blobs.client, &reference.repository, &reference.reference, text) {
        Ok(manifests) => pulled.add(&reference.repository, manifests),
        Err(e) => pulled.failed.push((text.to_owned(), e)),
    }
    Ok(pulled)
}

/// Every tag of every repository of the registry at `host`.
pub(crate) fn pull_catalog(host: &str, options: &RegistryOptions) -> Result<Pulled, ImageError> {
    let shown = format!("--registry-catalog {host}");
    let host = host.strip_prefix(SCHEME).unwrap_or(host).trim_end_matches('/');
    if !valid_host(host) {
        return Err(ImageError::Registry("not a host[:port]".to_owned()));
    }
    let (client, note) = Client::new(host, options);
    let client = Arc::new(client);
    let mut pulled = Pulled::new(client.clone(), note);
    let repositories = match client.pages("/v2/_catalog", "repositories", "registry:catalog:*") {
        Ok(repositories) => repositories,
        Err(e) => {
            pulled.failed.push((shown, e));
            return Ok(pulled);
        }
    };
    for repository in repositories {
        if !valid_repository(&repository) {
            let source = format!("{SCHEME}{host}/{repository}");
            pulled.failed.push((
                source,
                ImageError::Registry("the catalog lists an invalid repository name".to_owned()),
            ));
            continue;
        }
        let tags = match client.pages(&format!("/v2/{repository}/tags/list"), "tags", &pull_scope(&repository)) {
            Ok(tags) => tags,
            Err(e) => {
                pulled.failed.push((format!("{SCHEME}{host}/{repository}"), e));
                continue;
            }
        };
        for tag in tags {
            let reference = Reference {
                host: host.to_owned(),
                repository: repository.clone(),
                reference: tag.clone(),
            };
            let source = reference.display();
            if !valid_tag(&tag) {
                pulled
                    .failed
                    .push((source, ImageError::Registry("an invalid tag name".to_owned())));
                continue;
            }
            match image_manifests(&client, &repository, &tag, &source) {
                Ok(manifests) => pulled.add(&repository, manifests),
                Err(e) => pulled.failed.push((source, e)),
            }
        }
    }
    Ok(pulled)
}

impl Pulled {
    fn new(client: Arc<Client>, note: Option<String>) -> Pulled {
        Pulled {
            manifests: Vec::new(),
            blobs: Blobs {
                client,
                repository_of: HashMap::new(),
            },
            notes: note.into_iter().collect(),
            failed: Vec::new(),
        }
    }

    fn add(&mut self, repository: &str, manifests: Vec<Manifest>) {
        for manifest in manifests {
            for name in manifest.config.iter().chain(manifest.layers.iter().map(|l| &l.blob)) {
                self.blobs
                    .repository_of
                    .entry(name.clone())
                    .or_insert_with(|| repository.to_owned());
            }
            self.manifests.push(manifest);
        }
    }
}

/// The image manifests `reference` leads to, each with `source`.
fn image_manifests(
    client: &Client,
    repository: &str,
    reference: &str,
    source: &str,
) -> Result<Vec<Manifest>, ImageError> {
    let top = client.manifest(repository, reference)?;
    let mut fetch = |digest: &str| -> Result<Document, ImageError> {
        if !valid_digest(digest) {
            return Err(ImageError::BadName(digest.to_owned()));
        }
        client.manifest(repository, digest)
    };
    let mut out = Vec::new();
    oci::walk(&mut fetch, top, reference, Some(reference), None, 0, &mut out)?;
    for manifest in &mut out {
        manifest.source = Some(source.to_owned());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_parse_tags_digests_and_ports() {
        let r = Reference::parse("registry://127.0.0.1:5000/team/app:1.2").expect("valid");
        assert_eq!(
            (r.host.as_str(), r.repository.as_str(), r.reference.as_str()),
            ("127.0.0.1:5000", "team/app", "1.2")
        );
        let r = Reference::parse("registry://localhost:5000/app").expect("valid");
        assert_eq!(r.reference, "latest");
        let digest = format!("sha256:{}", "ab".repeat(32));
        let r = Reference::parse(&format!("registry://reg.example/app@{digest}")).expect("valid");
        assert_eq!(r.reference, digest);
        assert_eq!(r.display(), format!("registry://reg.example/app@{digest}"));
        for bad in [
            "registry://host",
            "registry://host/App:1",
            "registry://host/app:-x",
            "registry://host/app@sha256:12",
            "registry://ho st/app",
            "registry://host/../app",
            "registry://host:99999x/app",
        ] {
            assert!(Reference::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn next_links_stay_on_the_registry() {
        let base = "http://127.0.0.1:5000";
        assert_eq!(
            next_link(r#"</v2/_catalog?last=b&n=2>; rel="next""#, base).as_deref(),
            Some("/v2/_catalog?last=b&n=2")
        );
        assert_eq!(
            next_link(r#"<http://127.0.0.1:5000/v2/x/tags/list?last=t>; rel="next""#, base).as_deref(),
            Some("/v2/x/tags/list?last=t")
        );
        assert_eq!(next_link(r#"<http://elsewhere/v2/_catalog>; rel="next""#, base), None);
        assert_eq!(next_link(r#"</v2/_catalog?last=b>; rel="prev""#, base), None);
    }
}
