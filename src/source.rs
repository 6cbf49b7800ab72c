//! What is compared: the git source of a run, resolved with git2 to a diff.
//!
//! Mirrors git's habits: no revision compares HEAD with the index (like
//! `git diff --cached`), `--worktree` the index with the working tree (like
//! `git diff`), `REV` its first parent with itself (like `git show`), `A..B`
//! and `A...B` as git reads them.

use std::path::Path;

use git2::{Diff, DiffFindOptions, DiffOptions, Oid, Repository, Tree};

use crate::error::{Error, Result};
use crate::lines::LineDiffOptions;

/// The source named on the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceSpec {
    Staged,
    Worktree,
    Commit(String),
    Range(String, String),
    MergeBase(String, String),
}

impl SourceSpec {
    /// Reads a revision argument: `REV`, `A..B` or `A...B` (an empty side means `HEAD`).
    pub fn from_revision(revision: &str) -> SourceSpec {
        let side = |s: &str| {
            if s.is_empty() { "HEAD".to_owned() } else { s.to_owned() }
        };
        if let Some((a, b)) = revision.split_once("...") {
            SourceSpec::MergeBase(side(a), side(b))
        } else if let Some((a, b)) = revision.split_once("..") {
            SourceSpec::Range(side(a), side(b))
        } else {
            SourceSpec::Commit(revision.to_owned())
        }
    }
}

/// How the two sides of a source are described in reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceInfo {
    /// `staged`, `worktree`, `commit` or `range`.
    pub kind: &'static str,
    pub old: String,
    pub new: String,
}

/// Where the new side's content is read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NewSide {
    /// Blobs in the object database (trees and the index).
    Objects,
    /// Files in the working tree.
    WorkTree,
}

/// A resolved source: the git diff with renames found, and how to read it.
pub struct ResolvedSource<'repo> {
    pub info: SourceInfo,
    pub diff: Diff<'repo>,
    pub new_side: NewSide,
    /// The new side's tree, when it is a commit's (else it is the index, or
    /// the working tree's files the index lists).
    pub new_tree: Option<Oid>,
    /// How git diffs lines in this repository.
    pub line_diff: LineDiffOptions,
}

/// Resolves a source to a diff limited to `pathspecs` (repository-relative).
pub fn resolve<'repo>(
    repo: &'repo Repository,
    spec: &SourceSpec,
    pathspecs: &[String],
) -> Result<ResolvedSource<'repo>> {
    let mut options = DiffOptions::new();
    for pathspec in pathspecs {
        options.pathspec(pathspec);
    }
    // Paths without wildcards are compared as paths (a folder still takes
    // in its files), not run through fnmatch against every file of the diff.
    options.disable_pathspec_match(pathspecs.iter().all(|spec| !spec.contains(['*', '?', '[', '\\'])));
    options.ignore_submodules(false);
    let (info, mut diff, new_side, new_tree) = match spec {
        SourceSpec::Staged => {
            let head = head_tree(repo)?;
            let index = repo.index()?;
            if repo.is_bare() {
                return Err(Error::BareRepository("comparing HEAD with the index"));
            }
            let diff = repo.diff_tree_to_index(head.as_ref(), Some(&index), Some(&mut options))?;
            let old = if head.is_some() { "HEAD" } else { "empty" };
            (info("staged", old, "index"), diff, NewSide::Objects, None)
        }
        SourceSpec::Worktree => {
            if repo.is_bare() {
                return Err(Error::BareRepository("--worktree"));
            }
            let index = repo.index()?;
            let diff = repo.diff_index_to_workdir(Some(&index), Some(&mut options))?;
            (info("worktree", "index", "worktree"), diff, NewSide::WorkTree, None)
        }
        SourceSpec::Commit(rev) => {
            let commit = find_commit(repo, rev)?;
            let parent = commit.parents().next();
            let old_tree = parent.as_ref().map(|p| p.tree()).transpose()?;
            let new_tree = commit.tree()?;
            let diff = repo.diff_tree_to_tree(old_tree.as_ref(), Some(&new_tree), Some(&mut options))?;
            let old = if parent.is_some() {
                format!("{rev}^")
            } else {
                "empty".to_owned()
            };
            (info("commit", &old, rev), diff, NewSide::Objects, Some(new_tree.id()))
        }
        SourceSpec::Range(a, b) => {
            let (old_tree, new_tree) = (find_tree(repo, a)?, find_tree(repo, b)?);
            let diff = repo.diff_tree_to_tree(Some(&old_tree), Some(&new_tree), Some(&mut options))?;
            (info("range", a, b), diff, NewSide::Objects, Some(new_tree.id()))
        }
        SourceSpec::MergeBase(a, b) => {
            let base = repo.merge_base(find_commit(repo, a)?.id(), find_commit(repo, b)?.id())?;
            let old_tree = repo.find_commit(base)?.tree()?;
            let new_tree = find_tree(repo, b)?;
            let diff = repo.diff_tree_to_tree(Some(&old_tree), Some(&new_tree), Some(&mut options))?;
            (
                info("range", &short(base), b),
                diff,
                NewSide::Objects,
                Some(new_tree.id()),
            )
        }
    };
    diff.find_similar(Some(DiffFindOptions::new().renames(true)))?;
    Ok(ResolvedSource {
        info,
        diff,
        new_side,
        new_tree,
        line_diff: LineDiffOptions::from_config(&repo.config()?),
    })
}

fn info(kind: &'static str, old: &str, new: &str) -> SourceInfo {
    SourceInfo {
        kind,
        old: old.to_owned(),
        new: new.to_owned(),
    }
}

fn short(oid: Oid) -> String {
    oid.to_string()[..12].to_owned()
}

/// HEAD's tree, or `None` in a repository with no commit yet.
fn head_tree(repo: &Repository) -> Result<Option<Tree<'_>>> {
    match repo.head() {
        Ok(head) => Ok(Some(head.peel_to_tree()?)),
        Err(e) if matches!(e.code(), git2::ErrorCode::UnbornBranch | git2::ErrorCode::NotFound) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// The commit a revision names, or an error that names the revision.
pub fn find_commit<'r>(repo: &'r Repository, rev: &str) -> Result<git2::Commit<'r>> {
    repo.revparse_single(rev)
        .and_then(|object| object.peel_to_commit())
        .map_err(|e| bad_revision(rev, &e))
}

fn find_tree<'r>(repo: &'r Repository, rev: &str) -> Result<Tree<'r>> {
    repo.revparse_single(rev)
        .and_then(|object| object.peel_to_tree())
        .map_err(|e| bad_revision(rev, &e))
}

/// git2's reason, in git's words where git2's would puzzle: a name that
/// looks like a short object id (`abc`) is reported by libgit2 as an id
/// prefix too short, when no such branch, tag or commit exists.
fn bad_revision(rev: &str, error: &git2::Error) -> Error {
    let unknown_name = matches!(error.code(), git2::ErrorCode::NotFound | git2::ErrorCode::Ambiguous)
        && (error.message().contains("too short") || error.message().starts_with("revspec"));
    let message = if unknown_name {
        "no branch, tag or commit of that name".to_owned()
    } else {
        error.message().to_owned()
    };
    Error::BadRevision {
        rev: rev.to_owned(),
        message,
    }
}

/// Opens the repository containing `folder`, like git does from any sub-folder.
pub fn open(folder: &Path) -> Result<Repository> {
    Repository::discover(folder).map_err(|error| match error.code() {
        git2::ErrorCode::NotFound => Error::NotARepository(folder.to_owned()),
        _ => Error::OpenRepository {
            folder: folder.to_owned(),
            message: error.message().to_owned(),
        },
    })
}

/// Turns command-line paths (relative to the current folder) into
/// repository-relative pathspecs.
pub fn pathspecs(repo: &Repository, cwd: &Path, paths: &[String]) -> Vec<String> {
    let prefix = repo
        .workdir()
        .and_then(|workdir| {
            let workdir = workdir.canonicalize().ok()?;
            let cwd = cwd.canonicalize().ok()?;
            cwd.strip_prefix(&workdir).ok().map(Path::to_path_buf)
        })
        .unwrap_or_default();
    paths
        .iter()
        .map(|path| {
            let spec = normalize(&prefix.join(path));
            if spec.is_empty() { "*".to_owned() } else { spec }
        })
        .collect()
}

/// Resolves `.` and `..` in a relative path and joins it with `/`, as git spells paths.
fn normalize(path: &Path) -> String {
    let mut parts: Vec<String> = Vec::new();
    for component in path.components() {
        match component {
            std::path::Component::ParentDir => {
                parts.pop();
            }
            std::path::Component::Normal(part) => parts.push(part.to_string_lossy().into_owned()),
            _ => {}
        }
    }
    parts.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn revision_arguments_read_like_git() {
        assert_eq!(SourceSpec::from_revision("HEAD~1"), SourceSpec::Commit("HEAD~1".into()));
        assert_eq!(
            SourceSpec::from_revision("main..topic"),
            SourceSpec::Range("main".into(), "topic".into())
        );
        assert_eq!(
            SourceSpec::from_revision("main...topic"),
            SourceSpec::MergeBase("main".into(), "topic".into())
        );
        assert_eq!(
            SourceSpec::from_revision("main.."),
            SourceSpec::Range("main".into(), "HEAD".into())
        );
    }

    #[test]
    fn paths_are_normalised_like_git_pathspecs() {
        assert_eq!(normalize(Path::new("app/./views/../models.py")), "app/models.py");
        assert_eq!(normalize(Path::new("app/..")), "");
    }
}
