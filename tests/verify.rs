//! `--verify`: live verification against real HTTP servers on 127.0.0.1 that
//! answer as each provider documents (`HUSH_VERIFY_OVERRIDE` sends a
//! provider's checks there). The cases of issue 20: verified, invalid, a 429
//! then 200, a timeout, a 5xx, a firewall's 403, one request for a secret in 50
//! places, the per-provider concurrency cap, no connection without `--verify`,
//! a private host from scanned data refused; and every built-in verifier once
//! verified and once invalid against its double.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Output;
use std::time::Duration;

use base64::Engine as _;
use serde_json::Value;

use crate::common::httpd::{Reply, Request, Server};
use crate::common::{github_token, hush, json, stderr, stdout};

/// Runs `hush` in `dir` with `HUSH_VERIFY_OVERRIDE` set to `overrides`.
fn run(dir: &Path, overrides: &str, args: &[&str]) -> Output {
    hush()
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("HUSH_VERIFY_OVERRIDE", overrides)
        .stdin(std::process::Stdio::null())
        .output()
        .expect("hush runs")
}

/// A directory holding one file per `(name, text)`.
fn tree(files: &[(String, String)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).expect("write");
    }
    dir
}

/// GitHub's documented answers to `GET /user`.
fn github_ok() -> Reply {
    Reply::json(200, r#"{"login":"octocat","id":1}"#).header("X-OAuth-Scopes", "repo, gist")
}

fn github_bad() -> Reply {
    Reply::json(
        401,
        r#"{"message":"Bad credentials","documentation_url":"https://docs.github.com/rest"}"#,
    )
}

fn verification(doc: &Value) -> Vec<Value> {
    doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["verification"].clone())
        .collect()
}

fn one_token_tree() -> (tempfile::TempDir, String) {
    let token = github_token(1);
    let dir = tree(&[("app.env".into(), format!("GITHUB_TOKEN={token}\n"))]);
    (dir, token)
}

#[test]
fn a_key_the_provider_accepts_is_verified_with_what_it_can_do() {
    let server = Server::start(|_, _| github_ok());
    let (dir, token) = one_token_tree();
    let o = run(
        dir.path(),
        &format!("github={}", server.url()),
        &["scan", "--verify", "--format", "json", "."],
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let v = &verification(&json(&o))[0];
    assert_eq!(v["status"], "verified", "{v}");
    assert_eq!(v["provider"], "github");
    assert_eq!(v["details"]["scopes"], "repo, gist");
    assert_eq!(v["details"]["login"], "octocat");
    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].method, "GET");
    assert_eq!(requests[0].path, "/user");
    assert_eq!(
        requests[0].header("authorization"),
        Some(format!("Bearer {token}").as_str())
    );
    // The user is told where requests go.
    assert!(stderr(&o).contains("contacting github (127.0.0.1:"), "{}", stderr(&o));
    // The text report says so too, and still masks the secret.
    let o = run(
        dir.path(),
        &format!("github={}", server.url()),
        &["scan", "--verify", "."],
    );
    let text = stdout(&o);
    assert!(
        text.contains("verification: verified (login: octocat; scopes: repo, gist)"),
        "{text}"
    );
    assert!(!text.contains(&token), "{text}");
}

#[test]
fn a_key_the_provider_rejects_is_invalid_and_still_fails_the_scan() {
    let server = Server::start(|_, _| github_bad());
    let (dir, _) = one_token_tree();
    let o = run(
        dir.path(),
        &format!("github={}", server.url()),
        &["scan", "--verify", "--format", "json", "."],
    );
    // Verification does not change the exit code.
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let v = &verification(&json(&o))[0];
    assert_eq!(v["status"], "invalid", "{v}");
    assert!(v["reason"].as_str().unwrap().contains("401"), "{v}");
}

#[test]
fn a_429_is_waited_out_once_then_verified() {
    let server = Server::start(|_, n| {
        if n == 0 {
            Reply::json(429, r#"{"message":"API rate limit exceeded"}"#).header("Retry-After", "1")
        } else {
            github_ok()
        }
    });
    let (dir, _) = one_token_tree();
    let o = run(
        dir.path(),
        &format!("github={}", server.url()),
        &["scan", "--verify", "--format", "json", "."],
    );
    assert_eq!(verification(&json(&o))[0]["status"], "verified", "{}", stderr(&o));
    assert_eq!(server.requests().len(), 2);
}

#[test]
fn a_timeout_is_unknown_not_invalid() {
    let server = Server::start(|_, _| github_ok().after(Duration::from_secs(3)));
    let (dir, _) = one_token_tree();
    let o = run(
        dir.path(),
        &format!("github={}", server.url()),
        &["scan", "--verify", "--verify-timeout", "0.3", "--format", "json", "."],
    );
    let v = &verification(&json(&o))[0];
    assert_eq!(v["status"], "unknown", "{v}");
    assert!(v["reason"].as_str().unwrap().contains("timed out"), "{v}");
}

#[test]
fn a_server_error_is_unknown() {
    let server = Server::start(|_, _| Reply::new(503, "upstream unavailable"));
    let (dir, _) = one_token_tree();
    let o = run(
        dir.path(),
        &format!("github={}", server.url()),
        &["scan", "--verify", "--format", "json", "."],
    );
    let v = &verification(&json(&o))[0];
    assert_eq!(v["status"], "unknown", "{v}");
    assert!(v["reason"].as_str().unwrap().contains("503"), "{v}");
}

/// A Datadog API key where the table rule finds it: one of the examples the
/// rule's shape generates (built at run time).
fn datadog_tree() -> tempfile::TempDir {
    let rules = hush_rules::RuleSet::default_rules().expect("default rules");
    let rule = rules
        .rules()
        .iter()
        .find(|r| r.id == "datadog-api-key-table")
        .expect("rule");
    let example = hush_rules::examples_of(rule).0.remove(0);
    tree(&[("dd.env".into(), example)])
}

/// The verdict on the Datadog key's finding (the prefix-less key near
/// `DATADOG_API_KEY`, found by the `datadog-api-key` rule).
fn datadog_verdict(doc: &Value) -> Value {
    let findings = doc["findings"].as_array().expect("findings");
    let f = findings.iter().find(|f| f["rule_id"] == "datadog-api-key");
    f.unwrap_or_else(|| panic!("no datadog finding: {doc}"))["verification"].clone()
}

#[test]
fn a_403_counts_only_with_the_providers_own_body() {
    // Datadog documents 403 {"errors": [...]} for an invalid key; a proxy's
    // HTML 403 says nothing about the key.
    let firewall = Server::start(|_, _| Reply::new(403, "<html><body>Request blocked</body></html>"));
    let dir = datadog_tree();
    let o = run(
        dir.path(),
        &format!("datadog={}", firewall.url()),
        &["scan", "--verify", "--format", "json", "."],
    );
    let v = &datadog_verdict(&json(&o));
    assert_eq!(v["status"], "unknown", "{v}");
    assert!(
        v["reason"]
            .as_str()
            .unwrap()
            .contains("403 without the provider's own error body"),
        "{v}"
    );
    let datadog = Server::start(|_, _| Reply::json(403, r#"{"errors":["Forbidden"]}"#));
    let o = run(
        dir.path(),
        &format!("datadog={}", datadog.url()),
        &["scan", "--verify", "--format", "json", "."],
    );
    assert_eq!(datadog_verdict(&json(&o))["status"], "invalid");
}

#[test]
fn a_secret_in_fifty_places_is_checked_once() {
    let server = Server::start(|_, _| github_ok());
    let token = github_token(2);
    let files: Vec<(String, String)> = (0..50)
        .map(|i| (format!("f{i}.env"), format!("TOKEN={token}\n")))
        .collect();
    let dir = tree(&files);
    let o = run(
        dir.path(),
        &format!("github={}", server.url()),
        &["scan", "--verify", "--format", "json", "."],
    );
    let doc = json(&o);
    assert_eq!(doc["findings"].as_array().unwrap().len(), 1);
    assert_eq!(doc["findings"][0]["locations"].as_array().unwrap().len(), 50);
    assert_eq!(doc["findings"][0]["verification"]["status"], "verified");
    assert_eq!(server.connections(), 1);
}

#[test]
fn the_concurrency_cap_holds_for_one_provider() {
    let server = Server::start(|_, _| github_ok().after(Duration::from_millis(20)));
    let text: String = (0..200).map(|i| format!("T{i}={}\n", github_token(100 + i))).collect();
    let dir = tree(&[("many.env".into(), text)]);
    let o = run(
        dir.path(),
        &format!("github={}", server.url()),
        &[
            "scan",
            "--verify",
            "--verify-concurrency",
            "3",
            "--verify-rate",
            "1000",
            "--format",
            "json",
            ".",
        ],
    );
    let doc = json(&o);
    let verified = verification(&doc).iter().filter(|v| v["status"] == "verified").count();
    assert_eq!(verified, 200, "{}", stderr(&o));
    assert_eq!(server.requests().len(), 200);
    assert!(server.peak() <= 3, "peak of {} connections at once", server.peak());
}

#[test]
fn without_verify_nothing_is_contacted() {
    let server = Server::start(|_, _| github_ok());
    let (dir, _) = one_token_tree();
    let o = run(
        dir.path(),
        &format!("github={}", server.url()),
        &["scan", "--format", "json", "."],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(json(&o)["findings"][0].get("verification").is_none());
    assert!(!stderr(&o).contains("contacting"), "{}", stderr(&o));
    assert_eq!(server.connections(), 0);
}

/// A user pack whose verifier takes its host from the scanned text.
const HOST_PACK: &str = r#"
[[rules]]
id = "acme-db-token"
name = "Acme DB token"
keywords = ["acmedb://"]
regex = 'acmedb://(?P<host>[0-9a-z.:]+)/(?P<secret>[A-Za-z0-9]{24})'
severity = "high"
confidence = "high"
remediation = "Rotate it."
[rules.verify]
provider = "acme-db"
docs = "https://acme.example/docs/whoami"
url = "https://{host}/whoami"
headers = { Authorization = "Bearer {secret}" }
"#;

#[test]
fn a_private_host_from_scanned_data_is_refused() {
    let server = Server::start(|_, _| Reply::json(200, "{}"));
    let secret: String = (0..24).map(|i| b"Kq7Zp2Lm9Xc4Vb8Nw3Rt6Yh5"[i] as char).collect();
    let dir = tree(&[
        ("pack.toml".into(), HOST_PACK.into()),
        (
            "db.conf".into(),
            format!("url = acmedb://127.0.0.1:{}/{secret}\n", server.port),
        ),
    ]);
    let args = [
        "scan",
        "--rules",
        "pack.toml",
        "--verify",
        "--format",
        "json",
        "db.conf",
    ];
    let o = run(dir.path(), "", &args);
    let v = &verification(&json(&o))[0];
    assert_eq!(v["status"], "unknown", "{v}");
    assert!(v["reason"].as_str().unwrap().contains("refused"), "{v}");
    assert_eq!(server.connections(), 0);
    // Allowed, the request is made (over HTTPS, which this plain server cannot
    // speak: unknown, but the host was contacted).
    let mut allowed = args.to_vec();
    allowed.insert(4, "--verify-allow-private");
    let o = run(dir.path(), "", &allowed);
    assert_eq!(verification(&json(&o))[0]["status"], "unknown");
    assert!(server.connections() >= 1);
}

#[test]
fn only_verified_keeps_verified_findings_and_sets_the_exit_code() {
    let good = github_token(3);
    let bad = github_token(4);
    let good_header = format!("Bearer {good}");
    let server = Server::start(move |r: &Request, _| {
        if r.header("authorization") == Some(good_header.as_str()) {
            github_ok()
        } else {
            github_bad()
        }
    });
    let dir = tree(&[("a.env".into(), format!("A={good}\nB={bad}\n"))]);
    let url = format!("github={}", server.url());
    let o = run(dir.path(), &url, &["scan", "--only-verified", "--format", "json", "."]);
    assert_eq!(o.status.code(), Some(1));
    let doc = json(&o);
    assert_eq!(doc["findings"].as_array().unwrap().len(), 1);
    assert_eq!(doc["findings"][0]["verification"]["status"], "verified");
    let dir = tree(&[("b.env".into(), format!("B={bad}\n"))]);
    let o = run(dir.path(), &url, &["scan", "--only-verified", "--format", "json", "."]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(json(&o)["findings"].as_array().unwrap().is_empty());
}

#[test]
fn the_cache_answers_a_rerun_without_a_request() {
    let server = Server::start(|_, _| github_ok());
    let (dir, _) = one_token_tree();
    let cache = dir.path().join("verify-cache.json");
    let cache = cache.to_str().unwrap();
    let url = format!("github={}", server.url());
    let args = [
        "scan",
        "--verify",
        "--verify-cache",
        cache,
        "--format",
        "json",
        "app.env",
    ];
    let first = run(dir.path(), &url, &args);
    assert_eq!(verification(&json(&first))[0]["status"], "verified");
    let second = run(dir.path(), &url, &args);
    assert_eq!(verification(&json(&second))[0]["status"], "verified");
    assert_eq!(server.connections(), 1, "{}", stderr(&second));
    let text = std::fs::read_to_string(cache).unwrap();
    assert!(!text.contains("ghp_"), "the cache holds no secret: {text}");
}

#[test]
fn reports_carry_the_verdict_in_every_format() {
    let server = Server::start(|_, _| github_ok());
    let (dir, _) = one_token_tree();
    let url = format!("github={}", server.url());
    let sarif = json(&run(dir.path(), &url, &["scan", "--verify", "--format", "sarif", "."]));
    let props = &sarif["runs"][0]["results"][0]["properties"]["verification"];
    assert_eq!(props["status"], "verified", "{sarif}");
    let line = stdout(&run(dir.path(), &url, &["scan", "--verify", "--format", "jsonl", "."]));
    let first: Value = serde_json::from_str(line.lines().next().unwrap()).unwrap();
    assert_eq!(first["verification"]["status"], "verified");
    let csv = stdout(&run(dir.path(), &url, &["scan", "--verify", "--format", "csv", "."]));
    let mut rows = csv.lines();
    assert!(
        rows.next().unwrap().ends_with(",verification,verification_reason"),
        "{csv}"
    );
    assert!(rows.next().unwrap().contains(",verified,"), "{csv}");
    let github = stdout(&run(dir.path(), &url, &["scan", "--verify", "--format", "github", "."]));
    assert!(
        github.contains("[verified (login%3A octocat") || github.contains("[verified (login: octocat"),
        "{github}"
    );
    let html = stdout(&run(dir.path(), &url, &["scan", "--verify", "--format", "html", "."]));
    assert!(html.contains(">Verified</th>"), "the HTML table has a Verified column");
    assert!(html.contains("verified (login: octocat; scopes: repo, gist)"), "{html}");
}

#[test]
fn merged_reports_keep_the_verdict_and_the_markdown_summary_shows_it() {
    let server = Server::start(|_, _| github_ok());
    let (dir, _) = one_token_tree();
    let url = format!("github={}", server.url());
    let reports = tempfile::tempdir().expect("temp dir");
    let save = |name: &str, args: &[&str]| {
        let path = reports.path().join(name);
        std::fs::write(&path, stdout(&run(dir.path(), &url, args))).expect("write the report");
        path.display().to_string()
    };
    let checked = save("checked.json", &["scan", "--verify", "--format", "json", "."]);
    let unchecked = save("unchecked.jsonl", &["scan", "--format", "jsonl", "."]);
    let sarif = save("checked.sarif", &["scan", "--verify", "--format", "sarif", "."]);

    // Shards that checked and shards that did not: the merged finding keeps the verdict,
    // whichever order, from hush JSON and from SARIF.
    for files in [[&unchecked, &checked], [&checked, &unchecked], [&unchecked, &sarif]] {
        let merged = json(&run(dir.path(), "", &["merge", files[0], files[1], "--format", "json"]));
        let verdicts = verification(&merged);
        assert_eq!(verdicts.len(), 1, "{merged}");
        assert_eq!(verdicts[0]["status"], "verified", "{files:?}: {merged}");
        assert_eq!(verdicts[0]["provider"], "github");
        assert_eq!(verdicts[0]["details"]["login"], "octocat", "{merged}");
    }

    let summary = stdout(&run(dir.path(), "", &["merge", &checked, "--format", "markdown"]));
    assert!(summary.contains("| Where | Live |"), "{summary}");
    assert!(
        summary.contains("| verified (login: octocat; scopes: repo, gist) |"),
        "{summary}"
    );
    let plain = stdout(&run(dir.path(), "", &["merge", &unchecked, "--format", "markdown"]));
    assert!(!plain.contains("Live"), "no verdict, no column: {plain}");
}

#[test]
fn a_plain_http_override_to_another_host_is_refused() {
    let (dir, _) = one_token_tree();
    let o = run(dir.path(), "github=http://10.0.0.1:80", &["scan", "--verify", "."]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("HUSH_VERIFY_OVERRIDE"), "{}", stderr(&o));
}

#[test]
fn a_bad_verifier_is_a_load_error_naming_its_rule() {
    let pack = HOST_PACK.replace("https://{host}/whoami", "http://{host}/whoami");
    let dir = tree(&[("pack.toml".into(), pack), ("x.txt".into(), "nothing\n".into())]);
    let o = run(dir.path(), "", &["scan", "--rules", "pack.toml", "x.txt"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("acme-db-token") && stderr(&o).contains("https"),
        "{}",
        stderr(&o)
    );
}

/// Each provider's documented answers: (verified, invalid).
fn documented(provider: &str) -> (Reply, Reply) {
    let j = Reply::json;
    match provider {
        "github" => (github_ok(), github_bad()),
        "gitlab" => (
            j(
                200,
                r#"{"id":4,"name":"ci","revoked":false,"scopes":["api","read_user"],"active":true,"expires_at":null}"#,
            ),
            j(401, r#"{"message":"401 Unauthorized"}"#),
        ),
        "slack" => (
            j(
                200,
                r#"{"ok":true,"url":"https://acme.slack.com/","team":"Acme","user":"grace","team_id":"T1","user_id":"W1"}"#,
            ),
            j(200, r#"{"ok":false,"error":"invalid_auth"}"#),
        ),
        "stripe" => (
            j(
                200,
                r#"{"id":"acct_1Nv0FGQ9","object":"account","email":"jenny@example.com"}"#,
            ),
            j(
                401,
                r#"{"error":{"message":"Invalid API Key provided.","type":"invalid_request_error"}}"#,
            ),
        ),
        "aws" => (
            Reply::new(
                200,
                "<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/Alice</Arn>\
                 <Account>123456789012</Account></GetCallerIdentityResult></GetCallerIdentityResponse>",
            ),
            Reply::new(
                403,
                "<ErrorResponse><Error><Type>Sender</Type><Code>InvalidClientTokenId</Code>\
                 <Message>The security token included in the request is invalid.</Message></Error></ErrorResponse>",
            ),
        ),
        "openai" | "mistral" | "groq" => (
            j(200, r#"{"object":"list","data":[{"id":"model-1","object":"model"}]}"#),
            j(
                401,
                r#"{"error":{"message":"Incorrect API key provided","type":"invalid_request_error","code":"invalid_api_key"}}"#,
            ),
        ),
        "anthropic" => (
            j(200, r#"{"data":[{"id":"claude-x","type":"model"}],"has_more":false}"#),
            j(
                401,
                r#"{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}}"#,
            ),
        ),
        "huggingface" => (
            j(
                200,
                r#"{"type":"user","name":"julien","auth":{"accessToken":{"displayName":"ci","role":"read"}}}"#,
            ),
            j(401, r#"{"error":"Invalid credentials in Authorization header"}"#),
        ),
        "sendgrid" => (
            j(200, r#"{"scopes":["mail.send","alerts.read"]}"#),
            j(401, r#"{"errors":[{"field":null,"message":"authorization required"}]}"#),
        ),
        "twilio" => (
            j(200, r#"{"friendly_name":"Main","status":"active"}"#),
            j(401, r#"{"code":20003,"message":"Authenticate","status":401}"#),
        ),
        "mailgun" => (
            j(200, r#"{"total_count":1,"items":[{"name":"example.com"}]}"#),
            Reply::new(401, "Forbidden"),
        ),
        "mailchimp" => (
            j(200, r#"{"health_status":"Everything's Chimpy!"}"#),
            j(401, r#"{"title":"API Key Invalid","status":401}"#),
        ),
        "postmark" => (
            j(200, r#"{"ID":1,"Name":"Staging Testing"}"#),
            j(
                401,
                r#"{"ErrorCode":10,"Message":"No Account or Server API tokens were supplied in the HTTP headers."}"#,
            ),
        ),
        "npm" => (
            j(200, r#"{"username":"ada"}"#),
            j(401, r#"{"error":"You must be logged in"}"#),
        ),
        "digitalocean" => (
            j(200, r#"{"account":{"email":"sammy@example.com","status":"active"}}"#),
            j(401, r#"{"id":"unauthorized","message":"Unable to authenticate you."}"#),
        ),
        "cloudflare" => (
            j(
                200,
                r#"{"success":true,"errors":[],"messages":[],"result":{"id":"x","status":"active"}}"#,
            ),
            j(
                401,
                r#"{"success":false,"errors":[{"code":1000,"message":"Invalid API Token"}]}"#,
            ),
        ),
        "datadog" => (j(200, r#"{"valid":true}"#), j(403, r#"{"errors":["Forbidden"]}"#)),
        "heroku" => (
            j(200, r#"{"email":"user@example.com"}"#),
            j(
                401,
                r#"{"id":"unauthorized","message":"Invalid credentials provided."}"#,
            ),
        ),
        "discord" => (
            j(200, r#"{"id":"80351110224678912","username":"Nelly","bot":true}"#),
            j(401, r#"{"message":"401: Unauthorized","code":0}"#),
        ),
        "telegram" => (
            j(
                200,
                r#"{"ok":true,"result":{"id":1,"is_bot":true,"username":"hush_test_bot"}}"#,
            ),
            j(401, r#"{"ok":false,"error_code":401,"description":"Unauthorized"}"#),
        ),
        "linear" => (
            j(200, r#"{"data":{"viewer":{"id":"u1","name":"Ada"}}}"#),
            j(
                400,
                r#"{"errors":[{"message":"Authentication required","extensions":{"code":"AUTHENTICATION_ERROR"}}]}"#,
            ),
        ),
        "notion" => (
            j(
                200,
                r#"{"object":"user","name":"Doug Engelbot","bot":{"workspace_name":"Acme"}}"#,
            ),
            j(
                401,
                r#"{"object":"error","status":401,"code":"unauthorized","message":"API token is invalid."}"#,
            ),
        ),
        "sentry" => (j(200, r#"[{"slug":"acme"}]"#), j(401, r#"{"detail":"Invalid token"}"#)),
        "vercel" => (
            j(200, r#"{"user":{"username":"ada"}}"#),
            j(
                403,
                r#"{"error":{"code":"forbidden","message":"Not authorized","invalidToken":true}}"#,
            ),
        ),
        "netlify" => (
            j(200, r#"{"email":"ada@example.com"}"#),
            j(401, r#"{"code":401,"message":"Access Denied"}"#),
        ),
        "doppler" => (
            j(
                200,
                r#"{"slug":"x","name":"ci","type":"personal","workplace":{"name":"Acme"}}"#,
            ),
            j(401, r#"{"messages":["Invalid Auth token"],"success":false}"#),
        ),
        "openrouter" => (
            j(200, r#"{"data":{"label":"ci","limit":null}}"#),
            j(401, r#"{"error":{"message":"No auth credentials found","code":401}}"#),
        ),
        "replicate" => (
            j(200, r#"{"type":"user","username":"ada"}"#),
            j(401, r#"{"detail":"Invalid token."}"#),
        ),
        "circleci" => (
            j(200, r#"{"id":"x","login":"ada","name":"Ada"}"#),
            j(401, r#"{"message":"You must log in first."}"#),
        ),
        "buildkite" => (
            j(200, r#"{"scopes":["read_builds"],"uuid":"b6"}"#),
            j(
                401,
                r#"{"message":"Authentication required. Please supply a valid API Access Token"}"#,
            ),
        ),
        "pulumi" => (
            j(200, r#"{"githubLogin":"ada","name":"Ada"}"#),
            j(
                401,
                r#"{"code":401,"message":"Unauthorized: No credentials provided or are invalid."}"#,
            ),
        ),
        "terraform-cloud" => (
            j(200, r#"{"data":{"attributes":{"username":"ada"}}}"#),
            j(401, r#"{"errors":[{"status":"401","title":"unauthorized"}]}"#),
        ),
        "neon" => (
            j(200, r#"{"email":"ada@example.com"}"#),
            j(401, r#"{"code":"","message":"authorization failed"}"#),
        ),
        "brevo" => (
            j(200, r#"{"email":"ada@example.com","companyName":"Acme"}"#),
            j(401, r#"{"code":"unauthorized","message":"Key not found"}"#),
        ),
        other => panic!("no documented answers for provider {other}: add them here"),
    }
}

/// Whether `request` carries `secret` (header, basic auth, path or body).
fn carries(request: &Request, secret: &str) -> bool {
    let basic = request
        .header("authorization")
        .and_then(|a| a.strip_prefix("Basic "))
        .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default();
    request.headers.iter().any(|(_, v)| v.contains(secret))
        || basic.contains(secret)
        || request.path.contains(secret)
        || request.body.contains(secret)
}

#[test]
fn every_builtin_verifier_is_verified_and_invalid_against_its_double() {
    use hush_rules::VerifyKind;
    let rules = hush_rules::RuleSet::default_rules().expect("default rules");
    let checked: Vec<_> = rules
        .rules()
        .iter()
        .filter(|r| {
            r.spec
                .verify
                .as_ref()
                .is_some_and(|v| matches!(v.kind, VerifyKind::Http | VerifyKind::AwsSigv4))
        })
        .map(|r| &r.spec)
        .collect();
    let providers: std::collections::BTreeSet<String> = checked
        .iter()
        .map(|s| s.verify.as_ref().unwrap().provider.clone())
        .collect();
    assert!(
        providers.len() >= 30,
        "{} providers checked: {providers:?}",
        providers.len()
    );
    // Every rule's examples, one file each.
    let mut files = Vec::new();
    for rule in rules.rules().iter().filter(|r| checked.iter().any(|s| s.id == r.id)) {
        let spec = &rule.spec;
        // A table rule's examples are generated from its shape.
        for (n, example) in hush_rules::examples_of(rule).0.iter().take(4).enumerate() {
            files.push((format!("{}-{n}.txt", spec.id), example.clone()));
        }
    }
    let dir = tree(&files);
    for (mode, want, never) in [(0, "verified", "invalid"), (1, "invalid", "verified")] {
        let server = Server::start(move |r: &Request, _| {
            let provider = r
                .path
                .trim_start_matches('/')
                .split('/')
                .next()
                .unwrap_or("")
                .to_owned();
            let (ok, bad) = documented(&provider);
            if mode == 0 {
                ok
            } else {
                bad
            }
        });
        let overrides: Vec<String> = providers.iter().map(|p| format!("{p}={}/{p}", server.url())).collect();
        let o = run(
            dir.path(),
            &overrides.join(","),
            &[
                "scan",
                "--verify",
                "--verify-rate",
                "1000",
                "--show-secrets",
                "--format",
                "json",
                ".",
            ],
        );
        let doc = json(&o);
        let mut by_rule: BTreeMap<String, Vec<Value>> = BTreeMap::new();
        for f in doc["findings"].as_array().unwrap() {
            by_rule
                .entry(f["rule_id"].as_str().unwrap().to_owned())
                .or_default()
                .push(f.clone());
        }
        let requests = server.requests();
        let mut answered = std::collections::BTreeSet::new();
        for spec in &checked {
            // A rule outranked on all its examples by another rule with the
            // same verifier (a table entry and a prefix rule) has no finding.
            let Some(findings) = by_rule.get(&spec.id) else {
                continue;
            };
            let hit = findings.iter().find(|f| f["verification"]["status"] == want);
            let hit = hit.unwrap_or_else(|| panic!("{}: no finding {want}: {findings:#?}", spec.id));
            answered.insert(spec.verify.as_ref().unwrap().provider.clone());
            let provider = &spec.verify.as_ref().unwrap().provider;
            let secret = hit["secret"].as_str().unwrap();
            let sent = requests.iter().filter(|r| r.path.starts_with(&format!("/{provider}/")));
            let sent: Vec<&Request> = sent.collect();
            if spec.verify.as_ref().unwrap().kind == VerifyKind::AwsSigv4 {
                // The secret key signs the request and is never sent.
                assert!(sent.iter().all(|r| !carries(r, secret)), "{}: secret sent", spec.id);
                assert!(
                    sent.iter().any(|r| r
                        .header("authorization")
                        .is_some_and(|a| a.starts_with("AWS4-HMAC-SHA256 Credential="))),
                    "{}: not signed",
                    spec.id
                );
            } else {
                assert!(
                    sent.iter().any(|r| carries(r, secret)),
                    "{}: no request carried the secret",
                    spec.id
                );
            }
        }
        for f in doc["findings"].as_array().unwrap() {
            assert_ne!(f["verification"]["status"], never, "{f:#}");
        }
        // Every provider's verifier was answered both ways.
        assert_eq!(answered, providers, "providers without a {want} finding");
    }
}

/// A fresh 2048-bit RSA key made by `openssl`: its PKCS#8 PEM and its public
/// key as PKCS#1 DER (what `ring` verifies with).
fn rsa_key(dir: &Path, name: &str) -> (String, Vec<u8>) {
    let key = dir.join(format!("{name}.pem"));
    let public = dir.join(format!("{name}.der"));
    let made = std::process::Command::new("openssl")
        .args([
            "genpkey",
            "-algorithm",
            "RSA",
            "-pkeyopt",
            "rsa_keygen_bits:2048",
            "-out",
        ])
        .arg(&key)
        .output()
        .expect("openssl runs");
    assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
    let out = std::process::Command::new("openssl")
        .args(["rsa", "-RSAPublicKey_out", "-outform", "DER", "-in"])
        .arg(&key)
        .arg("-out")
        .arg(&public)
        .output()
        .expect("openssl runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    (
        std::fs::read_to_string(&key).expect("key"),
        std::fs::read(&public).expect("public key"),
    )
}

/// A Google token endpoint that knows one account's public key: a JWT bearer
/// grant whose assertion verifies (RS256, that account, Google's audience)
/// gets an access token, any other `invalid_grant`, as Google documents.
fn google_token_endpoint(email: &'static str, public: Vec<u8>) -> Server {
    Server::start(move |r: &Request, _| {
        let form: BTreeMap<&str, &str> = r.body.split('&').filter_map(|kv| kv.split_once('=')).collect();
        let bad = Reply::json(
            400,
            r#"{"error":"invalid_grant","error_description":"Invalid JWT Signature."}"#,
        );
        if form.get("grant_type") != Some(&"urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer") {
            return Reply::json(400, r#"{"error":"unsupported_grant_type"}"#);
        }
        let Some(jwt) = form.get("assertion") else { return bad };
        let Some((signed, signature)) = jwt.rsplit_once('.') else {
            return bad;
        };
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let Ok(signature) = b64.decode(signature) else {
            return bad;
        };
        let key = ring::signature::UnparsedPublicKey::new(&ring::signature::RSA_PKCS1_2048_8192_SHA256, &public);
        if key.verify(signed.as_bytes(), &signature).is_err() {
            return bad;
        }
        let claims: Value = signed
            .split('.')
            .nth(1)
            .and_then(|c| b64.decode(c).ok())
            .and_then(|c| serde_json::from_slice(&c).ok())
            .unwrap_or_default();
        if claims["iss"] != email || claims["aud"] != "https://oauth2.googleapis.com/token" {
            return bad;
        }
        Reply::json(
            200,
            r#"{"access_token":"test-access","expires_in":3599,"token_type":"Bearer"}"#,
        )
    })
}

#[test]
fn a_service_account_key_is_checked_with_a_signed_jwt_and_never_sent() {
    let keys = tempfile::tempdir().expect("temp dir");
    let (live, live_public) = rsa_key(keys.path(), "live");
    let (deleted, _) = rsa_key(keys.path(), "deleted");
    let email = "deployer@billing-prod-381207.iam.gserviceaccount.com";
    let server = google_token_endpoint(email, live_public);
    // Google's own field order (the e-mail after the key) and a file whose
    // fields were sorted (the e-mail before it).
    let escaped = |pem: &str| pem.replace('\n', "\\n");
    let google_order = format!(
        "{{\n  \"type\": \"service_account\",\n  \"project_id\": \"billing-prod-381207\",\n  \"private_key_id\": \
         \"{}\",\n  \"private_key\": \"{}\",\n  \"client_email\": \"{email}\",\n  \"token_uri\": \
         \"https://oauth2.googleapis.com/token\"\n}}\n",
        "a4c1".repeat(10),
        escaped(&live)
    );
    let sorted = format!(
        "{{\"client_email\":\"{email}\",\"client_id\":\"104729384756102938475\",\"private_key\":\"{}\",\
         \"private_key_id\":\"{}\",\"type\":\"service_account\"}}\n",
        escaped(&deleted),
        "7fd1".repeat(10)
    );
    let dir = tree(&[("live.json".into(), google_order), ("deleted.json".into(), sorted)]);
    let o = run(
        dir.path(),
        &format!("gcp={}", server.url()),
        &["scan", "--verify", "--format", "json", "."],
    );
    let doc = json(&o);
    let verdict = |file: &str| -> Value {
        doc["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .find(|f| {
                f["rule_id"] == "gcp-service-account-private-key"
                    && f["locations"][0]["path"].as_str().is_some_and(|p| p.ends_with(file))
            })
            .map(|f| f["verification"].clone())
            .unwrap_or_else(|| panic!("no private-key finding in {file}: {doc:#}"))
    };
    assert_eq!(verdict("live.json")["status"], "verified", "{doc:#}");
    assert_eq!(verdict("deleted.json")["status"], "invalid", "{doc:#}");
    let requests = server.requests();
    assert_eq!(requests.len(), 2, "one request per key");
    for request in &requests {
        assert_eq!(request.method, "POST");
        // The key never leaves: no line of either key's body is in a request.
        for pem in [&live, &deleted] {
            let line = pem.lines().nth(5).expect("a body line");
            assert!(!carries(request, line), "a key's body was sent: {}", request.body);
        }
    }
}

#[test]
fn a_key_of_another_region_is_asked_there_after_the_first_says_invalid() {
    let dir = tree(&[("dd.env".into(), format!("DD_API_KEY={}\n", crate::common::hex(41, 32)))]);
    // The EU site knows the key; every other site answers as Datadog does for
    // a key it does not know.
    let eu = Server::start(|r: &Request, _| {
        if r.path.starts_with("/api.datadoghq.eu/") {
            Reply::json(200, r#"{"valid":true}"#)
        } else {
            Reply::json(403, r#"{"errors":["Forbidden"]}"#)
        }
    });
    let o = run(
        dir.path(),
        &format!("datadog={}", eu.url()),
        &["scan", "--verify", "--format", "json", "."],
    );
    let v = &verification(&json(&o))[0];
    assert_eq!(v["status"], "verified", "{v}");
    assert_eq!(v["details"]["region"], "api.datadoghq.eu", "{v}");
    let paths: Vec<String> = eu.requests().iter().map(|r| r.path.clone()).collect();
    assert_eq!(paths, ["/api/v1/validate", "/api.datadoghq.eu/api/v1/validate"]);
    // Unknown everywhere: invalid, after asking each region once.
    let nowhere = Server::start(|_, _| Reply::json(403, r#"{"errors":["Forbidden"]}"#));
    let o = run(
        dir.path(),
        &format!("datadog={}", nowhere.url()),
        &["scan", "--verify", "--format", "json", "."],
    );
    let v = &verification(&json(&o))[0];
    assert_eq!(v["status"], "invalid", "{v}");
    assert!(v["reason"].as_str().unwrap().contains("in all 7 regions"), "{v}");
    assert_eq!(nowhere.requests().len(), 7);
    // A key the first region accepts is asked nowhere else.
    let us = Server::start(|_, _| Reply::json(200, r#"{"valid":true}"#));
    let o = run(
        dir.path(),
        &format!("datadog={}", us.url()),
        &["scan", "--verify", "--format", "json", "."],
    );
    assert_eq!(verification(&json(&o))[0]["status"], "verified");
    assert_eq!(us.requests().len(), 1);
}
