//! `-j N` bounds the threads that scan, for every source: a directory walk,
//! files named on the command line, git history and an image. The reports'
//! `stats.threads` counts the distinct threads that scanned content; with
//! `-j 1` it is one for each source, and never more than N.

use std::fs;
use std::path::Path;

use crate::common::gitrepo::{commit_file, repo};
use crate::common::images::{config, digest, docker_save, tar};
use crate::common::{json, run_in, stderr};

/// (threads that scanned, files scanned) of a JSON report.
fn threads_and_files(dir: &Path, args: &[&str]) -> (u64, u64) {
    let out = run_in(dir, args);
    assert_eq!(out.status.code(), Some(0), "{args:?}: {}", stderr(&out));
    let stats = json(&out)["stats"].clone();
    (
        stats["threads"].as_u64().expect("threads"),
        stats["files_scanned"].as_u64().expect("files_scanned"),
    )
}

/// A tree of 64 small files, a git history of 24 commits, and a docker-save
/// image of 4 layers of 16 files each, all clean.
fn material(dir: &Path) {
    let tree = dir.join("tree");
    fs::create_dir(&tree).expect("mkdir");
    for i in 0..64 {
        fs::write(tree.join(format!("f{i}.txt")), format!("line {i}\n").repeat(200)).expect("write");
    }
    let layers: Vec<Vec<u8>> = (0..4)
        .map(|layer| {
            let files: Vec<(String, Vec<u8>)> = (0..16)
                .map(|i| {
                    (
                        format!("opt/l{layer}/f{i}.txt"),
                        format!("layer {layer} file {i}\n").into_bytes(),
                    )
                })
                .collect();
            let refs: Vec<(&str, &[u8])> = files.iter().map(|(n, b)| (n.as_str(), b.as_slice())).collect();
            tar(&refs)
        })
        .collect();
    let diff_ids: Vec<String> = layers.iter().map(|l| digest(l)).collect();
    let cfg = config("linux/amd64", &[], &[], &diff_ids);
    docker_save(&dir.join("img.tar"), "app:1", &cfg, &layers);
}

#[test]
fn minus_j_bounds_the_scanning_threads_of_every_source() {
    let dir = tempfile::tempdir().expect("temp dir");
    material(dir.path());
    let (_keep, git_repo) = repo();
    for i in 0..24 {
        commit_file(
            &git_repo,
            &format!("src/m{i}.txt"),
            &format!("module {i}\n"),
            &format!("add m{i}"),
        );
    }
    let git_repo = git_repo.to_str().expect("UTF-8 path").to_owned();
    let named: Vec<String> = (0..32).map(|i| format!("tree/f{i}.txt")).collect();
    for j in ["1", "2"] {
        let limit: u64 = j.parse().expect("number");
        let mut named_args = vec!["scan", "-j", j, "--format", "json"];
        named_args.extend(named.iter().map(String::as_str));
        let runs: [(&str, Vec<&str>, u64); 4] = [
            ("walk", vec!["scan", "-j", j, "--format", "json", "tree"], 64),
            ("named files", named_args, 32),
            ("git", vec!["git", "-j", j, "--format", "json", &git_repo], 24),
            ("image", vec!["image", "-j", j, "--format", "json", "img.tar"], 64),
        ];
        for (source, args, files) in runs {
            let (threads, scanned) = threads_and_files(dir.path(), &args);
            assert!(
                scanned >= files,
                "{source} -j {j}: scanned {scanned} files, expected {files}"
            );
            if limit == 1 {
                assert_eq!(threads, 1, "{source} -j 1 scanned on {threads} threads");
            } else {
                assert!(
                    (1..=limit).contains(&threads),
                    "{source} -j {j} scanned on {threads} threads"
                );
            }
        }
    }
}
