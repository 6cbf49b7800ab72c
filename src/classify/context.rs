//! What the classifier knows of a file's surroundings: its path, how git
//! diffs lines in its repository, and what the other files of the diff did.
//! The core stays pure: the pipeline gathers these facts and hands them in.

use crate::lines::{LineDiff, LineDiffOptions};
use crate::pairs::Status;

/// What the classifier is told about one file.
#[derive(Debug, Clone, Default)]
pub struct Context {
    /// The repository path of the file being classified (to resolve relative imports).
    pub path: String,
    /// Whether the file is added, deleted or changed: every line of an added
    /// or deleted file is new or removed code.
    pub status: Status,
    /// Module-level names renamed in other files of the diff.
    pub renamed_elsewhere: Vec<ModuleRename>,
    /// How git diffs lines in the repository.
    pub line_diff: LineDiffOptions,
    /// The changed lines as git diffed them, when the pipeline has them
    /// (else the classifier diffs the two texts the same way).
    pub runs: Option<LineDiff>,
    /// Private module- and class-level names that other files of the
    /// repository still spell: renaming one is a behaviour change.
    pub spelled_elsewhere: Vec<String>,
}

/// A module-level name renamed in a file: `module` is its dotted module path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModuleRename {
    pub module: String,
    pub from: String,
    pub to: String,
}

/// The dotted module path of a Python file: `app/models.py` → `app.models`,
/// `app/__init__.py` → `app`.
pub fn module_of_path(path: &str) -> String {
    let stem = path.trim_end_matches(".pyi").trim_end_matches(".py");
    let stem = stem.strip_suffix("/__init__").unwrap_or(stem);
    stem.replace('/', ".")
}
