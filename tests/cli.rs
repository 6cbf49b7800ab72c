//! The binary's contract: exit codes, error messages, colour, and snapshots
//! of both output formats.

mod support;

use support::{Repo, diffscore};

fn noisy_repo() -> Repo {
    let repo = Repo::new();
    repo.write(
        "calc.py",
        "def total(items):\n    return sum(items)\n\n\ndef count(items):\n    return len(items)\n",
    );
    repo.commit("base");
    repo.write(
        "calc.py",
        "def total(items):\n    \"\"\"Sum the items.\"\"\"\n    return sum(items)  # builtin\n\n\ndef count(items):\n    return len(items) + 1\n",
    );
    repo.stage_all();
    repo
}

fn stdout(output: &std::process::Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn stderr(output: &std::process::Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

#[test]
fn the_gate_decides_the_exit_status() {
    let repo = noisy_repo();
    let passed = repo.run(&["--max-noise", "100"]);
    assert_eq!(passed.status.code(), Some(0), "{}", stderr(&passed));
    let failed = repo.run(&["--max-noise", "10"]);
    assert_eq!(failed.status.code(), Some(1));
    assert!(
        stdout(&failed).contains("FAIL: score 60 is above max_noise 10"),
        "{}",
        stdout(&failed)
    );
}

#[test]
fn nothing_staged_passes_with_score_zero() {
    let repo = Repo::new();
    repo.write("a.py", "x = 1\n");
    repo.commit("base");
    let output = repo.run(&["--max-noise", "0"]);
    assert_eq!(output.status.code(), Some(0));
    assert!(stdout(&output).contains("score 0"));
}

#[test]
fn outside_a_repository_is_one_line_on_stderr_and_exit_2() {
    let folder = tempfile::tempdir().unwrap();
    let output = diffscore(folder.path(), &[]);
    assert_eq!(output.status.code(), Some(2));
    let message = stderr(&output);
    assert_eq!(message.lines().count(), 1, "{message}");
    assert!(
        message.starts_with("diffscore: error: not a git repository"),
        "{message}"
    );
    assert!(output.stdout.is_empty());
}

#[test]
fn an_unknown_revision_is_named_in_the_error() {
    let repo = noisy_repo();
    for revision in ["no-such-branch", "main..no-such-branch", "no-such...main"] {
        let output = repo.run(&[revision]);
        assert_eq!(output.status.code(), Some(2), "{revision}");
        let message = stderr(&output);
        assert_eq!(message.lines().count(), 1, "{message}");
        assert!(message.contains("unknown revision `no-such"), "{message}");
    }
    // A name that reads as a short object id is still a missing name.
    let message = stderr(&repo.run(&["abc..def"]));
    assert!(
        message.contains("unknown revision `abc`: no branch, tag or commit of that name"),
        "{message}"
    );
}

#[test]
fn bad_arguments_exit_2() {
    let repo = noisy_repo();
    assert_eq!(repo.run(&["--max-noise", "101"]).status.code(), Some(2));
    assert_eq!(repo.run(&["--format", "xml"]).status.code(), Some(2));
    assert_eq!(repo.run(&["--worktree", "HEAD"]).status.code(), Some(2));
}

#[test]
fn colour_only_when_asked_or_on_a_terminal_without_no_color() {
    let repo = noisy_repo();
    let escape = "\u{1b}[";
    assert!(!stdout(&repo.run(&[])).contains(escape), "a pipe is not a terminal");
    assert!(stdout(&repo.run(&["--color", "always"])).contains(escape));
    assert!(!stdout(&repo.run(&["--color", "never"])).contains(escape));
    let mut command = std::process::Command::new(support::binary());
    let with_no_color = command
        .args(["--color", "auto"])
        .current_dir(repo.path())
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(!stdout(&with_no_color).contains(escape));
}

#[test]
fn verbose_shows_the_lines_of_each_change() {
    let repo = noisy_repo();
    let quiet = stdout(&repo.run(&[]));
    let verbose = stdout(&repo.run(&["-v"]));
    assert!(!quiet.contains("+    \"\"\"Sum the items.\"\"\""));
    assert!(verbose.contains("+    \"\"\"Sum the items.\"\"\""), "{verbose}");
    assert!(verbose.contains("-    return len(items)"), "{verbose}");
}

#[test]
fn human_output_snapshot() {
    let repo = noisy_repo();
    insta::assert_snapshot!(stdout(&repo.run(&[])));
}

#[test]
fn json_output_snapshot() {
    let repo = noisy_repo();
    insta::assert_snapshot!(stdout(&repo.run(&["--format", "json"])));
}

#[test]
fn help_reads_as_a_manual() {
    let repo = noisy_repo();
    let help = stdout(&repo.run(&["--help"]));
    for needle in [
        "--worktree",
        "--max-noise",
        "--format",
        "--color",
        "Examples:",
        "Exit status",
    ] {
        assert!(help.contains(needle), "--help lacks {needle}");
    }
}
