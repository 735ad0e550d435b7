//! Where scanned bytes came from. Sources produce an [`Origin`]; reports only
//! format it.

use std::path::PathBuf;

/// The source of a blob of scanned bytes.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Origin {
    /// A file on disk (the path as the walker produced it).
    File { path: PathBuf },
    /// Standard input (`hush scan -`).
    Stdin,
}

impl Origin {
    /// The path shown in reports (`-` for stdin).
    pub fn display_path(&self) -> String {
        match self {
            Origin::File { path } => path.display().to_string(),
            Origin::Stdin => "-".to_owned(),
        }
    }
}
