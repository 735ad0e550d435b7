//! Encoded secrets (`hush_rules::decode`): a format-valid GitHub token encoded
//! each way the decode stage undoes, and nested, is found at the encoded bytes
//! with its chain of encodings; decoding stops at `--max-decode-depth`; and
//! base64 that is not text (images, digests, identifiers) stays quiet.

use std::fs;
use std::path::Path;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde_json::Value;

use crate::common::{github_token, json, run_in, stderr};

fn hex(text: &str) -> String {
    text.bytes().map(|b| format!("{b:02x}")).collect()
}

fn percent(text: &str) -> String {
    text.bytes().map(|b| format!("%{b:02X}")).collect()
}

fn html(text: &str) -> String {
    text.chars().map(|c| format!("&#{};", c as u32)).collect()
}

/// The github-pat findings' locations: (path, line, column, decoded chain).
fn located(doc: &Value) -> Vec<(String, u64, u64, Vec<String>)> {
    let mut out = Vec::new();
    for f in doc["findings"].as_array().expect("findings") {
        if f["rule_id"] != "github-pat" {
            continue;
        }
        for l in f["locations"].as_array().expect("locations") {
            let chain = l["decoded"]
                .as_array()
                .map(|c| c.iter().map(|e| e.as_str().expect("name").to_owned()).collect())
                .unwrap_or_default();
            out.push((
                l["path"].as_str().expect("path").to_owned(),
                l["line"].as_u64().expect("line"),
                l["column"].as_u64().expect("column"),
                chain,
            ));
        }
    }
    out.sort();
    out
}

fn scan(dir: &Path, extra: &[&str]) -> Value {
    let mut args = vec!["scan", ".", "--format", "json"];
    args.extend_from_slice(extra);
    let out = run_in(dir, &args);
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", stderr(&out));
    json(&out)
}

#[test]
fn each_encoding_and_nested_pairs_are_found_at_the_encoded_bytes() {
    let dir = tempfile::tempdir().expect("temp dir");
    let token = github_token(91);
    let line = format!("token: {token}");
    // (file, text before the encoded run, the encoded run, expected chain)
    let cases: Vec<(&str, String, String, Vec<&str>)> = vec![
        ("b64.yaml", "  value: ".into(), STANDARD.encode(&line), vec!["base64"]),
        ("hex.txt", "blob ".into(), hex(&line), vec!["hex"]),
        ("pct.txt", "q=".into(), percent(&token), vec!["percent"]),
        (
            "esc.js",
            "const t = \"".into(),
            format!("\\u0067{}", &token[1..]),
            vec!["escape"],
        ),
        ("ent.html", "<td>".into(), html(&token), vec!["html"]),
        (
            "b64-pct.txt",
            "v=".into(),
            STANDARD.encode(format!("token: {}", percent(&token))),
            vec!["base64", "percent"],
        ),
        (
            "b64-esc.txt",
            "v=".into(),
            STANDARD.encode(format!("{{\"t\": \"\\u0067{}\"}}", &token[1..])),
            vec!["base64", "escape"],
        ),
    ];
    for (file, before, run, _) in &cases {
        fs::write(dir.path().join(file), format!("# {file}\n{before}{run}\n")).expect("write");
    }
    let doc = scan(dir.path(), &[]);
    let mut want: Vec<(String, u64, u64, Vec<String>)> = cases
        .iter()
        .map(|(file, before, _, chain)| {
            (
                (*file).to_owned(),
                2,
                before.len() as u64 + 1,
                chain.iter().map(|e| (*e).to_owned()).collect(),
            )
        })
        .collect();
    want.sort();
    assert_eq!(located(&doc), want, "{doc:#}");
    // One credential: every encoded copy is a location of one finding.
    let pats: Vec<&Value> = doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule_id"] == "github-pat")
        .collect();
    assert_eq!(pats.len(), 1, "{doc:#}");
    assert!(pats[0]["secret_masked"].as_str().expect("masked").starts_with("ghp_"));

    // Off: nothing encoded is found.
    assert!(located(&scan(dir.path(), &["--max-decode-depth", "0"])).is_empty());
}

#[test]
fn decoding_stops_at_the_depth_asked_for() {
    let dir = tempfile::tempdir().expect("temp dir");
    let token = github_token(92);
    let twice = STANDARD.encode(format!("inner: {}", STANDARD.encode(format!("token: {token}"))));
    let thrice = STANDARD.encode(format!("outer: {twice}"));
    fs::write(dir.path().join("deep.txt"), format!("x={thrice}\n")).expect("write");
    assert!(
        located(&scan(dir.path(), &[])).is_empty(),
        "three levels, default depth 2"
    );
    let found = located(&scan(dir.path(), &["--max-decode-depth", "3"]));
    assert_eq!(
        found,
        [("deep.txt".to_owned(), 1, 3, vec!["base64".to_owned(); 3])],
        "found at the outermost run"
    );
}

#[test]
fn base64_that_is_not_text_stays_quiet() {
    let dir = tempfile::tempdir().expect("temp dir");
    // Pseudo-random bytes (an image, a font, compressed data) in base64.
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let bytes: Vec<u8> = (0..3000)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect();
    let page = format!(
        "<img src=\"data:image/png;base64,{}\">\n<p>thisIsAVeryLongIdentifierNameForAWidgetFactory</p>\n",
        STANDARD.encode(&bytes)
    );
    fs::write(dir.path().join("page.html"), page).expect("write");
    let digest: String = bytes[..64].iter().map(|b| format!("{b:02x}")).collect();
    fs::write(
        dir.path().join("package-lock.json"),
        format!(
            "{{\"integrity\": \"sha512-{}\", \"sha\": \"{digest}\"}}\n",
            STANDARD.encode(&bytes[..64])
        ),
    )
    .expect("write");
    let doc = scan(dir.path(), &[]);
    assert_eq!(doc["findings"], serde_json::json!([]), "{doc:#}");
}

#[test]
fn the_config_sets_the_depth_and_the_flag_wins() {
    let dir = tempfile::tempdir().expect("temp dir");
    fs::write(
        dir.path().join("pct.txt"),
        format!("q={}\n", percent(&github_token(93))),
    )
    .expect("write");
    fs::write(dir.path().join(".hush.toml"), "max_decode_depth = 0\n").expect("write");
    assert!(
        located(&scan(dir.path(), &[])).is_empty(),
        "the config turns decoding off"
    );
    assert_eq!(located(&scan(dir.path(), &["--max-decode-depth", "1"])).len(), 1);
    fs::write(dir.path().join(".hush.toml"), "# decoding\nmax_decode_depth = 9\n").expect("write");
    let out = run_in(dir.path(), &["scan", "."]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains(".hush.toml:2: max_decode_depth: at most 4"), "{err}");
}

#[test]
fn credentials_people_store_encoded_are_found_with_the_right_rule() {
    let dir = tempfile::tempdir().expect("temp dir");
    let password = crate::common::base62(94, 16);
    let auth = STANDARD.encode(format!("deploy:{password}"));
    let files = [
        (
            "config.json",
            format!(
                "{{\n  \"auths\": {{\n    \"registry.example.io\": {{\n      \"auth\": \"{auth}\"\n    }}\n  }}\n}}\n"
            ),
        ),
        (".npmrc", format!("//registry.npmjs.org/:_auth={auth}\n")),
        (
            "access.log",
            format!("10.0.0.7 - - \"GET /api HTTP/1.1\" 200 12 \"curl\" Authorization: Basic {auth}\n"),
        ),
    ];
    for (name, text) in &files {
        fs::write(dir.path().join(name), text).expect("write");
    }
    // A service-account key file with its PEM key JSON-escaped onto one line.
    let body: Vec<String> = (0..20u8)
        .map(|i| {
            STANDARD.encode(
                (0..48u8)
                    .map(|j| i.wrapping_mul(37).wrapping_add(j.wrapping_mul(11)))
                    .collect::<Vec<u8>>(),
            )
        })
        .collect();
    let key = format!(
        "-----BEGIN {}-----\n{}\n-----END {}-----\n",
        "PRIVATE KEY",
        body.join("\n"),
        "PRIVATE KEY"
    );
    let account = serde_json::json!({
        "type": "service_account",
        "project_id": "demo-proj-123",
        "private_key_id": crate::common::base62(95, 40).to_lowercase(),
        "private_key": key,
        "client_email": "svc@demo-proj-123.iam.gserviceaccount.com",
    });
    fs::write(dir.path().join("sa.json"), format!("{account}\n")).expect("write");
    let doc = scan(dir.path(), &[]);
    let rules_at = |path: &str| -> Vec<(String, Vec<Value>)> {
        doc["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .flat_map(|f| {
                f["locations"]
                    .as_array()
                    .expect("locations")
                    .iter()
                    .filter(|l| l["path"] == path)
                    .map(|l| {
                        let chain = l["decoded"].as_array().cloned().unwrap_or_default();
                        (f["rule_id"].as_str().expect("rule").to_owned(), chain)
                    })
                    .collect::<Vec<_>>()
            })
            .collect()
    };
    assert!(
        rules_at("config.json").iter().any(|(r, _)| r == "docker-config-auth"),
        "{doc:#}"
    );
    assert!(
        rules_at(".npmrc").iter().any(|(r, _)| r == "npmrc-auth-basic"),
        "{doc:#}"
    );
    assert!(
        rules_at("access.log")
            .iter()
            .any(|(r, _)| r == "http-authorization-basic"),
        "{doc:#}"
    );
    assert!(
        rules_at("sa.json")
            .iter()
            .any(|(r, chain)| r == "gcp-service-account-private-key" && chain == &[serde_json::json!("escape")]),
        "{doc:#}"
    );
}

#[test]
fn real_assets_with_encoded_data_stay_quiet() {
    // Third-party assets as shipped (fixtures/quiet-assets/README.md): data: URI
    // PNGs in HTML and SVG, a WOFF2 font in an SVG, a source map, a lock file's
    // sha512 integrity hashes.
    let assets = crate::common::tools::repository_root().join("fixtures/quiet-assets");
    let files: Vec<_> = fs::read_dir(&assets)
        .expect("fixtures/quiet-assets")
        .map(|entry| entry.expect("entry").path())
        .filter(|path| path.extension().is_some_and(|e| e != "md"))
        .collect();
    assert_eq!(files.len(), 5, "{files:?}");
    for depth in [None, Some("3")] {
        let mut extra = vec![];
        if let Some(depth) = depth {
            extra.extend(["--max-decode-depth", depth]);
        }
        let doc = scan(&assets, &extra);
        assert_eq!(doc["findings"], serde_json::json!([]), "depth {depth:?}: {doc:#}");
        assert_eq!(doc["stats"]["files_scanned"], files.len() as u64 + 1, "{doc:#}");
    }
    for path in &files {
        let original = fs::read(path).expect("read asset");
        let out = crate::common::hush()
            .args(["redact", "--max-decode-depth", "3"])
            .stdin(fs::File::open(path).expect("open asset"))
            .output()
            .expect("run hush redact");
        assert!(out.status.success(), "{}", stderr(&out));
        assert!(out.stdout == original, "hush redact changed {}", path.display());
    }
}

#[test]
fn a_secret_whose_context_is_escaped_is_found_once_as_it_stands() {
    let dir = tempfile::tempdir().expect("temp dir");
    let token = crate::common::base62(96, 32);
    let other = crate::common::base62(97, 32);
    // JSON inside a string literal: the key's quotes are escaped, the value is not.
    fs::write(
        dir.path().join("client.js"),
        format!("const body = \"{{\\\"api_token\\\":\\\"{token}\\\",\\\"region\\\":\\\"eu\\\"}}\";\n"),
    )
    .expect("write");
    // A plain assignment on a line that also holds escapes: found once, plainly.
    fs::write(
        dir.path().join("plain.sh"),
        format!("echo \"a\\\"b\\\"c\\\"d\"; export API_TOKEN={other}\n"),
    )
    .expect("write");
    // A provider token between escaped quotes: the plain search finds it, and
    // so does the search of the unescaped line; one finding, as it stands.
    let pat = github_token(98);
    fs::write(
        dir.path().join("quoted.js"),
        format!("const s = \"{{\\\"token\\\":\\\"{pat}\\\"}}\";\n"),
    )
    .expect("write");
    let doc = scan(dir.path(), &[]);
    let locations: Vec<(String, String, usize)> = doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .flat_map(|f| {
            f["locations"].as_array().expect("locations").iter().map(move |l| {
                (
                    l["path"].as_str().expect("path").to_owned(),
                    f["rule_id"].as_str().expect("rule").to_owned(),
                    l["decoded"].as_array().map_or(0, Vec::len),
                )
            })
        })
        .collect();
    let at = |path: &str| locations.iter().filter(|l| l.0 == path).collect::<Vec<_>>();
    assert_eq!(at("client.js").len(), 1, "{doc:#}");
    assert_eq!(at("client.js")[0].2, 0, "the secret itself was not encoded: {doc:#}");
    assert_eq!(at("plain.sh").len(), 1, "{doc:#}");
    assert_eq!(at("plain.sh")[0].2, 0, "{doc:#}");
    assert_eq!(at("quoted.js").len(), 1, "{doc:#}");
    assert_eq!(at("quoted.js")[0].2, 0, "{doc:#}");
}
