//! Rule packs: the TOML schema of a rule, and loading packs from the embedded
//! defaults or from a user's file, with errors that name the file, line and key.

use std::path::Path;

use serde::Deserialize;

use crate::spec::RuleSpec;
use crate::table::{provider_rule, ProviderSpec};

include!(concat!(env!("OUT_DIR"), "/default_packs.rs"));

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PackFile {
    #[serde(default)]
    rules: Vec<RuleSpec>,
    /// The compact table form: one entry per provider credential.
    #[serde(default)]
    providers: Vec<ProviderSpec>,
}

/// A rule pack that could not be read or parsed.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("cannot read rule pack {file}: {source}")]
    Read {
        file: String,
        #[source]
        source: std::io::Error,
    },
    /// The TOML error text names the line, column and key.
    #[error("in rule pack {file}: {}", .error.to_string().trim_end())]
    Parse { file: String, error: Box<toml::de::Error> },
    /// An embedded default pack (JSON made by build.rs) does not parse.
    #[error("in embedded rule pack {file}: {error}")]
    Embedded { file: String, error: serde_json::Error },
}

/// Parses one pack's TOML text; `file` names it in errors. `[[providers]]`
/// table entries come after the pack's `[[rules]]`, compiled to rules.
pub fn load_pack(file: &str, text: &str) -> Result<Vec<RuleSpec>, LoadError> {
    let pack = toml::from_str::<PackFile>(text).map_err(|error| LoadError::Parse {
        file: file.to_owned(),
        error: Box::new(error),
    })?;
    let mut rules = pack.rules;
    rules.extend(pack.providers.into_iter().map(provider_rule));
    Ok(rules)
}

/// Reads and parses a pack from disk.
pub fn load_pack_file(path: &Path) -> Result<Vec<RuleSpec>, LoadError> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| LoadError::Read {
        file: file.clone(),
        source,
    })?;
    load_pack(&file, &text)
}

/// Every rule of the embedded default packs, in pack order. They are read from
/// the JSON form build.rs made of them (several times faster than TOML), and
/// marked [`RuleSpec::builtin`]: the test suite has compiled their regexes, so
/// start-up does not parse them again.
pub fn default_specs() -> Result<Vec<RuleSpec>, LoadError> {
    let mut all = Vec::new();
    for (file, json) in DEFAULT_PACKS_JSON {
        let pack: PackFile = serde_json::from_str(json).map_err(|error| LoadError::Embedded {
            file: (*file).to_owned(),
            error,
        })?;
        all.extend(pack.rules);
        all.extend(pack.providers.into_iter().map(provider_rule));
    }
    for spec in &mut all {
        spec.builtin = true;
        if spec.table.is_none() {
            let gate = DEFAULT_GATES
                .binary_search_by(|(id, _)| (*id).cmp(spec.id.as_str()))
                .map_or(0, |i| DEFAULT_GATES[i].1);
            spec.keyword_gate = Some(gate);
        }
    }
    Ok(all)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_key_is_named_with_its_line() {
        let text = "[[rules]]\nid = \"x\"\nname = \"x\"\nkeywords = [\"abc\"]\nregex = \"abc\"\nseverity = \"low\"\nconfidence = \"low\"\nremediation = \"r\"\nsevrity = \"high\"\n";
        let err = load_pack("custom.toml", text).unwrap_err().to_string();
        assert!(err.contains("custom.toml"), "{err}");
        assert!(err.contains("line 9"), "{err}");
        assert!(err.contains("sevrity"), "{err}");
    }

    #[test]
    fn bad_severity_is_an_error() {
        let text = "[[rules]]\nid = \"x\"\nname = \"x\"\nkeywords = [\"abc\"]\nregex = \"abc\"\nseverity = \"huge\"\nconfidence = \"low\"\nremediation = \"r\"\n";
        let err = load_pack("p.toml", text).unwrap_err().to_string();
        assert!(err.contains("huge"), "{err}");
    }
}
