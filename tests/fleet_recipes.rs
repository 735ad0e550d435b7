//! The fleet recipes: `recipes/github-actions/fleet-scan.yml` passes
//! actionlint, and `recipes/kubernetes/fleet-scan-job.yaml` parses and names the
//! fields an Indexed Job needs; the shard and merge commands of both are run
//! here, as written (index variables substituted, paths moved into a temp
//! directory), against a small tree and a few repositories, and the merged
//! report checked against one unsharded run.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_yaml_ng::Value;

use crate::common::gitrepo::{commit_file, repo};
use crate::common::tools::{repository_root, tool};
use crate::common::{github_token, json, run_in, stderr};

fn recipe(path: &str) -> String {
    std::fs::read_to_string(repository_root().join(path)).expect("the recipe exists")
}

/// `sh -c script` in `dir`, with the tests' hush first on PATH.
fn shell(dir: &Path, script: &str, envs: &[(&str, String)]) -> Output {
    let bin = Path::new(env!("CARGO_BIN_EXE_hush"))
        .parent()
        .expect("bin dir")
        .to_owned();
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default());
    let mut command = Command::new("sh");
    command
        .arg("-c")
        .arg(script)
        .current_dir(dir)
        .env("PATH", path)
        .env("NO_COLOR", "1");
    for (k, v) in envs {
        command.env(k, v);
    }
    command.output().expect("sh runs")
}

fn fingerprints(doc: &serde_json::Value) -> Vec<(String, usize)> {
    let mut out: Vec<(String, usize)> = doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["fingerprint"].as_str().expect("fingerprint").to_owned(),
                f["locations"].as_array().map_or(0, Vec::len),
            )
        })
        .collect();
    out.sort();
    out
}

fn step<'a>(steps: &'a Value, id: &str) -> &'a Value {
    steps
        .as_sequence()
        .expect("steps")
        .iter()
        .find(|s| s["id"].as_str() == Some(id))
        .unwrap_or_else(|| panic!("a step with id {id}"))
}

#[test]
fn the_actions_recipe_passes_actionlint() {
    let Some(actionlint) = tool("actionlint") else { return };
    let path = repository_root().join("recipes/github-actions/fleet-scan.yml");
    let out = Command::new(actionlint).arg(&path).output().expect("actionlint runs");
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn the_actions_recipe_shards_and_merge_give_one_scans_findings() {
    let workflow: Value = serde_yaml_ng::from_str(&recipe("recipes/github-actions/fleet-scan.yml")).expect("YAML");
    let shards: u64 = workflow["env"]["SHARDS"].as_u64().expect("env.SHARDS");
    let matrix: Vec<u64> = workflow["jobs"]["shard"]["strategy"]["matrix"]["shard"]
        .as_sequence()
        .expect("matrix.shard")
        .iter()
        .map(|v| v.as_u64().expect("a number"))
        .collect();
    assert_eq!(matrix, (1..=shards).collect::<Vec<_>>(), "one matrix entry per shard");
    assert_eq!(workflow["jobs"]["merge"]["needs"].as_str(), Some("shard"));
    let scan = step(&workflow["jobs"]["shard"]["steps"], "scan")["run"]
        .as_str()
        .expect("run");
    let merge = step(&workflow["jobs"]["merge"]["steps"], "merge")["run"]
        .as_str()
        .expect("run");

    let dir = tempfile::tempdir().expect("temp dir");
    let checkout = dir.path().join("checkout");
    for k in 0..16u64 {
        let sub = checkout.join(format!("pkg{}", k % 4));
        std::fs::create_dir_all(&sub).expect("mkdir");
        std::fs::write(
            sub.join(format!("c{k}.cfg")),
            format!("token={}\n", github_token(500 + k % 5)),
        )
        .expect("write");
    }
    let whole = json(&run_in(&checkout, &["scan", "--format", "json", "."]));
    // Each matrix job: its checkout, the step as written; then the artifacts
    // go to the merge job's shards/ directory.
    let merge_dir = dir.path().join("merge");
    std::fs::create_dir_all(merge_dir.join("shards")).expect("mkdir");
    for shard in &matrix {
        let script = scan.replace("${{ matrix.shard }}", &shard.to_string());
        let out = shell(&checkout, &script, &[("SHARDS", shards.to_string())]);
        assert!(
            out.status.success(),
            "shard {shard}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let name = format!("hush-shard-{shard}.jsonl");
        std::fs::rename(checkout.join(&name), merge_dir.join("shards").join(&name)).expect("artifact");
    }
    let summary = dir.path().join("summary.md");
    let out = shell(
        &merge_dir,
        merge,
        &[("GITHUB_STEP_SUMMARY", summary.display().to_string())],
    );
    assert_eq!(
        out.status.code(),
        Some(1),
        "new findings fail the job: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let sarif: serde_json::Value =
        serde_json::from_slice(&std::fs::read(merge_dir.join("hush.sarif")).expect("hush.sarif")).expect("JSON");
    let mut from_sarif: Vec<(String, usize)> = Vec::new();
    for r in sarif["runs"][0]["results"].as_array().expect("results") {
        let fp = r["partialFingerprints"]["hush/v1"]
            .as_str()
            .expect("fingerprint")
            .to_owned();
        match from_sarif.iter_mut().find(|(f, _)| *f == fp) {
            Some((_, n)) => *n += 1,
            None => from_sarif.push((fp, 1)),
        }
    }
    from_sarif.sort();
    assert_eq!(
        from_sarif,
        fingerprints(&whole),
        "the merged SARIF has every finding and location once"
    );
    assert!(
        std::fs::read_to_string(&summary).expect("summary").contains('|'),
        "a Markdown table"
    );
}

#[test]
fn the_kubernetes_recipe_is_an_indexed_job_whose_shards_and_merge_run() {
    let text = recipe("recipes/kubernetes/fleet-scan-job.yaml");
    let docs: Vec<Value> = serde_yaml_ng::Deserializer::from_str(&text)
        .map(|d| serde::Deserialize::deserialize(d).expect("a YAML document"))
        .collect();
    let job = |name: &str| -> &Value {
        docs.iter()
            .find(|d| d["kind"].as_str() == Some("Job") && d["metadata"]["name"].as_str() == Some(name))
            .unwrap_or_else(|| panic!("Job {name}"))
    };
    let shards = job("hush-fleet-shards");
    assert_eq!(shards["apiVersion"].as_str(), Some("batch/v1"));
    assert_eq!(shards["spec"]["completionMode"].as_str(), Some("Indexed"));
    let completions = shards["spec"]["completions"].as_u64().expect("completions");
    assert_eq!(shards["spec"]["parallelism"].as_u64(), Some(completions));
    let container = &shards["spec"]["template"]["spec"]["containers"][0];
    let env_shards = container["env"]
        .as_sequence()
        .expect("env")
        .iter()
        .find(|e| e["name"].as_str() == Some("HUSH_SHARDS"))
        .and_then(|e| e["value"].as_str())
        .expect("HUSH_SHARDS");
    assert_eq!(env_shards, completions.to_string(), "HUSH_SHARDS is the completions");
    let script = container["args"][0].as_str().expect("the shard script");
    let merge = job("hush-fleet-merge")["spec"]["template"]["spec"]["containers"][0]["args"][0]
        .as_str()
        .expect("the merge script");

    // Three repositories; one key in all three: one finding, three locations.
    let dir = tempfile::tempdir().expect("temp dir");
    let mirrors = dir.path().join("mirrors");
    let reports = dir.path().join("reports");
    std::fs::create_dir_all(&mirrors).expect("mkdir");
    std::fs::create_dir_all(&reports).expect("mkdir");
    let mut list = String::from("# the fleet\n");
    let mut keep = Vec::new();
    for (k, name) in ["api", "web", "jobs"].into_iter().enumerate() {
        let (tmp, path) = repo();
        commit_file(
            &path,
            "deploy.env",
            &format!("GITHUB_TOKEN={}\n", github_token(600)),
            "deploy",
        );
        commit_file(
            &path,
            "own.env",
            &format!("TOKEN={}\n", github_token(k as u64 + 601)),
            "own",
        );
        let mirror = mirrors.join(format!("{name}.git"));
        let out = Command::new("git")
            .args(["clone", "-q", "--mirror"])
            .arg(&path)
            .arg(&mirror)
            .output()
            .expect("git runs");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        list.push_str(&format!("{name}.git\n"));
        keep.push(tmp);
    }
    std::fs::write(mirrors.join("repos.txt"), &list).expect("write");
    let moved = |s: &str| -> String {
        s.replace("/mirrors", &mirrors.display().to_string())
            .replace("/reports", &reports.display().to_string())
    };
    for index in 0..completions {
        let envs = [
            ("JOB_COMPLETION_INDEX", index.to_string()),
            ("HUSH_SHARDS", env_shards.to_owned()),
        ];
        let out = shell(dir.path(), &moved(script), &envs);
        assert!(
            out.status.success(),
            "shard {index}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let out = shell(dir.path(), &moved(merge), &[("HUSH_SHARDS", env_shards.to_owned())]);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let merged: serde_json::Value =
        serde_json::from_slice(&std::fs::read(reports.join("fleet.json")).expect("fleet.json")).expect("JSON");
    let list_path: PathBuf = mirrors.join("repos.txt");
    let list_arg = list_path.display().to_string();
    let whole = run_in(dir.path(), &["git", "--format", "json", "--repos-file", &list_arg]);
    assert_eq!(whole.status.code(), Some(1), "{}", stderr(&whole));
    let whole = json(&whole);
    assert_eq!(fingerprints(&merged), fingerprints(&whole));
    // The shared key: one finding, a location in each repository.
    let shared = merged["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["locations"].as_array().is_some_and(|l| l.len() == 3))
        .expect("the key in all three repositories is one finding");
    let mut repos: Vec<&str> = shared["locations"]
        .as_array()
        .expect("locations")
        .iter()
        .map(|l| l["repository"].as_str().expect("repository"))
        .collect();
    repos.sort();
    assert_eq!(repos, ["api.git", "jobs.git", "web.git"]);
    assert!(reports.join("fleet.sarif").exists());
}
