//! The provider table: the compact form of the long tail of "provider name near a
//! value" rules. One `[[providers]]` entry names a provider's keywords and the
//! documented shape of its credential (alphabet, length, fixed parts); it compiles
//! to an ordinary [`RuleSpec`] whose regex is the one shared *reach* below, so four
//! hundred providers are four hundred reviewed table entries, not four hundred
//! hand-written regexes.
//!
//! The reach, from a keyword to its value, covers the shapes people write:
//! - assignments in env, shell, YAML, JSON, TOML, INI, properties, HCL and code:
//!   `DATADOG_API_KEY=v`, `datadog_api_key: "v"`, `"datadogApiKey": "v"`,
//!   `datadogKey := "v"`, `'datadog_key' => 'v'`, `datadog_token <- "v"`;
//! - call arguments and headers: `setenv("DATADOG_KEY", "v")`,
//!   `Datadog.Client(api_key="v")`, `"DD-API-KEY": "v"`, `--datadog-api-key v`;
//! - XML: `<DatadogApiKey>v</DatadogApiKey>`, `<add key="Datadog.ApiKey" value="v"/>`,
//!   and Jenkins `credentials.xml`, where the provider is named only in `<id>` and
//!   the value sits in a later `<secret>`/`<password>`/`<apiToken>` element;
//! - prose and logs: `datadog token v`, `datadog: Using Key=v`.
//!
//! Between the keyword and the value lie at most four short words (the *gap*).
//! The gap's last word says what the value is: `DATADOG_CLIENT_ID` names an
//! identifier, not a secret, and is rejected (see [`gap_names_a_non_secret`]).

use serde::Deserialize;

use crate::spec::{Alphabet, Confidence, KeywordCase, RuleSpec, Scope, Severity, TableShape};
use crate::validate::Validator;

/// A value length: one exact length (`length = 32`) or an inclusive range
/// (`length = [20, 40]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum Length {
    Exact(usize),
    Range([usize; 2]),
}

impl Length {
    /// (min, max), inclusive.
    pub fn bounds(self) -> (usize, usize) {
        match self {
            Length::Exact(n) => (n, n),
            Length::Range([a, b]) => (a.min(b), a.max(b)),
        }
    }
}

fn default_severity() -> Severity {
    Severity::High
}
fn default_confidence() -> Confidence {
    Confidence::Medium
}

/// One provider table entry as written in a pack (`[[providers]]`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderSpec {
    /// Rule id, kebab-case (`datadog-api-key`).
    pub id: String,
    /// Human name of the credential (`Datadog API key`).
    pub name: String,
    /// Provider names as people write them. Words may be separated by a space,
    /// `_`, `-` or `.`; every separator variant (and none) is searched, so
    /// `"new relic"` also finds `NEW_RELIC_`, `newrelic`, `newRelic`, `new-relic`.
    pub keywords: Vec<String>,
    /// The value's alphabet.
    pub value: Alphabet,
    /// The value's length, without `prefix` and `suffix` (ignored for `uuid`).
    #[serde(default = "default_length")]
    pub length: Length,
    /// A fixed start of the value (`dapi`), matched case-sensitively.
    #[serde(default)]
    pub prefix: String,
    /// A fixed end of the value, matched case-sensitively.
    #[serde(default)]
    pub suffix: String,
    /// Entropy floor override (bits per character of the whole value).
    pub entropy: Option<f64>,
    #[serde(default = "default_severity")]
    pub severity: Severity,
    #[serde(default = "default_confidence")]
    pub confidence: Confidence,
    /// The provider's page on revoking or rotating the credential (https URL).
    pub docs: String,
    /// What to do, in a sentence; a generic sentence naming `docs` when absent.
    pub remediation: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    /// How `--verify` checks the credential (see [`crate::verify`]).
    pub verify: Option<crate::verify::VerifySpec>,
}

fn default_length() -> Length {
    Length::Exact(32)
}

/// Tag carried by every rule compiled from the table: ranked between provider
/// rules and generic rules when overlapping matches are resolved.
pub const KEYWORD_VALUE_TAG: &str = "keyword-value";

/// Bytes after a keyword hit the reach may see: the gap, a Jenkins
/// `credentials.xml` entry between `<id>` and `<secret>`, and the value.
pub(crate) const REACH_AFTER: usize = 640;

/// The characters that separate the words of a multi-word keyword.
const KEYWORD_SEPARATOR_CHARS: [char; 4] = [' ', '_', '-', '.'];

/// The separators a multi-word keyword is written with.
const WORD_SEPARATORS: [&str; 5] = ["", "_", "-", ".", " "];

/// Every spelling of a keyword: `"new relic"` gives `newrelic`, `new_relic`,
/// `new-relic`, `new.relic` and `new relic`.
pub fn keyword_variants(keyword: &str) -> Vec<String> {
    let words: Vec<&str> = keyword
        .split(KEYWORD_SEPARATOR_CHARS)
        .filter(|w| !w.is_empty())
        .collect();
    if words.len() < 2 {
        return vec![keyword.to_owned()];
    }
    WORD_SEPARATORS.iter().map(|sep| words.join(sep)).collect()
}

/// Compiles a table entry into an ordinary rule.
pub fn provider_rule(spec: ProviderSpec) -> RuleSpec {
    let keywords: Vec<String> = spec.keywords.iter().flat_map(|k| keyword_variants(k)).collect();
    let (min_len, max_len) = match spec.value {
        Alphabet::Uuid => (36, 36),
        _ => spec.length.bounds(),
    };
    let validator = match spec.value {
        Alphabet::Digits | Alphabet::Uuid => None,
        _ => Some(Validator::LettersAndDigits),
    };
    let remediation = spec.remediation.clone().unwrap_or_else(|| {
        format!(
            "Revoke this credential in your {} account, issue a new one and keep it in a secret store: {}",
            spec.keywords.first().map_or("provider", String::as_str),
            spec.docs
        )
    });
    let mut tags = vec!["provider".to_owned(), KEYWORD_VALUE_TAG.to_owned()];
    tags.extend(spec.tags.iter().cloned());
    let shape = TableShape {
        keyword: spec.keywords.first().cloned().unwrap_or_default(),
        value: spec.value,
        min_len,
        max_len,
        prefix: spec.prefix.clone(),
        suffix: spec.suffix.clone(),
    };
    RuleSpec {
        id: spec.id,
        name: spec.name,
        keywords,
        keyword_case: KeywordCase::Ignore,
        // Table rules have no regex: the hand-written reach (crate::reach) finds
        // their values.
        regex: String::new(),
        entropy: Some(spec.entropy.unwrap_or(spec.value.default_entropy())),
        validate: validator,
        severity: spec.severity,
        confidence: spec.confidence,
        tags,
        remediation,
        scope: Scope::Window,
        // Unused: the reach starts at the hit (and reads the byte before a short
        // keyword itself).
        window_before: 0,
        window_after: REACH_AFTER,
        reject_placeholders: true,
        secret_length: None,
        stopwords: Vec::new(),
        examples: Vec::new(),
        negative_examples: Vec::new(),
        subsumes: Vec::new(),
        leading_keywords: Vec::new(),
        verify: spec.verify,
        builtin: false,
        // The reach reads the byte before a short keyword itself.
        keyword_gate: Some(0),
        table: Some(shape),
    }
}

/// Last words of a key that name what is not a secret: an identifier, a
/// location, a label or a public value.
const NON_SECRET_LAST_WORDS: &[&str] = &[
    "id",
    "ids",
    "uid",
    "uuid",
    "guid",
    "sid",
    "appid",
    "clientid",
    "userid",
    "accountid",
    "projectid",
    "tenantid",
    "orgid",
    "keyid",
    "name",
    "names",
    "user",
    "username",
    "login",
    "email",
    "mail",
    "url",
    "uri",
    "urls",
    "link",
    "host",
    "hostname",
    "domain",
    "region",
    "zone",
    "site",
    "org",
    "organization",
    "project",
    "tenant",
    "team",
    "workspace",
    "endpoint",
    "server",
    "port",
    "path",
    "dir",
    "file",
    "filename",
    "version",
    "env",
    "environment",
    "prefix",
    "timeout",
    "count",
    "size",
    "limit",
    "index",
    "channel",
    "model",
    "sha",
    "commit",
    "build",
    "checksum",
    "digest",
    "fingerprint",
    "number",
    "phone",
    "type",
    "label",
    "tag",
    "mode",
    "level",
    "enabled",
    "status",
    "date",
    "time",
    "expiry",
    "expires",
    "ttl",
    "length",
    "len",
    "hash",
    "md5",
    "sha1",
    "sha256",
    "sha512",
    "etag",
    "integrity",
    "revision",
    "rev",
    "ref",
    "serial",
    "nonce",
    "state",
    "color",
    "colour",
    "theme",
];

/// Words anywhere in a key that mark its value as public by design.
const PUBLIC_WORDS: &[&str] = &["public", "publishable", "pub"];

/// The words of a key (`DATADOG_CLIENT_ID`, `apiKeyId`, `csrf-token=`): runs of
/// ASCII letters and digits, split again where a capital follows a small letter.
/// Slices of `key`, in order; no allocation.
fn key_words(key: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut at = 0;
    std::iter::from_fn(move || {
        while at < key.len() && !key[at].is_ascii_alphanumeric() {
            at += 1;
        }
        if at == key.len() {
            return None;
        }
        let start = at;
        at += 1;
        while at < key.len()
            && key[at].is_ascii_alphanumeric()
            && !(key[at].is_ascii_uppercase() && key[at - 1].is_ascii_lowercase())
        {
            at += 1;
        }
        Some(&key[start..at])
    })
}

/// Whether `word` is one of `list`, ignoring ASCII case.
fn is_one_of(word: &[u8], list: &[&str]) -> bool {
    list.iter().any(|w| word.eq_ignore_ascii_case(w.as_bytes()))
}

/// Whether the words between a provider keyword and a value say the value is
/// not a secret: the last word names an identifier, a location or a label
/// (`DATADOG_CLIENT_ID`, `sentryOrgName`), or a word says it is public.
pub fn gap_names_a_non_secret(gap: &[u8]) -> bool {
    let mut last = None;
    for word in key_words(gap) {
        if is_one_of(word, PUBLIC_WORDS) {
            return true;
        }
        last = Some(word);
    }
    last.is_some_and(|w| is_one_of(w, NON_SECRET_LAST_WORDS))
}

/// Words in a generic rule's key that say its value is no credential: public by
/// design (`publicToken`, `PUBLISHABLE_KEY`, `pub_key`), or an anti-forgery
/// token that every page served to the session carries (`csrf-token`,
/// `X-XSRF-TOKEN`).
const NON_CREDENTIAL_KEY_WORDS: &[&str] = &["csrf", "xsrf"];

/// Whether the key right before a generic rule's value (`publicToken = "`,
/// `csrf-token=`) says it names no credential: one of its last three words is in
/// [`PUBLIC_WORDS`] or [`NON_CREDENTIAL_KEY_WORDS`]. Only the last words count,
/// so a URL earlier on a command line (`curl https://corp.io/public/upload -u
/// admin:...`) does not.
pub fn key_names_a_non_credential(key: &[u8]) -> bool {
    let mut last: [&[u8]; 3] = [&[]; 3];
    for (n, word) in key_words(key).enumerate() {
        last[n % 3] = word;
    }
    last.iter()
        .any(|w| is_one_of(w, PUBLIC_WORDS) || is_one_of(w, NON_CREDENTIAL_KEY_WORDS))
}

/// A small deterministic generator (xorshift64*) for example values.
struct Xorshift(u64);

impl Xorshift {
    fn seeded(text: &str) -> Self {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in text.bytes() {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        Xorshift(h | 1)
    }
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn pick(&mut self, chars: &[u8]) -> u8 {
        chars[(self.next() % chars.len() as u64) as usize]
    }
}

/// A random value of the shape, length `len` (the random part).
fn random_value(shape: &TableShape, rng: &mut Xorshift, len: usize) -> String {
    let chars = shape.value.chars();
    let body: String = if shape.value == Alphabet::Uuid {
        [8, 4, 4, 4, 12]
            .iter()
            .map(|&n| (0..n).map(|_| rng.pick(chars) as char).collect::<String>())
            .collect::<Vec<_>>()
            .join("-")
    } else {
        (0..len).map(|_| rng.pick(chars) as char).collect()
    };
    format!("{}{body}{}", shape.prefix, shape.suffix)
}

/// A value that the rule's own checks accept (not placeholder-like, letters and
/// digits both present, entropy over the floor).
fn good_value(shape: &TableShape, rng: &mut Xorshift, len: usize, floor: f64) -> String {
    loop {
        let v = random_value(shape, rng, len);
        let has_letter = v.bytes().any(|b| b.is_ascii_alphabetic());
        let has_digit = v.bytes().any(|b| b.is_ascii_digit());
        let mixed = matches!(shape.value, Alphabet::Digits | Alphabet::Uuid) || (has_letter && has_digit);
        if mixed
            && !crate::placeholder::looks_like_placeholder(v.as_bytes())
            && crate::entropy::shannon_entropy(v.as_bytes()) >= floor + 0.2
        {
            return v;
        }
    }
}

/// Upper-case with `_` between words: `new relic` → `NEW_RELIC`.
fn screaming(keyword: &str) -> String {
    keyword
        .split(KEYWORD_SEPARATOR_CHARS)
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join("_")
        .to_ascii_uppercase()
}

/// `new relic` → `newRelic`; `Datadog` → `datadog`.
fn camel(keyword: &str) -> String {
    let mut out = String::new();
    for (i, w) in keyword
        .split(KEYWORD_SEPARATOR_CHARS)
        .filter(|w| !w.is_empty())
        .enumerate()
    {
        let w = w.to_ascii_lowercase();
        if i == 0 {
            out.push_str(&w);
        } else {
            let mut c = w.chars();
            if let Some(f) = c.next() {
                out.push(f.to_ascii_uppercase());
                out.extend(c);
            }
        }
    }
    out
}

/// Generated examples of a table rule: texts it must report (the value in the
/// wrappers the reach promises) and texts it must not (wrong length, wrong
/// alphabet, an identifier key, a placeholder).
pub fn generated_examples(id: &str, shape: &TableShape, floor: f64) -> (Vec<String>, Vec<String>) {
    let mut rng = Xorshift::seeded(id);
    let (min, max) = (shape.min_len, shape.max_len);
    let len = if shape.value == Alphabet::Uuid {
        36
    } else {
        min + (rng.next() as usize % (max - min + 1))
    };
    let upper = screaming(&shape.keyword);
    let cam = camel(&shape.keyword);
    let mut v = || good_value(shape, &mut rng, len, floor);
    let positives = vec![
        format!("{upper}_API_KEY={}", v()),
        format!("{cam}_token: \"{}\"", v()),
        format!("{cam}:\n  enabled: true\n  api_key: {}\n", v()),
        format!("{{\"{cam}Secret\": \"{}\"}}", v()),
        format!("<add key=\"{cam}.ApiKey\" value=\"{}\" />", v()),
        format!("2024-05-01 INFO {} token {} accepted", shape.keyword, v()),
        format!(
            "<com.cloudbees.plugins.credentials.impl.StringCredentialsImpl>\n  <scope>GLOBAL</scope>\n  <id>{}-api</id>\n  <description>deploy</description>\n  <secret>{}</secret>\n</com.cloudbees.plugins.credentials.impl.StringCredentialsImpl>",
            cam,
            v()
        ),
        format!("headers = {{\"X-{cam}-Token\": \"{}\"}}", v()),
        format!("{cam}Key := \"{}\"", v()),
    ];
    let good = v();
    let mut negatives = vec![
        format!("{upper}_CLIENT_ID={good}"),
        format!("{upper}_PROJECT_NAME: \"{good}\""),
        format!("{upper}_API_KEY={}", "x".repeat(len)),
    ];
    if shape.value != Alphabet::Uuid {
        // One character short and three too long; a value split by a stranger.
        if min > 8 {
            negatives.push(format!(
                "{upper}_API_KEY={}",
                good_value(shape, &mut rng, min - 1, floor)
            ));
        }
        negatives.push(format!(
            "{upper}_API_KEY={}",
            good_value(shape, &mut rng, max + 3, floor)
        ));
        if min >= 16 {
            let mut bad = good.clone().into_bytes();
            let mid = shape.prefix.len() + (bad.len() - shape.prefix.len() - shape.suffix.len()) / 2;
            bad[mid] = b'!';
            negatives.push(format!("{upper}_API_KEY={}", String::from_utf8_lossy(&bad)));
        }
    }
    (positives, negatives)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keyword_variants_cover_separators() {
        let v = keyword_variants("new relic");
        for want in ["newrelic", "new_relic", "new-relic", "new.relic", "new relic"] {
            assert!(v.contains(&want.to_owned()), "{want} missing from {v:?}");
        }
        assert_eq!(keyword_variants("datadog"), vec!["datadog".to_owned()]);
    }

    #[test]
    fn alphabet_membership_matches_the_example_characters() {
        use Alphabet::*;
        for alphabet in [
            Hex, HexLower, HexUpper, Alnum, AlnumLower, AlnumUpper, Digits, Base64, Base64url, TokenDot, Uuid,
        ] {
            for b in 0..=255u8 {
                // Hex and UUIDs take upper-case digits too; the examples are lower case.
                let either_case = matches!(alphabet, Hex | Uuid) && alphabet.chars().contains(&b.to_ascii_lowercase());
                assert_eq!(
                    alphabet.contains(b),
                    alphabet.chars().contains(&b) || either_case,
                    "{alphabet:?} {b}"
                );
            }
        }
    }

    #[test]
    fn gap_last_word_decides() {
        assert!(gap_names_a_non_secret(b"_CLIENT_ID"));
        assert!(gap_names_a_non_secret(b"ApiKeyId"));
        assert!(gap_names_a_non_secret(b"_org_name"));
        assert!(gap_names_a_non_secret(b"_PUBLIC_KEY"));
        assert!(key_names_a_non_credential(b" publicToken = \""));
        assert!(key_names_a_non_credential(b"\ncsrf-token="));
        assert!(key_names_a_non_credential(b"X-XSRF-TOKEN: "));
        assert!(!key_names_a_non_credential(b" api_token = \""));
        assert!(!key_names_a_non_credential(b" pubsubToken = \""));
        assert!(!key_names_a_non_credential(
            b"curl https://corp.io/public/upload -u admin:"
        ));
        assert!(gap_names_a_non_secret(b"PublishableKey"));
        assert!(gap_names_a_non_secret(b"_COMMIT_SHA"));
        assert!(gap_names_a_non_secret(b".integrity"));
        assert!(!gap_names_a_non_secret(b"_API_KEY"));
        assert!(!gap_names_a_non_secret(b"_CLIENT_SECRET"));
        assert!(!gap_names_a_non_secret(b""));
        assert!(!gap_names_a_non_secret(b" token"));
        // An id earlier in the key does not matter: its last word is a secret.
        assert!(!gap_names_a_non_secret(b"_ID_TOKEN"));
    }
}

#[cfg(test)]
mod generated_tests {
    use crate::{check_examples, load_pack, Matcher, RuleSet};

    const PACK: &str = r#"
[[providers]]
id = "acme-api-key"
name = "Acme API key"
keywords = ["acme cloud"]
value = "hex"
length = 32
docs = "https://acme.invalid/docs/keys"

[[providers]]
id = "zork-token"
name = "Zork token"
keywords = ["zork"]
value = "alnum"
length = [30, 40]
prefix = "zk"
docs = "https://zork.invalid/docs"
"#;

    #[test]
    fn table_rules_pass_their_generated_examples() {
        let set = RuleSet::compile(load_pack("t.toml", PACK).expect("parses")).expect("compiles");
        let failures = check_examples(&set, true);
        assert!(failures.is_empty(), "{failures:?}");
    }

    #[test]
    fn the_reach_finds_shapes_and_skips_identifiers() {
        let set = RuleSet::compile(load_pack("t.toml", PACK).expect("parses")).expect("compiles");
        let mut m = Matcher::new(&set);
        let value = "597a1b54f35d0edb6b8737217264089f";
        let found = |text: String, m: &mut Matcher| {
            let mut out = Vec::new();
            m.find(text.as_bytes(), &mut out);
            out.iter()
                .any(|x| &text.as_bytes()[x.secret.clone()] == value.as_bytes())
        };
        for text in [
            format!("ACME_CLOUD_API_KEY={value}"),
            format!("acmeCloud:\n  api_key: \"{value}\""),
            format!("os.environ.setdefault('ACME_CLOUD_TOKEN', '{value}')"),
            format!("client = AcmeCloud.Client(api_key=\"{value}\")"),
            format!("acme-cloud: Using Key={value}"),
            format!("curl -H 'X-Acme-Cloud-Key: {value}' https://api.acme.invalid"),
            format!("<AcmeCloudSecret>{value}</AcmeCloudSecret>"),
            format!("--acme-cloud-token {value}"),
        ] {
            assert!(found(text.clone(), &mut m), "not found in {text:?}");
        }
        for text in [
            format!("ACME_CLOUD_PROJECT_ID={value}"),
            format!("acmeCloudAccountId: \"{value}\""),
            format!("ACME_CLOUD_PUBLIC_KEY={value}"),
            format!("acme cloud\n\n\n{value}"),
            format!("ACME_CLOUD_API_KEY={value}aa"),
            format!("https://acme.cloud/{value}"),
        ] {
            assert!(!found(text.clone(), &mut m), "found in {text:?}");
        }
    }
}
