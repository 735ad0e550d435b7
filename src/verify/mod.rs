//! Live verification (`--verify`): asks each finding's provider whether its
//! secret still works, politely and privately, and records the verdict on the
//! finding (`verified`, `invalid` or `unknown`, with the reason).
//!
//! - One check per unique request: findings whose verifier would send the same
//!   request (the same secret in 50 places, or found by two rules) share it
//!   ([`request::Prepared::key`]), and `--verify-cache FILE` keeps verdicts
//!   across runs, by a salted hash, until they expire.
//! - Per provider, at most `--verify-concurrency` requests in flight and
//!   `--verify-rate` requests a second; a 429 waits for its `Retry-After` (or
//!   backs off), pauses the provider and retries, at most twice.
//! - HTTPS only, no redirects followed, a `--verify-timeout` on each request;
//!   a host taken from scanned data must not be internal
//!   ([`request::is_internal`]) unless `--verify-allow-private`.
//! - Nothing here runs, and no client is built, unless `--verify` is given.
//!
//! The checks run after the scan has gathered its findings: findings become
//! unique secrets only when the workers' sets are merged (`search::Collector`).

mod aws;
mod cache;
mod gcp;
pub mod overrides;
pub mod request;
mod resolve;

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use hush_rules::{RuleSet, VerifyKind, VerifySpec};

use crate::finding::{Finding, Verification, VerifyStatus};
pub use overrides::{Overrides, OVERRIDE_VAR};
use request::Prepared;

/// How verification runs.
#[derive(Debug, Clone)]
pub struct VerifyOptions {
    /// Per request (`--verify-timeout`, 10 s by default).
    pub timeout: Duration,
    /// Requests in flight per provider (`--verify-concurrency`).
    pub concurrency: usize,
    /// Requests a second per provider (`--verify-rate`).
    pub rate: f64,
    /// Allow hosts from scanned data that are internal addresses.
    pub allow_private: bool,
    /// `--verify-cache FILE`.
    pub cache: Option<PathBuf>,
    /// How long a cached verdict holds.
    pub cache_max_age: Duration,
    /// `HUSH_VERIFY_OVERRIDE` (tests).
    pub overrides: Overrides,
}

impl Default for VerifyOptions {
    fn default() -> Self {
        VerifyOptions {
            timeout: Duration::from_secs(10),
            concurrency: 4,
            rate: 10.0,
            allow_private: false,
            cache: None,
            cache_max_age: Duration::from_secs(24 * 3600),
            overrides: Overrides::default(),
        }
    }
}

/// What a verification run did, for the summary line.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct VerifySummary {
    /// Unique checks the findings called for.
    pub checks: usize,
    /// Of those, answered from `--verify-cache`.
    pub cached: usize,
    /// HTTP requests sent (retries included).
    pub requests: usize,
    pub verified: usize,
    pub invalid: usize,
    pub unknown: usize,
}

/// A 429's wait longer than this is not waited for: the verdict is `unknown`.
const MAX_RETRY_WAIT: Duration = Duration::from_secs(30);
/// Retries after a 429.
const MAX_RETRIES: usize = 2;
/// At most this much of an answer's body is read.
const MAX_BODY: u64 = 256 * 1024;

/// One unique check and the findings waiting for it.
struct Check<'r> {
    spec: &'r VerifySpec,
    request: Prepared,
    secret: Vec<u8>,
    /// Who the secret signs for: the AWS access key id (SigV4) or the
    /// service account's e-mail (a Google JWT).
    identity: Option<String>,
    /// The same request to the verifier's other regions, asked in order when
    /// the first answer is `invalid`.
    regional: Vec<Prepared>,
    key: String,
    findings: Vec<usize>,
}

/// Verifies every finding whose rule has a verifier; the others keep
/// `verification: None`. `announce` is called once, before the first request,
/// with the providers (and hosts) about to be contacted. `Err` is a bad cache
/// file.
pub fn verify(
    findings: &mut [Finding],
    rules: &RuleSet,
    options: &VerifyOptions,
    announce: impl FnOnce(&[(String, String)]),
) -> Result<VerifySummary, String> {
    let specs: HashMap<&str, &VerifySpec> = rules
        .rules()
        .iter()
        .filter_map(|r| r.spec.verify.as_ref().map(|v| (r.id.as_str(), v)))
        .collect();
    let mut checks: Vec<Check> = Vec::new();
    let mut by_key: HashMap<String, usize> = HashMap::new();
    for (index, finding) in findings.iter_mut().enumerate() {
        if finding.synthetic || finding.secret.is_empty() {
            continue;
        }
        let Some(spec) = specs.get(finding.rule_id.as_str()).copied() else {
            continue;
        };
        match plan(spec, finding, options) {
            Ok((request, identity, regional)) => {
                let key = request.key(spec.kind, &finding.captures, &finding.secret);
                let at = *by_key.entry(key.clone()).or_insert_with(|| {
                    checks.push(Check {
                        spec,
                        request,
                        secret: finding.secret.clone(),
                        identity,
                        regional,
                        key,
                        findings: Vec::new(),
                    });
                    checks.len() - 1
                });
                checks[at].findings.push(index);
            }
            Err(reason) => finding.verification = Some(unknown(spec, reason)),
        }
    }
    let mut summary = VerifySummary {
        checks: checks.len(),
        ..VerifySummary::default()
    };
    let mut cache = match &options.cache {
        Some(path) => Some(cache::Cache::load(path, options.cache_max_age)?),
        None => None,
    };
    let mut verdicts: Vec<Option<Verification>> = checks
        .iter()
        .map(|c| cache.as_ref().and_then(|cache| cache.get(&c.key)))
        .collect();
    summary.cached = verdicts.iter().filter(|v| v.is_some()).count();
    let pending: Vec<usize> = (0..checks.len()).filter(|&i| verdicts[i].is_none()).collect();
    if !pending.is_empty() {
        let mut contacted: BTreeMap<String, String> = BTreeMap::new();
        for &i in &pending {
            contacted
                .entry(checks[i].spec.provider.clone())
                .or_insert_with(|| checks[i].request.host.clone());
        }
        announce(&contacted.into_iter().collect::<Vec<_>>());
        let (answers, sent) = run(&checks, &pending, options);
        summary.requests = sent;
        for (i, verdict) in pending.into_iter().zip(answers) {
            if let Some(cache) = cache.as_mut() {
                cache.put(&checks[i].key, &verdict);
            }
            verdicts[i] = Some(verdict);
        }
    }
    if let (Some(cache), Some(path)) = (&cache, &options.cache) {
        cache.save(path)?;
    }
    for (check, verdict) in checks.iter().zip(verdicts) {
        let verdict = verdict.expect("every check has a verdict");
        for &i in &check.findings {
            findings[i].verification = Some(verdict.clone());
        }
    }
    for f in findings.iter() {
        match f.verification.as_ref().map(|v| v.status) {
            Some(VerifyStatus::Verified) => summary.verified += 1,
            Some(VerifyStatus::Invalid) => summary.invalid += 1,
            Some(VerifyStatus::Unknown) => summary.unknown += 1,
            None => {}
        }
    }
    Ok(summary)
}

fn unknown(spec: &VerifySpec, reason: String) -> Verification {
    Verification {
        status: VerifyStatus::Unknown,
        reason,
        provider: spec.provider.clone(),
        details: Vec::new(),
    }
}

/// The request for one finding (the identity a signed request signs for,
/// and the same request to the verifier's other regions), or the reason there
/// is none.
fn plan(
    spec: &VerifySpec,
    finding: &Finding,
    options: &VerifyOptions,
) -> Result<(Prepared, Option<String>, Vec<Prepared>), String> {
    match spec.kind {
        VerifyKind::Unsupported => {
            return Err(spec
                .reason
                .clone()
                .unwrap_or_else(|| "no side-effect-free check".into()));
        }
        VerifyKind::Http | VerifyKind::AwsSigv4 | VerifyKind::GcpServiceAccount => {}
    }
    let request = request::prepare(
        spec,
        &finding.secret,
        &finding.captures,
        &options.overrides,
        options.allow_private,
    )?;
    let capture = |name: &str| {
        finding
            .captures
            .iter()
            .find(|(k, _)| k == name)
            .and_then(|(_, v)| String::from_utf8(v.clone()).ok())
    };
    let identity = match spec.kind {
        VerifyKind::AwsSigv4 => Some(capture("key_id").ok_or("no access key id was found with this secret")?),
        VerifyKind::GcpServiceAccount => Some(
            capture("client_email")
                .or_else(|| capture("client_email_before"))
                .ok_or("no client_email was found next to this key in its key file")?,
        ),
        VerifyKind::Http | VerifyKind::Unsupported => None,
    };
    let regional = spec
        .regions
        .iter()
        .map(|origin| request::prepare_regional(spec, origin, &finding.secret, &finding.captures, &options.overrides))
        .collect::<Result<Vec<_>, _>>()?;
    Ok((request, identity, regional))
}

/// A provider's pace: the earliest time its next request may start.
struct Lane {
    next: Mutex<Instant>,
    interval: Duration,
}

impl Lane {
    fn wait_turn(&self) {
        let now = Instant::now();
        let slot = {
            let mut next = self.next.lock().unwrap_or_else(|e| e.into_inner());
            let slot = (*next).max(now);
            *next = slot + self.interval;
            slot
        };
        std::thread::sleep(slot.saturating_duration_since(now));
    }

    /// Holds every request to this provider back for `wait` (after a 429).
    fn pause(&self, wait: Duration) {
        let mut next = self.next.lock().unwrap_or_else(|e| e.into_inner());
        *next = (*next).max(Instant::now() + wait);
    }
}

/// Runs the `pending` checks, each provider on its own few threads; returns
/// their verdicts in order and the number of requests sent.
fn run(checks: &[Check], pending: &[usize], options: &VerifyOptions) -> (Vec<Verification>, usize) {
    let config = ureq::Agent::config_builder()
        .timeout_global(Some(options.timeout))
        .http_status_as_error(false)
        .max_redirects(0)
        .user_agent(format!("hush/{} (secret verification)", env!("CARGO_PKG_VERSION")))
        .build();
    // Hosts from scanned data are checked again on the addresses connected to.
    let guarded = pending
        .iter()
        .map(|&i| &checks[i].request)
        .filter(|r| r.guarded)
        .map(|r| resolve::host_of(&r.host).to_owned());
    let agent = ureq::Agent::with_parts(
        config,
        ureq::unversioned::transport::DefaultConnector::new(),
        resolve::PublicOnly::new(guarded),
    );
    let mut by_provider: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (slot, &i) in pending.iter().enumerate() {
        by_provider
            .entry(checks[i].spec.provider.as_str())
            .or_default()
            .push(slot);
    }
    let results: Vec<Mutex<Option<Verification>>> = pending.iter().map(|_| Mutex::new(None)).collect();
    let sent = std::sync::atomic::AtomicUsize::new(0);
    let interval = if options.rate > 0.0 {
        Duration::from_secs_f64(1.0 / options.rate)
    } else {
        Duration::ZERO
    };
    std::thread::scope(|scope| {
        for slots in by_provider.into_values() {
            let lane = std::sync::Arc::new(Lane {
                next: Mutex::new(Instant::now()),
                interval,
            });
            let queue = std::sync::Arc::new(Mutex::new(slots.clone()));
            for _ in 0..options.concurrency.max(1).min(slots.len()) {
                let (lane, queue, agent) = (lane.clone(), queue.clone(), agent.clone());
                let (results, sent) = (&results, &sent);
                scope.spawn(move || loop {
                    let Some(slot) = queue.lock().unwrap_or_else(|e| e.into_inner()).pop() else {
                        break;
                    };
                    let verdict = check_one(&agent, &checks[pending[slot]], &lane, options.timeout, sent);
                    *results[slot].lock().unwrap_or_else(|e| e.into_inner()) = Some(verdict);
                });
            }
        }
    });
    let verdicts = results
        .into_iter()
        .map(|m| {
            m.into_inner()
                .unwrap_or_else(|e| e.into_inner())
                .expect("every slot ran")
        })
        .collect();
    (verdicts, sent.into_inner())
}

/// An answer, as far as verification reads it.
struct Answer {
    status: u16,
    headers: ureq::http::HeaderMap,
    body: String,
}

fn send(agent: &ureq::Agent, request: &Prepared) -> Result<Answer, ureq::Error> {
    let mut builder = ureq::http::Request::builder()
        .method(request.method)
        .uri(request.url.as_str());
    for (name, value) in &request.headers {
        builder = builder.header(name.as_str(), value.as_str());
    }
    let response = match &request.body {
        Some(body) => agent.run(builder.body(body.clone()).map_err(ureq::Error::from)?)?,
        None => agent.run(builder.body(()).map_err(ureq::Error::from)?)?,
    };
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let mut body = response.into_body();
    let body = body.with_config().limit(MAX_BODY).read_to_string().unwrap_or_default();
    Ok(Answer { status, headers, body })
}

/// One check: its request and, after an `invalid`, its other regions.
fn check_one(
    agent: &ureq::Agent,
    check: &Check,
    lane: &Lane,
    timeout: Duration,
    sent: &std::sync::atomic::AtomicUsize,
) -> Verification {
    let first = ask(agent, check, &check.request, lane, timeout, sent);
    if first.status != VerifyStatus::Invalid || check.regional.is_empty() {
        return first;
    }
    // A key the first region does not know may belong to another region's
    // account: verified by the first that accepts it, invalid only if all
    // reject it, unknown if one could not say.
    for regional in &check.regional {
        let mut verdict = ask(agent, check, regional, lane, timeout, sent);
        match verdict.status {
            VerifyStatus::Verified => {
                verdict.details.insert(0, ("region".to_owned(), regional.host.clone()));
                return verdict;
            }
            VerifyStatus::Unknown => {
                verdict.reason = format!("{} (region {})", verdict.reason, regional.host);
                return verdict;
            }
            VerifyStatus::Invalid => {}
        }
    }
    Verification {
        reason: format!("{} in all {} regions", first.reason, check.regional.len() + 1),
        ..first
    }
}

/// One request of a check, with its retries after 429s.
fn ask(
    agent: &ureq::Agent,
    check: &Check,
    prepared: &Prepared,
    lane: &Lane,
    timeout: Duration,
    sent: &std::sync::atomic::AtomicUsize,
) -> Verification {
    let spec = check.spec;
    let mut attempt = 0;
    loop {
        lane.wait_turn();
        let mut request = prepared.clone();
        match (spec.kind, &check.identity) {
            (VerifyKind::AwsSigv4, Some(key_id)) => aws::sign(&mut request, key_id, &check.secret, &aws::amz_now()),
            (VerifyKind::GcpServiceAccount, Some(email)) => {
                if let Err(reason) = gcp::sign(&mut request, &check.secret, email, &spec.url) {
                    return unknown(spec, reason);
                }
            }
            _ => {}
        }
        sent.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let answer = match send(agent, &request) {
            Ok(answer) => answer,
            Err(error) => return unknown(spec, transport_reason(&error, timeout)),
        };
        if answer.status == 429 {
            let wait = retry_after(&answer.headers).unwrap_or(Duration::from_secs(1 << attempt));
            if attempt >= MAX_RETRIES {
                return unknown(spec, format!("rate limited (HTTP 429) after {MAX_RETRIES} retries"));
            }
            if wait > MAX_RETRY_WAIT {
                return unknown(
                    spec,
                    format!(
                        "rate limited (HTTP 429): Retry-After {} s is longer than hush waits",
                        wait.as_secs()
                    ),
                );
            }
            lane.pause(wait);
            attempt += 1;
            continue;
        }
        return judge(spec, &answer);
    }
}

fn transport_reason(error: &ureq::Error, timeout: Duration) -> String {
    match error {
        ureq::Error::Timeout(_) => format!("timed out after {:.1} s", timeout.as_secs_f64()),
        ureq::Error::Io(e) if e.kind() == std::io::ErrorKind::TimedOut => {
            format!("timed out after {:.1} s", timeout.as_secs_f64())
        }
        other => format!("no answer: {other}"),
    }
}

/// `Retry-After` in seconds (an HTTP date is not read: the backoff applies).
fn retry_after(headers: &ureq::http::HeaderMap) -> Option<Duration> {
    let text = headers.get("retry-after")?.to_str().ok()?.trim();
    text.parse::<u64>().ok().map(Duration::from_secs)
}

/// The verdict an answer gives, by the verifier's documented answers.
fn judge(spec: &VerifySpec, answer: &Answer) -> Verification {
    let (status, body) = (answer.status, answer.body.as_str());
    if spec.verified.iter().any(|o| o.matches(status, body)) {
        return Verification {
            status: VerifyStatus::Verified,
            reason: format!("HTTP {status}"),
            provider: spec.provider.clone(),
            details: details(spec, answer),
        };
    }
    if spec.invalid.iter().any(|o| o.matches(status, body)) {
        return Verification {
            status: VerifyStatus::Invalid,
            reason: format!("the provider rejected it (HTTP {status})"),
            provider: spec.provider.clone(),
            details: Vec::new(),
        };
    }
    let reason = match status {
        403 => "HTTP 403 without the provider's own error body (a firewall or proxy?)".to_owned(),
        500..=599 => format!("provider error (HTTP {status})"),
        300..=399 => format!("redirected (HTTP {status}); redirects are not followed"),
        _ => format!("HTTP {status} is not an answer the verifier documents"),
    };
    unknown(spec, reason)
}

/// The `show` fields of a verified answer, in the order of the table.
fn details(spec: &VerifySpec, answer: &Answer) -> Vec<(String, String)> {
    let json = serde_json::from_str::<serde_json::Value>(&answer.body).ok();
    let mut out = Vec::new();
    for (name, from) in &spec.show {
        let value = if let Some(header) = from.strip_prefix("header:") {
            let all: Vec<&str> = answer
                .headers
                .get_all(header)
                .iter()
                .filter_map(|v| v.to_str().ok())
                .collect();
            (!all.is_empty()).then(|| all.join(", "))
        } else if let Some(pointer) = from.strip_prefix("json:") {
            json.as_ref().and_then(|j| j.pointer(pointer)).map(|v| match v {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            })
        } else if let Some(element) = from.strip_prefix("xml:") {
            let open = format!("<{element}>");
            let close = format!("</{element}>");
            answer.body.find(&open).and_then(|at| {
                let rest = &answer.body[at + open.len()..];
                rest.find(&close).map(|end| rest[..end].trim().to_owned())
            })
        } else {
            None
        };
        if let Some(value) = value {
            let clean: String = value.chars().filter(|c| !c.is_control()).take(200).collect();
            out.push((name.clone(), clean));
        }
    }
    out
}
