//! Adopting hush on an existing repository: `.hush.toml`, inline allow
//! annotations, content-keyed baselines and their import from other scanners,
//! `--exit-code`, `--min-severity`, `--min-confidence`, `hush rules check`.

use std::fs;
use std::path::Path;

use crate::common::{base62, github_token, json, run_in, stderr, stdout};

/// A Stripe test-mode key (severity low), built at test time.
fn stripe_test_key(seed: u64) -> String {
    format!("{}{}", ["sk_", "test_"].concat(), base62(seed, 24))
}

fn new_paths(doc: &serde_json::Value) -> Vec<String> {
    let mut v: Vec<String> = doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["known"] == false)
        .map(|f| f["path"].as_str().expect("path").to_owned())
        .collect();
    v.sort();
    v
}

/// The hex digest `tool` (sha256sum, sha1sum) prints for `data`.
fn digest_hex(tool: &str, data: &[u8]) -> String {
    use std::io::Write;
    let mut child = std::process::Command::new(tool)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("digest tool runs");
    child.stdin.take().expect("stdin").write_all(data).expect("write");
    let out = child.wait_with_output().expect("wait");
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .next()
        .expect("hash")
        .to_owned()
}

fn write(dir: &Path, name: &str, text: &str) {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).expect("mkdir");
    }
    fs::write(path, text).expect("write");
}

#[test]
fn baseline_scenario_five_known_a_sixth_new_and_a_moved_one_still_known() {
    let dir = tempfile::tempdir().expect("temp dir");
    let p = dir.path();
    for i in 0..5u64 {
        write(
            p,
            &format!("src/file{i}.env"),
            &format!("TOKEN={}\n", github_token(100 + i)),
        );
    }
    let out = run_in(p, &["scan", "--write-baseline", ".hush-baseline", "src"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = fs::read_to_string(p.join(".hush-baseline")).expect("baseline written");
    let entries: Vec<&str> = text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with("salt "))
        .collect();
    assert_eq!(entries.len(), 5);
    assert!(entries.windows(2).all(|w| w[0] <= w[1]), "sorted");
    assert!(!text.contains(&github_token(100)[4..]), "the baseline holds no secret");
    assert!(!text.contains("file0"), "no paths or line numbers");

    let out = run_in(p, &["scan", "--baseline", ".hush-baseline", "src"]);
    assert_eq!(out.status.code(), Some(0), "{}{}", stdout(&out), stderr(&out));

    write(p, "src/new.env", &format!("TOKEN={}\n", github_token(200)));
    let out = run_in(p, &["scan", "--baseline", ".hush-baseline", "src"]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(
        text.contains("src/new.env:1:7") && !text.contains("file0"),
        "only the new one is shown: {text}"
    );
    let doc = json(&run_in(
        p,
        &["scan", "--baseline", ".hush-baseline", "--format", "json", "src"],
    ));
    assert_eq!(new_paths(&doc), vec!["src/new.env"]);
    assert_eq!(
        doc["findings"].as_array().expect("all findings").len(),
        6,
        "known ones are reported as known"
    );
    fs::remove_file(p.join("src/new.env")).expect("rm");

    // Moving a known secret to another file and line keeps it known.
    fs::remove_file(p.join("src/file3.env")).expect("rm");
    write(
        p,
        "src/moved/elsewhere.yml",
        &format!("# moved\n\nci:\n  token: {}\n", github_token(103)),
    );
    let out = run_in(p, &["scan", "--baseline", ".hush-baseline", "src"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));

    // A different secret on a baselined line is new.
    write(p, "src/file1.env", &format!("TOKEN={}\n", github_token(999)));
    let out = run_in(p, &["scan", "--baseline", ".hush-baseline", "src"]);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn config_names_the_baseline() {
    let dir = tempfile::tempdir().expect("temp dir");
    let p = dir.path();
    write(p, "a.env", &format!("T={}\n", github_token(1)));
    assert_eq!(
        run_in(p, &["scan", "--write-baseline", "reviewed.txt", "."])
            .status
            .code(),
        Some(0)
    );
    write(p, ".hush.toml", "baseline = \"reviewed.txt\"\n");
    let out = run_in(p, &["scan", "."]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
}

#[test]
fn inline_annotations_allow_their_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    let p = dir.path();
    let lines = [
        format!("a = \"{}\" # hush:allow", github_token(1)),
        format!("b = \"{}\" // hush:allow github-pat", github_token(2)),
        format!("c = \"{}\" // hush:allow aws-access-key-id", github_token(3)),
        format!("d = \"{}\" # gitleaks:allow", github_token(4)),
        format!("e = \"{}\" # pragma: allowlist secret", github_token(5)),
        format!("f = \"{}\" # trufflehog:ignore", github_token(6)),
        format!("g = \"{}\"", github_token(7)),
    ];
    write(p, "code.py", &(lines.join("\n") + "\n"));
    let doc = json(&run_in(p, &["scan", "--format", "json", "code.py"]));
    let lines_found: Vec<u64> = doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["line"].as_u64().expect("line"))
        .collect();
    assert_eq!(lines_found, vec![3, 7], "{doc}");
    assert_eq!(doc["stats"]["suppressed"], 5);
}

#[test]
fn config_allowlist_disable_and_override() {
    let dir = tempfile::tempdir().expect("temp dir");
    let p = dir.path();
    let by_value = github_token(11);
    let by_hash = github_token(12);
    write(p, "vendor/lib/x.env", &format!("T={}\n", github_token(10)));
    write(
        p,
        "a.env",
        &format!(
            "A={by_value}\nB={by_hash}\nC={} # reviewed-by-sec\nD={}\n",
            github_token(13),
            github_token(14)
        ),
    );
    write(p, "b.env", &format!("S={}\n", stripe_test_key(1)));
    let sha = digest_hex("sha256sum", by_hash.as_bytes());
    write(
        p,
        ".hush.toml",
        &format!(
            "[rules]\ndisable = [\"stripe-test-secret-key\"]\n\n[rules.override.github-pat]\nseverity = \"medium\"\n\n[allow]\npaths = [\"vendor/**\"]\nvalues = [\"{by_value}\"]\nsha256 = [\"{sha}\"]\nregexes = [{{ pattern = 'reviewed-by-sec', target = \"line\" }}]\n"
        ),
    );
    let out = run_in(p, &["scan", "--verbose", "--format", "json", "."]);
    let doc = json(&out);
    let found: Vec<(String, u64, String)> = doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["path"].as_str().expect("p").to_owned(),
                f["line"].as_u64().expect("l"),
                f["severity"].as_str().expect("s").to_owned(),
            )
        })
        .collect();
    assert_eq!(found, vec![("a.env".to_owned(), 4, "medium".to_owned())], "{doc}");
    assert!(
        stderr(&out).contains("skipped vendor/lib/x.env: allowed by an [allow] paths glob"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn bad_config_is_an_error_naming_file_line_and_key() {
    let dir = tempfile::tempdir().expect("temp dir");
    let p = dir.path();
    write(p, ".hush.toml", "[allow]\npaths = [\"x\"]\nregexs = []\n");
    let out = run_in(p, &["scan", "."]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains(".hush.toml") && err.contains("line 3") && err.contains("regexs"),
        "{err}"
    );

    write(p, ".hush.toml", "[allow]\nregexes = [\n  { pattern = 'ok', target = \"line\" },\n  { pattern = 'bad(', target = \"secret\" },\n]\n");
    let out = run_in(p, &["scan", "."]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains(".hush.toml:4: allow.regexes"), "{err}");

    write(p, ".hush.toml", "[rules]\ndisable = [\"no-such-rule\"]\n");
    let err = stderr(&run_in(p, &["scan", "."]));
    assert!(
        err.contains(".hush.toml:2: rules.disable") && err.contains("no-such-rule"),
        "{err}"
    );

    let out = run_in(p, &["scan", "--config", "missing.toml", "."]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("missing.toml"), "{}", stderr(&out));
}

#[test]
fn exit_code_and_minimum_levels() {
    let dir = tempfile::tempdir().expect("temp dir");
    let p = dir.path();
    write(p, "low.env", &format!("S={}\n", stripe_test_key(2)));
    assert_eq!(run_in(p, &["scan", "."]).status.code(), Some(1));
    assert_eq!(run_in(p, &["scan", "--exit-code", "7", "."]).status.code(), Some(7));
    assert_eq!(
        run_in(p, &["scan", "--min-severity", "medium", "."]).status.code(),
        Some(0)
    );
    assert_eq!(
        run_in(p, &["scan", "--min-severity", "low", "."]).status.code(),
        Some(1)
    );
    assert_eq!(
        run_in(p, &["scan", "--min-confidence", "high", "."]).status.code(),
        Some(1)
    );
    let out = run_in(p, &["scan", "--min-severity", "severe", "."]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--min-severity"), "{}", stderr(&out));
}

#[test]
fn rules_check_runs_a_packs_examples() {
    let dir = tempfile::tempdir().expect("temp dir");
    let p = dir.path();
    let rule = |example: &str| {
        format!("[[rules]]\nid = \"acme\"\nname = \"Acme\"\nkeywords = [\"acme_\"]\nregex = '(?P<secret>acme_[0-9a-f]{{16}})'\nseverity = \"high\"\nconfidence = \"high\"\nremediation = \"r\"\nexamples = ['{example}']\n")
    };
    write(p, "good.toml", &rule("k = acme_3f9a1c2b7d4e8f60"));
    write(p, "bad.toml", &rule("k = acme_tooshort"));
    let out = run_in(p, &["rules", "check", "good.toml"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = run_in(p, &["rules", "check", "bad.toml"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("rule acme: finds nothing in example"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn baseline_import_from_gitleaks_and_detect_secrets() {
    let dir = tempfile::tempdir().expect("temp dir");
    let p = dir.path();
    let (a, b, c) = (github_token(31), github_token(32), github_token(33));
    write(p, "src/a.env", &format!("A={a}\n"));
    write(p, "src/b.env", &format!("B={b}\n"));
    write(p, "src/c.env", &format!("\nC={c}\n"));
    let gitleaks = serde_json::json!([
        {"RuleID": "github-pat", "File": "src/a.env", "StartLine": 1, "Secret": a, "Fingerprint": "src/a.env:github-pat:1"},
        {"RuleID": "github-pat", "File": "src/c.env", "StartLine": 2, "Secret": "REDACTED", "Fingerprint": "src/c.env:github-pat:2"}
    ]);
    write(p, "gitleaks.json", &gitleaks.to_string());
    let sha1 = digest_hex("sha1sum", b.as_bytes());
    let detect = serde_json::json!({"version": "1.5.0", "results": {"src/b.env": [{"type": "GitHub Token", "filename": "src/b.env", "hashed_secret": sha1, "line_number": 1}]}});
    write(p, ".secrets.baseline", &detect.to_string());
    for report in ["gitleaks.json", ".secrets.baseline"] {
        let out = run_in(p, &["baseline", "import", report, "--output", "base"]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    }
    let out = run_in(p, &["scan", "--baseline", "base", "src"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    write(p, "src/d.env", &format!("D={}\n", github_token(34)));
    let doc = json(&run_in(p, &["scan", "--baseline", "base", "--format", "json", "src"]));
    assert_eq!(new_paths(&doc), vec!["src/d.env"]);
    let out = run_in(p, &["baseline", "import", "src/a.env", "--output", "base"]);
    assert_eq!(out.status.code(), Some(2));
}
