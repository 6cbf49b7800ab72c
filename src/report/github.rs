//! `--format github`: GitHub Actions workflow commands, one annotation per
//! noise change (on the new side, or the old side for pure deletions) and a
//! summary line that is an error when the gate fails.

use std::io::Write;

use crate::score::Report;

pub fn write(report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    for file in &report.files {
        for change in file
            .analysis
            .iter()
            .flat_map(|a| &a.changes)
            .filter(|c| c.label.is_noise())
        {
            let (path, range) = match (change.new.first(), change.old.first()) {
                (Some(range), _) => (&file.pair.path, range),
                (None, Some(range)) => (&file.pair.old_path, range),
                (None, None) => continue,
            };
            writeln!(
                out,
                "::notice file={},line={},endLine={},title={}::{}",
                property(path),
                range.start,
                range.end,
                property(&format!("diffscore: {}", change.label)),
                data(&change.message)
            )?;
        }
    }
    let summary = &report.summary;
    let figures = format!(
        "score {}: {} of {} changed lines are noise",
        summary.score, summary.noise_lines, summary.changed_lines
    );
    if summary.pass {
        writeln!(out, "::notice title=diffscore::{}", data(&format!("{figures}; passed")))
    } else {
        writeln!(
            out,
            "::error title=diffscore::{}",
            data(&format!("{figures}; {}", summary.reasons.join("; ")))
        )
    }
}

/// Escapes a workflow command's message.
fn data(text: &str) -> String {
    text.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// Escapes a workflow command's property value.
fn property(text: &str) -> String {
    data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_follow_the_workflow_command_rules() {
        assert_eq!(data("50% done\nnext"), "50%25 done%0Anext");
        assert_eq!(property("a,b:c"), "a%2Cb%3Ac");
    }
}
