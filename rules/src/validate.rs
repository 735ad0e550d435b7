//! Structural and checksum validators: the offline checks that turn a regex match
//! into a near-certain secret (GitHub/npm CRC32, JWT parts that decode to JSON, a
//! PEM body of real base64, base64 that decodes to text).

use base64::Engine as _;
use serde::Deserialize;

/// A named checker a rule can ask for with `validate = "..."`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Validator {
    /// The last 36 characters are 30 random base62 characters and the base62
    /// CRC32 of those 30 (GitHub classic tokens, npm tokens).
    GithubCrc32,
    /// Header and payload are base64url JSON objects; the header names `alg`.
    Jwt,
    /// A PEM block whose body is at least 64 characters of base64.
    Pem,
    /// Standard base64 (padded or not) that decodes to printable text of 6 bytes
    /// or more.
    Base64Text,
    /// GitLab's routable tokens (2025+): the last 7 characters are the CRC32 of
    /// everything before them (prefix included), base-36, zero-padded; the two
    /// before them give the length of the base64url payload, base-36.
    GitlabRoutableCrc,
    /// At least one ASCII letter and one ASCII digit: random keys of 16 or more
    /// characters nearly always hold both; words, identifiers and numbers do not.
    LettersAndDigits,
    /// Base58Check (Bitcoin's alphabet): the last 4 decoded bytes are the first 4
    /// of SHA-256(SHA-256(the rest)): Bitcoin WIF keys, BIP-32 extended keys.
    Base58check,
    /// A Solana keypair: 64 bytes (a JSON array of 64 numbers, or base58) whose
    /// last 32 are the Ed25519 public key of the first 32.
    SolanaKeypair,
}

impl Validator {
    /// Whether this check is a checksum over random characters (a value that
    /// passes it was made by the provider's generator, or by someone who ran it).
    pub fn is_checksum(self) -> bool {
        matches!(
            self,
            Validator::GithubCrc32 | Validator::GitlabRoutableCrc | Validator::Base58check | Validator::SolanaKeypair
        )
    }

    /// Whether `secret` passes this check.
    pub fn check(self, secret: &[u8]) -> bool {
        match self {
            Validator::GithubCrc32 => github_crc32_ok(secret),
            Validator::Jwt => jwt_ok(secret),
            Validator::Pem => pem_ok(secret),
            Validator::Base64Text => base64_text_ok(secret),
            Validator::GitlabRoutableCrc => gitlab_routable_ok(secret),
            Validator::LettersAndDigits => {
                secret.iter().any(u8::is_ascii_alphabetic) && secret.iter().any(u8::is_ascii_digit)
            }
            Validator::Base58check => base58check_ok(secret),
            Validator::SolanaKeypair => solana_keypair_ok(secret),
        }
    }
}

const BASE58: &[u8; 58] = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

/// `text` decoded from base58 (Bitcoin's alphabet), or `None` for a character
/// outside it. Each leading `1` is a leading zero byte.
fn base58_decode(text: &[u8]) -> Option<Vec<u8>> {
    let mut value: Vec<u8> = Vec::with_capacity(text.len());
    for &c in text {
        let mut carry = BASE58.iter().position(|&a| a == c)? as u32;
        for byte in value.iter_mut().rev() {
            carry += u32::from(*byte) * 58;
            *byte = (carry & 0xff) as u8;
            carry >>= 8;
        }
        while carry > 0 {
            value.insert(0, (carry & 0xff) as u8);
            carry >>= 8;
        }
    }
    let zeros = text.iter().take_while(|&&c| c == b'1').count();
    let mut out = vec![0; zeros];
    out.extend(value);
    Some(out)
}

/// The bytes of `[n, n, ...]` (each 0-255), or `None`.
fn byte_array(text: &[u8]) -> Option<Vec<u8>> {
    let inner = std::str::from_utf8(text)
        .ok()?
        .trim()
        .strip_prefix('[')?
        .strip_suffix(']')?;
    inner.split(',').map(|n| n.trim().parse::<u8>().ok()).collect()
}

fn solana_keypair_ok(secret: &[u8]) -> bool {
    let bytes = if secret.first() == Some(&b'[') {
        byte_array(secret)
    } else {
        base58_decode(secret)
    };
    match bytes {
        Some(b) if b.len() == 64 => {
            ring::signature::Ed25519KeyPair::from_seed_and_public_key(&b[..32], &b[32..]).is_ok()
        }
        _ => false,
    }
}

fn base58check_ok(secret: &[u8]) -> bool {
    use sha2::{Digest, Sha256};
    match base58_decode(secret) {
        Some(bytes) if bytes.len() > 4 => {
            let (payload, sum) = bytes.split_at(bytes.len() - 4);
            Sha256::digest(Sha256::digest(payload))[..4] == *sum
        }
        _ => false,
    }
}

const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// The 6-character base62 CRC32 checksum GitHub and npm append to a token's
/// 30 random characters.
pub fn github_checksum(payload: &[u8]) -> [u8; 6] {
    let mut n = crc32fast::hash(payload);
    let mut out = [b'0'; 6];
    for slot in out.iter_mut().rev() {
        *slot = BASE62[(n % 62) as usize];
        n /= 62;
    }
    out
}

fn github_crc32_ok(secret: &[u8]) -> bool {
    if secret.len() < 36 {
        return false;
    }
    let body = &secret[secret.len() - 36..];
    github_checksum(&body[..30]) == body[30..]
}

/// `n` in base 36 (lower case), left-padded with `0` to `width`.
fn base36(mut n: u32, width: usize) -> Vec<u8> {
    const DIGITS: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut out = Vec::new();
    while n > 0 {
        out.push(DIGITS[(n % 36) as usize]);
        n /= 36;
    }
    out.resize(out.len().max(width), b'0');
    out.reverse();
    out
}

/// See [`Validator::GitlabRoutableCrc`]: `<prefix><payload>.<version>.<len><crc>`
/// (GitLab's `Authn::TokenField::Generator::RoutableToken`).
fn gitlab_routable_ok(secret: &[u8]) -> bool {
    if secret.len() < 16 {
        return false;
    }
    let (head, crc) = secret.split_at(secret.len() - 7);
    if base36(crc32fast::hash(head), 7) != crc {
        return false;
    }
    // The payload's length, when the payload can be told from the prefix.
    let Some(dot) = head.iter().rposition(|&b| b == b'.') else {
        return false;
    };
    let length_field = &head[dot + 1..];
    length_field.len() == 2 && length_field.iter().all(|b| b.is_ascii_alphanumeric())
}

fn b64url_json_object(part: &[u8]) -> Option<serde_json::Map<String, serde_json::Value>> {
    let trimmed = part
        .strip_suffix(b"==")
        .or_else(|| part.strip_suffix(b"="))
        .unwrap_or(part);
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(trimmed).ok()?;
    match serde_json::from_slice(&bytes).ok()? {
        serde_json::Value::Object(map) => Some(map),
        _ => None,
    }
}

fn jwt_ok(secret: &[u8]) -> bool {
    let mut parts = secret.split(|&b| b == b'.');
    let (Some(header), Some(payload)) = (parts.next(), parts.next()) else {
        return false;
    };
    let Some(header) = b64url_json_object(header) else {
        return false;
    };
    header.contains_key("alg") && b64url_json_object(payload).is_some()
}

fn is_b64(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=')
}

fn pem_ok(secret: &[u8]) -> bool {
    let mut body_chars = 0usize;
    for line in secret.split(|&b| b == b'\n') {
        let line = line.trim_ascii();
        if line.is_empty() || line.starts_with(b"-----") || line.contains(&b':') {
            continue; // armor lines, blank lines and RFC 1421 headers (Proc-Type, DEK-Info)
        }
        if !line.iter().all(|&b| is_b64(b) || b == b' ' || b == b'\\' || b == b'"') {
            return false;
        }
        body_chars += line.iter().filter(|&&b| is_b64(b)).count();
    }
    body_chars >= 64
}

/// Standard base64, padded or not: docker writes `auth` values unpadded at
/// times, and `.npmrc` `_auth` values are seen both ways. The padding is put
/// back before decoding, so a value of an impossible length (4n + 1) still fails.
fn decode_base64_padded_or_not(secret: &[u8]) -> Option<Vec<u8>> {
    let body = secret
        .strip_suffix(b"==")
        .or_else(|| secret.strip_suffix(b"="))
        .unwrap_or(secret);
    let mut padded = body.to_vec();
    while !padded.len().is_multiple_of(4) {
        padded.push(b'=');
    }
    base64::engine::general_purpose::STANDARD.decode(&padded).ok()
}

fn base64_text_ok(secret: &[u8]) -> bool {
    let Some(bytes) = decode_base64_padded_or_not(secret) else {
        return false;
    };
    bytes.len() >= 6
        && std::str::from_utf8(&bytes).is_ok_and(|s| {
            s.chars()
                .all(|c| !c.is_control() || c == '\n' || c == '\r' || c == '\t')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `payload` and its Base58Check checksum, encoded (the test's own encoder).
    fn base58check(payload: &[u8]) -> Vec<u8> {
        use sha2::{Digest, Sha256};
        let mut bytes = payload.to_vec();
        bytes.extend_from_slice(&Sha256::digest(Sha256::digest(payload))[..4]);
        base58(&bytes)
    }

    /// `bytes` in base58 (the test's own encoder).
    fn base58(bytes: &[u8]) -> Vec<u8> {
        let mut digits: Vec<u8> = Vec::new(); // base58 digits, least significant first
        for &byte in bytes {
            let mut carry = u32::from(byte);
            for d in &mut digits {
                carry += u32::from(*d) << 8;
                *d = (carry % 58) as u8;
                carry /= 58;
            }
            while carry > 0 {
                digits.push((carry % 58) as u8);
                carry /= 58;
            }
        }
        let zeros = bytes.iter().take_while(|&&b| b == 0).count();
        let mut out = vec![b'1'; zeros];
        out.extend(digits.iter().rev().map(|&d| BASE58[usize::from(d)]));
        out
    }

    #[test]
    fn a_solana_keypair_holds_the_public_key_of_its_seed() {
        let seed: Vec<u8> = (0..32u8).map(|i| i.wrapping_mul(71).wrapping_add(5)).collect();
        let pair = ring::signature::Ed25519KeyPair::from_seed_unchecked(&seed).expect("a seed");
        let mut bytes = seed.clone();
        bytes.extend_from_slice(ring::signature::KeyPair::public_key(&pair).as_ref());
        let array = |b: &[u8]| {
            let numbers: Vec<String> = b.iter().map(u8::to_string).collect();
            format!("[{}]", numbers.join(", "))
        };
        assert!(Validator::SolanaKeypair.check(array(&bytes).as_bytes()));
        assert!(Validator::SolanaKeypair.check(&base58(&bytes)));
        let mut other = bytes.clone();
        other[63] ^= 1;
        assert!(!Validator::SolanaKeypair.check(array(&other).as_bytes()));
        assert!(!Validator::SolanaKeypair.check(&base58(&other)));
        assert!(
            !Validator::SolanaKeypair.check(array(&bytes[..63]).as_bytes()),
            "63 bytes"
        );
        assert!(!Validator::SolanaKeypair.check(b"[256, 1]"));
    }

    #[test]
    fn base58_decodes_leading_ones_as_zero_bytes() {
        assert_eq!(base58_decode(b"1"), Some(vec![0]));
        assert_eq!(base58_decode(b"2"), Some(vec![1]));
        assert_eq!(base58_decode(b"21"), Some(vec![58]));
        assert_eq!(base58_decode(b"11z"), Some(vec![0, 0, 57]));
        assert_eq!(base58_decode(b"0OIl"), None, "not in the alphabet");
    }

    #[test]
    fn base58check_accepts_its_checksum_and_rejects_a_changed_character() {
        // A WIF-shaped payload: version 0x80, 32 key bytes, the compressed flag.
        let mut payload = vec![0x80];
        payload.extend((0..32u8).map(|i| i.wrapping_mul(97).wrapping_add(13)));
        payload.push(1);
        let mut key = base58check(&payload);
        assert!(matches!(key[0], b'K' | b'L'), "{}", String::from_utf8_lossy(&key));
        assert!(Validator::Base58check.check(&key));
        let last = key.len() - 1;
        key[last] = if key[last] == b'2' { b'3' } else { b'2' };
        assert!(!Validator::Base58check.check(&key));
        assert!(!Validator::Base58check.check(b"1111"), "too short for a checksum");
    }

    #[test]
    fn checksum_matches_the_published_test_vector() {
        assert_eq!(&github_checksum(b"hello"), b"0zNvy2");
    }

    #[test]
    fn github_crc32_accepts_built_token_and_rejects_a_flipped_char() {
        let payload = b"aB3dE5gH7jK9mN1pQ3sT5vW7yZ9bC1";
        let mut token = b"ghp_".to_vec();
        token.extend_from_slice(payload);
        token.extend_from_slice(&github_checksum(payload));
        assert!(Validator::GithubCrc32.check(&token));
        token[10] = b'Z';
        assert!(!Validator::GithubCrc32.check(&token));
    }

    #[test]
    fn jwt_needs_json_header_with_alg() {
        let enc = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
        let good = format!("{}.{}.sig", enc(r#"{"alg":"HS256"}"#), enc(r#"{"sub":"1"}"#));
        assert!(Validator::Jwt.check(good.as_bytes()));
        let no_alg = format!("{}.{}.sig", enc(r#"{"typ":"JWT"}"#), enc(r#"{"sub":"1"}"#));
        assert!(!Validator::Jwt.check(no_alg.as_bytes()));
        assert!(!Validator::Jwt.check(b"eyJnotjson.eyJalso.sig"));
    }

    #[test]
    fn pem_needs_a_real_body() {
        let body = "MIIEowIBAAKCAQEA".repeat(5);
        let pem = format!("-----BEGIN RSA PRIVATE KEY-----\n{body}\n-----END RSA PRIVATE KEY-----");
        assert!(Validator::Pem.check(pem.as_bytes()));
        let dots = "-----BEGIN RSA PRIVATE KEY-----\n...\n-----END RSA PRIVATE KEY-----";
        assert!(!Validator::Pem.check(dots.as_bytes()));
    }

    #[test]
    fn gitlab_routable_crc_follows_gitlabs_generator() {
        // Built as GitLab builds one: CRC32 of everything before, base 36.
        let head = "glpat-cmFuZG9tYnl0ZXNoZXJlAG86MTIzCg.01.1a";
        let token = format!(
            "{head}{}",
            String::from_utf8_lossy(&base36(crc32fast::hash(head.as_bytes()), 7))
        );
        assert!(Validator::GitlabRoutableCrc.check(token.as_bytes()));
        let mut bad = token.clone().into_bytes();
        let last = bad.len() - 1;
        bad[last] = if bad[last] == b'0' { b'1' } else { b'0' };
        assert!(!Validator::GitlabRoutableCrc.check(&bad));
        assert_eq!(base36(35, 3), b"00z");
    }

    #[test]
    fn base64_text_decodes() {
        assert!(Validator::Base64Text.check(b"c3VwZXJzZWNyZXQ="));
        assert!(!Validator::Base64Text.check(b"not base64!"));
    }

    #[test]
    fn base64_text_accepts_unpadded_input() {
        let enc = |s: &str| base64::engine::general_purpose::STANDARD_NO_PAD.encode(s);
        // Both padding lengths, written without their `=`.
        for text in ["ci-pusher:Wq7Lm2Xz9Kp4", "ci-pusher:Wq7Lm2Xz9Kp45"] {
            let unpadded = enc(text);
            assert!(!unpadded.ends_with('='));
            assert!(Validator::Base64Text.check(unpadded.as_bytes()), "{unpadded}");
        }
        // A length no base64 can have (4n + 1), and text that decodes to binary.
        assert!(!Validator::Base64Text.check(b"c3VwZXJzZWNyZXQ"[..13].as_ref()));
        let binary = base64::engine::general_purpose::STANDARD_NO_PAD.encode([0u8, 1, 2, 3, 4, 5, 6, 7]);
        assert!(!Validator::Base64Text.check(binary.as_bytes()));
    }
}
