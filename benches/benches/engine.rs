//! Engine throughput (MB/s): the default rule set over a generated corpus that
//! looks like source code and config (identifiers, comments, string literals, and
//! the words generic rules key on: token, password, secret, key), with a few
//! planted secrets. `cargo bench -p hush-benches`.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use hush_rules::{github_checksum, Matcher, RuleSet};

/// xorshift64: a deterministic corpus without a `rand` dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() % items.len() as u64) as usize]
    }
}

const WORDS: &[&str] = &[
    "fn", "let", "mut", "self", "return", "match", "impl", "struct", "config", "value", "buffer", "request",
    "response", "client", "server", "handle", "error", "result", "token", "password", "secret", "key", "access",
    "session", "user", "auth", "header", "options", "builder", "stream", "parse", "encode", "decode", "length",
];

fn corpus(size: usize) -> Vec<u8> {
    let mut rng = Rng(0x5eed_1234_abcd_ef01);
    let mut out = Vec::with_capacity(size + 256);
    let mut line = 0u64;
    while out.len() < size {
        line += 1;
        let indent = "    ".repeat((rng.next() % 4) as usize);
        let text = match rng.next() % 6 {
            0 => format!("{indent}// {} the {} for {}\n", rng.pick(WORDS), rng.pick(WORDS), rng.pick(WORDS)),
            1 => format!("{indent}let {}_{} = {}.{}({});\n", rng.pick(WORDS), rng.pick(WORDS), rng.pick(WORDS), rng.pick(WORDS), rng.pick(WORDS)),
            2 => format!("{indent}{}: \"{}-{}\"\n", rng.pick(WORDS), rng.pick(WORDS), rng.next() % 1000),
            3 => format!("{indent}if {}.{} == {} {{\n", rng.pick(WORDS), rng.pick(WORDS), rng.next() % 100),
            4 => format!("{indent}{} = {:x}\n", rng.pick(WORDS), rng.next()),
            _ => format!("{indent}}}\n"),
        };
        out.extend_from_slice(text.as_bytes());
        if line % 50_000 == 0 {
            let payload: String = (0..30).map(|_| b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"[(rng.next() % 62) as usize] as char).collect();
            let checksum = String::from_utf8_lossy(&github_checksum(payload.as_bytes())).into_owned();
            out.extend_from_slice(format!("GITHUB_TOKEN={}{payload}{checksum}\n", ["gh", "p_"].concat()).as_bytes());
        }
    }
    out
}

fn engine(c: &mut Criterion) {
    let rules = RuleSet::default_rules().expect("default rules compile");
    let data = corpus(16 << 20);
    let mut group = c.benchmark_group("engine");
    group.throughput(Throughput::Bytes(data.len() as u64));
    group.sample_size(20);
    group.bench_function("default-rules/source-like-16MiB", |b| {
        let mut matcher = Matcher::new(&rules);
        let mut found = Vec::new();
        b.iter(|| {
            found.clear();
            matcher.find(&data, &mut found);
            assert!(!found.is_empty(), "the planted secrets are found");
            found.len()
        });
    });
    group.finish();
}

criterion_group!(benches, engine);
criterion_main!(benches);
