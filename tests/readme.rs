//! The README's examples are real output: the same files, staged in a real
//! repository, give exactly what the README shows.

mod support;

use support::Repo;

const README: &str = include_str!("../README.md");
const BEFORE: &str = include_str!("../testdata/readme/views.before.py");
const AFTER: &str = include_str!("../testdata/readme/views.after.py");

fn staged_example() -> Repo {
    let repo = Repo::new();
    repo.write("views.py", BEFORE);
    repo.commit("base");
    repo.write("views.py", AFTER);
    repo.stage_all();
    repo
}

fn stdout(output: &std::process::Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("UTF-8 output")
}

/// Panics unless the README shows `command` followed by exactly `output`.
fn assert_shown(command: &str, output: &str) {
    let shown = format!("$ {command}\n{output}");
    assert!(README.contains(&shown), "README.md should show, verbatim:\n{shown}");
}

#[test]
fn the_opening_example_is_real_output() {
    let repo = staged_example();
    let output = repo.run(&[]);
    assert_eq!(output.status.code(), Some(1));
    assert_shown("git add views.py && diffscore", &stdout(&output));
}

#[test]
fn the_split_example_is_real_output() {
    let repo = staged_example();
    let output = repo.run(&["split"]);
    assert!(output.status.success());
    assert_shown("diffscore split", &stdout(&output));
    let staged = repo.git(&["diff", "--cached"]);
    let hunk = &staged[staged.find("@@").expect("a hunk")..];
    assert_shown("git diff --cached", hunk);
}
