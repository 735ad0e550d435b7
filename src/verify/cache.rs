//! `--verify-cache FILE`: verdicts kept across runs so that a CI rerun does
//! not ask the providers again. Entries are keyed by a salted SHA-256 of the
//! check (never the secret), carry the time they were made and expire after
//! `--verify-cache-max-age`; `unknown` verdicts are not kept (a timeout should
//! be retried). The file is JSON, rewritten whole after each run.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::finding::{Verification, VerifyStatus};

#[derive(Serialize, Deserialize)]
struct Entry {
    status: String,
    reason: String,
    provider: String,
    #[serde(default)]
    details: Vec<(String, String)>,
    /// Seconds since the epoch when the provider answered.
    checked: u64,
}

#[derive(Serialize, Deserialize)]
struct File {
    version: u32,
    salt: String,
    entries: BTreeMap<String, Entry>,
}

/// The cache as loaded, with this run's new verdicts.
pub struct Cache {
    file: File,
    max_age: Duration,
}

fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

impl Cache {
    /// Reads `path` (a missing file is an empty cache with a new salt).
    pub fn load(path: &Path, max_age: Duration) -> Result<Cache, String> {
        let shown = PathBuf::from(path).display().to_string();
        let file = match std::fs::read(path) {
            Ok(bytes) => {
                let file: File = serde_json::from_slice(&bytes)
                    .map_err(|e| format!("--verify-cache {shown}: not a hush verification cache: {e}"))?;
                if file.version != 1 {
                    return Err(format!("--verify-cache {shown}: unknown version {}", file.version));
                }
                file
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let mut salt = [0u8; 16];
                getrandom::fill(&mut salt).map_err(|e| format!("--verify-cache: no random salt: {e}"))?;
                File {
                    version: 1,
                    salt: salt.iter().map(|b| format!("{b:02x}")).collect(),
                    entries: BTreeMap::new(),
                }
            }
            Err(e) => return Err(format!("--verify-cache {shown}: {e}")),
        };
        Ok(Cache { file, max_age })
    }

    fn slot(&self, key: &str) -> String {
        let mut h = Sha256::new();
        h.update(self.file.salt.as_bytes());
        h.update([0]);
        h.update(key.as_bytes());
        h.finalize().iter().map(|b| format!("{b:02x}")).collect()
    }

    fn fresh(&self, entry: &Entry) -> bool {
        now().saturating_sub(entry.checked) <= self.max_age.as_secs()
    }

    /// A verdict made for `key` within the age limit.
    pub fn get(&self, key: &str) -> Option<Verification> {
        let entry = self.file.entries.get(&self.slot(key))?;
        if !self.fresh(entry) {
            return None;
        }
        Some(Verification {
            status: VerifyStatus::parse(&entry.status)?,
            reason: format!("{} (cached)", entry.reason),
            provider: entry.provider.clone(),
            details: entry.details.clone(),
        })
    }

    /// Keeps a verified or invalid verdict.
    pub fn put(&mut self, key: &str, verdict: &Verification) {
        if verdict.status == VerifyStatus::Unknown {
            return;
        }
        let slot = self.slot(key);
        self.file.entries.insert(
            slot,
            Entry {
                status: verdict.status.as_str().to_owned(),
                reason: verdict.reason.clone(),
                provider: verdict.provider.clone(),
                details: verdict.details.clone(),
                checked: now(),
            },
        );
    }

    /// Writes the cache, without its expired entries.
    pub fn save(&self, path: &Path) -> Result<(), String> {
        let entries = self
            .file
            .entries
            .iter()
            .filter(|(_, e)| self.fresh(e))
            .map(|(k, e)| {
                (
                    k.clone(),
                    Entry {
                        status: e.status.clone(),
                        reason: e.reason.clone(),
                        provider: e.provider.clone(),
                        details: e.details.clone(),
                        checked: e.checked,
                    },
                )
            })
            .collect();
        let file = File {
            version: 1,
            salt: self.file.salt.clone(),
            entries,
        };
        let text = serde_json::to_vec_pretty(&file).map_err(|e| e.to_string())?;
        std::fs::write(path, text).map_err(|e| format!("--verify-cache {}: {e}", path.display()))
    }
}
