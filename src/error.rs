//! The library's errors: each one says what was wrong in words a user can act on.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("not a git repository (or any parent folder): {}", .0.display())]
    NotARepository(PathBuf),
    #[error("cannot open the repository at {}: {message}", folder.display())]
    OpenRepository { folder: PathBuf, message: String },
    #[error("unknown revision `{rev}`: {message}")]
    BadRevision { rev: String, message: String },
    #[error("{0} needs a working tree, and this repository is bare; name a commit or a range instead")]
    BareRepository(&'static str),
    #[error("cannot read `{path}`: {source}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("git: {0}")]
    Git(#[from] git2::Error),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
