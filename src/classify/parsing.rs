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
pub(super) enum Parsing {
    /// Only the top-level statements the diff touches, when that is enough.
    Touched,
    Whole,
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
    let needed = match parsing {
        Parsing::Touched => needed_statements(runs, lines),
        Parsing::Whole => None,
    };
    let selections = needed.and_then(|whole| {
        let old_selection = touched_statements(old, &old_runs, &whole.old, lines.0.len())?;
        let new_selection = touched_statements(new, &new_runs, &whole.new, lines.1.len())?;
        Some((old_selection, new_selection))
    });
    let gave_up = "the parser gave up: analysed line by line";
    let (old, new) = match selections {
        Some((old_selection, new_selection)) => (
            python::parse_rows(old, Some(&old_selection)),
            python::parse_rows(new, Some(&new_selection)),
        ),
        None => {
            let old = python::parse(old).ok_or(gave_up)?;
            let edits: Vec<(Range<usize>, Range<usize>)> =
                runs.iter().map(|run| (run.old.clone(), run.new.clone())).collect();
            let new = python::reparse(&old, new, &edits);
            (Some(old), new)
        }
    };
    Ok((old.ok_or(gave_up)?, new.ok_or(gave_up)?))
}

/// Lines of context around a run that the alignment may read.
const CONTEXT_ROWS: usize = MAX_CONTEXT + 1;

/// The statements around the runs (and the top-level statements holding
/// `whole_rows`, whole), or `None` when they are most of the file (parsing
/// it all costs about the same).
pub(super) fn touched_statements(
    text: &str,
    runs: &[Range<usize>],
    whole_rows: &[usize],
    line_count: usize,
) -> Option<Selection> {
    let around: Vec<Range<usize>> = runs
        .iter()
        .map(|run| run.start.saturating_sub(CONTEXT_ROWS)..(run.end + CONTEXT_ROWS).min(line_count.max(1)))
        .collect();
    let selection = Chunks::scan(text).select(&around, whole_rows);
    let covered: usize = selection.rows.iter().map(|range| range.len()).sum();
    (covered * 2 < line_count).then_some(selection)
}

/// Rows whose whole top-level statement the classifiers need, on each side.
#[derive(Debug, Default)]
struct WholeRows {
    old: Vec<usize>,
    new: Vec<usize>,
}

/// What the classifiers need besides the statements around the runs, or
/// `None` when they need every statement of the file: when an import changed
/// (an import's names are checked against the whole module), or when a
/// module-level `def`/`class` line is removed in one run and added in
/// another (it may have moved, and a move is judged against its siblings).
/// A nested definition that may have moved needs only the top-level
/// statement around it (its class, with every sibling).
fn needed_statements(runs: &[Run], lines: (&[&[u8]], &[&[u8]])) -> Option<WholeRows> {
    let mut removed: Vec<(&[u8], usize, usize)> = Vec::new();
    let mut added: Vec<(&[u8], usize, usize)> = Vec::new();
    for (index, run) in runs.iter().enumerate() {
        for (rows, side_lines, found) in [(&run.old, lines.0, &mut removed), (&run.new, lines.1, &mut added)] {
            for row in rows.clone() {
                let Some(line) = side_lines.get(row) else { continue };
                if line.starts_with(b"import ") || line.starts_with(b"from ") {
                    return None;
                }
                if let Some(name) = defined_name(line) {
                    found.push((name, index, row));
                }
            }
        }
    }
    let top_level =
        |row: usize, side_lines: &[&[u8]]| !side_lines[row].starts_with(b" ") && !side_lines[row].starts_with(b"\t");
    let mut whole = WholeRows::default();
    for &(name, run, old_row) in &removed {
        for &(_, _, new_row) in added
            .iter()
            .filter(|(other, other_run, _)| *other == name && *other_run != run)
        {
            if top_level(old_row, lines.0) || top_level(new_row, lines.1) {
                return None;
            }
            whole.old.push(old_row);
            whole.new.push(new_row);
        }
    }
    Some(whole)
}
