//! Per-line labels: the differences of each changed row folded into one label.

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

/// Blank rows take the mark of the nearest non-blank changed row of the same
/// run and side, since a blank line goes with the edit it separates; next to
/// a moved definition they take the move's mark (its spacing moves with it).
/// A run of blank rows alone is formatting.
pub fn fill_blank_rows(marks: &mut FileMarks, moved: &FileMarks, runs: &[Run], lines: (&[&[u8]], &[&[u8]])) {
    for run in runs {
        fill_blank_side(&mut marks.old, &moved.old, run.old.clone(), lines.0);
        fill_blank_side(&mut marks.new, &moved.new, run.new.clone(), lines.1);
    }
}

fn fill_blank_side(marks: &mut SideMarks, moved: &SideMarks, rows: std::ops::Range<usize>, lines: &[&[u8]]) {
    for row in rows.clone() {
        if marks.get(row).is_some() {
            continue;
        }
        let before = (rows.start..row).rev().find(|&r| !is_blank(lines, r));
        let after = (row + 1..rows.end).find(|&r| !is_blank(lines, r));
        let inherited = before
            .or(after)
            .and_then(|r| moved.get(r).or(marks.get(r)))
            .unwrap_or(Mark::plain(Label::Formatting));
        marks.add(row, inherited);
    }
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
        let no_moves = FileMarks::default();
        fill_blank_rows(&mut marks, &no_moves, &[Run { old: 0..0, new: 0..4 }], (&[], &lines));
        let labels: Vec<Label> = (0..4).map(|r| marks.new.get(r).unwrap().label).collect();
        assert_eq!(
            labels,
            [Label::Docstring, Label::Docstring, Label::Formatting, Label::Formatting]
        );
    }
}
