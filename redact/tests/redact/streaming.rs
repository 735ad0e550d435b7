//! Streaming behaviour: early flushes of an incomplete line, line numbers of
//! redactions, and the pump's interactive mode.

use hush_redact::{PumpOptions, RedactStream};

use crate::common::{default_redactor, github_token, pem_key, text};

#[test]
fn an_early_flush_holds_back_the_last_word_only() {
    let token = github_token(21);
    let r = default_redactor();
    let mut stream = RedactStream::new(r);
    let mut out = Vec::new();
    stream.push(
        format!("login ok token={} pending {}", github_token(22), &token[..10]).as_bytes(),
        &mut out,
    );
    assert!(out.is_empty(), "an incomplete line waits");
    stream.flush_partial(&mut out);
    assert_eq!(text(&out), "login ok token=[REDACTED:github-pat] pending ");
    assert_eq!(stream.unwritten_partial(), 10);
    stream.flush_partial(&mut out);
    assert_eq!(
        text(&out),
        "login ok token=[REDACTED:github-pat] pending ",
        "the tail waits for more"
    );
    stream.push(format!("{} done\n", &token[10..]).as_bytes(), &mut out);
    assert_eq!(
        text(&out),
        "login ok token=[REDACTED:github-pat] pending [REDACTED:github-pat] done\n"
    );
    let events: Vec<_> = stream.drain_redactions().collect();
    assert_eq!(events.len(), 2, "each secret is reported once: {events:?}");
}

#[test]
fn redactions_carry_their_line_numbers() {
    let mut input = String::new();
    for i in 1..=3000 {
        match i {
            2 | 1500 => input.push_str(&format!("line {i} {}\n", github_token(i))),
            2000 => input.push_str(&format!("{}\n", pem_key(1, "\n"))),
            _ => input.push_str(&format!("line {i} nothing to see\n")),
        }
    }
    input.push_str(&format!("last {}", github_token(9)));
    let r = default_redactor();
    for size in [1, 100, 1 << 20] {
        let mut stream = RedactStream::new(r);
        let mut out = Vec::new();
        let mut lines = Vec::new();
        for piece in input.as_bytes().chunks(size) {
            stream.push(piece, &mut out);
            lines.extend(stream.drain_redactions().map(|e| (e.rule, e.line)));
        }
        stream.finish(&mut out);
        lines.extend(stream.drain_redactions().map(|e| (e.rule, e.line)));
        let pem_lines = pem_key(1, "\n").lines().count() as u64;
        assert_eq!(
            lines,
            vec![
                ("github-pat".to_owned(), 2),
                ("github-pat".to_owned(), 1500),
                ("private-key-rsa".to_owned(), 2000),
                ("github-pat".to_owned(), 3001 + pem_lines - 1),
            ],
            "read size {size}"
        );
    }
}

#[test]
fn report_masks_never_hold_the_secret() {
    let token = github_token(3);
    let r = default_redactor();
    let mut stream = RedactStream::new(r);
    let mut out = Vec::new();
    stream.push(
        format!("a {token}\n{{\"password\":\"hunter2hunter2\"}}\n").as_bytes(),
        &mut out,
    );
    let events: Vec<_> = stream.drain_redactions().collect();
    assert_eq!(events.len(), 2);
    assert_eq!(events[0].secret_masked, "ghp_…(40)");
    assert_eq!(events[1].secret_masked, "…(14)");
    assert!(events.iter().all(|e| !e.secret_masked.contains("hunter")));
}

#[test]
fn interactive_pump_over_a_pipe_writes_lines_as_they_come() {
    use std::io::{Read, Write};
    let (reader, mut writer) = std::io::pipe().expect("pipe");
    let (mut out_reader, out_writer) = std::io::pipe().expect("pipe");
    let pump = std::thread::spawn(move || {
        let mut stream = RedactStream::new(default_redactor());
        hush_redact::pump(
            &mut stream,
            reader,
            out_writer,
            &PumpOptions::default(),
            &mut |_| Ok(()),
        )
    });
    writer
        .write_all(format!("first {}\n", github_token(1)).as_bytes())
        .expect("write");
    let mut got = Vec::new();
    let mut buf = [0u8; 256];
    while !got.ends_with(b"\n") {
        let n = out_reader.read(&mut buf).expect("read");
        assert!(n > 0, "the pump ended early");
        got.extend_from_slice(&buf[..n]);
    }
    assert_eq!(text(&got), "first [REDACTED:github-pat]\n");
    writer.write_all(b"no newline yet").expect("write");
    let mut got = Vec::new();
    while got.len() < "no newline ".len() {
        let n = out_reader.read(&mut buf).expect("read");
        got.extend_from_slice(&buf[..n]);
    }
    assert_eq!(text(&got), "no newline ", "flushed after max-delay, last word held");
    drop(writer);
    let mut rest = Vec::new();
    out_reader.read_to_end(&mut rest).expect("read");
    assert_eq!(text(&rest), "yet");
    let summary = pump.join().expect("pump thread").expect("pump ok");
    assert_eq!(summary.redactions, 1);
}

#[test]
fn held_key_lines_are_released_when_no_end_line_comes() {
    use std::io::{Read, Write};
    use std::time::Duration;
    let (reader, mut writer) = std::io::pipe().expect("pipe");
    let (mut out_reader, out_writer) = std::io::pipe().expect("pipe");
    let options = PumpOptions {
        hold_timeout: Duration::from_millis(200),
        ..PumpOptions::default()
    };
    let pump = std::thread::spawn(move || {
        let mut stream = RedactStream::new(default_redactor());
        hush_redact::pump(&mut stream, reader, out_writer, &options, &mut |_| Ok(()))
    });
    let begin = concat!("log: -----BEGIN RSA PRIV", "ATE KEY----- is the header we look for\n");
    let input = format!("{begin}QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo=\n");
    writer.write_all(input.as_bytes()).expect("write");
    let mut got = Vec::new();
    let mut buf = [0u8; 256];
    while got.len() < input.len() {
        let n = out_reader.read(&mut buf).expect("read");
        assert!(n > 0, "the pump ended early");
        got.extend_from_slice(&buf[..n]);
    }
    assert_eq!(
        text(&got),
        input,
        "released unchanged after the hold timeout, writer still open"
    );
    drop(writer);
    pump.join().expect("pump thread").expect("pump ok");
}

/// A private key block that begins inside lines a keyword's window is holding is
/// held to its END line: the block's own lines count against the PEM limits, not
/// the lines held before it. (A long hold of 300 keyword lines used to use up
/// the 256-line PEM limit, and the key's body came out as it went in.)
#[test]
fn a_key_block_inside_a_long_keyword_hold_is_redacted_whole() {
    let pack = r#"
[[rules]]
id = "chain-test"
name = "a rule whose value may be on a later line"
keywords = ["chainword"]
regex = '''chainword\s*=\s*(?P<secret>[a-z]{40})'''
window_before = 16
window_after = 4000
severity = "low"
confidence = "low"
tags = ["generic"]
remediation = "none"
"#;
    let mut specs = hush_rules::default_specs().expect("default rules");
    specs.extend(hush_rules::load_pack("chain.toml", pack).expect("the test pack parses"));
    let rules = hush_rules::RuleSet::compile(specs).expect("compiles");
    let redactor = hush_redact::Redactor::builder().rules(rules).build().expect("builds");
    let key = pem_key(77, "\n");
    let body_line = key.lines().nth(3).expect("the key has body lines").to_owned();
    let input = format!("{}{key}\nafter\n", "chainword =\n".repeat(300));
    let out = String::from_utf8(redactor.redact(input.as_bytes())).expect("UTF-8");
    assert!(!out.contains(&body_line), "the key's body survives:\n{out}");
    assert!(out.ends_with("after\n"));
    assert_eq!(out.matches("chainword =\n").count(), 300, "the keyword lines are kept");
}
