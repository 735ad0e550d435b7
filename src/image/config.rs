//! An image's config: its platform, the layers' diff ids, the history lines that
//! made each layer, and the fields scanned for secrets (`Env`, `Cmd`,
//! `Entrypoint`, `Labels` and every history `created_by`, where build
//! arguments show up as `RUN |1 TOKEN=... /bin/sh -c ...`).

use std::collections::BTreeMap;

use serde::Deserialize;

/// The parts of an image config hush reads; everything else is ignored.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct Config {
    #[serde(default)]
    os: Option<String>,
    #[serde(default)]
    architecture: Option<String>,
    #[serde(default)]
    variant: Option<String>,
    #[serde(default)]
    config: Option<RunConfig>,
    #[serde(default)]
    history: Option<Vec<History>>,
    #[serde(default)]
    rootfs: Option<RootFs>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RunConfig {
    #[serde(default)]
    env: Option<Vec<String>>,
    #[serde(default)]
    cmd: Option<Vec<String>>,
    #[serde(default)]
    entrypoint: Option<Vec<String>>,
    #[serde(default)]
    labels: Option<BTreeMap<String, String>>,
}

#[derive(Debug, Default, Deserialize)]
struct History {
    #[serde(default)]
    created_by: Option<String>,
    #[serde(default)]
    empty_layer: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
struct RootFs {
    #[serde(default)]
    diff_ids: Vec<String>,
}

impl Config {
    pub fn parse(bytes: &[u8]) -> Result<Config, serde_json::Error> {
        serde_json::from_slice(bytes)
    }

    /// `os/arch[/variant]`, if the config names them.
    pub fn platform(&self) -> Option<String> {
        let (os, arch) = (self.os.as_deref()?, self.architecture.as_deref()?);
        Some(match self.variant.as_deref() {
            Some(v) if !v.is_empty() => format!("{os}/{arch}/{v}"),
            _ => format!("{os}/{arch}"),
        })
    }

    /// The uncompressed digests of the layers, in order.
    pub fn diff_ids(&self) -> &[String] {
        self.rootfs.as_ref().map_or(&[], |r| &r.diff_ids)
    }

    /// The `created_by` of each layer, in order: the history entries that made
    /// a layer (those without `empty_layer`).
    pub fn layer_commands(&self) -> Vec<Option<String>> {
        self.history
            .iter()
            .flatten()
            .filter(|h| h.empty_layer != Some(true))
            .map(|h| h.created_by.clone())
            .collect()
    }

    /// Each scanned field, named as reports show it (`Env[0]`, `Labels.key`,
    /// `history[3].created_by`), with its text.
    pub fn fields(&self) -> Vec<(String, &str)> {
        let mut fields = Vec::new();
        if let Some(run) = &self.config {
            for (name, list) in [("Env", &run.env), ("Cmd", &run.cmd), ("Entrypoint", &run.entrypoint)] {
                for (i, value) in list.iter().flatten().enumerate() {
                    fields.push((format!("{name}[{i}]"), value.as_str()));
                }
            }
            for (key, value) in run.labels.iter().flatten() {
                fields.push((format!("Labels.{key}"), value.as_str()));
            }
        }
        for (i, h) in self.history.iter().flatten().enumerate() {
            if let Some(command) = &h.created_by {
                fields.push((format!("history[{i}].created_by"), command.as_str()));
            }
        }
        fields
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn history_maps_to_layers_skipping_empty_ones() {
        let config = Config::parse(
            br#"{"os":"linux","architecture":"arm64","variant":"v8",
                "config":{"Env":["A=1"],"Cmd":null,"Labels":{"k":"v"}},
                "history":[{"created_by":"ADD root"},{"created_by":"ENV A=1","empty_layer":true},
                           {"created_by":"RUN make"}],
                "rootfs":{"type":"layers","diff_ids":["sha256:a","sha256:b"]}}"#,
        )
        .expect("valid config");
        assert_eq!(config.platform().as_deref(), Some("linux/arm64/v8"));
        assert_eq!(
            config.layer_commands(),
            vec![Some("ADD root".to_owned()), Some("RUN make".to_owned())]
        );
        let names: Vec<String> = config.fields().into_iter().map(|(n, _)| n).collect();
        assert_eq!(
            names,
            [
                "Env[0]",
                "Labels.k",
                "history[0].created_by",
                "history[1].created_by",
                "history[2].created_by"
            ]
        );
        assert_eq!(config.diff_ids().len(), 2);
    }
}
