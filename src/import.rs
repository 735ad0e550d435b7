//! `hush baseline import`: carries a migrating team's triage over from other
//! scanners' outputs, matching on what each stores: a gitleaks/betterleaks JSON
//! report (the secret itself, or where secrets were redacted, path and line) and
//! a detect-secrets `.secrets.baseline` (SHA-1 of each secret).

use serde_json::Value;

use crate::baseline::Baseline;
use crate::merge::gitleaks_findings;

/// A report that could not be imported.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{file}: not JSON: {error}")]
    Json { file: String, error: serde_json::Error },
    #[error("{file}: neither a gitleaks/betterleaks JSON report (an array of findings with RuleID) nor a detect-secrets baseline (an object with results)")]
    Unknown { file: String },
}

/// Which tool wrote the imported file, and how many entries it gave.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Imported {
    pub tool: &'static str,
    pub entries: usize,
}

/// Adds the reviewed findings of another scanner's `text` to `baseline`.
pub fn import(file: &str, text: &str, baseline: &mut Baseline) -> Result<Imported, ImportError> {
    let doc: Value = serde_json::from_str(text).map_err(|error| ImportError::Json {
        file: file.to_owned(),
        error,
    })?;
    if let Some(findings) = gitleaks_findings(&doc) {
        let findings = findings.map_err(|_| ImportError::Unknown { file: file.to_owned() })?;
        let mut entries = 0;
        for f in findings {
            if let Some(secret) = &f.secret {
                baseline.add_any_rule_secret(secret.as_bytes());
                entries += 1;
            } else if !f.path.is_empty() && f.line > 0 {
                baseline.add_location(&f.path, f.line);
                entries += 1;
            }
        }
        return Ok(Imported {
            tool: "gitleaks/betterleaks",
            entries,
        });
    }
    if let Some(results) = doc.get("results").and_then(Value::as_object) {
        let mut entries = 0;
        for secrets in results.values().filter_map(Value::as_array) {
            for s in secrets {
                if let Some(hash) = s.get("hashed_secret").and_then(Value::as_str) {
                    baseline.add_sha1(hash);
                    entries += 1;
                }
            }
        }
        return Ok(Imported {
            tool: "detect-secrets",
            entries,
        });
    }
    Err(ImportError::Unknown { file: file.to_owned() })
}
