//! `hush install-hook`: writes a plain git hook that runs hush, for teams that do
//! not use the pre-commit framework. The pre-commit hook scans what is staged;
//! the pre-push hook scans the commits each pushed ref adds over what the remote
//! has. The hook calls this hush binary by its absolute path, and `hush` from
//! PATH if that file is gone.
//!
//! The hooks directory is the one git uses (`git rev-parse --git-path hooks`:
//! `core.hooksPath`, worktrees and submodules included). An existing hook is
//! never overwritten unless `--force` (it is then kept as `<hook>.hush-backup`);
//! a hook this command wrote before is replaced, so upgrading is one command.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};

use super::{InstallHookArgs, EXIT_CLEAN};

/// The line that marks a hook as written by this command.
const MARKER: &str = "written by `hush install-hook`";

pub(super) fn install_hook(args: &InstallHookArgs) -> Result<i32> {
    let name = if args.pre_push { "pre-push" } else { "pre-commit" };
    let hooks = hooks_dir(&args.repo)?;
    let hook = hooks.join(name);
    if let Ok(existing) = std::fs::read_to_string(&hook) {
        if !existing.contains(MARKER) {
            if !args.force {
                bail!(
                    "{} already exists and was not written by hush; add --force to replace it \
                     (it is kept as {name}.hush-backup), or call hush from it: {}",
                    hook.display(),
                    if args.pre_push {
                        "see the pre-push script in the README"
                    } else {
                        "hush git --staged"
                    }
                );
            }
            let backup = hooks.join(format!("{name}.hush-backup"));
            std::fs::rename(&hook, &backup)
                .with_context(|| format!("keeping {} as {}", hook.display(), backup.display()))?;
            eprintln!("hush: kept the old hook as {}", super::shown_path(&backup));
        }
    } else if hook.symlink_metadata().is_ok() && !args.force {
        bail!(
            "{} exists and is not a readable file; add --force to replace it",
            hook.display()
        );
    }
    std::fs::create_dir_all(&hooks).with_context(|| format!("creating {}", hooks.display()))?;
    let hush = std::env::current_exe().context("finding this hush binary")?;
    let script = if args.pre_push {
        pre_push_script(&hush)
    } else {
        pre_commit_script(&hush)
    };
    write_executable(&hook, &script)?;
    eprintln!("hush: installed {}", super::shown_path(&hook));
    Ok(EXIT_CLEAN)
}

/// Where git looks for hooks in `repo`.
fn hooks_dir(repo: &Path) -> Result<PathBuf> {
    let output = Command::new("git")
        .arg("-C")
        .arg(repo)
        .args(["rev-parse", "--path-format=absolute", "--git-path", "hooks"])
        .output()
        .context("running git (install-hook needs git on PATH)")?;
    if !output.status.success() {
        bail!(
            "{} is not in a git repository: {}",
            repo.display(),
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    let text = String::from_utf8(output.stdout).context("git printed a hooks path that is not UTF-8")?;
    Ok(PathBuf::from(text.trim_end_matches(['\n', '\r'])))
}

fn write_executable(path: &Path, text: &str) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let _ = std::fs::remove_file(path);
    std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))
        .with_context(|| format!("making {} executable", path.display()))
}

/// `path` as one single-quoted shell word.
fn shell_quote(path: &Path) -> String {
    format!("'{}'", path.display().to_string().replace('\'', r"'\''"))
}

fn preamble(hush: &Path, what: &str) -> String {
    format!(
        "#!/bin/sh\n\
         # hush {what} hook, {MARKER}.\n\
         # Bypass it once with --no-verify; remove this file to uninstall.\n\
         hush={}\n\
         [ -x \"$hush\" ] || hush=hush\n",
        shell_quote(hush)
    )
}

fn pre_commit_script(hush: &Path) -> String {
    preamble(hush, "pre-commit") + "exec \"$hush\" git --staged .\n"
}

/// git passes `<local ref> <local oid> <remote ref> <remote oid>` lines on stdin.
/// A ref the remote has is scanned as `--range remote..local`; a new ref (or one
/// whose remote commit this clone lacks, after a force-push elsewhere) as the
/// commits no remote-tracking ref of that remote reaches; deletions not at all.
fn pre_push_script(hush: &Path) -> String {
    preamble(hush, "pre-push")
        + r#"remote="$1"
zero=$(git hash-object --stdin </dev/null | tr '0-9a-f' '0')
status=0
while read -r local_ref local_oid remote_ref remote_oid; do
    [ "$local_oid" = "$zero" ] && continue
    if [ "$remote_oid" != "$zero" ] && git cat-file -e "$remote_oid^{commit}" 2>/dev/null; then
        "$hush" git --range "$remote_oid..$local_oid" . || status=$?
    else
        # shellcheck disable=SC2046
        "$hush" git --branch "$local_oid" \
            $(git for-each-ref --format='--branch=^%(objectname)' "refs/remotes/$remote") . || status=$?
    fi
done
exit $status
"#
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_quoted_for_the_shell() {
        assert_eq!(shell_quote(Path::new("/opt/it's/hush")), r"'/opt/it'\''s/hush'");
        assert!(pre_commit_script(Path::new("/x/hush")).contains("hush='/x/hush'"));
    }
}
