//! Replacement styles: what a redacted secret becomes in the output.
//!
//! Every style writes only ASCII letters, digits and `[]:_-` around the rule id,
//! except `fixed`, whose text is the user's; inside a JSON string value the
//! replacement is JSON-escaped so that the line stays valid JSON.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Bytes of HMAC output shown by the `hash` style (8 hex digits): enough to tell
/// secrets apart in one log, far too few to search for a preimage offline.
const HASH_BYTES: usize = 4;
/// Shortest accepted `--hash-key-file` content.
pub const MIN_HASH_KEY: usize = 16;
/// Characters kept by the `partial` style.
const PARTIAL_KEEP: usize = 4;
/// Secrets shorter than this never show a prefix under `partial`.
const PARTIAL_MIN_LEN: usize = 16;

/// How a secret is replaced.
#[derive(Debug, Clone)]
pub enum Style {
    /// `[REDACTED:rule-id]`.
    Label,
    /// The given text, whatever found the secret.
    Fixed(Vec<u8>),
    /// The provider prefix of a prefixed token and a label: `ghp_[REDACTED:github-pat]`;
    /// other secrets as `Label`.
    Partial,
    /// `[REDACTED:rule-id:3f9a1c2b]`: an HMAC-SHA256 of the secret under a key, so
    /// equal secrets get equal markers and a guessed secret cannot be confirmed
    /// without the key.
    Hash(HashKey),
}

/// The key of the `hash` style.
#[derive(Clone)]
pub struct HashKey(Vec<u8>);

impl std::fmt::Debug for HashKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("HashKey(..)")
    }
}

/// A hash key that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum HashKeyError {
    #[error("the hash key is {0} bytes; at least {MIN_HASH_KEY} are needed")]
    TooShort(usize),
    #[error("no random key could be drawn from the operating system: {0}")]
    Random(getrandom::Error),
}

impl HashKey {
    /// A key from the given bytes (e.g. a key file), at least 16 of them.
    pub fn from_bytes(bytes: &[u8]) -> Result<HashKey, HashKeyError> {
        if bytes.len() < MIN_HASH_KEY {
            return Err(HashKeyError::TooShort(bytes.len()));
        }
        Ok(HashKey(bytes.to_vec()))
    }

    /// A fresh random 32-byte key: hashes correlate within one run only.
    pub fn random() -> Result<HashKey, HashKeyError> {
        let mut key = vec![0u8; 32];
        getrandom::fill(&mut key).map_err(HashKeyError::Random)?;
        Ok(HashKey(key))
    }

    /// The first bytes of HMAC-SHA256(key, value), as lowercase hex.
    pub fn tag(&self, value: &[u8]) -> String {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.0).expect("HMAC accepts a key of any length");
        mac.update(value);
        let digest = mac.finalize().into_bytes();
        digest[..HASH_BYTES].iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// Where the replacement lands, which decides how it is escaped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    /// Plain text: written as is.
    Text,
    /// Inside a JSON string: JSON-escaped.
    JsonString,
    /// A whole JSON value (number, object, array): written as a JSON string.
    JsonValue,
}

/// What one replacement needs to know about the secret it replaces.
#[derive(Debug, Clone, Copy)]
pub struct Target<'a> {
    /// The id shown in the marker (a rule id, `literal-mask`, `json-secret-field`, ...).
    pub id: &'a str,
    /// The bytes being replaced.
    pub secret: &'a [u8],
    /// What the `hash` style hashes (the secret, or the literal a mask was made from,
    /// so that every encoding of one literal gets the same marker).
    pub identity: &'a [u8],
    /// Prefixes the `partial` style may keep when the secret starts with one.
    pub prefixes: &'a [String],
    pub context: Context,
}

impl Style {
    /// The marker's hash, for the report (`hash` style only).
    pub fn tag(&self, identity: &[u8]) -> Option<String> {
        match self {
            Style::Hash(key) => Some(key.tag(identity)),
            _ => None,
        }
    }

    /// Appends the replacement for `target` to `out`.
    pub fn write(&self, target: Target<'_>, out: &mut Vec<u8>) {
        let mut text = Vec::with_capacity(32);
        match self {
            Style::Label => label(&mut text, target.id, None),
            Style::Fixed(fixed) => text.extend_from_slice(fixed),
            Style::Partial => {
                if let Some(prefix) = kept_prefix(&target) {
                    text.extend_from_slice(prefix);
                }
                label(&mut text, target.id, None);
            }
            Style::Hash(key) => label(&mut text, target.id, Some(&key.tag(target.identity))),
        }
        match target.context {
            Context::Text => out.extend_from_slice(&text),
            Context::JsonString => json_escape(&text, out),
            Context::JsonValue => {
                out.push(b'"');
                json_escape(&text, out);
                out.push(b'"');
            }
        }
    }
}

fn label(out: &mut Vec<u8>, id: &str, tag: Option<&str>) {
    out.extend_from_slice(b"[REDACTED:");
    out.extend_from_slice(id.as_bytes());
    if let Some(tag) = tag {
        out.push(b':');
        out.extend_from_slice(tag.as_bytes());
    }
    out.push(b']');
}

/// The first 4 bytes of a prefixed token (one that starts with one of its rule's
/// case-sensitive prefixes and is long enough that 4 bytes reveal nothing).
fn kept_prefix<'a>(target: &Target<'a>) -> Option<&'a [u8]> {
    let secret = target.secret;
    if secret.len() < PARTIAL_MIN_LEN {
        return None;
    }
    target
        .prefixes
        .iter()
        .any(|p| p.len() >= 3 && secret.starts_with(p.as_bytes()))
        .then(|| &secret[..PARTIAL_KEEP])
}

/// JSON string escaping of arbitrary bytes (invalid UTF-8 becomes U+FFFD).
fn json_escape(text: &[u8], out: &mut Vec<u8>) {
    let lossy = String::from_utf8_lossy(text);
    let quoted = serde_json::Value::String(lossy.into_owned()).to_string();
    out.extend_from_slice(&quoted.as_bytes()[1..quoted.len() - 1]);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target<'a>(secret: &'a [u8], prefixes: &'a [String], context: Context) -> Target<'a> {
        Target {
            id: "rule-x",
            secret,
            identity: secret,
            prefixes,
            context,
        }
    }

    fn render(style: &Style, t: Target<'_>) -> String {
        let mut out = Vec::new();
        style.write(t, &mut out);
        String::from_utf8(out).expect("ascii")
    }

    #[test]
    fn label_and_fixed() {
        let t = target(b"abcdefgh", &[], Context::Text);
        assert_eq!(render(&Style::Label, t), "[REDACTED:rule-x]");
        assert_eq!(render(&Style::Fixed(b"***".to_vec()), t), "***");
    }

    #[test]
    fn partial_keeps_only_a_known_prefix_of_a_long_token() {
        let prefixes = vec!["tok_".to_owned()];
        let long = target(b"tok_abcdefghijklmnop", &prefixes, Context::Text);
        assert_eq!(render(&Style::Partial, long), "tok_[REDACTED:rule-x]");
        let short = target(b"tok_abc", &prefixes, Context::Text);
        assert_eq!(render(&Style::Partial, short), "[REDACTED:rule-x]");
        let other = target(b"zzzzabcdefghijklmnop", &prefixes, Context::Text);
        assert_eq!(render(&Style::Partial, other), "[REDACTED:rule-x]");
    }

    #[test]
    fn hash_depends_on_key_and_secret_only() {
        let k1 = Style::Hash(HashKey::from_bytes(b"0123456789abcdef").expect("long enough"));
        let k2 = Style::Hash(HashKey::from_bytes(b"0123456789abcdeX").expect("long enough"));
        let a = render(&k1, target(b"secret-one", &[], Context::Text));
        assert_eq!(a, render(&k1, target(b"secret-one", &[], Context::Text)));
        assert_ne!(a, render(&k1, target(b"secret-two", &[], Context::Text)));
        assert_ne!(a, render(&k2, target(b"secret-one", &[], Context::Text)));
        assert!(
            a.starts_with("[REDACTED:rule-x:") && a.len() == "[REDACTED:rule-x:]".len() + 8,
            "{a}"
        );
        assert!(HashKey::from_bytes(b"short").is_err());
    }

    #[test]
    fn json_contexts_escape_and_quote() {
        let fixed = Style::Fixed(br#"a"b\c"#.to_vec());
        assert_eq!(render(&fixed, target(b"x", &[], Context::JsonString)), r#"a\"b\\c"#);
        assert_eq!(
            render(&Style::Label, target(b"42", &[], Context::JsonValue)),
            r#""[REDACTED:rule-x]""#
        );
    }
}
