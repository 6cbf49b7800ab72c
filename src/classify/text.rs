//! Line-level analysis for files that are not parsed: whitespace-only edits
//! are `formatting`, everything else `substantive`.

use super::marks::{FileMarks, Mark};
use crate::label::Label;
use crate::lines::{Run, diff_line_slices};

/// Marks the rows of each run: a row whose text, without whitespace, is
/// matched by a row on the other side is layout; the rest is substantive.
pub fn mark_runs(runs: &[Run], old_lines: &[&[u8]], new_lines: &[&[u8]], marks: &mut FileMarks) {
    for run in runs {
        let old: Vec<Vec<u8>> = old_lines[run.old.clone()].iter().map(|l| squeeze(l)).collect();
        let new: Vec<Vec<u8>> = new_lines[run.new.clone()].iter().map(|l| squeeze(l)).collect();
        let mut old_changed = vec![false; old.len()];
        let mut new_changed = vec![false; new.len()];
        for inner in diff_line_slices(&old, &new).runs {
            inner.old.for_each(|i| old_changed[i] = !old[i].is_empty());
            inner.new.for_each(|i| new_changed[i] = !new[i].is_empty());
        }
        for (i, changed) in old_changed.into_iter().enumerate() {
            marks.old.add(run.old.start + i, mark(changed));
        }
        for (i, changed) in new_changed.into_iter().enumerate() {
            marks.new.add(run.new.start + i, mark(changed));
        }
    }
}

fn mark(changed: bool) -> Mark {
    Mark::plain(if changed { Label::Substantive } else { Label::Formatting })
}

fn squeeze(line: &[u8]) -> Vec<u8> {
    line.iter().copied().filter(|b| !b.is_ascii_whitespace()).collect()
}
