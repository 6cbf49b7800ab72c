//! The line diff: which lines changed, as runs of removed and added lines.
//!
//! Lines keep their terminators, so `a` and `a\n` differ exactly as they do
//! for `git diff --numstat`. The diff is minimal (Myers) unless the deadline
//! passes, in which case it degrades to a coarser but still correct diff.

use std::ops::Range;
use std::time::{Duration, Instant};

use similar::{Algorithm, DiffOp, capture_diff_slices_deadline};

/// How long one file's line diff may take before it settles for a coarser answer.
const LINE_DIFF_BUDGET: Duration = Duration::from_millis(500);

/// A maximal stretch of changed lines: `old` lines were removed and `new`
/// lines added in their place (either may be empty). Rows are 0-based.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    pub old: Range<usize>,
    pub new: Range<usize>,
}

/// The changed runs of one file, in order.
#[derive(Debug, Clone, Default)]
pub struct LineDiff {
    pub runs: Vec<Run>,
}

impl LineDiff {
    pub fn removed(&self) -> usize {
        self.runs.iter().map(|run| run.old.len()).sum()
    }

    pub fn added(&self) -> usize {
        self.runs.iter().map(|run| run.new.len()).sum()
    }
}

/// Splits text into lines, each keeping its `\n` terminator.
pub fn split_lines(text: &[u8]) -> Vec<&[u8]> {
    // Source lines average some 35 bytes: one allocation, mostly.
    let mut lines = Vec::with_capacity(text.len() / 24 + 1);
    let mut start = 0;
    for end in memchr::memchr_iter(b'\n', text) {
        lines.push(&text[start..=end]);
        start = end + 1;
    }
    if start < text.len() {
        lines.push(&text[start..]);
    }
    lines
}

/// What `text.split('\n')` gives (a last, empty line after a final newline
/// included), finding the newlines many bytes at a time.
pub fn split_at_newlines(text: &str) -> impl Iterator<Item = &str> {
    let mut start = 0;
    memchr::memchr_iter(b'\n', text.as_bytes())
        .map(Some)
        .chain(std::iter::once(None))
        .map(move |newline| {
            let end = newline.unwrap_or(text.len());
            let line = &text[start..end];
            start = end + 1;
            line
        })
}

/// The byte offset where each line starts.
pub fn line_starts(text: &str) -> impl Iterator<Item = usize> {
    std::iter::once(0).chain(memchr::memchr_iter(b'\n', text.as_bytes()).map(|newline| newline + 1))
}

/// Diffs two texts line by line.
pub fn diff_lines(old: &[u8], new: &[u8]) -> LineDiff {
    diff_line_slices(&split_lines(old), &split_lines(new))
}

/// Diffs two sequences of lines (any comparable line type).
pub fn diff_line_slices<T: Eq + std::hash::Hash>(old: &[T], new: &[T]) -> LineDiff {
    let deadline = Instant::now() + LINE_DIFF_BUDGET;
    let ops = capture_diff_slices_deadline(Algorithm::Myers, old, new, Some(deadline));
    LineDiff {
        runs: runs_from_ops(&ops),
    }
}

/// Merges adjacent non-equal diff operations into runs.
pub fn runs_from_ops(ops: &[DiffOp]) -> Vec<Run> {
    let mut runs: Vec<Run> = Vec::new();
    for op in ops {
        if matches!(op, DiffOp::Equal { .. }) {
            continue;
        }
        let (old, new) = (op.old_range(), op.new_range());
        match runs.last_mut() {
            Some(last) if last.old.end == old.start && last.new.end == new.start => {
                last.old.end = old.end;
                last.new.end = new.end;
            }
            _ => runs.push(Run { old, new }),
        }
    }
    runs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identical_texts_have_no_runs() {
        assert!(diff_lines(b"a\nb\n", b"a\nb\n").runs.is_empty());
    }

    #[test]
    fn a_replaced_line_is_one_run_with_both_sides() {
        let diff = diff_lines(b"a\nb\nc\n", b"a\nB\nc\n");
        assert_eq!(diff.runs, vec![Run { old: 1..2, new: 1..2 }]);
    }

    #[test]
    fn separate_edits_are_separate_runs() {
        let diff = diff_lines(b"a\nb\nc\nd\n", b"x\nb\nc\ny\n");
        assert_eq!(diff.runs.len(), 2);
        assert_eq!((diff.removed(), diff.added()), (2, 2));
    }

    #[test]
    fn a_missing_final_newline_is_a_change() {
        let diff = diff_lines(b"a\nb", b"a\nb\n");
        assert_eq!(diff.runs, vec![Run { old: 1..2, new: 1..2 }]);
    }

    #[test]
    fn pure_insertion_has_an_empty_old_side() {
        let diff = diff_lines(b"a\nc\n", b"a\nb\nc\n");
        assert_eq!(diff.runs, vec![Run { old: 1..1, new: 1..2 }]);
    }
}
