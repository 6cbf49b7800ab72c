//! diffscore: separate the substantive part of a git diff from the noise
//! (renames, reorders, docstrings, comments, formatting, annotations) and
//! score how noisy it is.

pub mod classify;
pub mod label;
pub mod lines;
pub mod python;
