//! Labelled rows → changes: the unit a reviewer reads, with a message.
//!
//! Within each region (a run of the line diff, or a moved definition), rows
//! that share a mark form one change, so a hunk that renames a variable and
//! fixes a bug becomes one `rename` change and one `substantive` change.

use super::align::{Region, Side};
use super::marks::{FileMarks, Mark};
use crate::label::Label;

/// An inclusive, 1-based range of lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineRange {
    pub start: usize,
    pub end: usize,
}

impl LineRange {
    pub fn line_count(&self) -> usize {
        self.end + 1 - self.start
    }
}

/// What a rename or a move did, for messages and the JSON `detail`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Detail {
    Rename {
        from: String,
        to: String,
        scope: String,
        kind: &'static str,
        count: usize,
    },
    Reorder {
        name: String,
        kind: &'static str,
        old_line: usize,
        new_line: usize,
    },
}

/// A note attached to marks: its detail and the sentence that says it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    pub message: String,
    pub detail: Detail,
}

/// One labelled change: every row of it carries the same label.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub label: Label,
    pub old: Vec<LineRange>,
    pub new: Vec<LineRange>,
    pub message: String,
    pub detail: Option<Detail>,
}

impl Change {
    pub fn line_count(&self) -> usize {
        self.old.iter().chain(&self.new).map(LineRange::line_count).sum()
    }
}

/// Groups the marked rows of each region into changes. A move is one change
/// however many regions its lines fall in.
pub fn group(
    regions: &[Region],
    marks: &FileMarks,
    notes: &[Note],
    scope_of: &dyn Fn(Side, usize) -> Option<String>,
) -> Vec<Change> {
    let mut changes: Vec<Change> = Vec::new();
    for region in regions {
        let mut groups: Vec<(Mark, Vec<usize>, Vec<usize>)> = Vec::new();
        for (side, rows) in [(Side::Old, &region.old), (Side::New, &region.new)] {
            let side_marks = marks.side(side);
            for row in rows.rows() {
                let Some(mark) = side_marks.get(row) else {
                    continue;
                };
                let index = match groups.iter().position(|(m, _, _)| *m == mark) {
                    Some(index) => index,
                    None => {
                        groups.push((mark, Vec::new(), Vec::new()));
                        groups.len() - 1
                    }
                };
                match side {
                    Side::Old => groups[index].1.push(row),
                    Side::New => groups[index].2.push(row),
                }
            }
        }
        for (mark, old, new) in groups {
            let note = mark.note.and_then(|index| notes.get(index));
            let scope = first_scope(&old, &new, scope_of);
            let same_move = changes.iter_mut().find(|change| {
                mark.label == Label::Reorder
                    && change.label == Label::Reorder
                    && note.is_some_and(|n| change.detail.as_ref() == Some(&n.detail))
            });
            if let Some(change) = same_move {
                change.old = ranges(&merge_rows(&change.old, &old));
                change.new = ranges(&merge_rows(&change.new, &new));
                continue;
            }
            changes.push(Change {
                label: mark.label,
                message: note.map_or_else(
                    || describe(mark.label, !old.is_empty(), !new.is_empty(), scope.as_deref()),
                    |note| note.message.clone(),
                ),
                detail: note.map(|note| note.detail.clone()),
                old: ranges(&old),
                new: ranges(&new),
            });
        }
    }
    changes
}

fn first_scope(old: &[usize], new: &[usize], scope_of: &dyn Fn(Side, usize) -> Option<String>) -> Option<String> {
    let on_new = new.iter().find_map(|&row| scope_of(Side::New, row));
    on_new.or_else(|| old.iter().find_map(|&row| scope_of(Side::Old, row)))
}

/// The rows of `ranges` and `rows` together, sorted, 0-based.
fn merge_rows(ranges: &[LineRange], rows: &[usize]) -> Vec<usize> {
    let mut all: Vec<usize> = ranges
        .iter()
        .flat_map(|r| r.start - 1..r.end)
        .chain(rows.iter().copied())
        .collect();
    all.sort_unstable();
    all
}

/// Compresses sorted 0-based rows into 1-based inclusive ranges.
fn ranges(rows: &[usize]) -> Vec<LineRange> {
    let mut out: Vec<LineRange> = Vec::new();
    for &row in rows {
        let line = row + 1;
        match out.last_mut() {
            Some(range) if range.end + 1 == line => range.end = line,
            _ => out.push(LineRange { start: line, end: line }),
        }
    }
    out
}

/// A one-sentence message for a change that carries no note.
fn describe(label: Label, has_old: bool, has_new: bool, scope: Option<&str>) -> String {
    let verb = match (has_old, has_new) {
        (true, true) => "changed",
        (false, true) => "added",
        _ => "removed",
    };
    let sentence = match label {
        Label::Substantive => format!("{verb} code"),
        Label::Formatting => "reformatted: same code, different layout".to_owned(),
        Label::Comment => format!("comment {verb}"),
        Label::Docstring => format!("docstring {verb}"),
        Label::Annotation => format!("type annotation {verb}"),
        Label::Rename => "renamed identifiers".to_owned(),
        Label::Reorder => "moved code".to_owned(),
    };
    match scope {
        Some(scope) if label != Label::Formatting => format!("{sentence} in `{scope}`"),
        _ => sentence,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::marks::SideMarks;
    use crate::classify::rows::RowSet;

    #[test]
    fn rows_with_the_same_mark_form_one_change_per_region() {
        let mut marks = FileMarks {
            old: SideMarks::new(5),
            new: SideMarks::new(5),
        };
        for row in [1, 2] {
            marks.old.add(row, Mark::plain(Label::Formatting));
        }
        marks.new.add(1, Mark::plain(Label::Formatting));
        marks.new.add(2, Mark::plain(Label::Substantive));
        marks.new.add(3, Mark::plain(Label::Substantive));
        let region = Region {
            old: RowSet::from_range(1..3),
            new: RowSet::from_range(1..4),
        };
        let changes = group(&[region], &marks, &[], &|_, _| None);
        assert_eq!(changes.len(), 2);
        assert_eq!(changes[0].label, Label::Formatting);
        assert_eq!(changes[0].old, [LineRange { start: 2, end: 3 }]);
        assert_eq!(changes[0].new, [LineRange { start: 2, end: 2 }]);
        assert_eq!(changes[1].label, Label::Substantive);
        assert_eq!(changes[1].message, "added code");
        assert_eq!(changes.iter().map(Change::line_count).sum::<usize>(), 5);
    }
}
