//! Scores: how many changed lines are noise, per file, per label and overall,
//! and whether the run passes its gate.

use std::collections::HashMap;
use std::sync::mpsc;

use rayon::prelude::*;

use crate::classify::marks::FileMarks;
use crate::classify::{Alignment, Analysis, Context, Language, ModuleRename, classify_in, module_of_path};
use crate::config::Patterns;
use crate::error::{Error, Result};
use crate::label::Label;
use crate::lines::LineDiffOptions;
use crate::pairs::{EntryKind, FilePair};
use crate::python::is_python_path;
use crate::source::SourceInfo;

/// Counts of changed lines by label, in [`Label::ALL`] order.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LabelCounts([usize; Label::ALL.len()]);

impl LabelCounts {
    pub fn get(&self, label: Label) -> usize {
        self.0[label as usize]
    }

    fn add(&mut self, label: Label, lines: usize) {
        self.0[label as usize] += lines;
    }

    fn merge(&mut self, other: &LabelCounts) {
        for label in Label::ALL {
            self.add(label, other.get(label));
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = (Label, usize)> + '_ {
        Label::ALL.into_iter().map(|label| (label, self.get(label)))
    }
}

/// Which labels count as noise (by default every label but `substantive`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoisePolicy {
    pub labels: Vec<Label>,
}

impl Default for NoisePolicy {
    fn default() -> Self {
        NoisePolicy {
            labels: Label::ALL.into_iter().filter(|label| label.is_noise()).collect(),
        }
    }
}

impl NoisePolicy {
    pub fn noise_lines(&self, counts: &LabelCounts) -> usize {
        self.labels.iter().map(|&label| counts.get(label)).sum()
    }
}

/// One file's result.
#[derive(Debug, Clone)]
pub struct FileReport {
    pub pair: FilePair,
    /// `None` for binary files, which are reported but never compared.
    pub analysis: Option<Analysis>,
    pub by_label: LabelCounts,
    pub changed_lines: usize,
    pub noise_lines: usize,
    pub score: u8,
    /// Whether the path matches a protected pattern.
    pub protected: bool,
    /// Whether the path is inside the `--scope` patterns (always, without them).
    pub in_scope: bool,
    /// What the classifier was told about the file's surroundings.
    pub context: Context,
}

impl FileReport {
    pub fn language(&self) -> Language {
        self.analysis.as_ref().map_or(Language::Text, |a| a.language)
    }

    /// Why the file was treated specially, if it was.
    pub fn note(&self) -> Option<&str> {
        let fallback = self.analysis.as_ref().and_then(|a| a.fallback);
        self.pair
            .note
            .as_deref()
            .or(fallback)
            .or(self.pair.binary.then_some("binary: not compared"))
    }
}

/// The whole run's figures.
#[derive(Debug, Clone)]
pub struct Summary {
    pub files: usize,
    pub changed_lines: usize,
    pub noise_lines: usize,
    pub score: u8,
    pub by_label: LabelCounts,
    pub max_noise: u8,
    pub pass: bool,
    /// Every reason the gate failed, in words.
    pub reasons: Vec<String>,
}

/// Everything a reporter needs.
#[derive(Debug, Clone)]
pub struct Report {
    pub source: SourceInfo,
    pub files: Vec<FileReport>,
    pub summary: Summary,
}

/// `round(100 × noise / changed)`, 0 when nothing changed.
pub fn noise_score(noise: usize, changed: usize) -> u8 {
    if changed == 0 {
        return 0;
    }
    ((200 * noise + changed) / (2 * changed)).min(100) as u8
}

/// How files are scored: which labels are noise, how git diffs lines in the
/// repository, and whether a reporter needs the files' text afterwards (to
/// show the changed lines); without it, each file's text is dropped as soon
/// as its labels are known, so memory holds the files in flight, not the diff.
#[derive(Debug, Clone, Default)]
pub struct Scoring {
    pub noise: NoisePolicy,
    pub line_diff: LineDiffOptions,
    pub keep_text: bool,
}

/// How many files are read ahead of the ones being scored, per thread.
const READ_AHEAD_PER_THREAD: usize = 2;

/// Analyses one pair and counts its lines.
pub fn score_file(pair: FilePair, scoring: &Scoring) -> FileReport {
    let mut file = FileReport {
        pair,
        analysis: None,
        by_label: LabelCounts::default(),
        changed_lines: 0,
        noise_lines: 0,
        score: 0,
        protected: false,
        in_scope: true,
        context: Context::default(),
    };
    file.analyze(scoring, &Surroundings::default());
    if !file.depends_on_other_files() {
        file.release(scoring);
    }
    file
}

/// What a file's renames depend on outside it: what the diff's other files
/// renamed, and where private names are still spelled.
#[derive(Debug, Default)]
struct Surroundings {
    renamed: Vec<ModuleRename>,
    /// Each private name looked for, with the paths that spell it.
    spelled: Spellings,
}

/// Private names, each with the repository paths (new side) that spell it.
pub type Spellings = HashMap<String, Vec<String>>;

impl Surroundings {
    /// The private names that a file other than `path` spells.
    fn spelled_outside(&self, path: &str) -> Vec<String> {
        let mut names: Vec<String> = self
            .spelled
            .iter()
            .filter(|(_, paths)| paths.iter().any(|other| other != path))
            .map(|(name, _)| name.clone())
            .collect();
        names.sort_unstable();
        names
    }
}

impl FileReport {
    /// (Re)classifies the pair with what it depends on outside, and recounts.
    fn analyze(&mut self, scoring: &Scoring, surroundings: &Surroundings) {
        let pair = &self.pair;
        self.analysis = (!pair.binary).then(|| {
            let language = if pair.kind == EntryKind::File && is_python_path(&pair.path) {
                Language::Python
            } else {
                Language::Text
            };
            let context = Context {
                path: pair.path.clone(),
                status: pair.status,
                renamed_elsewhere: surroundings.renamed.clone(),
                line_diff: scoring.line_diff,
                runs: pair.line_diff.clone(),
                spelled_elsewhere: surroundings.spelled_outside(&pair.path),
            };
            let analysis = classify_in(&pair.old, &pair.new, language, &context);
            self.context = context;
            analysis
        });
        self.by_label = LabelCounts::default();
        for change in self.analysis.iter().flat_map(|a| &a.changes) {
            self.by_label.add(change.label, change.line_count());
        }
        self.changed_lines = self.analysis.as_ref().map_or(0, Analysis::changed_lines);
        self.noise_lines = scoring.noise.noise_lines(&self.by_label);
        self.score = noise_score(self.noise_lines, self.changed_lines);
    }

    /// Whether the labels may change once the other files are known: a
    /// private name renamed here, an import renamed elsewhere.
    fn depends_on_other_files(&self) -> bool {
        self.analysis
            .as_ref()
            .is_some_and(|a| !a.private_renames.is_empty() || a.waiting_on_imports)
    }

    /// Drops what the reporters do not read, unless `scoring` keeps the
    /// text: then the per-row marks and the alignment stay too, for taking
    /// the noise out.
    fn release(&mut self, scoring: &Scoring) {
        self.context.runs = None;
        if scoring.keep_text {
            return;
        }
        if let Some(analysis) = &mut self.analysis {
            analysis.marks = FileMarks::default();
            analysis.alignment = Alignment::default();
        }
        self.pair.old = Vec::new();
        self.pair.new = Vec::new();
        self.pair.line_diff = None;
    }

    fn private_renames(&self) -> &[String] {
        self.analysis.as_ref().map_or(&[], |a| a.private_renames.as_slice())
    }

    /// Whether a private name this file renamed is spelled by another file.
    fn renamed_a_name_spelled_outside(&self, surroundings: &Surroundings) -> bool {
        let outside = surroundings.spelled_outside(&self.pair.path);
        self.private_renames().iter().any(|name| outside.contains(name))
    }
}

/// Scores every pair, each on a worker thread as soon as it is read (this
/// thread keeps reading: a repository handle stays on its thread). Some
/// renames are only judged once every file is classified: a private name
/// renamed here stays a rename only if no other file of the repository
/// spells it (`find_spellings` looks, given the names and the diff's files),
/// and a rename that crosses files (a function renamed where it is defined
/// and where it is imported) needs what the others renamed. Files whose
/// renames depend on either are classified again.
pub fn score_files(
    pairs: impl Iterator<Item = Result<FilePair>>,
    scoring: &Scoring,
    mut find_spellings: impl FnMut(&[String]) -> Result<Spellings>,
) -> Result<Vec<FileReport>> {
    let (sender, receiver) = mpsc::channel();
    let in_flight = Slots::new(READ_AHEAD_PER_THREAD * rayon::current_num_threads() + 1);
    rayon::in_place_scope(|scope| {
        for (index, pair) in pairs.enumerate() {
            in_flight.take();
            let (pair, sender, in_flight) = (pair?, sender.clone(), &in_flight);
            scope.spawn(move |_| {
                let file = score_file(pair, scoring);
                in_flight.give_back();
                // The receiver outlives the scope.
                let _ = sender.send((index, file));
            });
        }
        Ok::<_, Error>(())
    })?;
    drop(sender);
    let mut numbered: Vec<(usize, FileReport)> = receiver.into_iter().collect();
    numbered.sort_unstable_by_key(|(index, _)| *index);
    let mut files: Vec<FileReport> = numbered.into_iter().map(|(_, file)| file).collect();
    let mut surroundings = Surroundings::default();
    look_for_spellings(&mut files, &mut surroundings, scoring, &mut find_spellings)?;
    surroundings.renamed = module_renames(&files);
    if !surroundings.renamed.is_empty() {
        files
            .par_iter_mut()
            .filter(|file| file.analysis.as_ref().is_some_and(|a| a.waiting_on_imports))
            .for_each(|file| file.analyze(scoring, &surroundings));
        // A rename that now crosses files may name a private name not yet looked for.
        look_for_spellings(&mut files, &mut surroundings, scoring, &mut find_spellings)?;
    }
    files.iter_mut().for_each(|file| file.release(scoring));
    Ok(files)
}

/// A counting semaphore: how many files may be read and not yet scored.
struct Slots {
    free: std::sync::Mutex<usize>,
    freed: std::sync::Condvar,
}

impl Slots {
    fn new(count: usize) -> Slots {
        Slots {
            free: std::sync::Mutex::new(count),
            freed: std::sync::Condvar::new(),
        }
    }

    /// Waits for a free slot and takes it.
    fn take(&self) {
        let mut free = self.free.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        while *free == 0 {
            free = self.freed.wait(free).unwrap_or_else(|poisoned| poisoned.into_inner());
        }
        *free -= 1;
    }

    fn give_back(&self) {
        *self.free.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) += 1;
        self.freed.notify_one();
    }
}

/// Looks for the private renamed names not looked for yet, and classifies
/// again the files that renamed one that another file spells.
fn look_for_spellings(
    files: &mut [FileReport],
    surroundings: &mut Surroundings,
    scoring: &Scoring,
    find_spellings: &mut impl FnMut(&[String]) -> Result<Spellings>,
) -> Result<()> {
    let mut names: Vec<String> = files
        .iter()
        .flat_map(|file| file.private_renames().iter().cloned())
        .filter(|name| !surroundings.spelled.contains_key(name))
        .collect();
    names.sort_unstable();
    names.dedup();
    if names.is_empty() {
        return Ok(());
    }
    let found = find_spellings(&names)?;
    for name in names {
        let paths = found.get(&name).cloned().unwrap_or_default();
        surroundings.spelled.insert(name, paths);
    }
    let surroundings = &*surroundings;
    files
        .par_iter_mut()
        .filter(|file| file.renamed_a_name_spelled_outside(surroundings))
        .for_each(|file| file.analyze(scoring, surroundings));
    Ok(())
}

/// The module-level names each file renamed, with its module.
fn module_renames(files: &[FileReport]) -> Vec<ModuleRename> {
    files
        .iter()
        .filter_map(|file| Some((file, file.analysis.as_ref()?)))
        .flat_map(|(file, analysis)| {
            analysis.module_renames.iter().map(|(from, to)| ModuleRename {
                module: module_of_path(&file.pair.path),
                from: from.clone(),
                to: to.clone(),
            })
        })
        .collect()
}

/// What makes a run fail: too much noise, a protected path, a change out of scope.
#[derive(Debug, Clone, Default)]
pub struct Gate {
    pub max_noise: u8,
    pub noise: NoisePolicy,
    pub protected: Patterns,
    /// Paths the change is allowed to touch; `None` allows every path.
    pub scope: Option<Patterns>,
    /// Paths that are not scored at all (unless protected).
    pub exclude: Patterns,
}

impl Gate {
    /// Whether a pair is scored: not excluded, or protected (always kept).
    pub fn scores(&self, pair: &FilePair) -> bool {
        !self.exclude.matches(&pair.path) || self.is_protected(pair)
    }

    fn is_protected(&self, pair: &FilePair) -> bool {
        self.protected.matches(&pair.path) || self.protected.matches(&pair.old_path)
    }

    /// Marks each file protected or out of scope.
    pub fn mark(&self, files: &mut [FileReport]) {
        for file in files {
            file.protected = self.is_protected(&file.pair);
            file.in_scope = self.scope.as_ref().is_none_or(|scope| scope.matches(&file.pair.path));
        }
    }
}

/// Sums the files and applies the gate.
pub fn summarize(source: SourceInfo, files: Vec<FileReport>, gate: &Gate) -> Report {
    let (policy, max_noise) = (&gate.noise, gate.max_noise);
    let mut by_label = LabelCounts::default();
    for file in &files {
        by_label.merge(&file.by_label);
    }
    let changed_lines: usize = files.iter().map(|f| f.changed_lines).sum();
    let noise_lines = policy.noise_lines(&by_label);
    let score = noise_score(noise_lines, changed_lines);
    let mut reasons = Vec::new();
    if score > max_noise {
        reasons.push(format!("score {score} is above max_noise {max_noise}"));
    }
    for file in files.iter().filter(|f| f.protected) {
        reasons.push(format!("protected path changed: {}", file.pair.path));
    }
    for file in files.iter().filter(|f| !f.in_scope) {
        reasons.push(format!("changed outside the scope: {}", file.pair.path));
    }
    let summary = Summary {
        files: files.len(),
        changed_lines,
        noise_lines,
        score,
        by_label,
        max_noise,
        pass: reasons.is_empty(),
        reasons,
    };
    Report { source, files, summary }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn score_rounds_to_the_nearest_integer() {
        assert_eq!(noise_score(0, 0), 0);
        assert_eq!(noise_score(1, 3), 33);
        assert_eq!(noise_score(2, 3), 67);
        assert_eq!(noise_score(1, 200), 1);
        assert_eq!(noise_score(1, 201), 0);
        assert_eq!(noise_score(5, 5), 100);
    }

    #[test]
    fn policy_counts_only_its_labels() {
        let mut counts = LabelCounts::default();
        counts.add(Label::Substantive, 5);
        counts.add(Label::Comment, 3);
        counts.add(Label::Formatting, 2);
        assert_eq!(NoisePolicy::default().noise_lines(&counts), 5);
        let comments_only = NoisePolicy {
            labels: vec![Label::Comment],
        };
        assert_eq!(comments_only.noise_lines(&counts), 3);
    }
}
