//! Where a scanned repository lives, for SARIF's `versionControlProvenance`: the
//! URL of its default remote (usually `origin`) with any user name and password
//! removed, written as a URI (`git@host:org/repo.git` becomes
//! `ssh://host/org/repo.git`), and HEAD's commit and branch. Read from the
//! repository's own config only; nothing when it has no remote.

use crate::stats::RepositoryInfo;

pub(super) fn repository_info(repo: &gix::Repository) -> Option<RepositoryInfo> {
    let remote = repo.find_default_remote(gix::remote::Direction::Fetch)?.ok()?;
    let uri = public_uri(remote.url(gix::remote::Direction::Fetch)?)?;
    Some(RepositoryInfo {
        uri,
        revision: repo.head_id().ok().map(|id| id.to_string()),
        branch: repo.head_name().ok().flatten().map(|name| name.shorten().to_string()),
    })
}

/// `url` as a URI without credentials; `None` where it cannot be one (a
/// relative local path).
fn public_uri(url: &gix::Url) -> Option<String> {
    let path = url.path.to_string().replace(' ', "%20");
    let Some(host) = url.host() else {
        return path.starts_with('/').then(|| format!("file://{path}"));
    };
    let port = url.port.map(|p| format!(":{p}")).unwrap_or_default();
    let slash = if path.starts_with('/') { "" } else { "/" };
    Some(format!("{}://{host}{port}{slash}{path}", url.scheme.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uri(text: &str) -> Option<String> {
        public_uri(&gix::url::parse(gix::bstr::BStr::new(text)).expect("a git URL"))
    }

    #[test]
    fn credentials_are_removed_and_scp_urls_become_uris() {
        assert_eq!(
            uri("https://bot:hunter2hunter2@git.example.com/org/repo.git").as_deref(),
            Some("https://git.example.com/org/repo.git")
        );
        assert_eq!(
            uri("git@github.com:org/repo.git").as_deref(),
            Some("ssh://github.com/org/repo.git")
        );
        assert_eq!(
            uri("ssh://git@host:2222/srv/repo").as_deref(),
            Some("ssh://host:2222/srv/repo")
        );
        assert_eq!(uri("/srv/repos/app.git").as_deref(), Some("file:///srv/repos/app.git"));
    }
}
