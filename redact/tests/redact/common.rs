//! Shared helpers: fake but format-valid secrets built at test time (no
//! secret-shaped string is committed), redactors, a chunking reader, and running
//! the `hush-redact` binary.

use std::io::{self, Read};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;

use base64::Engine as _;
use hush_redact::{Limits, MaskValue, RedactStream, Redactor, Style};
use hush_rules::RuleSet;

/// The `hush-redact` binary built for these tests.
pub fn hush_redact() -> Command {
    Command::new(env!("CARGO_BIN_EXE_hush-redact"))
}

/// Runs `hush-redact args` with `input` on stdin.
pub fn run(args: &[&str], input: &[u8]) -> Output {
    let mut child = hush_redact()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("hush-redact runs");
    let mut stdin = child.stdin.take().expect("piped stdin");
    let input = input.to_vec();
    let writer = std::thread::spawn(move || io::Write::write_all(&mut stdin, &input));
    let out = child.wait_with_output().expect("hush-redact finishes");
    // A run that fails early (bad flags) closes stdin unread: not this test's concern.
    let _ = writer.join().expect("writer thread");
    out
}

pub use hush_testkit::{base62, github_token};

/// A PEM private key block (fake key material: base64 of pseudo-random bytes),
/// lines joined with `eol`.
pub fn pem_key(seed: u64, eol: &str) -> String {
    let bytes: Vec<u8> = base62(seed, 600).into_bytes();
    let body = base64::engine::general_purpose::STANDARD.encode(bytes);
    let mut text = format!("{}{eol}", concat!("-----BEGIN RSA PRIV", "ATE KEY-----"));
    for line in body.as_bytes().chunks(64) {
        text.push_str(std::str::from_utf8(line).expect("base64 is ASCII"));
        text.push_str(eol);
    }
    text.push_str(concat!("-----END RSA PRIV", "ATE KEY-----"));
    text
}

fn default_rules() -> RuleSet {
    RuleSet::default_rules().expect("the default rules compile")
}

/// The default redactor: every default rule, structure on, label style.
pub fn default_redactor() -> &'static Redactor {
    static R: OnceLock<Redactor> = OnceLock::new();
    R.get_or_init(|| Redactor::builder().rules(default_rules()).build().expect("builds"))
}

/// Default rules, small limits (windows of 4 KiB overlapping by 1 KiB), and masks.
pub fn small_limits_redactor(masks: &[&[u8]]) -> Redactor {
    Redactor::builder()
        .rules(default_rules())
        .masks(mask_values(masks))
        .limits(Limits {
            max_line: 4096,
            window_overlap: 1024,
            partial_hold: 256,
            pem_max_lines: 64,
            pem_max_bytes: 8192,
        })
        .build()
        .expect("builds")
}

/// A redactor with only these literal masks (no rules, no structure) and a style.
pub fn literal_redactor(masks: &[&[u8]], style: Style) -> Redactor {
    Redactor::builder()
        .masks(mask_values(masks))
        .structure(false)
        .style(style)
        .build()
        .expect("builds")
}

pub fn mask_values(masks: &[&[u8]]) -> Vec<MaskValue> {
    masks
        .iter()
        .map(|m| MaskValue {
            origin: "test".into(),
            value: m.to_vec(),
        })
        .collect()
}

/// Redacts `input` pushed in pieces of `size` bytes.
pub fn redact_in_pieces(r: &Redactor, input: &[u8], size: usize) -> Vec<u8> {
    let mut stream = RedactStream::new(r);
    let mut out = Vec::new();
    for piece in input.chunks(size.max(1)) {
        stream.push(piece, &mut out);
        stream.drain_redactions().for_each(drop);
    }
    stream.finish(&mut out);
    out
}

/// A reader that returns at most `size` bytes per read.
pub struct Chunked {
    data: Vec<u8>,
    at: usize,
    size: usize,
}

impl Chunked {
    pub fn new(data: &[u8], size: usize) -> Self {
        Chunked {
            data: data.to_vec(),
            at: 0,
            size: size.max(1),
        }
    }
}

impl Read for Chunked {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = buf.len().min(self.size).min(self.data.len() - self.at);
        buf[..n].copy_from_slice(&self.data[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

/// Redacts what a chunking reader yields, through `pump`.
pub fn redact_with_reads(r: &Redactor, input: &[u8], read_size: usize, buffered: bool) -> Vec<u8> {
    let mut stream = RedactStream::new(r);
    let mut out = Vec::new();
    let options = hush_redact::PumpOptions {
        buffered,
        read_size: read_size.max(1 << 20),
        ..Default::default()
    };
    hush_redact::pump(
        &mut stream,
        Chunked::new(input, read_size),
        &mut out,
        &options,
        &mut |_| Ok(()),
    )
    .expect("in-memory pump");
    out
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}
