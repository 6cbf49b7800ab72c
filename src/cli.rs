//! The command line: clap's raw arguments, resolved once into what the run needs.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, ValueEnum};

use crate::report::{self, Format, HumanStyle};
use crate::score::NoisePolicy;
use crate::source::{self, SourceSpec};

/// Exit statuses, as the SPEC fixes them.
pub mod exit {
    pub const PASSED: u8 = 0;
    pub const FAILED: u8 = 1;
    pub const ERROR: u8 = 2;
}

/// The gate's default: a run fails when more than half its changed lines are noise.
pub const DEFAULT_MAX_NOISE: u8 = 50;

const EXAMPLES: &str = "\
Examples:
  diffscore                      score the staged changes (HEAD → index)
  diffscore --worktree -v        score unstaged edits, showing each change's lines
  diffscore HEAD                 score the last commit
  diffscore main...feature       score a branch as its pull request shows it
  diffscore --format json        one JSON object for bots (docs/json-output.md)
  diffscore -- src/app.py        only these paths

Exit status: 0 passed, 1 failed the gate, 2 error.";

/// Score how minimal a git diff is: separate the substantive change from
/// renames, reorders, docstrings, comments, formatting and annotations.
#[derive(Debug, Parser)]
#[command(name = "diffscore", version, about, long_about = None, after_help = EXAMPLES)]
pub struct Cli {
    /// What to score: REV (that commit against its first parent), A..B, or
    /// A...B (B against the merge base, as a pull request shows it). Without
    /// it, the staged changes (HEAD → index, like `git diff --cached`).
    #[arg(value_name = "REVISION")]
    pub revision: Option<String>,

    /// Score the working tree against the index (what `git diff` shows):
    /// the edits not staged yet.
    #[arg(long, conflicts_with = "revision")]
    pub worktree: bool,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,

    /// Fail (exit 1) when the score, the percentage of changed lines that are
    /// noise, is above N.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u8).range(0..=100))]
    pub max_noise: Option<u8>,

    /// When to colour the human output: auto colours only a terminal, and
    /// never when NO_COLOR is set.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,

    /// Show the changed lines under each change, like `git diff`.
    #[arg(short, long)]
    pub verbose: bool,

    /// Only score these paths (relative to the current folder, like git).
    #[arg(last = true, value_name = "PATH")]
    pub paths: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

impl ColorChoice {
    fn resolve(self) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
            }
        }
    }
}

/// Runs the command line and returns its exit status.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(&cli) {
        Ok(true) => ExitCode::from(exit::PASSED),
        Ok(false) => ExitCode::from(exit::FAILED),
        Err(error) if is_broken_pipe(&error) => ExitCode::from(exit::PASSED),
        Err(error) => {
            eprintln!("diffscore: error: {error:#}");
            ExitCode::from(exit::ERROR)
        }
    }
}

fn run(cli: &Cli) -> anyhow::Result<bool> {
    let cwd = std::env::current_dir().context("cannot read the current folder")?;
    let repo = source::open(&cwd)?;
    let spec = match (&cli.revision, cli.worktree) {
        (Some(revision), _) => SourceSpec::from_revision(revision),
        (None, true) => SourceSpec::Worktree,
        (None, false) => SourceSpec::Staged,
    };
    let pathspecs = source::pathspecs(&repo, &cwd, &cli.paths);
    let policy = NoisePolicy::default();
    let max_noise = cli.max_noise.unwrap_or(DEFAULT_MAX_NOISE);
    let report = crate::analyze(&repo, &spec, &pathspecs, &policy, max_noise)?;
    let style = HumanStyle {
        color: cli.color.resolve(),
        verbose: cli.verbose,
    };
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    report::write(&report, cli.format, style, &mut out)?;
    out.flush()?;
    Ok(report.summary.pass)
}

fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error
        .downcast_ref::<std::io::Error>()
        .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
}
