//! `HUSH_VERIFY_OVERRIDE=PROVIDER=URL[,PROVIDER=URL…]`: the test-only way to
//! send a provider's checks to a local server (`github=http://127.0.0.1:8123`).
//! The URL replaces the scheme and host of the provider's verifier; plain HTTP
//! is accepted only to a loopback address, so a secret never travels in clear
//! text over a network.

use std::collections::HashMap;
use std::net::IpAddr;

/// The environment variable read by [`Overrides::from_env`].
pub const OVERRIDE_VAR: &str = "HUSH_VERIFY_OVERRIDE";

/// Provider name → base URL.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    by_provider: HashMap<String, String>,
}

impl Overrides {
    /// Reads [`OVERRIDE_VAR`]; an error names the variable and the bad entry.
    pub fn from_env() -> Result<Overrides, String> {
        match std::env::var(OVERRIDE_VAR) {
            Ok(text) => Overrides::parse(&text).map_err(|e| format!("{OVERRIDE_VAR}: {e}")),
            Err(_) => Ok(Overrides::default()),
        }
    }

    /// Parses `provider=url,provider=url`.
    pub fn parse(text: &str) -> Result<Overrides, String> {
        let mut by_provider = HashMap::new();
        for entry in text.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            let (provider, url) = entry
                .split_once('=')
                .ok_or_else(|| format!("{entry:?} is not PROVIDER=URL"))?;
            let host_port = if let Some(rest) = url.strip_prefix("http://") {
                let host_port = rest.split('/').next().unwrap_or("");
                if !is_loopback_authority(host_port) {
                    return Err(format!("{url:?}: plain http is accepted only for a loopback address"));
                }
                host_port
            } else if let Some(rest) = url.strip_prefix("https://") {
                rest.split('/').next().unwrap_or("")
            } else {
                return Err(format!("{url:?} is not an http:// or https:// URL"));
            };
            if host_port.is_empty() {
                return Err(format!("{url:?} has no host"));
            }
            by_provider.insert(provider.trim().to_owned(), url.trim().to_owned());
        }
        Ok(Overrides { by_provider })
    }

    /// The base URL for `provider`, if overridden.
    pub fn get(&self, provider: &str) -> Option<&str> {
        self.by_provider.get(provider).map(String::as_str)
    }
}

fn is_loopback_authority(authority: &str) -> bool {
    let host = if let Some(rest) = authority.strip_prefix('[') {
        rest.split(']').next().unwrap_or("")
    } else {
        authority.rsplit_once(':').map_or(authority, |(h, _)| h)
    };
    host == "localhost" || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_only_to_loopback() {
        let o = Overrides::parse("github=http://127.0.0.1:8123, slack=http://[::1]:9/api").unwrap();
        assert_eq!(o.get("github"), Some("http://127.0.0.1:8123"));
        assert_eq!(o.get("slack"), Some("http://[::1]:9/api"));
        assert!(o.get("stripe").is_none());
        assert!(Overrides::parse("github=http://10.0.0.1:80")
            .unwrap_err()
            .contains("loopback"));
        assert!(Overrides::parse("github=http://api.github.example").is_err());
        assert!(Overrides::parse("github").is_err());
        assert!(Overrides::parse("github=ftp://127.0.0.1").is_err());
        assert!(Overrides::parse("github=https://mirror.example/x").is_ok());
    }
}
