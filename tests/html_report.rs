//! The HTML report (`--format html`, `--report html=FILE`): one self-contained
//! page, safe against what it shows. Without a browser: the page's tags and
//! attributes are read and checked against what hush writes (no external
//! reference, no handler, one style and one script, both allowed by the CSP's
//! hashes), scanned markup shows only as text, and secrets stay masked. With
//! headless Chromium (Debian's `chromium`; .ci/run installs it): the page
//! renders (a screenshot with the page's own colours), the script runs under
//! the policy and filters by the URL fragment, nothing is requested from the
//! network, injected markup makes no element, and 10,000 findings load.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine as _;
use sha2::{Digest, Sha256};

use crate::common::gitrepo::{commit_file, repo};
use crate::common::tools::tool;
use crate::common::{base62, github_token, run_in, stderr, stdout};

/// A stripe live key (critical), a stripe test key (low) and a password
/// assignment (medium), assembled at run time; `sub/` holds the live key in a
/// file whose name is markup, on a line holding `javascript:` URLs.
fn tree() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let p = dir.path();
    fs::create_dir(p.join("sub")).expect("mkdir");
    let live = format!("{}{}", ["sk_", "live_"].concat(), base62(21, 24));
    let test = format!("{}{}", ["sk_", "test_"].concat(), base62(22, 24));
    fs::write(
        p.join("sub").join(XSS_NAME),
        format!("{XSS_LINE}{live} \" onmouseover=\"alert(2)\n"),
    )
    .expect("write");
    fs::write(p.join("stripe.env"), format!("STRIPE={test}\n")).expect("write");
    fs::write(p.join("db.py"), format!("db_{} = \"{}\"\n", "password", base62(23, 14))).expect("write");
    dir
}

const XSS_NAME: &str = "<img src=x onerror=alert(1)>.env";
const XSS_LINE: &str = "x = 'javascript:alert(1)' <a href=\"javascript:alert(3)\">go</a> ";
const XSS_COMMIT: &str = "</script><script>alert(1)</script>";
/// Would retitle the page if it ran: the browser test checks the title.
const XSS_COMMIT_TITLE: &str = "</script><script>document.title='pwned'</script>";

fn html_report(dir: &Path, args: &[&str]) -> String {
    let out = run_in(dir, args);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    stdout(&out)
}

// ---- Reading the page: its tags, attributes and raw elements ----------------

/// A start tag: its lower-case name and attributes (values entity-decoded).
#[derive(Debug)]
struct Tag {
    name: String,
    attrs: Vec<(String, String)>,
}

impl Tag {
    fn attr(&self, name: &str) -> Option<&str> {
        self.attrs.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

/// The page as a browser's tokenizer sees it: start tags (every `<` followed
/// by a letter is one), and the raw text of `<script>` and `<style>`.
struct Parsed {
    tags: Vec<Tag>,
    scripts: Vec<String>,
    styles: Vec<String>,
    /// The text outside tags, entity-decoded.
    text: String,
}

fn parse(html: &str) -> Parsed {
    let b = html.as_bytes();
    let mut parsed = Parsed {
        tags: Vec::new(),
        scripts: Vec::new(),
        styles: Vec::new(),
        text: String::new(),
    };
    let mut text_start = 0;
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'<' {
            i += 1;
            continue;
        }
        let next = b.get(i + 1).copied().unwrap_or(b' ');
        if !(next.is_ascii_alphabetic() || next == b'/' || next == b'!') {
            i += 1;
            continue;
        }
        parsed.text.push_str(&decode(&html[text_start..i]));
        if html[i..].starts_with("<!--") {
            i += html[i..].find("-->").expect("comment ends") + 3;
            text_start = i;
            continue;
        }
        let end = i + tag_end(&html[i..]);
        if next == b'/' || next == b'!' {
            i = end;
            text_start = i;
            continue;
        }
        let tag = parse_tag(&html[i + 1..end - 1]);
        i = end;
        if tag.name == "script" || tag.name == "style" {
            let close = format!("</{}", tag.name);
            let len = html[i..].to_ascii_lowercase().find(&close).expect("raw element closes");
            let raw = html[i..i + len].to_owned();
            if tag.name == "script" {
                &mut parsed.scripts
            } else {
                &mut parsed.styles
            }
            .push(raw);
            i += len;
        }
        parsed.tags.push(tag);
        text_start = i;
    }
    parsed.text.push_str(&decode(&html[text_start..]));
    parsed
}

/// Length of the tag at the start of `s`, through its `>` (quotes respected).
fn tag_end(s: &str) -> usize {
    let mut quote = None;
    for (i, c) in s.char_indices() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '>') => return i + 1,
            _ => {}
        }
    }
    panic!("tag does not end: {}", &s[..s.len().min(80)]);
}

/// `name attr="v" attr2 attr3=v` (the inside of a start tag).
fn parse_tag(inner: &str) -> Tag {
    let inner = inner.trim_end_matches('/');
    let name_len = inner.find(|c: char| c.is_whitespace()).unwrap_or(inner.len());
    let mut tag = Tag {
        name: inner[..name_len].to_ascii_lowercase(),
        attrs: Vec::new(),
    };
    let mut rest = inner[name_len..].trim_start();
    while !rest.is_empty() {
        let name_len = rest.find(|c: char| c.is_whitespace() || c == '=').unwrap_or(rest.len());
        let name = rest[..name_len].to_ascii_lowercase();
        rest = rest[name_len..].trim_start();
        let mut value = String::new();
        if let Some(after) = rest.strip_prefix('=') {
            let after = after.trim_start();
            let (raw, remaining) = match after.chars().next() {
                Some(q @ ('"' | '\'')) => {
                    let close = after[1..].find(q).expect("quote closes") + 1;
                    (&after[1..close], &after[close + 1..])
                }
                _ => {
                    let end = after.find(char::is_whitespace).unwrap_or(after.len());
                    (&after[..end], &after[end..])
                }
            };
            value = decode(raw);
            rest = remaining.trim_start();
        }
        tag.attrs.push((name, value));
    }
    tag
}

/// Character references as the page uses them, decoded.
fn decode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let Some(semi) = rest.find(';').filter(|&s| s < 10) else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let entity = &rest[1..semi];
        let c = match entity {
            "lt" => Some('<'),
            "gt" => Some('>'),
            "amp" => Some('&'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ => entity
                .strip_prefix("#x")
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .or_else(|| entity.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        };
        match c {
            Some(c) => {
                out.push(c);
                rest = &rest[semi + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The elements and attributes hush writes; anything else came from the input.
const TAGS: &[&str] = &[
    "!doctype", "html", "head", "meta", "title", "style", "body", "header", "h1", "dl", "dt", "dd", "span", "strong",
    "time", "details", "summary", "ul", "ol", "li", "div", "table", "caption", "thead", "tbody", "tr", "th", "td",
    "code", "br", "a", "main", "form", "label", "select", "option", "input", "output", "pre", "mark", "small", "q",
    "p", "script",
];
const ATTRIBUTES: &[&str] = &[
    "lang",
    "charset",
    "http-equiv",
    "content",
    "name",
    "title",
    "id",
    "class",
    "hidden",
    "href",
    "rel",
    "referrerpolicy",
    "data-sort",
    "data-key",
    "value",
    "type",
    "spellcheck",
    "autocomplete",
    "aria-live",
];

/// The CSP source for an inline element's text, computed here independently.
fn sha256_source(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    format!("'sha256-{}'", base64::engine::general_purpose::STANDARD.encode(digest))
}

/// Every link to documentation the rule packs give, for the `href` check.
fn remediation_links() -> BTreeSet<String> {
    hush_rules::default_specs()
        .expect("packs")
        .into_iter()
        .flat_map(|s| {
            s.remediation
                .split_whitespace()
                .filter(|w| w.starts_with("https://"))
                .map(|w| w.trim_end_matches(['.', ',', ';', ':', ')', ']']).to_owned())
                .collect::<Vec<_>>()
        })
        .collect()
}

/// What every HTML report must be: one document, only hush's elements and
/// attributes, nothing loaded, links only to the page itself or to a rule's
/// documentation (followed only on a click), one style and one script, both
/// allowed by the policy's hashes and nothing else allowed.
fn assert_self_contained(html: &str) -> Parsed {
    assert!(html.starts_with("<!DOCTYPE html>\n<html"), "{}", &html[..60]);
    assert!(html.trim_end().ends_with("</html>"));
    let page = parse(html);
    let links = remediation_links();
    for tag in &page.tags {
        assert!(TAGS.contains(&tag.name.as_str()), "unexpected element: {tag:?}");
        for (name, value) in &tag.attrs {
            if tag.name == "!doctype" {
                continue;
            }
            assert!(ATTRIBUTES.contains(&name.as_str()), "unexpected attribute: {tag:?}");
            if name == "href" {
                let external = value.starts_with("https://")
                    && tag.name == "a"
                    && tag.attr("class") == Some("doc")
                    && tag.attr("rel") == Some("noopener noreferrer")
                    && links.contains(value);
                assert!(value.starts_with('#') || external, "link to elsewhere: {tag:?}");
            }
        }
    }
    let count = |name: &str| page.tags.iter().filter(|t| t.name == name).count();
    assert_eq!(count("html"), 1);
    assert_eq!(count("body"), 1);
    assert_eq!(page.scripts.len(), 1, "one script, hush's");
    assert_eq!(page.styles.len(), 1, "one style sheet, hush's");
    let (script, style) = (&page.scripts[0], &page.styles[0]);
    for word in [
        "http:",
        "https:",
        "//cdn",
        "fetch(",
        "XMLHttpRequest",
        "innerHTML",
        "eval(",
        "import(",
    ] {
        assert!(!script.contains(word), "the script holds {word:?}");
    }
    for word in ["url(", "@import", "@font-face", "http"] {
        assert!(!style.contains(word), "the style sheet holds {word:?}");
    }

    let csp: Vec<&Tag> = page
        .tags
        .iter()
        .filter(|t| t.name == "meta" && t.attr("http-equiv") == Some("Content-Security-Policy"))
        .collect();
    assert_eq!(csp.len(), 1, "one CSP meta tag");
    let policy = csp[0].attr("content").expect("content");
    let directives: Vec<&str> = policy.split(';').map(str::trim).collect();
    assert!(directives.contains(&"default-src 'none'"), "{policy}");
    assert!(
        directives.contains(&format!("script-src {}", sha256_source(script)).as_str()),
        "{policy}"
    );
    assert!(
        directives.contains(&format!("style-src {}", sha256_source(style)).as_str()),
        "{policy}"
    );
    for word in ["unsafe", "http", "*", "data:", "blob:"] {
        assert!(!policy.contains(word), "the policy allows {word:?}: {policy}");
    }
    page
}

// ---- Without a browser -----------------------------------------------------

#[test]
fn html_report_is_one_self_contained_page_of_one_row_per_secret() {
    let dir = tree();
    let token = github_token(31);
    // One secret in three places is one row.
    for name in ["a.env", "b.env", "sub/c.env"] {
        fs::write(dir.path().join(name), format!("GITHUB_TOKEN={token}\n")).expect("write");
    }
    let html = html_report(dir.path(), &["scan", "--format", "html", "."]);
    let page = assert_self_contained(&html);

    let rows = finding_rows(&html);
    assert_eq!(rows.len(), 4, "4 secrets, 4 rows");
    // Readable without the script: the rows are in the page, and the filters,
    // which need it, stay hidden until it runs.
    let form = page.tags.iter().find(|t| t.name == "form").expect("the filters");
    assert!(form.attr("hidden").is_some(), "{form:?}");
    let text = &page.text;
    assert!(text.contains("4 secret(s) in 6 location(s): 4 new, 0 known"), "{text}");
    assert!(text.contains("directory ."), "what was scanned: {text}");
    assert!(text.contains(&format!("hush {}", env!("CARGO_PKG_VERSION"))), "{text}");
    assert!(
        text.contains(hush_rules::DEFAULT_PACKS_DIGEST),
        "the rule digest: {text}"
    );
    assert!(text.contains("a.env:1 and 2 more"), "locations folded: {text}");
    for place in ["a.env:1:14", "b.env:1:14", "sub/c.env:1:14"] {
        assert!(text.contains(place), "{place}: {text}");
    }
    // The rows come most severe first: the critical key leads.
    assert!(rows[0].contains(">critical<"), "{}", rows[0]);
    // Each rule's remediation, with its documentation link.
    assert!(html.contains("href=\"#rule-stripe-live-secret-key\""));
    assert!(html.contains("id=\"rule-stripe-live-secret-key\""));
    assert!(
        page.tags.iter().any(|t| t.attr("class") == Some("doc")),
        "a documentation link"
    );
    // Masked, as the text report shows them; never whole.
    assert!(!html.contains(&token), "a whole secret in the page");
    assert!(text.contains(&hush_scanner::finding::mask(token.as_bytes())), "{text}");
}

#[test]
fn scanned_markup_shows_only_as_text() {
    let dir = tree();
    let html = html_report(dir.path(), &["scan", "--format", "html", "."]);
    let page = assert_self_contained(&html);
    // The name and the line are there, literally, as text...
    assert!(page.text.contains(&format!("sub/{XSS_NAME}")), "{}", page.text);
    assert!(page.text.contains(XSS_LINE.trim_start()), "{}", page.text);
    assert!(page.text.contains("\" onmouseover=\"alert(2)"), "{}", page.text);
    // ...and made no element, attribute or link (assert_self_contained checked
    // every element and attribute; these are the ones the input tried).
    assert!(!page.tags.iter().any(|t| t.name == "img"));
    assert!(!page
        .tags
        .iter()
        .any(|t| t.attrs.iter().any(|(_, v)| v.contains("javascript:"))));
    assert!(!html.contains("<img"), "raw markup from the file name");
}

#[test]
fn a_commit_message_cannot_close_the_script() {
    let (_tmp, repo) = repo();
    let token = github_token(32);
    commit_file(&repo, "deploy.env", &format!("GITHUB_TOKEN={token}\n"), XSS_COMMIT);
    let html = html_report(&repo, &["git", "--format", "html", "."]);
    let page = assert_self_contained(&html);
    assert!(page.text.contains(XSS_COMMIT), "the message as text: {}", page.text);
    assert_eq!(
        html.matches("</script>").count(),
        1,
        "only the page's own script closes"
    );
    assert!(page.text.contains("Ada Lovelace"), "the author: {}", page.text);
    assert!(page.text.contains("Introduced"), "the history column");
    assert!(page.text.contains("git history of ."), "{}", page.text);
}

#[test]
fn show_secrets_in_html_must_be_allowed_twice() {
    let dir = tree();
    let token = github_token(33);
    fs::write(dir.path().join("t.env"), format!("GITHUB_TOKEN={token}\n")).expect("write");
    for args in [
        &["scan", "--format", "html", "--show-secrets", "."][..],
        &["scan", "--show-secrets", "--report", "html=out.html", "."][..],
    ] {
        let out = run_in(dir.path(), args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = stderr(&out);
        assert!(err.contains("--allow-secrets-in-html"), "{err}");
        assert!(!stdout(&out).contains(&token), "{args:?}");
        assert!(
            !dir.path().join("out.html").exists(),
            "nothing written before the refusal"
        );
    }
    let html = html_report(
        dir.path(),
        &[
            "scan",
            "--format",
            "html",
            "--show-secrets",
            "--allow-secrets-in-html",
            ".",
        ],
    );
    assert!(html.contains(&token), "asked for twice, shown");
    // --report html=FILE is masked like --format html.
    let out = run_in(dir.path(), &["scan", "--report", "html=out.html", "."]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let html = fs::read_to_string(dir.path().join("out.html")).expect("report written");
    assert_self_contained(&html);
    assert!(!html.contains(&token));
    assert!(html.contains(&hush_scanner::finding::mask(token.as_bytes())));
}

#[test]
fn known_findings_are_marked_and_counted_apart() {
    let dir = tree();
    let out = run_in(dir.path(), &["scan", "--write-baseline", "reviewed.txt", "."]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    fs::write(
        dir.path().join("new.env"),
        format!("GITHUB_TOKEN={}\n", github_token(34)),
    )
    .expect("write");
    let out = run_in(
        dir.path(),
        &["scan", "--baseline", "reviewed.txt", "--format", "html", "."],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let html = stdout(&out);
    let page = assert_self_contained(&html);
    assert!(
        page.text.contains("4 secret(s) in 4 location(s): 1 new, 3 known"),
        "{}",
        page.text
    );
    let rows = finding_rows(&html);
    let status = |s: &str| rows.iter().filter(|r| r.contains(&format!("data-key=\"{s}\""))).count();
    assert_eq!((status("new"), status("known")), (1, 3));
    // New first, whatever its severity.
    assert!(rows[0].contains("data-key=\"new\""), "{}", rows[0]);
}

#[test]
fn an_image_finding_names_its_image_layer_and_command() {
    use crate::common::images::{config, digest, docker_save, tar};
    let dir = tempfile::tempdir().expect("temp dir");
    let token = github_token(37);
    let layer0 = tar(&[("etc/app/.env", format!("GITHUB_TOKEN={token}\n").as_bytes())]);
    let layer1 = tar(&[("etc/app/.wh..env", b"")]);
    let diff_ids = [digest(&layer0), digest(&layer1)];
    let cfg = config(
        "linux/amd64",
        &[],
        &[("COPY .env /etc/app/ <b>", false), ("RUN rm /etc/app/.env", false)],
        &diff_ids,
    );
    docker_save(&dir.path().join("img.tar"), "app:1", &cfg, &[layer0, layer1]);
    let html = html_report(dir.path(), &["image", "--format", "html", "img.tar"]);
    let page = assert_self_contained(&html);
    let text = &page.text;
    assert!(text.contains("image img.tar"), "what was scanned: {text}");
    assert!(text.contains(&format!("app:1layer 0 ({})", diff_ids[0])), "{text}");
    assert!(text.contains("created by: COPY .env /etc/app/ <b>"), "{text}");
    assert!(text.contains("deleted in layer 1, still shipped"), "{text}");
    assert!(!page.tags.iter().any(|t| t.name == "b"));
    assert!(!html.contains(&token));
}

// ---- With headless Chromium ---------------------------------------------

/// Headless Chromium with its own profile, networking off (a network namespace
/// of its own where `unshare -n` works, else every host name unresolvable),
/// the background services off, and a NetLog of every request it makes.
struct Browser {
    program: PathBuf,
    isolated: bool,
    scratch: tempfile::TempDir,
}

/// What a run of the browser left: its stdout (the DOM), and every URL the
/// page asked for (the NetLog's requests with a page as initiator; the
/// browser's own, such as its updater's, have none).
struct Visit {
    dom: String,
    page_requests: Vec<String>,
}

impl Browser {
    fn new() -> Option<Browser> {
        let program = tool("chromium")?;
        let isolated = Command::new("unshare")
            .args(["-n", "true"])
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        Some(Browser {
            program,
            isolated,
            scratch: tempfile::tempdir().expect("temp dir"),
        })
    }

    /// Opens `url` with `extra` flags; fails the test if it takes longer than
    /// `limit` (the page must load well within a browser's patience).
    fn visit(&self, url: &str, extra: &[&str], limit: Duration) -> Visit {
        static RUN: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = RUN.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let profile = self.scratch.path().join(format!("profile-{n}"));
        let netlog = self.scratch.path().join(format!("net-{n}.json"));
        let dom = self.scratch.path().join(format!("dom-{n}.html"));
        let mut command = if self.isolated {
            let mut c = Command::new("unshare");
            c.arg("-n").arg(&self.program);
            c
        } else {
            Command::new(&self.program)
        };
        command
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--hide-scrollbars",
                "--host-resolver-rules=MAP * ~NOTFOUND",
            ])
            .arg(format!("--user-data-dir={}", profile.display()))
            .arg(format!("--log-net-log={}", netlog.display()))
            .args(extra)
            .arg(url)
            .stdin(Stdio::null())
            .stdout(fs::File::create(&dom).expect("dom file"))
            .stderr(Stdio::null());
        let started = Instant::now();
        let mut child = command.spawn().expect("chromium starts");
        let status = loop {
            if let Some(status) = child.try_wait().expect("wait") {
                break status;
            }
            if started.elapsed() > limit {
                let _ = child.kill();
                let _ = child.wait();
                panic!("chromium did not finish {url} within {limit:?}");
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        assert!(status.success(), "chromium failed on {url}: {status}");
        let log: serde_json::Value =
            serde_json::from_str(&fs::read_to_string(&netlog).expect("net log")).expect("net log is JSON");
        let page_requests = log["events"]
            .as_array()
            .expect("events")
            .iter()
            .filter_map(|e| {
                let params = &e["params"];
                let url = params["url"].as_str()?;
                let initiator = params["initiator"].as_str()?;
                (initiator != "not an origin" && !url.starts_with("file:")).then(|| url.to_owned())
            })
            .collect();
        Visit {
            dom: fs::read_to_string(&dom).expect("dom"),
            page_requests,
        }
    }

    fn dump_dom(&self, file: &Path, fragment: &str) -> Visit {
        let url = format!("file://{}{fragment}", file.display());
        self.visit(&url, &["--dump-dom"], Duration::from_secs(60))
    }
}

/// The rows of the findings table (after the summary's tables), as markup.
fn finding_rows(html: &str) -> Vec<&str> {
    let table = html.split("<table id=\"findings\">").nth(1).expect("findings table");
    let body = table.split("<tbody>").nth(1).expect("tbody");
    let body = body.split("</tbody>").next().expect("table ends");
    body.split("</tr>").filter(|r| r.contains("<tr")).collect()
}

/// Rows of the findings table the DOM shows (not `hidden`), and the script's
/// "N of M shown".
fn shown_rows(dom: &str) -> (usize, String) {
    let shown = finding_rows(dom)
        .iter()
        .filter(|r| r.trim_start().starts_with("<tr>"))
        .count();
    let counter = dom
        .split("<output id=\"shown\" aria-live=\"polite\">")
        .nth(1)
        .and_then(|s| s.split("</output>").next())
        .unwrap_or_default()
        .to_owned();
    (shown, counter)
}

#[test]
fn chromium_renders_the_report_and_its_filters_follow_the_url() {
    let Some(browser) = Browser::new() else { return };
    let dir = tree();
    let out = run_in(dir.path(), &["scan", "--report", "html=report.html", "."]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let report = dir.path().join("report.html");

    // The NetLog check sees a page's request: a page that loads an image...
    let control = dir.path().join("control.html");
    fs::write(
        &control,
        "<!DOCTYPE html><p>x</p><img src=\"http://hush.invalid/x.png\">",
    )
    .expect("write");
    let visit = browser.dump_dom(&control, "");
    assert!(
        visit.page_requests.iter().any(|u| u.contains("hush.invalid")),
        "the check must see a page's request: {:?}",
        visit.page_requests
    );
    // ...and the report asks for nothing.
    let visit = browser.dump_dom(&report, "");
    assert!(
        visit.page_requests.is_empty(),
        "the report requested {:?}",
        visit.page_requests
    );
    // The script ran under the policy (it shows the filters and counts the rows).
    assert!(visit.dom.contains("<form id=\"filters\">"), "the script did not run");
    assert_eq!(shown_rows(&visit.dom), (3, "3 of 3 shown".to_owned()));

    for (fragment, shown) in [
        ("#severity=medium", 2),
        ("#severity=critical", 1),
        ("#confidence=high", 2),
        ("#rule=generic-password", 1),
        ("#q=stripe", 2),
        ("#path=sub/", 1),
        ("#status=known", 0),
        ("#severity=medium&q=password", 1),
    ] {
        let (rows, counter) = shown_rows(&browser.dump_dom(&report, fragment).dom);
        assert_eq!(rows, shown, "{fragment}");
        assert_eq!(counter, format!("{shown} of 3 shown"), "{fragment}");
    }
    // Sorting by the URL too: severity, least first.
    let dom = browser.dump_dom(&report, "#sort=0&order=asc").dom;
    let first = finding_rows(&dom)[0];
    assert!(first.contains(">low<"), "{first}");

    // A screenshot: the page's own colours (its style sheet applied under the
    // policy), the critical badge among them.
    let shot = browser.scratch.path().join("report.png");
    browser.visit(
        &format!("file://{}", report.display()),
        &[&format!("--screenshot={}", shot.display()), "--window-size=1280,900"],
        Duration::from_secs(60),
    );
    let decoder = png::Decoder::new(std::io::BufReader::new(fs::File::open(&shot).expect("screenshot")));
    let mut reader = decoder.read_info().expect("a PNG");
    let mut pixels = vec![0; reader.output_buffer_size().expect("size")];
    let frame = reader.next_frame(&mut pixels).expect("decodes");
    assert_eq!((frame.width, frame.height), (1280, 900));
    let channels = frame.color_type.samples();
    assert!(channels >= 3, "{:?}", frame.color_type);
    let rgb: Vec<[u8; 3]> = pixels[..frame.buffer_size()]
        .chunks(channels)
        .map(|p| [p[0], p[1], p[2]])
        .collect();
    let background = rgb[0];
    let ink = rgb.iter().filter(|p| **p != background).count();
    let colours: BTreeSet<[u8; 3]> = rgb.iter().copied().collect();
    assert!(ink * 50 > rgb.len(), "blank: {ink} of {} pixels drawn", rgb.len());
    assert!(colours.len() > 50, "{} colours", colours.len());
    assert!(
        colours.contains(&[0x82, 0x07, 0x1e]),
        "the critical badge's colour is missing"
    );
}

#[test]
fn chromium_runs_no_injected_markup() {
    let Some(browser) = Browser::new() else { return };
    let dir = tree();
    let out = run_in(dir.path(), &["scan", "--report", "html=tree.html", "."]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let (_tmp, repo) = repo();
    commit_file(
        &repo,
        "a.env",
        &format!("GITHUB_TOKEN={}\n", github_token(35)),
        XSS_COMMIT,
    );
    commit_file(
        &repo,
        "b.env",
        &format!("GITHUB_TOKEN={}\n", github_token(36)),
        XSS_COMMIT_TITLE,
    );
    let out = run_in(&repo, &["git", "--report", "html=history.html", "."]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));

    for (report, literal) in [
        (dir.path().join("tree.html"), format!("sub/{XSS_NAME}")),
        (repo.join("history.html"), XSS_COMMIT_TITLE.to_owned()),
    ] {
        let visit = browser.dump_dom(&report, "");
        let dom = &visit.dom;
        assert!(visit.page_requests.is_empty(), "{:?}", visit.page_requests);
        // The DOM after the scripts ran: the page's elements only, the input as text.
        let page = parse(dom);
        assert!(page.tags.iter().all(|t| TAGS.contains(&t.name.as_str())), "{report:?}");
        assert!(
            page.tags
                .iter()
                .all(|t| t.attrs.iter().all(|(n, _)| !n.starts_with("on"))),
            "a handler in {report:?}"
        );
        assert_eq!(page.scripts.len(), 1, "{report:?}");
        assert!(page.text.contains(&literal), "{report:?}: {}", page.text);
        let title = dom.split("<title>").nth(1).and_then(|t| t.split("</title>").next());
        assert!(title.is_some_and(|t| t.starts_with("hush report")), "{title:?}");
        assert!(dom.contains("<form id=\"filters\">"), "hush's script ran");
    }
}

#[test]
fn chromium_loads_and_filters_ten_thousand_findings() {
    let Some(browser) = Browser::new() else { return };
    let dir = tempfile::tempdir().expect("temp dir");
    // 10 files of 1,000 distinct tokens each: 10,000 findings.
    for file in 0..10u64 {
        let text: String = (0..1000u64)
            .map(|i| format!("TOKEN_{i}={}\n", github_token(100_000 + file * 1000 + i)))
            .collect();
        fs::write(dir.path().join(format!("f{file}.env")), text).expect("write");
    }
    let out = run_in(
        dir.path(),
        &["scan", "--report", "html=big.html", "--format", "json", "."],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let report = dir.path().join("big.html");
    let size = fs::metadata(&report).expect("report").len();
    assert!(size <= 8 << 20, "{size} bytes for 10,000 findings");
    eprintln!("10,000 findings: {size} bytes of HTML");
    let html = fs::read_to_string(&report).expect("read");
    assert_self_contained(&html);

    let visit = browser.dump_dom(&report, "");
    assert!(visit.page_requests.is_empty());
    assert_eq!(shown_rows(&visit.dom), (10_000, "10000 of 10000 shown".to_owned()));
    let (rows, counter) = shown_rows(&browser.dump_dom(&report, "#path=f3.env").dom);
    assert_eq!((rows, counter.as_str()), (1000, "1000 of 10000 shown"));
}
