//! The line diff: which lines changed, as runs of removed and added lines.
//!
//! A file's changed lines are git's own: libgit2's copy of git's xdiff, with
//! the algorithm and heuristics `git diff` uses (Myers with the indent
//! heuristic unless the repository's configuration says otherwise), so line
//! numbers and counts are what the user sees in git. Lines keep their
//! terminators, so `a` and `a\n` differ exactly as they do for
//! `git diff --numstat`. Inside a run, finer alignments may use any differ:
//! [`diff_line_slices`] is Myers with a deadline.

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

/// The line-diff algorithms of git that libgit2 offers (`diff.algorithm`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum DiffAlgorithm {
    #[default]
    Myers,
    Minimal,
    Patience,
}

/// How git diffs lines in a repository: `diff.algorithm` and `diff.indentHeuristic`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineDiffOptions {
    pub algorithm: DiffAlgorithm,
    pub indent_heuristic: bool,
}

impl Default for LineDiffOptions {
    /// What `git diff` does with no configuration.
    fn default() -> Self {
        LineDiffOptions {
            algorithm: DiffAlgorithm::Myers,
            indent_heuristic: true,
        }
    }
}

impl LineDiffOptions {
    /// Reads `diff.algorithm` and `diff.indentHeuristic` as git does;
    /// `histogram`, which libgit2 lacks, falls back to git's default.
    pub fn from_config(config: &git2::Config) -> LineDiffOptions {
        let algorithm = match config.get_string("diff.algorithm").as_deref() {
            Ok("minimal") => DiffAlgorithm::Minimal,
            Ok("patience") => DiffAlgorithm::Patience,
            _ => DiffAlgorithm::Myers,
        };
        LineDiffOptions {
            algorithm,
            indent_heuristic: config.get_bool("diff.indentHeuristic").unwrap_or(true),
        }
    }
}

/// Diffs two texts line by line the way `git diff` does.
pub fn diff_lines(old: &[u8], new: &[u8]) -> LineDiff {
    diff_lines_with(old, new, &LineDiffOptions::default())
}

impl LineDiffOptions {
    /// libgit2's options for a line diff with no context.
    fn git_options(&self) -> git2::DiffOptions {
        let mut git_options = git2::DiffOptions::new();
        git_options
            .context_lines(0)
            .interhunk_lines(0)
            .force_text(true)
            .indent_heuristic(self.indent_heuristic)
            .minimal(self.algorithm == DiffAlgorithm::Minimal)
            .patience(self.algorithm == DiffAlgorithm::Patience);
        git_options
    }
}

/// The new side of a diff of a blob: another blob, or a file's bytes.
pub enum NewContent<'a, 'repo> {
    Blob(&'a git2::Blob<'repo>),
    Bytes(&'a [u8]),
}

/// Diffs a blob with its new version as git does. Blobs are diffed where
/// they are, without hashing their content again (libgit2 hashes every
/// buffer it is given, with SHA-1's collision-detecting variant).
pub fn diff_blob(old: &git2::Blob<'_>, new: NewContent<'_, '_>, options: &LineDiffOptions) -> LineDiff {
    let mut git_options = options.git_options();
    let patch = match new {
        NewContent::Blob(blob) => git2::Patch::from_blobs(old, None, blob, None, Some(&mut git_options)),
        NewContent::Bytes(bytes) => git2::Patch::from_blob_and_buffer(old, None, bytes, None, Some(&mut git_options)),
    };
    let new_bytes = match new {
        NewContent::Blob(blob) => blob.content(),
        NewContent::Bytes(bytes) => bytes,
    };
    match patch {
        Ok(patch) => LineDiff {
            runs: runs_of_patch(&patch),
        },
        Err(_) => diff_line_slices(&split_lines(old.content()), &split_lines(new_bytes)),
    }
}

/// Diffs two texts line by line with git's differ and the given options.
pub fn diff_lines_with(old: &[u8], new: &[u8], options: &LineDiffOptions) -> LineDiff {
    let mut git_options = options.git_options();
    match git2::Patch::from_buffers(old, None, new, None, Some(&mut git_options)) {
        Ok(patch) => LineDiff {
            runs: runs_of_patch(&patch),
        },
        // libgit2 fails only when it cannot allocate: a diff of the same lines
        // by another differ is still a correct one.
        Err(_) => diff_line_slices(&split_lines(old), &split_lines(new)),
    }
}

/// The runs of a patch, read from its lines: libgit2 may keep an unchanged
/// line inside a hunk even with no context asked for.
fn runs_of_patch(patch: &git2::Patch<'_>) -> Vec<Run> {
    let mut runs: Vec<Run> = Vec::new();
    for hunk_index in 0..patch.num_hunks() {
        let Ok((hunk, line_count)) = patch.hunk(hunk_index) else {
            continue;
        };
        // The rows the next line of the hunk stands at, on each side.
        let mut old_next = first_row(hunk.old_start(), hunk.old_lines());
        let mut new_next = first_row(hunk.new_start(), hunk.new_lines());
        let mut open = false;
        for line in (0..line_count).filter_map(|index| patch.line_in_hunk(hunk_index, index).ok()) {
            let changed = match line.origin() {
                '-' | '+' => true,
                ' ' => false,
                // "\ No newline at end of file" and its kin are not lines.
                _ => continue,
            };
            if changed && !open {
                runs.push(Run {
                    old: old_next..old_next,
                    new: new_next..new_next,
                });
            }
            open = changed;
            if let Some(number) = line.old_lineno() {
                old_next = number as usize;
            }
            if let Some(number) = line.new_lineno() {
                new_next = number as usize;
            }
            if let Some(run) = runs.last_mut().filter(|_| changed) {
                run.old.end = old_next;
                run.new.end = new_next;
            }
        }
    }
    runs
}

/// A hunk's first 0-based row: `@@ -5,2` starts at row 4, and an empty range
/// (`@@ -5,0`) sits after line 5, at row 5.
fn first_row(start: u32, count: u32) -> usize {
    let start = start as usize;
    if count == 0 { start } else { start.saturating_sub(1) }
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
    fn the_repository_configuration_chooses_the_algorithm() {
        let folder = tempfile::tempdir().unwrap();
        let mut config = git2::Config::open(&folder.path().join("config")).unwrap();
        assert_eq!(LineDiffOptions::from_config(&config), LineDiffOptions::default());
        config.set_str("diff.algorithm", "patience").unwrap();
        config.set_bool("diff.indentHeuristic", false).unwrap();
        let options = LineDiffOptions::from_config(&config);
        assert_eq!(options.algorithm, DiffAlgorithm::Patience);
        assert!(!options.indent_heuristic);
    }

    #[test]
    fn an_edit_and_an_insertion_separated_by_a_kept_line_are_two_runs() {
        let diff = diff_lines(b"a\n\nb\n", b"A\n\nb\nc\n");
        assert_eq!(
            diff.runs,
            vec![Run { old: 0..1, new: 0..1 }, Run { old: 3..3, new: 3..4 }]
        );
    }

    #[test]
    fn pure_insertion_has_an_empty_old_side() {
        let diff = diff_lines(b"a\nc\n", b"a\nb\nc\n");
        assert_eq!(diff.runs, vec![Run { old: 1..1, new: 1..2 }]);
    }
}
