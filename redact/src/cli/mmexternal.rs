//! `--rsyslog-mmexternal`: the filter as an rsyslog message modification
//! plugin (`action(type="mmexternal" binary="... --rsyslog-mmexternal")`).
//!
//! rsyslog's protocol (its `plugins/external/INTERFACE.md`) is half duplex: it
//! writes one message (the MSG property) and a LF, then waits for exactly one
//! reply line, a JSON object of the properties to change. So each message is
//! redacted on its own and answered at once: nothing is held for the next one
//! (a private key sent one line per message is not joined; a key inside one
//! message is redacted BEGIN to END as usual).
//!
//! Every reply sets the message variable `$!hush` to `"checked"`, and a message
//! with a secret also gets its new `msg`. rsyslog itself fails open: a plugin that
//! dies before answering, or answers something it cannot parse, leaves the
//! message as it was. The variable lets the configuration fail closed instead
//! (`if $!hush != "checked" then stop`, as recipes/rsyslog.conf does).
//!
//! The reply's string carries the redacted bytes as they are: `"`, `\` and
//! control characters are escaped, every other byte (UTF-8 or not) is copied,
//! which rsyslog's JSON parser takes as it is, so the rest of a redacted message
//! comes out byte for byte. rsyslog reads the plugin's stdout and stderr from one
//! pipe, so nothing else may be written on either: the caller turns warnings into
//! errors in this mode.

use std::io::{self, BufRead, Write};

use crate::report::Redaction;
use crate::stream::RedactStream;

/// The message variable every reply sets (`$!hush`), and its value.
pub const CHECKED_VARIABLE: &str = "hush";
pub const CHECKED_VALUE: &str = "checked";

/// What a session answered.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Answered {
    /// Messages read (and answered).
    pub messages: u64,
    /// Spans replaced in them.
    pub redactions: u64,
}

/// Answers each LF-terminated message read from `input` with one reply line on
/// `output`, flushed before the next message is read, until end of input (a last
/// message without its LF is answered too). `report` gets each redaction; its
/// `line` is the message's 1-based number.
pub fn serve(
    stream: &mut RedactStream<'_>,
    input: impl io::Read,
    mut output: impl Write,
    report: &mut dyn FnMut(&Redaction) -> io::Result<()>,
) -> io::Result<Answered> {
    let mut input = io::BufReader::new(input);
    let mut message = Vec::new();
    let mut redacted = Vec::new();
    let mut reply = Vec::new();
    let mut answered = Answered::default();
    loop {
        message.clear();
        if input.read_until(b'\n', &mut message)? == 0 {
            return Ok(answered);
        }
        if message.last() != Some(&b'\n') {
            message.push(b'\n');
        }
        redacted.clear();
        let before = stream.redactions();
        stream.push(&message, &mut redacted);
        // Nothing waits for a next message: a key block's BEGIN line is released now.
        stream.release_hold(&mut redacted);
        answered.messages += 1;
        answered.redactions += stream.redactions() - before;
        for redaction in stream.drain_redactions() {
            report(&redaction)?;
        }
        reply.clear();
        write_reply(&message, &redacted, &mut reply);
        output.write_all(&reply)?;
        output.flush()?;
    }
}

/// The reply to `message` (both with their LF) given its redacted form.
fn write_reply(message: &[u8], redacted: &[u8], reply: &mut Vec<u8>) {
    reply.push(b'{');
    if redacted != message {
        reply.extend_from_slice(b"\"msg\":\"");
        escape_json_bytes(redacted.strip_suffix(b"\n").unwrap_or(redacted), reply);
        reply.extend_from_slice(b"\",");
    }
    reply.extend_from_slice(format!("\"$!\":{{\"{CHECKED_VARIABLE}\":\"{CHECKED_VALUE}\"}}}}\n").as_bytes());
}

/// `text` as the inside of a JSON string: `"`, `\` and bytes below 0x20 escaped,
/// every other byte copied (so a reply never holds a raw LF, its framing).
fn escape_json_bytes(text: &[u8], out: &mut Vec<u8>) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for &byte in text {
        match byte {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            0..=0x1f => out.extend_from_slice(&[
                b'\\',
                b'u',
                b'0',
                b'0',
                HEX[usize::from(byte >> 4)],
                HEX[usize::from(byte & 0xf)],
            ]),
            _ => out.push(byte),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{MaskValue, Redactor};

    fn redactor() -> Redactor {
        Redactor::builder()
            .masks([MaskValue {
                origin: "test".into(),
                value: b"correct-horse-battery".to_vec(),
            }])
            .build()
            .expect("builds")
    }

    fn session(input: &[u8]) -> (Vec<u8>, Answered, Vec<Redaction>) {
        let redactor = redactor();
        let mut stream = RedactStream::new(&redactor);
        let mut out = Vec::new();
        let mut seen = Vec::new();
        let answered = serve(&mut stream, input, &mut out, &mut |r| {
            seen.push(r.clone());
            Ok(())
        })
        .expect("serves");
        (out, answered, seen)
    }

    fn text(replies: Vec<u8>) -> String {
        String::from_utf8(replies).expect("UTF-8 replies")
    }

    #[test]
    fn each_message_gets_one_reply_and_only_changed_ones_a_msg() {
        let (replies, answered, report) =
            session(b"plain one\npw=correct-horse-battery \"quoted\" \\ end\n\nlast without LF");
        assert_eq!(
            text(replies),
            "{\"$!\":{\"hush\":\"checked\"}}\n\
             {\"msg\":\"pw=[REDACTED:literal-mask] \\\"quoted\\\" \\\\ end\",\"$!\":{\"hush\":\"checked\"}}\n\
             {\"$!\":{\"hush\":\"checked\"}}\n\
             {\"$!\":{\"hush\":\"checked\"}}\n"
        );
        assert_eq!(
            answered,
            Answered {
                messages: 4,
                redactions: 1
            }
        );
        assert_eq!(report.len(), 1);
        assert_eq!((report[0].rule.as_str(), report[0].line), ("literal-mask", 2));
    }

    #[test]
    fn replies_parse_as_json_and_keep_every_other_byte() {
        let (replies, _, _) = session(b"a\x01b\tc correct-horse-battery caf\xc3\xa9\n");
        let reply: serde_json::Value = serde_json::from_str(text(replies).trim_end()).expect("JSON");
        assert_eq!(reply["msg"], "a\u{1}b\tc [REDACTED:literal-mask] café");
        assert_eq!(reply["$!"]["hush"], "checked");
    }

    #[test]
    fn bytes_that_are_not_utf8_are_copied_into_the_reply() {
        let (replies, _, _) = session(b"\xff\xfe correct-horse-battery\n");
        let mut expected = b"{\"msg\":\"\xff\xfe [REDACTED:literal-mask]\",".to_vec();
        expected.extend_from_slice(b"\"$!\":{\"hush\":\"checked\"}}\n");
        assert_eq!(replies, expected);
    }

    #[test]
    fn a_message_that_starts_a_hold_is_answered_whole_before_the_next() {
        // A JSON secret field (and, with the default rules, the words that begin
        // some multi-line rules) can make the stream hold lines for what follows.
        // The key is put in at run time: the source holds no password assignment.
        let message = format!(
            "{{\"user\":\"bob\",\"{}\":\"correct-horse-battery\"}}\nnext\n",
            "password"
        );
        let (replies, answered, _) = session(message.as_bytes());
        assert_eq!(answered.messages, 2);
        let replies = text(replies);
        let mut lines = replies.lines();
        let first: serde_json::Value = serde_json::from_str(lines.next().expect("a reply")).expect("JSON");
        assert_eq!(
            first["msg"],
            "{\"user\":\"bob\",\"password\":\"[REDACTED:literal-mask]\"}"
        );
        assert_eq!(lines.next(), Some("{\"$!\":{\"hush\":\"checked\"}}"));
    }

    #[test]
    fn a_private_key_begin_line_is_answered_at_once() {
        let begin = "-----BEGIN RSA PRIVATE KEY-----";
        let (replies, answered, _) = session(format!("{begin}\nnext\n").as_bytes());
        assert_eq!(answered.messages, 2);
        let replies = text(replies);
        assert_eq!(replies.lines().count(), 2, "{replies}");
    }
}
