//! Google service-account keys for the `gcp-service-account` verifier: a JWT
//! naming the account (`iss`), signed RS256 with the found private key, is
//! exchanged at Google's token endpoint (OAuth 2.0 JWT bearer grant). Google
//! answers with a short-lived access token if the key is live and
//! `invalid_grant` if it is not; nothing changes on the account. The key
//! never leaves: only the signature does.
//! The request itself (URL, answers) is the rule's `verify` table; this module
//! only writes the signed form body.
//! Reference: <https://developers.google.com/identity/protocols/oauth2/service-account#httprest>.

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use ring::signature::{RsaKeyPair, RSA_PKCS1_SHA256};

use super::request::Prepared;

/// The narrowest scope: the access token asked for can read the account's
/// own e-mail address and nothing else.
const SCOPE: &str = "https://www.googleapis.com/auth/userinfo.email";
/// How long the assertion is good for (Google accepts at most an hour).
const LIFETIME_SECS: u64 = 300;
const GRANT: &str = "urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer";

/// The DER body of a PEM private key as a service-account file holds it: a
/// JSON string, so its line breaks may still be written `\n`.
fn pem_body(pem: &[u8]) -> Result<Vec<u8>, String> {
    let text = String::from_utf8_lossy(pem).replace("\\n", "\n").replace("\\r", "");
    let body: String = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("-----"))
        .collect();
    STANDARD
        .decode(body.as_bytes())
        .map_err(|_| "the private key's body is not base64".to_owned())
}

/// A JWT for `client_email`, audience `audience`, issued at `now` (seconds
/// since the epoch), signed with `private_key_pem` (PKCS#8, RSA).
pub fn assertion(private_key_pem: &[u8], client_email: &str, audience: &str, now: u64) -> Result<String, String> {
    let der = pem_body(private_key_pem)?;
    let key = RsaKeyPair::from_pkcs8(&der).map_err(|e| format!("the private key is not an RSA PKCS#8 key ({e})"))?;
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"RS256","typ":"JWT"}"#);
    let claims = serde_json::json!({
        "iss": client_email,
        "scope": SCOPE,
        "aud": audience,
        "iat": now,
        "exp": now + LIFETIME_SECS,
    });
    let signed = format!("{header}.{}", URL_SAFE_NO_PAD.encode(claims.to_string()));
    let mut signature = vec![0; key.public().modulus_len()];
    key.sign(
        &RSA_PKCS1_SHA256,
        &ring::rand::SystemRandom::new(),
        signed.as_bytes(),
        &mut signature,
    )
    .map_err(|_| "signing with the private key failed".to_owned())?;
    Ok(format!("{signed}.{}", URL_SAFE_NO_PAD.encode(signature)))
}

/// Writes the token request's form body into `request`: the grant type and
/// the assertion for `client_email`, signed now. `audience` is the token
/// endpoint the rule names (Google checks it), not a test override's URL.
pub fn sign(request: &mut Prepared, private_key_pem: &[u8], client_email: &str, audience: &str) -> Result<(), String> {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let jwt = assertion(private_key_pem, client_email, audience, now)?;
    request.body = Some(format!("grant_type={GRANT}&assertion={jwt}"));
    request.headers.retain(|(k, _)| !k.eq_ignore_ascii_case("content-type"));
    request
        .headers
        .push(("Content-Type".into(), "application/x-www-form-urlencoded".into()));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_that_is_not_rsa_pkcs8_is_a_reason_not_a_panic() {
        let err = assertion(
            b"-----BEGIN PRIVATE KEY-----\\nAAAA\\n-----END PRIVATE KEY-----\\n",
            "a@b",
            "x",
            0,
        )
        .expect_err("not a key");
        assert!(err.contains("not an RSA PKCS#8 key"), "{err}");
        let err = assertion(
            b"-----BEGIN PRIVATE KEY-----\n*&^%\n-----END PRIVATE KEY-----",
            "a@b",
            "x",
            0,
        )
        .expect_err("not base64");
        assert!(err.contains("not base64"), "{err}");
    }

    #[test]
    fn escaped_and_real_line_breaks_give_the_same_body() {
        let escaped = pem_body(b"-----BEGIN PRIVATE KEY-----\\nTUlJ\\nQUJD\\n-----END PRIVATE KEY-----\\n").unwrap();
        let real = pem_body(b"-----BEGIN PRIVATE KEY-----\nTUlJ\nQUJD\n-----END PRIVATE KEY-----\n").unwrap();
        assert_eq!(escaped, real);
        assert_eq!(real, b"MIIABC");
    }
}
