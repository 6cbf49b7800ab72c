//! Taking the noise out (SPEC, "Separating the noise"): for each file of a
//! scored diff, the middle version (the old side plus the changes that are
//! not separated), checked before anything is written: it parses no worse
//! than the new side, the old side → middle holds no separated label, and
//! middle → new holds nothing else. A file that fails stays as it was, with
//! the reason. `index` writes the middle versions to the index the way git
//! does; `patch` prints them as a patch.

pub mod index;
pub mod patch;

use rayon::prelude::*;

use crate::classify::middle::middle_version;
use crate::classify::{Analysis, Context, Language, classify_in};
use crate::label::Label;
use crate::pairs::{EntryKind, Status};
use crate::score::{FileReport, Report};

/// What splitting does to one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// No line of the file carries a separated label.
    Clean,
    /// The middle version, checked.
    Split(Vec<u8>),
    /// Left as it was, and why.
    Refused(String),
    /// Not a change splitting applies to (an added file, a binary file, a
    /// symlink, a mode change...), and what it is.
    Skipped(String),
}

/// One file of a plan.
#[derive(Debug, Clone)]
pub struct FilePlan {
    pub path: String,
    pub old_path: String,
    pub status: Status,
    pub modes: (u32, u32),
    pub old: Vec<u8>,
    pub new: Vec<u8>,
    pub outcome: Outcome,
    /// Changed lines per label that the split takes out.
    pub separated: Vec<(Label, usize)>,
    /// Changed lines that stay (substantive, or labels not separated).
    pub kept_lines: usize,
}

/// Plans the split of a scored diff (scored with its text kept): the middle
/// version of every file, checked.
pub fn plan(report: &Report, separated: &[Label]) -> Vec<FilePlan> {
    report.files.par_iter().map(|file| plan_file(file, separated)).collect()
}

fn plan_file(file: &FileReport, separated: &[Label]) -> FilePlan {
    let pair = &file.pair;
    let counts: Vec<(Label, usize)> = file
        .by_label
        .iter()
        .filter(|(label, lines)| separated.contains(label) && *lines > 0)
        .collect();
    let separated_lines: usize = counts.iter().map(|(_, lines)| lines).sum();
    let outcome = match (skipped(file), &file.analysis) {
        (Some(why), _) => Outcome::Skipped(why),
        (None, None) => Outcome::Skipped("not compared".to_owned()),
        (None, Some(_)) if separated_lines == 0 => Outcome::Clean,
        (None, Some(analysis)) => match middle_version(&pair.old, &pair.new, analysis, separated) {
            Err(refusal) => Outcome::Refused(refusal.0),
            Ok(middle) => match check(file, analysis.language, &middle, separated) {
                Ok(()) => Outcome::Split(middle),
                Err(why) => Outcome::Refused(why),
            },
        },
    };
    FilePlan {
        path: pair.path.clone(),
        old_path: pair.old_path.clone(),
        status: pair.status,
        modes: pair.modes,
        old: pair.old.clone(),
        new: pair.new.clone(),
        kept_lines: file.changed_lines - separated_lines,
        separated: counts,
        outcome,
    }
}

/// Why a file is no change that splitting applies to, if it is not.
fn skipped(file: &FileReport) -> Option<String> {
    let pair = &file.pair;
    match (pair.status, pair.kind) {
        _ if pair.binary => Some("binary".to_owned()),
        (_, EntryKind::Symlink) => Some("a symbolic link".to_owned()),
        (_, EntryKind::Submodule) => Some("a submodule".to_owned()),
        (Status::Added, _) => Some("an added file: all of it is new code".to_owned()),
        (Status::Deleted, _) => Some("a deleted file: all of it is removed code".to_owned()),
        _ => pair.note.clone(),
    }
}

/// The middle version parses no worse than the new side, the old side →
/// middle holds no separated label, and middle → new holds nothing else.
fn check(file: &FileReport, language: Language, middle: &[u8], separated: &[Label]) -> Result<(), String> {
    let pair = &file.pair;
    let context = Context {
        runs: None,
        ..file.context.clone()
    };
    let first_label = |analysis: &Analysis, wanted: &dyn Fn(Label) -> bool| {
        analysis
            .changes
            .iter()
            .find(|change| wanted(change.label))
            .map(|change| {
                (
                    change.label,
                    change.new.first().or(change.old.first()).map_or(0, |r| r.start),
                )
            })
    };
    let to_middle = classify_in(&pair.old, middle, language, &context);
    if language == Language::Python && !parses_no_worse(file, &to_middle, middle) {
        return Err("the middle version does not parse".to_owned());
    }
    if let Some((label, line)) = first_label(&to_middle, &|label| separated.contains(&label)) {
        return Err(format!("the middle version still has {label} (line {line})"));
    }
    // When every change is separated the middle is the old side, and
    // middle → new is the file's own classification.
    let reclassified;
    let to_new = match &file.analysis {
        Some(analysis) if middle == pair.old.as_slice() => analysis,
        _ => {
            reclassified = classify_in(middle, &pair.new, language, &context);
            &reclassified
        }
    };
    if let Some((label, line)) = first_label(to_new, &|label| !separated.contains(&label)) {
        return Err(format!("the noise left out holds {label} (line {line})"));
    }
    Ok(())
}

/// Whether the middle version has no more syntax errors than the new side.
/// Classifying old → middle parsed the middle wherever it differs from the
/// old side (the whole file once it finds an error): when that and the
/// file's own classification found none, there is nothing to count.
fn parses_no_worse(file: &FileReport, to_middle: &Analysis, middle: &[u8]) -> bool {
    let clean = |analysis: &Analysis| analysis.parsed && !analysis.parse_errors;
    if file.analysis.as_ref().is_some_and(clean) && clean(to_middle) {
        return true;
    }
    syntax_errors(middle) <= syntax_errors(&file.pair.new)
}

/// How many syntax errors a Python text has (0 when it does not decode).
fn syntax_errors(text: &[u8]) -> usize {
    std::str::from_utf8(text)
        .ok()
        .and_then(crate::python::parse)
        .map_or(0, |parsed| parsed.error_rows.len())
}
