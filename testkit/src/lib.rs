//! Helpers the tests of several hush crates share: fake but format-valid
//! secrets built at run time, so that no secret-shaped string is committed
//! outside the paths `.hushignore` excludes (CI scans the repository).

/// `len` deterministic pseudo-random characters of `alphabet` (xorshift; no
/// `rand` needed).
fn pseudo_random(seed: u64, len: usize, alphabet: &[u8]) -> String {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            alphabet[(x % alphabet.len() as u64) as usize] as char
        })
        .collect()
}

/// A deterministic pseudo-random base62 string.
pub fn base62(seed: u64, len: usize) -> String {
    pseudo_random(
        seed,
        len,
        b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
    )
}

/// A deterministic pseudo-random lowercase hex string.
pub fn hex(seed: u64, len: usize) -> String {
    pseudo_random(seed, len, b"0123456789abcdef")
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
