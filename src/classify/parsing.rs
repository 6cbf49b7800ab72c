//! How much of a Python file to parse: only the statements a diff touches
//! when that is enough, the whole file when a classifier needs it.

use std::ops::Range;

use super::regions::MAX_CONTEXT;
use crate::lines::Run;
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
    let selective = parsing == Parsing::Touched && !needs_every_statement(runs, lines);
    let select = |text: &str, runs: &[Range<usize>], line_count: usize| {
        selective.then(|| touched_statements(text, runs, line_count)).flatten()
    };
    let (old_rows, new_rows) = match (
        select(old, &old_runs, lines.0.len()),
        select(new, &new_runs, lines.1.len()),
    ) {
        (Some(old_rows), Some(new_rows)) => (Some(old_rows), Some(new_rows)),
        _ => (None, None),
    };
    let gave_up = "the parser gave up: analysed line by line";
    let old = python::parse_rows(old, old_rows.as_deref()).ok_or(gave_up)?;
    let new = match new_rows {
        Some(rows) => python::parse_rows(new, Some(&rows)),
        None => {
            let edits: Vec<(Range<usize>, Range<usize>)> =
                runs.iter().map(|run| (run.old.clone(), run.new.clone())).collect();
            python::reparse(&old, new, &edits)
        }
    };
    Ok((old, new.ok_or(gave_up)?))
}

/// Lines of context around a run that the alignment may read.
const CONTEXT_ROWS: usize = MAX_CONTEXT + 1;

/// The rows of the statements around the runs, or `None` when they are most
/// of the file (parsing it all costs about the same).
pub(super) fn touched_statements(text: &str, runs: &[Range<usize>], line_count: usize) -> Option<Vec<Range<usize>>> {
    let around: Vec<Range<usize>> = runs
        .iter()
        .map(|run| run.start.saturating_sub(CONTEXT_ROWS)..(run.end + CONTEXT_ROWS).min(line_count.max(1)))
        .collect();
    let rows = python::chunks::Chunks::scan(text).rows_around(&around);
    let covered: usize = rows.iter().map(|range| range.len()).sum();
    (covered * 2 < line_count).then_some(rows)
}

/// Whether the classifiers need every statement of the file: when an import
/// changed (an import's names are checked against the whole module), or when
/// a definition's `def`/`class` line is removed in one run and added in
/// another (it may have moved, and a move is judged against its siblings).
fn needs_every_statement(runs: &[Run], lines: (&[&[u8]], &[&[u8]])) -> bool {
    let mut removed: Vec<(&[u8], usize)> = Vec::new();
    let mut added: Vec<(&[u8], usize)> = Vec::new();
    for (index, run) in runs.iter().enumerate() {
        for (rows, side_lines, found) in [(&run.old, lines.0, &mut removed), (&run.new, lines.1, &mut added)] {
            for line in rows.clone().filter_map(|row| side_lines.get(row)) {
                if line.starts_with(b"import ") || line.starts_with(b"from ") {
                    return true;
                }
                if let Some(name) = defined_name(line) {
                    found.push((name, index));
                }
            }
        }
    }
    removed
        .iter()
        .any(|(name, run)| added.iter().any(|(other, other_run)| name == other && run != other_run))
}

/// The name on a `def`/`class` line, at any indentation.
fn defined_name(line: &[u8]) -> Option<&[u8]> {
    let rest = line.trim_ascii_start();
    let rest = rest.strip_prefix(b"async ").unwrap_or(rest);
    let rest = rest.strip_prefix(b"def ").or_else(|| rest.strip_prefix(b"class "))?;
    let end = rest
        .iter()
        .position(|b| !(b.is_ascii_alphanumeric() || *b == b'_' || *b >= 0x80))?;
    Some(&rest[..end]).filter(|name| !name.is_empty())
}
