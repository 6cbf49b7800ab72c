//! Every git source of the SPEC, on real repositories, checked against git itself.

mod support;

use support::{Repo, covered_lines, file, labels_of};

const BASE: &str =
    "def total(items):\n    result = 0\n    for item in items:\n        result += item\n    return result\n";

fn repo_with_base() -> Repo {
    let repo = Repo::new();
    repo.write("app/calc.py", BASE);
    repo.write("README.txt", "hello\n");
    repo.commit("base");
    repo
}

#[test]
fn staged_in_a_repository_with_no_commit_compares_with_the_empty_tree() {
    let repo = Repo::new();
    repo.write("new.py", "x = 1\ny = 2\n").stage_all();
    let report = repo.json(&[]);
    assert_eq!(report["source"]["kind"], "staged");
    assert_eq!(report["source"]["old"], "empty");
    assert_eq!(file(&report, "new.py")["status"], "added");
    assert_eq!(report["summary"]["changed_lines"], 2);
}

#[test]
fn staged_ignores_unstaged_edits() {
    let repo = repo_with_base();
    repo.write("app/calc.py", BASE.replace("result = 0", "result = 1"))
        .stage_all();
    repo.write("README.txt", "unstaged\n");
    let report = repo.json(&[]);
    assert_eq!(report["summary"]["files"], 1);
    assert_eq!(labels_of(&report, "app/calc.py"), ["substantive"]);
    assert_eq!(covered_lines(&report), repo.numstat(&["--cached"]));
}

#[test]
fn worktree_compares_the_index_with_the_working_tree() {
    let repo = repo_with_base();
    repo.write("app/calc.py", BASE.replace("result = 0", "result = 1"))
        .stage_all();
    repo.write("README.txt", "hello  \n");
    let report = repo.json(&["--worktree"]);
    assert_eq!(report["source"]["kind"], "worktree");
    assert_eq!(report["summary"]["files"], 1);
    assert_eq!(labels_of(&report, "README.txt"), ["formatting"]);
    assert_eq!(covered_lines(&report), repo.numstat(&[]));
}

#[test]
fn a_revision_compares_with_its_first_parent_and_a_root_with_nothing() {
    let repo = repo_with_base();
    repo.write(
        "app/calc.py",
        BASE.replace(
            "def total(items):\n",
            "def total(items):\n    \"\"\"Sum the items.\"\"\"\n",
        ),
    );
    repo.commit("docstring");
    let report = repo.json(&["HEAD"]);
    assert_eq!(report["source"]["kind"], "commit");
    assert_eq!(labels_of(&report, "app/calc.py"), ["docstring"]);
    assert_eq!(covered_lines(&report), repo.numstat(&["HEAD^", "HEAD"]));

    let root = repo.json(&["HEAD~1"]);
    assert_eq!(root["source"]["old"], "empty");
    assert_eq!(root["summary"]["files"], 2);
}

#[test]
fn ranges_and_merge_base_ranges_read_like_git() {
    let repo = repo_with_base();
    repo.git(&["checkout", "-q", "-b", "feature"]);
    repo.write(
        "app/calc.py",
        BASE.replace("    return result\n", "    # done\n    return result\n"),
    );
    repo.commit("comment");
    repo.git(&["checkout", "-q", "main"]);
    repo.write("README.txt", "hello world\n");
    repo.commit("main moves on");

    let two_dots = repo.json(&["main..feature"]);
    assert_eq!(
        two_dots["summary"]["files"], 2,
        "A..B includes main's own change, reversed"
    );
    assert_eq!(covered_lines(&two_dots), repo.numstat(&["main..feature"]));

    let three_dots = repo.json(&["main...feature"]);
    assert_eq!(three_dots["source"]["kind"], "range");
    assert_eq!(
        three_dots["summary"]["files"], 1,
        "A...B shows only the branch's change"
    );
    assert_eq!(labels_of(&three_dots, "app/calc.py"), ["comment"]);
    assert_eq!(covered_lines(&three_dots), repo.numstat(&["main...feature"]));
}

#[test]
fn pathspecs_limit_the_files_and_are_relative_to_the_current_folder() {
    let repo = repo_with_base();
    repo.write("app/calc.py", "x = 1\n");
    repo.write("README.txt", "bye\n");
    repo.stage_all();
    let report = repo.json(&["--", "README.txt"]);
    assert_eq!(report["summary"]["files"], 1);
    file(&report, "README.txt");

    let output = repo.run_in(&repo.path().join("app"), &["--format", "json", "--", "calc.py"]);
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["summary"]["files"], 1);
    file(&report, "app/calc.py");

    let from_subfolder = repo.run_in(&repo.path().join("app"), &["--format", "json"]);
    let report: serde_json::Value = serde_json::from_slice(&from_subfolder.stdout).unwrap();
    assert_eq!(report["summary"]["files"], 2, "without paths, the whole repository");
}

#[test]
fn a_folder_pathspec_takes_in_its_files_and_wildcards_still_match() {
    let repo = repo_with_base();
    repo.write("app/calc.py", "x = 1\n");
    repo.write("apps.txt", "a file whose name starts like the folder\n");
    repo.write("README.txt", "bye\n");
    repo.stage_all();
    let paths = |args: &[&str]| -> Vec<String> {
        let report = repo.json(args);
        let files = report["files"].as_array().unwrap();
        files.iter().map(|f| f["path"].as_str().unwrap().to_owned()).collect()
    };
    assert_eq!(paths(&["--", "app"]), ["app/calc.py"]);
    assert_eq!(paths(&["--", "app/"]), ["app/calc.py"]);
    assert_eq!(paths(&["--", "*.txt"]), ["README.txt", "apps.txt"]);
    assert_eq!(paths(&["--", "app", "README.txt"]), ["README.txt", "app/calc.py"]);
}

#[test]
fn added_deleted_and_renamed_files() {
    let repo = repo_with_base();
    repo.git(&["mv", "app/calc.py", "app/compute.py"]);
    repo.git(&["rm", "-q", "README.txt"]);
    repo.write("NEW.txt", "one\ntwo\n").stage_all();
    let report = repo.json(&[]);
    let renamed = file(&report, "app/compute.py");
    assert_eq!(renamed["status"], "renamed");
    assert_eq!(renamed["old_path"], "app/calc.py");
    assert_eq!(renamed["changed_lines"], 0);
    assert_eq!(file(&report, "README.txt")["status"], "deleted");
    assert_eq!(file(&report, "NEW.txt")["status"], "added");
    assert_eq!(covered_lines(&report), repo.numstat(&["--cached"]));
}

#[test]
fn added_and_deleted_files_are_new_and_removed_code_whole() {
    let repo = repo_with_base();
    repo.write(
        "old_script.py",
        "# helper\n\n\ndef run():\n    \"\"\"Run it.\"\"\"\n    return 1\n",
    );
    repo.commit("a script");
    repo.git(&["rm", "-q", "old_script.py"]);
    repo.write("pkg/__init__.py", "");
    repo.write(
        "pkg/notes.py",
        "\"\"\"Notes.\"\"\"\n# a comment\n\nNOTE = (\n    1,\n)\n",
    );
    repo.stage_all();
    let report = repo.json(&[]);
    for (path, lines) in [("old_script.py", 6), ("pkg/notes.py", 6)] {
        let entry = file(&report, path);
        assert_eq!(entry["changed_lines"], lines, "{path}");
        assert_eq!(entry["noise_lines"], 0, "{path}");
        assert_eq!(labels_of(&report, path), ["substantive"], "{path}");
    }
    let empty = file(&report, "pkg/__init__.py");
    assert_eq!(empty["status"], "added");
    assert_eq!(empty["changed_lines"], 0);
    assert!(empty.get("note").is_none_or(|note| note.is_null()), "{empty}");
}

#[test]
fn binary_files_are_reported_and_never_compared() {
    let repo = repo_with_base();
    repo.write("logo.png", b"\x89PNG\r\n\x1a\n\x00\x00data");
    repo.write("data.txt", "plain\n");
    repo.write(".gitattributes", "data.txt binary\n");
    repo.stage_all();
    let report = repo.json(&[]);
    for path in ["logo.png", "data.txt"] {
        let binary = file(&report, path);
        assert_eq!(binary["binary"], true, "{path}");
        assert_eq!(binary["changed_lines"], 0);
        assert_eq!(binary["changes"].as_array().unwrap().len(), 0);
    }
}

#[test]
fn non_utf8_python_is_compared_line_by_line_and_flagged() {
    let repo = repo_with_base();
    repo.write("latin.py", b"name = '\xe9t\xe9'\n");
    repo.commit("latin-1 file");
    repo.write("latin.py", b"name = '\xe9t\xe9!'\n").stage_all();
    let report = repo.json(&[]);
    let latin = file(&report, "latin.py");
    assert_eq!(latin["parsed"], false);
    assert_eq!(latin["changed_lines"], 2);
    assert!(latin["note"].as_str().unwrap().contains("UTF-8"));
    assert_eq!(covered_lines(&report), repo.numstat(&["--cached"]));
}

#[test]
fn symlinks_submodules_and_mode_changes() {
    let repo = repo_with_base();
    std::os::unix::fs::symlink("app/calc.py", repo.path().join("link.py")).unwrap();
    repo.commit("link");
    std::fs::remove_file(repo.path().join("link.py")).unwrap();
    std::os::unix::fs::symlink("README.txt", repo.path().join("link.py")).unwrap();
    repo.git(&["update-index", "--chmod=+x", "app/calc.py"]);
    let head = repo.git(&["rev-parse", "HEAD"]);
    let gitlink = format!("160000,{},vendor/lib", head.trim());
    repo.git(&["update-index", "--add", "--cacheinfo", &gitlink]);
    repo.git(&["add", "link.py"]);

    let report = repo.json(&[]);
    let link = file(&report, "link.py");
    assert_eq!(link["entry"], "symlink");
    assert_eq!(link["language"], "text");
    assert_eq!(link["changed_lines"], 2);
    let submodule = file(&report, "vendor/lib");
    assert_eq!(submodule["entry"], "submodule");
    assert_eq!(submodule["changed_lines"], 1);
    let mode = file(&report, "app/calc.py");
    assert_eq!(mode["changed_lines"], 0);
    assert!(mode["note"].as_str().unwrap().contains("mode changed"));
    assert_eq!(covered_lines(&report), repo.numstat(&["--cached"]));
}

#[test]
fn scoring_never_writes_to_the_repository() {
    let repo = repo_with_base();
    repo.write("app/calc.py", BASE.replace("result", "acc")).stage_all();
    repo.write("README.txt", "unstaged\n");
    let index_before = std::fs::read(repo.path().join(".git/index")).unwrap();
    let status_before = repo.git(&["status", "--porcelain"]);
    for args in [&[][..], &["--worktree"], &["HEAD"]] {
        repo.json(args);
    }
    assert_eq!(std::fs::read(repo.path().join(".git/index")).unwrap(), index_before);
    assert_eq!(repo.git(&["status", "--porcelain"]), status_before);
}
