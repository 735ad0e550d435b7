//! A range scan (`hush git --range A..B`, what the Action runs on a pull request)
//! trusts only its base: a head commit that adds a secret together with a
//! `.hushignore`, an allowlist, a baseline entry or an inline allow that would
//! wave it through still fails, with the secret and the change both reported;
//! `--trust-range-config` restores the work tree's files; full-history scans
//! keep the work tree's config.

use std::path::Path;

use crate::common::gitrepo::{commit_file, git, repo, write_file};
use crate::common::{github_token, json, run_in, stderr, stdout};

/// Runs `hush git --range base..HEAD` in `repo` with `extra` flags, in JSON.
fn range_scan(repo: &Path, base: &str, extra: &[&str]) -> (Option<i32>, serde_json::Value, String) {
    let range = format!("{base}..HEAD");
    let mut args = vec!["git", "--format", "json", "--range", &range];
    args.extend_from_slice(extra);
    args.push(".");
    let out = run_in(repo, &args);
    (out.status.code(), json(&out), stderr(&out))
}

/// (rule id, path, masked secret or description) of every finding, sorted.
fn findings(doc: &serde_json::Value) -> Vec<(String, String, String)> {
    let mut v: Vec<_> = doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            let text = |k: &str| f[k].as_str().unwrap_or_default().to_owned();
            (text("rule_id"), text("path"), text("secret_masked"))
        })
        .collect();
    v.sort();
    v
}

/// The finding of rule `id` in a JSON report.
fn by_rule<'a>(doc: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["rule_id"] == id)
        .unwrap_or_else(|| panic!("no {id} finding: {doc}"))
}

/// A repository whose HEAD commit (on top of the base it returns) adds a
/// token in `app.env` together with the files `extra` (name, text).
fn pull_request(extra: &[(&str, &str)], token_line: &str) -> (tempfile::TempDir, std::path::PathBuf, String) {
    let (dir, repo) = repo();
    let base = git(&repo, &["rev-parse", "HEAD"]);
    write_file(&repo, "app.env", token_line);
    for (name, text) in extra {
        write_file(&repo, name, text);
    }
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-q", "-m", "add settings"]);
    (dir, repo, base)
}

#[test]
fn a_head_commit_adding_a_hushignore_star_fails_with_both_findings() {
    let token = github_token(181);
    let (_dir, repo, base) = pull_request(&[(".hushignore", "*.env\n*\n")], &format!("TOKEN={token}\n"));
    let head = git(&repo, &["rev-parse", "HEAD"]);
    let (code, doc, err) = range_scan(&repo, &base, &[]);
    assert_eq!(code, Some(1), "{err}");
    let got = findings(&doc);
    assert_eq!(got.len(), 2, "{got:?}");
    assert_eq!((got[0].0.as_str(), got[0].1.as_str()), ("github-pat", "app.env"));
    assert_eq!(
        got[1],
        (
            "hush-config-change".to_owned(),
            ".hushignore".to_owned(),
            ".hushignore: adds ignore pattern `*.env`; adds ignore pattern `*`".to_owned()
        )
    );
    let change = by_rule(&doc, "hush-config-change");
    assert_eq!(change["severity"], "medium");
    assert_eq!(change["confidence"], "high");
    assert_eq!(change["commit"], head.as_str());
    assert_eq!(change["line"], 1);
    assert_eq!(change["fingerprint"].as_str().map(str::len), Some(32));

    // Every format shows it, and none shows the token.
    for format in ["text", "sarif", "github", "csv", "markdown", "jsonl"] {
        let range = format!("{base}..HEAD");
        let out = run_in(&repo, &["git", "--format", format, "--range", &range, "."]);
        assert_eq!(out.status.code(), Some(1), "{format}");
        let text = stdout(&out);
        assert!(text.contains("hush-config-change"), "{format}: {text}");
        assert!(!text.contains(&token), "{format} printed the token");
    }

    // The old behaviour, on request: the work tree's .hushignore hides both.
    let (code, doc, err) = range_scan(&repo, &base, &["--trust-range-config"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(findings(&doc).is_empty());
    // A full-history scan keeps applying the work tree's .hushignore.
    let out = run_in(&repo, &["git", "--format", "json", "."]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn the_base_hushignore_applies_and_only_what_the_range_adds_is_reported() {
    let (_dir, repo) = repo();
    commit_file(&repo, ".hushignore", "fixtures/\n", "ignore fixtures");
    let base = git(&repo, &["rev-parse", "HEAD"]);
    let token = github_token(182);
    commit_file(
        &repo,
        "fixtures/fake.env",
        &format!("T={}\n", github_token(183)),
        "fixture",
    );
    commit_file(&repo, ".hushignore", "fixtures/\nsecrets/\n", "ignore secrets too");
    commit_file(&repo, "secrets/app.env", &format!("T={token}\n"), "a secret");
    let (code, doc, err) = range_scan(&repo, &base, &[]);
    assert_eq!(code, Some(1), "{err}");
    let got = findings(&doc);
    assert_eq!(
        got.iter().map(|f| (f.0.as_str(), f.1.as_str())).collect::<Vec<_>>(),
        vec![("github-pat", "secrets/app.env"), ("hush-config-change", ".hushignore")],
        "{got:?}"
    );
    assert_eq!(got[1].2, ".hushignore: adds ignore pattern `secrets/`");
    assert_eq!(by_rule(&doc, "hush-config-change")["line"], 2);

    // A range that only narrows the ignore file reports nothing about it.
    let narrowed = git(&repo, &["rev-parse", "HEAD"]);
    commit_file(&repo, ".hushignore", "fixtures/\n", "stop ignoring secrets/");
    let (code, doc, err) = range_scan(&repo, &narrowed, &[]);
    assert_eq!((code, findings(&doc).len()), (Some(0), 0), "{err}");
}

#[test]
fn a_head_commit_adding_an_allowlist_of_everything_fails() {
    let token = github_token(184);
    let config = "[allow]\npaths = [\"**\"]\n";
    let (_dir, repo, base) = pull_request(&[(".hush.toml", config)], &format!("TOKEN={token}\n"));
    let (code, doc, err) = range_scan(&repo, &base, &[]);
    assert_eq!(code, Some(1), "{err}");
    let got = findings(&doc);
    assert_eq!(got.len(), 2, "{got:?}");
    assert_eq!((got[0].0.as_str(), got[0].1.as_str()), ("github-pat", "app.env"));
    assert_eq!(got[1].0, "hush-config-change");
    assert_eq!(got[1].2, ".hush.toml: allowlist paths gains `**`");
    assert_eq!(by_rule(&doc, "hush-config-change")["line"], 2);

    let (code, doc, err) = range_scan(&repo, &base, &["--trust-range-config"]);
    assert_eq!((code, findings(&doc).len()), (Some(0), 0), "{err}");
}

#[test]
fn a_baseline_that_gains_the_token_does_not_accept_it() {
    let (_dir, repo) = repo();
    commit_file(&repo, ".hush.toml", "baseline = \".hush-baseline\"\n", "config");
    // An empty baseline (a salt, no entries) on the base.
    let out = run_in(&repo, &["git", "--write-baseline", ".hush-baseline", "."]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    git(&repo, &["add", ".hush-baseline"]);
    git(&repo, &["commit", "-q", "-m", "baseline"]);
    let base = git(&repo, &["rev-parse", "HEAD"]);

    write_file(&repo, "app.env", &format!("TOKEN={}\n", github_token(185)));
    let out = run_in(&repo, &["scan", "--write-baseline", ".hush-baseline", "app.env"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-q", "-m", "token, accepted by its own commit"]);

    let (code, doc, err) = range_scan(&repo, &base, &[]);
    assert_eq!(code, Some(1), "{err}");
    let got = findings(&doc);
    assert_eq!(got.len(), 2, "{got:?}");
    assert_eq!((got[0].0.as_str(), got[0].1.as_str()), ("github-pat", "app.env"));
    assert_eq!(by_rule(&doc, "github-pat")["known"], false);
    assert_eq!(got[1].0, "hush-config-change");
    assert_eq!(got[1].2, ".hush-baseline: baseline gains 1 fingerprint");

    // Trusting the work tree: its baseline knows the token.
    let (code, doc, err) = range_scan(&repo, &base, &["--trust-range-config"]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(by_rule(&doc, "github-pat")["known"], true);
}

#[test]
fn an_inline_allow_added_with_its_secret_does_not_allow_it() {
    let token = github_token(186);
    let (_dir, repo, base) = pull_request(&[], &format!("TOKEN={token} # hush:allow test value\n"));
    let (code, doc, err) = range_scan(&repo, &base, &[]);
    assert_eq!(code, Some(1), "{err}");
    let got = findings(&doc);
    assert_eq!(got.len(), 2, "{got:?}");
    assert_eq!((got[0].0.as_str(), got[0].1.as_str()), ("github-pat", "app.env"));
    assert_eq!((got[1].0.as_str(), got[1].1.as_str()), ("hush-allow-added", "app.env"));
    assert!(
        got[1].2.contains("`hush:allow`") && got[1].2.contains("github-pat"),
        "{got:?}"
    );
    let added = by_rule(&doc, "hush-allow-added");
    assert_eq!(
        (added["severity"].as_str(), added["line"].as_u64()),
        (Some("low"), Some(1))
    );

    let (code, doc, err) = range_scan(&repo, &base, &["--trust-range-config"]);
    assert_eq!((code, findings(&doc).len()), (Some(0), 0), "{err}");

    // An allow already on the base still counts when the range edits the file.
    let reviewed = git(&repo, &["rev-parse", "HEAD"]);
    commit_file(
        &repo,
        "app.env",
        &format!("TOKEN={token} # hush:allow test value\nDEBUG=1\n"),
        "debug",
    );
    let (code, doc, err) = range_scan(&repo, &reviewed, &[]);
    assert_eq!((code, findings(&doc).len()), (Some(0), 0), "{err}");
}
