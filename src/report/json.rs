//! `--format json`: schema version 1, serialised through view structs so the
//! core types can change without changing the schema (see docs/json-output.md).

use std::io::Write;

use serde::Serialize;
use serde_json::{Value, json};

use super::hunk_labels;
use crate::classify::{Change, Detail, LineRange};
use crate::label::Label;
use crate::score::{FileReport, LabelCounts, Report, Summary};

pub const SCHEMA_VERSION: u32 = 1;

#[derive(Serialize)]
struct JsonReport<'a> {
    version: u32,
    source: JsonSource<'a>,
    summary: JsonSummary<'a>,
    files: Vec<JsonFile<'a>>,
}

#[derive(Serialize)]
struct JsonSource<'a> {
    kind: &'a str,
    old: &'a str,
    new: &'a str,
}

/// The `summary` object, also one per commit in `diffscore log --format json`.
#[derive(Serialize)]
pub(super) struct JsonSummary<'a> {
    files: usize,
    changed_lines: usize,
    noise_lines: usize,
    score: u8,
    max_noise: u8,
    pass: bool,
    reasons: &'a [String],
    by_label: ByLabel,
}

/// Per-label line counts, in the schema's field order.
#[derive(Serialize)]
struct ByLabel {
    substantive: usize,
    rename: usize,
    reorder: usize,
    docstring: usize,
    comment: usize,
    formatting: usize,
    annotation: usize,
}

impl From<&LabelCounts> for ByLabel {
    fn from(counts: &LabelCounts) -> Self {
        ByLabel {
            substantive: counts.get(Label::Substantive),
            rename: counts.get(Label::Rename),
            reorder: counts.get(Label::Reorder),
            docstring: counts.get(Label::Docstring),
            comment: counts.get(Label::Comment),
            formatting: counts.get(Label::Formatting),
            annotation: counts.get(Label::Annotation),
        }
    }
}

impl<'a> From<&'a Summary> for JsonSummary<'a> {
    fn from(summary: &'a Summary) -> Self {
        JsonSummary {
            files: summary.files,
            changed_lines: summary.changed_lines,
            noise_lines: summary.noise_lines,
            score: summary.score,
            max_noise: summary.max_noise,
            pass: summary.pass,
            reasons: &summary.reasons,
            by_label: (&summary.by_label).into(),
        }
    }
}

#[derive(Serialize)]
struct JsonFile<'a> {
    path: &'a str,
    old_path: &'a str,
    status: &'a str,
    language: &'a str,
    parsed: bool,
    parse_errors: bool,
    binary: bool,
    protected: bool,
    in_scope: bool,
    changed_lines: usize,
    noise_lines: usize,
    score: u8,
    by_label: ByLabel,
    /// `file`, `symlink` or `submodule`.
    entry: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<&'a str>,
    hunks: Vec<JsonHunk>,
    changes: Vec<JsonChange<'a>>,
}

#[derive(Serialize)]
struct JsonHunk {
    old_start: usize,
    old_lines: usize,
    new_start: usize,
    new_lines: usize,
    labels: Vec<Label>,
}

#[derive(Serialize)]
struct JsonChange<'a> {
    label: Label,
    old: Vec<[usize; 2]>,
    new: Vec<[usize; 2]>,
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    detail: Option<Value>,
}

pub fn write(report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    let view = JsonReport {
        version: SCHEMA_VERSION,
        source: JsonSource {
            kind: report.source.kind,
            old: &report.source.old,
            new: &report.source.new,
        },
        summary: (&report.summary).into(),
        files: report.files.iter().map(file_view).collect(),
    };
    serde_json::to_writer_pretty(&mut *out, &view)?;
    writeln!(out)
}

fn file_view(file: &FileReport) -> JsonFile<'_> {
    let analysis = file.analysis.as_ref();
    let pair = &file.pair;
    JsonFile {
        path: &pair.path,
        old_path: &pair.old_path,
        status: pair.status.as_str(),
        language: file.language().as_str(),
        parsed: analysis.is_some_and(|a| a.parsed),
        parse_errors: analysis.is_some_and(|a| a.parse_errors),
        binary: pair.binary,
        protected: file.protected,
        in_scope: file.in_scope,
        changed_lines: file.changed_lines,
        noise_lines: file.noise_lines,
        score: file.score,
        by_label: (&file.by_label).into(),
        entry: pair.kind.as_str(),
        note: file.note(),
        hunks: analysis.map_or_else(Vec::new, |analysis| {
            analysis
                .diff
                .runs
                .iter()
                .map(|run| JsonHunk {
                    old_start: hunk_start(&run.old),
                    old_lines: run.old.len(),
                    new_start: hunk_start(&run.new),
                    new_lines: run.new.len(),
                    labels: hunk_labels(analysis, run),
                })
                .collect()
        }),
        changes: analysis.map_or_else(Vec::new, |a| a.changes.iter().map(change_view).collect()),
    }
}

/// Like `git diff -U0`: an empty side starts at the line it follows.
fn hunk_start(rows: &std::ops::Range<usize>) -> usize {
    if rows.is_empty() { rows.start } else { rows.start + 1 }
}

fn change_view(change: &Change) -> JsonChange<'_> {
    let pairs = |ranges: &[LineRange]| ranges.iter().map(|r| [r.start, r.end]).collect();
    JsonChange {
        label: change.label,
        old: pairs(&change.old),
        new: pairs(&change.new),
        message: &change.message,
        detail: change.detail.as_ref().map(detail_view),
    }
}

fn detail_view(detail: &Detail) -> Value {
    match detail {
        Detail::Rename {
            from,
            to,
            scope,
            kind,
            count,
        } => json!({"from": from, "to": to, "scope": scope, "kind": kind, "count": count}),
        Detail::Reorder {
            name,
            kind,
            old_line,
            new_line,
        } => json!({"name": name, "kind": kind, "old_line": old_line, "new_line": new_line}),
    }
}
