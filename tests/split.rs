//! `diffscore split` on real repositories: the index gets the real change,
//! the working tree and the refs are never written, the replaced index comes
//! back byte for byte with `--undo`, a held lock or a changed index stops it,
//! entries it must not touch stay as they were, and `--print` writes a patch
//! that `git apply` takes.

mod support;

use std::path::Path;

use support::{Repo, file};

const BEFORE: &str = "\
from django.views.generic import ListView


class ReportView(ListView):
    paginate_by = 20

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        return ctx

    def get_queryset(self):
        qs = Report.objects.filter(published=True)
        return qs.order_by(\"-created\")
";

/// The fix (archived reports hidden) buried in noise: the method moved up,
/// a local renamed, a docstring added.
const AFTER: &str = "\
from django.views.generic import ListView


class ReportView(ListView):
    paginate_by = 20

    def get_queryset(self):
        \"\"\"Only published reports, newest first.\"\"\"
        queryset = Report.objects.filter(published=True, archived=False)
        return queryset.order_by(\"-created\")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        return ctx
";

/// The real change alone.
fn fixed() -> String {
    BEFORE.replace("published=True)", "published=True, archived=False)")
}

fn repo_with_noisy_fix_staged() -> Repo {
    let repo = Repo::new();
    repo.write("app/views.py", BEFORE);
    repo.commit("base");
    repo.write("app/views.py", AFTER);
    repo.stage_all();
    repo
}

fn read(repo: &Repo, path: &str) -> Vec<u8> {
    std::fs::read(repo.path().join(path)).unwrap()
}

fn split(repo: &Repo, args: &[&str]) -> std::process::Output {
    let mut all = vec!["split"];
    all.extend_from_slice(args);
    repo.run(&all)
}

fn stdout(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Everything git keeps about refs and the working tree, to compare before
/// and after.
fn refs_and_worktree(repo: &Repo) -> (String, Vec<u8>) {
    (repo.git(&["show-ref", "--head"]), read(repo, "app/views.py"))
}

#[test]
fn split_stages_the_real_change_and_leaves_the_noise_in_the_working_tree() {
    let repo = repo_with_noisy_fix_staged();
    let untouched = refs_and_worktree(&repo);
    let output = split(&repo, &[]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(
        stdout(&output).contains("app/views.py: staged the real change"),
        "{}",
        stdout(&output)
    );
    assert_eq!(repo.git(&["show", ":app/views.py"]), fixed());
    assert_eq!(
        refs_and_worktree(&repo),
        untouched,
        "the working tree and the refs are never written"
    );
    // What is staged is the real change only; what is left is only noise.
    let staged = repo.json(&[]);
    assert_eq!(file(&staged, "app/views.py")["noise_lines"], 0);
    let left = repo.json(&["--worktree"]);
    let left = file(&left, "app/views.py");
    assert_eq!(left["noise_lines"], left["changed_lines"], "{left}");
    repo.git(&["commit", "-q", "-m", "hide archived reports"]);
    assert_eq!(repo.git(&["show", "HEAD:app/views.py"]), fixed());
}

#[test]
fn undo_puts_back_the_replaced_index_byte_for_byte() {
    let repo = repo_with_noisy_fix_staged();
    let index = read(&repo, ".git/index");
    assert!(split(&repo, &[]).status.success());
    assert_ne!(read(&repo, ".git/index"), index);
    let undo = split(&repo, &["--undo"]);
    assert!(undo.status.success(), "{}", String::from_utf8_lossy(&undo.stderr));
    assert_eq!(read(&repo, ".git/index"), index);
    let again = split(&repo, &["--undo"]);
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("nothing to undo"));
}

#[test]
fn undo_refuses_when_the_index_changed_since_the_split() {
    let repo = repo_with_noisy_fix_staged();
    assert!(split(&repo, &[]).status.success());
    repo.write("notes.txt", "later\n").stage_all();
    let index = read(&repo, ".git/index");
    let undo = split(&repo, &["--undo"]);
    assert_eq!(undo.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&undo.stderr).contains("changed since the last split"));
    assert_eq!(read(&repo, ".git/index"), index);
}

#[test]
fn a_lock_held_by_another_git_process_stops_the_split_with_nothing_written() {
    let repo = repo_with_noisy_fix_staged();
    let index = read(&repo, ".git/index");
    repo.write(".git/index.lock", "held by another process");
    let output = split(&repo, &[]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("index.lock"),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(read(&repo, ".git/index"), index);
    assert_eq!(read(&repo, ".git/index.lock"), b"held by another process");
    assert!(!repo.path().join(".git/diffscore/split/index-after").exists());
}

#[test]
fn splitting_twice_changes_nothing_the_second_time() {
    let repo = repo_with_noisy_fix_staged();
    assert!(split(&repo, &[]).status.success());
    let index = read(&repo, ".git/index");
    let saved = read(&repo, ".git/diffscore/split/index-before");
    let second = split(&repo, &[]);
    assert!(second.status.success());
    assert!(stdout(&second).contains("nothing written"), "{}", stdout(&second));
    assert_eq!(read(&repo, ".git/index"), index);
    assert_eq!(read(&repo, ".git/diffscore/split/index-before"), saved);
}

#[test]
fn with_nothing_staged_split_says_so_and_writes_nothing() {
    let repo = Repo::new();
    repo.write("app/views.py", BEFORE);
    repo.commit("base");
    repo.write("app/views.py", AFTER);
    let index = read(&repo, ".git/index");
    let output = split(&repo, &[]);
    assert!(output.status.success());
    assert!(
        stdout(&output).contains("nothing to split: no staged changes"),
        "{}",
        stdout(&output)
    );
    assert_eq!(read(&repo, ".git/index"), index);
    assert!(!repo.path().join(".git/diffscore").exists());
}

#[test]
fn worktree_split_stages_the_real_part_of_the_unstaged_edits() {
    let repo = Repo::new();
    repo.write("app/views.py", BEFORE);
    repo.commit("base");
    repo.write("app/views.py", AFTER);
    let output = split(&repo, &["--worktree"]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(stdout(&output).contains("the noise stays unstaged"));
    assert_eq!(repo.git(&["show", ":app/views.py"]), fixed());
    assert_eq!(read(&repo, "app/views.py"), AFTER.as_bytes());
}

#[test]
fn only_the_labels_asked_for_are_separated() {
    let repo = repo_with_noisy_fix_staged();
    assert!(split(&repo, &["--only", "docstring"]).status.success());
    let staged = repo.git(&["show", ":app/views.py"]);
    assert_eq!(
        staged,
        AFTER.replace("        \"\"\"Only published reports, newest first.\"\"\"\n", "")
    );
}

#[test]
fn a_statement_both_rewrapped_and_edited_is_left_as_it_was_with_the_reason() {
    let repo = Repo::new();
    repo.write("fetch.py", "def fetch(url):\n    return requests.get(url, timeout=5)\n");
    repo.commit("base");
    let after =
        "def fetch(url):\n    return requests.get(\n        url,\n        timeout=5,\n        verify=False,\n    )\n";
    repo.write("fetch.py", after).stage_all();
    let index = read(&repo, ".git/index");
    let output = split(&repo, &[]);
    assert!(output.status.success());
    assert!(
        stdout(&output).contains("fetch.py: left as it was: "),
        "{}",
        stdout(&output)
    );
    assert_eq!(read(&repo, ".git/index"), index);
}

#[test]
fn entries_split_must_not_touch_stay_exactly_as_they_were() {
    let repo = Repo::new();
    repo.write("app/views.py", BEFORE);
    repo.write("logo.png", b"\x89PNG\r\n\x1a\n\x00old");
    repo.write("tool.sh", "echo 1\n");
    repo.commit("base");
    repo.write("app/views.py", AFTER);
    repo.write("logo.png", b"\x89PNG\r\n\x1a\n\x00new");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let script = repo.path().join("tool.sh");
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
        std::os::unix::fs::symlink("app/views.py", repo.path().join("link.py")).unwrap();
    }
    repo.write("draft.py", "x = 1\n");
    repo.stage_all();
    repo.git(&["rm", "-q", "--cached", "draft.py"]);
    repo.git(&["add", "-N", "draft.py"]);
    let entries = |repo: &Repo| repo.git(&["ls-files", "-s", "--", "logo.png", "tool.sh", "link.py", "draft.py"]);
    let before = entries(&repo);
    let output = split(&repo, &[]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(entries(&repo), before);
    assert_eq!(repo.git(&["show", ":app/views.py"]), fixed());
}

#[test]
fn printed_patches_apply_to_the_old_side_for_every_source() {
    let repo = Repo::new();
    repo.write("app/views.py", BEFORE);
    repo.write("app/old.py", "OLD = 1\n");
    let base = repo.commit("base");
    repo.git(&["checkout", "-q", "-b", "feature"]);
    repo.write("app/views.py", AFTER);
    repo.write("app/new.py", "\"\"\"New module.\"\"\"\nNEW = 2\n");
    repo.git(&["rm", "-q", "app/old.py"]);
    let feature = repo.commit("feature");
    let sources = [
        feature.clone(),
        format!("{base}..{feature}"),
        format!("main...{feature}"),
    ];
    for source in &sources {
        let output = split(&repo, &["--print", source]);
        assert!(
            output.status.success(),
            "{source}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let patch = stdout(&output);
        assert!(patch.contains("archived=False"), "{source}: {patch}");
        assert!(!patch.contains("queryset ="), "{source}: the rename is noise: {patch}");
        assert!(patch.contains("new file mode 100644"), "{source}: {patch}");
        apply_check(&repo, &base, &patch);
    }
    // Staged and --worktree sources too, and none of them changes anything.
    repo.git(&["checkout", "-q", "main"]);
    repo.write("app/views.py", AFTER);
    let index = read(&repo, ".git/index");
    let unstaged = stdout(&split(&repo, &["--print", "--worktree"]));
    apply_check(&repo, &base, &unstaged);
    repo.stage_all();
    let staged = stdout(&split(&repo, &["--print"]));
    assert_eq!(staged, unstaged);
    apply_check(&repo, &base, &staged);
    assert_ne!(read(&repo, ".git/index"), index, "staging changed it, not split");
    assert!(!repo.path().join(".git/diffscore").exists(), "--print writes nothing");
}

/// `git apply --check` of a patch on a checkout of `base`.
fn apply_check(repo: &Repo, base: &str, patch: &str) {
    let checkout = tempfile::tempdir().unwrap();
    let folder = checkout.path().join("base");
    repo.git(&["worktree", "add", "-q", "--detach", folder.to_str().unwrap(), base]);
    let mut child = repo
        .git_command(&["apply", "--check", "-"])
        .current_dir(&folder)
        .stdin(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child.stdin.take().unwrap().write_all(patch.as_bytes()).unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "{}\n{patch}",
        String::from_utf8_lossy(&output.stderr)
    );
    repo.git(&["worktree", "remove", "--force", folder.to_str().unwrap()]);
    assert!(!Path::new(&folder).exists());
}

#[test]
fn a_file_of_noise_alone_is_unstaged_and_said_so() {
    let repo = Repo::new();
    repo.write("app/views.py", BEFORE);
    repo.commit("base");
    repo.write("app/views.py", AFTER.replace(", archived=False)", ")"));
    repo.stage_all();
    let output = split(&repo, &[]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(
        stdout(&output).contains("app/views.py: no real change to stage; the noise stays in the working tree: "),
        "{}",
        stdout(&output)
    );
    assert_eq!(repo.git(&["show", ":app/views.py"]), BEFORE);
    assert_eq!(repo.git(&["diff", "--cached", "--name-only"]), "");
}
