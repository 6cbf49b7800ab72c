//! The middle version of a file: the old side plus the changes that are not
//! separated out (SPEC, "Separating the noise"), rebuilt from the
//! classification as real code.
//!
//! The changed lines are cut into blocks, each the smallest stretch of both
//! sides that holds whole statements: rows joined by a token the alignment
//! matched belong together (a call re-wrapped over four lines is one block
//! with the line it replaces). A block whose every label is separated goes
//! back to the old text; a block whose labels are all kept takes the new
//! text, with each separated rename spelled the old way again (also in the
//! new code that uses it); a block that mixes them cannot be split without
//! cutting a statement in half, and the file is refused with the reason. A
//! moved definition goes back to its old place, its two copies cut into
//! blocks the same way, so that its kept edits are applied there.

use std::collections::HashMap;
use std::ops::Range;

use super::{Alignment, Analysis};
use crate::label::Label;
use crate::lines::{Run, diff_line_slices, split_lines};

/// Why a file cannot be split.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal(pub String);

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The old text with every change kept but those labelled `separated`.
/// `analysis` is the classification of `old` → `new` (with its marks).
pub fn middle_version(old: &[u8], new: &[u8], analysis: &Analysis, separated: &[Label]) -> Result<Vec<u8>, Refusal> {
    let lines = Lines::new(old, new);
    let moves = moved_places(&lines, analysis);
    let rebuild = Rebuild {
        lines: &lines,
        analysis,
        moves: &moves,
        separated,
        renamed: RenamedRows::new(new, &analysis.alignment, separated.contains(&Label::Rename)),
    };
    let whole = View::new(
        &lines,
        (0..lines.old.len(), 0..lines.new.len()),
        &analysis.diff.runs,
        &analysis.alignment.partners,
        &spaced(&moves, &lines, analysis),
    );
    let mut middle = Vec::with_capacity(new.len().max(old.len()));
    rebuild.view(&whole, &[], false, &mut middle)?;
    Ok(middle)
}

/// Whether a row of one side is changed.
fn changed(analysis: &Analysis, row: usize, old_side: bool) -> bool {
    analysis.diff.runs.iter().any(|run| match old_side {
        true => run.old.contains(&row),
        false => run.new.contains(&row),
    })
}

/// The moved definitions' places, trimmed to their changed rows: a comment
/// that stayed where it was is no part of the move.
fn moved_places(lines: &Lines<'_>, analysis: &Analysis) -> Vec<(Range<usize>, Range<usize>)> {
    let trimmed = |place: &Range<usize>, side: &[&[u8]], old_side: bool| {
        let mut place = place.start..place.end.min(side.len());
        while !place.is_empty() && !changed(analysis, place.start, old_side) {
            place.start += 1;
        }
        while !place.is_empty() && !changed(analysis, place.end - 1, old_side) {
            place.end -= 1;
        }
        place
    };
    analysis
        .alignment
        .moves
        .iter()
        .map(|(old_rows, new_rows)| {
            (
                trimmed(old_rows, &lines.old, true),
                trimmed(new_rows, &lines.new, false),
            )
        })
        .collect()
}

/// The moved definitions' places, each with the changed blank lines just
/// above it: the spacing that moved with it.
fn spaced(
    places: &[(Range<usize>, Range<usize>)],
    lines: &Lines<'_>,
    analysis: &Analysis,
) -> Vec<(Range<usize>, Range<usize>)> {
    let blank = |line: &[u8]| line.trim_ascii().is_empty();
    let spaced = |place: &Range<usize>, side: &[&[u8]], old_side: bool| {
        let mut start = place.start;
        while start > 0 && blank(side[start - 1]) && changed(analysis, start - 1, old_side) {
            start -= 1;
        }
        start..place.end
    };
    places
        .iter()
        .map(|(old_rows, new_rows)| (spaced(old_rows, &lines.old, true), spaced(new_rows, &lines.new, false)))
        .collect()
}

/// Both sides' lines, and where each new line starts.
struct Lines<'a> {
    old: Vec<&'a [u8]>,
    new: Vec<&'a [u8]>,
    new_starts: Vec<usize>,
}

impl<'a> Lines<'a> {
    fn new(old: &'a [u8], new: &'a [u8]) -> Lines<'a> {
        let (old, new) = (split_lines(old), split_lines(new));
        let new_starts = new
            .iter()
            .scan(0, |start, line| {
                let this = *start;
                *start += line.len();
                Some(this)
            })
            .collect();
        Lines { old, new, new_starts }
    }
}

/// Some rows of each side (all of them, or a moved definition's two
/// copies): which are unchanged (each the other's twin), and which belong
/// to one statement.
struct View {
    old: Range<usize>,
    new: Range<usize>,
    /// The new row of each unchanged old row, by old row.
    old_to_new: HashMap<usize, usize>,
    new_to_old: HashMap<usize, usize>,
    components: Components,
}

/// A stretch of both sides that holds whole statements.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Block {
    old: Range<usize>,
    new: Range<usize>,
}

impl View {
    /// `runs` are the changed rows within `rows`; `partners` join rows of one
    /// statement; each of `pieces` (a moved definition's places) is whole.
    fn new(
        lines: &Lines<'_>,
        rows: (Range<usize>, Range<usize>),
        runs: &[Run],
        partners: &[(usize, usize)],
        pieces: &[(Range<usize>, Range<usize>)],
    ) -> View {
        let (old, new) = rows;
        let (mut old_to_new, mut new_to_old) = (HashMap::new(), HashMap::new());
        let (mut i, mut j) = (old.start, new.start);
        let end = Run {
            old: old.end..old.end,
            new: new.end..new.end,
        };
        for run in runs.iter().chain(std::iter::once(&end)) {
            while i < run.old.start && j < run.new.start {
                old_to_new.insert(i, j);
                new_to_old.insert(j, i);
                (i, j) = (i + 1, j + 1);
            }
            (i, j) = (run.old.end, run.new.end);
        }
        let old_count = lines.old.len();
        let mut components = Components::new(old_count + lines.new.len());
        for &(o, n) in partners {
            if old.contains(&o) && new.contains(&n) {
                components.join(o, old_count + n);
            }
        }
        for (old_rows, new_rows) in pieces {
            for row in old_rows.start + 1..old_rows.end.min(old_count) {
                components.join(old_rows.start, row);
            }
            for row in new_rows.start + 1..new_rows.end.min(lines.new.len()) {
                components.join(old_count + new_rows.start, old_count + row);
            }
        }
        View {
            old,
            new,
            old_to_new,
            new_to_old,
            components,
        }
    }

    fn unchanged_old(&self, row: usize) -> bool {
        self.old_to_new.contains_key(&row)
    }

    fn unchanged_new(&self, row: usize) -> bool {
        self.new_to_old.contains_key(&row)
    }

    /// The view's rows cut into blocks, in order: each unchanged row alone,
    /// and the changed rows in the smallest stretches closed under their
    /// statements.
    fn blocks(&self, old_count: usize) -> Result<Vec<Block>, Refusal> {
        let mut blocks = Vec::new();
        let (mut i, mut j) = (self.old.start, self.new.start);
        while i < self.old.end || j < self.new.end {
            if i < self.old.end && self.old_to_new.get(&i) == Some(&j) {
                blocks.push(Block {
                    old: i..i + 1,
                    new: j..j + 1,
                });
                (i, j) = (i + 1, j + 1);
                continue;
            }
            // A row of one side only (added or removed, joined to nothing on
            // the other) makes its own block before the rows that pair up.
            let one_sided = |node: usize| {
                self.components
                    .members(node)
                    .all(|member| (member < old_count) == (node < old_count))
            };
            let old_here = i < self.old.end && !self.unchanged_old(i);
            let new_here = j < self.new.end && !self.unchanged_new(j);
            let mut block = if new_here && (!old_here || (one_sided(old_count + j) && !one_sided(i))) {
                Block {
                    old: i..i,
                    new: j..j + 1,
                }
            } else {
                Block {
                    old: i..i + 1,
                    new: j..j,
                }
            };
            self.close(&mut block, old_count)?;
            // A statement can reach back over rows already cut (a string
            // continued from an unchanged line): those blocks join this one.
            while let Some(last) = blocks.last()
                && (block.old.start < last.old.end || block.new.start < last.new.end)
            {
                block.old.start = block.old.start.min(last.old.start);
                block.new.start = block.new.start.min(last.new.start);
                blocks.pop();
                self.close(&mut block, old_count)?;
            }
            (i, j) = (block.old.end, block.new.end);
            blocks.push(block);
        }
        Ok(blocks)
    }

    /// Grows a block until every statement it touches is whole in it, on
    /// both sides (and an unchanged row in it brings its twin).
    fn close(&self, block: &mut Block, old_count: usize) -> Result<(), Refusal> {
        let mut seen = Block {
            old: block.old.start..block.old.start,
            new: block.new.start..block.new.start,
        };
        while seen != *block {
            let unseen = |all: &Range<usize>, seen: &Range<usize>| (all.start..seen.start).chain(seen.end..all.end);
            let nodes: Vec<usize> = unseen(&block.old, &seen.old)
                .chain(unseen(&block.new, &seen.new).map(|row| old_count + row))
                .collect();
            seen = block.clone();
            for node in nodes {
                let twin = match node.checked_sub(old_count) {
                    None => self.old_to_new.get(&node).map(|row| old_count + row),
                    Some(row) => self.new_to_old.get(&row).copied(),
                };
                for member in self.components.members(node).chain(twin) {
                    let (range, limit, row) = match member.checked_sub(old_count) {
                        None => (&mut block.old, &self.old, member),
                        Some(row) => (&mut block.new, &self.new, row),
                    };
                    if !limit.contains(&row) {
                        return Err(Refusal(format!(
                            "line {}: the diff pairs its statements crosswise",
                            row + 1
                        )));
                    }
                    *range = range.start.min(row)..range.end.max(row + 1);
                }
            }
        }
        Ok(())
    }
}

/// Union-find over rows (old rows first, then new rows).
struct Components {
    parent: Vec<usize>,
    members: HashMap<usize, Vec<usize>>,
}

impl Components {
    fn new(count: usize) -> Components {
        Components {
            parent: (0..count).collect(),
            members: HashMap::new(),
        }
    }

    fn root(&self, mut node: usize) -> usize {
        while self.parent[node] != node {
            node = self.parent[node];
        }
        node
    }

    fn join(&mut self, a: usize, b: usize) {
        let (root_a, root_b) = (self.root(a), self.root(b));
        if root_a == root_b {
            return;
        }
        self.parent[root_b] = root_a;
        let mut moved = self.members.remove(&root_b).unwrap_or_else(|| vec![root_b]);
        self.members
            .entry(root_a)
            .or_insert_with(|| vec![root_a])
            .append(&mut moved);
    }

    /// Every row of a node's statement, the node included.
    fn members(&self, node: usize) -> impl Iterator<Item = usize> + '_ {
        let root = self.root(node);
        let many = self.members.get(&root);
        let alone = many.is_none().then_some(node);
        many.into_iter().flatten().copied().chain(alone)
    }
}

/// The new rows that spell a separated rename's new name, with the old name
/// to put back at each byte range.
struct RenamedRows {
    by_row: HashMap<usize, Vec<(Range<usize>, String)>>,
}

impl RenamedRows {
    fn new(new: &[u8], alignment: &Alignment, separated: bool) -> RenamedRows {
        let mut by_row: HashMap<usize, Vec<(Range<usize>, String)>> = HashMap::new();
        if separated {
            // Spans are offsets into the text as parsed, without a byte-order mark.
            let bom = if new.starts_with("\u{feff}".as_bytes()) { 3 } else { 0 };
            for span in &alignment.renamed_spans {
                let bytes = span.bytes.start + bom..span.bytes.end + bom;
                by_row.entry(span.row).or_default().push((bytes, span.old_name.clone()));
            }
        }
        by_row
            .values_mut()
            .for_each(|spans| spans.sort_by_key(|(bytes, _)| bytes.start));
        RenamedRows { by_row }
    }
}

/// Which side's text a stretch keeps.
enum Side {
    Old,
    New,
}

/// Writes the middle version, block by block.
struct Rebuild<'a> {
    lines: &'a Lines<'a>,
    analysis: &'a Analysis,
    /// The moved definitions' places (see [`moved_places`]).
    moves: &'a [(Range<usize>, Range<usize>)],
    separated: &'a [Label],
    renamed: RenamedRows,
}

impl Rebuild<'_> {
    /// Writes a view's blocks; `also_separated` labels are separated here
    /// too. `copies` is a moved definition's two copies (no move inside).
    fn view(&self, view: &View, also_separated: &[Label], copies: bool, out: &mut Vec<u8>) -> Result<(), Refusal> {
        for block in view.blocks(self.lines.old.len())? {
            let unchanged = block.old.len() == 1
                && block.new.len() == 1
                && view.old_to_new.get(&block.old.start) == Some(&block.new.start);
            if unchanged {
                self.old_rows(block.old, out);
                continue;
            }
            if let Some((old_rows, new_rows)) = self.move_at(&block).filter(|_| !copies) {
                // A moved definition stands at one of its places: the old
                // one when its move is separated, else the new one; there it
                // is its copy with the kept edits only.
                let back = self.separated.contains(&Label::Reorder);
                if block.new.is_empty() == back {
                    self.moved_copy(&block, (old_rows, new_rows), back, out)?;
                }
                continue;
            }
            let labels = self.labels(view, &block);
            match self.decide(&labels, also_separated)? {
                Side::Old => self.old_rows(block.old, out),
                Side::New => self.new_rows(block.new, out),
            }
        }
        Ok(())
    }

    /// Whether to keep a stretch's old text or its new text, from its labels.
    fn decide(&self, labels: &[(Label, usize)], also_separated: &[Label]) -> Result<Side, Refusal> {
        let is_separated = |label: Label| self.separated.contains(&label) || also_separated.contains(&label);
        let kept: Vec<&(Label, usize)> = labels.iter().filter(|(label, _)| !is_separated(*label)).collect();
        let separated: Vec<&(Label, usize)> = labels.iter().filter(|(label, _)| is_separated(*label)).collect();
        if kept.is_empty() {
            return Ok(Side::Old);
        }
        // A rename is undone inside kept lines too.
        if separated.iter().all(|(label, _)| *label == Label::Rename) {
            return Ok(Side::New);
        }
        let (label, line) = separated[0];
        let (kept_label, kept_line) = kept[0];
        Err(Refusal(format!(
            "line {line} ({label}) and line {kept_line} ({kept_label}) are parts of one statement: separating one would cut it"
        )))
    }

    /// The label of every changed row of a block, with its line number.
    fn labels(&self, view: &View, block: &Block) -> Vec<(Label, usize)> {
        let marks = &self.analysis.marks;
        let old = block
            .old
            .clone()
            .filter(|&row| !view.unchanged_old(row))
            .filter_map(|row| Some((marks.old.get(row)?.label, row + 1)));
        let new = block
            .new
            .clone()
            .filter(|&row| !view.unchanged_new(row))
            .filter_map(|row| Some((marks.new.get(row)?.label, row + 1)));
        old.chain(new).collect()
    }

    fn old_rows(&self, rows: Range<usize>, out: &mut Vec<u8>) {
        rows.for_each(|row| out.extend_from_slice(self.lines.old[row]));
    }

    /// New rows, each separated rename spelled the old way again.
    fn new_rows(&self, rows: Range<usize>, out: &mut Vec<u8>) {
        for row in rows {
            let line = self.lines.new[row];
            let Some(spans) = self.renamed.by_row.get(&row) else {
                out.extend_from_slice(line);
                continue;
            };
            let start = self.lines.new_starts[row];
            let mut at = 0;
            for (bytes, old_name) in spans {
                out.extend_from_slice(&line[at..bytes.start - start]);
                out.extend_from_slice(old_name.as_bytes());
                at = bytes.end - start;
            }
            out.extend_from_slice(&line[at..]);
        }
    }

    /// The moved definition a block is one place of: all its rows on one side
    /// inside the definition (or blank), none on the other.
    fn move_at(&self, block: &Block) -> Option<(Range<usize>, Range<usize>)> {
        let blank = |line: &[u8]| line.trim_ascii().is_empty();
        let inside = |rows: &Range<usize>, lines: &[&[u8]], place: &Range<usize>| {
            !rows.is_empty()
                && rows.clone().any(|row| place.contains(&row))
                && rows.clone().all(|row| place.contains(&row) || blank(lines[row]))
        };
        self.moves.iter().find_map(|(old_rows, new_rows)| {
            let old_place = block.new.is_empty() && inside(&block.old, &self.lines.old, old_rows);
            let new_place = block.old.is_empty() && inside(&block.new, &self.lines.new, new_rows);
            (old_place || new_place).then(|| (old_rows.clone(), new_rows.clone()))
        })
    }

    /// A moved definition at the place where it stays (`back`: its old
    /// one): its two copies side by side, cut into blocks like the file, the
    /// move itself separated or not; the block's blank lines around it come
    /// from that place's side.
    fn moved_copy(
        &self,
        block: &Block,
        (old_rows, new_rows): (Range<usize>, Range<usize>),
        back: bool,
        out: &mut Vec<u8>,
    ) -> Result<(), Refusal> {
        let (old_def, new_def) = (old_rows, new_rows);
        let inner = diff_line_slices(&self.lines.old[old_def.clone()], &self.lines.new[new_def.clone()]);
        let runs: Vec<Run> = inner
            .runs
            .iter()
            .map(|run| Run {
                old: old_def.start + run.old.start..old_def.start + run.old.end,
                new: new_def.start + run.new.start..new_def.start + run.new.end,
            })
            .collect();
        let copies = View::new(
            self.lines,
            (old_def.clone(), new_def.clone()),
            &runs,
            &self.analysis.alignment.move_partners,
            &[],
        );
        let also_separated: &[Label] = if back { &[Label::Reorder] } else { &[] };
        let (place, def) = if back {
            (&block.old, &old_def)
        } else {
            (&block.new, &new_def)
        };
        let around = |rows: Range<usize>, out: &mut Vec<u8>| match back {
            true => self.old_rows(rows, out),
            false => self.new_rows(rows, out),
        };
        around(place.start..def.start.max(place.start), out);
        self.view(&copies, also_separated, true, out)?;
        around(def.end.min(place.end)..place.end, out);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::{Language, classify};

    const NOISE: [Label; 6] = [
        Label::Rename,
        Label::Annotation,
        Label::Docstring,
        Label::Comment,
        Label::Reorder,
        Label::Formatting,
    ];

    fn middle(old: &str, new: &str) -> Result<String, Refusal> {
        let analysis = classify(old.as_bytes(), new.as_bytes(), Language::Python);
        let middle = middle_version(old.as_bytes(), new.as_bytes(), &analysis, &NOISE)?;
        Ok(String::from_utf8(middle).unwrap())
    }

    #[test]
    fn noise_goes_back_and_the_fix_stays() {
        let old = "def total(items):\n    s = 0\n    for i in items:\n        s += i\n    return s\n";
        let new = "def total(items):\n    \"\"\"Sum the items.\"\"\"\n    # start from zero\n    s = 0\n    for i in items:\n        s += abs(i)\n    return s\n";
        let expected = "def total(items):\n    s = 0\n    for i in items:\n        s += abs(i)\n    return s\n";
        assert_eq!(middle(old, new).unwrap(), expected);
    }

    #[test]
    fn a_rename_taken_out_is_undone_in_the_code_that_uses_it() {
        let old = "def f(n):\n    cutoff = 10\n    if abs(n) < cutoff:\n        return 1\n    return cutoff\n";
        let new = "def f(n):\n    element = 10\n    if abs(n) <= element:\n        return 1\n    return element\n";
        let expected = "def f(n):\n    cutoff = 10\n    if abs(n) <= cutoff:\n        return 1\n    return cutoff\n";
        assert_eq!(middle(old, new).unwrap(), expected);
    }

    #[test]
    fn a_moved_definition_goes_back_with_its_edit() {
        let body = "    x = 1\n    y = 2\n    z = 3\n    return x + y + z\n";
        let old = format!("def a():\n{body}\n\ndef b():\n    return 0\n");
        let new = format!(
            "def b():\n    return 0\n\n\ndef a():\n{}",
            body.replace("z = 3", "z = 4")
        );
        let expected = old.replace("z = 3", "z = 4");
        assert_eq!(middle(&old, &new).unwrap(), expected);
    }

    #[test]
    fn a_definition_moved_away_from_the_comment_above_it_goes_back_under_it() {
        let walk = "def walk(d):\n    for x in d:\n        yield x\n";
        let exists = "def exists(p):\n    return p is not None\n";
        let tail = "def recursive(p):\n    return p == '**'\n";
        let old = format!("X = 1\n\n# Recursively yields names.\n{walk}\n\n{exists}\n{tail}");
        let new = format!(
            "X = 1\n\n# Recursively yields names.\n{exists}\n\n{walk}\n{}",
            tail.replace("==", "!=")
        );
        assert_eq!(middle(&old, &new).unwrap(), old.replace("==", "!="));
    }

    #[test]
    fn a_moved_method_with_a_fix_a_rename_and_a_docstring_goes_back_with_the_fix_only() {
        let context = "    def get_context_data(self, **kwargs):\n        ctx = super().get_context_data(**kwargs)\n        return ctx\n";
        let old_method = "    def get_queryset(self):\n        qs = Report.objects.filter(published=True)\n        return qs.order_by(\"-created\")\n";
        let new_method = "    def get_queryset(self):\n        \"\"\"Only published reports.\"\"\"\n        queryset = Report.objects.filter(published=True, archived=False)\n        return queryset.order_by(\"-created\")\n";
        let old = format!("class ReportView(ListView):\n    paginate_by = 20\n\n{context}\n{old_method}");
        let new = format!("class ReportView(ListView):\n    paginate_by = 20\n\n{new_method}\n{context}");
        let expected = old.replace("published=True)", "published=True, archived=False)");
        assert_eq!(middle(&old, &new).unwrap(), expected);
    }

    #[test]
    fn a_rewrap_and_quotes_go_back() {
        let old = "def f(a, b):\n    return call(a, b, 'x')\n\n\ndef g():\n    return 1\n";
        let new = "def f(a, b):\n    return call(\n        a,\n        b,\n        \"x\",\n    )\n\n\ndef g():\n    return 2\n";
        let expected = "def f(a, b):\n    return call(a, b, 'x')\n\n\ndef g():\n    return 2\n";
        assert_eq!(middle(old, new).unwrap(), expected);
    }

    #[test]
    fn quotes_changed_inside_a_string_continued_over_lines_go_back() {
        let old = "def f(n):\n    warn('a '\n         'b '\n         'c',\n         Warning)\n    return n < 1\n";
        let new = old.replace("'b '", "\"b \"").replace("n < 1", "n <= 1");
        assert_eq!(middle(old, &new).unwrap(), old.replace("n < 1", "n <= 1"));
    }

    #[test]
    fn a_statement_both_rewrapped_and_edited_cannot_be_split() {
        let old = "def fetch(url):\n    return requests.get(url, timeout=5)\n";
        let new = "def fetch(url):\n    return requests.get(\n        url,\n        timeout=5,\n        verify=False,\n    )\n";
        let refusal = middle(old, new).unwrap_err();
        assert!(refusal.0.contains("one statement"), "{refusal}");
    }

    #[test]
    fn a_line_both_rewrapped_and_edited_keeps_its_new_text() {
        let old = "def fetch(url):\n    return requests.get(url,timeout=5)\n";
        let new = "def fetch(url):\n    return requests.get(url, timeout=10)\n";
        assert_eq!(middle(old, new).unwrap(), new);
    }

    #[test]
    fn only_the_separated_labels_go_back() {
        let old = "def f(x):\n    return x\n";
        let new = "def f(x):\n    \"\"\"Doc.\"\"\"\n    # note\n    return x\n";
        let analysis = classify(old.as_bytes(), new.as_bytes(), Language::Python);
        let comments_out = middle_version(old.as_bytes(), new.as_bytes(), &analysis, &[Label::Comment]).unwrap();
        assert_eq!(
            String::from_utf8(comments_out).unwrap(),
            "def f(x):\n    \"\"\"Doc.\"\"\"\n    return x\n"
        );
    }
}
