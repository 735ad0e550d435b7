//! The streaming redactor on arbitrary bytes cut into arbitrary reads: the first
//! bytes of the input choose the read sizes, the rest is pushed read by read and
//! finished. The crate promises the same output whatever the read sizes, so it
//! must equal [`Redactor::redact`] on the whole input; and a literal mask must
//! never come out. Two redactors: the default limits, and small ones (windows of
//! 4 KiB, short private key holds) so long-line windows and hold releases are
//! reached by small inputs. A flag byte also drives early flushes of incomplete
//! lines and hold releases (no output comparison then: they may change it).

use std::sync::OnceLock;

use hush_redact::{Limits, MaskValue, RedactStream, Redactor};
use hush_rules::RuleSet;

/// Not secret-shaped: a plain phrase, masked as a literal (and its encodings).
const MASK: &[u8] = b"literal-mask-value";

fn build(limits: Limits) -> Redactor {
    Redactor::builder()
        .rules(RuleSet::default_rules().expect("default rules compile"))
        .masks([MaskValue {
            origin: "fuzz".into(),
            value: MASK.to_vec(),
        }])
        .limits(limits)
        .build()
        .expect("the redactor builds")
}

fn redactors() -> &'static [Redactor; 2] {
    static REDACTORS: OnceLock<[Redactor; 2]> = OnceLock::new();
    REDACTORS.get_or_init(|| {
        [
            build(Limits::default()),
            build(Limits {
                max_line: 4096,
                window_overlap: 1024,
                partial_hold: 256,
                pem_max_lines: 8,
                pem_max_bytes: 2048,
            }),
        ]
    })
}

/// Runs the target on one input.
pub fn run(data: &[u8]) {
    // Up to 4 bytes of read sizes (1..=256 each, cycled), then the input.
    let Some((&n, rest)) = data.split_first() else {
        return;
    };
    // Bit 7: flush the incomplete line after every read, as the pump does after
    // `--max-delay`; that output may differ from the whole input's, so then only
    // panics are looked for.
    let flush = n & 0x80 != 0;
    let n = usize::from(n % 4) + 1;
    if rest.len() < n {
        return;
    }
    let (sizes, input) = rest.split_at(n);
    for redactor in redactors() {
        let whole = redactor.redact(input);
        let mut stream = RedactStream::new(redactor);
        let mut out = Vec::new();
        let mut pos = 0;
        let mut i = 0;
        while pos < input.len() {
            let size = usize::from(sizes[i % sizes.len()]) + 1;
            let end = (pos + size).min(input.len());
            stream.push(&input[pos..end], &mut out);
            if flush {
                stream.flush_partial(&mut out);
                if i % 3 == 2 {
                    stream.release_hold(&mut out);
                }
            }
            pos = end;
            i += 1;
        }
        stream.finish(&mut out);
        if flush {
            continue;
        }
        assert!(out == whole, "read sizes changed the output");
        assert!(!contains(&whole, MASK), "a literal mask came out");
    }
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}
