//! Bad and unusual input, each on a real repository: a clear message or a
//! flagged file, a sensible exit code, never a panic, and not one byte of the
//! repository (index, working tree, `.git`) changed.

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::Value;
use support::{Repo, diffscore, file, labels_of};

/// Every file under `root` (`.git` included) with its bytes; links as their target.
fn snapshot(root: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut pending = vec![root.to_path_buf()];
    while let Some(folder) = pending.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            let meta = std::fs::symlink_metadata(&path).unwrap();
            if meta.is_dir() {
                pending.push(path);
            } else if meta.file_type().is_symlink() {
                files.insert(
                    path.clone(),
                    std::fs::read_link(&path).unwrap().into_os_string().into_encoded_bytes(),
                );
            } else {
                files.insert(path.clone(), std::fs::read(&path).unwrap());
            }
        }
    }
    files
}

/// Runs diffscore in `folder` and checks it changed nothing under `root`
/// and did not panic.
fn run_untouched(root: &Path, folder: &Path, args: &[&str]) -> Output {
    let before = snapshot(root);
    let output = diffscore(folder, args);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "{args:?} panicked: {stderr}");
    assert!(
        matches!(output.status.code(), Some(0..=2)),
        "{args:?}: {:?} {stderr}",
        output.status
    );
    assert!(snapshot(root) == before, "{args:?} changed the repository");
    output
}

fn json_untouched(repo: &Repo, args: &[&str]) -> Value {
    let mut all = vec!["--format", "json", "--max-noise", "100"];
    all.extend_from_slice(args);
    let output = run_untouched(repo.path(), repo.path(), &all);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("one JSON object")
}

fn error_line(output: &Output) -> String {
    let message = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(output.status.code(), Some(2), "{message}");
    assert_eq!(message.lines().count(), 1, "one line: {message}");
    message
}

fn committed(files: &[(&str, &[u8])]) -> Repo {
    let repo = Repo::new();
    for (path, content) in files {
        repo.write(path, content);
    }
    repo.commit("base");
    repo
}

#[test]
fn not_a_repository() {
    let folder = tempfile::tempdir().unwrap();
    let output = run_untouched(folder.path(), folder.path(), &[]);
    assert!(error_line(&output).contains("not a git repository"));
}

#[test]
fn bare_repository() {
    let source = committed(&[("a.py", b"x = 1\n")]);
    let bare = tempfile::tempdir().unwrap();
    let target = bare.path().join("bare.git");
    source.git(&[
        "clone",
        "-q",
        "--bare",
        source.path().to_str().unwrap(),
        target.to_str().unwrap(),
    ]);
    let staged = run_untouched(bare.path(), &target, &[]);
    assert!(error_line(&staged).contains("bare"));
    let commit = run_untouched(bare.path(), &target, &["--format", "json", "HEAD"]);
    assert_eq!(commit.status.code(), Some(0), "a revision works in a bare repository");
}

#[test]
fn unborn_head_and_empty_diff() {
    let repo = Repo::new();
    let empty = json_untouched(&repo, &[]);
    assert_eq!(empty["summary"]["changed_lines"], 0);
    assert_eq!(empty["summary"]["score"], 0);
    repo.write("a.py", "x = 1\n").stage_all();
    assert_eq!(json_untouched(&repo, &[])["summary"]["changed_lines"], 1);
}

#[test]
fn binary_and_gitattributes_binary() {
    let repo = committed(&[(".gitattributes", b"*.dat binary\n"), ("a.dat", b"one\n")]);
    repo.write("a.dat", "two\n");
    repo.write("img.png", b"\x89PNG\x00\x01");
    repo.stage_all();
    let report = json_untouched(&repo, &[]);
    for path in ["a.dat", "img.png"] {
        assert_eq!(file(&report, path)["binary"], true, "{path}");
        assert_eq!(file(&report, path)["changed_lines"], 0);
    }
}

#[test]
fn non_utf8_is_flagged_and_counted_by_lines() {
    let repo = committed(&[("latin.py", b"s = '\xe9'\n")]);
    repo.write("latin.py", b"s = '\xe8'\n").stage_all();
    let report = json_untouched(&repo, &[]);
    assert!(file(&report, "latin.py")["note"].as_str().unwrap().contains("UTF-8"));
    assert_eq!(file(&report, "latin.py")["changed_lines"], 2);
}

#[test]
fn utf8_with_a_byte_order_mark() {
    let repo = committed(&[("bom.py", "\u{feff}def f():\n    return 1\n".as_bytes())]);
    repo.write("bom.py", "\u{feff}def f():\n    \"\"\"One.\"\"\"\n    return 1\n")
        .stage_all();
    let report = json_untouched(&repo, &[]);
    assert_eq!(file(&report, "bom.py")["parsed"], true);
    assert_eq!(labels_of(&report, "bom.py"), ["docstring"]);
}

#[test]
fn crlf_and_mixed_line_endings() {
    let repo = committed(&[("crlf.py", b"x = 1\r\ny = 2\r\n"), ("mixed.py", b"a = 1\r\nb = 2\n")]);
    repo.write("crlf.py", "x = 1\ny = 2\n");
    repo.write("mixed.py", "a = 1\r\nb = 3\n").stage_all();
    let report = json_untouched(&repo, &[]);
    assert_eq!(labels_of(&report, "crlf.py"), ["formatting"], "line endings are layout");
    assert_eq!(labels_of(&report, "mixed.py"), ["substantive"]);
    assert_eq!(support::covered_lines(&report), repo.numstat(&["--cached"]));
}

#[test]
fn tabs_to_spaces() {
    let repo = committed(&[("tabs.py", b"def f():\n\tif x:\n\t\treturn 1\n")]);
    repo.write("tabs.py", "def f():\n    if x:\n        return 1\n")
        .stage_all();
    assert_eq!(labels_of(&json_untouched(&repo, &[]), "tabs.py"), ["formatting"]);
}

#[test]
fn invalid_python_is_flagged_and_python_2_is_read() {
    let repo = committed(&[
        ("bad.py", b"def f(:\n    pass\n"),
        ("py2.py", b"print 'hello'\nexec code\n"),
    ]);
    repo.write("bad.py", "def f(:\n    pass\n    return 2\n");
    repo.write("py2.py", "print 'hello world'\nexec code\n").stage_all();
    let report = json_untouched(&repo, &[]);
    assert_eq!(file(&report, "bad.py")["parse_errors"], true);
    assert_eq!(labels_of(&report, "bad.py"), ["substantive"]);
    // The grammar reads Python 2 (print and exec statements, `except E, e`,
    // backticks, 0777L), so such files are classified like any code.
    assert_eq!(labels_of(&report, "py2.py"), ["substantive"]);
    let py2 = committed(&[("old.py", b"try:\n    f()\nexcept Error, e:\n    x = `e`\n")]);
    py2.write("old.py", "try:\n    f()\nexcept Error, e:\n    x = `e`  # repr\n")
        .stage_all();
    assert_eq!(labels_of(&json_untouched(&py2, &[]), "old.py"), ["comment"]);
}

#[test]
fn a_ten_megabyte_file_is_analysed_line_by_line() {
    let line = "VALUES = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20]\n";
    let big = line.repeat(10 * 1024 * 1024 / line.len());
    let repo = committed(&[("big.py", big.as_bytes())]);
    repo.write("big.py", big.replacen("VALUES", "NUMBERS", 1)).stage_all();
    let report = json_untouched(&repo, &[]);
    assert!(file(&report, "big.py")["note"].as_str().unwrap().contains("too large"));
    assert_eq!(file(&report, "big.py")["changed_lines"], 2);
}

#[test]
fn a_fifty_thousand_line_function() {
    let body: String = (0..50_000).map(|i| format!("    x{i} = {i}\n")).collect();
    let source = format!("def huge():\n{body}    return 0\n");
    let repo = committed(&[("huge.py", source.as_bytes())]);
    repo.write("huge.py", source.replacen("x25000 = 25000", "x25000 = 25001", 1))
        .stage_all();
    assert_eq!(labels_of(&json_untouched(&repo, &[]), "huge.py"), ["substantive"]);
}

#[test]
fn nesting_five_hundred_levels_deep() {
    let deep = |n: usize| format!("x = {}{n}{}\n", "[".repeat(500), "]".repeat(500));
    let mut blocks = String::new();
    for depth in 0..500 {
        blocks.push_str(&format!("{}if a{depth}:\n", " ".repeat(depth)));
    }
    blocks.push_str(&format!("{}pass\n", " ".repeat(500)));
    let repo = committed(&[("deep.py", (deep(1) + &blocks).as_bytes())]);
    repo.write("deep.py", deep(2) + &blocks.replace("pass", "return"))
        .stage_all();
    assert_eq!(
        labels_of(&json_untouched(&repo, &[]), "deep.py"),
        ["substantive", "substantive"]
    );
}

#[test]
fn a_one_megabyte_single_line() {
    let line = |v: &str| format!("DATA = '{}{v}'\n", "a".repeat(1024 * 1024));
    let repo = committed(&[("line.py", line("b").as_bytes())]);
    repo.write("line.py", line("c")).stage_all();
    assert_eq!(labels_of(&json_untouched(&repo, &[]), "line.py"), ["substantive"]);
}

#[test]
fn submodule_symlink_and_mode_only() {
    let repo = committed(&[("run.sh", b"echo hi\n")]);
    std::os::unix::fs::symlink("run.sh", repo.path().join("link")).unwrap();
    repo.git(&["update-index", "--chmod=+x", "run.sh"]);
    let head = repo.git(&["rev-parse", "HEAD"]);
    repo.git(&[
        "update-index",
        "--add",
        "--cacheinfo",
        &format!("160000,{},vendor", head.trim()),
    ]);
    repo.git(&["add", "link"]);
    let report = json_untouched(&repo, &[]);
    assert_eq!(file(&report, "vendor")["entry"], "submodule");
    assert_eq!(file(&report, "link")["entry"], "symlink");
    assert!(
        file(&report, "run.sh")["note"]
            .as_str()
            .unwrap()
            .contains("mode changed")
    );
}

#[test]
fn intent_to_add_entries() {
    let repo = committed(&[("a.py", b"x = 1\n")]);
    repo.write("new.py", "y = 2\n");
    repo.git(&["add", "-N", "new.py"]);
    json_untouched(&repo, &[]);
    let worktree = json_untouched(&repo, &["--worktree"]);
    assert_eq!(file(&worktree, "new.py")["changed_lines"], 1);
}

#[test]
fn an_unmerged_index() {
    let repo = committed(&[("a.py", b"x = 1\n")]);
    repo.git(&["checkout", "-q", "-b", "other"]);
    repo.write("a.py", "x = 2\n");
    repo.commit("other");
    repo.git(&["checkout", "-q", "main"]);
    repo.write("a.py", "x = 3\n");
    repo.commit("main");
    let merge = repo.git_command(&["merge", "-q", "other"]).output().unwrap();
    assert!(!merge.status.success(), "the merge conflicts");
    let report = json_untouched(&repo, &[]);
    assert!(file(&report, "a.py")["note"].as_str().unwrap().contains("unmerged"));
    json_untouched(&repo, &["--worktree"]);
}

#[test]
fn shallow_and_sparse_clones() {
    let source = committed(&[("a/x.py", b"x = 1\n"), ("b/y.py", b"y = 1\n")]);
    source.write("a/x.py", "x = 2\n");
    source.commit("second");
    let folder = tempfile::tempdir().unwrap();
    let shallow = folder.path().join("shallow");
    let url = format!("file://{}", source.path().display());
    source.git(&["clone", "-q", "--depth", "1", &url, shallow.to_str().unwrap()]);
    let output = run_untouched(folder.path(), &shallow, &["--format", "json", "HEAD"]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let sparse = folder.path().join("sparse");
    source.git(&["clone", "-q", source.path().to_str().unwrap(), sparse.to_str().unwrap()]);
    let sparse_git = |args: &[&str]| {
        let status = std::process::Command::new("git")
            .args(args)
            .current_dir(&sparse)
            .status()
            .unwrap();
        assert!(status.success());
    };
    sparse_git(&["sparse-checkout", "set", "a"]);
    let output = run_untouched(folder.path(), &sparse, &["--format", "json", "HEAD"]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn a_linked_worktree() {
    let repo = committed(&[("a.py", b"x = 1\n")]);
    let linked = repo.path().join("linked");
    repo.git(&["worktree", "add", "-q", linked.to_str().unwrap(), "-b", "side"]);
    std::fs::write(linked.join("a.py"), "x = 2\n").unwrap();
    let output = run_untouched(repo.path(), &linked, &["--format", "json", "--worktree"]);
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["summary"]["changed_lines"], 2);
}

#[test]
fn paths_with_spaces_and_non_ascii() {
    let repo = committed(&[("my folder/ré sumé.py", b"x = 1\n")]);
    repo.write("my folder/ré sumé.py", "x = 2\n").stage_all();
    let report = json_untouched(&repo, &["--", "my folder/ré sumé.py"]);
    assert_eq!(file(&report, "my folder/ré sumé.py")["changed_lines"], 2);
}

#[test]
fn an_unknown_revision() {
    let repo = committed(&[("a.py", b"x = 1\n")]);
    let output = run_untouched(repo.path(), repo.path(), &["v9.9.9"]);
    assert!(error_line(&output).contains("unknown revision `v9.9.9`"));
}

#[test]
fn a_corrupt_git_config() {
    let repo = committed(&[("a.py", b"x = 1\n")]);
    std::fs::write(repo.path().join(".git/config"), "[core\n\tbare = maybe\n").unwrap();
    let output = run_untouched(repo.path(), repo.path(), &[]);
    let message = error_line(&output);
    assert!(
        message.contains("cannot open the repository") && message.contains("config"),
        "{message}"
    );
}

#[test]
fn a_corrupt_diffscore_config() {
    let repo = committed(&[("a.py", b"x = 1\n")]);
    repo.write(".diffscore.toml", "max_noise = [\n");
    let output = run_untouched(repo.path(), repo.path(), &[]);
    assert!(error_line(&output).contains(".diffscore.toml"));
}

#[test]
fn a_file_deleted_from_the_working_tree() {
    let repo = committed(&[("a.py", b"x = 1\ny = 2\n")]);
    std::fs::remove_file(repo.path().join("a.py")).unwrap();
    let report = json_untouched(&repo, &["--worktree"]);
    assert_eq!(file(&report, "a.py")["status"], "deleted");
    assert_eq!(file(&report, "a.py")["changed_lines"], 2);
}

#[test]
fn a_closed_output_pipe_is_not_an_error() {
    let repo = committed(&[("a.py", b"x = 1\n")]);
    let source: String = (0..5000).map(|i| format!("v{i} = {i}\n")).collect();
    repo.write("a.py", source).stage_all();
    let mut child = std::process::Command::new(support::binary())
        .args(["--format", "json"])
        .current_dir(repo.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    assert!(!String::from_utf8_lossy(&output.stderr).contains("panicked"));
    assert!(matches!(output.status.code(), Some(0 | 1)), "{:?}", output.status);
}
