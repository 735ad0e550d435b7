//! Structure-aware redaction: secrets found by where they sit rather than what they
//! look like. Values of secret-named JSON keys, `Authorization` header credentials,
//! the password of a URL's user info, and query parameters named like secrets are
//! redacted whatever they contain.
//!
//! One case-insensitive automaton over the secret names and `://` says which of the
//! checks a line needs; lines without any of them cost one automaton pass.

mod json;

use aho_corasick::{AhoCorasick, MatchKind};
use regex::bytes::{Regex, RegexBuilder};

use crate::span::{Kind, Source, Span};
use crate::style::Context;
use crate::trigger::{self, Kinds};

/// Key and parameter names that end in one of these are secret (`db_password`,
/// `X-Api-Key`, `refresh_token`, `client_secret`, `Set-Cookie`).
const SECRET_SUFFIXES: &[&str] = &[
    "password",
    "passwd",
    "secret",
    "token",
    "api_key",
    "api-key",
    "apikey",
    "authorization",
    "private_key",
    "private-key",
    "privatekey",
    "cookie",
    "signature",
];

/// Query parameters secret by their exact name (too short to match as suffixes).
const SECRET_PARAMS: &[&str] = &["key", "sig", "pwd", "pass", "auth", "session", "sessionid", "jwt"];

/// The words that make a line worth checking, for the redactor's trigger automaton.
pub(crate) fn trigger_words() -> Vec<(Vec<u8>, Kinds)> {
    let mut words: Vec<(Vec<u8>, Kinds)> = SECRET_SUFFIXES
        .iter()
        .map(|s| (s.as_bytes().to_vec(), trigger::NAME))
        .collect();
    words.extend(
        SECRET_PARAMS
            .iter()
            .map(|p| (format!("{p}=").into_bytes(), trigger::NAME)),
    );
    words.push((b"://".to_vec(), trigger::URL));
    words
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Word {
    /// A secret-name suffix (index into SECRET_SUFFIXES).
    Name,
    /// `key=`, `sig=`, ...
    Param,
    /// `://`
    Scheme,
}

/// The compiled structure-aware detectors; shared read-only.
#[derive(Debug)]
pub(crate) struct StructureDetector {
    words: AhoCorasick,
    kinds: Vec<Word>,
    authorization: Regex,
    userinfo: Regex,
    query: Regex,
}

fn regex(pattern: &str) -> Regex {
    RegexBuilder::new(pattern)
        .unicode(false)
        .build()
        .expect("the structure regexes are constants that compile")
}

impl StructureDetector {
    pub fn new() -> Self {
        let mut patterns: Vec<String> = SECRET_SUFFIXES.iter().map(|s| (*s).to_owned()).collect();
        let mut kinds = vec![Word::Name; patterns.len()];
        for p in SECRET_PARAMS {
            patterns.push(format!("{p}="));
            kinds.push(Word::Param);
        }
        patterns.push("://".to_owned());
        kinds.push(Word::Scheme);
        let words = AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::LeftmostLongest)
            .build(&patterns)
            .expect("a few constant words always build");
        StructureDetector {
            words,
            kinds,
            authorization: regex(
                r#"(?i)\b(?:proxy-)?authorization["']?\s*[:=]\s*["']?(?:(?:bearer|basic|token|digest|negotiate|ntlm|apikey|key|sso-key|aws4-hmac-sha256|hmac)\s+)?(?P<secret>[^\s"',;]{8,})"#,
            ),
            userinfo: regex(
                r#"(?i)\b[a-z][a-z0-9+.-]{0,31}://[^\s:/?#@"'<>\[\]{}\\]{0,256}:(?P<secret>[^\s@/?#"'<>\[\]{}\\]{1,256})@"#,
            ),
            query: regex(r#"[?&;](?P<name>[A-Za-z0-9_.\-\[\]]{1,64})=(?P<secret>[^&#\s"'<>;\\]+)"#),
        }
    }

    /// Appends a span for every structurally secret value in `hay`; `kinds` says
    /// which trigger words it holds ([`trigger::NAME`], [`trigger::URL`]).
    pub fn find(&self, hay: &[u8], kinds: Kinds, out: &mut Vec<Span>) {
        if kinds & trigger::NAME == 0 {
            if kinds & trigger::URL != 0 {
                self.userinfo(hay, out);
            }
            return;
        }
        let (mut auth, mut url, mut query) = (false, false, false);
        for m in self.words.find_iter(hay) {
            match self.kinds[m.pattern().as_usize()] {
                Word::Name => {
                    query = true;
                    auth |= m.end() - m.start() == "authorization".len();
                    if let Some((start, end, context)) = json::value_after_key(hay, m.start(), m.end()) {
                        out.push(span(start, end, Kind::JsonField, context));
                    }
                }
                Word::Param => query = true,
                Word::Scheme => url = true,
            }
        }
        if auth {
            self.captures(&self.authorization, hay, Kind::Authorization, out);
        }
        if url {
            self.userinfo(hay, out);
        }
        if query && memchr::memchr2(b'?', b'&', hay).is_some() {
            for caps in self.query.captures_iter(hay) {
                let (Some(name), Some(secret)) = (caps.name("name"), caps.name("secret")) else {
                    continue;
                };
                if is_secret_param(name.as_bytes()) {
                    out.push(span(secret.start(), secret.end(), Kind::QueryParam, Context::Text));
                }
            }
        }
    }

    /// URL passwords: only where an `@` can end a user info.
    fn userinfo(&self, hay: &[u8], out: &mut Vec<Span>) {
        if memchr::memchr(b'@', hay).is_some() {
            self.captures(&self.userinfo, hay, Kind::UrlPassword, out);
        }
    }

    fn captures(&self, re: &Regex, hay: &[u8], kind: Kind, out: &mut Vec<Span>) {
        for caps in re.captures_iter(hay) {
            if let Some(secret) = caps.name("secret") {
                out.push(span(secret.start(), secret.end(), kind, Context::Text));
            }
        }
    }
}

fn span(start: usize, end: usize, kind: Kind, context: Context) -> Span {
    Span {
        start,
        end,
        source: Source::Structure(kind),
        context,
    }
}

fn is_secret_param(name: &[u8]) -> bool {
    let lower = name.to_ascii_lowercase();
    SECRET_SUFFIXES.iter().any(|s| lower.ends_with(s.as_bytes())) || SECRET_PARAMS.iter().any(|p| lower == p.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(hay: &str) -> Vec<(Kind, String)> {
        let mut out = Vec::new();
        StructureDetector::new().find(hay.as_bytes(), trigger::ALL, &mut out);
        out.iter()
            .map(|s| {
                let Source::Structure(kind) = s.source else {
                    panic!("structure spans only")
                };
                (kind, hay[s.start..s.end].to_owned())
            })
            .collect()
    }

    #[test]
    fn json_fields_named_like_secrets() {
        let line = r#"{"level":"info","user":"bob","db_password":"hunter2","apiKey":"k-123","max_tokens":5,"msg":"token refreshed"}"#;
        assert_eq!(
            found(line),
            vec![(Kind::JsonField, "hunter2".into()), (Kind::JsonField, "k-123".into())]
        );
    }

    #[test]
    fn authorization_headers_keep_the_scheme() {
        assert_eq!(
            found("GET / Authorization: Bearer abc.def.ghi-jkl"),
            vec![(Kind::Authorization, "abc.def.ghi-jkl".into())]
        );
        assert_eq!(
            found("proxy-authorization=Basic dXNlcjpwYXNzd29yZA=="),
            vec![(Kind::Authorization, "dXNlcjpwYXNzd29yZA==".into())]
        );
        assert!(found("authorization failed for bob").is_empty());
    }

    #[test]
    fn url_passwords_and_secret_query_parameters() {
        assert_eq!(
            found("connecting to https://admin:s3cret@db.internal:5432/x"),
            vec![(Kind::UrlPassword, "s3cret".into())]
        );
        assert!(found("see https://example.com:8443/path?q=1").is_empty());
        assert_eq!(
            // Assembled at run time: `hush scan .` must not flag this file.
            found(&format!(
                "GET /cb?code=1&access_{}=abc123&X-Amz-Signature=ff00&page=2&key=AIzaX",
                "token"
            )),
            vec![
                (Kind::QueryParam, "abc123".into()),
                (Kind::QueryParam, "ff00".into()),
                (Kind::QueryParam, "AIzaX".into())
            ]
        );
        assert!(found("GET /search?monkey=1&token_count=3").is_empty());
    }
}
