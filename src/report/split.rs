//! What `diffscore split` did, for people: per file, what was staged and
//! what was left, and how to undo it.

use std::io::Write;

use crate::split::index::Written;
use crate::split::{FilePlan, Outcome};

pub fn write(plans: &[FilePlan], written: &Written, worktree: bool, out: &mut dyn Write) -> std::io::Result<()> {
    let left = if worktree {
        "the noise stays unstaged"
    } else {
        "the noise stays in the working tree"
    };
    for plan in plans {
        let noise: Vec<String> = plan
            .separated
            .iter()
            .map(|(label, lines)| format!("{label} {lines}"))
            .collect();
        match &plan.outcome {
            Outcome::Split(_) if written.paths.contains(&plan.path) && plan.kept_lines == 0 => writeln!(
                out,
                "{}: no real change to stage; {left}: {}",
                plan.path,
                noise.join(", ")
            )?,
            Outcome::Split(_) if written.paths.contains(&plan.path) => writeln!(
                out,
                "{}: staged the real change ({} lines); {left}: {}",
                plan.path,
                plan.kept_lines,
                noise.join(", ")
            )?,
            Outcome::Split(_) | Outcome::Clean => writeln!(out, "{}: nothing to separate", plan.path)?,
            Outcome::Refused(why) => writeln!(out, "{}: left as it was: {why}", plan.path)?,
            Outcome::Skipped(why) => writeln!(out, "{}: left as it was ({why})", plan.path)?,
        }
    }
    if plans.is_empty() {
        let what = if worktree {
            "unstaged edits"
        } else {
            "staged changes (`git add` them, or use --worktree)"
        };
        writeln!(out, "nothing to split: no {what}")
    } else if written.paths.is_empty() {
        writeln!(out, "nothing written: the index is as it was")
    } else {
        writeln!(
            out,
            "commit the real change with `git commit`; `git diff` shows the noise; undo with `diffscore split --undo`"
        )
    }
}
