//! The command line: clap's raw arguments, resolved once (with the
//! configuration file and the terminal) into what the run needs.

use std::io::{IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::{Args, Parser, Subcommand, ValueEnum};
use git2::Repository;

use crate::config::{self, Config, Patterns};
use crate::label::Label;
use crate::log::{self, Event, LogQuery};
use crate::report::log::LogFormat;
use crate::report::{self, Format, HumanStyle};
use crate::score::{Gate, NoisePolicy};
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
  diffscore                          score the staged changes (HEAD → index)
  diffscore --worktree -v            score unstaged edits, showing each change's lines
  diffscore HEAD                     score the last commit
  diffscore main...feature           score a branch as its pull request shows it
  diffscore --max-noise 20 HEAD~3..  fail if more than 20% of the lines are noise
  diffscore --scope 'app/**'         fail if anything outside app/ changed
  diffscore --format json            one JSON object for bots (docs/json-output.md)
  diffscore --format sarif > x.sarif SARIF 2.1.0 for code scanning
  diffscore --format markdown main...HEAD
                                     a pull-request comment (GitHub, GitLab)
  diffscore -- src/app.py            only these paths
  diffscore hook install             block noisy commits with a pre-commit hook
  diffscore log -n 20                score each of the last 20 commits

Configuration: .diffscore.toml at the repository root, or [tool.diffscore] in
pyproject.toml, with keys max_noise, protected, exclude, noise. Flags win.

Exit status: 0 passed, 1 failed the gate, 2 error.";

/// Score how minimal a git diff is: separate the substantive change from
/// renames, reorders, docstrings, comments, formatting and annotations.
#[derive(Debug, Parser)]
#[command(name = "diffscore", version, about, after_help = EXAMPLES, args_conflicts_with_subcommands = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,

    #[command(flatten)]
    pub score: ScoreArgs,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Score every non-merge commit of a history against its first parent,
    /// one line each, newest first (like `git log --oneline --no-merges`).
    Log(LogArgs),
    /// Install or remove the git pre-commit hook that runs diffscore on every commit.
    Hook {
        #[command(subcommand)]
        action: HookAction,
    },
    /// Take the noise out of the index: afterwards `git diff --cached` is the
    /// real change and `git diff` the noise (the working tree is never
    /// written). With --print, write the patch without the noise instead, for
    /// any source, and change nothing.
    #[command(after_help = SPLIT_EXAMPLES)]
    Split(SplitArgs),
}

const SPLIT_EXAMPLES: &str = "\
Examples:
  diffscore split                    stage only the real change; the noise stays unstaged
  diffscore split --undo             put back the index the last split replaced
  diffscore split --worktree         stage the real part of the unstaged edits
  diffscore split --only rename,docstring
  diffscore split --print main...feature > pr.patch

Each file is checked before anything is written; a file that cannot be split
without cutting a statement in half stays as it was, with the reason.";

#[derive(Debug, Args)]
pub struct SplitArgs {
    /// With --print: the source to print without its noise (REV, A..B or
    /// A...B). Without --print, split takes the staged changes only.
    #[arg(value_name = "REVISION")]
    pub revision: Option<String>,

    /// Stage the real part of the unstaged edits (index → working tree);
    /// the working tree keeps everything.
    #[arg(long, conflicts_with = "revision")]
    pub worktree: bool,

    /// Separate only these labels (comma-separated), e.g. rename,docstring.
    /// Default: every noise label.
    #[arg(long, value_delimiter = ',', value_parser = parse_label, value_name = "LABELS")]
    pub only: Vec<Label>,

    /// Print the patch without the noise (old → middle, `git apply`-able)
    /// and change nothing.
    #[arg(long)]
    pub print: bool,

    /// Put back the index that the last split replaced, byte for byte.
    #[arg(long, conflicts_with_all = ["print", "worktree", "only", "revision"])]
    pub undo: bool,

    /// Only these paths (relative to the current folder, like git).
    #[arg(last = true, value_name = "PATH")]
    pub paths: Vec<String>,
}

fn parse_label(name: &str) -> Result<Label, String> {
    match Label::from_name(name) {
        Some(Label::Substantive) | None => {
            let noise: Vec<&str> = Label::ALL.iter().filter(|l| l.is_noise()).map(|l| l.as_str()).collect();
            Err(format!("not a noise label; one of {}", noise.join(", ")))
        }
        Some(label) => Ok(label),
    }
}

#[derive(Debug, Subcommand)]
pub enum HookAction {
    /// Write a pre-commit hook that scores the staged diff and blocks the
    /// commit when the gate fails. Honours core.hooksPath; installing twice
    /// changes nothing.
    Install {
        /// Replace a pre-commit hook that diffscore did not write.
        #[arg(long)]
        force: bool,
    },
    /// Remove the pre-commit hook written by `diffscore hook install`.
    Uninstall {
        /// Remove the pre-commit hook even if diffscore did not write it.
        #[arg(long)]
        force: bool,
    },
}

#[derive(Debug, Args)]
pub struct ScoreArgs {
    /// What to score: REV (that commit against its first parent), A..B, or
    /// A...B (B against the merge base, as a pull request shows it). Without
    /// it, the staged changes (HEAD → index, like `git diff --cached`).
    #[arg(value_name = "REVISION")]
    pub revision: Option<String>,

    /// Score the working tree against the index (what `git diff` shows):
    /// the edits not staged yet.
    #[arg(long, conflicts_with = "revision")]
    pub worktree: bool,

    /// Output format: human (default), json (docs/json-output.md), sarif
    /// (SARIF 2.1.0), github (GitHub Actions annotations) or markdown (a
    /// pull-request comment for GitHub and GitLab, under 60,000 characters).
    #[arg(long, value_enum, default_value_t = Format::Human, value_name = "FORMAT")]
    pub format: Format,

    /// Fail (exit 1) when the score, the percentage of changed lines that
    /// are noise, is above N. Default: max_noise from the configuration, or 50.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u8).range(0..=100))]
    pub max_noise: Option<u8>,

    /// Fail when a changed path matches none of these globs (matched against
    /// repository-relative paths; `*` also crosses folders). Repeatable.
    #[arg(long, value_name = "GLOB", num_args = 1)]
    pub scope: Vec<String>,

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

const LOG_EXAMPLES: &str = "\
Examples:
  diffscore log                      every commit of HEAD's history
  diffscore log -n 20 --author alice the last 20 commits by alice
  diffscore log main..feature        the commits of a branch
  diffscore log --since 2.weeks -- app/
                                     the last two weeks' commits that touch app/
  diffscore log --format json | jq -c 'select(.summary.score > 50)'

Each line: short id, score, changed lines, noise lines by label, subject.
Each commit is scored as `diffscore REV` scores it, with the same
configuration; commits are scored in parallel.

Exit status: 0 every commit passed its gate, 1 one did not, 2 error.";

#[derive(Debug, Args)]
#[command(after_help = LOG_EXAMPLES)]
pub struct LogArgs {
    /// Which commits: REV (its history), A..B (reachable from B but not A)
    /// or A...B (from either but not both); an empty side is HEAD. Default:
    /// HEAD's history. Merge commits are skipped.
    #[arg(value_name = "RANGE")]
    pub range: Option<String>,

    /// Output format: human (one line per commit) or json (JSON Lines: one
    /// object per commit with its summary, docs/json-output.md).
    #[arg(long, value_enum, default_value_t = LogFormat::Human, value_name = "FORMAT")]
    pub format: LogFormat,

    /// Show at most N commits (counted after the other filters), like git.
    #[arg(short = 'n', long, value_name = "N")]
    pub max_count: Option<usize>,

    /// Only commits whose author, `Name <email>`, matches this regular
    /// expression (Rust regex syntax; case-sensitive, like git).
    #[arg(long, value_name = "PATTERN")]
    pub author: Option<String>,

    /// Only commits committed at or after DATE: 2024-01-31 (UTC),
    /// 2024-01-31T12:00:00+01:00, @1706659200 (Unix time), yesterday,
    /// 2.weeks, 3 days ago, 1.year.2.months (seconds to years).
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,

    /// A commit fails its gate when its score is above N (the run then exits
    /// 1). Default: max_noise from the configuration, or 50.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u8).range(0..=100))]
    pub max_noise: Option<u8>,

    /// When to colour the human output: auto colours only a terminal, and
    /// never when NO_COLOR is set.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,

    /// Only commits that change these paths, each scored on these paths only
    /// (relative to the current folder, like git).
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

/// Everything a scoring run needs, decided once.
struct Options {
    spec: SourceSpec,
    pathspecs: Vec<String>,
    gate: Gate,
    format: Format,
    style: HumanStyle,
}

impl Options {
    fn resolve(args: &ScoreArgs, repo: &Repository, cwd: &Path) -> anyhow::Result<Options> {
        let config = load_config(repo)?;
        let spec = match (&args.revision, args.worktree) {
            (Some(revision), _) => SourceSpec::from_revision(revision),
            (None, true) => SourceSpec::Worktree,
            (None, false) => SourceSpec::Staged,
        };
        let scope = (!args.scope.is_empty())
            .then(|| Patterns::new(&args.scope))
            .transpose()
            .map_err(|e| anyhow::anyhow!("--scope: {e}"))?;
        Ok(Options {
            spec,
            pathspecs: source::pathspecs(repo, cwd, &args.paths),
            gate: gate(config, args.max_noise, scope),
            format: args.format,
            style: HumanStyle {
                color: args.color.resolve(),
                verbose: args.verbose,
            },
        })
    }
}

/// The configuration file of the repository's working tree (none in a bare one).
fn load_config(repo: &Repository) -> anyhow::Result<Config> {
    Ok(match repo.workdir() {
        Some(root) => config::load(root)?,
        None => Config::default(),
    })
}

/// The gate from the configuration and the flags (flags win).
fn gate(config: Config, max_noise: Option<u8>, scope: Option<Patterns>) -> Gate {
    Gate {
        max_noise: max_noise.or(config.max_noise).unwrap_or(DEFAULT_MAX_NOISE),
        noise: config
            .noise
            .map_or_else(NoisePolicy::default, |labels| NoisePolicy { labels }),
        protected: config.protected,
        scope,
        exclude: config.exclude,
    }
}

/// Runs the command line and returns its exit status.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let outcome = match &cli.command {
        Some(Command::Hook { action }) => run_hook(action).map(|()| true),
        Some(Command::Split(args)) => run_split(args).map(|()| true),
        Some(Command::Log(args)) => run_log(args),
        None => run(&cli.score),
    };
    match outcome {
        Ok(true) => ExitCode::from(exit::PASSED),
        Ok(false) => ExitCode::from(exit::FAILED),
        Err(error) if is_broken_pipe(&error) => ExitCode::from(exit::PASSED),
        Err(error) => {
            eprintln!("diffscore: error: {error:#}");
            ExitCode::from(exit::ERROR)
        }
    }
}

fn open_repository() -> anyhow::Result<(Repository, std::path::PathBuf)> {
    // diffscore only reads, and git itself trusts its object store: hashing
    // every blob again costs a tenth of a run.
    git2::opts::strict_hash_verification(false);
    let cwd = std::env::current_dir().context("cannot read the current folder")?;
    Ok((source::open(&cwd)?, cwd))
}

fn run(args: &ScoreArgs) -> anyhow::Result<bool> {
    let (repo, cwd) = open_repository()?;
    let options = Options::resolve(args, &repo, &cwd)?;
    let keep_text = report::shows_lines(options.format, options.style);
    let report = crate::analyze_with(&repo, &options.spec, &options.pathspecs, &options.gate, keep_text)?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    report::write(&report, options.format, options.style, &mut out)?;
    out.flush()?;
    Ok(report.summary.pass)
}

fn run_split(args: &SplitArgs) -> anyhow::Result<()> {
    let (repo, cwd) = open_repository()?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    if args.undo {
        crate::split::index::undo(&repo)?;
        writeln!(out, "restored the index the last split replaced")?;
        return Ok(out.flush()?);
    }
    let spec = match (&args.revision, args.worktree) {
        (Some(revision), _) if args.print => SourceSpec::from_revision(revision),
        (Some(_), _) => return Err(crate::error::Error::SplitNeedsIndex.into()),
        (None, true) => SourceSpec::Worktree,
        (None, false) => SourceSpec::Staged,
    };
    let separated: Vec<Label> = if args.only.is_empty() {
        Label::ALL.into_iter().filter(|label| label.is_noise()).collect()
    } else {
        args.only.clone()
    };
    let pathspecs = source::pathspecs(&repo, &cwd, &args.paths);
    // The index as it is now: the split is planned on it, and written only
    // if nothing changed it meanwhile.
    let planned = (!args.print)
        .then(|| std::fs::read(repo.path().join("index")))
        .transpose()
        .context("cannot read the index")?;
    let report = crate::analyze_with(&repo, &spec, &pathspecs, &Gate::default(), true)?;
    let mut plans = crate::split::plan(&report, &separated);
    let Some(planned) = planned else {
        for note in crate::split::patch::write(&plans, &mut out)? {
            eprintln!("diffscore: {note}");
        }
        return Ok(out.flush()?);
    };
    let written = crate::split::index::write(&repo, &mut plans, &planned)?;
    report::split::write(&plans, &written, args.worktree, &mut out)?;
    Ok(out.flush()?)
}

fn run_hook(action: &HookAction) -> anyhow::Result<()> {
    let (repo, _) = open_repository()?;
    let outcome = match *action {
        HookAction::Install { force } => {
            let binary = std::env::current_exe().context("cannot find the diffscore binary")?;
            crate::hook::install(&repo, force, &binary)?
        }
        HookAction::Uninstall { force } => crate::hook::uninstall(&repo, force)?,
    };
    println!("{outcome}");
    Ok(())
}

fn run_log(args: &LogArgs) -> anyhow::Result<bool> {
    let (repo, cwd) = open_repository()?;
    let gate = gate(load_config(&repo)?, args.max_noise, None);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs() as i64);
    let since = args
        .since
        .as_deref()
        .map(|text| log::dates::parse_since(text, now))
        .transpose()
        .map_err(|e| anyhow::anyhow!("--since: {e}"))?;
    let author = args
        .author
        .as_deref()
        .map(|pattern| {
            regex::Regex::new(pattern).map_err(|e| {
                // The regex crate explains over several lines; its last says what is wrong.
                let message = e.to_string();
                let last = message.lines().last().unwrap_or_default().trim();
                let why = last.strip_prefix("error: ").unwrap_or(last).to_owned();
                anyhow::anyhow!("--author: `{pattern}` is not a regular expression: {why}")
            })
        })
        .transpose()?;
    let pathspecs = source::pathspecs(&repo, &cwd, &args.paths);
    let query = LogQuery {
        range: args.range.clone(),
        pathspecs: pathspecs.clone(),
        author,
        since,
        max_count: args.max_count,
    };
    let commits = log::walk(&repo, &query)?;
    let color = args.color.resolve();
    let stdout = std::io::stdout();
    let streaming = stdout.is_terminal();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut progress = Progress::new();
    let mut passed = true;
    log::score_commits(&repo, &commits, &pathspecs, &gate, |event| -> anyhow::Result<()> {
        match event {
            Event::Commit(commit) => {
                passed &= commit.summary.pass;
                if streaming {
                    // The line goes where the progress is: blank it, then draw it below.
                    progress.clear();
                    report::log::write(&commit, args.format, color, &mut out)?;
                    out.flush()?;
                    progress.draw();
                } else {
                    report::log::write(&commit, args.format, color, &mut out)?;
                }
            }
            Event::Progress { scored, total } => progress.show(scored, total),
        }
        Ok(())
    })?;
    progress.clear();
    out.flush()?;
    Ok(passed)
}

/// `scored 120/1000 commits…` on stderr, overwritten in place: only on a
/// terminal, and only once a run has taken more than a second.
struct Progress {
    enabled: bool,
    start: Instant,
    /// The last counts: scored, total.
    counts: Option<(usize, usize)>,
    /// The width of the line on screen, to blank it.
    shown: usize,
}

impl Progress {
    const AFTER: Duration = Duration::from_secs(1);

    fn new() -> Progress {
        Progress {
            enabled: std::io::stderr().is_terminal(),
            start: Instant::now(),
            counts: None,
            shown: 0,
        }
    }

    fn show(&mut self, scored: usize, total: usize) {
        self.counts = Some((scored, total));
        self.draw();
    }

    fn draw(&mut self) {
        let Some((scored, total)) = self.counts else {
            return;
        };
        if self.enabled && self.start.elapsed() >= Self::AFTER {
            let line = format!("scored {scored}/{total} commits…");
            let width = line.chars().count();
            eprint!("\r{line}{:pad$}", "", pad = self.shown.saturating_sub(width));
            self.shown = self.shown.max(width);
        }
    }

    fn clear(&mut self) {
        if self.shown > 0 {
            eprint!("\r{:width$}\r", "", width = self.shown);
            self.shown = 0;
        }
    }
}

fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error
        .downcast_ref::<std::io::Error>()
        .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
}
