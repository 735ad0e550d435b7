//! `--shard I/N`: for N = 1..=5, a tree, a git history and an image built here
//! are scanned in N shards; `hush merge` of the shards' reports must equal one
//! unsharded run's findings exactly (fingerprints and locations), and the
//! shards' statistics must add up to the unsharded run's (nothing scanned
//! twice, nothing left out). Also: the flag and its environment variables.

use std::path::Path;

use serde_json::Value;

use crate::common::gitrepo::{commit_file, git, repo};
use crate::common::images::{config, digest, docker_save, gzip, tar, zip};
use crate::common::{github_token, hush, json, run_in, stderr};

/// What must match between a merged and an unsharded report: each finding's
/// fingerprint with its sorted locations (path, line, column, commit, and the
/// image fields).
fn identity(doc: &Value) -> Vec<(String, Vec<String>)> {
    let mut out: Vec<(String, Vec<String>)> = doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            let mut locations: Vec<String> = f["locations"]
                .as_array()
                .expect("locations")
                .iter()
                .map(|l| {
                    format!(
                        "{} {}:{} {} {} {} {}",
                        l["path"],
                        l["line"],
                        l["column"],
                        l["commit"],
                        l["layer_digest"],
                        l["deleted_in_layer"],
                        l["config_field"]
                    )
                })
                .collect();
            locations.sort();
            (f["fingerprint"].as_str().expect("fingerprint").to_owned(), locations)
        })
        .collect();
    out.sort();
    out
}

fn counter(doc: &Value, key: &str) -> u64 {
    doc["stats"][key].as_u64().unwrap_or_else(|| panic!("stats.{key}"))
}

/// Runs `args` unsharded and in 1..=5 shards (each writing `format` to a file
/// and its JSON beside it); checks the merge and the statistics.
fn shards_equal_one_run(dir: &Path, args: &[&str], format: impl Fn(u32) -> &'static str) {
    let mut whole_args = args.to_vec();
    whole_args.extend(["--format", "json"]);
    let whole = run_in(dir, &whole_args);
    let whole_doc = json(&whole);
    assert!(
        !whole_doc["findings"].as_array().expect("findings").is_empty(),
        "the fixture has findings: {}",
        stderr(&whole)
    );
    let reports = tempfile::tempdir().expect("temp dir");
    for n in 1..=5u32 {
        let format = format(n);
        let mut shard_files = Vec::new();
        let (mut files, mut bytes) = (0, 0);
        for i in 1..=n {
            let main = reports.path().join(format!("n{n}-shard{i}.{format}"));
            let stats = reports.path().join(format!("n{n}-shard{i}.stats.json"));
            let shard = format!("{i}/{n}");
            let mut shard_args = args.to_vec();
            let (main_s, stats_s) = (main.display().to_string(), stats.display().to_string());
            let stats_target = format!("json={stats_s}");
            shard_args.extend([
                "--shard",
                &shard,
                "--format",
                format,
                "--output",
                &main_s,
                "--report",
                &stats_target,
            ]);
            let out = run_in(dir, &shard_args);
            assert!(
                matches!(out.status.code(), Some(0 | 1)),
                "shard {shard}: {}",
                stderr(&out)
            );
            let doc: Value = serde_json::from_slice(&std::fs::read(&stats).expect("stats report")).expect("JSON");
            if n > 1 {
                assert_eq!(doc["stats"]["shard"]["index"], i, "{doc}");
                assert_eq!(doc["stats"]["shard"]["count"], n);
            }
            files += counter(&doc, "files_scanned");
            bytes += counter(&doc, "bytes_scanned");
            shard_files.push(main_s);
        }
        assert_eq!(
            (files, bytes),
            (
                counter(&whole_doc, "files_scanned"),
                counter(&whole_doc, "bytes_scanned")
            ),
            "{n} shards of {args:?} scan what one run scans, each piece once"
        );
        let mut merge_args = vec!["merge", "--format", "json"];
        merge_args.extend(shard_files.iter().map(String::as_str));
        let merged = run_in(dir, &merge_args);
        assert_eq!(merged.status.code(), whole.status.code(), "{}", stderr(&merged));
        assert_eq!(
            identity(&json(&merged)),
            identity(&whole_doc),
            "{n} shards of {args:?} ({format}) merged"
        );
    }
}

#[test]
fn tree_shards_merge_to_one_scan() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path().join("tree");
    for k in 0..24u64 {
        let sub = root.join(format!("dir{}", k % 5));
        std::fs::create_dir_all(&sub).expect("mkdir");
        // Six tokens, each in four files: one finding each, over shards.
        let text = format!("# file {k}\ngithub.token={}\n", github_token(k % 6));
        std::fs::write(sub.join(format!("file{k}.cfg")), text).expect("write");
    }
    let archived = format!("token={}\n", github_token(77));
    std::fs::write(
        root.join("bundle.zip"),
        zip(&[("inner/a.cfg", archived.as_bytes()), ("inner/b.txt", b"clean\n")]),
    )
    .expect("write zip");
    shards_equal_one_run(dir.path(), &["scan", "tree"], |n| {
        ["json", "jsonl", "sarif"][n as usize % 3]
    });
}

#[test]
fn git_shards_merge_to_one_scan() {
    let (_dir, repo) = repo();
    for k in 0..10u64 {
        let text = format!("token = {}\nother = {}\n", github_token(100 + k % 4), k);
        commit_file(&repo, &format!("conf/app{}.env", k % 3), &text, &format!("change {k}"));
    }
    git(&repo, &["rm", "-q", "conf/app0.env"]);
    git(&repo, &["commit", "-q", "-m", "remove"]);
    shards_equal_one_run(&repo, &["git", "."], |n| ["json", "jsonl"][n as usize % 2]);
}

#[test]
fn image_shards_merge_to_one_scan() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut layers = Vec::new();
    for k in 0..6u64 {
        let text = format!("GITHUB_TOKEN={}\n", github_token(200 + k % 3));
        layers.push(gzip(&tar(&[
            (format!("app/layer{k}/.env").as_str(), text.as_bytes()),
            ("app/readme.txt", format!("layer {k}\n").as_bytes()),
        ])));
    }
    // The top layer deletes a file of layer 0: its finding says so in every shard.
    layers.push(gzip(&tar(&[("app/layer0/.wh..env", b"")])));
    let diff_ids: Vec<String> = layers.iter().map(|l| digest(l)).collect();
    let history: Vec<(&str, bool)> = (0..layers.len()).map(|_| ("COPY . /app", false)).collect();
    let env = [format!("TOKEN={}", github_token(299))];
    let cfg = config("linux/amd64", &env, &history, &diff_ids);
    docker_save(&dir.path().join("img.tar"), "fleet:1", &cfg, &layers);
    shards_equal_one_run(dir.path(), &["image", "img.tar"], |n| ["json", "jsonl"][n as usize % 2]);
}

#[test]
fn stdin_is_read_by_the_first_shard_only() {
    use std::io::Write;
    let dir = tempfile::tempdir().expect("temp dir");
    let mut found = Vec::new();
    for i in 1..=3 {
        let shard = format!("{i}/3");
        let mut child = hush()
            .args(["scan", "--shard", &shard, "--format", "json", "-"])
            .current_dir(dir.path())
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("hush runs");
        let line = format!("token={}\n", github_token(5));
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(line.as_bytes())
            .expect("write");
        let out = child.wait_with_output().expect("hush ends");
        found.push(json(&out)["findings"].as_array().expect("findings").len());
    }
    assert_eq!(found, [1, 0, 0]);
}

#[test]
fn shard_values_come_from_the_flag_or_the_environment_and_bad_ones_exit_2() {
    let dir = tempfile::tempdir().expect("temp dir");
    for k in 0..12 {
        std::fs::write(dir.path().join(format!("f{k}.txt")), "clean\n").expect("write");
    }
    let files_in = |envs: &[(&str, &str)], args: &[&str]| {
        let mut command = hush();
        command
            .current_dir(dir.path())
            .args(["scan", "--format", "json"])
            .args(args)
            .arg(".");
        for (k, v) in envs {
            command.env(k, v);
        }
        let out = command.output().expect("hush runs");
        (out.status.code(), out)
    };
    let count = |envs: &[(&str, &str)], args: &[&str]| {
        let (code, out) = files_in(envs, args);
        assert_eq!(code, Some(0), "{}", stderr(&out));
        json(&out)["stats"]["files_scanned"].as_u64().expect("count")
    };
    let by_flag: Vec<u64> = (1..=3).map(|i| count(&[], &["--shard", &format!("{i}/3")])).collect();
    assert_eq!(by_flag.iter().sum::<u64>(), 12);
    for i in 1..=3u64 {
        let index = (i - 1).to_string();
        let k8s = [("JOB_COMPLETION_INDEX", index.as_str()), ("HUSH_SHARDS", "3")];
        assert_eq!(count(&k8s, &[]), by_flag[i as usize - 1]);
        let shard = format!("{i}/3");
        assert_eq!(count(&[("HUSH_SHARD", shard.as_str())], &[]), by_flag[i as usize - 1]);
    }
    // The flag wins over the environment.
    assert_eq!(count(&[("HUSH_SHARD", "2/3")], &["--shard", "1/3"]), by_flag[0]);
    for (envs, args, names) in [
        (vec![], vec!["--shard", "4/3"], "--shard"),
        (vec![("HUSH_SHARD", "0/2")], vec![], "HUSH_SHARD"),
        (
            vec![("JOB_COMPLETION_INDEX", "3"), ("HUSH_SHARDS", "3")],
            vec![],
            "JOB_COMPLETION_INDEX",
        ),
        (vec![("HUSH_SHARDS", "two")], vec![], "HUSH_SHARDS"),
    ] {
        let (code, out) = files_in(&envs, &args);
        assert_eq!(code, Some(2), "{envs:?} {args:?}");
        assert!(stderr(&out).contains(names), "{}", stderr(&out));
    }
}
