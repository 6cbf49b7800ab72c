//! `diffscore log`: a loop over the pipeline, one run per commit. [`walk`]
//! picks the commits the way `git log --no-merges` does (a range, paths, an
//! author, a date, a count), newest first; [`score_commits`] scores each
//! against its first parent exactly as `diffscore REV` does ([`crate::analyze`]
//! with [`SourceSpec::Commit`]), in parallel, and hands them back in order.

pub mod dates;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::{Duration, Instant};

use git2::{Commit, DiffOptions, Oid, Repository, Revwalk, Sort};

use crate::error::{Error, Result};
use crate::score::{Gate, Summary};
use crate::source::{self, SourceSpec};

/// Which commits to list.
#[derive(Debug, Clone, Default)]
pub struct LogQuery {
    /// `REV`, `A..B` or `A...B`, as git reads them; `None` is HEAD's history.
    pub range: Option<String>,
    /// Only commits that change these repository-relative pathspecs.
    pub pathspecs: Vec<String>,
    /// Only commits whose author, `Name <email>`, matches.
    pub author: Option<regex::Regex>,
    /// Only commits committed at or after this Unix time.
    pub since: Option<i64>,
    /// At most this many commits (after the other filters).
    pub max_count: Option<usize>,
}

/// One commit and its score.
#[derive(Debug, Clone)]
pub struct CommitScore {
    pub id: Oid,
    /// The shortest unique prefix of the id (at least `core.abbrev`), as `git log --oneline` shows it.
    pub short_id: String,
    pub author: String,
    pub email: String,
    /// The author date: Unix seconds and the author's offset from UTC in minutes.
    pub time: i64,
    pub offset_minutes: i32,
    /// The first paragraph of the message on one line, like git's `%s`.
    pub subject: String,
    pub summary: Summary,
}

/// What [`score_commits`] reports, in order.
#[derive(Debug)]
pub enum Event {
    /// The next commit, newest first.
    Commit(Box<CommitScore>),
    /// How many commits are scored so far (some may still wait for an
    /// earlier one to be reported), about ten times a second.
    Progress { scored: usize, total: usize },
}

/// The commits of a query, newest first (commit-date order, like `git log`).
pub fn walk(repo: &Repository, query: &LogQuery) -> Result<Vec<Oid>> {
    let mut revwalk = repo.revwalk()?;
    revwalk.set_sorting(Sort::TIME)?;
    push_range(repo, &mut revwalk, query.range.as_deref())?;
    let mut commits = Vec::new();
    if query.max_count == Some(0) {
        return Ok(commits);
    }
    for oid in revwalk {
        let commit = repo.find_commit(oid?)?;
        if commit.parent_count() > 1
            || query.since.is_some_and(|since| commit.time().seconds() < since)
            || query
                .author
                .as_ref()
                .is_some_and(|author| !author.is_match(&ident(&commit)))
            || (!query.pathspecs.is_empty() && !touches(repo, &commit, &query.pathspecs)?)
        {
            continue;
        }
        commits.push(commit.id());
        if query.max_count == Some(commits.len()) {
            break;
        }
    }
    Ok(commits)
}

/// `REV` walks its history; `A..B` what B reaches and A does not; `A...B`
/// what either reaches and not both (an empty side is HEAD).
fn push_range(repo: &Repository, revwalk: &mut Revwalk<'_>, range: Option<&str>) -> Result<()> {
    let commit = |rev: &str| source::find_commit(repo, rev).map(|commit| commit.id());
    match SourceSpec::from_revision(range.unwrap_or("HEAD")) {
        SourceSpec::Range(a, b) => {
            revwalk.push(commit(&b)?)?;
            revwalk.hide(commit(&a)?)?;
        }
        SourceSpec::MergeBase(a, b) => {
            let (a, b) = (commit(&a)?, commit(&b)?);
            revwalk.push(a)?;
            revwalk.push(b)?;
            match repo.merge_bases(a, b) {
                Ok(bases) => {
                    for base in bases.iter() {
                        revwalk.hide(*base)?;
                    }
                }
                Err(e) if e.code() == git2::ErrorCode::NotFound => {}
                Err(e) => return Err(e.into()),
            }
        }
        SourceSpec::Commit(rev) => revwalk.push(commit(&rev)?)?,
        SourceSpec::Staged | SourceSpec::Worktree => unreachable!("a revision argument is never these"),
    }
    Ok(())
}

/// `Name <email>`, what `--author` matches, like git.
fn ident(commit: &Commit<'_>) -> String {
    let author = commit.author();
    format!(
        "{} <{}>",
        String::from_utf8_lossy(author.name_bytes()),
        String::from_utf8_lossy(author.email_bytes())
    )
}

/// Whether a commit changes a path of `pathspecs` against its first parent.
fn touches(repo: &Repository, commit: &Commit<'_>, pathspecs: &[String]) -> Result<bool> {
    let mut options = DiffOptions::new();
    for pathspec in pathspecs {
        options.pathspec(pathspec);
    }
    let old = commit.parents().next().map(|parent| parent.tree()).transpose()?;
    let diff = repo.diff_tree_to_tree(old.as_ref(), Some(&commit.tree()?), Some(&mut options))?;
    Ok(diff.deltas().len() > 0)
}

/// How often [`Event::Progress`] comes.
const TICK: Duration = Duration::from_millis(100);

/// Scores `commits` in parallel and reports each, in order, to `on_event`
/// as soon as it and every commit before it are scored. Each worker of
/// rayon's pool opens its own repository handle (a handle is not `Sync`) and
/// takes the next commit until none is left; files within a commit are
/// scored in parallel as for one run. Stops at the first error, from
/// scoring or from `on_event` (a closed pipe), after the commits under way.
pub fn score_commits<E: From<Error>>(
    repo: &Repository,
    commits: &[Oid],
    pathspecs: &[String],
    gate: &Gate,
    mut on_event: impl FnMut(Event) -> std::result::Result<(), E>,
) -> std::result::Result<(), E> {
    let location = repo.workdir().unwrap_or_else(|| repo.path()).to_path_buf();
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let (sender, receiver) = mpsc::channel::<(usize, Result<CommitScore>)>();
    std::thread::scope(|scope| {
        let (next, stop) = (&next, &stop);
        scope.spawn(move || {
            rayon::broadcast(|_| {
                work(&location, commits, pathspecs, gate, next, stop, &sender);
            });
        });
        let outcome = report_in_order(&receiver, commits.len(), &mut on_event);
        stop.store(true, Ordering::Relaxed);
        outcome
    })
}

/// One worker: its own handle, then commits until none is left or a stop.
fn work(
    location: &Path,
    commits: &[Oid],
    pathspecs: &[String],
    gate: &Gate,
    next: &AtomicUsize,
    stop: &AtomicBool,
    sender: &mpsc::Sender<(usize, Result<CommitScore>)>,
) {
    let repo = Repository::open(location);
    while !stop.load(Ordering::Relaxed) {
        let index = next.fetch_add(1, Ordering::Relaxed);
        let Some(&id) = commits.get(index) else {
            return;
        };
        let scored = match &repo {
            Ok(repo) => score_commit(repo, id, pathspecs, gate),
            Err(e) => Err(Error::OpenRepository {
                folder: location.to_owned(),
                message: e.message().to_owned(),
            }),
        };
        if sender.send((index, scored)).is_err() {
            return;
        }
    }
}

fn report_in_order<E: From<Error>>(
    receiver: &mpsc::Receiver<(usize, Result<CommitScore>)>,
    total: usize,
    on_event: &mut impl FnMut(Event) -> std::result::Result<(), E>,
) -> std::result::Result<(), E> {
    let mut waiting = BTreeMap::new();
    let (mut reported, mut scored) = (0, 0);
    let mut last_tick = Instant::now();
    while reported < total {
        match receiver.recv_timeout(TICK) {
            Ok((index, commit)) => {
                waiting.insert(index, commit?);
                scored += 1;
                while let Some(commit) = waiting.remove(&reported) {
                    on_event(Event::Commit(Box::new(commit)))?;
                    reported += 1;
                }
            }
            Err(RecvTimeoutError::Timeout) => {}
            // Every worker is gone: one panicked, and the scope says so.
            Err(RecvTimeoutError::Disconnected) => break,
        }
        if last_tick.elapsed() >= TICK {
            on_event(Event::Progress { scored, total })?;
            last_tick = Instant::now();
        }
    }
    Ok(())
}

/// One commit against its first parent, as `diffscore REV` scores it.
pub fn score_commit(repo: &Repository, id: Oid, pathspecs: &[String], gate: &Gate) -> Result<CommitScore> {
    let commit = repo.find_commit(id)?;
    // A log line shows counts, never the lines: no text is kept.
    let spec = SourceSpec::Commit(id.to_string());
    let report = crate::analyze_with(repo, &spec, pathspecs, gate, false)?;
    let short_id = commit.as_object().short_id()?;
    let author = commit.author();
    Ok(CommitScore {
        id,
        short_id: short_id.as_str().unwrap_or_default().to_owned(),
        author: String::from_utf8_lossy(author.name_bytes()).into_owned(),
        email: String::from_utf8_lossy(author.email_bytes()).into_owned(),
        time: author.when().seconds(),
        offset_minutes: author.when().offset_minutes(),
        subject: String::from_utf8_lossy(commit.summary_bytes().unwrap_or_default()).into_owned(),
        summary: report.summary,
    })
}
