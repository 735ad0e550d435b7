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

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 48,
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
