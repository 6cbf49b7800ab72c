//! diffscore: separate the substantive part of a git diff from the noise
//! (renames, reorders, docstrings, comments, formatting, annotations) and
//! score how noisy it is.
//!
//! The pipeline, one module per stage: [`source`] (git2) → [`pairs`] →
//! [`python`] (tree-sitter) and [`lines`] → [`classify`] → [`score`] →
//! [`report`]. See ARCHITECTURE.md.

pub mod classify;
pub mod cli;
pub mod error;
pub mod label;
pub mod lines;
pub mod pairs;
pub mod python;
pub mod report;
pub mod score;
pub mod source;

use git2::Repository;

use score::{NoisePolicy, Report};
use source::SourceSpec;

/// Scores one source of a repository: reads it, classifies every changed
/// line, and applies the gate. Never writes to the repository.
pub fn analyze(
    repo: &Repository,
    spec: &SourceSpec,
    pathspecs: &[String],
    policy: &NoisePolicy,
    max_noise: u8,
) -> error::Result<Report> {
    let resolved = source::resolve(repo, spec, pathspecs)?;
    let files = score::score_files(pairs::load(repo, &resolved)?, policy);
    Ok(score::summarize(resolved.info, files, policy, max_noise))
}
