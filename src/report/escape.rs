//! Control characters made visible, for everything hush prints for people: the
//! text, Markdown and GitHub-annotation reports and the messages on stderr.
//!
//! Paths, commit fields, image fields and context lines come from the scanned
//! material, which anyone may have written. Printed raw, an escape sequence in a
//! file name or a matched line could recolour, overwrite or erase what the
//! reader's terminal (or a CI log viewer, which renders ANSI) shows. [`escape`]
//! writes every C0 control except tab, DEL and every C1 control (U+0080-U+009F,
//! where a terminal may read U+009B as CSI) as visible text, so what is printed
//! is what is there: ESC is `\x1b`, BEL `\x07`, CR `\r`, LF `\n`, DEL `\x7f`,
//! and a C1 control `\u{9b}` (a character, not a byte: the text is UTF-8).
//! A backslash itself is printed as it is (paths on Windows hold them): a file
//! literally named `a\x1b` reads the same as one holding ESC, but neither can
//! move the cursor. JSON, SARIF and CSV need none of this: their serialisers
//! escape or quote control characters.

use std::borrow::Cow;
use std::fmt::Write as _;

/// `text` with every control character except tab written visibly; borrowed
/// when there is none (the common case costs one scan of the bytes).
pub fn escape(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_escaped) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if !is_escaped(c) {
            out.push(c);
            continue;
        }
        match c {
            '\r' => out.push_str("\\r"),
            '\n' => out.push_str("\\n"),
            c if (c as u32) < 0x80 => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
        }
    }
    Cow::Owned(out)
}

/// C0 except tab, DEL, C1: what a terminal may act on rather than show.
fn is_escaped(c: char) -> bool {
    c != '\t' && c.is_control()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_sequences_become_visible_text() {
        assert_eq!(escape("a\x1b[31mRED\x1b[0m.txt"), "a\\x1b[31mRED\\x1b[0m.txt");
        assert_eq!(escape("\x1b]0;title\x07"), "\\x1b]0;title\\x07");
        assert_eq!(escape("0 findings\r1"), "0 findings\\r1");
        assert_eq!(escape("a\nb\0c\x7f"), "a\\nb\\x00c\\x7f");
        assert_eq!(escape("csi\u{9b}2J nel\u{85}"), "csi\\u{9b}2J nel\\u{85}");
    }

    #[test]
    fn tab_and_printable_text_are_kept_as_they_are() {
        for text in ["a\tb", "ünïcödé → ✓", "C:\\x1b", "\u{a0}nbsp", ""] {
            assert!(matches!(escape(text), Cow::Borrowed(t) if t == text), "{text:?}");
        }
    }

    #[test]
    fn every_control_character_but_tab_is_escaped() {
        for c in (0u32..0x100).filter_map(char::from_u32) {
            let shown = escape(&c.to_string()).into_owned();
            let raw = shown.chars().any(|s| s.is_control() && s != '\t');
            assert!(!raw, "{c:?} printed as {shown:?}");
            assert_eq!(shown == c.to_string(), !c.is_control() || c == '\t', "{c:?}");
        }
    }
}
