//! Bad and unusual inputs: each is handled (scanned, or skipped and named with
//! `--verbose`), nothing hangs or panics, and the rest of the scan goes on.

use std::fs;
use std::os::unix::fs::{symlink, PermissionsExt};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use crate::common::{github_token, json, paths, run_in, stderr, stdout};

/// A tree with one findable token in `found.txt`, so each test also shows the
/// scan went on past the bad input.
fn tree() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    fs::write(dir.path().join("found.txt"), format!("T={}\n", github_token(42))).expect("write");
    dir
}

#[test]
fn fifo_is_skipped_without_hanging() {
    let dir = tree();
    let fifo = dir.path().join("pipe");
    let made = Command::new("mkfifo").arg(&fifo).status().expect("mkfifo runs");
    assert!(made.success());
    let started = Instant::now();
    let out = run_in(dir.path(), &["scan", "--verbose", "--format", "json", "."]);
    assert!(started.elapsed() < Duration::from_secs(20), "scan hung on a FIFO");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("skipped pipe: not a regular file"),
        "{}",
        stderr(&out)
    );
    assert_eq!(json(&out)["stats"]["skipped"]["special"], 1);
    // Named explicitly, it is skipped as well.
    let out = run_in(dir.path(), &["scan", "--verbose", "pipe"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains("skipped pipe"), "{}", stderr(&out));
}

#[test]
fn unreadable_file_is_reported_and_the_scan_goes_on() {
    let dir = tree();
    let p = dir.path();
    fs::write(p.join("secret.txt"), format!("T={}\n", github_token(7))).expect("write");
    fs::set_permissions(p.join("secret.txt"), fs::Permissions::from_mode(0o000)).expect("chmod");
    // Root reads anything: run hush as `nobody` then, from a copy it can execute.
    let is_root = unsafe_free_euid_is_root();
    let out = if is_root {
        fs::set_permissions(p, fs::Permissions::from_mode(0o755)).expect("chmod dir");
        fs::set_permissions(p.join("found.txt"), fs::Permissions::from_mode(0o644)).expect("chmod");
        let bin = p.join("hush-bin");
        fs::copy(env!("CARGO_BIN_EXE_hush"), &bin).expect("copy binary");
        fs::set_permissions(&bin, fs::Permissions::from_mode(0o755)).expect("chmod bin");
        Command::new("setpriv")
            .args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
            .arg(&bin)
            .args(["scan", "--format", "json", "found.txt", "secret.txt"])
            .current_dir(p)
            .output()
            .expect("setpriv runs")
    } else {
        run_in(p, &["scan", "--format", "json", "found.txt", "secret.txt"])
    };
    let err = stderr(&out);
    assert!(err.contains("secret.txt: Permission denied"), "{err}");
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert_eq!(paths(&json(&out)), vec!["found.txt"]);
}

fn unsafe_free_euid_is_root() -> bool {
    let out = Command::new("id").arg("-u").output().expect("id runs");
    String::from_utf8_lossy(&out.stdout).trim() == "0"
}

#[test]
fn invalid_utf8_around_a_secret_is_scanned() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut bytes = b"caf\xe9 \xc3\x28 ok\n\xff\xfftoken: ".to_vec();
    bytes.extend_from_slice(github_token(8).as_bytes());
    bytes.extend_from_slice(b" \xa0\xa1\n");
    fs::write(dir.path().join("latin1.txt"), &bytes).expect("write");
    let doc = json(&run_in(dir.path(), &["scan", "--format", "json", "."]));
    let f = &doc["findings"][0];
    assert_eq!((f["line"].as_u64(), f["column"].as_u64()), (Some(2), Some(10)), "{doc}");
}

fn utf16(text: &str, little_endian: bool, bom: bool) -> Vec<u8> {
    let mut out = Vec::new();
    if bom {
        out.extend_from_slice(if little_endian { &[0xFF, 0xFE] } else { &[0xFE, 0xFF] });
    }
    for unit in text.encode_utf16() {
        out.extend_from_slice(&if little_endian {
            unit.to_le_bytes()
        } else {
            unit.to_be_bytes()
        });
    }
    out
}

#[test]
fn utf16_text_is_decoded_and_scanned() {
    let dir = tempfile::tempdir().expect("temp dir");
    let text = |seed| format!("[settings]\r\ntoken = {}\r\n", github_token(seed));
    fs::write(dir.path().join("le-bom.ini"), utf16(&text(11), true, true)).expect("write");
    fs::write(dir.path().join("be-bom.ini"), utf16(&text(12), false, true)).expect("write");
    fs::write(dir.path().join("le-nobom.ini"), utf16(&text(13), true, false)).expect("write");
    fs::write(dir.path().join("be-nobom.ini"), utf16(&text(14), false, false)).expect("write");
    let doc = json(&run_in(dir.path(), &["scan", "--format", "json", "."]));
    assert_eq!(
        paths(&doc),
        vec!["be-bom.ini", "be-nobom.ini", "le-bom.ini", "le-nobom.ini"],
        "{doc}"
    );
    for f in doc["findings"].as_array().expect("findings") {
        assert_eq!((f["line"].as_u64(), f["column"].as_u64()), (Some(2), Some(9)), "{f}");
    }
}

/// Two bytes do not make UTF-16: ASCII text that starts with `FF FE` or `FE FF`
/// is scanned as bytes, while UTF-16 with a mark and non-ASCII text (no zero
/// byte in its first units) is still decoded.
#[test]
fn a_utf16_mark_on_ascii_text_does_not_hide_its_token() {
    let dir = tempfile::tempdir().expect("temp dir");
    for (name, mark, seed) in [("ff-fe.txt", [0xFF, 0xFE], 15), ("fe-ff.txt", [0xFE, 0xFF], 16)] {
        let mut bytes = mark.to_vec();
        bytes.extend_from_slice(format!("token = {}\n", github_token(seed)).as_bytes());
        fs::write(dir.path().join(name), bytes).expect("write");
    }
    let cjk = |seed| format!("設定ファイルの説明文です。\r\ntoken = {}\r\n", github_token(seed));
    fs::write(dir.path().join("cjk-le.ini"), utf16(&cjk(17), true, true)).expect("write");
    fs::write(dir.path().join("cjk-be.ini"), utf16(&cjk(18), false, true)).expect("write");
    let doc = json(&run_in(dir.path(), &["scan", "--format", "json", "."]));
    assert_eq!(
        paths(&doc),
        vec!["cjk-be.ini", "cjk-le.ini", "fe-ff.txt", "ff-fe.txt"],
        "{doc}"
    );
    for f in doc["findings"].as_array().expect("findings") {
        let path = f["path"].as_str().expect("path");
        let at = (f["line"].as_u64(), f["column"].as_u64());
        let want = if path.ends_with(".txt") {
            (Some(1), Some(11))
        } else {
            (Some(2), Some(9))
        };
        assert_eq!(at, want, "{f}");
    }
}

#[test]
fn empty_file_is_scanned_cleanly() {
    let dir = tempfile::tempdir().expect("temp dir");
    fs::write(dir.path().join("empty"), b"").expect("write");
    let out = run_in(dir.path(), &["scan", "--format", "json", "empty"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(json(&out)["stats"]["files_scanned"], 1);
}

#[test]
fn sparse_2gb_file_is_skipped_by_size_or_read_as_binary() {
    let dir = tree();
    let file = fs::File::create(dir.path().join("sparse.img")).expect("create");
    file.set_len(2 << 30).expect("sparse file");
    let out = run_in(dir.path(), &["scan", "--verbose", "."]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("skipped sparse.img: larger than --max-file-size"),
        "{}",
        stderr(&out)
    );
    // With a higher limit it is read and found binary (zeros): with
    // --skip-binary it is skipped at once, else scanned over its (no) printable runs.
    let out = run_in(
        dir.path(),
        &["scan", "--verbose", "--max-file-size", "4G", "--skip-binary", "."],
    );
    assert!(stderr(&out).contains("skipped sparse.img: binary"), "{}", stderr(&out));
    let out = run_in(dir.path(), &["scan", "--format", "json", "--max-file-size", "4G", "."]);
    assert_eq!(json(&out)["stats"]["binary_scanned"], 1, "{}", stderr(&out));
}

#[test]
fn symlink_loop_is_reported_not_followed_forever() {
    let dir = tree();
    let p = dir.path();
    fs::create_dir(p.join("a")).expect("mkdir");
    symlink("..", p.join("a/up")).expect("symlink");
    symlink("self", p.join("self")).expect("symlink");
    let out = run_in(p, &["scan", "--verbose", "--format", "json", "."]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("skipped a/up: symbolic link"), "{}", stderr(&out));
    assert_eq!(paths(&json(&out)), vec!["found.txt"]);
    let out = run_in(p, &["scan", "--follow", "--format", "json", "."]);
    let err = stderr(&out);
    assert!(err.contains("symbolic link loop"), "{err}");
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert_eq!(paths(&json(&out)), vec!["found.txt"]);
}

#[test]
fn symlink_to_dev_zero_is_never_read() {
    let dir = tree();
    symlink("/dev/zero", dir.path().join("zero")).expect("symlink");
    let started = Instant::now();
    let out = run_in(dir.path(), &["scan", "--verbose", "."]);
    assert!(stderr(&out).contains("skipped zero: symbolic link"), "{}", stderr(&out));
    let out = run_in(dir.path(), &["scan", "--verbose", "--follow", "."]);
    assert!(
        stderr(&out).contains("skipped zero: not a regular file"),
        "{}",
        stderr(&out)
    );
    let out = run_in(dir.path(), &["scan", "--verbose", "zero"]);
    assert!(
        stderr(&out).contains("skipped zero: not a regular file"),
        "{}",
        stderr(&out)
    );
    assert!(started.elapsed() < Duration::from_secs(20));
}

#[test]
fn path_longer_than_4096_bytes_is_handled() {
    let dir = tree();
    let segment = "d".repeat(200);
    // Build 25 nested directories (over 5000 bytes) with relative steps, as no
    // single absolute path that long can be passed to mkdir.
    let script = format!(
        "for i in $(seq 25); do mkdir {segment} && cd -P {segment} || exit 1; done; printf 'T=%s\\n' \"$1\" > deep.txt"
    );
    let status = Command::new("sh")
        .args(["-c", &script, "sh", &github_token(9)])
        .current_dir(dir.path())
        .status()
        .expect("sh runs");
    assert!(status.success());
    let out = run_in(dir.path(), &["scan", "--format", "json", "."]);
    let doc = json(&out);
    let found = paths(&doc);
    assert!(found.contains(&"found.txt".to_owned()), "{found:?}");
    let deep_found = found.iter().any(|p| p.ends_with("deep.txt"));
    let reported = stderr(&out).contains("File name too long");
    assert!(
        deep_found || reported,
        "the deep file was neither scanned nor reported: {}",
        stderr(&out)
    );
    assert!(matches!(out.status.code(), Some(1)), "{}", stderr(&out));
}

#[test]
fn nonexistent_and_broken_link_paths_exit_2() {
    let dir = tempfile::tempdir().expect("temp dir");
    symlink("nowhere", dir.path().join("dangling")).expect("symlink");
    let out = run_in(dir.path(), &["scan", "dangling"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("dangling: broken symbolic link"),
        "{}",
        stderr(&out)
    );
    assert!(stdout(&out).is_empty());
    assert!(!Path::new("nowhere").exists());
}

/// Creates `depth` nested directories of `name` under `root`, each made and
/// opened relative to the last (their whole path is longer than any path the
/// system accepts), and writes `content` to `file` in the deepest.
fn nest(root: &Path, depth: usize, name: &str, file: &str, content: &[u8]) {
    use rustix::fs::{mkdirat, openat, Mode, OFlags, CWD};
    let dir_flags = OFlags::RDONLY | OFlags::DIRECTORY;
    let mut handle = openat(CWD, root, dir_flags, Mode::empty()).expect("open root");
    for _ in 0..depth {
        mkdirat(&handle, name, Mode::from_raw_mode(0o755)).expect("mkdirat");
        handle = openat(&handle, name, dir_flags, Mode::empty()).expect("openat");
    }
    let fd = openat(
        &handle,
        file,
        OFlags::WRONLY | OFlags::CREATE,
        Mode::from_raw_mode(0o644),
    )
    .expect("create");
    std::io::Write::write_all(&mut std::fs::File::from(fd), content).expect("write");
}

#[test]
fn a_file_deeper_than_path_max_is_scanned() {
    let dir = tree();
    // 200 directories of 24 bytes: a 5,000-byte path, past Linux's 4,096.
    let token = github_token(43);
    nest(
        dir.path(),
        200,
        "nested-directory-level-x",
        "deep.env",
        format!("T={token}\n").as_bytes(),
    );
    let out = run_in(dir.path(), &["scan", ".", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let found = paths(&json(&out));
    assert_eq!(found.len(), 2, "{found:?}");
    let deep = found
        .iter()
        .find(|p| p.ends_with("/deep.env"))
        .expect("the deep file is found");
    assert!(deep.len() > 4096, "{}", deep.len());
    assert!(json(&out)["stats"]["errors"].as_array().expect("errors").is_empty());
}
