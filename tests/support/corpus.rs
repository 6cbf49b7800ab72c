//! The labelled corpus: before/after pairs with the expected label of every
//! changed line, written as one annotated file per case.
//!
//! ```text
//! %% a title line
//!             | def total(items):      <- unchanged line
//! -substantive|     return 0           <- removed line and its label
//! +substantive|     return sum(items)  <- added line and its label
//! ```

use std::path::{Path, PathBuf};

use diffscore::classify::{Language, classify};
use diffscore::label::Label;

pub struct Case {
    pub path: PathBuf,
    pub before: String,
    pub after: String,
    /// Expected label of each removed line, by 0-based row of `before`.
    pub old: Vec<(usize, Label)>,
    /// Expected label of each added line, by 0-based row of `after`.
    pub new: Vec<(usize, Label)>,
}

/// Every `.case` file under `dir`, sorted by path.
pub fn load(dir: &Path) -> Vec<Case> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "case"))
        .collect();
    paths.sort();
    paths.into_iter().map(|path| load_one(&path)).collect()
}

pub fn load_one(path: &Path) -> Case {
    let text = std::fs::read_to_string(path).unwrap();
    let mut case = Case {
        path: path.to_owned(),
        before: String::new(),
        after: String::new(),
        old: Vec::new(),
        new: Vec::new(),
    };
    let (mut old_row, mut new_row) = (0, 0);
    for (number, line) in text.lines().enumerate() {
        if line.starts_with("%%") || line.trim().is_empty() && !line.contains('|') {
            continue;
        }
        let where_ = || format!("{}:{}", path.display(), number + 1);
        let (tag, content) = line.split_once('|').unwrap_or_else(|| panic!("{}: no `|`", where_()));
        let content = content.strip_prefix(' ').unwrap_or(content);
        let label = || {
            let name = tag[1..].trim();
            Label::from_name(name).unwrap_or_else(|| panic!("{}: unknown label `{name}`", where_()))
        };
        match tag.chars().next() {
            Some('-') => {
                case.old.push((old_row, label()));
                push_line(&mut case.before, content, &mut old_row);
            }
            Some('+') => {
                case.new.push((new_row, label()));
                push_line(&mut case.after, content, &mut new_row);
            }
            _ => {
                push_line(&mut case.before, content, &mut old_row);
                push_line(&mut case.after, content, &mut new_row);
            }
        }
    }
    case
}

fn push_line(text: &mut String, line: &str, row: &mut usize) {
    text.push_str(line);
    text.push('\n');
    *row += 1;
}

/// One line's expected and actual label; `None` where the diff and the case
/// disagree on whether the line changed.
pub struct Outcome {
    pub line: String,
    pub expected: Option<Label>,
    pub actual: Option<Label>,
}

/// Classifies a case and pairs every changed line's expected and actual label.
pub fn evaluate(case: &Case) -> Vec<Outcome> {
    let analysis = classify(case.before.as_bytes(), case.after.as_bytes(), Language::Python);
    let mut outcomes = Vec::new();
    for (sign, expected, marks) in [
        ('-', &case.old, &analysis.marks.old),
        ('+', &case.new, &analysis.marks.new),
    ] {
        let rows = expected.iter().map(|(row, _)| *row).chain(
            marks
                .rows
                .iter()
                .enumerate()
                .filter(|(_, m)| m.is_some())
                .map(|(row, _)| row),
        );
        let mut rows: Vec<usize> = rows.collect();
        rows.sort_unstable();
        rows.dedup();
        for row in rows {
            outcomes.push(Outcome {
                line: format!("{sign}{}", row + 1),
                expected: expected.iter().find(|(r, _)| *r == row).map(|(_, label)| *label),
                actual: marks.get(row).map(|mark| mark.label),
            });
        }
    }
    outcomes
}

/// The case re-written in the corpus format with the labels diffscore gives.
#[allow(dead_code)] // used by the accuracy example, not by the corpus test
pub fn annotate(case: &Case) -> String {
    let analysis = classify(case.before.as_bytes(), case.after.as_bytes(), Language::Python);
    let old_lines: Vec<&str> = case.before.lines().collect();
    let new_lines: Vec<&str> = case.after.lines().collect();
    let tag = |sign: char, label: Label| format!("{sign}{:<11}| ", label.as_str());
    let mut out = String::new();
    let mut old_row = 0;
    for run in &analysis.diff.runs {
        for line in &old_lines[old_row..run.old.start] {
            out.push_str(&format!("            | {line}\n"));
        }
        for row in run.old.clone() {
            let label = analysis.marks.old.get(row).map_or(Label::Substantive, |m| m.label);
            out.push_str(&format!("{}{}\n", tag('-', label), old_lines[row]));
        }
        for row in run.new.clone() {
            let label = analysis.marks.new.get(row).map_or(Label::Substantive, |m| m.label);
            out.push_str(&format!("{}{}\n", tag('+', label), new_lines[row]));
        }
        old_row = run.old.end;
    }
    for line in &old_lines[old_row..] {
        out.push_str(&format!("            | {line}\n"));
    }
    out.replace("| \n", "|\n")
}

pub fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/corpus")
}
