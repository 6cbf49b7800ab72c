//! The classification core: two versions of a file in, labelled changes out.
//!
//! Pure: no I/O, no git. The line diff decides which rows changed; for Python
//! the token alignment of each changed region decides why, and every changed
//! row ends with exactly one label. Other text gets line-level analysis.

pub mod align;
pub mod changes;
pub mod marks;
mod rename;
mod text;

use std::ops::Range;

use align::{Findings, Kind, Region, Side, align_region, tokens_on_rows};
pub use changes::{Change, Detail, LineRange, Note};
use marks::{FileMarks, Mark, SideMarks};
use rename::Verdict;

use crate::label::Label;
use crate::lines::{LineDiff, Run, diff_lines, split_lines};
use crate::python::{self, ParsedSource};

/// Above this size a file is analysed line by line only, so one generated
/// file cannot make a commit hook slow.
pub const MAX_PARSE_BYTES: usize = 4 * 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    Python,
    Text,
}

impl Language {
    pub fn as_str(self) -> &'static str {
        match self {
            Language::Python => "python",
            Language::Text => "text",
        }
    }
}

/// The labelled changes of one file.
#[derive(Debug, Clone)]
pub struct Analysis {
    pub language: Language,
    /// Whether both sides were parsed (Python only).
    pub parsed: bool,
    /// Whether either side has syntax errors (it is still analysed as far as the tree allows).
    pub parse_errors: bool,
    /// Why a file of a parsed language was analysed line by line, if it was.
    pub fallback: Option<&'static str>,
    pub diff: LineDiff,
    pub marks: FileMarks,
    pub changes: Vec<Change>,
}

impl Analysis {
    pub fn changed_lines(&self) -> usize {
        self.diff.removed() + self.diff.added()
    }
}

/// Classifies every changed line between two versions of a file.
pub fn classify(old: &[u8], new: &[u8], language: Language) -> Analysis {
    let old_lines = split_lines(old);
    let new_lines = split_lines(new);
    let diff = diff_lines(old, new);
    let mut marks = FileMarks {
        old: SideMarks::new(old_lines.len()),
        new: SideMarks::new(new_lines.len()),
    };
    let regions: Vec<(Range<usize>, Range<usize>)> = diff
        .runs
        .iter()
        .map(|run| (run.old.clone(), run.new.clone()))
        .collect();
    let mut analysis = Analysis {
        language,
        parsed: false,
        parse_errors: false,
        fallback: None,
        diff,
        marks: FileMarks::default(),
        changes: Vec::new(),
    };
    let parsed = match language {
        Language::Python => parse_both(old, new)
            .map_err(|reason| analysis.fallback = Some(reason))
            .ok(),
        Language::Text => None,
    };
    let mut notes = Vec::new();
    match &parsed {
        Some((old_source, new_source)) if !analysis.diff.runs.is_empty() => {
            analysis.parsed = true;
            analysis.parse_errors = old_source.parse_errors || new_source.parse_errors;
            notes = mark_python(old_source, new_source, &analysis.diff.runs, &mut marks);
        }
        Some(_) => analysis.parsed = true,
        None => text::mark_runs(&analysis.diff.runs, &old_lines, &new_lines, &mut marks),
    }
    marks::complete(&mut marks, &analysis.diff.runs, &old_lines, &new_lines);
    let scope_of = |side: Side, row: usize| {
        let (old_source, new_source) = parsed.as_ref()?;
        let source = match side {
            Side::Old => old_source,
            Side::New => new_source,
        };
        scope_name(source, row)
    };
    analysis.changes = changes::group(&regions, &marks, &notes, &scope_of);
    analysis.marks = marks;
    analysis
}

fn parse_both(old: &[u8], new: &[u8]) -> Result<(ParsedSource, ParsedSource), &'static str> {
    if old.len().max(new.len()) > MAX_PARSE_BYTES {
        return Err("file too large to parse: analysed line by line");
    }
    let (Ok(old), Ok(new)) = (std::str::from_utf8(old), std::str::from_utf8(new)) else {
        return Err("not valid UTF-8: analysed line by line");
    };
    match (python::parse(old), python::parse(new)) {
        (Some(old), Some(new)) => Ok((old, new)),
        _ => Err("the parser gave up: analysed line by line"),
    }
}

/// Marks the changed rows of a Python file and returns the notes the marks refer to.
fn mark_python(
    old: &ParsedSource,
    new: &ParsedSource,
    runs: &[Run],
    marks: &mut FileMarks,
) -> Vec<Note> {
    let mut findings = Findings::default();
    for run in runs {
        let region = Region {
            old: run.old.clone(),
            new: run.new.clone(),
        };
        align_region(old, new, &region, &mut findings);
    }
    let (verdicts, notes) = rename::verify(old, new, &findings.substitutions);
    for difference in &findings.differences {
        let mark = match difference.kind {
            Kind::Label(label) => Mark::plain(label),
            Kind::Substitution(index) => match verdicts[index] {
                Verdict::Rename(note) => Mark {
                    label: Label::Rename,
                    note: Some(note),
                },
                Verdict::Annotation => Mark::plain(Label::Annotation),
                Verdict::Substantive => Mark::plain(Label::Substantive),
            },
        };
        let side = match difference.side {
            Side::Old => &mut marks.old,
            Side::New => &mut marks.new,
        };
        side.add(difference.row, mark);
    }
    notes
}

/// The qualified name of the definition enclosing a row, if any.
fn scope_name(source: &ParsedSource, row: usize) -> Option<String> {
    let span = tokens_on_rows(&source.tokens, &(row..row + 1));
    let token = source.tokens.get(span.start).filter(|_| !span.is_empty())?;
    let scope = &source.scopes[token.scope as usize];
    (!scope.qualified_name.is_empty()).then(|| scope.qualified_name.clone())
}

#[cfg(test)]
mod tests;
