//! Placeholder rejection: values that fill a secret's slot in docs, templates and
//! tests without being one (`EXAMPLE`, `xxxx`, `<token>`, `${VAR}`, `{{ var }}`,
//! `changeme`, `your_api_key`, runs of one character, `abcdef`/`123456`, environment
//! variable references and function calls).

/// Words that mark a value as a stand-in, matched case-insensitively anywhere.
const MARKERS: &[&str] = &[
    "example",
    "xxxx",
    "****",
    "....",
    "changeme",
    "change_me",
    "change-me",
    "your_",
    "your-",
    "yourapi",
    "yourtoken",
    "yoursecret",
    "yourpassword",
    "placeholder",
    "dummy",
    "redacted",
    "insert_",
    "insert-",
    "replace_me",
    "replaceme",
    "<your",
    "fake",
    "sample",
    "notreal",
    "not_real",
    "not-a-real",
    "todo",
];

/// Whether `secret` looks like a placeholder rather than a real credential.
pub fn looks_like_placeholder(secret: &[u8]) -> bool {
    let lower = secret.to_ascii_lowercase();
    if MARKERS
        .iter()
        .any(|m| memchr::memmem::find(&lower, m.as_bytes()).is_some())
    {
        return true;
    }
    is_template(secret) || is_reference(secret) || has_run(secret) || has_sequence(&lower) || few_distinct(secret)
}

/// `<value>`, `${VAR}`, `{{ var }}`, `%(name)s`, `#{x}`.
fn is_template(s: &[u8]) -> bool {
    let find = |n: &[u8]| memchr::memmem::find(s, n).is_some();
    (s.first() == Some(&b'<') && s.last() == Some(&b'>')) || find(b"${") || find(b"{{") || find(b"%(") || find(b"#{")
}

/// `$VAR`, `%VAR%`, `process.env.X`, `os.environ[...]`, `getenv(...)`, `call()`.
fn is_reference(s: &[u8]) -> bool {
    let ident = |t: &[u8]| !t.is_empty() && t.iter().all(|&b| b.is_ascii_alphanumeric() || b == b'_');
    if let Some(rest) = s.strip_prefix(b"$") {
        if ident(rest) {
            return true;
        }
    }
    if s.len() > 2 && s.first() == Some(&b'%') && s.last() == Some(&b'%') && ident(&s[1..s.len() - 1]) {
        return true;
    }
    let lower = s.to_ascii_lowercase();
    let find = |n: &[u8]| memchr::memmem::find(&lower, n).is_some();
    if find(b"process.env") || find(b"os.environ") || find(b"getenv") || find(b"env(") || find(b"env[") {
        return true;
    }
    // A function call: `name(...)` ending in `)`.
    s.last() == Some(&b')')
        && s.iter()
            .position(|&b| b == b'(')
            .is_some_and(|p| p > 0 && ident(&s[..p]))
}

/// Six or more of the same character in a row (`aaaaaa`, `000000`).
fn has_run(s: &[u8]) -> bool {
    let mut run = 1;
    for w in s.windows(2) {
        if w[0] == w[1] && w[0] != b'=' {
            run += 1;
            if run >= 6 {
                return true;
            }
        } else {
            run = 1;
        }
    }
    false
}

/// Six or more consecutive ascending letters or digits (`abcdef`, `123456`).
fn has_sequence(lower: &[u8]) -> bool {
    let mut run = 1;
    for w in lower.windows(2) {
        if w[1] == w[0].wrapping_add(1) && w[0].is_ascii_alphanumeric() && w[1].is_ascii_alphanumeric() {
            run += 1;
            if run >= 6 {
                return true;
            }
        } else {
            run = 1;
        }
    }
    false
}

/// A long value drawn from three characters or fewer (`abababab`, `0x0x0x0x`).
fn few_distinct(s: &[u8]) -> bool {
    if s.len() < 8 {
        return false;
    }
    let mut seen = [false; 256];
    let mut distinct = 0;
    for &b in s {
        if !seen[b as usize] {
            seen[b as usize] = true;
            distinct += 1;
            if distinct > 3 {
                return false;
            }
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_rejected() {
        for p in [
            "AKIAIOSFODNN7EXAMPLE",
            "xxxxxxxxxxxxxxxx",
            "<your-token>",
            "${GITHUB_TOKEN}",
            "{{ secrets.token }}",
            "changeme",
            "your_api_key_here",
            "$API_KEY",
            "%API_KEY%",
            "process.env.API_KEY",
            "os.environ['KEY']",
            "get_secret()",
            "aaaaaaaaaaaaaaaaaaaa",
            "abcdefghijklmnop",
            "1234567890",
            "abababababab",
        ] {
            assert!(looks_like_placeholder(p.as_bytes()), "{p} should be a placeholder");
        }
    }

    #[test]
    fn random_tokens_are_not_placeholders() {
        for s in [
            "x7Kp2QmZ9vR4tL8nB3wY",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzz9qP3nQ1a",
            "Tr0ub4dor&3horse",
        ] {
            assert!(!looks_like_placeholder(s.as_bytes()), "{s} is not a placeholder");
        }
    }
}
