//! Documentation written with code is part of it (SPEC, "Never noise"): the
//! docstring of a definition the diff adds (or removes), a docstring edited
//! where the definition's own code changed substantively, and comments added
//! or removed together with code in the same run are `substantive`; so are
//! the comments Python reads (a shebang, an encoding declaration). A docstring added to an existing definition
//! that had none, or a comment added on its own, stays noise: that is the
//! unrequested documentation this tool exists to catch.

use std::collections::HashSet;

use super::align::{Findings, Region, Side};
use super::marks::{FileMarks, Mark, SideMarks};
use super::rows::RowSet;
use crate::label::Label;
use crate::python::{ParsedSource, Role};

/// The definitions whose own code (not counting nested definitions) has a
/// substantive difference, by scope index on each side.
#[derive(Debug, Default)]
pub struct ChangedCode {
    pub old: HashSet<u32>,
    pub new: HashSet<u32>,
}

impl ChangedCode {
    fn side(&self, side: Side) -> &HashSet<u32> {
        match side {
            Side::Old => &self.old,
            Side::New => &self.new,
        }
    }
}

/// Both sides of a file with what the alignment found.
pub struct Documented<'a> {
    pub old: &'a ParsedSource,
    pub new: &'a ParsedSource,
    pub findings: &'a Findings,
    pub changed_code: &'a ChangedCode,
}

impl Documented<'_> {
    fn source(&self, side: Side) -> &ParsedSource {
        match side {
            Side::Old => self.old,
            Side::New => self.new,
        }
    }

    /// Makes substantive the changed docstring rows that belong to new or
    /// removed definitions, or to edited code; and every changed docstring
    /// row of a file that reads its docstrings when it runs.
    pub fn mark_docstrings(&self, marks: &mut FileMarks) {
        let read = reads_docstrings(self.old) || reads_docstrings(self.new);
        for side in [Side::Old, Side::New] {
            let source = self.source(side);
            for token in source.tokens.iter().filter(|token| token.role == Role::Docstring) {
                let side_marks = marks.side(side);
                let noted = token
                    .rows()
                    .any(|row| side_marks.get(row).is_some_and(|mark| mark.label == Label::Docstring));
                if noted && (read || self.belongs_to_code(side, token.scope)) {
                    let substantive = Mark::plain(Label::Substantive);
                    let side_marks = marks.side_mut(side);
                    for row in token.rows() {
                        if side_marks.get(row).is_some() {
                            side_marks.add(row, substantive);
                        }
                    }
                }
            }
        }
    }

    /// Whether the docstring of the definition `scope` on `side` goes with
    /// code: the definition is new (or removed), or its docstring was edited
    /// (not added where there was none) while its own code changed.
    fn belongs_to_code(&self, side: Side, scope: u32) -> bool {
        let source = self.source(side);
        let Some(definition) = source.scopes.get(scope as usize) else {
            return false;
        };
        let Some(name) = definition.name_token else {
            // The module: not a definition the diff adds.
            return false;
        };
        let unmatched = match side {
            Side::Old => &self.findings.removed,
            Side::New => &self.findings.added,
        };
        if unmatched.contains(&(name as usize)) {
            return true;
        }
        let twin = self.twin(side, scope);
        let other = self.source(side.other());
        let added_where_there_was_none =
            side == Side::New && twin.is_some_and(|twin| !other.scopes[twin as usize].documented);
        let code_changed = self.changed_code.side(side).contains(&scope)
            || twin.is_some_and(|twin| self.changed_code.side(side.other()).contains(&twin));
        code_changed && !added_where_there_was_none
    }

    /// The same definition on the other side: the one whose name the
    /// alignment paired with this one's, or the one of the same dotted name.
    fn twin(&self, side: Side, scope: u32) -> Option<u32> {
        let source = self.source(side);
        let other = self.source(side.other());
        let name = source.scopes[scope as usize].name_token? as usize;
        let paired = self
            .findings
            .paired_definitions
            .iter()
            .find_map(|&(old, new)| match side {
                Side::Old => (old == name).then_some(new),
                Side::New => (new == name).then_some(old),
            });
        let by_token = paired.and_then(|token| {
            other
                .scopes
                .iter()
                .position(|scope| scope.name_token == Some(token as u32))
        });
        let qualified_name = &source.scopes[scope as usize].qualified_name;
        by_token
            .or_else(|| {
                other
                    .scopes
                    .iter()
                    .position(|scope| &scope.qualified_name == qualified_name)
            })
            .map(|index| index as u32)
    }
}

/// Whether the file reads docstrings as data when it runs: `__doc__`
/// (docopt's usage, argparse's description, help text); PLY, whose grammar
/// rules and token patterns are docstrings; click and typer, whose commands
/// print their docstrings as `--help`. (`cmd` prints only its `do_*`
/// methods' docstrings: a file-wide rule would misread pdb or pstats.)
fn reads_docstrings(source: &ParsedSource) -> bool {
    spells_doc_outside_prose(&source.text)
        || ["ply", "click", "typer"]
            .iter()
            .any(|module| imports(&source.text, module))
}

/// Whether `__doc__` appears anywhere but in prose: on a comment line, or
/// between backticks (`` `__doc__` ``: a backtick is no Python 3).
fn spells_doc_outside_prose(text: &str) -> bool {
    let bytes = text.as_bytes();
    memchr::memmem::find_iter(bytes, b"__doc__").any(|at| {
        let end = at + b"__doc__".len();
        let backticked = at > 0 && bytes[at - 1] == b'`' && bytes.get(end) == Some(&b'`');
        let line_start = memchr::memrchr(b'\n', &bytes[..at]).map_or(0, |newline| newline + 1);
        let on_comment_line = text[line_start..at].trim_start().starts_with('#');
        !backticked && !on_comment_line
    })
}

/// Whether the text imports `module` or one of its submodules (`import
/// click`, `import os, ply.lex`, `from click import`), on any line.
fn imports(text: &str, module: &str) -> bool {
    let top_level = |path: &str| path.trim().split(['.', ' ']).next() == Some(module);
    crate::lines::lines_containing(text, module).map(str::trim).any(|line| {
        if let Some(modules) = line.strip_prefix("import ") {
            modules.split(',').any(top_level)
        } else if let Some(rest) = line.strip_prefix("from ") {
            top_level(rest)
        } else {
            false
        }
    })
}

/// Makes substantive the comment rows of a region that go with its code:
/// every row whose comment changed on a side that holds substantive code in
/// the region (written with it, inside it or above it; a rename on the same
/// row does not make it noise), and the comments of a side that holds
/// nothing but comments while the other holds code (comments replaced by
/// code, or code commented out). `commented` holds the rows whose comment
/// changed, on each side.
pub fn mark_comments(
    region: &Region,
    changed: (&RowSet, &RowSet),
    commented: (&HashSet<usize>, &HashSet<usize>),
    lines: (&[&[u8]], &[&[u8]]),
    marks: &mut FileMarks,
) {
    let rows = |side: Side| -> Vec<usize> {
        let (rows, changed) = match side {
            Side::Old => (&region.old, changed.0),
            Side::New => (&region.new, changed.1),
        };
        rows.rows().filter(|&row| changed.contains(row)).collect()
    };
    let sides = [
        (Side::Old, rows(Side::Old), lines.0, commented.0),
        (Side::New, rows(Side::New), lines.1, commented.1),
    ];
    let has_code = |marks: &SideMarks, rows: &[usize]| rows.iter().any(|&row| is(marks, row, Label::Substantive));
    let code_on = [has_code(&marks.old, &sides[0].1), has_code(&marks.new, &sides[1].1)];
    for (index, (side, rows, side_lines, commented)) in sides.iter().enumerate() {
        let side_marks = marks.side_mut(*side);
        let blank = |row: usize| side_lines.get(row).is_none_or(|line| line.trim_ascii().is_empty());
        let only_comments = rows
            .iter()
            .all(|&row| blank(row) || is(side_marks, row, Label::Comment));
        let with_code = code_on[index] || (code_on[1 - index] && only_comments);
        for &row in rows {
            let line = side_lines.get(row).copied().unwrap_or_default();
            let comment_only = is(side_marks, row, Label::Comment);
            if (comment_only && is_directive(row, line)) || (with_code && (comment_only || commented.contains(&row))) {
                side_marks.add(row, Mark::plain(Label::Substantive));
            }
        }
    }
}

/// Makes substantive the lines added above a shebang or an encoding
/// declaration that they push out of place: a shebang is read on the first
/// line only, a declaration on the first two (a licence header added on top
/// makes the script a shell script, or the file Latin-1 no longer).
pub fn mark_pushed_directives(lines: (&[&[u8]], &[&[u8]]), new_marks: &mut SideMarks) {
    let (old, new) = lines;
    for (row, line) in old.iter().enumerate().take(2) {
        if !is_directive(row, line) {
            continue;
        }
        let Some(moved_to) = new.iter().position(|other| other == line) else {
            continue;
        };
        let allowed = if line.trim_ascii().starts_with(b"#!") { 0 } else { 1 };
        if moved_to > allowed {
            for above in 0..moved_to {
                if new_marks.get(above).is_some() {
                    new_marks.add(above, Mark::plain(Label::Substantive));
                }
            }
        }
    }
}

/// A comment Python itself reads: a shebang on the first line, or an
/// encoding declaration on one of the first two (`# -*- coding: latin-1 -*-`).
fn is_directive(row: usize, line: &[u8]) -> bool {
    let text = line.trim_ascii();
    let coding = || memchr::memmem::find_iter(text, b"coding").any(|at| matches!(text.get(at + 6), Some(b':' | b'=')));
    (row == 0 && text.starts_with(b"#!")) || (row <= 1 && text.starts_with(b"#") && coding())
}

fn is(marks: &SideMarks, row: usize, label: Label) -> bool {
    marks.get(row).is_some_and(|mark| mark.label == label)
}
