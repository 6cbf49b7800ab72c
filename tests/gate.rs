//! Gating commits and feeding bots: the pre-commit hook with real `git
//! commit`s, configuration files, protected paths, scopes, and the SARIF and
//! GitHub formats.

mod support;

use std::process::Output;

use support::{Repo, file};

const BASE: &str =
    "def total(items):\n    result = 0\n    for item in items:\n        result += item\n    return result\n";
const FIXED: &str =
    "def total(items):\n    result = 0\n    for item in items:\n        result += item * 2\n    return result\n";
const NOISY: &str = "def total(items):\n    \"\"\"Sum the values.\"\"\"\n    acc = 0  # running sum\n    for value in items:\n        acc += value\n    return acc\n";

fn repo_with_base() -> Repo {
    let repo = Repo::new();
    repo.write("app/calc.py", BASE);
    repo.commit("base");
    repo
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn commit(repo: &Repo, extra: &[&str]) -> Output {
    let mut args = vec!["commit", "-m", "change"];
    args.extend_from_slice(extra);
    repo.git_command(&args)
        .env(
            "PATH",
            format!(
                "{}:{}",
                support::binary().parent().unwrap().display(),
                std::env::var("PATH").unwrap()
            ),
        )
        .output()
        .unwrap()
}

#[test]
fn the_hook_blocks_noisy_commits_and_lets_clean_ones_through() {
    let repo = repo_with_base();
    let installed = repo.run(&["hook", "install"]);
    assert_eq!(installed.status.code(), Some(0), "{}", text(&installed.stderr));
    assert!(text(&installed.stdout).contains("installed the pre-commit hook"));

    repo.write("app/calc.py", NOISY).stage_all();
    let refused = commit(&repo, &[]);
    assert!(!refused.status.success(), "a noisy commit must be refused");
    let shown = text(&refused.stdout) + &text(&refused.stderr);
    assert!(
        shown.contains("FAIL: score"),
        "the hook shows diffscore's report: {shown}"
    );
    assert_eq!(repo.git(&["rev-list", "--count", "HEAD"]).trim(), "1");

    let bypassed = commit(&repo, &["--no-verify"]);
    assert!(bypassed.status.success(), "{}", text(&bypassed.stderr));
    assert_eq!(repo.git(&["rev-list", "--count", "HEAD"]).trim(), "2");

    repo.write("app/calc.py", NOISY.replace("acc += value", "acc += value * 2"))
        .stage_all();
    let clean = commit(&repo, &[]);
    assert!(
        clean.status.success(),
        "a substantive commit goes through: {}",
        text(&clean.stdout)
    );
    assert_eq!(repo.git(&["rev-list", "--count", "HEAD"]).trim(), "3");
}

#[test]
fn installing_twice_changes_nothing_and_uninstall_removes_the_hook() {
    let repo = repo_with_base();
    repo.run(&["hook", "install"]);
    let hook = repo.path().join(".git/hooks/pre-commit");
    let first = std::fs::read(&hook).unwrap();
    let again = repo.run(&["hook", "install"]);
    assert!(text(&again.stdout).contains("already installed"));
    assert_eq!(std::fs::read(&hook).unwrap(), first);
    let removed = repo.run(&["hook", "uninstall"]);
    assert!(text(&removed.stdout).contains("removed"));
    assert!(!hook.exists());
    let nothing = repo.run(&["hook", "uninstall"]);
    assert_eq!(nothing.status.code(), Some(0));
    assert!(text(&nothing.stdout).contains("no diffscore pre-commit hook"));
}

#[test]
fn a_foreign_hook_is_kept_unless_forced() {
    let repo = repo_with_base();
    let hook = repo.path().join(".git/hooks/pre-commit");
    std::fs::write(&hook, "#!/bin/sh\nexec make lint\n").unwrap();
    let refused = repo.run(&["hook", "install"]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(text(&refused.stderr).contains("--force"), "{}", text(&refused.stderr));
    assert_eq!(std::fs::read_to_string(&hook).unwrap(), "#!/bin/sh\nexec make lint\n");
    assert_eq!(repo.run(&["hook", "uninstall"]).status.code(), Some(2));
    assert!(hook.exists());
    let forced = repo.run(&["hook", "install", "--force"]);
    assert!(text(&forced.stdout).contains("replaced"), "{}", text(&forced.stderr));
}

#[test]
fn the_hook_honours_core_hooks_path_and_linked_worktrees() {
    let repo = repo_with_base();
    repo.git(&["config", "core.hooksPath", "githooks"]);
    repo.run(&["hook", "install"]);
    assert!(repo.path().join("githooks/pre-commit").exists());
    repo.git(&["config", "--unset", "core.hooksPath"]);

    let linked = repo.path().join("linked");
    repo.git(&["worktree", "add", "-q", linked.to_str().unwrap(), "-b", "side"]);
    let output = repo.run_in(&linked, &["hook", "install"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert!(
        repo.path().join(".git/hooks/pre-commit").exists(),
        "linked worktrees share the common hooks folder"
    );
}

#[test]
fn configuration_sets_the_gate_and_flags_win() {
    let repo = repo_with_base();
    repo.write("app/calc.py", NOISY).stage_all();
    repo.write(".diffscore.toml", "max_noise = 100\n");
    assert_eq!(repo.run(&[]).status.code(), Some(0));
    assert_eq!(repo.run(&["--max-noise", "10"]).status.code(), Some(1), "the flag wins");
    std::fs::remove_file(repo.path().join(".diffscore.toml")).unwrap();
    repo.write(
        "pyproject.toml",
        "[project]\nname = \"calc\"\n\n[tool.diffscore]\nmax_noise = 100\n",
    );
    assert_eq!(repo.run(&[]).status.code(), Some(0));
    assert_eq!(repo.json(&[])["summary"]["max_noise"], 100);
}

#[test]
fn bad_configuration_is_exit_2_naming_the_key_and_the_file() {
    let repo = repo_with_base();
    for (content, needle) in [
        ("max_noise = 10\nmax_noyse = 3\n", "max_noyse"),
        ("max_noise = \"ten\"\n", "line 1"),
        ("protected = [\"[oops\"]\n", "protected"),
        ("noise = [\"renames\"]\n", "renames"),
    ] {
        repo.write(".diffscore.toml", content);
        let output = repo.run(&[]);
        assert_eq!(output.status.code(), Some(2), "{content}");
        let message = text(&output.stderr);
        assert_eq!(message.lines().count(), 1, "{message}");
        assert!(
            message.contains(".diffscore.toml") && message.contains(needle),
            "{message}"
        );
    }
}

#[test]
fn protected_paths_fail_whatever_the_score() {
    let repo = repo_with_base();
    repo.write("migrations/0001_initial.py", "x = 1\n");
    repo.commit("migration");
    repo.write(".diffscore.toml", "protected = [\"migrations/**\"]\n");
    repo.write("migrations/0001_initial.py", "x = 2\n").stage_all();
    let report = repo.json(&[]);
    assert_eq!(report["summary"]["score"], 0);
    assert_eq!(report["summary"]["pass"], false);
    assert_eq!(file(&report, "migrations/0001_initial.py")["protected"], true);
    let reasons = report["summary"]["reasons"].as_array().unwrap();
    assert!(reasons.iter().any(|r| {
        r.as_str()
            .unwrap()
            .contains("protected path changed: migrations/0001_initial.py")
    }));
    let human = text(&repo.run(&[]).stdout);
    assert!(
        human
            .trim_end()
            .ends_with("FAIL: protected path changed: migrations/0001_initial.py"),
        "{human}"
    );
}

#[test]
fn changes_outside_the_scope_fail() {
    let repo = repo_with_base();
    repo.write("app/calc.py", FIXED);
    repo.write("docs/notes.txt", "todo\n").stage_all();
    let report = repo.json(&["--scope", "app/**"]);
    assert_eq!(file(&report, "app/calc.py")["in_scope"], true);
    assert_eq!(file(&report, "docs/notes.txt")["in_scope"], false);
    assert_eq!(report["summary"]["pass"], false);
    assert!(
        report["summary"]["reasons"][0]
            .as_str()
            .unwrap()
            .contains("outside the scope: docs/notes.txt")
    );
    let both = repo.json(&["--scope", "app/**", "--scope", "docs/*"]);
    assert_eq!(both["summary"]["pass"], true);
}

#[test]
fn excluded_paths_are_not_scored_and_noise_labels_are_configurable() {
    let repo = repo_with_base();
    repo.write("app/calc.py", NOISY);
    repo.write("gen/schema.py", "X = 1\n").stage_all();
    repo.write(".diffscore.toml", "exclude = [\"gen/**\"]\nnoise = [\"rename\"]\n");
    let report = repo.json(&[]);
    assert_eq!(report["summary"]["files"], 1, "gen/schema.py is excluded");
    let by_label = &report["summary"]["by_label"];
    assert_eq!(
        report["summary"]["noise_lines"], by_label["rename"],
        "only renames count as noise"
    );
}

#[test]
fn sarif_output_has_one_result_per_noise_change_and_a_rule_per_label() {
    let repo = repo_with_base();
    repo.write("app/calc.py", NOISY).stage_all();
    let output = repo.run(&["--format", "sarif"]);
    let sarif: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    let run = &sarif["runs"][0];
    assert_eq!(run["tool"]["driver"]["rules"].as_array().unwrap().len(), 7);
    let json = repo.json(&[]);
    let noise_changes = file(&json, "app/calc.py")["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["label"] != "substantive")
        .count();
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), noise_changes);
    for result in results {
        assert_ne!(result["ruleId"], "substantive");
        let location = &result["locations"][0]["physicalLocation"];
        assert_eq!(location["artifactLocation"]["uri"], "app/calc.py");
        assert!(location["region"]["startLine"].as_u64().unwrap() >= 1);
    }
    assert_eq!(run["properties"]["score"], json["summary"]["score"]);
    validate_sarif(&output.stdout);
}

/// Validates with Microsoft's SARIF validator when it is installed (CI
/// installs it from npm and sets SARIF_MULTITOOL; see .ci/run).
fn validate_sarif(sarif: &[u8]) {
    let Some(multitool) = std::env::var_os("SARIF_MULTITOOL") else {
        assert!(std::env::var_os("CI").is_none(), "CI must set SARIF_MULTITOOL");
        eprintln!("SARIF_MULTITOOL not set: schema validation skipped");
        return;
    };
    let folder = tempfile::tempdir().unwrap();
    let path = folder.path().join("out.sarif");
    std::fs::write(&path, sarif).unwrap();
    let output = std::process::Command::new(multitool)
        .arg("validate")
        .arg(&path)
        .output()
        .unwrap();
    let log = text(&output.stdout) + &text(&output.stderr);
    assert!(output.status.success(), "{log}");
    assert!(!log.contains(": error"), "{log}");
    assert!(!log.contains(": warning"), "{log}");
}

#[test]
fn github_format_annotates_noise_and_ends_with_the_verdict() {
    let repo = repo_with_base();
    repo.write("app/calc.py", NOISY).stage_all();
    let output = text(&repo.run(&["--format", "github", "--max-noise", "10"]).stdout);
    let lines: Vec<&str> = output.lines().collect();
    assert!(lines.len() >= 2);
    for line in &lines[..lines.len() - 1] {
        assert!(line.starts_with("::notice file=app/calc.py,line="), "{line}");
        assert!(
            line.contains(",endLine=") && line.contains("title=diffscore%3A "),
            "{line}"
        );
    }
    assert!(
        lines.last().unwrap().starts_with("::error title=diffscore::score "),
        "{output}"
    );
}
