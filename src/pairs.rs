//! File pairs: the old and new content of every changed path, copied out of
//! git2 into owned values so nothing downstream depends on git2's lifetimes.

use std::path::Path;

use git2::{AttrCheckFlags, AttrValue, Blob, Delta, DiffFile, FileMode, Repository};

use crate::error::{Error, Result};
use crate::lines::{self, LineDiff, LineDiffOptions, NewContent};
use crate::source::{NewSide, ResolvedSource};

/// Git reads this many leading bytes to decide whether a file is binary.
const BINARY_SNIFF_BYTES: usize = 8000;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Status {
    Added,
    Deleted,
    #[default]
    Modified,
    Renamed,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Added => "added",
            Status::Deleted => "deleted",
            Status::Modified => "modified",
            Status::Renamed => "renamed",
        }
    }
}

/// What git stores at a path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryKind {
    File,
    /// Content is the link's target, as git stores it.
    Symlink,
    /// Content is `Subproject commit <id>`, as `git diff` shows it.
    Submodule,
}

/// One changed path with both versions of its content.
#[derive(Debug, Clone)]
pub struct FilePair {
    pub path: String,
    pub old_path: String,
    pub status: Status,
    pub kind: EntryKind,
    /// The file mode on each side, as git writes it (`0o100644`; 0 where the
    /// file does not exist).
    pub modes: (u32, u32),
    pub old: Vec<u8>,
    pub new: Vec<u8>,
    pub binary: bool,
    /// Set when only the file mode changed, or why the content was not compared.
    pub note: Option<String>,
    /// The changed lines, as git diffs the two blobs (`None` when the file
    /// is added, deleted, binary or not a file: then nothing is diffed).
    pub line_diff: Option<LineDiff>,
}

/// Loads every delta of a resolved source as an owned pair.
pub fn load<'a>(repo: &'a Repository, source: &'a ResolvedSource<'_>) -> impl Iterator<Item = Result<FilePair>> + 'a {
    source
        .diff
        .deltas()
        .filter(|delta| !matches!(delta.status(), Delta::Unmodified | Delta::Ignored | Delta::Untracked))
        .map(|delta| load_pair(repo, &delta, source.new_side, &source.line_diff))
}

fn load_pair(
    repo: &Repository,
    delta: &git2::DiffDelta<'_>,
    new_side: NewSide,
    line_options: &LineDiffOptions,
) -> Result<FilePair> {
    let (old_file, new_file) = (delta.old_file(), delta.new_file());
    let old_path = path_of(&old_file).or_else(|| path_of(&new_file)).unwrap_or_default();
    let path = path_of(&new_file).unwrap_or_else(|| old_path.clone());
    let status = match delta.status() {
        Delta::Added => Status::Added,
        Delta::Deleted => Status::Deleted,
        Delta::Renamed => Status::Renamed,
        _ => Status::Modified,
    };
    let mut note = None;
    let (old, new) = if delta.status() == Delta::Conflicted {
        note = Some("unmerged path: resolve the conflict to score it".to_owned());
        (Content::default(), Content::default())
    } else {
        let old = if status == Status::Added {
            Content::default()
        } else {
            read_object_side(repo, &old_file)?
        };
        let new = match (status, new_side) {
            (Status::Deleted, _) => Content::default(),
            (_, NewSide::Objects) => read_object_side(repo, &new_file)?,
            (_, NewSide::WorkTree) => read_worktree_side(repo, &new_file, &path)?,
        };
        (old, new)
    };
    let kind = entry_kind(new_file.mode()).max_by_kind(entry_kind(old_file.mode()));
    let both_sides = !matches!(status, Status::Added | Status::Deleted);
    if note.is_none() && both_sides && old.bytes == new.bytes && old_file.mode() != new_file.mode() {
        note = Some(format!(
            "mode changed from {:o} to {:o}",
            u32::from(old_file.mode()),
            u32::from(new_file.mode())
        ));
    }
    let binary = kind == EntryKind::File
        && (old_file.is_binary()
            || new_file.is_binary()
            || looks_binary(&old.bytes)
            || looks_binary(&new.bytes)
            || marked_binary(repo, &path));
    let line_diff = match (&old.blob, &new.blob) {
        _ if binary || !both_sides || kind != EntryKind::File => None,
        (Some(old_blob), Some(new_blob)) => Some(lines::diff_blob(old_blob, NewContent::Blob(new_blob), line_options)),
        (Some(old_blob), None) => Some(lines::diff_blob(old_blob, NewContent::Bytes(&new.bytes), line_options)),
        (None, _) => None,
    };
    Ok(FilePair {
        path,
        old_path,
        status,
        kind,
        modes: (u32::from(old_file.mode()), u32::from(new_file.mode())),
        old: old.bytes,
        new: new.bytes,
        binary,
        note,
        line_diff,
    })
}

impl EntryKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EntryKind::File => "file",
            EntryKind::Symlink => "symlink",
            EntryKind::Submodule => "submodule",
        }
    }

    /// A change between a file and a link or submodule is reported as the special kind.
    fn max_by_kind(self, other: EntryKind) -> EntryKind {
        if self == EntryKind::File { other } else { self }
    }
}

fn entry_kind(mode: FileMode) -> EntryKind {
    match mode {
        FileMode::Link => EntryKind::Symlink,
        FileMode::Commit => EntryKind::Submodule,
        _ => EntryKind::File,
    }
}

fn path_of(file: &DiffFile<'_>) -> Option<String> {
    file.path().map(|p| p.to_string_lossy().replace('\\', "/"))
}

/// One side's content, with its blob when it was read from the object
/// database (git diffs blobs where they are).
#[derive(Default)]
struct Content<'repo> {
    bytes: Vec<u8>,
    blob: Option<Blob<'repo>>,
}

impl Content<'_> {
    fn bytes(bytes: Vec<u8>) -> Self {
        Content { bytes, blob: None }
    }
}

fn read_object_side<'r>(repo: &'r Repository, file: &DiffFile<'_>) -> Result<Content<'r>> {
    if file.id().is_zero() {
        return Ok(Content::default());
    }
    if file.mode() == FileMode::Commit {
        return Ok(Content::bytes(
            format!("Subproject commit {}\n", file.id()).into_bytes(),
        ));
    }
    let blob = repo.find_blob(file.id())?;
    Ok(Content {
        bytes: blob.content().to_vec(),
        blob: Some(blob),
    })
}

fn read_worktree_side<'r>(repo: &'r Repository, file: &DiffFile<'_>, path: &str) -> Result<Content<'r>> {
    if file.mode() == FileMode::Commit {
        return read_object_side(repo, file);
    }
    let workdir = repo.workdir().ok_or(Error::BareRepository("--worktree"))?;
    let full = workdir.join(path);
    let read_error = |source| Error::Read {
        path: path.to_owned(),
        source,
    };
    if file.mode() == FileMode::Link {
        let target = std::fs::read_link(&full).map_err(read_error)?;
        return Ok(Content::bytes(target.to_string_lossy().into_owned().into_bytes()));
    }
    std::fs::read(&full).map(Content::bytes).map_err(read_error)
}

/// Git's own test: a NUL byte near the start means binary.
fn looks_binary(content: &[u8]) -> bool {
    content[..content.len().min(BINARY_SNIFF_BYTES)].contains(&0)
}

/// `.gitattributes` can mark a path binary (`binary`, or `-diff`).
fn marked_binary(repo: &Repository, path: &str) -> bool {
    let flags = AttrCheckFlags::FILE_THEN_INDEX;
    let attr = |name: &str| {
        repo.get_attr(Path::new(path), name, flags)
            .ok()
            .map(AttrValue::from_string)
    };
    matches!(attr("diff"), Some(AttrValue::False)) || matches!(attr("binary"), Some(AttrValue::True))
}
