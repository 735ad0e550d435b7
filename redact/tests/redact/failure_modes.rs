//! One test per failure mode of log redaction seen in the field: split secrets,
//! multi-line keys masked line by line, encoded variants, short masks, confirmable
//! hashes, and bytes that are not text.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use hush_redact::{HashKey, RedactStream, Redactor, Style};
use sha2::Digest;

use crate::common::{
    default_redactor, github_token, literal_redactor, pem_key, redact_in_pieces, small_limits_redactor, text,
};

#[test]
fn secret_split_across_reads_at_every_offset() {
    let token = github_token(7);
    let input = format!("export GITHUB_TOKEN={token} # set\nnext line\n");
    let expected = "export GITHUB_TOKEN=[REDACTED:github-pat] # set\nnext line\n";
    let r = default_redactor();
    for cut in 1..input.len() {
        let mut stream = RedactStream::new(r);
        let mut out = Vec::new();
        stream.push(&input.as_bytes()[..cut], &mut out);
        stream.push(&input.as_bytes()[cut..], &mut out);
        stream.finish(&mut out);
        assert_eq!(text(&out), expected, "cut at {cut}");
    }
}

#[test]
fn pem_key_arriving_line_by_line_is_redacted_from_begin_to_end() {
    let key = pem_key(3, "\n");
    let input = format!("before\nconfig loaded: {key}\nafter\n");
    let r = default_redactor();
    let mut stream = RedactStream::new(r);
    let mut out = Vec::new();
    for line in input.split_inclusive('\n') {
        stream.push(line.as_bytes(), &mut out);
    }
    stream.finish(&mut out);
    assert_eq!(text(&out), "before\nconfig loaded: [REDACTED:private-key-rsa]\nafter\n");
    let events: Vec<_> = stream.drain_redactions().collect();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].line, 2);
}

#[test]
fn pem_key_with_crlf_and_log_prefixes_is_still_redacted_whole() {
    let key = pem_key(4, "\r\n");
    let r = default_redactor();
    assert_eq!(
        text(&r.redact(format!("{key}\r\nok\r\n").as_bytes())),
        "[REDACTED:private-key-rsa]\r\nok\r\n"
    );
    // Each line prefixed by a logger: no rule matches, the block is still redacted.
    let prefixed: String = pem_key(5, "\n")
        .lines()
        .map(|l| format!("2024-05-01 app: {l}\n"))
        .collect();
    let out = text(&r.redact(prefixed.as_bytes()));
    assert_eq!(out, "2024-05-01 app: [REDACTED:private-key-block]\n", "{out}");
}

#[test]
fn a_begin_line_that_is_not_a_key_holds_nothing_back() {
    let r = default_redactor();
    let input = concat!(
        "if line.starts_with(\"-----BEGIN RSA PRIV",
        "ATE KEY-----\") {\n",
        "    return Err(\"unsupported\");\n",
        "}\n",
        "-----BEGIN PRIV",
        "ATE KEY-----\n...\n-----END PRIV",
        "ATE KEY-----\n"
    );
    assert_eq!(text(&r.redact(input.as_bytes())), input);
    let mut stream = RedactStream::new(r);
    let mut out = Vec::new();
    stream.push(
        input
            .lines()
            .next()
            .map(|l| format!("{l}\n"))
            .unwrap_or_default()
            .as_bytes(),
        &mut out,
    );
    stream.push(b"    return Err(\"unsupported\");\n", &mut out);
    assert!(!stream.is_holding(), "a line of code ends the hold");
    assert!(text(&out).ends_with("unsupported\");\n"), "{}", text(&out));
}

#[test]
fn held_key_lines_are_capped() {
    let r = small_limits_redactor(&[]);
    let mut input = String::from(concat!("-----BEGIN PRIV", "ATE KEY-----\n"));
    for _ in 0..200 {
        input.push_str("QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo=\n");
    }
    let mut stream = RedactStream::new(&r);
    let mut out = Vec::new();
    stream.push(input.as_bytes(), &mut out);
    assert!(!out.is_empty(), "past the cap (64 lines), held lines are released");
    assert!(out.len() >= input.len() - 64 * 40);
}

#[test]
fn base64_of_a_secret_with_prefix_and_suffix_is_masked_in_every_alignment() {
    let secret = b"Sup3r-S3cret-Value";
    let r = literal_redactor(&[secret], Style::Label);
    for prefix in ["", "u", "us", "usr:", "user:x"] {
        for suffix in ["", "!", "\n", "@host"] {
            let mut message = prefix.as_bytes().to_vec();
            message.extend_from_slice(secret);
            message.extend_from_slice(suffix.as_bytes());
            let encoded = STANDARD.encode(&message);
            let out = text(&r.redact(format!("Authorization-ish: {encoded} end\n").as_bytes()));
            assert!(
                out.contains("[REDACTED:literal-mask-base64]"),
                "{prefix:?}{suffix:?}: {out}"
            );
            let visible = out
                .split_whitespace()
                .find(|w| w.contains("[REDACTED"))
                .map(|w| w.replace("[REDACTED:literal-mask-base64]", ""))
                .unwrap_or_default();
            let edge_budget = STANDARD.encode(prefix).len() + STANDARD.encode(suffix).len() + 4;
            assert!(visible.len() <= edge_budget, "{prefix:?}{suffix:?}: {out}");
        }
    }
}

#[test]
fn percent_encoded_and_json_escaped_forms_are_masked() {
    let secret = b"p@ss w/\"quotes\"&more";
    let r = literal_redactor(&[secret], Style::Label);
    let input = concat!(
        "GET /login?user=bob&pw=p%40ss%20w%2F%22quotes%22%26more HTTP/1.1\n",
        "form: pw=p%40ss+w%2F%22quotes%22%26more\n",
        "{\"msg\":\"login with p@ss w/\\\"quotes\\\"&more\"}\n",
    );
    let out = text(&r.redact(input.as_bytes()));
    assert_eq!(
        out,
        concat!(
            "GET /login?user=bob&pw=[REDACTED:literal-mask-percent] HTTP/1.1\n",
            "form: pw=[REDACTED:literal-mask-percent]\n",
            "{\"msg\":\"login with [REDACTED:literal-mask-json]\"}\n",
        )
    );
    let hex: String = secret.iter().map(|b| format!("{b:02x}")).collect();
    let out = text(&r.redact(format!("hex: {hex}\n").as_bytes()));
    assert_eq!(out, "hex: [REDACTED:literal-mask-hex]\n");
}

#[test]
fn short_mask_values_are_refused_with_a_warning() {
    let r = literal_redactor(&[b"abc", b"12345\n"], Style::Label);
    assert_eq!(r.warnings().len(), 2, "{:?}", r.warnings());
    assert!(r.warnings()[0].contains("shorter than 6"));
    let input = b"abc 12345 abcabc\n";
    assert_eq!(r.redact(input), input.to_vec());
}

#[test]
fn hash_style_correlates_within_a_key_and_cannot_be_confirmed_without_it() {
    let token = github_token(11);
    let other = github_token(12);
    let build = |key: &[u8]| {
        Redactor::builder()
            .rules(hush_rules::RuleSet::default_rules().expect("compiles"))
            .style(Style::Hash(HashKey::from_bytes(key).expect("16 bytes")))
            .build()
            .expect("builds")
    };
    let input = format!("a {token}\nb {token}\nc {other}\n");
    let k1 = text(&build(b"key-number-one--").redact(input.as_bytes()));
    let k2 = text(&build(b"key-number-two--").redact(input.as_bytes()));
    let markers = |out: &str| -> Vec<String> { out.lines().map(|l| l[2..].to_owned()).collect() };
    let (m1, m2) = (markers(&k1), markers(&k2));
    assert!(m1[0].starts_with("[REDACTED:github-pat:") && m1[0].len() == "[REDACTED:github-pat:]".len() + 8);
    assert_eq!(m1[0], m1[1], "same secret, same key: same marker");
    assert_ne!(m1[0], m1[2], "different secrets differ");
    assert_ne!(m1[0], m2[0], "another key gives another marker");
    // An unkeyed hash of a guessed secret does not appear.
    let guess = sha2::Sha256::digest(token.as_bytes());
    let guess_hex: String = guess[..4].iter().map(|b| format!("{b:02x}")).collect();
    assert!(!k1.contains(&guess_hex));
    assert!(!k1.contains(&token));
}

#[test]
fn random_hash_keys_differ_per_run() {
    let a = HashKey::random().expect("random key");
    let b = HashKey::random().expect("random key");
    assert_ne!(a.tag(b"same secret"), b.tag(b"same secret"));
    assert_eq!(a.tag(b"same secret"), a.tag(b"same secret"));
}

#[test]
fn invalid_utf8_and_nul_bytes_pass_through_around_a_secret() {
    let token = github_token(5);
    let mut input = b"\xff\xfe\x00\x01 bin \xc3\x28 ".to_vec();
    input.extend_from_slice(token.as_bytes());
    input.extend_from_slice(b" \x00\x80\xbf\n\xe2\x82\n\x00");
    let mut expected = b"\xff\xfe\x00\x01 bin \xc3\x28 ".to_vec();
    expected.extend_from_slice(b"[REDACTED:github-pat]");
    expected.extend_from_slice(b" \x00\x80\xbf\n\xe2\x82\n\x00");
    let r = default_redactor();
    assert_eq!(r.redact(&input), expected);
    assert_eq!(redact_in_pieces(r, &input, 1), expected);
}

#[test]
fn json_lines_stay_valid_json() {
    let r = default_redactor();
    let input = concat!(
        "{\"ts\":1,\"user\":\"bob\",\"password\":\"hunter2 with spaces\",\"api_key\":12345,",
        "\"cookie\":{\"sid\":\"abc\"},\"headers\":{\"Authorization\":\"Bearer abc.def.ghi\"},\"msg\":\"ok\"}\n"
    );
    let out = r.redact(input.as_bytes());
    let value: serde_json::Value = serde_json::from_slice(&out).expect("still JSON");
    assert_eq!(value["password"], "[REDACTED:json-secret-field]");
    assert_eq!(value["api_key"], "[REDACTED:json-secret-field]");
    assert_eq!(value["cookie"], "[REDACTED:json-secret-field]");
    assert_eq!(value["headers"]["Authorization"], "[REDACTED:json-secret-field]");
    assert_eq!(value["user"], "bob");
    assert_eq!(value["msg"], "ok");
    let fixed = Redactor::builder()
        .style(Style::Fixed(b"<\"gone\">".to_vec()))
        .build()
        .expect("builds");
    let out = fixed.redact(input.as_bytes());
    let value: serde_json::Value = serde_json::from_slice(&out).expect("still JSON with a quoting replacement");
    assert_eq!(value["password"], "<\"gone\">");
}

#[test]
fn partial_style_keeps_the_prefix_of_prefixed_tokens() {
    let r = Redactor::builder()
        .rules(hush_rules::RuleSet::default_rules().expect("compiles"))
        .style(Style::Partial)
        .build()
        .expect("builds");
    let out = text(&r.redact(format!("t={} p={{\"password\":\"hunter22\"}}\n", github_token(1)).as_bytes()));
    assert!(
        out.starts_with("t=ghp_[REDACTED:github-pat] p={\"password\":\"[REDACTED:"),
        "{out}"
    );
    assert!(!out.contains("hunter22"), "{out}");
}

#[test]
fn url_passwords_query_secrets_and_headers() {
    let r = default_redactor();
    let input = format!(
        "GET https://bob:hunter22@api.internal/v1?user=x&access_token=abc123&sig=ff00aa HTTP/1.1\n\
         Authorization: Basic {}\n",
        STANDARD.encode("bob:hunter22")
    );
    assert_eq!(
        text(&r.redact(input.as_bytes())),
        concat!(
            "GET https://bob:[REDACTED:url-password]@api.internal/v1?user=x&access_token=[REDACTED:url-secret-param]&sig=[REDACTED:url-secret-param] HTTP/1.1\n",
            "Authorization: Basic [REDACTED:http-authorization-basic]\n",
        )
    );
}

#[test]
fn endless_line_is_redacted_in_windows() {
    let r = small_limits_redactor(&[b"window-literal-value"]);
    let mut input = Vec::new();
    let mut expected = Vec::new();
    for i in 0..1000u64 {
        let filler = "y".repeat(37 + (i as usize * 13) % 200);
        input.extend_from_slice(format!("{filler} {} window-literal-value ", github_token(i)).as_bytes());
        expected.extend_from_slice(format!("{filler} [REDACTED:github-pat] [REDACTED:literal-mask] ").as_bytes());
    }
    assert!(input.len() > 20 * 4096, "many windows");
    assert_eq!(text(&redact_in_pieces(&r, &input, 1000)), text(&expected));
    assert_eq!(text(&r.redact(&input)), text(&expected));
}
