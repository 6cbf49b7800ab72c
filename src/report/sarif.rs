//! `--format sarif`: SARIF 2.1.0, one result per noise change, for code
//! scanning and review bots. Each label is a rule with a help text; the
//! score and the verdict are in the run's properties.

use std::io::Write;

use serde_json::{Value, json};

use crate::classify::{Change, LineRange};
use crate::label::Label;
use crate::score::{FileReport, Report};

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

pub fn write(report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    let results: Vec<Value> = report
        .files
        .iter()
        .flat_map(|file| {
            file.analysis
                .iter()
                .flat_map(move |a| a.changes.iter().map(move |c| (file, c)))
        })
        .filter(|(_, change)| change.label.is_noise())
        .map(|(file, change)| result(file, change))
        .collect();
    let summary = &report.summary;
    let sarif = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "diffscore",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://github.com/diffscore/diffscore",
                "rules": Label::ALL.iter().map(|&label| rule(label)).collect::<Vec<_>>(),
            }},
            "results": results,
            "properties": {
                "score": summary.score,
                "changed_lines": summary.changed_lines,
                "noise_lines": summary.noise_lines,
                "max_noise": summary.max_noise,
                "pass": summary.pass,
                "reasons": summary.reasons,
            },
        }],
    });
    serde_json::to_writer_pretty(&mut *out, &sarif)?;
    writeln!(out)
}

fn rule(label: Label) -> Value {
    let (short, help) = help(label);
    json!({
        "id": label.as_str(),
        "name": rule_name(label),
        "shortDescription": {"text": short},
        "fullDescription": {"text": help},
        "help": {"text": help},
        "defaultConfiguration": {"level": if label.is_noise() { "note" } else { "none" }},
    })
}

/// A readable rule name (SARIF wants it distinct from the stable id).
fn rule_name(label: Label) -> &'static str {
    match label {
        Label::Substantive => "BehaviourChange",
        Label::Rename => "IdentifierRenamed",
        Label::Reorder => "DefinitionMoved",
        Label::Docstring => "DocstringEdited",
        Label::Comment => "CommentEdited",
        Label::Formatting => "LayoutOnly",
        Label::Annotation => "AnnotationEdited",
    }
}

/// A one-line description and a help text a reviewer can act on.
fn help(label: Label) -> (&'static str, &'static str) {
    match label {
        Label::Substantive => ("Changes behaviour", "A change that can alter behaviour. Review it."),
        Label::Rename => (
            "Identifier renamed",
            "An identifier renamed consistently in its scope. If the rename was not asked for, revert it to keep the diff minimal.",
        ),
        Label::Reorder => (
            "Definition moved",
            "A function, class, method or import moved without other change. Move it back unless the new order was asked for.",
        ),
        Label::Docstring => (
            "Docstring edited",
            "A docstring added, removed or edited. Keep it if documentation was part of the task; otherwise revert it.",
        ),
        Label::Comment => (
            "Comment edited",
            "A comment added, removed or edited, with no code change.",
        ),
        Label::Formatting => (
            "Layout only",
            "Same code, different layout (wrapping, quotes, spacing, blank lines). Leave formatting to the formatter run, not to a fix.",
        ),
        Label::Annotation => (
            "Type annotation edited",
            "Type annotations added, removed or changed, nothing else. Split them into their own change if they were not asked for.",
        ),
    }
}

fn result(file: &FileReport, change: &Change) -> Value {
    let (path, ranges) = match change.new.first() {
        Some(_) => (&file.pair.path, &change.new),
        None => (&file.pair.old_path, &change.old),
    };
    let side = if change.new.is_empty() {
        " (removed lines; line numbers of the old version)"
    } else {
        ""
    };
    let region = |range: &LineRange| json!({"startLine": range.start, "endLine": range.end});
    json!({
        "ruleId": change.label.as_str(),
        "ruleIndex": change.label as usize,
        "level": "note",
        "message": {"text": format!("{}{side}", change.message)},
        "locations": [{"physicalLocation": {
            "artifactLocation": {"uri": path},
            "region": region(&ranges[0]),
        }}],
        "relatedLocations": ranges[1..].iter().enumerate().map(|(id, range)| json!({
            "id": id + 1,
            "physicalLocation": {"artifactLocation": {"uri": path}, "region": region(range)},
        })).collect::<Vec<_>>(),
    })
}
