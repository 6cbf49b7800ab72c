//! `diffscore log`: a real history of real `git commit`s with fixed dates
//! (and a merge), listed and scored like `git log --no-merges`, each commit
//! exactly as `diffscore REV` scores it.

mod support;

use serde_json::Value;
use support::Repo;

const CALC: &str = "def total(items):\n    return sum(items)\n\n\ndef count(items):\n    return len(items)\n";
const VIEWS: &str = "def show(request):\n    data = load(request)\n    return render(data)\n";

/// main: add, document (noise), double the count (Alice), reformat the
/// README; feature: rename a local (Bob), merged with a merge commit; then
/// a fix of the views.
fn history() -> Repo {
    let repo = Repo::new();
    repo.write("calc.py", CALC);
    repo.write("app/views.py", VIEWS);
    repo.write("README.txt", "calc\n");
    repo.commit_at("Add calc and views", "2024-01-01 10:00:00 +0000", None);
    repo.write(
        "calc.py",
        CALC.replace(
            "(items):\n    return sum",
            "(items):\n    \"\"\"Sum the items.\"\"\"\n    return sum",
        )
        .replace("return len(items)", "return len(items)  # how many"),
    );
    repo.commit_at("Document total", "2024-01-10 12:00:00 +0100", None);
    repo.write(
        "calc.py",
        CALC.replace(
            "(items):\n    return sum",
            "(items):\n    \"\"\"Sum the items.\"\"\"\n    return sum",
        )
        .replace("return len(items)", "return 2 * len(items)  # how many"),
    );
    repo.commit_at(
        "Double the count",
        "2024-01-20 09:30:00 -0500",
        Some(("Alice Smith", "alice@example.com")),
    );
    repo.git(&["checkout", "-q", "-b", "feature"]);
    repo.write("app/views.py", VIEWS.replace("data", "context"));
    repo.commit_at(
        "Rename data in show",
        "2024-02-01 08:00:00 +0000",
        Some(("Bob Jones", "bob@example.com")),
    );
    repo.git(&["checkout", "-q", "main"]);
    repo.write("README.txt", "calc   \n");
    repo.commit_at("Reformat the README", "2024-02-05 08:00:00 +0000", None);
    let merged = repo
        .dated(
            &["merge", "-q", "--no-ff", "-m", "Merge branch feature", "feature"],
            "2024-02-10 08:00:00 +0000",
        )
        .output()
        .unwrap();
    assert!(merged.status.success(), "{}", String::from_utf8_lossy(&merged.stderr));
    repo.write(
        "app/views.py",
        VIEWS.replace("data", "context").replace("render(", "render_page("),
    );
    repo.commit_at("Fix the views", "2024-02-15 08:00:00 +0000", None);
    repo
}

fn stdout(output: &std::process::Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn log(repo: &Repo, args: &[&str]) -> String {
    let mut all = vec!["log", "--color", "never"];
    all.extend_from_slice(args);
    let output = repo.run(&all);
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "diffscore {all:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout(&output)
}

fn subjects(output: &str) -> Vec<String> {
    output
        .lines()
        .map(|line| line.rsplit("  ").next().unwrap().to_owned())
        .collect()
}

fn json_lines(repo: &Repo, args: &[&str]) -> Vec<Value> {
    let mut all = vec!["--format", "json"];
    all.extend_from_slice(args);
    log(repo, &all)
        .lines()
        .map(|line| serde_json::from_str(line).expect("one JSON object per line"))
        .collect()
}

#[test]
fn human_log_snapshot() {
    let repo = history();
    insta::assert_snapshot!(log(&repo, &[]));
}

#[test]
fn json_lines_snapshot() {
    let repo = history();
    insta::assert_snapshot!(log(&repo, &["--format", "json"]));
}

#[test]
fn the_commits_and_their_order_are_git_logs_without_merges() {
    let repo = history();
    let ours: Vec<String> = log(&repo, &[])
        .lines()
        .map(|l| l.split(' ').next().unwrap().to_owned())
        .collect();
    let gits: Vec<String> = repo
        .git(&["log", "--no-merges", "--format=%h"])
        .lines()
        .map(str::to_owned)
        .collect();
    assert_eq!(ours, gits);
    assert_eq!(ours.len(), 6, "the merge commit is skipped");
    assert!(!log(&repo, &[]).contains("Merge branch"));
}

#[test]
fn each_commit_is_scored_exactly_like_diffscore_rev() {
    let repo = history();
    for line in json_lines(&repo, &[]) {
        let commit = line["commit"].as_str().unwrap();
        assert_eq!(line["summary"], repo.json(&[commit])["summary"], "{commit}");
    }
}

#[test]
fn max_count_author_since_and_paths_filter_like_git() {
    let repo = history();
    assert_eq!(
        subjects(&log(&repo, &["-n", "2"])),
        ["Fix the views", "Reformat the README"]
    );
    assert_eq!(subjects(&log(&repo, &["--max-count", "1"])), ["Fix the views"]);
    assert_eq!(log(&repo, &["-n", "0"]), "");
    assert_eq!(subjects(&log(&repo, &["--author", "Alice"])), ["Double the count"]);
    assert_eq!(
        subjects(&log(&repo, &["--author", "@example\\.com>$", "-n", "5"])),
        [
            "Fix the views",
            "Reformat the README",
            "Rename data in show",
            "Double the count",
            "Document total"
        ]
    );
    assert_eq!(
        subjects(&log(&repo, &["--author", "^(Alice|Bob) "])),
        ["Rename data in show", "Double the count"]
    );
    assert_eq!(
        subjects(&log(&repo, &["--since", "2024-02-01"])),
        ["Fix the views", "Reformat the README", "Rename data in show"]
    );
    // The committer date counts, in its own offset: 2024-01-10 12:00 +0100 is 11:00 UTC.
    assert_eq!(subjects(&log(&repo, &["--since", "2024-01-10T11:00:00Z"])).len(), 5);
    assert_eq!(subjects(&log(&repo, &["--since", "2024-01-10T11:00:01Z"])).len(), 4);
    assert_eq!(log(&repo, &["--since", "3.days.ago"]), "", "nothing this recent");
    assert_eq!(
        subjects(&log(&repo, &["--", "app/"])),
        ["Fix the views", "Rename data in show", "Add calc and views"]
    );
    // A path filter also limits what each commit is scored on.
    let first = &json_lines(&repo, &["--", "app/views.py"])[2];
    assert_eq!(first["subject"], "Add calc and views");
    assert_eq!(first["summary"]["files"], 1);
    // Filters combine, and the count comes last.
    assert_eq!(
        subjects(&log(&repo, &["--since", "2024-01-15", "-n", "1", "--", "calc.py"])),
        ["Double the count"]
    );
}

#[test]
fn ranges_read_like_git() {
    let repo = history();
    assert_eq!(
        subjects(&log(&repo, &["main~2..feature"])),
        ["Rename data in show"],
        "A..B: reachable from feature, not from main~2"
    );
    assert_eq!(subjects(&log(&repo, &["feature"])).len(), 4);
    assert_eq!(
        subjects(&log(&repo, &["main~2...feature"])),
        ["Reformat the README", "Rename data in show"],
        "A...B: from either, not both"
    );
    assert_eq!(subjects(&log(&repo, &["HEAD~1.."])), ["Fix the views"]);
}

#[test]
fn a_bad_range_or_filter_is_one_line_and_exit_2() {
    let repo = history();
    for args in [
        &["log", "no-such-branch"][..],
        &["log", "main..no-such-branch"],
        &["log", "--since", "last tuesday"],
        &["log", "--author", "(unclosed"],
    ] {
        let output = repo.run(args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let message = String::from_utf8(output.stderr).unwrap();
        assert_eq!(message.lines().count(), 1, "{message}");
        assert!(message.starts_with("diffscore: error: "), "{message}");
        assert!(output.stdout.is_empty());
    }
    let message = String::from_utf8(repo.run(&["log", "no-such-branch"]).stderr).unwrap();
    assert!(message.contains("unknown revision `no-such-branch`"), "{message}");
    let empty = Repo::new();
    assert_eq!(empty.run(&["log"]).status.code(), Some(2), "no commit yet");
}

#[test]
fn the_exit_status_says_whether_every_commit_passed() {
    let repo = history();
    assert_eq!(repo.run(&["log", "--max-noise", "100"]).status.code(), Some(0));
    let failed = repo.run(&["log", "--max-noise", "10"]);
    assert_eq!(failed.status.code(), Some(1));
    assert_eq!(stdout(&failed).lines().count(), 6, "every commit is still listed");
}

#[test]
fn colour_like_the_rest_of_the_cli() {
    let repo = history();
    let yellow_id = "\u{1b}[33m";
    let run = |args: &[&str]| stdout(&repo.run(args));
    assert!(!run(&["log"]).contains('\u{1b}'), "a pipe is not a terminal");
    assert!(run(&["log", "--color", "always"]).contains(yellow_id));
    assert!(!run(&["log", "--color", "never"]).contains('\u{1b}'));
    let with_no_color = std::process::Command::new(support::binary())
        .args(["log", "--color", "auto"])
        .current_dir(repo.path())
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(!stdout(&with_no_color).contains('\u{1b}'));
    assert!(!run(&["log", "--format", "json", "--color", "always"]).contains('\u{1b}'));
}

#[test]
fn json_lines_carry_the_summary_of_schema_version_1() {
    let repo = history();
    let lines = json_lines(&repo, &[]);
    assert_eq!(lines.len(), 6);
    let first = &lines[0];
    assert_eq!(first["version"], 1);
    assert_eq!(first["subject"], "Fix the views");
    assert_eq!(first["date"], "2024-02-15T08:00:00+00:00");
    let alice = lines.iter().find(|l| l["author"] == "Alice Smith").unwrap();
    assert_eq!(alice["email"], "alice@example.com");
    assert_eq!(alice["date"], "2024-01-20T09:30:00-05:00", "the author's own offset");
    assert_eq!(
        alice["commit"].as_str().unwrap(),
        repo.git(&["rev-parse", "main~3"]).trim()
    );
}

#[test]
fn help_explains_the_log() {
    let repo = history();
    let help = stdout(&repo.run(&["log", "--help"]));
    for needle in [
        "--max-count",
        "--author",
        "--since",
        "--format",
        "--color",
        "RANGE",
        "Exit status",
    ] {
        assert!(help.contains(needle), "log --help lacks {needle}");
    }
    assert!(stdout(&repo.run(&["--help"])).contains("log"));
}
