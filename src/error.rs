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
    #[error("another git process is writing the index ({} exists): wait for it, or remove the file if no git process is running", .0.display())]
    IndexLocked(PathBuf),
    #[error("the index changed while the split was being planned: run it again")]
    IndexChanged,
    #[error("the index changed since the last split: undoing it would lose those changes")]
    IndexChangedSinceSplit,
    #[error("nothing to undo: no split saved an index here")]
    NothingToUndo,
    #[error(
        "split rewrites the index, so it takes the staged changes (or --worktree); to see another source without its noise, add --print"
    )]
    SplitNeedsIndex,
    #[error("git: {0}")]
    Git(#[from] git2::Error),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
