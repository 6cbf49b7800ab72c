//! The labelled corpus: before/after pairs with the expected label of every
//! changed line, written as one annotated file per case.
//!
//! ```text
//! %% a title line
//!             | def total(items):      <- unchanged line
//! -substantive|     return 0           <- removed line and its label
//! +substantive|     return sum(items)  <- added line and its label
//! ```
//!
//! A case of several files (a patch, with what surrounds it in the
//! repository) gives each file a header; a file that only gives context has
//! no changed line, and an added or deleted file says so:
//!
//! ```text
//! @@ app/printing.py
//!             | from base import CodePrinter
//! @@ repro.py (added)
//! +substantive| print(1)
//! ```
//!
//! A one-file case is classified as a pair of strings; a case of several
//! files is committed to a real repository, changed and staged there, and
//! scored from the index like `diffscore` does.

use std::path::{Path, PathBuf};

use diffscore::classify::{Language, classify};
use diffscore::label::Label;
use diffscore::score::Gate;
use diffscore::source::SourceSpec;

pub struct Case {
    pub path: PathBuf,
    pub files: Vec<CaseFile>,
    /// Whether the files are named by `@@` headers (else one `case.py`).
    named: bool,
}

/// One file of a case.
pub struct CaseFile {
    /// The path in the repository (`case.py` for a one-file case).
    pub path: String,
    pub presence: Presence,
    pub before: String,
    pub after: String,
    /// Expected label of each removed line, by 0-based row of `before`.
    pub old: Vec<(usize, Label)>,
    /// Expected label of each added line, by 0-based row of `after`.
    pub new: Vec<(usize, Label)>,
}

/// Whether a file exists on both sides of the patch.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Presence {
    Both,
    Added,
    Deleted,
}

impl Case {
    /// A one-file case without a header: classified as a pair of strings.
    fn is_single(&self) -> bool {
        !self.named
    }
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
        files: Vec::new(),
        named: text.lines().any(|line| line.starts_with("@@ ")),
    };
    let (mut old_row, mut new_row) = (0, 0);
    for (number, line) in text.lines().enumerate() {
        let where_ = || format!("{}:{}", path.display(), number + 1);
        if let Some(header) = line.strip_prefix("@@ ") {
            case.files.push(file_of_header(header));
            (old_row, new_row) = (0, 0);
            continue;
        }
        if line.starts_with("%%") || line.trim().is_empty() && !line.contains('|') {
            continue;
        }
        if case.files.is_empty() {
            case.files.push(file_of_header("case.py"));
        }
        let file = case.files.last_mut().unwrap();
        let (tag, content) = line.split_once('|').unwrap_or_else(|| panic!("{}: no `|`", where_()));
        let content = content.strip_prefix(' ').unwrap_or(content);
        let label = || {
            let name = tag[1..].trim();
            Label::from_name(name).unwrap_or_else(|| panic!("{}: unknown label `{name}`", where_()))
        };
        match tag.chars().next() {
            Some('-') => {
                file.old.push((old_row, label()));
                push_line(&mut file.before, content, &mut old_row);
            }
            Some('+') => {
                file.new.push((new_row, label()));
                push_line(&mut file.after, content, &mut new_row);
            }
            _ => {
                push_line(&mut file.before, content, &mut old_row);
                push_line(&mut file.after, content, &mut new_row);
            }
        }
    }
    case
}

/// `path`, `path (added)` or `path (deleted)`.
fn file_of_header(header: &str) -> CaseFile {
    let (path, presence) = match header.trim().split_once(' ') {
        Some((path, "(added)")) => (path, Presence::Added),
        Some((path, "(deleted)")) => (path, Presence::Deleted),
        Some((_, other)) => panic!("unknown file status `{other}`"),
        None => (header.trim(), Presence::Both),
    };
    CaseFile {
        path: path.to_owned(),
        presence,
        before: String::new(),
        after: String::new(),
        old: Vec::new(),
        new: Vec::new(),
    }
}

fn push_line(text: &mut String, line: &str, row: &mut usize) {
    text.push_str(line);
    text.push('\n');
    *row += 1;
}

/// One line's expected and actual label; `None` where the diff and the case
/// disagree on whether the line changed.
pub struct Outcome {
    /// `path:-N` or `path:+N` (just `-N`/`+N` in a one-file case).
    pub line: String,
    pub expected: Option<Label>,
    pub actual: Option<Label>,
}

/// The label diffscore gave each changed row of one file, on each side.
struct Labelled {
    old: Vec<Option<Label>>,
    new: Vec<Option<Label>>,
}

/// Classifies a case and pairs every changed line's expected and actual label.
pub fn evaluate(case: &Case) -> Vec<Outcome> {
    let labelled: Vec<Labelled> = if case.is_single() {
        let file = &case.files[0];
        vec![classify_pair(&file.before, &file.after)]
    } else {
        score_in_repository(case)
    };
    let mut outcomes = Vec::new();
    for (file, labels) in case.files.iter().zip(&labelled) {
        let prefix = if case.is_single() {
            String::new()
        } else {
            format!("{}:", file.path)
        };
        for (sign, expected, actual) in [('-', &file.old, &labels.old), ('+', &file.new, &labels.new)] {
            let mut rows: Vec<usize> = expected.iter().map(|(row, _)| *row).collect();
            rows.extend(
                actual
                    .iter()
                    .enumerate()
                    .filter(|(_, l)| l.is_some())
                    .map(|(row, _)| row),
            );
            rows.sort_unstable();
            rows.dedup();
            for row in rows {
                outcomes.push(Outcome {
                    line: format!("{prefix}{sign}{}", row + 1),
                    expected: expected.iter().find(|(r, _)| *r == row).map(|(_, label)| *label),
                    actual: actual.get(row).copied().flatten(),
                });
            }
        }
    }
    outcomes
}

fn classify_pair(before: &str, after: &str) -> Labelled {
    let analysis = classify(before.as_bytes(), after.as_bytes(), Language::Python);
    let labels =
        |marks: &diffscore::classify::marks::SideMarks| marks.rows.iter().map(|m| m.map(|m| m.label)).collect();
    Labelled {
        old: labels(&analysis.marks.old),
        new: labels(&analysis.marks.new),
    }
}

/// Commits every file's before side, writes and stages the after sides, and
/// scores the index the way `diffscore` does.
fn score_in_repository(case: &Case) -> Vec<Labelled> {
    let folder = tempfile::tempdir().unwrap();
    let repo = git2::Repository::init(folder.path()).unwrap();
    let write = |path: &str, text: Option<&str>| {
        let full = folder.path().join(path);
        match text {
            Some(text) => {
                std::fs::create_dir_all(full.parent().unwrap()).unwrap();
                std::fs::write(full, text).unwrap();
            }
            None => std::fs::remove_file(full).unwrap(),
        }
    };
    let stage_all = || {
        let mut index = repo.index().unwrap();
        index.add_all(["*"], git2::IndexAddOption::DEFAULT, None).unwrap();
        index.update_all(["*"], None).unwrap();
        index.write().unwrap();
        index.write_tree().unwrap()
    };
    for file in case.files.iter().filter(|f| f.presence != Presence::Added) {
        write(&file.path, Some(&file.before));
    }
    let tree = repo.find_tree(stage_all()).unwrap();
    let signature = git2::Signature::now("Test", "test@example.com").unwrap();
    repo.commit(Some("HEAD"), &signature, &signature, "before", &tree, &[])
        .unwrap();
    for file in &case.files {
        write(
            &file.path,
            (file.presence != Presence::Deleted).then_some(file.after.as_str()),
        );
    }
    stage_all();
    let report = diffscore::analyze(&repo, &SourceSpec::Staged, &[], &Gate::default()).unwrap();
    case.files
        .iter()
        .map(|file| {
            let scored = report.files.iter().find(|f| f.pair.path == file.path);
            let analysis = scored.and_then(|f| f.analysis.as_ref());
            let rows = |text: &str| text.lines().count();
            let mut labelled = Labelled {
                old: vec![None; rows(&file.before)],
                new: vec![None; rows(&file.after)],
            };
            for change in analysis.iter().flat_map(|a| &a.changes) {
                for (ranges, side) in [(&change.old, &mut labelled.old), (&change.new, &mut labelled.new)] {
                    for line in ranges.iter().flat_map(|range| range.start..=range.end) {
                        side[line - 1] = Some(change.label);
                    }
                }
            }
            labelled
        })
        .collect()
}

/// The case re-written in the corpus format with the labels diffscore gives.
#[allow(dead_code)] // used by the accuracy example, not by the corpus test
pub fn annotate(case: &Case) -> String {
    let mut out = String::new();
    let labelled: Vec<Labelled> = if case.is_single() {
        vec![classify_pair(&case.files[0].before, &case.files[0].after)]
    } else {
        score_in_repository(case)
    };
    for (file, labels) in case.files.iter().zip(&labelled) {
        if !case.is_single() {
            let status = match file.presence {
                Presence::Both => "",
                Presence::Added => " (added)",
                Presence::Deleted => " (deleted)",
            };
            out.push_str(&format!("@@ {}{status}\n", file.path));
        }
        out.push_str(&annotate_file(file, labels));
    }
    out
}

/// One file in the corpus format: unchanged lines, then each run's removed
/// and added lines, in the order `git diff` shows them.
fn annotate_file(file: &CaseFile, labels: &Labelled) -> String {
    let old_lines: Vec<&str> = file.before.lines().collect();
    let new_lines: Vec<&str> = file.after.lines().collect();
    let tag = |sign: char, label: Option<Label>| {
        let name = label.map_or("?", Label::as_str);
        format!("{sign}{name:<11}| ")
    };
    let mut out = String::new();
    let (mut old_row, mut new_row) = (0, 0);
    while old_row < old_lines.len() || new_row < new_lines.len() {
        let old_changed = labels.old.get(old_row).copied().flatten();
        let new_changed = labels.new.get(new_row).copied().flatten();
        if old_row < old_lines.len() && (old_changed.is_some() || new_row >= new_lines.len()) {
            out.push_str(&format!("{}{}\n", tag('-', old_changed), old_lines[old_row]));
            old_row += 1;
        } else if new_row < new_lines.len() && (new_changed.is_some() || old_row >= old_lines.len()) {
            out.push_str(&format!("{}{}\n", tag('+', new_changed), new_lines[new_row]));
            new_row += 1;
        } else {
            out.push_str(&format!("            | {}\n", old_lines[old_row]));
            (old_row, new_row) = (old_row + 1, new_row + 1);
        }
    }
    out.replace("| \n", "|\n")
}

/// The hand-written cases of one kind of edit each (`testdata/corpus`), and
/// the patches written the way coding agents write them (`testdata/patches`).
pub fn corpus_dirs() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata");
    vec![root.join("corpus"), root.join("patches")]
}
