//! Building the rule set a command runs: the default packs, `--rules` packs and a
//! config's packs, minus disabled rules, with a config's per-rule overrides.

use anyhow::{bail, Context, Result};
use hush_rules::{default_specs, RuleSet, RuleSpec};

use super::files::Files;
use super::RuleSelection;
use hush_scanner::config::Config;

/// The default rules plus `--rules` packs, minus `--disable-rule` ids.
pub fn load_rules(selection: &RuleSelection) -> Result<RuleSet> {
    load_rules_from(selection, None, Files::Disk(std::path::Path::new(".")))
}

/// Like [`load_rules`], with a config's packs, disabled rules and overrides;
/// packs are read from `files` (the file system, or a range's base).
pub(super) fn load_rules_from(selection: &RuleSelection, config: Option<&Config>, files: Files) -> Result<RuleSet> {
    let mut specs: Vec<RuleSpec> = default_specs().context("loading the default rule packs")?;
    // A scan never reads the default rules' examples (the test suite does):
    // about 1,000 rules' example texts need not stay in memory.
    for spec in &mut specs {
        spec.examples = Vec::new();
        spec.negative_examples = Vec::new();
    }
    let mut user_ids = std::collections::HashSet::new();
    let config_packs = config
        .map(|c| c.rules.packs.iter().map(|p| c.resolve(p)).collect::<Vec<_>>())
        .unwrap_or_default();
    for (n, pack) in selection.rules.iter().chain(&config_packs).enumerate() {
        // The error names the pack file itself.
        let mut user = files.pack(pack)?;
        if n >= selection.rules.len() {
            // A scanned repository must not choose where its secrets are sent:
            // verifiers come from the defaults and `--rules` packs only.
            for spec in &mut user {
                spec.verify = None;
            }
        }
        user_ids.extend(user.iter().map(|s| s.id.clone()));
        specs.extend(user);
    }
    let mut disabled: Vec<String> = Vec::new();
    for id in &selection.disable {
        if !specs.iter().any(|s| &s.id == id) {
            bail!("--disable-rule {id}: no rule has this id (see `hush rules list`)");
        }
        disabled.push(id.clone());
    }
    if let Some(config) = config {
        for id in &config.rules.disable {
            if !specs.iter().any(|s| &s.id == id.get_ref()) {
                return Err(config
                    .invalid(
                        id.span(),
                        "rules.disable",
                        format!("no rule has the id {:?}", id.get_ref()),
                    )
                    .into());
            }
            disabled.push(id.get_ref().clone());
        }
        for (id, change) in &config.rules.overrides {
            let Some(spec) = specs.iter_mut().find(|s| &s.id == id) else {
                return Err(config
                    .invalid(change.span(), &format!("rules.override.{id}"), "no rule has this id")
                    .into());
            };
            let change = change.get_ref();
            if let Some(entropy) = change.entropy {
                spec.entropy = Some(entropy);
            }
            if let Some(severity) = change.severity {
                spec.severity = severity;
            }
        }
    }
    specs.retain(|s| !disabled.contains(&s.id));
    // The remediation links the provider's revocation page.
    for spec in &mut specs {
        if let Some(revoke) = spec.verify.as_ref().and_then(|v| v.revoke.as_deref()) {
            if !spec.remediation.contains(revoke) {
                spec.remediation = format!("{} Revoke it here: {revoke}", spec.remediation);
            }
        }
    }
    let set = RuleSet::compile(specs)?;
    // The default packs' regexes are compiled by the tests; a user's are checked now.
    set.compile_rules(|r| user_ids.contains(&r.id))?;
    Ok(set)
}
