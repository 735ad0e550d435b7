//! The reach of a provider-table rule, hand-written: from a provider keyword hit,
//! over a short gap of words, an assignment and quotes, to a value of the
//! provider's shape. One scanner serves every table rule, so four hundred table
//! rules cost no regex memory (as regexes, their bounded gaps and the Jenkins
//! form took about 110 KB each, half the scanner's resident memory).
//!
//! The shapes it accepts are listed in [`crate::table`]'s module docs. In terms
//! of bytes, from the end of the keyword:
//! - the gap: at most six words of `[A-Za-z0-9_.-]` (the first, the rest of the
//!   keyword's word, at most 40 bytes; the others at most 30), separated by one to
//!   four of `` \t"'`{(:,[]``, or by a line break (at most two in the gap:
//!   nested YAML and JSON, or the keyword in a comment or log line above the
//!   value), at most 120 bytes in all;
//! - then, at any point of the gap, either an inline separator: up to two closing
//!   quotes or brackets, an operator (`=`, `:`, `:=`, `::=`, `=>`, `->`, `<-`,
//!   `||=`, `??=`, `?=`, `,`, `(`, `>`, or XML's `value=`) or whitespace, and an
//!   optional opening quote (`"`, `'`, `` ` ``, after `@`, `r`, `b`, `u`, `f`, a
//!   bracket or a brace); or `</id>` and, within 400 bytes, an element
//!   `<secret>`, `<password>`, `<apiToken>`, `<apiKey>`, `<token>`, `<key>` or
//!   `<value>` (Jenkins `credentials.xml`);
//! - then the value: the prefix, a run of the alphabet within the length bounds
//!   (base64 with up to two `=`), the suffix, and a byte that could not continue
//!   the value.
//!
//! The first gap length (shortest first) at which a separator leads to a value
//! of the shape wins, as a lazy regex would choose.

use std::ops::Range;

use crate::spec::{Alphabet, TableShape};

/// Longest first word of the gap (the rest of the keyword's word).
const FIRST_WORD: usize = 40;
/// Longest later word of the gap.
const WORD: usize = 30;
/// Words in the gap after the first.
const MORE_WORDS: usize = 5;
/// Line breaks in the gap: the keyword may sit in a comment or a log line
/// above the value (`# Datadog` / `API_KEY=v`, `[INFO] datadog` / `Using Key=v`),
/// or a level up in nested YAML or JSON.
const LINE_BREAKS: usize = 2;
/// The whole gap, at most.
const GAP: usize = 120;
/// Separator bytes between two words of the gap.
const WORD_SEPARATION: usize = 4;
/// Indentation after a line break inside the gap.
const INDENT: usize = 16;
/// How far after `</id>` the value's element may open.
const JENKINS_REACH: usize = 400;
/// Keywords shorter than this must not follow a letter (`box` in `checkbox`).
pub const SHORT_KEYWORD: usize = 6;

/// Operators between a key and its value, longest first where one starts
/// another.
const OPERATORS: &[&[u8]] = &[
    b"::=", b":=", b"=>", b"->", b"<-", b"||=", b"??=", b"?=", b"=", b":", b",", b"(", b">",
];

/// Elements of Jenkins' `credentials.xml` that hold the secret (lower case).
const JENKINS_ELEMENTS: &[&[u8]] = &[
    b"<secret>",
    b"<password>",
    b"<apitoken>",
    b"<apikey>",
    b"<token>",
    b"<key>",
    b"<value>",
];

/// A value found by the reach: the value and the gap before it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reached {
    pub secret: Range<usize>,
    pub gap: Range<usize>,
}

fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-')
}

fn is_word_separator(b: u8) -> bool {
    matches!(
        b,
        b' ' | b'\t' | b'"' | b'\'' | b'`' | b'{' | b'(' | b':' | b',' | b'[' | b']'
    )
}

fn is_blank(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

fn skip_blanks(hay: &[u8], mut at: usize, end: usize) -> usize {
    while at < end && is_blank(hay[at]) {
        at += 1;
    }
    at
}

fn starts_with_ignore_case(hay: &[u8], at: usize, end: usize, word: &[u8]) -> bool {
    at + word.len() <= end && hay[at..at + word.len()].eq_ignore_ascii_case(word)
}

/// The value for the keyword hit `keyword` in `hay`, looking no further than
/// `limit`, or `None`.
pub fn reach(hay: &[u8], keyword: Range<usize>, limit: usize, shape: &TableShape) -> Option<Reached> {
    let limit = limit.min(hay.len());
    if keyword.len() < SHORT_KEYWORD && keyword.start > 0 && hay[keyword.start - 1].is_ascii_alphabetic() {
        return None;
    }
    let gap_start = keyword.end;
    let mut at = gap_start;
    let mut words = 0usize; // words after the first
    let mut line_breaks = 0usize;
    let mut word_len = 0usize;
    let mut in_first = true;
    loop {
        if let Some(secret) = after_gap(hay, at, limit, shape) {
            return Some(Reached {
                secret,
                gap: gap_start..at,
            });
        }
        if at >= limit || at - gap_start > GAP {
            return None;
        }
        let b = hay[at];
        if is_word(b) {
            word_len += 1;
            if word_len > if in_first { FIRST_WORD } else { WORD } {
                return None;
            }
            at += 1;
            continue;
        }
        // A separation between words: blanks and punctuation, or a line break
        // followed by indentation (and perhaps a quote).
        if words == MORE_WORDS {
            return None;
        }
        let mut next = at;
        let mut separation = 0;
        while next < limit && is_word_separator(hay[next]) && separation < WORD_SEPARATION {
            next += 1;
            separation += 1;
        }
        if next < limit && (hay[next] == b'\n' || hay[next] == b'\r') {
            if hay[next] == b'\r' {
                next += 1;
            }
            if next >= limit || hay[next] != b'\n' || line_breaks == LINE_BREAKS {
                return None;
            }
            line_breaks += 1;
            next += 1;
            let indent_start = next;
            while next < limit && is_blank(hay[next]) && next - indent_start < INDENT {
                next += 1;
            }
            // A log line's or a comment's opening: `[DEBUG]`, `#`, `//`, `-`.
            while next < limit && matches!(hay[next], b'"' | b'\'' | b'[' | b'#' | b'/' | b'-' | b'*' | b'<') {
                next += 1;
            }
        } else if separation == 0 {
            return None;
        }
        // The separation itself may be where the key ends (`key: value`): try
        // every position inside it before moving past it.
        for inner in at + 1..next {
            if let Some(secret) = after_gap(hay, inner, limit, shape) {
                return Some(Reached {
                    secret,
                    gap: gap_start..inner,
                });
            }
        }
        if next >= limit || !is_word(hay[next]) {
            return None;
        }
        at = next;
        words += 1;
        word_len = 0;
        in_first = false;
    }
}

/// A value reached from the end of a gap at `at`: inline or Jenkins form.
fn after_gap(hay: &[u8], at: usize, limit: usize, shape: &TableShape) -> Option<Range<usize>> {
    inline(hay, at, limit, shape).or_else(|| jenkins(hay, at, limit, shape))
}

/// Closing quote or bracket, operator or whitespace, opening quote, value.
fn inline(hay: &[u8], at: usize, limit: usize, shape: &TableShape) -> Option<Range<usize>> {
    let mut close = at;
    for _ in 0..3 {
        if let Some(v) = separator(hay, close, limit, shape) {
            return Some(v);
        }
        if close < limit && matches!(hay[close], b'"' | b'\'' | b'`' | b']' | b')') {
            close += 1;
        } else {
            break;
        }
    }
    None
}

/// An operator (with blanks around it) or blanks alone, then the opening.
fn separator(hay: &[u8], at: usize, limit: usize, shape: &TableShape) -> Option<Range<usize>> {
    let op_at = skip_blanks(hay, at, limit);
    for op in OPERATORS {
        if hay[op_at..limit].starts_with(op) {
            if let Some(v) = opening(hay, skip_blanks(hay, op_at + op.len(), limit), limit, shape) {
                return Some(v);
            }
        }
    }
    if starts_with_ignore_case(hay, op_at, limit, b"value") {
        let eq = skip_blanks(hay, op_at + 5, limit);
        if eq < limit && hay[eq] == b'=' && (op_at == 0 || !is_word(hay[op_at - 1])) {
            if let Some(v) = opening(hay, skip_blanks(hay, eq + 1, limit), limit, shape) {
                return Some(v);
            }
        }
    }
    if op_at > at {
        // Whitespace alone separates key and value.
        return opening(hay, op_at, limit, shape);
    }
    None
}

/// Optional opening: `"`, `'`, `` ` `` (after an optional bracket or brace and a
/// string prefix such as `@`, `r`, `b`, `f`), or a bare bracket; then the value.
fn opening(hay: &[u8], at: usize, limit: usize, shape: &TableShape) -> Option<Range<usize>> {
    if let Some(v) = value(hay, at, limit, shape) {
        return Some(v);
    }
    let mut p = at;
    if p < limit && matches!(hay[p], b'(' | b'[' | b'{') {
        p = skip_blanks(hay, p + 1, limit);
        if let Some(v) = value(hay, p, limit, shape) {
            return Some(v);
        }
    }
    let mut q = p;
    if q < limit && hay[q] == b'@' {
        q += 1;
    } else {
        let mut n = 0;
        while q < limit && n < 2 && matches!(hay[q], b'r' | b'b' | b'u' | b'f' | b'R' | b'B' | b'U' | b'F') {
            q += 1;
            n += 1;
        }
    }
    if q < limit && matches!(hay[q], b'"' | b'\'' | b'`') {
        return value(hay, skip_blanks(hay, q + 1, limit), limit, shape);
    }
    if p != q && p < limit && matches!(hay[p], b'"' | b'\'' | b'`') {
        return value(hay, skip_blanks(hay, p + 1, limit), limit, shape);
    }
    None
}

/// Jenkins `credentials.xml`: `</id>`, then the value's element within reach.
fn jenkins(hay: &[u8], at: usize, limit: usize, shape: &TableShape) -> Option<Range<usize>> {
    if !starts_with_ignore_case(hay, at, limit, b"</id>") {
        return None;
    }
    let from = at + 5;
    let to = (from + JENKINS_REACH).min(limit);
    let mut p = from;
    while let Some(offset) = memchr::memchr(b'<', &hay[p..to]) {
        let open = p + offset;
        for element in JENKINS_ELEMENTS {
            if starts_with_ignore_case(hay, open, limit, element) {
                return value(hay, open + element.len(), limit, shape);
            }
        }
        p = open + 1;
    }
    None
}

/// The value at `at`: prefix, a run of the alphabet of an allowed length,
/// suffix, and a byte that could not continue it.
fn value(hay: &[u8], at: usize, limit: usize, shape: &TableShape) -> Option<Range<usize>> {
    let rest = &hay[at.min(limit)..limit];
    let rest = rest.strip_prefix(shape.prefix.as_bytes())?;
    let body_start = at + shape.prefix.len();
    let body_end = if shape.value == Alphabet::Uuid {
        uuid_end(rest)? + body_start
    } else {
        let run = rest
            .iter()
            .take(shape.max_len + 1)
            .take_while(|&&b| shape.value.contains(b))
            .count();
        if shape.suffix.is_empty() {
            if run < shape.min_len || run > shape.max_len {
                return None;
            }
            let mut end = body_start + run;
            if shape.value == Alphabet::Base64 {
                let pad = hay[end..limit].iter().take(2).take_while(|&&b| b == b'=').count();
                end += pad;
            }
            end
        } else {
            // The suffix may be made of alphabet bytes: try each length.
            let suffix = shape.suffix.as_bytes();
            let len = (shape.min_len..=shape.max_len.min(run)).find(|&n| rest[n..].starts_with(suffix))?;
            body_start + len
        }
    };
    let end = body_end
        + if shape.value == Alphabet::Uuid {
            0
        } else {
            shape.suffix.len()
        };
    if end > limit {
        return None;
    }
    if end < hay.len() && continues(shape.value, hay[end]) {
        return None;
    }
    Some(at..end)
}

/// Whether `b` after a value would make it a longer token (so it is not one).
fn continues(alphabet: Alphabet, b: u8) -> bool {
    b.is_ascii_alphanumeric()
        || match alphabet {
            Alphabet::Base64 => matches!(b, b'+' | b'/' | b'='),
            Alphabet::Base64url | Alphabet::Uuid => matches!(b, b'_' | b'-'),
            Alphabet::TokenDot => matches!(b, b'_' | b'-' | b'.'),
            _ => false,
        }
}

/// Length of an 8-4-4-4-12 hex UUID at the start of `s`.
fn uuid_end(s: &[u8]) -> Option<usize> {
    let mut at = 0;
    for (i, &n) in [8usize, 4, 4, 4, 12].iter().enumerate() {
        if i > 0 {
            if s.get(at) != Some(&b'-') {
                return None;
            }
            at += 1;
        }
        let group = s.get(at..at + n)?;
        if !group.iter().all(u8::is_ascii_hexdigit) {
            return None;
        }
        at += n;
    }
    Some(at)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape(value: Alphabet, min: usize, max: usize) -> TableShape {
        TableShape {
            keyword: "acme".into(),
            value,
            min_len: min,
            max_len: max,
            prefix: String::new(),
            suffix: String::new(),
        }
    }

    fn found(text: &str, s: &TableShape) -> Option<String> {
        let k = text.to_ascii_lowercase().find("acme")?;
        reach(text.as_bytes(), k..k + 4, text.len(), s).map(|r| text[r.secret].to_owned())
    }

    #[test]
    fn reaches_the_shapes_people_write() {
        let s = shape(Alphabet::Hex, 32, 32);
        let v = "597a1b54f35d0edb6b8737217264089f";
        for text in [
            format!("ACME_API_KEY={v}"),
            format!("acme_key: \"{v}\""),
            format!("{{\"acmeSecret\": \"{v}\"}}"),
            format!("acmeKey := \"{v}\""),
            format!("'acme_key' => '{v}',"),
            format!("acme_token <- \"{v}\""),
            format!("<add key=\"Acme.ApiKey\" value=\"{v}\" />"),
            format!("<AcmeKey>{v}</AcmeKey>"),
            format!("os.setenv(\"ACME_KEY\", \"{v}\")"),
            format!("client = Acme.Client(api_key=\"{v}\")"),
            format!("acme: Using Key={v}"),
            format!("--acme-api-key {v}"),
            format!("acme token {v} accepted"),
            format!("acme:\n  enabled: true\n  api_key: {v}\n"),
            format!("[INFO] Sending request to the acme API\n[DEBUG] Using Key={v}"),
            format!("# Acme\nAPI_KEY={v}"),
            // An unquoted value ends at the blank before an inline comment.
            format!("ACME_API_KEY={v} # production"),
            format!("acme_key: {v}\t# rotated monthly"),
            format!("acme.api.key = {v} ; prod"),
            format!("<id>acme-prod</id>\n  <description>x</description>\n  <secret>{v}</secret>"),
            format!("var key = @\"{v}\"; // acme",).replace("var key", "acmeKey"),
        ] {
            assert_eq!(found(&text, &s).as_deref(), Some(v), "in {text:?}");
        }
    }

    #[test]
    fn does_not_reach_too_far_or_the_wrong_shape() {
        let s = shape(Alphabet::Hex, 32, 32);
        let v = "597a1b54f35d0edb6b8737217264089f";
        for text in [
            format!("acme\n\n\n{v}"),
            format!("ACME_API_KEY={v}0"),
            format!("ACME_API_KEY={v}g"),
            format!("ACME_API_KEY={}", &v[1..]),
            format!("https://acme.example/{v}"),
            format!("acme one two three four five six seven = {v}"),
            format!("checkacme = {v}"),
        ] {
            assert_eq!(found(&text, &s), None, "in {text:?}");
        }
    }

    #[test]
    fn uuid_base64_and_suffix_values() {
        // Values built at run time: this repository's own scan stays clean.
        let u = shape(Alphabet::Uuid, 36, 36);
        let uuid = ["3f1c2b9e-8d7a", "-4c6b-9e5f-", "1a2b3c4d5e6f"].concat();
        assert_eq!(found(&format!("ACME_TOKEN={uuid}"), &u), Some(uuid));
        let body = ["Zk3x9Qw2Lp0", "Vb7Nc4Rt1Ys"].concat();
        let b = shape(Alphabet::Base64, 22, 22);
        let padded = format!("{body}==");
        assert_eq!(found(&format!("acme_secret: {padded}"), &b), Some(padded));
        let mut t = shape(Alphabet::Alnum, 22, 22);
        t.suffix = "tt".into();
        let suffixed = format!("{body}tt");
        assert_eq!(found(&format!("ACME_TOKEN={suffixed}"), &t), Some(suffixed));
    }

    #[test]
    fn never_panics_on_arbitrary_bytes() {
        // Haystacks of the bytes the reach cares about, cut at every limit.
        const BYTES: &[u8] = b"acme_KEY=:\"' \t\n\r<>/id-.[](){}@rbx0123456789abcdefAF+=";
        let shapes = [
            shape(Alphabet::Hex, 4, 8),
            shape(Alphabet::Uuid, 36, 36),
            shape(Alphabet::Base64, 2, 6),
            TableShape {
                prefix: "ab".into(),
                suffix: "f".into(),
                ..shape(Alphabet::Alnum, 1, 3)
            },
        ];
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..3000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let len = (x % 64) as usize;
            let mut hay: Vec<u8> = (0..len)
                .map(|i| BYTES[((x >> (i % 50)) as usize + i * 7) % BYTES.len()])
                .collect();
            let at = if len == 0 { 0 } else { (x as usize / 3) % len };
            hay.splice(at..at, b"acme".iter().copied());
            for s in &shapes {
                for limit in [0, at + 4, hay.len() / 2, hay.len(), hay.len() + 10] {
                    let _ = reach(&hay, at..at + 4, limit.max(at + 4), s);
                }
            }
        }
    }
}
