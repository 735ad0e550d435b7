//! Reading hush's SARIF back into [`Finding`]s: one result per location,
//! grouped by `partialFingerprints."hush/v1"`; the rule's name, remediation,
//! severity (`security-severity`) and confidence (`precision`) from
//! `tool.driver.rules`; the masked secret from the message. SARIF never holds
//! a secret, nor an image layer's fields: an archive or image location keeps
//! its whole path from the `location` property.

use std::collections::BTreeMap;

use hush_rules::{Confidence, Severity};
use serde_json::{json, Value};

use super::hush::{file_or_member, origin, verification};
use crate::finding::{Finding, Location};
use crate::origin::Origin;

const FINGERPRINT_KEY: &str = "hush/v1";

/// Every finding of a SARIF log hush wrote.
pub(super) fn findings(doc: &Value) -> Result<Vec<Finding>, String> {
    let mut by_fingerprint: BTreeMap<String, Finding> = BTreeMap::new();
    for run in doc["runs"].as_array().ok_or("`runs` is not an array")? {
        let rules = run["tool"]["driver"]["rules"].as_array().cloned().unwrap_or_default();
        for result in run["results"].as_array().into_iter().flatten() {
            let rule_id = result["ruleId"].as_str().ok_or("a result without `ruleId`")?;
            let fingerprint = result["partialFingerprints"][FINGERPRINT_KEY]
                .as_str()
                .ok_or_else(|| format!("{rule_id}: no partialFingerprints.{FINGERPRINT_KEY} (not written by hush)"))?;
            let rule = result["ruleIndex"]
                .as_u64()
                .and_then(|i| rules.get(i as usize))
                .or_else(|| rules.iter().find(|r| r["id"] == rule_id))
                .cloned()
                .unwrap_or(Value::Null);
            let location = location(result)?;
            match by_fingerprint.get_mut(fingerprint) {
                Some(f) => {
                    f.locations.push(location);
                    if f.verification.is_none() {
                        f.verification = result["properties"].get("verification").and_then(verification);
                    }
                }
                None => {
                    let finding = finding(rule_id, fingerprint, &rule, result, location);
                    by_fingerprint.insert(fingerprint.to_owned(), finding);
                }
            }
        }
    }
    Ok(by_fingerprint.into_values().collect())
}

fn finding(rule_id: &str, fingerprint: &str, rule: &Value, result: &Value, location: Location) -> Finding {
    let name = rule["name"].as_str().unwrap_or(rule_id).to_owned();
    let help = rule["help"]["text"].as_str().unwrap_or("");
    let remediation = help.strip_prefix(&format!("{name}: ")).unwrap_or(help).to_owned();
    let message = result["message"]["text"].as_str().unwrap_or("");
    let masked = message.strip_prefix(&format!("{name}: ")).unwrap_or(message).to_owned();
    let properties = &rule["properties"];
    let severity = match properties["security-severity"].as_str() {
        Some("9.5") => Severity::Critical,
        Some("8.0") => Severity::High,
        Some("3.0") => Severity::Low,
        Some("1.0") => Severity::Info,
        _ => Severity::Medium,
    };
    let confidence = match properties["precision"].as_str() {
        Some("high") => Confidence::High,
        Some("low") => Confidence::Low,
        _ => Confidence::Medium,
    };
    let tags = properties["tags"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_owned)
        .collect();
    Finding {
        rule_id: rule_id.to_owned(),
        rule_name: name,
        severity,
        confidence,
        tags,
        remediation,
        known: false,
        secret: Vec::new(),
        fingerprint: fingerprint.to_owned(),
        locations: vec![location],
        synthetic: false,
        secret_masked: Some(masked),
        captures: Vec::new(),
        verification: result["properties"].get("verification").and_then(verification),
    }
}

/// A result's one location: the region, and the origin from the uri or the
/// `location` property, with the commit fields.
fn location(result: &Value) -> Result<Location, String> {
    let physical = &result["locations"][0]["physicalLocation"];
    let artifact = &physical["artifactLocation"];
    let uri = artifact["uri"].as_str().ok_or("a result without an artifact uri")?;
    let properties = &result["properties"];
    let path = percent_encoding::percent_decode_str(uri)
        .decode_utf8_lossy()
        .into_owned();
    let origin = if artifact.get("uriBaseId").is_none() && uri == "stdin" {
        Origin::Stdin
    } else if let Some(shown) = properties["location"].as_str() {
        file_or_member(shown)
    } else if properties.get("commit").is_some() || properties.get("repository").is_some() {
        let mut fields = properties.clone();
        if let (Some(repo), Some(map)) = (properties["repository"].as_str(), fields.as_object_mut()) {
            // The uri is the repository's name, then the path in its tree.
            let in_tree = path
                .strip_prefix(repo)
                .and_then(|p| p.strip_prefix('/'))
                .unwrap_or(&path);
            map.insert("path".into(), json!(format!("{repo}!{in_tree}")));
        }
        let shown = fields["path"].as_str().map_or(path.clone(), str::to_owned);
        origin(&shown, &fields)
    } else {
        Origin::File { path: path.into() }
    };
    let region = &physical["region"];
    let number = |key: &str| region[key].as_u64().unwrap_or(1);
    let decoded = properties["decoded"]
        .as_array()
        .map(|names| super::hush::location(&json!({ "path": "", "decoded": names })).map(|l| l.decoded))
        .transpose()?
        .unwrap_or_default();
    Ok(Location {
        origin,
        line: number("startLine"),
        column: number("startColumn"),
        end_line: number("endLine"),
        end_column: number("endColumn"),
        before: String::new(),
        after: String::new(),
        decoded,
    })
}
