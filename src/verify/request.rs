//! One verifier's request, made concrete for one secret: templates filled,
//! the URL checked (HTTPS only; a host from scanned data checked for private
//! addresses) and redirected by `HUSH_VERIFY_OVERRIDE` in tests. Also the key
//! that merges identical checks and keys the cache.

use std::net::{IpAddr, ToSocketAddrs};

use base64::Engine as _;
use hush_rules::{VerifyKind, VerifySpec};
use sha2::{Digest, Sha256};

use super::overrides::Overrides;

/// A request ready to send.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub method: &'static str,
    pub url: String,
    /// The URL's host (and port) as sent, for the AWS signature.
    pub host: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<String>,
    /// The host came from scanned data and was checked for internal addresses:
    /// the client checks the addresses it connects to again
    /// ([`super::resolve::PublicOnly`]).
    pub guarded: bool,
}

impl Prepared {
    /// Identity of the check: equal requests are one check. SHA-256 over
    /// everything sent, hex.
    pub fn key(&self, kind: VerifyKind, captures: &[(String, Vec<u8>)], secret: &[u8]) -> String {
        let mut h = Sha256::new();
        h.update(b"hush-verify-v1\0");
        h.update(format!("{kind:?}\0{}\0{}\0", self.method, self.url).as_bytes());
        for (k, v) in &self.headers {
            h.update(format!("{k}\0{v}\0").as_bytes());
        }
        h.update(self.body.as_deref().unwrap_or("").as_bytes());
        h.update([0]);
        // A signed request does not carry its secret: add it (and the captures).
        if matches!(kind, VerifyKind::AwsSigv4 | VerifyKind::GcpServiceAccount) {
            h.update(secret);
            for (k, v) in captures {
                h.update(k.as_bytes());
                h.update([0]);
                h.update(v);
            }
        }
        h.finalize().iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// What is encoded of a value placed in a URL's path or query: everything that
/// could end the segment, the path or the query, or change the authority
/// (`/`, `?`, `#`, `@`, `%`...). `:` stays (a Telegram token is `id:secret`).
const PATH_VALUE: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'&')
    .add(b'+')
    .add(b'/')
    .add(b'<')
    .add(b'=')
    .add(b'>')
    .add(b'?')
    .add(b'@')
    .add(b'[')
    .add(b'\\')
    .add(b']')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

/// Where the URL template puts a value.
#[derive(Clone, Copy, PartialEq)]
enum Place {
    /// Scheme and authority: the value must be a host name or address.
    Host,
    /// Path and query: percent-encoded, so it cannot change the host.
    Path,
    /// A header or the body: as it is.
    Raw,
}

/// Fills `template`'s placeholders; `place` says how values are written.
fn fill(template: &str, values: &[(&str, &[u8])], place: Place) -> Result<String, String> {
    let mut out = String::new();
    let mut at = 0;
    for (start, end, name) in hush_rules::placeholder_spans(template) {
        out.push_str(&template[at..start]);
        at = end;
        let value = values
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| *v)
            .ok_or_else(|| format!("the match holds no {{{name}}}"))?;
        let text = std::str::from_utf8(value).map_err(|_| format!("{{{name}}} is not UTF-8"))?;
        match place {
            Place::Host => {
                let ok = !text.is_empty()
                    && text
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']'));
                if !ok {
                    return Err(format!("{{{name}}} is not a host name"));
                }
                out.push_str(text);
            }
            Place::Path => out.push_str(&percent_encoding::utf8_percent_encode(text, PATH_VALUE).to_string()),
            Place::Raw => {
                if text.contains(['\r', '\n', '\0']) {
                    return Err(format!("{{{name}}} holds a line break"));
                }
                out.push_str(text);
            }
        }
    }
    out.push_str(&template[at..]);
    Ok(out)
}

/// Builds the request of `spec` for `secret` (and the match's `captures`).
/// `Err` is the `unknown` reason: the request is not sent.
pub fn prepare(
    spec: &VerifySpec,
    secret: &[u8],
    captures: &[(String, Vec<u8>)],
    overrides: &Overrides,
    allow_private: bool,
) -> Result<Prepared, String> {
    let mut values: Vec<(&str, &[u8])> = vec![("secret", secret)];
    values.extend(captures.iter().map(|(k, v)| (k.as_str(), v.as_slice())));
    // Split the URL template at the end of its authority.
    let rest = spec
        .url
        .strip_prefix("https://")
        .ok_or("the verifier's URL is not https")?;
    let cut = rest.find('/').unwrap_or(rest.len());
    let authority = fill(&rest[..cut], &values, Place::Host)?;
    let path = fill(&rest[cut..], &values, Place::Path)?;
    let path = if path.is_empty() { "/".to_owned() } else { path };
    let mut guarded = false;
    let (url, host) = match overrides.get(&spec.provider) {
        Some(base) => {
            let base = base.trim_end_matches('/');
            let host = base
                .split("://")
                .nth(1)
                .unwrap_or(base)
                .split('/')
                .next()
                .unwrap_or("")
                .to_owned();
            (format!("{base}{path}"), host)
        }
        None => {
            if spec.host_from_data() && !allow_private {
                check_public(&authority)?;
                guarded = true;
            }
            (format!("https://{authority}{path}"), authority.clone())
        }
    };
    let mut headers = Vec::new();
    for (name, template) in &spec.headers {
        headers.push((name.clone(), fill(template, &values, Place::Raw)?));
    }
    if let Some([user, password]) = &spec.basic_auth {
        let pair = format!(
            "{}:{}",
            fill(user, &values, Place::Raw)?,
            fill(password, &values, Place::Raw)?
        );
        let encoded = base64::engine::general_purpose::STANDARD.encode(pair);
        headers.push(("Authorization".to_owned(), format!("Basic {encoded}")));
    }
    let body = match &spec.body {
        Some(b) => Some(fill(b, &values, Place::Raw)?),
        None => None,
    };
    Ok(Prepared {
        method: spec.method.as_str(),
        url,
        host,
        headers,
        body,
        guarded,
    })
}

/// The request of `spec` sent to another region: `origin` (an https origin of
/// the same API) in place of the URL's own. Under a test override the request
/// goes to the override's URL with the region's host as the first path
/// segment (`http://127.0.0.1:8123/api.eu.mailgun.net/v4/domains`).
pub fn prepare_regional(
    spec: &VerifySpec,
    origin: &str,
    secret: &[u8],
    captures: &[(String, Vec<u8>)],
    overrides: &Overrides,
) -> Result<Prepared, String> {
    let rest = spec.url.strip_prefix("https://").unwrap_or(&spec.url);
    let path = &rest[rest.find('/').unwrap_or(rest.len())..];
    let regional = VerifySpec {
        url: format!("{}{path}", origin.trim_end_matches('/')),
        ..spec.clone()
    };
    let mut prepared = prepare(&regional, secret, captures, overrides, false)?;
    let region_host = origin.trim_start_matches("https://").trim_end_matches('/').to_owned();
    if let Some(base) = overrides.get(&spec.provider) {
        let base = base.trim_end_matches('/');
        if let Some(tail) = prepared.url.strip_prefix(base) {
            prepared.url = format!("{base}/{region_host}{tail}");
        }
    }
    prepared.host = region_host;
    Ok(prepared)
}

/// Refuses a host from scanned data that is, or resolves to, a private,
/// loopback, link-local or otherwise internal address.
fn check_public(authority: &str) -> Result<(), String> {
    let (host, port) = split_host_port(authority);
    let addresses: Vec<IpAddr> = match host.parse::<IpAddr>() {
        Ok(ip) => vec![ip],
        Err(_) => (host, port)
            .to_socket_addrs()
            .map_err(|e| format!("cannot resolve {host}: {e}"))?
            .map(|a| a.ip())
            .collect(),
    };
    if addresses.is_empty() {
        return Err(format!("{host} resolves to no address"));
    }
    if let Some(ip) = addresses.iter().find(|ip| is_internal(**ip)) {
        return Err(format!(
            "refused: host {host} from the scanned data is an internal address ({ip}); --verify-allow-private allows it"
        ));
    }
    Ok(())
}

pub(super) fn split_host_port(authority: &str) -> (&str, u16) {
    if let Some(rest) = authority.strip_prefix('[') {
        let (host, after) = rest.split_once(']').unwrap_or((rest, ""));
        let port = after.strip_prefix(':').and_then(|p| p.parse().ok()).unwrap_or(443);
        return (host, port);
    }
    match authority.rsplit_once(':') {
        Some((host, port)) if !host.contains(':') => (host, port.parse().unwrap_or(443)),
        _ => (authority, 443),
    }
}

/// Loopback, private, link-local, unspecified, shared (CGNAT), multicast and
/// IPv6 unique-local addresses, and IPv4 mapped into IPv6.
pub fn is_internal(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || o[0] == 0
                || (o[0] == 100 && (o[1] & 0xc0) == 64)
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_internal(IpAddr::V4(v4));
            }
            let first = v6.segments()[0];
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_addresses_are_told() {
        for internal in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "::1",
            "fe80::1",
            "fd00::1",
            "::ffff:10.0.0.1",
            "100.64.0.1",
            "0.0.0.0",
        ] {
            assert!(is_internal(internal.parse().unwrap()), "{internal}");
        }
        for public in ["8.8.8.8", "140.82.112.3", "2606:4700::1111"] {
            assert!(!is_internal(public.parse().unwrap()), "{public}");
        }
    }

    #[test]
    fn values_in_paths_are_encoded_and_hosts_checked() {
        let v = [("secret", b"a/b@c".as_slice())];
        assert_eq!(
            fill("/bot{secret}/getMe", &v, Place::Path).unwrap(),
            "/bota%2Fb%40c/getMe"
        );
        assert!(fill("{secret}", &v, Place::Host).is_err());
        assert_eq!(split_host_port("db.example:8443"), ("db.example", 8443));
        assert_eq!(split_host_port("[::1]:9"), ("::1", 9));
        assert!(check_public("10.0.0.7").unwrap_err().contains("refused"));
    }
}
