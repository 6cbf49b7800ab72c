//! Per-line labels: the differences of each changed row folded into one label.

use std::ops::Range;

use super::align::Side;
use crate::label::Label;
use crate::lines::Run;

/// The label of one changed row, with an optional note (an index into the
/// file's notes) that names what the change did: which rename, which move.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Mark {
    pub label: Label,
    pub note: Option<usize>,
}

impl Mark {
    pub const fn plain(label: Label) -> Mark {
        Mark { label, note: None }
    }

    /// Combines two marks on one row: the stronger label wins, and keeps its note.
    pub fn combine(self, other: Mark) -> Mark {
        if self.label.strongest(other.label) == self.label {
            self
        } else {
            other
        }
    }
}

/// The marks of every row of one side: `None` for rows the diff left alone.
#[derive(Debug, Clone, Default)]
pub struct SideMarks {
    pub rows: Vec<Option<Mark>>,
}

impl SideMarks {
    pub fn new(row_count: usize) -> Self {
        SideMarks {
            rows: vec![None; row_count],
        }
    }

    pub fn add(&mut self, row: usize, mark: Mark) {
        if let Some(slot) = self.rows.get_mut(row) {
            *slot = Some(slot.map_or(mark, |existing| existing.combine(mark)));
        }
    }

    pub fn get(&self, row: usize) -> Option<Mark> {
        self.rows.get(row).copied().flatten()
    }
}

/// Both sides' marks.
#[derive(Debug, Clone, Default)]
pub struct FileMarks {
    pub old: SideMarks,
    pub new: SideMarks,
}

impl FileMarks {
    pub fn side(&self, side: Side) -> &SideMarks {
        match side {
            Side::Old => &self.old,
            Side::New => &self.new,
        }
    }

    pub fn side_mut(&mut self, side: Side) -> &mut SideMarks {
        match side {
            Side::Old => &mut self.old,
            Side::New => &mut self.new,
        }
    }
}

/// Gives every unmarked, non-blank row of `rows` the region's default mark:
/// `formatting` in a run of the line diff (no difference left but layout),
/// `reorder` in a moved definition.
pub fn fill_defaults(marks: &mut SideMarks, rows: impl Iterator<Item = usize>, lines: &[&[u8]], default: Mark) {
    for row in rows {
        if marks.get(row).is_none() && !is_blank(lines, row) {
            marks.add(row, default);
        }
    }
}

/// Adds `mark` to every non-blank row of `rows` (blank rows follow their
/// neighbours later).
pub fn mark_code_rows(marks: &mut SideMarks, rows: Range<usize>, lines: &[&[u8]], mark: Mark) {
    for row in rows.filter(|&row| !is_blank(lines, row)) {
        marks.add(row, mark);
    }
}

/// Blank rows take the mark of the nearest non-blank changed row of their
/// run, on either side (a blank line goes with the edit it separates: the
/// blank lines around a new function are new code). Those inside a moved
/// definition, or next to it with no changed code outside it nearer, take
/// the mark of its first row: they moved with it. A run of blank rows alone
/// is formatting.
pub fn fill_blank_rows(
    marks: &mut FileMarks,
    runs: &[Run],
    moves: &[(Range<usize>, Range<usize>)],
    lines: (&[&[u8]], &[&[u8]]),
) {
    for run in runs {
        for side in [Side::Old, Side::New] {
            let (rows, side_lines, other_rows, other_lines) = match side {
                Side::Old => (&run.old, lines.0, &run.new, lines.1),
                Side::New => (&run.new, lines.1, &run.old, lines.0),
            };
            for row in rows.clone() {
                if marks.side(side).get(row).is_some() || !is_blank(side_lines, row) {
                    continue;
                }
                let here = rows
                    .clone()
                    .filter(|&r| !is_blank(side_lines, r))
                    .map(|r| (r.abs_diff(row), 0, side, r));
                let moved_head = moved_with(row, rows, side, moves, side_lines)
                    .filter(|place| nearest_is_inside(place, row, here.clone()))
                    .map(|place| place.start);
                if let Some(mark) = moved_head.and_then(|head| marks.side(side).get(head)) {
                    marks.side_mut(side).add(row, mark);
                    continue;
                }
                // Distance on the same side, or by offset into the run on the
                // other; the same side wins a tie.
                let offset = row - rows.start;
                // A moved definition lends its label only to blank lines
                // next to it on its own side (above), not across the run.
                let other_marks = marks.side(side.other());
                let there = other_rows
                    .clone()
                    .filter(|&r| !is_blank(other_lines, r))
                    .filter(|&r| other_marks.get(r).is_none_or(|mark| mark.label != Label::Reorder))
                    .map(|r| ((r - other_rows.start).abs_diff(offset), 1, side.other(), r));
                let nearest = here
                    .chain(there)
                    .min_by_key(|&(distance, tie, _, r)| (distance, tie, r));
                let inherited = nearest
                    .and_then(|(_, _, from, r)| marks.side(from).get(r))
                    .unwrap_or(Mark::plain(Label::Formatting));
                marks.side_mut(side).add(row, inherited);
            }
        }
    }
}

/// Whether blank `row` goes with the moved definition at `place`: it lies
/// inside it, or no changed code of its side outside it is nearer (new code
/// right after a moved one keeps its own blank lines).
fn nearest_is_inside(
    place: &Range<usize>,
    row: usize,
    mut code_rows: impl Iterator<Item = (usize, usize, Side, usize)>,
) -> bool {
    let from_place = if row < place.start {
        place.start - row
    } else {
        row.saturating_sub(place.end - 1)
    };
    place.contains(&row)
        || !code_rows.any(|(distance, _, _, code_row)| !place.contains(&code_row) && distance < from_place)
}

/// The moved definition that blank `row` lies in, or is separated from by
/// changed blank rows of `run_rows` only.
fn moved_with(
    row: usize,
    run_rows: &Range<usize>,
    side: Side,
    moves: &[(Range<usize>, Range<usize>)],
    lines: &[&[u8]],
) -> Option<Range<usize>> {
    let blank_between = |rows: Range<usize>| rows.clone().all(|r| run_rows.contains(&r) && is_blank(lines, r));
    moves
        .iter()
        .map(|(old, new)| match side {
            Side::Old => old,
            Side::New => new,
        })
        .find(|place| {
            place.contains(&row)
                || (row < place.start && blank_between(row..place.start))
                || (row >= place.end && blank_between(place.end..row))
        })
        .cloned()
}

fn is_blank(lines: &[&[u8]], row: usize) -> bool {
    lines.get(row).is_none_or(|line| line.trim_ascii().is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stronger_label_wins_and_keeps_its_note() {
        let rename = Mark {
            label: Label::Rename,
            note: Some(3),
        };
        let formatting = Mark::plain(Label::Formatting);
        assert_eq!(rename.combine(formatting), rename);
        assert_eq!(formatting.combine(rename), rename);
        assert_eq!(
            rename.combine(Mark::plain(Label::Substantive)).label,
            Label::Substantive
        );
    }

    #[test]
    fn unmarked_rows_are_formatting_and_blank_rows_follow_their_neighbour() {
        let lines: Vec<&[u8]> = vec![b"x\n", b"\n", b"y\n", b"\n"];
        let mut marks = FileMarks {
            old: SideMarks::new(0),
            new: SideMarks::new(4),
        };
        marks.new.add(0, Mark::plain(Label::Docstring));
        fill_defaults(&mut marks.new, 0..4, &lines, Mark::plain(Label::Formatting));
        fill_blank_rows(&mut marks, &[Run { old: 0..0, new: 0..4 }], &[], (&[], &lines));
        let labels: Vec<Label> = (0..4).map(|r| marks.new.get(r).unwrap().label).collect();
        assert_eq!(
            labels,
            [Label::Docstring, Label::Docstring, Label::Formatting, Label::Formatting]
        );
    }

    #[test]
    fn a_blank_row_alone_on_its_side_follows_the_other_side() {
        let old_lines: Vec<&[u8]> = vec![b"\n"];
        let new_lines: Vec<&[u8]> = vec![b"x = 1\n", b"y = 2\n"];
        let mut marks = FileMarks {
            old: SideMarks::new(1),
            new: SideMarks::new(2),
        };
        marks.new.add(0, Mark::plain(Label::Substantive));
        marks.new.add(1, Mark::plain(Label::Comment));
        let run = Run { old: 0..1, new: 0..2 };
        fill_blank_rows(&mut marks, &[run], &[], (&old_lines, &new_lines));
        assert_eq!(marks.old.get(0).unwrap().label, Label::Substantive);
    }

    #[test]
    fn a_run_of_blank_rows_alone_is_formatting() {
        let lines: Vec<&[u8]> = vec![b"\n", b"\n"];
        let mut marks = FileMarks {
            old: SideMarks::new(0),
            new: SideMarks::new(2),
        };
        fill_blank_rows(&mut marks, &[Run { old: 0..0, new: 0..2 }], &[], (&[], &lines));
        assert_eq!(marks.new.get(1).unwrap().label, Label::Formatting);
    }
}
