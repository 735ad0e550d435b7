//! Reading hush's own JSON and JSON Lines findings back into [`Finding`]s:
//! each field as `report/json.rs` wrote it, and each location's [`Origin`]
//! rebuilt from its path and the fields beside it, so that the writers give
//! the same output again.

use std::sync::Arc;

use hush_rules::decode::Encoding;
use hush_rules::{Confidence, Severity};
use serde_json::Value;

use crate::finding::{
    Finding, Location, Verification, VerifyStatus, ALLOW_ADDED_RULE, ARCHIVE_LIMIT_RULE, CONFIG_CHANGE_RULE,
};
use crate::origin::{CommitMeta, ImageName, Origin};
use crate::stats::{ScanStats, SkipReason};

fn text<'a>(v: &'a Value, key: &str) -> Result<&'a str, String> {
    v.get(key)
        .and_then(Value::as_str)
        .ok_or_else(|| format!("a finding without `{key}`"))
}

fn number(v: &Value, key: &str) -> u64 {
    v.get(key).and_then(Value::as_u64).unwrap_or(0)
}

fn optional(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_owned)
}

/// One finding of a hush JSON document or JSON Lines line.
pub(super) fn finding(v: &Value) -> Result<Finding, String> {
    let rule_id = text(v, "rule_id")?.to_owned();
    let severity: Severity =
        serde_json::from_value(v["severity"].clone()).map_err(|e| format!("{rule_id}: severity: {e}"))?;
    let confidence: Confidence =
        serde_json::from_value(v["confidence"].clone()).map_err(|e| format!("{rule_id}: confidence: {e}"))?;
    let masked = text(v, "secret_masked")?.to_owned();
    let synthetic = [ARCHIVE_LIMIT_RULE, CONFIG_CHANGE_RULE, ALLOW_ADDED_RULE].contains(&rule_id.as_str());
    // A synthetic finding's description is shown whole: it is its "secret".
    let (secret, secret_masked) = match (synthetic, v.get("secret").and_then(Value::as_str)) {
        (true, _) => (masked.into_bytes(), None),
        (false, Some(secret)) => (secret.as_bytes().to_vec(), None),
        (false, None) => (Vec::new(), Some(masked)),
    };
    let locations = v
        .get("locations")
        .and_then(Value::as_array)
        .ok_or_else(|| format!("{rule_id}: no `locations`"))?
        .iter()
        .map(location)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Finding {
        rule_name: text(v, "rule_name")?.to_owned(),
        severity,
        confidence,
        tags: Vec::new(),
        remediation: optional(v, "remediation").unwrap_or_default(),
        known: v.get("known").and_then(Value::as_bool).unwrap_or(false),
        secret,
        fingerprint: text(v, "fingerprint")?.to_owned(),
        locations,
        synthetic,
        secret_masked,
        captures: Vec::new(),
        verification: v.get("verification").and_then(verification),
        rule_id,
    })
}

/// A finding's `verification` object (as `report::verification_json` writes it)
/// read back; `None` when it is absent or its status is not one hush writes.
pub(super) fn verification(v: &Value) -> Option<Verification> {
    let status = VerifyStatus::parse(v.get("status")?.as_str()?)?;
    let details = v
        .get("details")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter_map(|(k, val)| Some((k.clone(), val.as_str()?.to_owned())))
        .collect();
    Some(Verification {
        status,
        reason: optional(v, "reason").unwrap_or_default(),
        provider: optional(v, "provider").unwrap_or_default(),
        details,
    })
}

/// One location, with its origin rebuilt.
pub(super) fn location(l: &Value) -> Result<Location, String> {
    let path = text(l, "path")?;
    let decoded = match l.get("decoded").and_then(Value::as_array) {
        None => Vec::new(),
        Some(names) => names
            .iter()
            .map(|n| encoding(n.as_str().unwrap_or("")))
            .collect::<Result<_, _>>()?,
    };
    Ok(Location {
        origin: origin(path, l),
        line: number(l, "line"),
        column: number(l, "column"),
        end_line: number(l, "end_line"),
        end_column: number(l, "end_column"),
        before: String::new(),
        after: String::new(),
        decoded,
    })
}

fn encoding(name: &str) -> Result<Encoding, String> {
    [
        Encoding::Base64,
        Encoding::Hex,
        Encoding::Percent,
        Encoding::Escape,
        Encoding::Html,
    ]
    .into_iter()
    .find(|e| e.as_str() == name)
    .ok_or_else(|| format!("{name:?} is not an encoding hush undoes"))
}

/// The origin a location's `path` and fields describe (see the JSON format's
/// docs): a git blob where there is a commit or a repository, an image layer or
/// config where there is an image, stdin for `-`, else a file, and an archive
/// member where the path holds a `!`.
pub(super) fn origin(path: &str, fields: &Value) -> Origin {
    let repository = optional(fields, "repository");
    let commit = optional(fields, "commit").map(|id| {
        Arc::new(CommitMeta {
            id,
            author: optional(fields, "author").unwrap_or_default(),
            email: optional(fields, "email").unwrap_or_default(),
            date: optional(fields, "date").unwrap_or_default(),
            summary: optional(fields, "message").unwrap_or_default(),
        })
    });
    if commit.is_some() || repository.is_some() {
        let in_tree = repository
            .as_deref()
            .and_then(|r| path.strip_prefix(r)?.strip_prefix('!'))
            .unwrap_or(path);
        return Origin::GitBlob {
            path: in_tree.to_owned(),
            repository: repository.map(Arc::from),
            blob: String::new(),
            commit,
        };
    }
    if let Some(reference) = optional(fields, "image") {
        if let Some(origin) = image_origin(path, reference, fields) {
            return origin;
        }
    }
    if path == "-" {
        return Origin::Stdin;
    }
    file_or_member(path)
}

/// `a.zip!b/c.txt` as an archive member of a file; `a.txt` as a file.
pub(super) fn file_or_member(path: &str) -> Origin {
    match path.split_once('!') {
        Some((outer, inner)) => Origin::Archive {
            outer: Box::new(Origin::File { path: outer.into() }),
            inner: inner.to_owned(),
        },
        None => Origin::File { path: path.into() },
    }
}

/// An image location: `source[@platform]!sha256:<12 hex>/path[!member]` or
/// `source[@platform]!config.<field>`.
fn image_origin(path: &str, reference: String, fields: &Value) -> Option<Origin> {
    let platform = optional(fields, "platform");
    let source_of = |shown: &str| -> String {
        match &platform {
            Some(p) => shown.strip_suffix(&format!("@{p}")).unwrap_or(shown).to_owned(),
            None => shown.to_owned(),
        }
    };
    let image = |shown: &str| {
        Arc::new(ImageName {
            source: source_of(shown),
            reference: reference.clone(),
            platform: platform.clone(),
        })
    };
    if let Some(field) = optional(fields, "config_field") {
        let shown = path.strip_suffix(&format!("!config.{field}"))?;
        return Some(Origin::ImageConfig {
            image: image(shown),
            field,
        });
    }
    let digest = optional(fields, "layer_digest")?;
    let short_end = digest.find(':').map_or(0, |c| c + 1) + 12;
    let short = digest.get(..short_end).unwrap_or(&digest);
    let (shown, rest) = path.split_once(&format!("!{short}/"))?;
    let (in_layer, member) = match rest.split_once('!') {
        Some((file, member)) => (file, Some(member)),
        None => (rest, None),
    };
    let layer = Origin::ImageLayer {
        image: image(shown),
        layer_index: fields.get("layer_index").and_then(Value::as_u64).unwrap_or(0) as usize,
        layer_digest: digest.clone(),
        path: in_layer.to_owned(),
        created_by: optional(fields, "layer_created_by"),
        deleted_in: fields
            .get("deleted_in_layer")
            .and_then(Value::as_u64)
            .map(|i| i as usize),
    };
    Some(match member {
        Some(inner) => Origin::Archive {
            outer: Box::new(layer),
            inner: inner.to_owned(),
        },
        None => layer,
    })
}

/// The counters of a JSON document's `stats`: scanned, skipped (by reason,
/// named after the input), suppressed; errors and notes as they are.
pub(super) fn stats(v: &Value) -> Result<ScanStats, String> {
    let mut stats = ScanStats {
        files_scanned: number(v, "files_scanned"),
        bytes_scanned: number(v, "bytes_scanned"),
        binary_files: number(v, "binary_scanned"),
        suppressed: number(v, "suppressed"),
        ..ScanStats::default()
    };
    let skipped = &v["skipped"];
    for (key, reason) in [
        ("binary", SkipReason::Binary),
        ("too_large", SkipReason::TooLarge),
        ("special", SkipReason::Special),
        ("symlink", SkipReason::Symlink),
        ("allowed_path", SkipReason::AllowedPath),
        ("lfs_pointer", SkipReason::LfsPointer),
        ("too_deep", SkipReason::TooDeep),
        ("encrypted", SkipReason::Encrypted),
        ("zip_too_large", SkipReason::ZipTooLarge),
    ] {
        for _ in 0..number(skipped, key).min(1 << 20) {
            stats.skip("(counted in a merged report)", reason);
        }
    }
    for e in v.get("errors").and_then(Value::as_array).into_iter().flatten() {
        let path = optional(e, "path").unwrap_or_default();
        let message = optional(e, "message").unwrap_or_default();
        if e.get("input").and_then(Value::as_bool).unwrap_or(false) {
            stats.input_error(path, message);
        } else {
            stats.error(path, message);
        }
    }
    for note in v.get("notes").and_then(Value::as_array).into_iter().flatten() {
        stats.notes.push(note.as_str().unwrap_or_default().to_owned());
    }
    Ok(stats)
}
