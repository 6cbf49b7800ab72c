//! The default output, for people: grouped by file, one line per change,
//! ending with the score and the verdict. Colour is decided by the caller.

use std::io::Write;

use owo_colors::{OwoColorize, Style};

use super::{HumanStyle, where_text};
use crate::classify::LineRange;
use crate::label::Label;
use crate::lines::split_lines;
use crate::score::{FileReport, Report};

pub fn write(report: &Report, style: HumanStyle, out: &mut dyn Write) -> std::io::Result<()> {
    let paint = Painter { color: style.color };
    for file in &report.files {
        write_file(file, style, &paint, out)?;
    }
    write_summary(report, &paint, out)
}

pub(super) struct Painter {
    pub(super) color: bool,
}

impl Painter {
    pub(super) fn paint(&self, text: &str, style: Style) -> String {
        if self.color {
            text.style(style).to_string()
        } else {
            text.to_owned()
        }
    }

    fn label(&self, label: Label) -> String {
        self.paint(&format!("{:<11}", label.as_str()), label_style(label))
    }
}

pub(super) fn label_style(label: Label) -> Style {
    let style = Style::new();
    match label {
        Label::Substantive => style.red().bold(),
        Label::Rename => style.cyan(),
        Label::Reorder => style.blue(),
        Label::Docstring => style.green(),
        Label::Comment => style.bright_black(),
        Label::Formatting => style.yellow(),
        Label::Annotation => style.magenta(),
    }
}

fn write_file(file: &FileReport, style: HumanStyle, paint: &Painter, out: &mut dyn Write) -> std::io::Result<()> {
    let pair = &file.pair;
    let name = if pair.old_path != pair.path {
        format!("{} → {}", pair.old_path, pair.path)
    } else {
        pair.path.clone()
    };
    let mut facts = vec![pair.status.as_str().to_owned()];
    if pair.binary {
        facts.push("binary".to_owned());
    } else {
        facts.push(file.language().as_str().to_owned());
        facts.push(format!(
            "{} changed, {} noise (score {})",
            plural(file.changed_lines, "line"),
            file.noise_lines,
            file.score
        ));
    }
    if file.protected {
        facts.push(paint.paint("protected", Style::new().red().bold()));
    }
    if !file.in_scope {
        facts.push(paint.paint("out of scope", Style::new().red().bold()));
    }
    writeln!(
        out,
        "{}  {}",
        paint.paint(&name, Style::new().bold()),
        facts.join(" · ")
    )?;
    if let Some(note) = file.note() {
        writeln!(out, "  note: {note}")?;
    }
    let Some(analysis) = &file.analysis else {
        return Ok(());
    };
    if analysis.parse_errors {
        writeln!(out, "  note: syntax errors; analysed as far as the tree allows")?;
    }
    let old_lines = split_lines(&pair.old);
    let new_lines = split_lines(&pair.new);
    for change in &analysis.changes {
        writeln!(
            out,
            "  {} {:<18} {}",
            paint.label(change.label),
            where_text(change),
            change.message
        )?;
        if style.verbose {
            write_lines(&change.old, &old_lines, '-', paint, out)?;
            write_lines(&change.new, &new_lines, '+', paint, out)?;
        }
    }
    Ok(())
}

fn write_lines(
    ranges: &[LineRange],
    lines: &[&[u8]],
    sign: char,
    paint: &Painter,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let style = if sign == '-' {
        Style::new().red()
    } else {
        Style::new().green()
    };
    for range in ranges {
        for line in range.start..=range.end {
            let text = lines
                .get(line - 1)
                .map_or_else(String::new, |l| String::from_utf8_lossy(l).into_owned());
            let text = format!("{sign}{}", text.trim_end_matches(['\n', '\r']));
            writeln!(out, "      {:>5} {}", line, paint.paint(&text, style))?;
        }
    }
    Ok(())
}

fn write_summary(report: &Report, paint: &Painter, out: &mut dyn Write) -> std::io::Result<()> {
    let summary = &report.summary;
    if !report.files.is_empty() {
        writeln!(out)?;
    }
    writeln!(
        out,
        "score {}: {} of {} changed are noise, in {}",
        paint.paint(&summary.score.to_string(), Style::new().bold()),
        summary.noise_lines,
        plural(summary.changed_lines, "line"),
        plural(summary.files, "file"),
    )?;
    let counts: Vec<String> = summary
        .by_label
        .iter()
        .filter(|(_, lines)| *lines > 0)
        .map(|(label, lines)| format!("{} {lines}", paint.paint(label.as_str(), label_style(label))))
        .collect();
    if !counts.is_empty() {
        writeln!(out, "  {}", counts.join(", "))?;
    }
    if summary.pass {
        let verdict = paint.paint("PASS", Style::new().green().bold());
        writeln!(
            out,
            "{verdict}: score {} is within max_noise {}",
            summary.score, summary.max_noise
        )
    } else {
        let verdict = paint.paint("FAIL", Style::new().red().bold());
        for reason in &summary.reasons {
            writeln!(out, "{verdict}: {reason}")?;
        }
        Ok(())
    }
}

fn plural(count: usize, noun: &str) -> String {
    if count == 1 {
        format!("1 {noun}")
    } else {
        format!("{count} {noun}s")
    }
}
