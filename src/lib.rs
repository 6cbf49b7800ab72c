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

use git2::Repository;

use score::{Gate, Report};
use source::SourceSpec;

/// Scores one source of a repository: reads it, classifies every changed
/// line, and applies the gate. Never writes to the repository.
pub fn analyze(repo: &Repository, spec: &SourceSpec, pathspecs: &[String], gate: &Gate) -> error::Result<Report> {
    let resolved = source::resolve(repo, spec, pathspecs)?;
    let pairs = pairs::load(repo, &resolved)
        .filter(|pair| pair.as_ref().is_err() || pair.as_ref().is_ok_and(|pair| gate.scores(pair)));
    let line_diff = resolved.line_diff;
    let mut files = score::score_files(pairs, &gate.noise, &line_diff, |names, files| {
        let in_diff: Vec<(&str, &str, &[u8])> = files
            .iter()
            .map(|file| {
                (
                    file.pair.path.as_str(),
                    file.pair.old_path.as_str(),
                    file.pair.new.as_slice(),
                )
            })
            .collect();
        spellings::find(repo, &resolved, names, &in_diff)
    })?;
    gate.mark(&mut files);
    Ok(score::summarize(resolved.info, files, gate))
}
