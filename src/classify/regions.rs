//! The regions the token alignment reads: runs of the line diff, joined
//! where one run alone would misread a pure layout change.

use std::ops::Range;

use super::align::{Region, tokens_on_rows};
use super::rows::RowSet;
use crate::lines::Run;
use crate::python::ParsedSource;

pub(super) fn run_regions(runs: &[Run]) -> Vec<Region> {
    runs.iter()
        .map(|run| Region {
            old: RowSet::from_range(run.old.clone()),
            new: RowSet::from_range(run.new.clone()),
        })
        .collect()
}

/// How many runs a chain of runs may span, how many unchanged lines may
/// separate two of its runs, and how many unchanged lines around it may join.
const MAX_CHAIN: usize = 8;
pub(super) const MAX_GAP: usize = 3;
const MAX_CONTEXT: usize = 2;

/// The regions to align: the runs, joined where one run alone would misread
/// a pure layout change. The line diff often matches a blank line or a lone
/// `)` in the middle of a reformatted block, splitting a statement between two
/// runs, or leaving a bracket whose meaning changed outside the run. A chain
/// of nearby runs (with the unchanged lines between and around them) is one
/// region when its code tokens are the same on both sides: then nothing can
/// be hidden, since nothing but layout changed. A deletion next to an
/// insertion across blank lines is one region too: no token lies between them.
pub(super) fn alignment_regions(
    old: &ParsedSource,
    new: &ParsedSource,
    runs: &[Run],
    old_lines: &[&[u8]],
) -> Vec<Region> {
    let blank_gap = |a: &Run, b: &Run| (a.old.end..b.old.start).all(|row| old_lines[row].trim_ascii().is_empty());
    let mut regions = Vec::new();
    let mut i = 0;
    while i < runs.len() {
        if let Some((region, end)) = layout_chain(old, new, runs, old_lines, i) {
            regions.push(region);
            i = end;
            continue;
        }
        let mut region = Region {
            old: RowSet::from_range(runs[i].old.clone()),
            new: RowSet::from_range(runs[i].new.clone()),
        };
        let joins_next = runs.get(i + 1).is_some_and(|next| {
            let run = &runs[i];
            let one_sided = (run.new.is_empty() && next.old.is_empty()) || (run.old.is_empty() && next.new.is_empty());
            one_sided && blank_gap(run, next)
        });
        if joins_next {
            region.old.insert(runs[i + 1].old.clone());
            region.new.insert(runs[i + 1].new.clone());
            i += 1;
        }
        regions.push(region);
        i += 1;
    }
    regions
}

/// The shortest chain of runs from `first`, with up to [`MAX_CONTEXT`]
/// unchanged lines on each end, whose code tokens are equal on both sides;
/// returns its region and the index of the run after it.
fn layout_chain(
    old: &ParsedSource,
    new: &ParsedSource,
    runs: &[Run],
    old_lines: &[&[u8]],
    first: usize,
) -> Option<(Region, usize)> {
    let lower = first.checked_sub(1).map_or(0, |before| runs[before].old.end);
    let mut last = first;
    loop {
        let upper = runs.get(last + 1).map_or(usize::MAX, |after| after.old.start);
        for lead in 0..=MAX_CONTEXT.min(runs[first].old.start - lower) {
            for trail in 0..=MAX_CONTEXT.min(upper.saturating_sub(runs[last].old.end)) {
                let old_rows = runs[first].old.start - lead..runs[last].old.end + trail;
                let new_rows = runs[first].new.start - lead..runs[last].new.end + trail;
                if same_code(old, new, &old_rows, &new_rows) {
                    return Some(extend_over_blank_lines(
                        old,
                        new,
                        runs,
                        old_lines,
                        (old_rows, new_rows),
                        last,
                    ));
                }
            }
        }
        let next = runs.get(last + 1)?;
        if last + 1 - first >= MAX_CHAIN || next.old.start - runs[last].old.end > MAX_GAP {
            return None;
        }
        last += 1;
    }
}

/// Grows a pure-layout chain over the next runs while only blank lines
/// separate them, to the farthest run where the code is still the same on
/// both sides (the runs between may differ on their own: black moves a
/// comment past a blank line while the line diff pairs the statements
/// around it crosswise): a comment that the line diff moved past blank lines
/// is then matched with itself.
fn extend_over_blank_lines(
    old: &ParsedSource,
    new: &ParsedSource,
    runs: &[Run],
    old_lines: &[&[u8]],
    (mut old_rows, mut new_rows): (Range<usize>, Range<usize>),
    mut last: usize,
) -> (Region, usize) {
    let first = last;
    let mut next = last + 1;
    let mut end = old_rows.end;
    while let Some(run) = runs.get(next) {
        let blank_gap = (end..run.old.start).all(|row| old_lines.get(row).is_some_and(|l| l.trim_ascii().is_empty()));
        if next - first >= MAX_CHAIN || run.old.start < end || !blank_gap {
            break;
        }
        let (grown_old, grown_new) = (old_rows.start..run.old.end, new_rows.start..run.new.end);
        if same_code(old, new, &grown_old, &grown_new) {
            (old_rows, new_rows, last) = (grown_old, grown_new, next);
        }
        end = run.old.end;
        next += 1;
    }
    let region = Region {
        old: RowSet::from_range(old_rows),
        new: RowSet::from_range(new_rows),
    };
    (region, last + 1)
}

/// Whether the code tokens on some rows are the same sequence on both sides.
/// Rows a partial parse left out hold tokens nobody compared: never the same.
fn same_code(old: &ParsedSource, new: &ParsedSource, old_rows: &Range<usize>, new_rows: &Range<usize>) -> bool {
    let old_tokens = &old.tokens[tokens_on_rows(&old.tokens, old_rows)];
    let new_tokens = &new.tokens[tokens_on_rows(&new.tokens, new_rows)];
    old_tokens.len() == new_tokens.len()
        && old_tokens.iter().zip(new_tokens).all(|(a, b)| a.key == b.key)
        && old.parsed_rows(old_rows)
        && new.parsed_rows(new_rows)
}
