//! `hush git` on repositories built with the real git CLI: history, branches,
//! tags, merges, renames, the stash, the index, ranges, dates, bare repositories,
//! worktrees, shallow clones, submodules, LFS pointers, a corrupt object, and a
//! repository whose config asks to run programs (hush never runs them).

use std::fs;
use std::path::Path;
use std::process::Command;

use crate::common::gitrepo::{commit_file, git, repo};
use crate::common::{github_token, json, run_in, stderr, stdout};

/// (path, commit) of every location of every finding.
fn places(doc: &serde_json::Value) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .flat_map(|f| f["locations"].as_array().expect("locations").iter())
        .map(|l| {
            (
                l["path"].as_str().expect("path").to_owned(),
                l["commit"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    v.sort();
    v
}

fn scan_git(repo: &Path, extra: &[&str]) -> (Option<i32>, serde_json::Value, String) {
    let mut args = vec!["git", "--format", "json"];
    args.extend_from_slice(extra);
    args.push(".");
    let out = run_in(repo, &args);
    (out.status.code(), json(&out), stderr(&out))
}

#[test]
fn deleted_secret_is_found_with_its_commit() {
    let (_dir, repo) = repo();
    let added = commit_file(
        &repo,
        "config/app.env",
        &format!("# app\nTOKEN={}\n", github_token(1)),
        "add config",
    );
    git(&repo, &["rm", "-q", "config/app.env"]);
    git(&repo, &["commit", "-q", "-m", "remove config"]);
    let (code, doc, err) = scan_git(&repo, &[]);
    assert_eq!(code, Some(1), "{err}");
    let f = &doc["findings"][0];
    assert_eq!(f["path"], "config/app.env");
    assert_eq!((f["line"].as_u64(), f["column"].as_u64()), (Some(2), Some(7)));
    assert_eq!(f["commit"], added.as_str());
    assert_eq!(f["author"], "Ada Lovelace");
    assert_eq!(f["email"], "ada@example.invalid");
    assert_eq!(f["message"], "add config");
    assert!(f["date"].as_str().is_some_and(|d| d.ends_with('Z')), "{f}");
    let text = stdout(&run_in(&repo, &["git", "."]));
    assert!(
        text.contains(&format!("{}:config/app.env:2:7  github-pat", &added[..12])),
        "{text}"
    );
}

#[test]
fn branches_tags_and_stash_are_all_scanned() {
    let (_dir, repo) = repo();
    git(&repo, &["checkout", "-q", "-b", "feature"]);
    commit_file(
        &repo,
        "feature.env",
        &format!("T={}\n", github_token(2)),
        "feature work",
    );
    git(&repo, &["checkout", "-q", "-b", "release", "main"]);
    commit_file(&repo, "tagged.env", &format!("T={}\n", github_token(3)), "tagged only");
    git(&repo, &["tag", "-a", "v1", "-m", "release v1"]);
    git(&repo, &["checkout", "-q", "main"]);
    git(&repo, &["branch", "-q", "-D", "release"]);
    fs::write(repo.join("README.md"), format!("# demo\nT={}\n", github_token(4))).expect("write");
    git(&repo, &["stash", "-q"]);
    let (code, doc, err) = scan_git(&repo, &[]);
    assert_eq!(code, Some(1), "{err}");
    let paths: Vec<String> = places(&doc).into_iter().map(|(p, _)| p).collect();
    assert_eq!(paths, vec!["README.md", "feature.env", "tagged.env"], "{doc}");
    // --branch limits the walk.
    let (_, doc, _) = scan_git(&repo, &["--branch", "main"]);
    assert_eq!(places(&doc).len(), 0, "{doc}");
    let (_, doc, _) = scan_git(&repo, &["--branch", "feature"]);
    assert_eq!(
        places(&doc).into_iter().map(|(p, _)| p).collect::<Vec<_>>(),
        vec!["feature.env"]
    );
}

#[test]
fn secret_only_in_a_merge_commit_is_attributed_to_the_merge() {
    let (_dir, repo) = repo();
    commit_file(&repo, "app.cfg", "key = one\n", "base");
    git(&repo, &["checkout", "-q", "-b", "side"]);
    commit_file(&repo, "app.cfg", "key = side\n", "side change");
    git(&repo, &["checkout", "-q", "main"]);
    commit_file(&repo, "app.cfg", "key = main\n", "main change");
    let merge = Command::new("git")
        .args(["merge", "-q", "side"])
        .current_dir(&repo)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .output()
        .expect("git");
    assert!(!merge.status.success(), "the merge conflicts");
    fs::write(repo.join("app.cfg"), format!("key = {}\n", github_token(5))).expect("write");
    git(&repo, &["add", "app.cfg"]);
    git(&repo, &["commit", "-q", "--no-edit", "-m", "merge side"]);
    let merge_id = git(&repo, &["rev-parse", "HEAD"]);
    let (_, doc, _) = scan_git(&repo, &[]);
    assert_eq!(places(&doc), vec![("app.cfg".to_owned(), merge_id)]);
}

#[test]
fn renamed_file_keeps_its_first_path_and_commit() {
    let (_dir, repo) = repo();
    let added = commit_file(&repo, "old/name.env", &format!("T={}\n", github_token(6)), "add");
    git(&repo, &["mv", "old/name.env", "new-name.env"]);
    git(&repo, &["commit", "-q", "-m", "rename"]);
    let renamed = git(&repo, &["rev-parse", "HEAD"]);
    let (_, doc, _) = scan_git(&repo, &[]);
    assert_eq!(
        doc["findings"].as_array().expect("findings").len(),
        1,
        "one blob, one finding"
    );
    assert_eq!(
        places(&doc),
        vec![("new-name.env".to_owned(), renamed), ("old/name.env".to_owned(), added)]
    );
}

#[test]
fn staged_scans_only_the_index_changes() {
    let (_dir, repo) = repo();
    commit_file(
        &repo,
        "committed.env",
        &format!("T={}\n", github_token(7)),
        "old secret",
    );
    fs::write(repo.join("staged.env"), format!("T={}\n", github_token(8))).expect("write");
    git(&repo, &["add", "staged.env"]);
    let (code, doc, err) = scan_git(&repo, &["--staged"]);
    assert_eq!(code, Some(1), "{err}");
    assert_eq!(places(&doc), vec![("staged.env".to_owned(), String::new())]);
    let (_, doc, _) = scan_git(&repo, &[]);
    assert_eq!(
        places(&doc).into_iter().map(|(p, _)| p).collect::<Vec<_>>(),
        vec!["committed.env"],
        "history does not see the index"
    );
    git(&repo, &["commit", "-q", "-m", "commit it"]);
    let (code, _, _) = scan_git(&repo, &["--staged"]);
    assert_eq!(code, Some(0), "nothing staged after the commit");
}

#[test]
fn range_covers_only_what_it_adds() {
    let (_dir, repo) = repo();
    let base = git(&repo, &["rev-parse", "HEAD"]);
    commit_file(&repo, "early.env", &format!("T={}\n", github_token(9)), "early");
    let middle = git(&repo, &["rev-parse", "HEAD"]);
    commit_file(&repo, "late.env", &format!("T={}\n", github_token(10)), "late");
    let (_, doc, _) = scan_git(&repo, &["--range", &format!("{middle}..HEAD")]);
    assert_eq!(
        places(&doc).into_iter().map(|(p, _)| p).collect::<Vec<_>>(),
        vec!["late.env"]
    );
    let (_, doc, _) = scan_git(&repo, &["--range", &format!("{base}..HEAD")]);
    assert_eq!(places(&doc).len(), 2);
    let out = run_in(&repo, &["git", "--range", "HEAD", "."]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("expected A..B"), "{}", stderr(&out));
}

#[test]
fn branch_exclusions_leave_out_what_they_reach() {
    let (_dir, repo) = repo();
    commit_file(&repo, "old.env", &format!("T={}\n", github_token(21)), "old");
    git(&repo, &["branch", "published"]);
    commit_file(&repo, "new.env", &format!("T={}\n", github_token(22)), "new");
    let paths = |doc: &serde_json::Value| places(doc).into_iter().map(|(p, _)| p).collect::<Vec<_>>();
    let (_, doc, _) = scan_git(&repo, &["--branch", "main", "--branch", "^published"]);
    assert_eq!(paths(&doc), vec!["new.env"]);
    // Only exclusions: every other ref is a tip.
    let (_, doc, _) = scan_git(&repo, &["--branch=^published"]);
    assert_eq!(paths(&doc), vec!["new.env"]);
    let (_, doc, _) = scan_git(&repo, &["--branch", "main"]);
    assert_eq!(paths(&doc), vec!["new.env", "old.env"]);
}

#[test]
fn hushignore_keeps_paths_out_of_history_and_the_index() {
    let (_dir, repo) = repo();
    commit_file(
        &repo,
        "fixtures/fake.env",
        &format!("T={}\n", github_token(23)),
        "fixture",
    );
    commit_file(&repo, "app.env", &format!("T={}\n", github_token(24)), "app");
    commit_file(&repo, ".hushignore", "fixtures/\n", "ignore fixtures");
    let paths = |doc: &serde_json::Value| places(doc).into_iter().map(|(p, _)| p).collect::<Vec<_>>();
    let (code, doc, err) = scan_git(&repo, &["--verbose"]);
    assert_eq!(code, Some(1));
    assert_eq!(paths(&doc), vec!["app.env"]);
    assert!(
        err.contains("skipped fixtures/fake.env: matched by .hushignore"),
        "{err}"
    );
    let (_, doc, _) = scan_git(&repo, &["--no-ignore"]);
    assert_eq!(paths(&doc), vec!["app.env", "fixtures/fake.env"]);

    // The index: a staged fixture passes, a staged secret elsewhere does not.
    fs::write(repo.join("fixtures/more.env"), format!("T={}\n", github_token(25))).expect("write");
    git(&repo, &["add", "fixtures/more.env"]);
    let (code, doc, _) = scan_git(&repo, &["--staged"]);
    assert_eq!((code, paths(&doc).len()), (Some(0), 0));

    // A bare clone has no work tree: HEAD's .hushignore applies.
    let bare = repo.with_file_name("bare.git");
    git(
        &repo,
        &["clone", "-q", "--bare", ".", bare.to_str().expect("utf-8 path")],
    );
    let (_, doc, _) = scan_git(&bare, &[]);
    assert_eq!(paths(&doc), vec!["app.env"]);
}

#[test]
fn since_skips_older_commits() {
    let (_dir, repo) = repo();
    fs::write(repo.join("old.env"), format!("T={}\n", github_token(11))).expect("write");
    git(&repo, &["add", "old.env"]);
    let status = Command::new("git")
        .args(["commit", "-q", "-m", "old"])
        .current_dir(&repo)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_AUTHOR_NAME", "A")
        .env("GIT_AUTHOR_EMAIL", "a@x.invalid")
        .env("GIT_COMMITTER_NAME", "A")
        .env("GIT_COMMITTER_EMAIL", "a@x.invalid")
        .env("GIT_AUTHOR_DATE", "2001-01-01T00:00:00Z")
        .env("GIT_COMMITTER_DATE", "2001-01-01T00:00:00Z")
        .status()
        .expect("git");
    assert!(status.success());
    commit_file(&repo, "new.env", &format!("T={}\n", github_token(12)), "new");
    let (_, doc, _) = scan_git(&repo, &["--since", "2010-01-01"]);
    assert_eq!(
        places(&doc).into_iter().map(|(p, _)| p).collect::<Vec<_>>(),
        vec!["new.env"]
    );
}

#[test]
fn bare_repositories_and_worktrees_are_scanned() {
    let (dir, repo) = repo();
    commit_file(&repo, "a.env", &format!("T={}\n", github_token(13)), "a");
    let bare = dir.path().join("bare.git");
    git(
        dir.path(),
        &[
            "clone",
            "-q",
            "--bare",
            repo.to_str().expect("utf-8"),
            bare.to_str().expect("utf-8"),
        ],
    );
    let (code, doc, err) = scan_git(&bare, &[]);
    assert_eq!(code, Some(1), "{err}");
    assert_eq!(places(&doc).len(), 1);
    let worktree = dir.path().join("wt");
    git(&repo, &["worktree", "add", "-q", worktree.to_str().expect("utf-8")]);
    let (code, _, err) = scan_git(&worktree, &[]);
    assert_eq!(code, Some(1), "{err}");
}

#[test]
fn not_a_repository_exits_2() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = run_in(dir.path(), &["git", "."]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("not a git repository"), "{}", stderr(&out));
    let out = run_in(dir.path(), &["git", "missing-dir"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("missing-dir"), "{}", stderr(&out));
}

#[test]
fn shallow_clone_is_scanned_as_far_as_it_goes() {
    let (dir, repo) = repo();
    commit_file(&repo, "old.env", &format!("T={}\n", github_token(14)), "old");
    git(&repo, &["rm", "-q", "old.env"]);
    git(&repo, &["commit", "-q", "-m", "drop"]);
    commit_file(&repo, "new.env", &format!("T={}\n", github_token(15)), "new");
    let shallow = dir.path().join("shallow");
    let url = format!("file://{}", repo.display());
    git(
        dir.path(),
        &["clone", "-q", "--depth", "1", &url, shallow.to_str().expect("utf-8")],
    );
    let (code, doc, err) = scan_git(&shallow, &[]);
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("shallow clone"), "{err}");
    assert_eq!(
        places(&doc).into_iter().map(|(p, _)| p).collect::<Vec<_>>(),
        vec!["new.env"]
    );
}

#[test]
fn submodules_are_noted_and_lfs_pointers_skipped() {
    let (dir, repo) = repo();
    let (_sub_dir, sub) = self::repo();
    commit_file(&sub, "inside.env", &format!("T={}\n", github_token(16)), "sub secret");
    let _ = dir;
    git(
        &repo,
        &[
            "-c",
            "protocol.file.allow=always",
            "submodule",
            "add",
            "-q",
            sub.to_str().expect("utf-8"),
            "vendor/sub",
        ],
    );
    git(&repo, &["commit", "-q", "-m", "add submodule"]);
    let pointer = format!(
        "version https://git-lfs.github.com/spec/v1\noid sha256:{}\nsize 12345\n# T={}\n",
        "ab".repeat(32),
        github_token(17)
    );
    commit_file(&repo, "big.bin", &pointer, "lfs pointer");
    let out = run_in(&repo, &["git", "--verbose", "--format", "json", "."]);
    let err = stderr(&out);
    assert!(err.contains("submodule vendor/sub: not followed"), "{err}");
    assert!(err.contains("big.bin: Git LFS pointer"), "{err}");
    assert_eq!(out.status.code(), Some(0), "{err}");
}

#[test]
fn corrupt_object_is_reported_and_the_rest_scanned() {
    let (_dir, repo) = repo();
    commit_file(&repo, "good.env", &format!("T={}\n", github_token(18)), "good");
    commit_file(&repo, "bad.env", &format!("T={}\n", github_token(19)), "bad");
    let blob = git(&repo, &["rev-parse", "HEAD:bad.env"]);
    let object = repo.join(".git/objects").join(&blob[..2]).join(&blob[2..]);
    let mut perms = fs::metadata(&object).expect("loose object").permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    fs::set_permissions(&object, perms).expect("chmod");
    fs::write(&object, b"this is not zlib data at all").expect("corrupt it");
    let (code, doc, err) = scan_git(&repo, &[]);
    assert!(err.contains(&blob[..12]), "the bad object is named: {err}");
    assert_eq!(
        places(&doc).into_iter().map(|(p, _)| p).collect::<Vec<_>>(),
        vec!["good.env"]
    );
    assert_eq!(code, Some(1));
}

#[test]
fn repository_config_never_makes_hush_run_a_program() {
    let (dir, repo) = repo();
    let marker = dir.path().join("marker");
    let script = dir.path().join("evil.sh");
    fs::write(&script, format!("#!/bin/sh\ntouch {}\ncat\n", marker.display())).expect("write");
    let mut perms = fs::metadata(&script).expect("script").permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o755);
    fs::set_permissions(&script, perms).expect("chmod");
    let s = script.to_str().expect("utf-8");
    for (key, value) in [
        ("diff.evil.textconv", s),
        ("diff.external", s),
        ("core.fsmonitor", s),
        ("core.hooksPath", dir.path().to_str().expect("utf-8")),
        ("filter.evil.clean", s),
        ("filter.evil.smudge", s),
        ("core.sshCommand", s),
        ("core.pager", s),
    ] {
        git(&repo, &["config", key, value]);
    }
    fs::write(
        dir.path().join("pre-commit"),
        format!("#!/bin/sh\ntouch {}\n", marker.display()),
    )
    .expect("hook");
    fs::write(repo.join(".gitattributes"), "*.env diff=evil filter=evil\n").expect("write");
    commit_file(&repo, "x.env", &format!("T={}\n", github_token(20)), "with attributes");
    let _ = fs::remove_file(&marker); // git itself may have run the filter while committing
    fs::write(repo.join("y.env"), format!("T={}\n", github_token(21))).expect("write");
    let status = Command::new("git")
        .args(["update-index", "--add", "y.env"])
        .current_dir(&repo)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .status()
        .expect("git");
    assert!(status.success());
    let _ = fs::remove_file(&marker);
    let (code, _, err) = scan_git(&repo, &[]);
    assert_eq!(code, Some(1), "{err}");
    let (code, _, err) = scan_git(&repo, &["--staged"]);
    assert_eq!(code, Some(1), "{err}");
    assert!(!marker.exists(), "hush ran a program named by the repository's config");
}

#[test]
fn all_objects_reaches_dangling_blobs() {
    let (dir, repo) = repo();
    let loose = dir.path().join("dangling.txt");
    fs::write(&loose, format!("T={}\n", github_token(22))).expect("write");
    let blob = git(&repo, &["hash-object", "-w", loose.to_str().expect("utf-8")]);
    let (code, _, _) = scan_git(&repo, &[]);
    assert_eq!(code, Some(0), "no ref reaches the blob");
    let (code, doc, err) = scan_git(&repo, &["--all-objects"]);
    assert_eq!(code, Some(1), "{err}");
    let path = doc["findings"][0]["path"].as_str().expect("path").to_owned();
    assert!(path.contains(&blob[..12]) && path.contains("unreachable"), "{path}");
}
