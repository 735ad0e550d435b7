//! Registry credentials: `~/.docker/config.json` (or `$DOCKER_CONFIG/config.json`)
//! or a `--registry-auth-file` of the same shape, and the `WWW-Authenticate`
//! challenges a registry answers with (Basic, or Bearer: a token fetched from the
//! realm the registry names).
//!
//! `auths.HOST.auth` is base64 `user:password`; `auths.HOST.identitytoken` is an
//! OAuth2 refresh token, exchanged for an access token at the Bearer realm.
//! Credential helpers (`credsStore`, `credHelpers`) are programs: hush never runs
//! them, and says so when one is configured for a registry it reads. A
//! credential is never printed: its `Debug` is redacted and no error message
//! holds one.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

use base64::Engine as _;
use serde::Deserialize;

/// The credentials for one registry host.
#[derive(Clone, Default)]
pub struct Credential {
    /// `user`, `password`.
    pub(crate) basic: Option<(String, String)>,
    /// An OAuth2 refresh token (`identitytoken`).
    pub(crate) identity_token: Option<String>,
}

impl fmt::Debug for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credential")
            .field("basic", &self.basic.as_ref().map(|(user, _)| (user, "<redacted>")))
            .field("identity_token", &self.identity_token.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

impl Credential {
    /// The `Authorization` value for Basic authentication.
    pub(crate) fn basic_header(&self) -> Option<String> {
        let (user, password) = self.basic.as_ref()?;
        let encoded = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
        Some(format!("Basic {encoded}"))
    }
}

/// Credentials by registry host, and the hosts whose credentials a helper
/// program holds.
#[derive(Debug, Default, Clone)]
pub struct RegistryAuth {
    /// Where the credentials were read from, for messages.
    pub(crate) file: Option<PathBuf>,
    by_host: HashMap<String, Credential>,
    helpers: HashMap<String, String>,
    store: Option<String>,
}

/// Why a credentials file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("{path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: not a docker config.json: {source}")]
    Json {
        path: String,
        #[source]
        source: serde_json::Error,
    },
    #[error("{path}: auths.{host}.auth is not base64 of user:password")]
    BadAuth { path: String, host: String },
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct DockerConfig {
    #[serde(default)]
    auths: HashMap<String, AuthEntry>,
    #[serde(default)]
    creds_store: Option<String>,
    #[serde(default)]
    cred_helpers: HashMap<String, String>,
}

#[derive(Deserialize, Default)]
struct AuthEntry {
    #[serde(default)]
    auth: Option<String>,
    #[serde(default)]
    username: Option<String>,
    #[serde(default)]
    password: Option<String>,
    #[serde(default)]
    identitytoken: Option<String>,
}

impl RegistryAuth {
    /// Reads `file` (`--registry-auth-file`: it must be there), else the docker
    /// config if there is one.
    pub fn load(file: Option<&Path>) -> Result<RegistryAuth, AuthError> {
        match file {
            Some(path) => Self::read(path),
            None => match docker_config_path() {
                Some(path) if path.is_file() => Self::read(&path),
                _ => Ok(RegistryAuth::default()),
            },
        }
    }

    fn read(path: &Path) -> Result<RegistryAuth, AuthError> {
        let shown = path.display().to_string();
        let bytes = std::fs::read(path).map_err(|source| AuthError::Io {
            path: shown.clone(),
            source,
        })?;
        let config: DockerConfig = serde_json::from_slice(&bytes).map_err(|source| AuthError::Json {
            path: shown.clone(),
            source,
        })?;
        let mut by_host = HashMap::new();
        for (key, entry) in config.auths {
            let host = host_of(&key);
            let mut credential = Credential::default();
            if let Some(auth) = entry.auth.filter(|a| !a.is_empty()) {
                let bad = || AuthError::BadAuth {
                    path: shown.clone(),
                    host: host.clone(),
                };
                let decoded = base64::engine::general_purpose::STANDARD
                    .decode(auth.trim())
                    .map_err(|_| bad())?;
                let decoded = String::from_utf8(decoded).map_err(|_| bad())?;
                let (user, password) = decoded.split_once(':').ok_or_else(bad)?;
                credential.basic = Some((user.to_owned(), password.to_owned()));
            } else if let (Some(user), Some(password)) = (entry.username, entry.password) {
                credential.basic = Some((user, password));
            }
            credential.identity_token = entry.identitytoken.filter(|t| !t.is_empty());
            by_host.insert(host, credential);
        }
        Ok(RegistryAuth {
            file: Some(path.to_path_buf()),
            by_host,
            helpers: config.cred_helpers.into_iter().map(|(k, v)| (host_of(&k), v)).collect(),
            store: config.creds_store.filter(|s| !s.is_empty()),
        })
    }

    /// The credential for `host` (`host:port`), and a note when the file
    /// sends it to a credential helper instead, which hush does not run.
    pub(crate) fn for_host(&self, host: &str) -> (Option<Credential>, Option<String>) {
        let host = host_of(host);
        let credential = self.by_host.get(&host).cloned();
        let helper = self.helpers.get(&host).or(self.store.as_ref());
        let note = match (helper, &credential) {
            (Some(helper), None) => Some(format!(
                "{host}: {} names the credential helper docker-credential-{helper}; hush never runs credential \
                 helpers (they are programs), so it reads this registry anonymously: put the credentials in a \
                 --registry-auth-file",
                self.file
                    .as_ref()
                    .map_or("the docker config".to_owned(), |f| f.display().to_string()),
            )),
            _ => None,
        };
        (credential, note)
    }
}

/// `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`.
fn docker_config_path() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("DOCKER_CONFIG").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(dir).join("config.json"));
    }
    std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .map(|home| PathBuf::from(home).join(".docker/config.json"))
}

/// The host (and port) an `auths` key names: `https://index.docker.io/v1/` and
/// `docker.io` both name Docker Hub; a scheme and a path are dropped.
pub(crate) fn host_of(key: &str) -> String {
    let key = key.trim();
    let key = key
        .strip_prefix("https://")
        .or_else(|| key.strip_prefix("http://"))
        .unwrap_or(key);
    let host = key.split('/').next().unwrap_or(key).to_ascii_lowercase();
    match host.as_str() {
        "docker.io" | "registry-1.docker.io" | "registry.hub.docker.com" => "index.docker.io".to_owned(),
        _ => host,
    }
}

/// A `WWW-Authenticate` challenge.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Challenge {
    /// `basic` or `bearer` (lower case).
    pub scheme: String,
    pub params: HashMap<String, String>,
}

/// Parses `Bearer realm="https://auth.example/token",service="registry",scope="repository:a:pull,push"`.
pub(crate) fn parse_challenge(header: &str) -> Option<Challenge> {
    let header = header.trim();
    let (scheme, mut rest) = match header.split_once(char::is_whitespace) {
        Some((scheme, rest)) => (scheme, rest.trim_start()),
        None => (header, ""),
    };
    if scheme.is_empty() {
        return None;
    }
    let mut params = HashMap::new();
    while !rest.is_empty() {
        let (key, after) = rest.split_once('=')?;
        let key = key.trim().to_ascii_lowercase();
        let after = after.trim_start();
        let (value, remaining) = if let Some(quoted) = after.strip_prefix('"') {
            let mut value = String::new();
            let mut chars = quoted.char_indices();
            let mut end = None;
            while let Some((i, c)) = chars.next() {
                match c {
                    '\\' => {
                        if let Some((_, escaped)) = chars.next() {
                            value.push(escaped);
                        }
                    }
                    '"' => {
                        end = Some(i + 1);
                        break;
                    }
                    c => value.push(c),
                }
            }
            (value, &quoted[end?..])
        } else {
            let end = after.find(',').unwrap_or(after.len());
            (after[..end].trim().to_owned(), &after[end..])
        };
        params.insert(key, value);
        rest = remaining.trim_start().trim_start_matches(',').trim_start();
    }
    Some(Challenge {
        scheme: scheme.to_ascii_lowercase(),
        params,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn challenges_parse_with_quoted_commas() {
        let c = parse_challenge(
            r#"Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull,push""#,
        )
        .expect("parses");
        assert_eq!(c.scheme, "bearer");
        assert_eq!(c.params["realm"], "https://auth.example/token");
        assert_eq!(c.params["service"], "registry.example");
        assert_eq!(c.params["scope"], "repository:a/b:pull,push");
        let basic = parse_challenge(r#"Basic realm="hush test""#).expect("parses");
        assert_eq!(basic.scheme, "basic");
        assert_eq!(basic.params["realm"], "hush test");
        assert!(parse_challenge(r#"Bearer realm="unterminated"#).is_none());
    }

    #[test]
    fn auths_keys_name_hosts() {
        assert_eq!(host_of("https://index.docker.io/v1/"), "index.docker.io");
        assert_eq!(host_of("docker.io"), "index.docker.io");
        assert_eq!(host_of("127.0.0.1:5000"), "127.0.0.1:5000");
        assert_eq!(host_of("https://Registry.Example:443/x"), "registry.example:443");
    }

    #[test]
    fn credentials_are_never_in_debug_output() {
        let password = ["pa", "ss", "word-", "42"].concat();
        let credential = Credential {
            basic: Some(("me".to_owned(), password.clone())),
            identity_token: Some(password.clone()),
        };
        assert!(!format!("{credential:?}").contains(&password));
        let header = credential.basic_header().expect("basic");
        assert!(header.starts_with("Basic "));
    }
}
