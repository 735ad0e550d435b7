//! The printable runs of a binary, as `strings` finds them: runs of at least
//! [`MIN_RUN`] printable ASCII bytes (space to `~`, and tab), and runs of at
//! least [`MIN_RUN`] such characters in UTF-16LE (each followed by a zero byte),
//! written as ASCII. The runs are joined with a newline into one text, so that
//! no rule sees two runs as one line, and each run remembers where it was in the
//! binary, to locate a secret found in the text at its bytes in the binary.
//!
//! One pass over the bytes finds both kinds; the text and the run list are
//! buffers reused from one binary (or chunk) to the next, so extraction
//! allocates nothing once they have grown.

/// The shortest run kept (as `strings -n 8`): shorter ones are mostly noise,
/// and no provider token is shorter.
pub const MIN_RUN: usize = 8;

/// Where a run of [`Strings::text`] came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Run {
    /// Offset of the run's first byte in the text.
    pub text: usize,
    /// Offset of the run's first byte in the binary.
    pub source: usize,
    /// UTF-16LE: two bytes in the binary per byte of text.
    pub wide: bool,
}

/// The printable runs of a binary, and where each came from.
#[derive(Debug, Default)]
pub struct Strings {
    /// The runs, each followed by a newline.
    pub text: Vec<u8>,
    /// One entry per run, in text order.
    pub runs: Vec<Run>,
}

/// Printable ASCII, and tab.
#[inline]
fn printable(b: u8) -> bool {
    (0x20..0x7f).contains(&b) || b == b'\t'
}

impl Strings {
    /// Replaces the contents with the runs of `bytes`.
    pub fn extract(&mut self, bytes: &[u8]) {
        self.text.clear();
        self.runs.clear();
        let n = bytes.len();
        // ASCII runs: a printable byte's run ends at the first byte that is not.
        let mut i = 0;
        while i < n {
            if !printable(bytes[i]) {
                i += 1;
                continue;
            }
            let start = i;
            while i < n && printable(bytes[i]) {
                i += 1;
            }
            if i - start >= MIN_RUN {
                self.push(&bytes[start..i], start, false);
            }
            if i < n && bytes[i] == 0 {
                // A run's last byte before a zero byte may begin a UTF-16LE
                // run: a printable byte, then `0 c 0 c ...`.
                let wide_start = i - 1;
                let end = wide_end(bytes, wide_start);
                if (end - wide_start) / 2 >= MIN_RUN {
                    self.push_wide(&bytes[wide_start..end], wide_start);
                    i = end;
                }
            }
        }
    }

    /// The offset in the binary of text offset `at`.
    pub fn source_of(&self, at: usize) -> usize {
        let index = self.runs.partition_point(|r| r.text <= at).saturating_sub(1);
        let Some(run) = self.runs.get(index) else {
            return at;
        };
        let delta = at.saturating_sub(run.text);
        run.source + if run.wide { 2 * delta } else { delta }
    }

    /// The offset in the binary just past text offsets `..end` (the end of a
    /// secret that ends at `end`).
    pub fn source_end(&self, end: usize) -> usize {
        if end == 0 {
            return 0;
        }
        let last = end - 1;
        let index = self.runs.partition_point(|r| r.text <= last).saturating_sub(1);
        let wide = self.runs.get(index).is_some_and(|r| r.wide);
        self.source_of(last) + if wide { 2 } else { 1 }
    }

    fn push(&mut self, run: &[u8], source: usize, wide: bool) {
        self.runs.push(Run {
            text: self.text.len(),
            source,
            wide,
        });
        self.text.extend_from_slice(run);
        self.text.push(b'\n');
    }

    fn push_wide(&mut self, run: &[u8], source: usize) {
        self.runs.push(Run {
            text: self.text.len(),
            source,
            wide: true,
        });
        self.text.extend(run.iter().step_by(2));
        self.text.push(b'\n');
    }
}

/// The end of the UTF-16LE run of printable characters at `start` (`start` if
/// there is none): pairs of a printable byte and a zero byte.
fn wide_end(bytes: &[u8], start: usize) -> usize {
    let mut end = start;
    while end + 1 < bytes.len() && printable(bytes[end]) && bytes[end + 1] == 0 {
        end += 2;
    }
    end
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wide(s: &str) -> Vec<u8> {
        s.bytes().flat_map(|b| [b, 0]).collect()
    }

    /// What `strings -n 8` and `strings -n 8 -e l` print, in that order.
    fn runs_by_hand(bytes: &[u8]) -> Vec<(Vec<u8>, usize, bool)> {
        let mut found = Vec::new();
        let mut start = None;
        for (i, &b) in bytes.iter().chain([&0x01]).enumerate() {
            match (printable(b), start) {
                (true, None) => start = Some(i),
                (false, Some(s)) => {
                    if i - s >= MIN_RUN {
                        found.push((bytes[s..i].to_vec(), s, false));
                    }
                    start = None;
                }
                _ => {}
            }
        }
        found
    }

    #[test]
    fn finds_ascii_and_utf16le_runs_with_their_offsets() {
        let mut bin = b"\x00\x01short\x00\xffa longer run\x02\x03".to_vec();
        let wide_at = bin.len();
        bin.extend(wide("wide run of text"));
        bin.extend_from_slice(b"\x00\x00\x7fend run here");
        let mut s = Strings::default();
        s.extract(&bin);
        assert_eq!(s.text, b"a longer run\nwide run of text\nend run here\n");
        let sources: Vec<usize> = s.runs.iter().map(|r| r.source).collect();
        assert_eq!(sources, vec![9, wide_at, wide_at + 35]);
        let at = s.text.windows(3).position(|w| w == b"run").expect("in the text");
        assert_eq!(&bin[s.source_of(at)..s.source_end(at + 3)], b"run");
        let at = 13 + 5; // "run" in the wide run
        assert_eq!(&bin[s.source_of(at)..s.source_end(at + 3)], wide("run").as_slice());
    }

    #[test]
    fn ascii_runs_match_a_byte_walk_on_pseudo_random_bytes() {
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut bin = Vec::new();
        for _ in 0..200_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            // Mostly printable, so that runs of every length occur.
            let b = (x >> 24) as u8;
            bin.push(if b < 200 { 0x20 + b % 95 } else { b });
        }
        let mut s = Strings::default();
        s.extract(&bin);
        let ascii: Vec<(Vec<u8>, usize, bool)> = s
            .runs
            .iter()
            .filter(|r| !r.wide)
            .map(|r| {
                let len = s.text[r.text..].iter().position(|&b| b == b'\n').expect("ends");
                (s.text[r.text..r.text + len].to_vec(), r.source, false)
            })
            .collect();
        assert!(ascii.len() > 100);
        assert_eq!(ascii, runs_by_hand(&bin));
    }

    #[test]
    fn short_runs_and_empty_input_give_nothing() {
        let mut s = Strings::default();
        for bin in [&b""[..], b"1234567\x00", b"\x00\x00\x00", &wide("1234567")] {
            s.extract(bin);
            assert!(s.text.is_empty() && s.runs.is_empty(), "{bin:?}");
        }
    }
}
