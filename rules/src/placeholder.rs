//! Placeholder rejection: values that fill a secret's slot in docs, templates and
//! tests without being one. The matcher drops a value *marked* as a stand-in
//! ([`is_marked_placeholder`]): a marker word (`EXAMPLE`, `xxxx`, `changeme`,
//! `your_api_key`...), a template or reference (`<token>`, `${VAR}`,
//! `{{ var }}`, `process.env.X`, a function call), a run of one character, three
//! characters or fewer, one block repeated (`1a2b3c1a2b3c`), one dash-separated
//! group written three times, an alphabet typed out for twelve characters, or a
//! sample value a vendor publishes in its documentation (kept in
//! `data/published-samples.txt`, each with its source). Counting patterns
//! (`a1b2c3d4`, `AbCdEf123456`) and short ascending runs are no such mark:
//! hand-typed credentials have them and the other scanners report them. The
//! stricter [`looks_like_placeholder`], which also counts those, picks the
//! values of generated rule examples.

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
    "qwerty",
    "asdfgh",
    "zxcvbn",
    "lorem",
    "ipsum",
    "foobar",
    "deadbeef",
    "cafebabe",
];

/// Sample credentials vendors print in their documentation: one value per line,
/// a tab, and the page it comes from. Reviewed by hand; `#` starts a comment.
const PUBLISHED_SAMPLES: &str = include_str!("../data/published-samples.txt");

/// Whether `secret` is one of the vendors' published sample values.
pub fn is_published_sample(secret: &[u8]) -> bool {
    PUBLISHED_SAMPLES
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split('\t').next())
        .any(|sample| !sample.is_empty() && sample.as_bytes() == secret)
}

/// Whether `secret` looks like a placeholder rather than a real credential.
pub fn looks_like_placeholder(secret: &[u8]) -> bool {
    has_marker(secret) || has_placeholder_shape(secret)
}

/// Whether one of the [`MARKERS`] is anywhere in `s`, case-insensitively.
fn has_marker(s: &[u8]) -> bool {
    let lower = s.to_ascii_lowercase();
    MARKERS
        .iter()
        .any(|m| memchr::memmem::find(&lower, m.as_bytes()).is_some())
}

/// Whether `secret` is a placeholder by its whole shape, counting patterns and
/// ascending runs included (for [`looks_like_placeholder`]).
fn has_placeholder_shape(secret: &[u8]) -> bool {
    let lower = secret.to_ascii_lowercase();
    is_template(secret)
        || is_reference(secret)
        || has_run(secret)
        || ascends_for(&lower, 6)
        || few_distinct(secret)
        || is_periodic(secret)
        || counts_up(&lower)
        || is_published_sample(secret)
}

/// Whether `body` is marked as a stand-in (see the module docs): a marker word
/// or [`has_marked_shape`]. `body` is the value after the rule's own prefix
/// (`glcbt-`, `sntrys_`, `xoxb-`), `whole` the value with it (references and
/// published samples are judged whole).
pub fn is_marked_placeholder(body: &[u8], whole: &[u8]) -> bool {
    has_marker(body) || has_marked_shape(body, whole)
}

/// Whether `body` is a stand-in by its shape alone, leaving out marker words:
/// the check for a token whose checksum verifies, since 30 random base62
/// characters hold one of the four-letter markers (`xxxx`, `todo`, `fake`...)
/// about once in a few thousand tokens, and such real tokens were dropped.
pub fn has_marked_shape(body: &[u8], whole: &[u8]) -> bool {
    is_template(body)
        || is_reference(whole)
        || has_run(body)
        || few_distinct(body)
        || is_periodic(body)
        || ascends_for(body, 12)
        || repeats_a_group(body)
        || is_published_sample(whole)
}

/// One group of three or more characters, between `-`, `_` or `.`, written three
/// times or more (`1234-1234-1234`, `ABCD-ABCD-ABCD`): typed by hand. Groups of
/// random characters practically never repeat whole.
fn repeats_a_group(s: &[u8]) -> bool {
    let groups: Vec<&[u8]> = s
        .split(|b| matches!(b, b'-' | b'_' | b'.'))
        .filter(|g| g.len() >= 3)
        .collect();
    groups
        .iter()
        .any(|g| groups.iter().filter(|other| *other == g).count() >= 3)
}

/// `len` or more characters in a row that each follow the one before in the
/// same case (`abcdefghij`, `0123456789`, `KLMNOPQRST`): an alphabet typed out
/// (on a lower-cased value, in either case).
fn ascends_for(s: &[u8], len: usize) -> bool {
    let mut run = 1;
    for w in s.windows(2) {
        if w[1] == w[0].wrapping_add(1) && w[0].is_ascii_alphanumeric() && w[1].is_ascii_alphanumeric() {
            run += 1;
            if run >= len {
                return true;
            }
        } else {
            run = 1;
        }
    }
    false
}

/// A value made of one block repeated (`1a2b3c1a2b3c`, `abcdabcdabcd`): a
/// block of at most half the value that, repeated, gives the whole value.
fn is_periodic(s: &[u8]) -> bool {
    if s.len() < 8 {
        return false;
    }
    (1..=s.len() / 2).any(|period| (period..s.len()).all(|i| s[i] == s[i - period]))
}

/// Counting hidden among other characters: the letters alone, or the digits
/// alone, hold six or more in ascending order (`a1b2c3d4e5f6`,
/// `AbCdEf-123-456-789`). Random keys practically never do.
fn counts_up(lower: &[u8]) -> bool {
    let ascending = |class: fn(&u8) -> bool, wrap: Option<(u8, u8)>| {
        let mut run = 1;
        let mut prev: Option<u8> = None;
        for &b in lower.iter().filter(|b| class(b)) {
            let next = prev.map(|p| p.wrapping_add(1));
            let wrapped = wrap.is_some_and(|(last, first)| prev == Some(last) && b == first);
            if next == Some(b) || wrapped {
                run += 1;
                if run >= 6 {
                    return true;
                }
            } else {
                run = 1;
            }
            prev = Some(b);
        }
        false
    };
    ascending(u8::is_ascii_lowercase, None) || ascending(u8::is_ascii_digit, Some((b'9', b'0')))
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
            "a1b2c3d4e5f6g7h8",
            "AbCdEf123456GhIj",
            "1a2b3c4d1a2b3c4d",
            "x9Q2x9Q2x9Q2",
            "qwertyuiop1234",
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
            "597a1b54f35d0edb6b8737217264089f",
            "Kq7ZpX2mV9nR4tL8wY3bC6dF",
        ] {
            assert!(!looks_like_placeholder(s.as_bytes()), "{s} is not a placeholder");
        }
    }

    #[test]
    fn a_named_issuers_value_is_a_placeholder_only_when_marked() {
        // Hand-typed but not marked: reported.
        for s in [
            "a1b2c3d4e5f6a7b8c9d0",
            "xY9kLmNpQrStUvWxYz01",
            "abcdef1234567890abcdef12",
            "3dEfGhIjK4MnOpQrStUv",
        ] {
            assert!(looks_like_placeholder(s.as_bytes()), "{s}: the strict check counts it");
            assert!(!is_marked_placeholder(s.as_bytes(), s.as_bytes()), "{s} is not marked");
        }
        // Marked: a word, a template, a run, a repeated block, a typed-out alphabet.
        for s in [
            "EXAMPLEKEY0123abcXYZ",
            "${GITLAB_TOKEN}",
            "XXXXXXXXXXXXXXXXXXXX",
            "ab12ab12ab12ab12ab12",
            "abcdefghijklmnopqrstuvwxyz1234567",
            "your_token_here_0123",
            "12345678-ABCD-ABCD-ABCD-1234567890AB",
            "1234-1234-1234-4ddbc191d40ee098",
        ] {
            assert!(is_marked_placeholder(s.as_bytes(), s.as_bytes()), "{s} is marked");
        }
    }
}
