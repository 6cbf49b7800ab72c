//! How much of a Python file to parse: only the statements a diff touches
//! when that is enough, the whole file when a classifier needs it.

use std::ops::Range;

use super::regions::MAX_CONTEXT;
use crate::lines::Run;
use crate::python::chunks::{Chunks, Selection, defined_name};
use crate::python::{self, ParsedSource};

/// Above this size a file is analysed line by line only, so one generated
/// file cannot make a commit hook slow.
pub const MAX_PARSE_BYTES: usize = 4 * 1024 * 1024;

/// How much of a Python file to parse.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Parsing<'a> {
    /// Only the statements the diff touches (and those that mention some
    /// names), when that is enough.
    Touched(&'a Mentions),
    Whole,
}

/// Names whose every mention a classifier must see, on each side.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Mentions {
    pub old: Vec<String>,
    pub new: Vec<String>,
}

impl Mentions {
    pub fn is_empty(&self) -> bool {
        self.old.is_empty() && self.new.is_empty()
    }

    /// These mentions and more names on each side.
    pub fn with(mut self, old: &[String], new: &[String]) -> Mentions {
        self.old.extend_from_slice(old);
        self.new.extend_from_slice(new);
        self
    }
}

pub(super) fn parse_both(
    old: &[u8],
    new: &[u8],
    runs: &[Run],
    lines: (&[&[u8]], &[&[u8]]),
    parsing: Parsing,
) -> Result<(ParsedSource, ParsedSource), &'static str> {
    if old.len().max(new.len()) > MAX_PARSE_BYTES {
        return Err("file too large to parse: analysed line by line");
    }
    let (Ok(old), Ok(new)) = (std::str::from_utf8(old), std::str::from_utf8(new)) else {
        return Err("not valid UTF-8: analysed line by line");
    };
    let old_runs: Vec<Range<usize>> = runs.iter().map(|run| run.old.clone()).collect();
    let new_runs: Vec<Range<usize>> = runs.iter().map(|run| run.new.clone()).collect();
    let (siblings, mentions) = match parsing {
        Parsing::Touched(mentions) => (Some(moved_definitions(runs, lines)), mentions),
        Parsing::Whole => (None, &Mentions::default()),
    };
    let selections = siblings.and_then(|siblings| {
        let old_chunks = Chunks::scan(old);
        let old_runs = with_mentions(old_runs, old, &mentions.old);
        let old_selection = touched_statements(&old_chunks, &old_runs, &siblings.old, lines.0.len())?;
        let new_chunks = old_chunks.rescan(new, runs);
        let new_runs = with_mentions(new_runs, new, &mentions.new);
        let new_selection = touched_statements(&new_chunks, &new_runs, &siblings.new, lines.1.len())?;
        Some((old_selection, new_selection))
    });
    let gave_up = "the parser gave up: analysed line by line";
    let (old_selection, new_selection) = selections.unzip();
    let old = python::parse_rows(old, old_selection.as_ref()).ok_or(gave_up)?;
    let edits: Vec<(Range<usize>, Range<usize>)> = runs.iter().map(|run| (run.old.clone(), run.new.clone())).collect();
    let new = python::reparse(&old, new, new_selection.as_ref(), &edits).ok_or(gave_up)?;
    Ok((old, new))
}

/// The statements around the runs (with the code lines near them that the
/// alignment may read), with every sibling of the definitions on
/// `sibling_rows`, or `None` when they are nearly all the file (parsing it
/// all costs about the same, and a rename is then never judged twice).
pub(super) fn touched_statements(
    chunks: &Chunks,
    runs: &[Range<usize>],
    sibling_rows: &[usize],
    line_count: usize,
) -> Option<Selection> {
    let selection = chunks.select(runs, MAX_CONTEXT, sibling_rows);
    let covered: usize = selection.rows.iter().map(|range| range.len()).sum();
    (covered * 10 < line_count * 9).then_some(selection)
}

/// The runs, and the rows where any of `names` appears as a whole word
/// (in code, strings or comments alike).
fn with_mentions(mut rows: Vec<Range<usize>>, text: &str, names: &[String]) -> Vec<Range<usize>> {
    if names.is_empty() {
        return rows;
    }
    let starts: Vec<usize> = crate::lines::line_starts(text).collect();
    for name in names {
        for at in python::tokens::word_positions(text.as_bytes(), name.as_bytes()) {
            let row = starts.partition_point(|&start| start <= at) - 1;
            rows.push(row..row + 1);
        }
    }
    rows.sort_by_key(|range| range.start);
    rows
}

/// The rows of the definitions (and module-level imports) that may have
/// moved, on each side.
#[derive(Debug, Default)]
struct MovedDefinitions {
    old: Vec<usize>,
    new: Vec<usize>,
}

/// The `def`/`class` lines removed in one run and added in another (the
/// definition may have moved, and a move is judged against its siblings),
/// and the module-level import lines that changed (an import may have been
/// re-sorted among its siblings).
fn moved_definitions(runs: &[Run], lines: (&[&[u8]], &[&[u8]])) -> MovedDefinitions {
    let mut removed: Vec<(&[u8], usize, usize)> = Vec::new();
    let mut added: Vec<(&[u8], usize, usize)> = Vec::new();
    let mut moved = MovedDefinitions::default();
    for (index, run) in runs.iter().enumerate() {
        for (rows, side_lines, found, import_rows) in [
            (&run.old, lines.0, &mut removed, &mut moved.old),
            (&run.new, lines.1, &mut added, &mut moved.new),
        ] {
            for row in rows.clone() {
                let Some(line) = side_lines.get(row) else { continue };
                if line.starts_with(b"import ") || line.starts_with(b"from ") {
                    import_rows.push(row);
                }
                if let Some(name) = defined_name(line) {
                    found.push((name, index, row));
                }
            }
        }
    }
    for &(name, run, old_row) in &removed {
        for &(_, _, new_row) in added
            .iter()
            .filter(|(other, other_run, _)| *other == name && *other_run != run)
        {
            moved.old.push(old_row);
            moved.new.push(new_row);
        }
    }
    moved
}
