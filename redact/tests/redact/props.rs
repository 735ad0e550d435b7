//! Properties: clean input comes out identical, planted secrets are replaced with
//! every other byte identical, and read sizes never change the output.

use proptest::collection::vec;
use proptest::prelude::*;

use crate::common::{
    default_redactor, github_token, pem_key, redact_in_pieces, redact_with_reads, small_limits_redactor,
};

const READ_SIZES: [usize; 4] = [1, 7, 4096, 1 << 20];

/// Log-like words with no keyword, secret name or literal in them.
const WORDS: &[&str] = &[
    "GET",
    "POST",
    "/index.html",
    "200",
    "404",
    "user=bob",
    "took",
    "12ms",
    "INFO",
    "WARN",
    "ERROR",
    "{\"level\":\"info\"}",
    "at",
    "com.example.Main.run(Main.java:42)",
    "127.0.0.1",
    "-",
    "\"Mozilla/5.0\"",
    "retrying",
    "é",
    "日本",
    "\t",
    "connection",
    "closed",
    "[2024-05-01T10:00:00Z]",
];

/// 48 cases per property, or `PROPTEST_CASES` for a longer run.
fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(48);
    ProptestConfig {
        cases,
        ..ProptestConfig::default()
    }
}

/// A piece of a generated log.
#[derive(Debug, Clone)]
enum Piece {
    Words(Vec<usize>),
    Newline,
    Bytes(Vec<u8>),
    Token(u64),
    Pem(u64),
    JsonSecret(u64),
    LongLine(usize),
}

fn piece() -> impl Strategy<Value = Piece> {
    prop_oneof![
        6 => vec(0..WORDS.len(), 1..12).prop_map(Piece::Words),
        4 => Just(Piece::Newline),
        2 => vec(any::<u8>(), 0..64).prop_map(Piece::Bytes),
        2 => any::<u64>().prop_map(Piece::Token),
        1 => any::<u64>().prop_map(Piece::Pem),
        1 => any::<u64>().prop_map(Piece::JsonSecret),
        1 => (1000usize..12_000).prop_map(Piece::LongLine),
    ]
}

fn render(pieces: &[Piece]) -> Vec<u8> {
    let mut out = Vec::new();
    for p in pieces {
        match p {
            Piece::Words(w) => {
                for i in w {
                    out.extend_from_slice(WORDS[*i].as_bytes());
                    out.push(b' ');
                }
            }
            Piece::Newline => out.push(b'\n'),
            Piece::Bytes(b) => out.extend_from_slice(b),
            Piece::Token(seed) => out.extend_from_slice(format!(" {} ", github_token(*seed)).as_bytes()),
            Piece::Pem(seed) => out.extend_from_slice(format!("\n{}\n", pem_key(*seed, "\n")).as_bytes()),
            Piece::JsonSecret(seed) => out.extend_from_slice(
                format!(
                    "\n{{\"user\":\"bob\",\"client_secret\":\"{}\"}}\n",
                    crate::common::base62(*seed, 20)
                )
                .as_bytes(),
            ),
            Piece::LongLine(len) => {
                let line: String = (0..*len).map(|i| if i % 97 == 0 { ' ' } else { 'x' }).collect();
                out.extend_from_slice(line.as_bytes());
                out.extend_from_slice(format!(" {} ", github_token(*len as u64)).as_bytes());
            }
        }
    }
    out
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn random_bytes_come_out_identical(input in vec(any::<u8>(), 0..8192)) {
        let r = default_redactor();
        prop_assert_eq!(r.redact(&input), input.clone());
        prop_assert_eq!(redact_in_pieces(r, &input, 7), input);
    }

    #[test]
    fn log_lines_without_secrets_come_out_identical(words in vec(0..WORDS.len(), 0..400), breaks in vec(any::<bool>(), 400)) {
        let mut input = Vec::new();
        for (i, w) in words.iter().enumerate() {
            input.extend_from_slice(WORDS[*w].as_bytes());
            input.push(if breaks[i] { b'\n' } else { b' ' });
        }
        let r = default_redactor();
        prop_assert_eq!(redact_in_pieces(r, &input, 3), input);
    }

    #[test]
    fn planted_secrets_are_replaced_and_nothing_else_changes(
        fillers in vec(vec(any::<u8>(), 0..300), 1..8),
        seeds in vec(any::<u64>(), 8),
    ) {
        let mut input = Vec::new();
        let mut expected = Vec::new();
        for (filler, seed) in fillers.iter().zip(&seeds) {
            input.extend_from_slice(filler);
            expected.extend_from_slice(filler);
            input.extend_from_slice(format!(" {} ", github_token(*seed)).as_bytes());
            expected.extend_from_slice(b" [REDACTED:github-pat] ");
        }
        let r = default_redactor();
        prop_assert_eq!(crate::common::text(&r.redact(&input)), crate::common::text(&expected));
        prop_assert_eq!(r.redact(&input), expected);
    }

    #[test]
    fn read_sizes_do_not_change_the_output(pieces in vec(piece(), 1..24)) {
        let input = render(&pieces);
        let r = small_limits_redactor(&[b"literal-mask-value"]);
        let whole = r.redact(&input);
        for size in READ_SIZES {
            prop_assert_eq!(&redact_with_reads(&r, &input, size, true), &whole, "read size {}", size);
        }
        prop_assert_eq!(&redact_with_reads(&r, &input, 7, false), &whole, "interactive pump");
        for p in &pieces {
            if let Piece::Token(seed) = p {
                let token = github_token(*seed);
                prop_assert!(!crate::common::text(&whole).contains(&token), "token leaked");
            }
        }
    }
}

/// Fragments that drive every detector and state: JSON keys and strings, escapes,
/// key armor, URLs, headers, long runs, CRLF and invalid bytes.
const FRAGMENTS: &[&[u8]] = &[
    b"{\"password\":",
    b"\"",
    b"\\\"",
    b"\\",
    b"{",
    b"}",
    b"[",
    b"]",
    b":",
    b" ",
    b"\n",
    b"\r\n",
    b"\x00",
    b"\xff\xfe",
    b"-----BEGIN RSA PRIV",
    b"ATE KEY-----",
    b"-----END RSA PRIV",
    b"QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo=",
    b"https://",
    b"user:pa55word@",
    b"?token=",
    b"&sig=",
    b"Authorization: Bearer ",
    b"cookie",
    b"secret",
    b"literal-mask-value",
    b"bGl0ZXJhbC1tYXNrLXZhbHVl",
    b"x",
];

proptest! {
    #![proptest_config(config())]

    #[test]
    fn adversarial_fragments_never_panic_and_read_sizes_agree(
        parts in vec((0..FRAGMENTS.len(), 1usize..40), 0..200),
    ) {
        let mut input = Vec::new();
        for (i, repeat) in parts {
            let fragment = FRAGMENTS[i];
            let times = if fragment == b"x" { repeat * 200 } else { 1 + repeat % 3 };
            for _ in 0..times {
                input.extend_from_slice(fragment);
            }
        }
        let r = small_limits_redactor(&[b"literal-mask-value"]);
        let whole = r.redact(&input);
        for size in [1, 7, 4096] {
            prop_assert_eq!(&redact_in_pieces(&r, &input, size), &whole, "read size {}", size);
        }
        prop_assert!(!crate::common::text(&whole).contains("literal-mask-value"));
    }
}
