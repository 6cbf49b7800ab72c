//! Line-level analysis for files that are not parsed: whitespace-only edits
//! are `formatting`, a whole-line comment in a file type whose comments start
//! with `#` is `comment`, everything else `substantive`. Blank rows are left
//! to the blank-line rule (they follow the nearest changed line).

use super::marks::{FileMarks, Mark};
use crate::label::Label;
use crate::lines::{Run, diff_line_slices};

/// File types whose comments are lines starting with `#`, by extension.
const HASH_COMMENT_EXTENSIONS: &[&str] = &["toml", "ini", "cfg", "conf", "yaml", "yml", "sh", "bash", "zsh"];

/// The same, by whole file name (dotfiles and files without an extension).
const HASH_COMMENT_NAMES: &[&str] = &[
    ".coveragerc",
    ".dockerignore",
    ".editorconfig",
    ".flake8",
    ".gitignore",
    ".pylintrc",
    "Dockerfile",
];

/// pip's requirements and constraints files: `requirements.txt`,
/// `requirements-dev.txt`, `requirements/base.in`...
const REQUIREMENTS_PREFIXES: &[&str] = &["requirements", "constraints"];

/// Whether whole-line `#` comments are comments in the file at `path`.
pub fn has_hash_comments(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    let extension = name.rsplit_once('.').map(|(_, extension)| extension);
    let requirements = REQUIREMENTS_PREFIXES.iter().any(|prefix| {
        (name.starts_with(prefix) && matches!(extension, Some("txt" | "in")))
            || path.split('/').rev().nth(1) == Some(prefix)
    });
    HASH_COMMENT_NAMES.contains(&name)
        || extension.is_some_and(|extension| HASH_COMMENT_EXTENSIONS.contains(&extension))
        || requirements
}

/// Marks the rows of each run: a row whose text, without whitespace, is
/// matched by a row on the other side is layout; a whole-line comment (when
/// `hash_comments`) is a comment; the rest is substantive.
pub fn mark_runs(runs: &[Run], old_lines: &[&[u8]], new_lines: &[&[u8]], hash_comments: bool, marks: &mut FileMarks) {
    for run in runs {
        let old: Vec<Vec<u8>> = old_lines[run.old.clone()].iter().map(|l| squeeze(l)).collect();
        let new: Vec<Vec<u8>> = new_lines[run.new.clone()].iter().map(|l| squeeze(l)).collect();
        let mut old_changed = vec![false; old.len()];
        let mut new_changed = vec![false; new.len()];
        for inner in diff_line_slices(&old, &new).runs {
            inner.old.for_each(|i| old_changed[i] = true);
            inner.new.for_each(|i| new_changed[i] = true);
        }
        let label = |row: usize, text: &[u8], changed: bool| {
            if !changed {
                Label::Formatting
            } else if hash_comments && is_comment_line(row, text) {
                Label::Comment
            } else {
                Label::Substantive
            }
        };
        for (i, (text, changed)) in old.iter().zip(old_changed).enumerate() {
            if !text.is_empty() {
                let row = run.old.start + i;
                marks.old.add(row, Mark::plain(label(row, text, changed)));
            }
        }
        for (i, (text, changed)) in new.iter().zip(new_changed).enumerate() {
            if !text.is_empty() {
                let row = run.new.start + i;
                marks.new.add(row, Mark::plain(label(row, text, changed)));
            }
        }
    }
}

/// A line (without whitespace) that is a `#` comment; a shebang on the first
/// line chooses the interpreter, so it is code.
fn is_comment_line(row: usize, squeezed: &[u8]) -> bool {
    squeezed.starts_with(b"#") && !(row == 0 && squeezed.starts_with(b"#!"))
}

fn squeeze(line: &[u8]) -> Vec<u8> {
    line.iter().copied().filter(|b| !b.is_ascii_whitespace()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::marks::SideMarks;

    #[test]
    fn comment_syntax_is_known_by_file_type() {
        for path in [
            "pyproject.toml",
            "setup.cfg",
            "tox.ini",
            ".github/workflows/ci.yml",
            "scripts/release.sh",
            "requirements.txt",
            "requirements-dev.txt",
            "requirements/base.txt",
            "constraints.in",
            ".gitignore",
            "docker/Dockerfile",
        ] {
            assert!(has_hash_comments(path), "{path}");
        }
        for path in ["README.md", "notes.txt", "app.js", "data.json", "Makefile.am"] {
            assert!(!has_hash_comments(path), "{path}");
        }
    }

    #[test]
    fn comment_lines_are_comments_and_a_shebang_is_code() {
        let old: Vec<&[u8]> = vec![b"#!/bin/sh\n", b"set -e\n"];
        let new: Vec<&[u8]> = vec![b"#!/bin/bash\n", b"# stop on errors\n", b"\n", b"set  -e\n"];
        let mut marks = FileMarks {
            old: SideMarks::new(2),
            new: SideMarks::new(4),
        };
        let run = Run { old: 0..2, new: 0..4 };
        mark_runs(&[run], &old, &new, true, &mut marks);
        let labels: Vec<Option<Label>> = (0..4).map(|r| marks.new.get(r).map(|m| m.label)).collect();
        assert_eq!(
            labels,
            [
                Some(Label::Substantive),
                Some(Label::Comment),
                None,
                Some(Label::Formatting)
            ]
        );
    }
}
