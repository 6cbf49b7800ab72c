//! The line diff: which lines changed, as runs of removed and added lines.
//!
//! A file's changed lines are git's own: libgit2's copy of git's xdiff, with
//! the algorithm and heuristics `git diff` uses (Myers with the indent
//! heuristic unless the repository's configuration says otherwise), so line
//! numbers and counts are what the user sees in git. Lines keep their
//! terminators, so `a` and `a\n` differ exactly as they do for
//! `git diff --numstat`. Inside a run, finer alignments may use any differ:
//! [`diff_line_slices`] is Myers with a deadline.

use std::hash::Hash;
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

/// Where each of the first `count` rows of one side is on the other, for the
/// rows no run changed (`None` for the others); `sides` gives a run's rows on
/// this side and on the other.
pub fn rows_elsewhere(
    runs: &[Run],
    count: usize,
    sides: impl Fn(&Run) -> (&Range<usize>, &Range<usize>),
) -> Vec<Option<usize>> {
    let mut elsewhere = vec![None; count];
    let (mut here, mut there) = (0, 0);
    for run in runs {
        let (run_here, run_there) = sides(run);
        while here < run_here.start.min(count) {
            elsewhere[here] = Some(there);
            (here, there) = (here + 1, there + 1);
        }
        (here, there) = (run_here.end, run_there.end);
    }
    while here < count {
        elsewhere[here] = Some(there);
        (here, there) = (here + 1, there + 1);
    }
    elsewhere
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

/// The lines (without their line break) that contain `needle`, each once and
/// in order: a search of a whole file that reads only the lines it finds.
pub fn lines_containing<'t>(text: &'t str, needle: &'t str) -> impl Iterator<Item = &'t str> + 't {
    let bytes = text.as_bytes();
    let mut next_line = 0;
    memchr::memmem::find_iter(bytes, needle.as_bytes()).filter_map(move |at| {
        if at < next_line {
            return None;
        }
        let start = memchr::memrchr(b'\n', &bytes[..at]).map_or(0, |newline| newline + 1);
        let end = memchr::memchr(b'\n', &bytes[at..]).map_or(text.len(), |newline| at + newline);
        next_line = end + 1;
        Some(&text[start..end])
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

/// Diffs two sequences of lines (any comparable line type). A line found on
/// one side only can match nothing: as git's xdiff does, such lines are set
/// aside before Myers runs, so a rewritten file (thousands of lines gone, a
/// few added) does not cost the product of its sides. The matches found are
/// still a longest common subsequence.
pub fn diff_line_slices<T: Eq + Hash>(old: &[T], new: &[T]) -> LineDiff {
    let deadline = Instant::now() + LINE_DIFF_BUDGET;
    let mut ids: foldhash::HashMap<&T, u32> = foldhash::HashMap::default();
    let mut intern = |line| {
        let next = ids.len() as u32;
        *ids.entry(line).or_insert(next)
    };
    let old_ids: Vec<u32> = old.iter().map(&mut intern).collect();
    let new_ids: Vec<u32> = new.iter().map(&mut intern).collect();
    let present = |ids_of_side: &[u32]| {
        let mut present = vec![false; ids.len()];
        ids_of_side.iter().for_each(|&id| present[id as usize] = true);
        present
    };
    let (in_old, in_new) = (present(&old_ids), present(&new_ids));
    let matchable = |side: &[u32], other: &[bool]| -> Vec<usize> {
        (0..side.len()).filter(|&row| other[side[row] as usize]).collect()
    };
    let (old_rows, new_rows) = (matchable(&old_ids, &in_new), matchable(&new_ids, &in_old));
    let old_kept: Vec<u32> = old_rows.iter().map(|&row| old_ids[row]).collect();
    let new_kept: Vec<u32> = new_rows.iter().map(|&row| new_ids[row]).collect();
    let ops = capture_diff_slices_deadline(Algorithm::Myers, &old_kept, &new_kept, Some(deadline));
    let mut matches = Vec::new();
    for op in &ops {
        if let DiffOp::Equal {
            old_index,
            new_index,
            len,
        } = *op
        {
            matches.extend((0..len).map(|k| (old_rows[old_index + k], new_rows[new_index + k])));
        }
    }
    LineDiff {
        runs: runs_between(&matches, old.len(), new.len()),
    }
}

/// The runs between matched lines `(old row, new row)`, given in order.
fn runs_between(matches: &[(usize, usize)], old_len: usize, new_len: usize) -> Vec<Run> {
    let mut runs = Vec::new();
    let (mut old_next, mut new_next) = (0, 0);
    for &(old_row, new_row) in matches.iter().chain(&[(old_len, new_len)]) {
        if old_row > old_next || new_row > new_next {
            runs.push(Run {
                old: old_next..old_row,
                new: new_next..new_row,
            });
        }
        (old_next, new_next) = (old_row + 1, new_row + 1);
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
    fn lines_found_on_one_side_only_are_changed_wherever_they_stand() {
        let old = ["a", "gone", "gone too", "b", "c", "b"];
        let new = ["a", "b", "new", "c", "b", "added"];
        assert_eq!(
            diff_line_slices(&old, &new).runs,
            vec![
                Run { old: 1..3, new: 1..1 },
                Run { old: 4..4, new: 2..3 },
                Run { old: 6..6, new: 5..6 },
            ]
        );
    }

    #[test]
    fn lines_containing_a_word_are_found_once_each() {
        let text = "import os\nfrom x import os, os\n\nos\r\nnothing";
        assert_eq!(
            lines_containing(text, "os").collect::<Vec<_>>(),
            ["import os", "from x import os, os", "os\r"]
        );
        assert_eq!(lines_containing(text, "nothing").collect::<Vec<_>>(), ["nothing"]);
        assert_eq!(lines_containing(text, "absent").count(), 0);
    }

    #[test]
    fn pure_insertion_has_an_empty_old_side() {
        let diff = diff_lines(b"a\nc\n", b"a\nb\nc\n");
        assert_eq!(diff.runs, vec![Run { old: 1..1, new: 1..2 }]);
    }
}
