//! Writing the middle versions to the index the way git does, and undoing it.
//!
//! Everything is computed first: the blobs go to the object database (which
//! only grows), the new index is built in memory from the one the split was
//! planned on, and the index file is replaced last, by libgit2 under git's
//! `index.lock` (another git process holding the lock makes the split fail
//! with nothing written). The replaced index is saved byte for byte under
//! `.git/diffscore/split/` first, so `diffscore split --undo` can put it
//! back, under the same lock, if nothing changed the index since.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use git2::{IndexEntry, Oid, Repository};

use super::{FilePlan, Outcome};
use crate::error::{Error, Result};

/// Index entry flag (extended): added with `git add -N`, content not staged.
const INTENT_TO_ADD: u16 = 1 << 13;
/// Where a conflicted entry keeps its stage in the flags.
const STAGE_MASK: u16 = 0x3000;

/// The files whose index entry the split replaced.
#[derive(Debug, Default)]
pub struct Written {
    pub paths: Vec<String>,
}

/// Replaces each split file's index entry with its middle version.
/// `planned` is the index file as it was when the split was planned: if
/// anything changed it since, nothing is written.
pub fn write(repo: &Repository, plans: &mut [FilePlan], planned: &[u8]) -> Result<Written> {
    let mut index = repo.index()?;
    let mut written = Written::default();
    for plan in plans.iter_mut() {
        let Outcome::Split(middle) = &plan.outcome else {
            continue;
        };
        let entry = match entry_to_replace(&index, &plan.path) {
            Ok(entry) => entry,
            Err(why) => {
                plan.outcome = Outcome::Skipped(why);
                continue;
            }
        };
        let blob = repo.blob(middle)?;
        index.add(&with_content(entry, blob, middle.len()))?;
        written.paths.push(plan.path.clone());
    }
    if written.paths.is_empty() {
        return Ok(written);
    }
    let file = index_file(repo)?;
    if fs::read(&file).map_err(|source| read_error(&file, source))? != planned {
        return Err(Error::IndexChanged);
    }
    let saved = Saved::at(repo);
    saved.store(planned)?;
    index.write().map_err(|error| lock_error(&file, error))?;
    saved.store_after(&fs::read(&file).map_err(|source| read_error(&file, source))?)?;
    Ok(written)
}

/// The stage-0 entry of `path`, if a split may replace it: not in conflict,
/// not added with `--intent-to-add`, a regular file.
fn entry_to_replace(index: &git2::Index, path: &str) -> std::result::Result<IndexEntry, String> {
    let conflicted = index
        .iter()
        .any(|entry| entry.path == path.as_bytes() && entry.flags & STAGE_MASK != 0);
    if conflicted {
        return Err("unmerged in the index".to_owned());
    }
    let entry = index
        .get_path(Path::new(path), 0)
        .ok_or_else(|| "not in the index".to_owned())?;
    if entry.flags_extended & INTENT_TO_ADD != 0 {
        return Err("added with --intent-to-add".to_owned());
    }
    if entry.mode & 0o170000 != 0o100000 {
        return Err("not a regular file in the index".to_owned());
    }
    Ok(entry)
}

/// An index entry pointing at other content. Its saved file status goes,
/// so that git compares the working tree's file again instead of trusting
/// the status matched the entry.
fn with_content(mut entry: IndexEntry, blob: Oid, size: usize) -> IndexEntry {
    entry.id = blob;
    entry.file_size = u32::try_from(size).unwrap_or(u32::MAX);
    entry.ctime = git2::IndexTime::new(0, 0);
    entry.mtime = git2::IndexTime::new(0, 0);
    entry.dev = 0;
    entry.ino = 0;
    entry
}

/// Puts back the index a split replaced, byte for byte, if the index is
/// still the one the split wrote.
pub fn undo(repo: &Repository) -> Result<()> {
    let saved = Saved::at(repo);
    let (before, after) = saved.load()?;
    let file = index_file(repo)?;
    let current = fs::read(&file).map_err(|source| read_error(&file, source))?;
    if Oid::hash_object(git2::ObjectType::Blob, &current)? != after {
        return Err(Error::IndexChangedSinceSplit);
    }
    replace_under_lock(&file, &before)?;
    saved.forget()
}

/// Writes `content` as the new `file` the way git does: into `file.lock`,
/// created only if no other process holds it, then renamed over `file`.
fn replace_under_lock(file: &Path, content: &[u8]) -> Result<()> {
    let lock = lock_path(file);
    let mut handle = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&lock)
        .map_err(|source| match source.kind() {
            std::io::ErrorKind::AlreadyExists => Error::IndexLocked(lock.clone()),
            _ => read_error(&lock, source),
        })?;
    let written = handle.write_all(content).and_then(|()| handle.sync_all());
    drop(handle);
    if let Err(source) = written.and_then(|()| fs::rename(&lock, file)) {
        let _ = fs::remove_file(&lock);
        return Err(read_error(file, source));
    }
    Ok(())
}

fn index_file(repo: &Repository) -> Result<PathBuf> {
    Ok(repo
        .index()?
        .path()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| repo.path().join("index")))
}

fn lock_path(file: &Path) -> PathBuf {
    let mut lock = file.as_os_str().to_owned();
    lock.push(".lock");
    PathBuf::from(lock)
}

fn lock_error(file: &Path, error: git2::Error) -> Error {
    if error.code() == git2::ErrorCode::Locked || lock_path(file).exists() {
        Error::IndexLocked(lock_path(file))
    } else {
        Error::Git(error)
    }
}

fn read_error(path: &Path, source: std::io::Error) -> Error {
    Error::Read {
        path: path.display().to_string(),
        source,
    }
}

/// The index a split replaced, kept in `.git/diffscore/split/`.
struct Saved {
    folder: PathBuf,
}

impl Saved {
    fn at(repo: &Repository) -> Saved {
        Saved {
            folder: repo.path().join("diffscore").join("split"),
        }
    }

    fn before(&self) -> PathBuf {
        self.folder.join("index-before")
    }

    fn after(&self) -> PathBuf {
        self.folder.join("index-after")
    }

    /// Saves the index about to be replaced (written aside, then renamed).
    fn store(&self, index: &[u8]) -> Result<()> {
        fs::create_dir_all(&self.folder).map_err(|source| read_error(&self.folder, source))?;
        let temporary = self.folder.join("index-before.tmp");
        fs::write(&temporary, index)
            .and_then(|()| fs::rename(&temporary, self.before()))
            .map_err(|source| read_error(&self.before(), source))?;
        let _ = fs::remove_file(self.after());
        Ok(())
    }

    /// Records which index the split wrote (its hash), for `--undo`.
    fn store_after(&self, index: &[u8]) -> Result<()> {
        let hash = Oid::hash_object(git2::ObjectType::Blob, index)?;
        fs::write(self.after(), hash.to_string()).map_err(|source| read_error(&self.after(), source))
    }

    fn load(&self) -> Result<(Vec<u8>, Oid)> {
        let (Ok(before), Ok(after)) = (fs::read(self.before()), fs::read_to_string(self.after())) else {
            return Err(Error::NothingToUndo);
        };
        let after = Oid::from_str(after.trim()).map_err(|_| Error::NothingToUndo)?;
        Ok((before, after))
    }

    fn forget(&self) -> Result<()> {
        for file in [self.before(), self.after()] {
            fs::remove_file(&file).map_err(|source| read_error(&file, source))?;
        }
        Ok(())
    }
}
