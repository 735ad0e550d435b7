//! What a change to one of hush's own files (`.hush.toml`, `.hushignore`, a
//! baseline, a rule pack the config names) newly lets through, in the words a
//! `hush-config-change` finding shows a reviewer: "adds ignore pattern `*.env`",
//! "allowlist paths gains `**`", "baseline gains 3 fingerprints", "disables rule
//! X". A change that only narrows what passes (a pattern removed, an entry
//! dropped, a comment edited) says nothing: it cannot wave a secret through.

use std::collections::HashSet;
use std::path::PathBuf;

use crate::baseline::Baseline;
use crate::config::{Config, RuleOverride};

/// Which of hush's files a path is, and so how its versions are compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HushFile {
    /// `.hush.toml` (or the file `--config` names).
    Config,
    /// `.hushignore`.
    Ignore,
    /// The baseline the config or `--baseline` names.
    Baseline,
    /// A rule pack the config's `[rules] packs` names.
    Pack,
}

/// One thing a new version lets through, and the line of the new file it is on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Widening {
    pub line: u64,
    pub what: String,
}

/// What `new` lets through that `old` (none: the file did not exist) did not.
pub fn widening(kind: HushFile, old: Option<&[u8]>, new: &[u8]) -> Vec<Widening> {
    let old = old.map(String::from_utf8_lossy);
    let new = String::from_utf8_lossy(new);
    match kind {
        HushFile::Config => config(old.as_deref(), &new),
        HushFile::Ignore => ignore(old.as_deref().unwrap_or(""), &new),
        HushFile::Baseline => baseline(old.as_deref(), &new),
        HushFile::Pack => pack(old.as_deref(), &new),
    }
}

/// A value as a reviewer reads it: in backticks, control characters escaped.
pub fn quoted(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('`');
    for c in value.chars() {
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out.push('`');
    out
}

/// The 1-based line of the first occurrence of `needle` in `text`, else 1.
fn line_of(text: &str, needle: &str) -> u64 {
    text.find(needle)
        .map_or(1, |at| text[..at].matches('\n').count() as u64 + 1)
}

/// An ignore file's line as a pattern that ignores something: comments and
/// blank lines match nothing, and a negation (`!x`) only narrows.
fn pattern(line: &str) -> Option<&str> {
    let line = line.trim_end();
    (!line.is_empty() && !line.starts_with('#') && !line.starts_with('!')).then_some(line)
}

fn ignore(old: &str, new: &str) -> Vec<Widening> {
    let before: HashSet<&str> = old.lines().filter_map(pattern).collect();
    let mut seen = HashSet::new();
    new.lines()
        .enumerate()
        .filter_map(|(i, l)| pattern(l).map(|p| (i, p)))
        .filter(|(_, p)| !before.contains(p) && seen.insert(*p))
        .map(|(i, p)| Widening {
            line: i as u64 + 1,
            what: format!("adds ignore pattern {}", quoted(p)),
        })
        .collect()
}

fn baseline(old: Option<&str>, new: &str) -> Vec<Widening> {
    let new_baseline = match Baseline::parse("baseline", new) {
        Ok(b) => b,
        Err(e) => {
            return vec![Widening {
                line: 1,
                what: format!("is not a valid baseline any more ({e})"),
            }]
        }
    };
    let empty = Baseline::parse("", "salt x").expect("a salt line alone is a baseline");
    let old = old.and_then(|t| Baseline::parse("baseline", t).ok()).unwrap_or(empty);
    let gained = new_baseline.gained_over(&old);
    match gained.first() {
        None => Vec::new(),
        Some(first) => vec![Widening {
            line: line_of(new, first),
            what: format!(
                "baseline gains {} fingerprint{}",
                gained.len(),
                if gained.len() == 1 { "" } else { "s" }
            ),
        }],
    }
}

fn pack(old: Option<&str>, new: &str) -> Vec<Widening> {
    if old == Some(new) {
        return Vec::new();
    }
    vec![Widening {
        line: 1,
        what: match old {
            Some(_) => "rule pack changes (its rules may find less)".to_owned(),
            None => "rule pack added".to_owned(),
        },
    }]
}

fn config(old: Option<&str>, new: &str) -> Vec<Widening> {
    let parse = |text: &str| Config::parse("config".into(), text.to_owned(), PathBuf::new());
    let new_config = match parse(new) {
        Ok(c) => c,
        Err(e) => {
            return vec![Widening {
                line: 1,
                what: format!("is not a valid config any more ({e})"),
            }]
        }
    };
    let old = old.and_then(|t| parse(t).ok()).unwrap_or_default();
    let mut out = Vec::new();
    let at_span = |span: std::ops::Range<usize>| new_config.line_of(span.start) as u64;

    let (a, n) = (&old.allow, &new_config.allow);
    let before: HashSet<&String> = a.paths.iter().map(|p| p.get_ref()).collect();
    for p in n.paths.iter().filter(|p| !before.contains(p.get_ref())) {
        out.push(Widening {
            line: at_span(p.span()),
            what: format!("allowlist paths gains {}", quoted(p.get_ref())),
        });
    }
    let before: HashSet<&String> = a.stopwords.iter().collect();
    for w in n.stopwords.iter().filter(|w| !before.contains(w)) {
        out.push(Widening {
            line: line_of(new, w),
            what: format!("allowlist stopwords gains {}", quoted(w)),
        });
    }
    // Values may be secrets themselves: counted, never shown.
    let before: HashSet<&String> = a.values.iter().collect();
    let values: Vec<&String> = n.values.iter().filter(|v| !before.contains(v)).collect();
    if let Some(first) = values.first() {
        out.push(Widening {
            line: line_of(new, first),
            what: format!("allowlist values gains {} value(s)", values.len()),
        });
    }
    let before: HashSet<String> = a.sha256.iter().map(|h| h.get_ref().to_ascii_lowercase()).collect();
    let hashes: Vec<_> = n
        .sha256
        .iter()
        .filter(|h| !before.contains(&h.get_ref().to_ascii_lowercase()))
        .collect();
    if let Some(first) = hashes.first() {
        out.push(Widening {
            line: at_span(first.span()),
            what: format!("allowlist sha256 gains {} hash(es)", hashes.len()),
        });
    }
    let before: HashSet<(String, String)> = a
        .regexes
        .iter()
        .map(|r| (r.get_ref().pattern.clone(), format!("{:?}", r.get_ref().target)))
        .collect();
    for r in &n.regexes {
        let (pattern, target) = (&r.get_ref().pattern, format!("{:?}", r.get_ref().target));
        if !before.contains(&(pattern.clone(), target.clone())) {
            out.push(Widening {
                line: at_span(r.span()),
                what: format!(
                    "allowlist regexes gains {} (on the {})",
                    quoted(pattern),
                    target.to_ascii_lowercase()
                ),
            });
        }
    }
    let before: HashSet<&String> = old.rules.disable.iter().map(|d| d.get_ref()).collect();
    for d in new_config
        .rules
        .disable
        .iter()
        .filter(|d| !before.contains(d.get_ref()))
    {
        out.push(Widening {
            line: at_span(d.span()),
            what: format!("disables rule {}", quoted(d.get_ref())),
        });
    }
    for (id, change) in &new_config.rules.overrides {
        let was = old.rules.overrides.get(id).map(|o| o.get_ref());
        if was.is_none_or(|w| !same_override(w, change.get_ref())) {
            out.push(Widening {
                line: at_span(change.span()),
                what: format!("overrides rule {} ({})", quoted(id), describe(change.get_ref())),
            });
        }
    }
    let packs = |c: &Config| {
        c.rules
            .packs
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
    };
    let (old_packs, new_packs) = (packs(&old), packs(&new_config));
    for removed in old_packs.iter().filter(|p| !new_packs.contains(p)) {
        out.push(Widening {
            line: line_of(new, "packs"),
            what: format!("drops rule pack {}", quoted(removed)),
        });
    }
    for added in new_packs.iter().filter(|p| !old_packs.contains(p)) {
        out.push(Widening {
            line: line_of(new, added),
            what: format!("adds rule pack {}", quoted(added)),
        });
    }
    if new_config.baseline.is_some() && new_config.baseline != old.baseline {
        let name = new_config
            .baseline
            .as_ref()
            .map(|b| b.display().to_string())
            .unwrap_or_default();
        out.push(Widening {
            line: line_of(new, "baseline"),
            what: format!("names baseline {}", quoted(&name)),
        });
    }
    let depth = |c: &Config| c.decode_depth().unwrap_or(hush_rules::decode::DEFAULT_DEPTH);
    if depth(&new_config) < depth(&old) {
        out.push(Widening {
            line: line_of(new, "max_decode_depth"),
            what: format!("lowers max_decode_depth to {}", depth(&new_config)),
        });
    }
    out
}

fn same_override(a: &RuleOverride, b: &RuleOverride) -> bool {
    a.entropy == b.entropy && a.severity == b.severity
}

fn describe(o: &RuleOverride) -> String {
    let mut parts = Vec::new();
    if let Some(e) = o.entropy {
        parts.push(format!("entropy {e}"));
    }
    if let Some(s) = o.severity {
        parts.push(format!("severity {}", s.as_str()));
    }
    if parts.is_empty() {
        "no change".to_owned()
    } else {
        parts.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn whats(kind: HushFile, old: Option<&str>, new: &str) -> Vec<(u64, String)> {
        widening(kind, old.map(str::as_bytes), new.as_bytes())
            .into_iter()
            .map(|w| (w.line, w.what))
            .collect()
    }

    #[test]
    fn ignore_reports_added_patterns_not_removed_ones_or_comments() {
        let got = whats(
            HushFile::Ignore,
            Some("fixtures/\n"),
            "# note\nfixtures/\n*.env\n!keep.env\n\n*\n",
        );
        assert_eq!(
            got,
            vec![
                (3, "adds ignore pattern `*.env`".to_owned()),
                (6, "adds ignore pattern `*`".to_owned())
            ]
        );
        assert!(whats(HushFile::Ignore, Some("a\nb\n"), "a\n# b is gone\n").is_empty());
        assert_eq!(
            whats(HushFile::Ignore, None, "x\u{1b}[31m\n"),
            vec![(1, "adds ignore pattern `x\\u{1b}[31m`".to_owned())]
        );
    }

    #[test]
    fn config_reports_what_it_newly_allows() {
        let old = "[allow]\npaths = [\"vendor/**\"]\n";
        let new = "[rules]\ndisable = [\"generic-password\"]\n\n[rules.override.github-pat]\nseverity = \"low\"\n\n\
                   [allow]\npaths = [\"vendor/**\", \"**\"]\nvalues = [\"hunter2hunter2\"]\n";
        let got = whats(HushFile::Config, Some(old), new);
        assert_eq!(
            got,
            vec![
                (8, "allowlist paths gains `**`".to_owned()),
                (9, "allowlist values gains 1 value(s)".to_owned()),
                (2, "disables rule `generic-password`".to_owned()),
                (4, "overrides rule `github-pat` (severity low)".to_owned()),
            ]
        );
        assert!(
            !got.iter().any(|(_, w)| w.contains("hunter2")),
            "values are never shown"
        );
        // Narrowing only: nothing.
        assert!(whats(HushFile::Config, Some(new), old).is_empty());
        let broken = whats(HushFile::Config, Some(old), "[allow]\npath = 1\n");
        assert!(broken[0].1.starts_with("is not a valid config any more"), "{broken:?}");
    }

    #[test]
    fn baseline_counts_gained_entries() {
        let old = "salt ab\nrule-a 1111\n";
        let new = "# header\nsalt ab\nrule-a 1111\nrule-b 2222\nrule-c 3333\n";
        assert_eq!(
            whats(HushFile::Baseline, Some(old), new),
            vec![(4, "baseline gains 2 fingerprints".to_owned())]
        );
        assert!(whats(HushFile::Baseline, Some(new), old).is_empty());
        assert_eq!(
            whats(HushFile::Baseline, None, old),
            vec![(2, "baseline gains 1 fingerprint".to_owned())]
        );
    }
}
