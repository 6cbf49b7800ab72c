//! Where private names are still spelled in the rest of the repository.
//!
//! A private module- or class-level name renamed consistently in its file is
//! still a behaviour change when another module imports it, names it in a
//! string or reaches it with `getattr` (SPEC, "Never noise"). This module
//! reads the new side of the source (the index, the working tree, or the new
//! commit's tree) and says which files spell each name as a whole word. It
//! runs only when a private rename was found, reads the repository's text
//! files (never through a link), and is bounded: past the bound every name counts as
//! spelled elsewhere, so the answer errs toward `substantive`.

use std::path::Path;

use git2::{ObjectType, Oid, Repository, TreeWalkMode, TreeWalkResult};
use memchr::memmem::Finder;

use crate::error::Result;
use crate::python::tokens::is_whole_word;
use crate::score::Spellings;
use crate::source::{NewSide, ResolvedSource};

/// File types where text can spell a Python name: modules and stubs,
/// configuration that names callables, scripts and build files that run
/// `python -m`, notebooks and documentation; files without an extension
/// too (scripts, `Makefile`, `Dockerfile`). Data and binary files are not
/// read (a model or a dataset can be gigabytes).
const SEARCHED_EXTENSIONS: &[&str] = &[
    "py", "pyi", "pyx", "pxd", "toml", "cfg", "ini", "yaml", "yml", "json", "html", "sh", "bash", "zsh", "mk", "cmake",
    "conf", "env", "in", "txt", "md", "rst", "ipynb", "j2", "jinja", "jinja2", "tpl", "spec", "bat", "ps1",
];

/// How many leading bytes tell a binary file (one with a NUL byte), as git
/// decides.
const BINARY_PROBE: usize = 8000;

/// How much of a repository is read before giving up (then every name
/// counts as spelled elsewhere).
const MAX_FILES: usize = 50_000;
const MAX_BYTES: usize = 256 * 1024 * 1024;

/// The path recorded when the bound is reached: it is no file of the diff.
pub const TOO_LARGE: &str = "(repository too large to search)";

/// Which files of the new side (the diff's own files included, as they are
/// after it) spell each of `names`.
pub fn find(repo: &Repository, source: &ResolvedSource<'_>, names: &[String]) -> Result<Spellings> {
    let mut search = Search::new(names);
    let mut candidates: Vec<(String, Oid)> = Vec::new();
    match source.new_tree {
        Some(tree) => {
            repo.find_tree(tree)?.walk(TreeWalkMode::PreOrder, |folder, entry| {
                // Regular files only: a link's blob is its target's path.
                if entry.kind() == Some(ObjectType::Blob) && entry.filemode() & 0o170000 == 0o100000 {
                    let path = format!("{folder}{}", entry.name().unwrap_or_default());
                    candidates.push((path, entry.id()));
                }
                TreeWalkResult::Ok
            })?;
        }
        None => {
            let index = repo.index()?;
            candidates.extend(
                index
                    .iter()
                    .filter(|entry| entry.flags & 0x3000 == 0 && entry.mode & 0o170000 == 0o100000)
                    .map(|entry| (String::from_utf8_lossy(&entry.path).into_owned(), entry.id)),
            );
        }
    }
    let workdir = repo.workdir().filter(|_| source.new_side == NewSide::WorkTree);
    for (path, id) in candidates {
        if !searched(&path) {
            continue;
        }
        if search.exhausted() {
            return Ok(search.too_large());
        }
        let content = match workdir {
            Some(workdir) => read_regular_file(&workdir.join(&path)),
            None => repo
                .find_blob(id)
                .map(|blob| blob.content().to_vec())
                .unwrap_or_default(),
        };
        search.file(&path, &content);
    }
    Ok(search.found)
}

/// A working-tree file's content, or nothing when it is no regular file
/// (a link to a device would never end).
fn read_regular_file(path: &Path) -> Vec<u8> {
    match std::fs::symlink_metadata(path) {
        Ok(metadata) if metadata.is_file() => std::fs::read(path).unwrap_or_default(),
        _ => Vec::new(),
    }
}

fn searched(path: &str) -> bool {
    let extension = Path::new(path).extension().and_then(|extension| extension.to_str());
    extension.is_none_or(|extension| SEARCHED_EXTENSIONS.contains(&extension.to_ascii_lowercase().as_str()))
}

/// Whole-word searches for a few names over many files.
struct Search<'n> {
    finders: Vec<(&'n str, Finder<'n>)>,
    found: Spellings,
    files: usize,
    bytes: usize,
}

impl<'n> Search<'n> {
    fn new(names: &'n [String]) -> Self {
        Search {
            finders: names
                .iter()
                .map(|name| (name.as_str(), Finder::new(name.as_bytes())))
                .collect(),
            found: Spellings::new(),
            files: 0,
            bytes: 0,
        }
    }

    fn file(&mut self, path: &str, content: &[u8]) {
        self.files += 1;
        self.bytes += content.len();
        if content[..content.len().min(BINARY_PROBE)].contains(&0) {
            return;
        }
        for (name, finder) in &self.finders {
            if finder
                .find_iter(content)
                .any(|at| is_whole_word(content, at, name.len()))
            {
                self.found.entry((*name).to_owned()).or_default().push(path.to_owned());
            }
        }
    }

    fn exhausted(&self) -> bool {
        self.files >= MAX_FILES || self.bytes >= MAX_BYTES
    }

    /// Every name spelled by a file no diff holds: the answer that errs
    /// toward `substantive`.
    fn too_large(mut self) -> Spellings {
        for (name, _) in &self.finders {
            self.found
                .entry((*name).to_owned())
                .or_default()
                .push(TOO_LARGE.to_owned());
        }
        self.found
    }
}
