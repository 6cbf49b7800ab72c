//! Real repositories in temporary folders, built with the real `git`, and the
//! real `diffscore` binary run inside them.

#![allow(dead_code)] // each test binary uses a different part of this module

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

pub struct Repo {
    dir: tempfile::TempDir,
}

impl Repo {
    /// An empty repository with a `main` branch and no commit.
    pub fn new() -> Repo {
        let repo = Repo {
            dir: tempfile::tempdir().expect("temporary folder"),
        };
        repo.git(&["init", "-q", "-b", "main"]);
        repo
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn write(&self, path: &str, content: impl AsRef<[u8]>) -> &Repo {
        let full = self.path().join(path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(full, content).unwrap();
        self
    }

    /// Runs git and returns its standard output; panics if git fails.
    pub fn git(&self, args: &[&str]) -> String {
        let output = self.git_command(args).output().expect("git runs");
        assert!(
            output.status.success(),
            "git {args:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    pub fn git_command(&self, args: &[&str]) -> Command {
        let mut command = Command::new("git");
        command
            .args(args)
            .current_dir(self.path())
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_AUTHOR_NAME", "Test")
            .env("GIT_AUTHOR_EMAIL", "test@example.com")
            .env("GIT_COMMITTER_NAME", "Test")
            .env("GIT_COMMITTER_EMAIL", "test@example.com");
        command
    }

    /// Stages everything and commits it.
    pub fn commit(&self, message: &str) -> String {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "--allow-empty", "-m", message]);
        self.git(&["rev-parse", "HEAD"]).trim().to_owned()
    }

    /// Stages everything and commits it with fixed author and committer
    /// dates (`2024-01-31 12:00:00 +0100`), by `(name, email)` when given,
    /// so that commit ids are the same on every run.
    pub fn commit_at(&self, message: &str, date: &str, author: Option<(&str, &str)>) -> String {
        self.git(&["add", "-A"]);
        let mut command = self.dated(&["commit", "-q", "--allow-empty", "-m", message], date);
        if let Some((name, email)) = author {
            command.env("GIT_AUTHOR_NAME", name).env("GIT_AUTHOR_EMAIL", email);
        }
        let output = command.output().expect("git runs");
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        self.git(&["rev-parse", "HEAD"]).trim().to_owned()
    }

    /// A git command whose author and committer dates are `date`.
    pub fn dated(&self, args: &[&str], date: &str) -> Command {
        let mut command = self.git_command(args);
        command.env("GIT_AUTHOR_DATE", date).env("GIT_COMMITTER_DATE", date);
        command
    }

    pub fn stage_all(&self) -> &Repo {
        self.git(&["add", "-A"]);
        self
    }

    /// Runs diffscore in the repository's top folder.
    pub fn run(&self, args: &[&str]) -> Output {
        self.run_in(self.path(), args)
    }

    pub fn run_in(&self, folder: &Path, args: &[&str]) -> Output {
        diffscore(folder, args)
    }

    /// Runs `diffscore --format json` and parses its output.
    pub fn json(&self, args: &[&str]) -> Value {
        let mut all = vec!["--format", "json"];
        all.extend_from_slice(args);
        let output = self.run(&all);
        assert!(
            matches!(output.status.code(), Some(0 | 1)),
            "diffscore {all:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        serde_json::from_slice(&output.stdout).expect("diffscore prints one JSON object")
    }

    /// `git diff --numstat` for the same source: path → added + removed lines
    /// (binary files omitted).
    pub fn numstat(&self, git_diff_args: &[&str]) -> Vec<(String, usize)> {
        let mut args = vec!["diff", "--numstat", "-M"];
        args.extend_from_slice(git_diff_args);
        let mut rows: Vec<(String, usize)> = self
            .git(&args)
            .lines()
            .filter_map(|line| {
                let mut fields = line.splitn(3, '\t');
                let added = fields.next()?.parse::<usize>().ok()?;
                let removed = fields.next()?.parse::<usize>().ok()?;
                Some((new_path_of(fields.next()?), added + removed))
            })
            .collect();
        rows.sort();
        rows
    }
}

/// The new path of a numstat row: `a/{b.py => c.py}` or `b.py => c.py`.
fn new_path_of(path: &str) -> String {
    let Some((before, after)) = path.split_once(" => ") else {
        return path.to_owned();
    };
    match (before.split_once('{'), after.split_once('}')) {
        (Some((prefix, _)), Some((new, suffix))) => format!("{prefix}{new}{suffix}").replace("//", "/"),
        _ => after.to_owned(),
    }
}

/// Runs the real binary in `folder` with colour decided by the arguments only.
pub fn diffscore(folder: &Path, args: &[&str]) -> Output {
    Command::new(binary())
        .args(args)
        .current_dir(folder)
        .env_remove("NO_COLOR")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .expect("diffscore runs")
}

pub fn binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_diffscore"))
}

/// The changed-line count of every file in a JSON report, path → lines, after
/// checking that the file's changes cover exactly its changed lines.
pub fn covered_lines(report: &Value) -> Vec<(String, usize)> {
    let mut rows: Vec<(String, usize)> = report["files"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|file| !file["binary"].as_bool().unwrap())
        .map(|file| {
            let covered: u64 = file["changes"]
                .as_array()
                .unwrap()
                .iter()
                .flat_map(|change| {
                    let old = change["old"].as_array().unwrap().iter();
                    old.chain(change["new"].as_array().unwrap().iter())
                })
                .map(|range| range[1].as_u64().unwrap() - range[0].as_u64().unwrap() + 1)
                .sum();
            assert_eq!(covered, file["changed_lines"].as_u64().unwrap(), "{}", file["path"]);
            (file["path"].as_str().unwrap().to_owned(), covered as usize)
        })
        .collect();
    rows.sort();
    rows
}

/// The labels of a file's changes, in order.
pub fn labels_of(report: &Value, path: &str) -> Vec<String> {
    file(report, path)["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|change| change["label"].as_str().unwrap().to_owned())
        .collect()
}

pub fn file<'a>(report: &'a Value, path: &str) -> &'a Value {
    report["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|file| file["path"] == path)
        .unwrap_or_else(|| panic!("{path} not in the report"))
}

/// Removed and added line numbers (1-based), by path.
pub type ChangedLines = std::collections::BTreeMap<String, (Vec<u64>, Vec<u64>)>;

/// The lines `git diff` shows as removed and added, read from its unified
/// output with git's default context (what the user sees, and what
/// `--numstat` counts).
pub fn git_changed_lines(repo: &Repo, git_diff_args: &[&str]) -> ChangedLines {
    let mut args = vec!["diff", "--no-color", "--no-ext-diff", "-M"];
    args.extend_from_slice(git_diff_args);
    let mut files = ChangedLines::new();
    let (mut old_path, mut path) = (None::<String>, None::<String>);
    let (mut old_line, mut new_line) = (0, 0);
    for line in repo.git(&args).lines() {
        if line.starts_with("diff --git ") {
            (old_path, path) = (None, None);
        } else if path.is_none() && line.starts_with("--- ") {
            old_path = line.strip_prefix("--- a/").map(str::to_owned);
        } else if path.is_none() && line.starts_with("+++ ") {
            path = line.strip_prefix("+++ b/").map(str::to_owned).or(old_path.clone());
        } else if let Some(header) = line.strip_prefix("@@ ") {
            let mut ranges = header.split(' ').take(2).map(|range| {
                let (start, count) = range[1..].split_once(',').unwrap_or((&range[1..], "1"));
                start.parse::<u64>().unwrap() + u64::from(count == "0")
            });
            (old_line, new_line) = (ranges.next().unwrap(), ranges.next().unwrap());
        } else if let Some(path) = &path {
            let entry = files.entry(path.clone()).or_default();
            match line.as_bytes().first() {
                Some(b'-') => {
                    entry.0.push(old_line);
                    old_line += 1;
                }
                Some(b'+') => {
                    entry.1.push(new_line);
                    new_line += 1;
                }
                Some(b' ') => (old_line, new_line) = (old_line + 1, new_line + 1),
                _ => {}
            }
        }
    }
    files.retain(|_, (old, new)| !old.is_empty() || !new.is_empty());
    files
}

/// The lines a JSON report labels, by path (a path listed twice, as a type
/// change is, merged).
pub fn reported_lines(report: &Value) -> ChangedLines {
    let mut files = ChangedLines::new();
    for file in report["files"].as_array().unwrap() {
        let entry = files.entry(file["path"].as_str().unwrap().to_owned()).or_default();
        for change in file["changes"].as_array().unwrap() {
            for (side, lines) in [("old", &mut entry.0), ("new", &mut entry.1)] {
                for range in change[side].as_array().unwrap() {
                    lines.extend(range[0].as_u64().unwrap()..=range[1].as_u64().unwrap());
                }
            }
        }
    }
    for (old, new) in files.values_mut() {
        old.sort_unstable();
        new.sort_unstable();
    }
    files.retain(|_, (old, new)| !old.is_empty() || !new.is_empty());
    files
}
