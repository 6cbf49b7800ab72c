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
