//! Credential files and config values end to end (issue 14): in a credential
//! file every password is one finding, by the strong rule or, below its floor,
//! by the weak twin at low confidence; unquoted values end before an inline
//! comment; docker `auth` values decode padded or not. Values are built at run
//! time, so this repository's own scan stays clean.

use base64::Engine as _;
use hush_rules::{Confidence, Matcher, RuleSet};
use hush_testkit::base62;

fn rules() -> RuleSet {
    RuleSet::default_rules().expect("default packs compile")
}

/// Rule id, secret and confidence of everything `set` reports in `text`.
fn report(set: &RuleSet, text: &str) -> Vec<(String, String, Confidence)> {
    let mut m = Matcher::new(set);
    let mut out = Vec::new();
    m.find(text.as_bytes(), &mut out);
    out.iter()
        .map(|x| {
            let rule = set.rule(x.rule);
            (rule.id.clone(), text[x.secret.clone()].to_owned(), rule.confidence)
        })
        .collect()
}

/// A strong-looking password: random base62 with one punctuation mark.
fn strong(seed: u64) -> String {
    format!("{}!{}", base62(seed, 8), base62(seed + 100, 6))
}

#[test]
fn a_credential_file_password_is_one_finding_strong_or_weak() {
    let set = rules();
    // (file shape with {} for the password, strong rule, weak twin)
    let shapes = [
        (
            "machine ftp.corp.net login deploy password {}\n",
            "netrc-password",
            "netrc-password-weak",
        ),
        (
            "machine ftp.corp.net\n  login deploy\n  password {}\n",
            "netrc-password",
            "netrc-password-weak",
        ),
        (
            "https://jane@corp.io:{}@scm.corp.net\n",
            "git-credentials-store",
            "git-credentials-store-weak",
        ),
        (
            "DATABASE_URL=postgres://app:{}@pg-01.corp.net:5432/app",
            "uri-postgres",
            "uri-password-weak",
        ),
        (
            "uri: mongodb://app:{}@mongo-1.corp.net:27017/app",
            "uri-mongodb",
            "uri-password-weak",
        ),
        (
            "BROKER=amqp://worker:{}@mq.corp.net:5672/",
            "uri-amqp",
            "uri-password-weak",
        ),
    ];
    for (shape, strong_rule, weak_rule) in shapes {
        for seed in 1..4 {
            let value = strong(seed);
            let text = shape.replace("{}", &value);
            let found = report(&set, &text);
            assert_eq!(
                found,
                vec![(strong_rule.to_owned(), value.clone(), Confidence::Medium)],
                "in {shape:?}"
            );
        }
        // Below the entropy floor (or shorter than the strong rule's minimum).
        for value in ["kitten", "teatime", "hb42"] {
            let text = shape.replace("{}", value);
            let found = report(&set, &text);
            assert_eq!(
                found,
                vec![(weak_rule.to_owned(), value.to_owned(), Confidence::Low)],
                "in {text:?}"
            );
        }
        // Placeholders stay quiet in both rules.
        for value in ["password", "xxxxxxxx", "changeme"] {
            let text = shape.replace("{}", value);
            assert_eq!(report(&set, &text), vec![], "in {text:?}");
        }
    }
}

#[test]
fn unquoted_values_end_before_an_inline_comment() {
    let set = rules();
    for seed in 1..4 {
        let value = strong(seed);
        for (line, rule) in [
            (format!("DB_PASSWORD={value} # production"), "generic-password"),
            (format!("  password: {value}\t# rotated monthly"), "generic-password"),
            (format!("SMTP_PASS={value} # relay"), "generic-password"),
            (format!("ircPass: {value} # bouncer"), "generic-password"),
            (
                format!("export API_TOKEN=T0k{}{value} # ci", base62(seed + 50, 8)),
                "generic-token",
            ),
        ] {
            let found = report(&set, &line);
            assert_eq!(found.len(), 1, "in {line:?}: {found:?}");
            assert_eq!(found[0].0, rule, "in {line:?}");
            assert!(line.contains(&format!("{} #", found[0].1)) || line.contains(&format!("{}\t#", found[0].1)));
            assert!(found[0].1.ends_with(&value), "in {line:?}: {found:?}");
        }
    }
    // A comment after an identifier or a call does not make it a value.
    for line in [
        "smtp_pass = config.mail.pass2 # set at boot",
        "db_password = read_password(host) # prompts",
        "password = $DB_PASSWORD # from the environment",
    ] {
        assert_eq!(report(&set, line), vec![], "in {line:?}");
    }
}

#[test]
fn docker_auth_is_found_padded_or_not_in_both_file_shapes() {
    let set = rules();
    for seed in 1..5 {
        // Lengths that need one and two `=` when padded.
        let login = format!("ci-{}:{}", base62(seed, 3 + seed as usize), strong(seed));
        let padded = base64::engine::general_purpose::STANDARD.encode(&login);
        let unpadded = padded.trim_end_matches('=').to_owned();
        for auth in [&padded, &unpadded] {
            for file in [
                format!("{{\"auths\": {{\"registry.corp.io\": {{\"auth\": \"{auth}\"}}}}}}"),
                format!("{{\n  \"https://index.docker.io/v1/\": {{\n    \"auth\": \"{auth}\",\n    \"email\": \"ci@corp.io\"\n  }}\n}}"),
            ] {
                let found = report(&set, &file);
                assert_eq!(
                    found,
                    vec![("docker-config-auth".to_owned(), auth.clone(), Confidence::Medium)],
                    "in {file:?}"
                );
            }
        }
    }
}
