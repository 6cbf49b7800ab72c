//! `diffscore log` output: one line per commit, for people (like `git log
//! --oneline`, with the score, the changed lines and the noise by label) or
//! for bots (JSON Lines: one object per commit, with the `summary` of schema
//! version 1).

use std::io::Write;

use owo_colors::Style;
use serde::Serialize;

use super::human::{Painter, label_style};
use super::json::{JsonSummary, SCHEMA_VERSION};
use crate::log::CommitScore;
use crate::log::dates::iso8601;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// One line per commit: id, score, changed lines, noise by label, subject.
    Human,
    /// JSON Lines: one object per commit (docs/json-output.md).
    Json,
}

/// The noise column's width: most commits' noise fits, so subjects line up.
const NOISE_WIDTH: usize = 26;

pub fn write(commit: &CommitScore, format: LogFormat, color: bool, out: &mut dyn Write) -> std::io::Result<()> {
    match format {
        LogFormat::Human => write_human(commit, &Painter { color }, out),
        LogFormat::Json => write_json(commit, out),
    }
}

/// `1a2b3c4   60     5 lines  docstring 1, comment 2     Document the total`
fn write_human(commit: &CommitScore, paint: &Painter, out: &mut dyn Write) -> std::io::Result<()> {
    let summary = &commit.summary;
    let noise: Vec<(String, Style)> = summary
        .by_label
        .iter()
        .filter(|(label, lines)| label.is_noise() && *lines > 0)
        .map(|(label, lines)| (format!("{label} {lines}"), label_style(label)))
        .collect();
    let (noise_text, noise_width) = if noise.is_empty() {
        ("no noise".to_owned(), "no noise".len())
    } else {
        let width = noise.iter().map(|(text, _)| text.len()).sum::<usize>() + 2 * (noise.len() - 1);
        let painted: Vec<String> = noise.iter().map(|(text, style)| paint.paint(text, *style)).collect();
        (painted.join(", "), width)
    };
    let score_style = if summary.pass {
        Style::new()
    } else {
        Style::new().red().bold()
    };
    let lines = if summary.changed_lines == 1 { "line " } else { "lines" };
    writeln!(
        out,
        "{}  {}  {:>5} {lines}  {noise_text}{:pad$}  {}",
        paint.paint(&commit.short_id, Style::new().yellow()),
        paint.paint(&format!("{:>3}", summary.score), score_style),
        summary.changed_lines,
        "",
        printable(&commit.subject),
        pad = NOISE_WIDTH.saturating_sub(noise_width),
    )
}

/// A subject is printed to a terminal: control characters show as U+FFFD.
fn printable(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { char::REPLACEMENT_CHARACTER } else { c })
        .collect()
}

#[derive(Serialize)]
struct JsonCommit<'a> {
    version: u32,
    commit: String,
    author: &'a str,
    email: &'a str,
    /// The author date, ISO 8601 in the author's offset.
    date: String,
    subject: &'a str,
    summary: JsonSummary<'a>,
}

fn write_json(commit: &CommitScore, out: &mut dyn Write) -> std::io::Result<()> {
    let view = JsonCommit {
        version: SCHEMA_VERSION,
        commit: commit.id.to_string(),
        author: &commit.author,
        email: &commit.email,
        date: iso8601(commit.time, commit.offset_minutes),
        subject: &commit.subject,
        summary: (&commit.summary).into(),
    };
    serde_json::to_writer(&mut *out, &view)?;
    writeln!(out)
}
