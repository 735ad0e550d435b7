//! The address check of a verifier's host that comes from scanned data, made
//! at connection time: the resolver the verification client connects through
//! refuses, for such a host, every answer that holds a private, loopback,
//! link-local or otherwise internal address. The check that [`crate::verify`]
//! makes when it prepares a request resolves the name once; a DNS server that
//! answers a public address then and an internal one a moment later (DNS
//! rebinding) would otherwise get the request sent inside the network. Here the
//! addresses checked are the addresses connected to.

use std::collections::HashSet;
use std::fmt;

use ureq::config::Config;
use ureq::http::Uri;
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::NextTimeout;

use super::request::is_internal;

/// Resolves as the system does, and refuses an internal address for the hosts
/// in `guarded` (hosts from scanned data, lower-cased, without port).
pub struct PublicOnly {
    inner: DefaultResolver,
    guarded: HashSet<String>,
}

impl PublicOnly {
    pub fn new(guarded: impl IntoIterator<Item = String>) -> PublicOnly {
        PublicOnly {
            inner: DefaultResolver::default(),
            guarded: guarded.into_iter().map(|h| h.to_ascii_lowercase()).collect(),
        }
    }
}

impl fmt::Debug for PublicOnly {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PublicOnly")
            .field("guarded", &self.guarded.len())
            .finish()
    }
}

impl Resolver for PublicOnly {
    fn resolve(&self, uri: &Uri, config: &Config, timeout: NextTimeout) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let addresses = self.inner.resolve(uri, config, timeout)?;
        let host = uri
            .host()
            .unwrap_or_default()
            .trim_start_matches('[')
            .trim_end_matches(']');
        if self.guarded.contains(&host.to_ascii_lowercase()) {
            if let Some(internal) = addresses.iter().find(|a| is_internal(a.ip())) {
                return Err(ureq::Error::Io(std::io::Error::new(
                    std::io::ErrorKind::PermissionDenied,
                    format!(
                        "refused: host {host} from the scanned data resolved to an internal address ({}) when connecting; --verify-allow-private allows it",
                        internal.ip()
                    ),
                )));
            }
        }
        Ok(addresses)
    }
}

/// The host of an authority (`host:port`, `[v6]:port`), as the resolver sees it.
pub fn host_of(authority: &str) -> &str {
    super::request::split_host_port(authority).0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolve(resolver: &PublicOnly, url: &str) -> Result<Vec<std::net::SocketAddr>, String> {
        let uri: Uri = url.parse().expect("a valid URI");
        let config = Config::default();
        resolver
            .resolve(&uri, &config, NextTimeout::default())
            .map(|a| a.to_vec())
            .map_err(|e| e.to_string())
    }

    #[test]
    fn a_guarded_host_that_resolves_inside_is_refused_when_connecting() {
        // `localhost` resolves to a loopback address without any DNS server:
        // the same refusal a rebinding answer gets.
        let resolver = PublicOnly::new(["LocalHost".to_owned()]);
        let err = resolve(&resolver, "https://localhost:8443/v1").expect_err("refused");
        assert!(err.contains("internal address"), "{err}");
        assert!(err.contains("localhost"), "{err}");
        // An address literal is checked too.
        let resolver = PublicOnly::new(["127.0.0.1".to_owned(), "::1".to_owned()]);
        assert!(resolve(&resolver, "https://127.0.0.1/").is_err());
        assert!(resolve(&resolver, "https://[::1]:443/").is_err());
    }

    #[test]
    fn other_hosts_resolve_as_the_system_resolves_them() {
        let resolver = PublicOnly::new(["db.example.com".to_owned()]);
        let addresses = resolve(&resolver, "http://127.0.0.1:8123/api").expect("not guarded");
        assert_eq!(addresses, vec!["127.0.0.1:8123".parse().unwrap()]);
        assert_eq!(host_of("[::1]:8443"), "::1");
        assert_eq!(host_of("db.example.com:5432"), "db.example.com");
        assert_eq!(host_of("db.example.com"), "db.example.com");
    }
}
