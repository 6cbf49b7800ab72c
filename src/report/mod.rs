//! Reporters: the same [`Report`] written for people (human), for bots (JSON,
//! SARIF), for CI logs (GitHub Actions workflow commands) and for review
//! threads (a markdown pull-request comment).
//! Each writes to a `&mut dyn Write`, so tests capture the output.

pub mod github;
pub mod human;
pub mod json;
pub mod log;
pub mod markdown;
pub mod sarif;
pub mod split;

use std::io::Write;

use crate::classify::{Analysis, Change, LineRange};
use crate::label::Label;
use crate::lines::Run;
use crate::score::Report;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Grouped by file, one line per change, for people.
    Human,
    /// One JSON object (schema version 1), for bots.
    Json,
    /// SARIF 2.1.0, one result per noise change, for code scanning.
    Sarif,
    /// GitHub Actions workflow commands: an annotation per noise change.
    Github,
    /// A pull-request comment (GitHub, GitLab): verdict, files, noise changes.
    Markdown,
}

/// How the human output looks.
#[derive(Debug, Clone, Copy, Default)]
pub struct HumanStyle {
    pub color: bool,
    /// Show the changed lines under each change.
    pub verbose: bool,
}

pub fn write(report: &Report, format: Format, style: HumanStyle, out: &mut dyn Write) -> std::io::Result<()> {
    match format {
        Format::Human => human::write(report, style, out),
        Format::Json => json::write(report, out),
        Format::Sarif => sarif::write(report, out),
        Format::Github => github::write(report, out),
        Format::Markdown => markdown::write(report, out),
    }
}

/// Whether a format shows the changed lines themselves (then scoring keeps
/// each file's text for it).
pub fn shows_lines(format: Format, style: HumanStyle) -> bool {
    match format {
        Format::Human => style.verbose,
        Format::Markdown => true,
        Format::Json | Format::Sarif | Format::Github => false,
    }
}

/// The distinct labels of a run's lines, in precedence order.
pub fn hunk_labels(analysis: &Analysis, run: &Run) -> Vec<Label> {
    // Changes count lines from 1, runs rows from 0.
    let overlaps = |ranges: &[LineRange], rows: &std::ops::Range<usize>| {
        ranges
            .iter()
            .any(|range| range.start - 1 < rows.end && rows.start < range.end)
    };
    let mut labels: Vec<Label> = analysis
        .changes
        .iter()
        .filter(|change| overlaps(&change.old, &run.old) || overlaps(&change.new, &run.new))
        .map(|change| change.label)
        .collect();
    labels.sort_unstable();
    labels.dedup();
    labels
}

/// `-12..13 +12..16`: where a change is, like a hunk header.
pub fn where_text(change: &Change) -> String {
    let side = |sign: char, ranges: &[LineRange]| {
        ranges
            .iter()
            .map(|r| {
                if r.start == r.end {
                    format!("{sign}{}", r.start)
                } else {
                    format!("{sign}{}..{}", r.start, r.end)
                }
            })
            .collect::<Vec<_>>()
    };
    let mut parts = side('-', &change.old);
    parts.extend(side('+', &change.new));
    parts.join(" ")
}
