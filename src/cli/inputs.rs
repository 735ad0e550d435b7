//! What each scanning command was asked to scan, in words (`directory src`,
//! `git history of . (range main..HEAD)`, `image app.tar`), kept in the scan's
//! statistics for the reports that tell people what a scan covered (HTML).

use std::path::Path;

use super::{GitArgs, ImageArgs, ScanArgs};

/// `hush scan`: each path named, as a file, a directory or stdin.
pub(super) fn scan(args: &ScanArgs) -> Vec<String> {
    args.paths
        .iter()
        .map(|p| {
            if p == Path::new("-") {
                "standard input".to_owned()
            } else if p.is_dir() {
                format!("directory {}", p.display())
            } else {
                format!("file {}", p.display())
            }
        })
        .collect()
}

/// `hush git`: the repository and which part of its history.
pub(super) fn git(args: &GitArgs) -> Vec<String> {
    let mut what = if args.staged {
        format!("staged changes of git repository {}", args.repo.display())
    } else {
        format!("git history of {}", args.repo.display())
    };
    let mut limits = Vec::new();
    if let Some(range) = &args.range {
        limits.push(format!("range {range}"));
    }
    if !args.branch.is_empty() {
        limits.push(format!("refs {}", args.branch.join(" ")));
    }
    if let Some(since) = args.since {
        limits.push(format!("since {}", hush_scanner::git::rfc3339_utc(since)));
    }
    if args.all_objects {
        limits.push("unreachable objects too".to_owned());
    }
    if !limits.is_empty() {
        what.push_str(&format!(" ({})", limits.join(", ")));
    }
    vec![what]
}

/// `hush image`: each image named, and the platform asked for.
pub(super) fn images(args: &ImageArgs) -> Vec<String> {
    let catalogs = args.registry_catalog.iter().map(|h| format!("registry catalog {h}"));
    args.images
        .iter()
        .map(|i| i.display().to_string())
        .chain(catalogs)
        .map(|what| {
            let what = if what.starts_with("registry catalog") {
                what
            } else {
                format!("image {what}")
            };
            match &args.platform {
                Some(platform) => format!("{what} ({platform})"),
                None => what,
            }
        })
        .collect()
}
