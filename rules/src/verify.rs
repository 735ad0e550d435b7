//! Live verification as data: a rule's `verify` table says how its secret is
//! checked with the provider (`hush scan --verify`) — the one read-only request
//! the provider documents for "who am I", and which answers mean the key is
//! valid or not. The binary's `verify` module sends it; this module only holds
//! the table's shape and checks it when the pack is loaded, so a bad verifier
//! is a load error naming its rule, never a surprise at run time.
//!
//! Templates (`url`, `headers`, `body`, `basic_auth`) may name `{secret}` and
//! the rule regex's other named groups (`{key_id}`); nothing else. A brace
//! that does not enclose such a name is literal text (JSON bodies).

use std::collections::BTreeMap;

use serde::Deserialize;

/// How a verifier checks its secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum VerifyKind {
    /// One templated HTTPS request (the table's `method`, `url`, ...).
    #[default]
    Http,
    /// AWS STS `GetCallerIdentity`, signed with SigV4 (code: the request must be
    /// signed with the secret, which is never sent). Needs the capture `key_id`.
    AwsSigv4,
    /// A Google service-account key: a signed JWT exchanged for a token (code).
    GcpServiceAccount,
    /// The provider has no side-effect-free check: always `unknown` with `reason`.
    Unsupported,
}

/// The HTTP method of a verifier: only the read-only ones (a POST is allowed
/// for providers whose "who am I" call is a POST, such as Slack `auth.test`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Method {
    #[default]
    Get,
    Head,
    Post,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Head => "HEAD",
            Method::Post => "POST",
        }
    }
}

/// One answer a verifier recognises: a status code and, optionally, what the
/// JSON body must hold (`{"/ok" = false}`: the value at that JSON pointer) or
/// what the body must contain.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Outcome {
    pub status: Vec<u16>,
    /// JSON pointer → the value it must equal.
    #[serde(default)]
    pub json: BTreeMap<String, serde_json::Value>,
    /// JSON pointers that must be present (any value).
    #[serde(default)]
    pub json_present: Vec<String>,
    /// Text the body must contain (XML and plain-text answers).
    pub body_contains: Option<String>,
}

impl Outcome {
    /// Whether the answer says something about its body, not only its status.
    pub fn checks_body(&self) -> bool {
        !self.json.is_empty() || !self.json_present.is_empty() || self.body_contains.is_some()
    }

    /// Whether this outcome matches an answer.
    pub fn matches(&self, status: u16, body: &str) -> bool {
        if !self.status.contains(&status) {
            return false;
        }
        if let Some(text) = &self.body_contains {
            if !body.contains(text.as_str()) {
                return false;
            }
        }
        if self.json.is_empty() && self.json_present.is_empty() {
            return true;
        }
        let Ok(value) = serde_json::from_str::<serde_json::Value>(body) else {
            return false;
        };
        self.json.iter().all(|(p, want)| value.pointer(p) == Some(want))
            && self.json_present.iter().all(|p| value.pointer(p).is_some())
    }
}

fn default_verified() -> Vec<Outcome> {
    vec![Outcome {
        status: vec![200],
        json: BTreeMap::new(),
        json_present: Vec::new(),
        body_contains: None,
    }]
}

fn default_invalid() -> Vec<Outcome> {
    vec![Outcome {
        status: vec![401],
        json: BTreeMap::new(),
        json_present: Vec::new(),
        body_contains: None,
    }]
}

/// A rule's `verify` table as written in a pack.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VerifySpec {
    /// Provider name, kebab-case: `--verify` lists it, per-provider limits key on
    /// it, and `HUSH_VERIFY_OVERRIDE=github=URL` redirects it (tests only).
    pub provider: String,
    /// The provider's documentation of the request and its answers (https URL).
    pub docs: String,
    #[serde(default)]
    pub kind: VerifyKind,
    #[serde(default)]
    pub method: Method,
    /// `https://` URL; may hold `{secret}` and named captures.
    #[serde(default)]
    pub url: String,
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// HTTP basic authentication: [user, password] templates.
    pub basic_auth: Option<[String; 2]>,
    pub body: Option<String>,
    /// Answers meaning the provider accepted the credential (default: 200).
    #[serde(default = "default_verified")]
    pub verified: Vec<Outcome>,
    /// Answers meaning the provider said it is not a valid credential (default: 401).
    #[serde(default = "default_invalid")]
    pub invalid: Vec<Outcome>,
    /// What the key can do, shown for a verified key: name → `header:NAME` or
    /// `json:/pointer`.
    #[serde(default)]
    pub show: BTreeMap<String, String>,
    /// Why an `unsupported` verifier cannot check (shown as the `unknown` reason).
    pub reason: Option<String>,
    /// The provider's page for revoking the credential (added to the remediation).
    pub revoke: Option<String>,
    /// Other regions of the same API (`https://api.eu.mailgun.net`): origins
    /// asked the same path, in order, only when the URL's own host answers
    /// `invalid` (a key of an EU account is unknown to the US API). Verified
    /// by the first that accepts it; invalid only when every region rejects it.
    #[serde(default)]
    pub regions: Vec<String>,
}

impl VerifySpec {
    /// Checks the table against its rule's regex (`None` for a provider-table
    /// rule, which has no named groups but `secret`). The message names the key.
    pub fn check(&self, regex: Option<&str>) -> Result<(), String> {
        let kebab = !self.provider.is_empty()
            && self
                .provider
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !kebab {
            return Err(format!("provider {:?} must be kebab-case", self.provider));
        }
        if !self.docs.starts_with("https://") {
            return Err(format!("docs {:?} must be an https:// URL", self.docs));
        }
        if let Some(revoke) = &self.revoke {
            if !revoke.starts_with("https://") {
                return Err(format!("revoke {revoke:?} must be an https:// URL"));
            }
        }
        let has_group = |name: &str| {
            name == "secret"
                || regex.is_some_and(|r| r.contains(&format!("(?P<{name}>")) || r.contains(&format!("(?<{name}>")))
        };
        match self.kind {
            VerifyKind::Unsupported => {
                if self.reason.as_deref().is_none_or(str::is_empty) {
                    return Err("kind = \"unsupported\" needs a reason".into());
                }
                return Ok(());
            }
            VerifyKind::AwsSigv4 => {
                if !has_group("key_id") {
                    return Err("kind = \"aws-sigv4\" needs the regex group (?P<key_id>...)".into());
                }
            }
            VerifyKind::GcpServiceAccount => {
                if !has_group("client_email") && !has_group("client_email_before") {
                    return Err(
                        "kind = \"gcp-service-account\" needs the regex group (?P<client_email>...) (or \
                         client_email_before, for key files whose fields are sorted)"
                            .into(),
                    );
                }
                if self.method != Method::Post {
                    return Err("kind = \"gcp-service-account\" posts to the token endpoint: method = \"POST\"".into());
                }
            }
            VerifyKind::Http => {}
        }
        if !self.url.starts_with("https://") {
            return Err(format!("url {:?} must start with https://", self.url));
        }
        for region in &self.regions {
            let host = region.strip_prefix("https://").unwrap_or("");
            if host.is_empty() || host.contains(['/', '{', '?', '#']) {
                return Err(format!("region {region:?} must be an https:// origin (no path)"));
            }
        }
        if !self.regions.is_empty() && (self.kind != VerifyKind::Http || self.host_from_data()) {
            return Err("regions need kind = \"http\" and a fixed host".into());
        }
        let mut templates: Vec<(&str, &str)> = vec![("url", &self.url)];
        templates.extend(self.headers.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        if let Some(body) = &self.body {
            templates.push(("body", body));
        }
        if let Some([user, password]) = &self.basic_auth {
            templates.push(("basic_auth", user));
            templates.push(("basic_auth", password));
        }
        for (key, template) in templates {
            for name in placeholders(template)? {
                if !has_group(name) {
                    return Err(format!(
                        "{key} names {{{name}}}, which is neither {{secret}} nor a named group of the regex"
                    ));
                }
            }
        }
        for (name, value) in &self.headers {
            if name.is_empty()
                || !name
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            {
                return Err(format!("header name {name:?} is not a token"));
            }
            if value.contains(['\r', '\n']) {
                return Err(format!("header {name} holds a line break"));
            }
        }
        if self.body.is_some() && self.method != Method::Post {
            return Err("a body needs method = \"POST\"".into());
        }
        for (which, outcomes) in [("verified", &self.verified), ("invalid", &self.invalid)] {
            if outcomes.is_empty() {
                return Err(format!("{which} lists no answer"));
            }
            for o in outcomes {
                if o.status.is_empty() || o.status.iter().any(|s| !(100..=599).contains(s)) {
                    return Err(format!("{which}: status codes must be 100-599"));
                }
                // A firewall's or a proxy's 403 is not the provider's verdict.
                if o.status.contains(&403) && !o.checks_body() {
                    return Err(format!(
                        "{which}: a 403 counts only with the provider's own error body (json, json_present or body_contains)"
                    ));
                }
                for p in o.json.keys().chain(&o.json_present) {
                    if !p.starts_with('/') {
                        return Err(format!("{which}: {p:?} is not a JSON pointer (starts with /)"));
                    }
                }
            }
        }
        for (name, from) in &self.show {
            let ok = from.strip_prefix("header:").is_some_and(|h| !h.is_empty())
                || from.strip_prefix("json:").is_some_and(|p| p.starts_with('/'))
                || from.strip_prefix("xml:").is_some_and(|p| !p.is_empty());
            if !ok {
                return Err(format!(
                    "show.{name} = {from:?}: expected \"header:NAME\", \"json:/pointer\" or \"xml:Element\""
                ));
            }
        }
        Ok(())
    }

    /// Whether the URL's host comes from the scanned data (a placeholder in its
    /// authority): such a request is checked against private addresses.
    pub fn host_from_data(&self) -> bool {
        let rest = self.url.strip_prefix("https://").unwrap_or(&self.url);
        let authority = rest.split('/').next().unwrap_or(rest);
        authority.contains('{')
    }
}

/// The placeholders of a template: `{name}` where the name is letters, digits
/// and `_` (any other brace is literal text, so a JSON body needs no escaping),
/// as (start, end, name).
pub fn placeholder_spans(template: &str) -> Vec<(usize, usize, &str)> {
    let bytes = template.as_bytes();
    let mut spans = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'{' {
            let name_len = bytes[i + 1..]
                .iter()
                .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_')
                .count();
            let close = i + 1 + name_len;
            if name_len > 0 && bytes.get(close) == Some(&b'}') {
                spans.push((i, close + 1, &template[i + 1..close]));
                i = close + 1;
                continue;
            }
        }
        i += 1;
    }
    spans
}

/// The placeholder names in a template (`{secret}`, `{key_id}`).
pub fn placeholders(template: &str) -> Result<Vec<&str>, String> {
    Ok(placeholder_spans(template).into_iter().map(|(_, _, n)| n).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(extra: &str) -> VerifySpec {
        let text = format!(
            "provider = \"acme\"\ndocs = \"https://acme.test/docs\"\nurl = \"https://api.acme.test/me\"\n{extra}"
        );
        toml::from_str(&text).expect("parses")
    }

    #[test]
    fn a_plain_verifier_passes() {
        let v = spec("headers = { Authorization = \"Bearer {secret}\" }");
        assert_eq!(v.check(Some("x(?P<secret>y)")), Ok(()));
        assert_eq!(v.verified[0].status, vec![200]);
        assert_eq!(v.invalid[0].status, vec![401]);
        assert!(!v.host_from_data());
    }

    #[test]
    fn regions_are_https_origins_of_a_fixed_host_http_verifier() {
        let ok = spec("regions = [\"https://api.eu.example.com\"]");
        assert_eq!(ok.check(Some("(?P<secret>a)")), Ok(()));
        for bad in ["https://api.eu.example.com/v1", "http://api.eu.example.com", "https://"] {
            let err = spec(&format!("regions = [\"{bad}\"]"))
                .check(Some("(?P<secret>a)"))
                .unwrap_err();
            assert!(err.contains("origin"), "{bad}: {err}");
        }
        let from_data = VerifySpec {
            url: "https://{host}/api".into(),
            ..ok
        };
        assert!(from_data
            .check(Some("(?P<host>[a-z.]+):(?P<secret>x)"))
            .unwrap_err()
            .contains("fixed host"));
    }

    #[test]
    fn unknown_captures_plain_http_and_bare_403_are_refused() {
        let err = spec("headers = { X = \"{token}\" }")
            .check(Some("(?P<secret>a)"))
            .unwrap_err();
        assert!(err.contains("{token}"), "{err}");
        let mut v = spec("");
        v.url = "http://api.acme.test/me".into();
        assert!(v.check(None).unwrap_err().contains("https"));
        let err = spec("invalid = [{ status = [403] }]").check(None).unwrap_err();
        assert!(err.contains("403"), "{err}");
        assert_eq!(
            spec("invalid = [{ status = [403], json_present = [\"/message\"] }]").check(None),
            Ok(())
        );
    }

    #[test]
    fn a_host_from_a_capture_is_from_data() {
        let v = spec("");
        let v = VerifySpec {
            url: "https://{host}/api".into(),
            ..v
        };
        assert!(v.host_from_data());
        assert!(v.check(Some("(?P<host>[a-z.]+):(?P<secret>x)")).is_ok());
    }

    #[test]
    fn json_braces_are_literal() {
        let body = r#"{"query":"{ viewer { id } }","token":"{secret}"}"#;
        assert_eq!(placeholders(body).unwrap(), vec!["secret"]);
    }

    #[test]
    fn outcomes_read_status_and_json() {
        let v = spec("verified = [{ status = [200], json = { \"/ok\" = true } }]");
        assert!(v.verified[0].matches(200, r#"{"ok": true}"#));
        assert!(!v.verified[0].matches(200, r#"{"ok": false}"#));
        assert!(!v.verified[0].matches(200, "not json"));
        assert!(!v.verified[0].matches(201, r#"{"ok": true}"#));
    }
}
