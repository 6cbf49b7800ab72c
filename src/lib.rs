//! diffscore: separate the substantive part of a git diff from the noise
//! (renames, reorders, docstrings, comments, formatting, annotations) and
//! score how noisy it is.
//!
//! The pipeline, one module per stage: [`source`] (git2) → [`pairs`] →
//! [`python`] (tree-sitter) and [`lines`] → [`classify`] → [`score`] →
//! [`report`]. [`log`] runs it once per commit of a history. See
//! ARCHITECTURE.md.

pub mod classify;
pub mod cli;
pub mod config;
pub mod error;
pub mod hook;
pub mod label;
pub mod lines;
pub mod log;
pub mod pairs;
pub mod python;
pub mod report;
pub mod score;
pub mod source;
pub mod spellings;
pub mod split;

use git2::Repository;

use score::{Gate, Report, Scoring};
use source::SourceSpec;

/// Scores one source of a repository: reads it, classifies every changed
/// line, and applies the gate. Never writes to the repository. The report
/// keeps each file's text (for reporters that show the changed lines).
pub fn analyze(repo: &Repository, spec: &SourceSpec, pathspecs: &[String], gate: &Gate) -> error::Result<Report> {
    analyze_with(repo, spec, pathspecs, gate, true)
}

/// [`analyze`], keeping each file's text only if `keep_text`: without it,
/// memory holds the files being scored, not the whole diff.
pub fn analyze_with(
    repo: &Repository,
    spec: &SourceSpec,
    pathspecs: &[String],
    gate: &Gate,
    keep_text: bool,
) -> error::Result<Report> {
    let resolved = source::resolve(repo, spec, pathspecs)?;
    let pairs = pairs::load(repo, &resolved)
        .filter(|pair| pair.as_ref().is_err() || pair.as_ref().is_ok_and(|pair| gate.scores(pair)));
    let scoring = Scoring {
        noise: gate.noise.clone(),
        line_diff: resolved.line_diff,
        keep_text,
    };
    let mut files = score::score_files(pairs, &scoring, |names| spellings::find(repo, &resolved, names))?;
    gate.mark(&mut files);
    Ok(score::summarize(resolved.info, files, gate))
}
