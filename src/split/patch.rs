//! The minimal patch: each file's old side → middle version, as a unified
//! diff that `git apply` takes ("the pull request without its noise").
//!
//! The hunks are libgit2's; the headers are written here, so that an added,
//! deleted or renamed file reads as git writes it.

use std::io::Write;

use super::{FilePlan, Outcome};
use crate::pairs::Status;

/// Writes the patch of every file that has one; returns the notes about the
/// files left out (binary, links, submodules, mode changes).
pub fn write(plans: &[FilePlan], out: &mut dyn Write) -> std::io::Result<Vec<String>> {
    let mut left_out = Vec::new();
    for plan in plans {
        let target = match &plan.outcome {
            Outcome::Split(middle) => middle.as_slice(),
            Outcome::Clean | Outcome::Refused(_) => plan.new.as_slice(),
            Outcome::Skipped(_) if matches!(plan.status, Status::Added | Status::Deleted) => plan.new.as_slice(),
            Outcome::Skipped(why) => {
                left_out.push(format!("{}: {why}, left out of the patch", plan.path));
                continue;
            }
        };
        let whole_file = matches!(plan.status, Status::Added | Status::Deleted);
        if target == plan.old.as_slice() && plan.old_path == plan.path && !whole_file {
            continue;
        }
        write_file(plan, target, out)?;
    }
    Ok(left_out)
}

fn write_file(plan: &FilePlan, target: &[u8], out: &mut dyn Write) -> std::io::Result<()> {
    let mut options = git2::DiffOptions::new();
    options.force_text(true);
    let patch = git2::Patch::from_buffers(&plan.old, None, target, None, Some(&mut options))
        .and_then(|mut patch| patch.to_buf())
        .map_err(std::io::Error::other)?;
    let text: &[u8] = &patch;
    let hunks = memchr::memmem::find(text, b"\n@@ ").map_or(&text[text.len()..], |at| &text[at + 1..]);
    let (old_path, path) = (&plan.old_path, &plan.path);
    writeln!(out, "diff --git a/{old_path} b/{path}")?;
    let (old_name, new_name) = match plan.status {
        Status::Added => {
            writeln!(out, "new file mode {:o}", plan.modes.1)?;
            ("/dev/null".to_owned(), format!("b/{path}"))
        }
        Status::Deleted => {
            writeln!(out, "deleted file mode {:o}", plan.modes.0)?;
            (format!("a/{old_path}"), "/dev/null".to_owned())
        }
        Status::Renamed | Status::Modified => {
            if old_path != path {
                writeln!(out, "rename from {old_path}\nrename to {path}")?;
            }
            (format!("a/{old_path}"), format!("b/{path}"))
        }
    };
    writeln!(out, "--- {old_name}\n+++ {new_name}")?;
    out.write_all(hunks)
}
