//! Helpers the tests of several hush crates share: fake but format-valid
//! secrets built at run time, so that no secret-shaped string is committed
//! outside the paths `.hushignore` excludes (CI scans the repository).

/// A deterministic pseudo-random base62 string (xorshift; no `rand` needed).
pub fn base62(seed: u64, len: usize) -> String {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            ALPHABET[(x % 62) as usize] as char
        })
        .collect()
}

/// A GitHub classic token with a valid CRC32 checksum, different for each seed.
pub fn github_token(seed: u64) -> String {
    let payload = base62(seed, 30);
    let checksum = hush_rules::github_checksum(payload.as_bytes());
    format!(
        "{}{payload}{}",
        ["gh", "p_"].concat(),
        String::from_utf8_lossy(&checksum)
    )
}
