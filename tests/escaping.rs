//! Output cannot be spoofed: a file name and a matched line holding terminal
//! escape sequences (ESC, BEL, CR, a C1 CSI) are printed visibly in the reports
//! for people (text, Markdown, GitHub annotations) and on stderr, and carried
//! exactly by JSON and CSV.

use std::fs;

use crate::common::{github_token, json, paths, run_in, stderr, stdout};

/// A name that recolours, rings, returns the carriage and clears the screen.
const NAME: &str = "a\x1b[31mRED\x1b[0m\x07\r\u{9b}2J.env";

/// The raw control characters in `text` (tab and the report's own line breaks
/// excepted).
fn raw_controls(text: &str) -> Vec<char> {
    text.chars()
        .filter(|&c| c.is_control() && c != '\n' && c != '\t')
        .collect()
}

/// A tree with the hostile file: the token on a line that also holds an OSC
/// title sequence and a CR followed by an erase-line and a fake verdict.
fn hostile_tree() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().expect("temp dir");
    let token = github_token(31);
    let text = format!("# x\n\x1b]0;pwned\x07 TOKEN={token} \r\x1b[2K0 findings\x1b[8m\n");
    fs::write(dir.path().join(NAME), text).expect("write");
    (dir, token)
}

#[test]
fn reports_for_people_print_no_raw_control_characters() {
    let (dir, _) = hostile_tree();
    for format in ["text", "markdown", "github"] {
        let out = run_in(dir.path(), &["scan", "--format", format, "."]);
        assert_eq!(out.status.code(), Some(1), "{format}: {}", stderr(&out));
        let text = stdout(&out);
        assert!(text.contains("github-pat"), "{format}: the token is found: {text}");
        assert_eq!(raw_controls(&text), Vec::<char>::new(), "{format}: {text:?}");
        assert!(
            text.contains("a\\x1b[31mRED\\x1b[0m\\x07\\r\\u{9b}2J.env"),
            "{format}: {text}"
        );
    }
    let out = run_in(dir.path(), &["scan", "--format", "text", "--color", "always", "."]);
    let text = stdout(&out);
    assert!(
        text.contains("\\x1b]0;pwned\\x07 TOKEN=") && text.contains("\\r\\x1b[2K0 findings\\x1b[8m"),
        "the context line is shown escaped: {text:?}"
    );
    // The only escapes left are hush's own colours.
    let foreign: Vec<&str> = text.split('\x1b').skip(1).filter(|s| !s.starts_with('[')).collect();
    assert_eq!(foreign, Vec::<&str>::new(), "{text:?}");
}

#[test]
fn json_carries_the_exact_name_and_csv_keeps_one_row() {
    let (dir, _) = hostile_tree();
    let out = run_in(dir.path(), &["scan", "--format", "json", "."]);
    assert_eq!(paths(&json(&out)), vec![NAME.to_owned()]);

    let out = run_in(dir.path(), &["scan", "--format", "csv", "."]);
    let mut reader = csv::Reader::from_reader(out.stdout.as_slice());
    let rows: Vec<String> = reader
        .records()
        .map(|r| r.expect("a well-formed row").get(4).expect("path").to_owned())
        .collect();
    assert_eq!(rows, vec![NAME.to_owned()], "{}", stdout(&out));
}

#[test]
fn csv_rows_survive_line_breaks_and_quotes_in_names() {
    let dir = tempfile::tempdir().expect("temp dir");
    let names = ["x\ny.env", "p\r\nq,\"r\".env", "z\r.env"];
    for (i, name) in names.iter().enumerate() {
        fs::write(dir.path().join(name), format!("T={}\n", github_token(40 + i as u64))).expect("write");
    }
    let out = run_in(dir.path(), &["scan", "--format", "csv", "."]);
    let mut reader = csv::Reader::from_reader(out.stdout.as_slice());
    let mut rows: Vec<(String, usize)> = reader
        .records()
        .map(|r| {
            let r = r.expect("a well-formed row");
            (r.get(4).expect("path").to_owned(), r.len())
        })
        .collect();
    rows.sort();
    let mut expected: Vec<(String, usize)> = names.iter().map(|n| (n.to_string(), 11)).collect();
    expected.sort();
    assert_eq!(rows, expected, "{}", stdout(&out));
}

#[test]
fn messages_on_stderr_escape_paths() {
    let (dir, _) = hostile_tree();
    let big = "b\x1b[2Kig\x07.txt";
    fs::write(dir.path().join(big), "x".repeat(4096)).expect("write");
    let out = run_in(dir.path(), &["scan", "--verbose", "--max-file-size", "1K", "."]);
    let err = stderr(&out);
    assert!(err.contains("skipped b\\x1b[2Kig\\x07.txt"), "{err}");
    assert_eq!(raw_controls(&err), Vec::<char>::new(), "{err:?}");

    let missing = dir.path().join("gone\x1b[2J");
    let out = run_in(dir.path(), &["scan", missing.to_str().expect("utf-8")]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("gone\\x1b[2J"), "{err}");
    assert_eq!(raw_controls(&err), Vec::<char>::new(), "{err:?}");
}
