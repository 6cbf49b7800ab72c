//! How much of a Python file to parse: only the statements a diff touches
//! when that is enough, the whole file when a classifier needs it.

use std::ops::Range;

use super::align::Side;
use super::regions::MAX_GAP;
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

/// Names whose every mention a classifier must see. Each side takes the
/// statements that mention any of them, whichever side spells it: a
/// statement the diff left alone is then parsed on both sides or on
/// neither, and scopes numbered in order (comprehensions) agree.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Mentions {
    pub names: Vec<String>,
}

impl Mentions {
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// These mentions and more names.
    pub fn with(mut self, names: impl IntoIterator<Item = String>) -> Mentions {
        self.names.extend(names);
        self
    }
}

/// Parses both sides: from `earlier` partial sources of the same texts when
/// given and this parse is partial too (only the rows added to the selection
/// are new to the parser), else the old side afresh and the new side from the
/// old side's tree.
pub(super) fn parse_both(
    old: &[u8],
    new: &[u8],
    runs: &[Run],
    lines: (&[&[u8]], &[&[u8]]),
    parsing: Parsing,
    earlier: Option<(ParsedSource, ParsedSource)>,
) -> Result<(ParsedSource, ParsedSource), &'static str> {
    if old.len().max(new.len()) > MAX_PARSE_BYTES {
        return Err("file too large to parse: analysed line by line");
    }
    let (Ok(old), Ok(new)) = (std::str::from_utf8(old), std::str::from_utf8(new)) else {
        return Err("not valid UTF-8: analysed line by line");
    };
    let (siblings, mentions) = match parsing {
        Parsing::Touched(mentions) => (Some(moved_definitions(runs, lines)), mentions),
        Parsing::Whole => (None, &Mentions::default()),
    };
    let selections = siblings.and_then(|siblings| select_both((old, new), runs, lines, &siblings, mentions));
    let gave_up = "the parser gave up: analysed line by line";
    let (old_selection, new_selection) = selections.unzip();
    // A whole parse after a partial one gains nothing from the partial trees:
    // the new side is better parsed from the old side's whole tree.
    let earlier = earlier.filter(|(earlier_old, _)| earlier_old.partial() == old_selection.is_some());
    if let Some((earlier_old, earlier_new)) = earlier {
        let old = python::reparse(&earlier_old, old, old_selection.as_ref(), &[]).ok_or(gave_up)?;
        let new = python::reparse(&earlier_new, new, new_selection.as_ref(), &[]).ok_or(gave_up)?;
        return Ok((old, new));
    }
    let old = python::parse_rows(old, old_selection.as_ref()).ok_or(gave_up)?;
    let edits: Vec<(Range<usize>, Range<usize>)> = runs.iter().map(|run| (run.old.clone(), run.new.clone())).collect();
    let new = python::reparse(&old, new, new_selection.as_ref(), &edits).ok_or(gave_up)?;
    Ok((old, new))
}

/// The statements to parse on each side (see [`touched_statements`]), or
/// `None` when they are nearly a whole file on either side.
fn select_both(
    texts: (&str, &str),
    runs: &[Run],
    lines: (&[&[u8]], &[&[u8]]),
    siblings: &MovedDefinitions,
    mentions: &Mentions,
) -> Option<(Selection, Selection)> {
    let old_chunks = Chunks::scan(texts.0);
    let (new_chunks, restated) = old_chunks.rescan(texts.1, runs);
    // A run empty on one side selects there the statement after it; the
    // other side takes that statement too, so both parse the same ones.
    let mut old_runs: Vec<Range<usize>> = runs
        .iter()
        .map(|run| run.old.start..run.old.end + usize::from(run.new.is_empty()))
        .collect();
    let mut new_runs: Vec<Range<usize>> = runs
        .iter()
        .map(|run| run.new.start..run.new.end + usize::from(run.old.is_empty()))
        .collect();
    // Lines the runs left alone that now mean something else are read on
    // both sides.
    let old_row_of = rows_on_the_other_side(runs, Side::New, lines.1.len() + 1);
    for &row in &restated {
        new_runs.push(row..row + 1);
        old_runs.extend(
            old_row_of
                .get(row)
                .copied()
                .flatten()
                .map(|old_row| old_row..old_row + 1),
        );
    }
    old_runs.sort_by_key(|range| range.start);
    new_runs.sort_by_key(|range| range.start);
    let old_runs = with_mentions(old_runs, texts.0, &mentions.names);
    let new_runs = with_mentions(new_runs, texts.1, &mentions.names);
    let select_old = |whole: &[usize]| touched_statements(&old_chunks, &old_runs, &siblings.old, lines.0, whole);
    let select_new = |whole: &[usize]| touched_statements(&new_chunks, &new_runs, &siblings.new, lines.1, whole);
    let (old_selection, new_selection) = (select_old(&[])?, select_new(&[])?);
    // A function split on one side only (it crossed the length, or lost a
    // `locals()`) is parsed whole on both: the same statements on each side
    // number the comprehensions alike.
    let new_row_of = rows_on_the_other_side(runs, Side::Old, lines.0.len() + 1);
    let old_whole = split_on_this_side_only(&old_selection, &new_selection, &new_row_of);
    let new_whole = split_on_this_side_only(&new_selection, &old_selection, &old_row_of);
    let old_selection = match old_whole.is_empty() {
        true => old_selection,
        false => select_old(&old_whole)?,
    };
    let new_selection = match new_whole.is_empty() {
        true => new_selection,
        false => select_new(&new_whole)?,
    };
    Some((old_selection, new_selection))
}

/// The statements around the runs (and the lines between runs that the
/// alignment may read as one region), with every sibling of the definitions on
/// `sibling_rows`, or `None` when they are nearly all the file (parsing it
/// all costs about the same, and a rename is then never judged twice).
pub(super) fn touched_statements(
    chunks: &Chunks,
    runs: &[Range<usize>],
    sibling_rows: &[usize],
    lines: &[&[u8]],
    whole_functions: &[usize],
) -> Option<Selection> {
    let selection = chunks.select(runs, MAX_GAP, sibling_rows, lines, whole_functions);
    let covered: usize = selection.rows.iter().map(|range| range.len()).sum();
    (covered * 10 < lines.len() * 9).then_some(selection)
}

/// The first rows of the functions `selection` splits whose twin on the
/// other side (the function starting on the same unchanged row, by
/// `rows_elsewhere`) `other` does not split.
fn split_on_this_side_only(selection: &Selection, other: &Selection, rows_elsewhere: &[Option<usize>]) -> Vec<usize> {
    selection
        .split_functions
        .iter()
        .map(|rows| rows.start)
        .filter(|&start| {
            rows_elsewhere
                .get(start)
                .copied()
                .flatten()
                .is_none_or(|twin| !other.split_functions.iter().any(|rows| rows.start == twin))
        })
        .collect()
}

/// Where each of the first `count` rows of `side` is on the other side, for
/// the rows the runs left alone.
pub(super) fn rows_on_the_other_side(runs: &[Run], side: Side, count: usize) -> Vec<Option<usize>> {
    match side {
        Side::Old => crate::lines::rows_elsewhere(runs, count, |run| (&run.old, &run.new)),
        Side::New => crate::lines::rows_elsewhere(runs, count, |run| (&run.new, &run.old)),
    }
}

/// The runs, and the rows where any of `names` appears as a whole word
/// (in code, strings or comments alike).
fn with_mentions(mut rows: Vec<Range<usize>>, text: &str, names: &[String]) -> Vec<Range<usize>> {
    if names.is_empty() {
        return rows;
    }
    let starts: Vec<usize> = crate::lines::line_starts(text).collect();
    // A name renamed in many places is listed once per place.
    let names: std::collections::BTreeSet<&String> = names.iter().collect();
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

/// A line of a run that may belong to a moved item: a definition (by the
/// name it defines) or a module-level import (by its text).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MovableLine<'a> {
    Definition(&'a [u8]),
    Import(&'a [u8]),
}

impl<'a> MovableLine<'a> {
    fn of(line: &'a [u8]) -> Option<MovableLine<'a>> {
        if line.starts_with(b"import ") || line.starts_with(b"from ") {
            return Some(MovableLine::Import(line.trim_ascii_end()));
        }
        defined_name(line).map(MovableLine::Definition)
    }

    /// Whether this line removed in run `run` and `other` added in run
    /// `other_run` may be one item that moved. A definition whose header
    /// was rewritten within one run was edited in place; an import line
    /// that left and came back anywhere may have been re-sorted among its
    /// siblings (an import edited in place is no move, and a move the parse
    /// then misses is judged on the whole file).
    fn may_have_moved(self, run: usize, other: MovableLine<'_>, other_run: usize) -> bool {
        match (self, other) {
            (MovableLine::Definition(a), MovableLine::Definition(b)) => a == b && run != other_run,
            (MovableLine::Import(a), MovableLine::Import(b)) => a == b,
            _ => false,
        }
    }
}

/// The `def`/`class` lines removed in one run and added in another (the
/// definition may have moved, and a move is judged against its siblings),
/// and the module-level import lines removed and added again (an import
/// may have been re-sorted among its siblings).
fn moved_definitions(runs: &[Run], lines: (&[&[u8]], &[&[u8]])) -> MovedDefinitions {
    let mut removed: Vec<(MovableLine, usize, usize)> = Vec::new();
    let mut added: Vec<(MovableLine, usize, usize)> = Vec::new();
    for (index, run) in runs.iter().enumerate() {
        for (rows, side_lines, found) in [(&run.old, lines.0, &mut removed), (&run.new, lines.1, &mut added)] {
            for row in rows.clone() {
                if let Some(movable) = side_lines.get(row).and_then(|line| MovableLine::of(line)) {
                    found.push((movable, index, row));
                }
            }
        }
    }
    let mut moved = MovedDefinitions::default();
    for &(line, run, old_row) in &removed {
        for &(_, _, new_row) in added
            .iter()
            .filter(|&&(other, other_run, _)| line.may_have_moved(run, other, other_run))
        {
            moved.old.push(old_row);
            moved.new.push(new_row);
        }
    }
    moved
}
