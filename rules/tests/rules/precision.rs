//! The precision mechanisms of the default rule set, end to end: a provider
//! rule's rejection is final (no other rule reports a token whose checksum is
//! wrong), a pair rule subsumes its parts, and provider-table rules skip
//! identifiers.

use hush_rules::{github_checksum, Matcher, RuleSet};
use hush_testkit::base62;

fn rules() -> RuleSet {
    RuleSet::default_rules().expect("default packs compile")
}

/// Rule ids and secrets `set` reports in `text`.
fn report(set: &RuleSet, text: &str) -> Vec<(String, String)> {
    let mut m = Matcher::new(set);
    let mut out = Vec::new();
    m.find(text.as_bytes(), &mut out);
    out.iter()
        .map(|x| (set.rule(x.rule).id.clone(), text[x.secret.clone()].to_owned()))
        .collect()
}

/// A token of `prefix` + 30 random + checksum, the checksum right or broken.
fn checksummed(prefix: &str, seed: u64, valid: bool) -> String {
    let payload = base62(seed, 30);
    let mut sum = github_checksum(payload.as_bytes());
    if !valid {
        sum[5] = if sum[5] == b'A' { b'B' } else { b'A' };
    }
    format!("{prefix}{payload}{}", String::from_utf8_lossy(&sum))
}

#[test]
fn a_token_with_a_wrong_checksum_is_reported_by_no_rule() {
    let set = rules();
    let wrappers = [
        "GITHUB_TOKEN={}",
        "token = \"{}\"",
        "export NPM_TOKEN={}",
        "  api_key: '{}'",
        "{{\"token\": \"{}\", \"secret\": \"{}\"}}",
        "password={}",
        "Authorization: Bearer {}",
        "github token {}",
    ];
    for prefix in [["gh", "p_"].concat(), ["gh", "o_"].concat(), ["np", "m_"].concat()] {
        for (seed, wrapper) in wrappers.iter().enumerate() {
            let good = checksummed(&prefix, seed as u64 + 1, true);
            let bad = checksummed(&prefix, seed as u64 + 1, false);
            let with_good = wrapper.replace("{}", &good);
            assert!(
                !report(&set, &with_good).is_empty(),
                "the valid token is found in {wrapper:?}"
            );
            let with_bad = wrapper.replace("{}", &bad);
            let found = report(&set, &with_bad);
            assert!(found.is_empty(), "wrong checksum reported in {wrapper:?}: {found:?}");
        }
    }
}

#[test]
fn an_aws_key_pair_is_one_finding() {
    let set = rules();
    let id = format!("AKIA{}", base62(7, 16).to_ascii_uppercase());
    let secret = base62(8, 40);
    let text = format!("[default]\naws_access_key_id = {id}\naws_secret_access_key = {secret}\n");
    let found = report(&set, &text);
    assert_eq!(
        found,
        vec![("aws-access-key-pair".to_owned(), secret.clone())],
        "{found:?}"
    );
    // Alone, each part is still reported.
    let found = report(&set, &format!("aws_access_key_id = {id}\n"));
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, "aws-access-key-id");
}

#[test]
fn a_firebase_web_config_key_is_low_confidence_and_reported_once() {
    let set = rules();
    let key = format!("AIza{}", base62(21, 35));
    let config = format!(
        "const firebaseConfig = {{\n  apiKey: \"{key}\",\n  authDomain: \"shop-31c2a.firebaseapp.com\",\n  projectId: \"shop-31c2a\",\n}};\n"
    );
    let found = report(&set, &config);
    assert_eq!(found, vec![("gcp-api-key-firebase-config".to_owned(), key.clone())]);
    let rule = set
        .rules()
        .iter()
        .find(|r| r.id == "gcp-api-key-firebase-config")
        .expect("rule exists");
    assert_eq!(rule.confidence, hush_rules::Confidence::Low);
    // The same key anywhere else is a Google API key.
    let found = report(&set, &format!("GOOGLE_MAPS_KEY={key}\n"));
    assert_eq!(found, vec![("gcp-api-key".to_owned(), key)]);
}

#[test]
fn published_sample_values_are_not_reported() {
    let set = rules();
    let samples = include_str!("../../data/published-samples.txt");
    let mut checked = 0;
    for sample in samples
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split('\t').next())
    {
        for wrapper in ["API_KEY={}", "token: \"{}\"", "Authorization: Bearer {}"] {
            let text = wrapper.replace("{}", sample);
            let found = report(&set, &text);
            assert!(found.is_empty(), "{text:?} reported: {found:?}");
        }
        checked += 1;
    }
    assert!(checked >= 5, "the samples list is read ({checked} values)");
}

#[test]
fn a_provider_prefixed_value_of_the_wrong_shape_is_not_a_generic_finding() {
    let set = rules();
    // One character short of a classic token, and a Slack bot token cut short:
    // the provider rules reject the shape, and the generic rules may not
    // report them either.
    let short = checksummed(&["gh", "p_"].concat(), 3, true)[..39].to_owned();
    let slack = format!("{}-{}-{}", ["xo", "xb"].concat(), "1234", base62(5, 6));
    for value in [short, slack] {
        for wrapper in ["token = \"{}\"", "API_KEY={}", "secret: '{}'"] {
            let text = wrapper.replace("{}", &value);
            let found = report(&set, &text);
            assert!(found.is_empty(), "{text:?} reported: {found:?}");
        }
    }
    // A generic value without a provider prefix is still reported.
    let plain = base62(9, 32);
    assert!(!report(&set, &format!("token = \"{plain}\"")).is_empty());
}

/// A GitLab routable token as GitLab's generator builds it, the CRC right or not.
fn gitlab_routable(seed: u64, valid: bool) -> String {
    const D: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let base36 = |mut n: u32, width: usize| {
        let mut out = Vec::new();
        while n > 0 {
            out.push(D[(n % 36) as usize]);
            n /= 36;
        }
        out.resize(out.len().max(width), b'0');
        out.reverse();
        String::from_utf8(out).expect("ascii")
    };
    let payload = base62(seed, 43);
    let head = format!(
        "{}{payload}.01.{}",
        ["gl", "pat-"].concat(),
        base36(payload.len() as u32, 2)
    );
    let mut crc = crc32fast::hash(head.as_bytes());
    if !valid {
        crc ^= 1;
    }
    format!("{head}{}", base36(crc, 7))
}

#[test]
fn a_gitlab_routable_token_needs_its_crc() {
    let set = rules();
    let good = gitlab_routable(31, true);
    let found = report(&set, &format!("GITLAB_TOKEN={good}"));
    assert_eq!(found, vec![("gitlab-pat-routable".to_owned(), good)]);
    let bad = gitlab_routable(31, false);
    for wrapper in ["GITLAB_TOKEN={}", "token: \"{}\"", "PRIVATE-TOKEN: {}"] {
        let text = wrapper.replace("{}", &bad);
        let found = report(&set, &text);
        assert!(found.is_empty(), "{text:?} reported: {found:?}");
    }
}

#[test]
fn a_checksummed_token_holding_a_marker_word_is_still_reported() {
    // Random base62 holds `xxxx`, `todo` or `fake` now and then; a token whose
    // checksum verifies is real whatever four letters it holds.
    let set = rules();
    let prefix = ["gh", "p_"].concat();
    for marker in ["xXxX", "todo", "Fake", "SAMPLE"] {
        let payload = format!("{}{marker}{}", base62(11, 12), base62(12, 30 - 12 - marker.len()));
        let sum = github_checksum(payload.as_bytes());
        let token = format!("{prefix}{payload}{}", String::from_utf8_lossy(&sum));
        let found = report(&set, &format!("GITHUB_TOKEN={token}\n"));
        assert!(
            found.iter().any(|(id, secret)| id == "github-pat" && *secret == token),
            "{marker}: {found:?}"
        );
        // Without a valid checksum the marker still makes it a placeholder
        // for the rules that have no checksum to go by.
        let broken = format!("{prefix}{payload}AAAAAB");
        assert!(report(&set, &format!("GITHUB_TOKEN={broken}\n")).is_empty(), "{marker}");
    }
}

/// Item 2's "not a secret" value shapes, each under a credential's key in the
/// wrappers people write: none is reported by any rule, while a random value
/// in the same place is (so the wrappers do reach the rules).
#[test]
fn references_calls_paths_urls_and_placeholders_are_not_secrets_in_any_wrapper() {
    let set = rules();
    let not_secrets = [
        "${DB_PASSWORD}",
        "$DB_PASSWORD",
        "%(db_password)s",
        "{{ .Values.db.password }}",
        "os.environ['DB_PASSWORD']",
        "process.env.DB_PASSWORD",
        "os.getenv('DB_PASSWORD')",
        "load_secret('db')",
        "config.get('db.password')",
        "/etc/app/secrets/db-password.txt",
        "./secrets/db_password",
        "https://vault.corp.example/v1/secret/db",
        "<your-password-here>",
        "changeme",
        "your_api_key_here",
    ];
    let wrappers: [fn(&str, &str) -> String; 5] = [
        |k, v| format!("{}={v}\n", k.to_uppercase()),
        |k, v| format!("{k}: \"{v}\"\n"),
        |k, v| format!("{{\"{k}\": \"{v}\"}}\n"),
        |k, v| format!("{k} = \"{v}\"\n"),
        |k, v| format!("<{k}>{v}</{k}>\n"),
    ];
    let keys = ["password", "db_password", "api_key", "client_secret", "auth_token"];
    for key in keys {
        for wrap in &wrappers {
            let real = base62(u64::from(key.len() as u8) * 31 + 7, 24);
            let text = wrap(key, &real);
            assert!(
                report(&set, &text).iter().any(|(_, s)| s == &real),
                "a random value is found: {text:?} -> {:?}",
                report(&set, &text)
            );
            for value in not_secrets {
                let text = wrap(key, value);
                let found = report(&set, &text);
                assert!(found.is_empty(), "{text:?} is not a secret, reported as {found:?}");
            }
        }
    }
}
