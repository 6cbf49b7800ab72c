//! `--format markdown`: the pull-request comment, on real repositories:
//! what it shows, what it escapes, and how it stays under GitHub's limit.

mod support;

use support::Repo;

/// GitHub refuses comments over 65,536 characters; diffscore stays under this.
const LIMIT: usize = 60_000;

fn markdown(repo: &Repo, args: &[&str]) -> String {
    let mut all = vec!["--format", "markdown"];
    all.extend_from_slice(args);
    let output = repo.run(&all);
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// The `|` that separate the cells of a table row (not the escaped ones).
fn cell_separators(row: &str) -> usize {
    let bytes = row.as_bytes();
    (0..bytes.len())
        .filter(|&i| bytes[i] == b'|' && (i == 0 || bytes[i - 1] != b'\\'))
        .count()
}

fn table_rows(comment: &str) -> Vec<&str> {
    comment.lines().filter(|line| line.starts_with("| ")).collect()
}

#[test]
fn a_pull_request_comment() {
    let repo = Repo::new();
    repo.write(
        "app/views.py",
        "class ReportView:\n    def get(self):\n        return self.render()\n\n    def get_queryset(self):\n        qs = Report.objects.all()\n        return qs\n",
    );
    repo.write("app/calc.py", "def total(items):\n    return sum(items)\n");
    repo.write("logo.png", b"\x89PNG\x00\x01");
    repo.commit("base");
    repo.write(
        "app/views.py",
        "class ReportView:\n    def get_queryset(self):\n        \"\"\"Reports not archived.\"\"\"\n        queryset = Report.objects.filter(archived=False)\n        return queryset\n\n    def get(self):\n        return self.render()\n",
    );
    repo.write("app/calc.py", "def total(items):\n    return sum(items)  # builtin\n");
    repo.write("logo.png", b"\x89PNG\x00\x02");
    repo.write(
        "tests/test_calc.py",
        "from app.calc import total\n\n\ndef test_total():\n    assert total([1]) == 1\n",
    );
    repo.stage_all();
    let comment = markdown(&repo, &[]);
    assert!(comment.starts_with("<!-- diffscore -->\n"), "{comment}");
    insta::assert_snapshot!(comment);
}

#[test]
fn a_passing_diff_says_so_and_has_no_noise_section() {
    let repo = Repo::new();
    repo.write("calc.py", "def total(items):\n    return sum(items)\n");
    repo.commit("base");
    repo.write("calc.py", "def total(items):\n    return sum(items) * 2\n");
    repo.stage_all();
    let output = repo.run(&["--format", "markdown"]);
    assert_eq!(output.status.code(), Some(0));
    let comment = String::from_utf8(output.stdout).unwrap();
    assert!(comment.contains("### diffscore: PASS · score 0"), "{comment}");
    assert!(
        comment.contains("- **PASS**: score 0 is within max_noise 50"),
        "{comment}"
    );
    assert!(
        comment.contains("No noise: every changed line is substantive."),
        "{comment}"
    );
    assert!(!comment.contains("<details>"), "{comment}");
}

#[test]
fn nothing_staged_is_a_short_comment() {
    let repo = Repo::new();
    repo.write("calc.py", "x = 1\n");
    repo.commit("base");
    insta::assert_snapshot!(markdown(&repo, &[]), @r"
    <!-- diffscore -->
    ### diffscore: PASS · score 0

    - **PASS**: score 0 is within max_noise 50

    0 of 0 lines changed are noise, in 0 files (`HEAD` → `index`).
    ");
}

#[test]
fn paths_and_code_cannot_break_the_comment() {
    let repo = Repo::new();
    let body = "def f(a):\n    x = a\n    return x\n";
    for path in [
        "a|b.py",
        "we`ird.py",
        "<img src=x onerror=alert(1)>.py",
        "@octocat #1.py",
    ] {
        repo.write(path, body);
    }
    repo.write("doc.py", "def g():\n    return 1\n");
    repo.commit("base");
    for path in [
        "a|b.py",
        "we`ird.py",
        "<img src=x onerror=alert(1)>.py",
        "@octocat #1.py",
    ] {
        repo.write(path, "def f(a):\n    y = a\n    return y\n");
    }
    repo.write(
        "doc.py",
        "def g():\n    \"\"\"Run `g` like this:\n\n    ```\n    g()\n    ```\n    </details> <script>alert(1)</script> | \x1b[31m\n    \"\"\"\n    return 1\n",
    );
    repo.stage_all();
    let comment = markdown(&repo, &["--scope", "doc.py"]);

    // Every row of the table keeps its six cell separators.
    let rows = table_rows(&comment);
    assert_eq!(rows.len(), 2 + 5, "{comment}");
    for row in rows {
        assert_eq!(cell_separators(row), 6, "{row}");
    }
    // No HTML from the repository outside code: summaries are escaped, the
    // lines are in a fence longer than any run of backticks they hold.
    let html_outside_code = comment
        .match_indices("<img")
        .any(|(at, _)| !comment[..at].ends_with('`'));
    assert!(!html_outside_code, "{comment}");
    assert!(
        comment.contains("<code>&lt;img src=x onerror=alert(1)&gt;.py</code>"),
        "{comment}"
    );
    assert!(comment.contains("````diff\n"), "{comment}");
    let outside_fences: String = comment.split("````").step_by(2).collect();
    assert!(!outside_fences.contains("<script>"), "{comment}");
    assert!(!comment.contains('\x1b'), "control characters are replaced");
    // Paths in the gate's reasons are code, so no mention or issue link.
    assert!(
        comment.contains("changed outside the scope: `@octocat #1.py`"),
        "{comment}"
    );
    insta::assert_snapshot!(comment);
}

#[test]
fn a_huge_diff_is_cut_to_fit_and_says_what_was_left_out() {
    let repo = Repo::new();
    let function = |i: usize| {
        format!(
            "def work_{i}(items):\n    total = 0\n    for item in items:\n        total += item\n    return total\n"
        )
    };
    let files = 250;
    let path = |i: usize| format!("src/package/subpackage/module_{i:03}.py");
    for i in 0..files {
        repo.write(&path(i), (0..3).map(function).collect::<String>());
    }
    repo.write("a_long.py", "def f():\n    return 1\n");
    repo.commit("base");
    for i in 0..files {
        // A comment, a docstring and a renamed local in each function.
        let noisy = (0..3)
            .map(|i| {
                function(i)
                    .replace("(items):\n", "(items):\n    \"\"\"Add the items up.\"\"\"\n")
                    .replace("    return", "    # done\n    return")
                    .replace("total", "acc")
            })
            .collect::<String>();
        repo.write(&path(i), noisy);
    }
    // A long docstring, with a line longer than a comment should show.
    let docstring: String = (0..100).map(|i| format!("    line {i}\n")).collect();
    repo.write(
        "a_long.py",
        format!(
            "def f():\n    \"\"\"{}\n{docstring}    \"\"\"\n    return 1\n",
            "x".repeat(1000)
        ),
    );
    repo.stage_all();
    let comment = markdown(&repo, &[]);
    assert!(comment.len() <= LIMIT, "{} bytes", comment.len());
    assert!(comment.contains("| `a_long.py` |"), "the first files are in the table");
    assert!(
        !comment.contains(&format!("| `{}` |", path(files - 1))),
        "the table is cut before the last file"
    );
    let last_line = comment.lines().last().unwrap();
    assert!(last_line.contains("more noise changes in"), "{last_line}");
    // The long docstring: 40 lines shown, the rest counted, the long line clipped.
    assert!(comment.contains("*62 more lines not shown.*"), "{comment}");
    assert!(
        comment.contains(&format!("{}…\n", "x".repeat(233))),
        "the long line is clipped"
    );

    // The parts that say what was left out, with what surrounds them.
    let lines: Vec<&str> = comment.lines().collect();
    let table_note = lines.iter().position(|l| l.contains("more files not shown (")).unwrap();
    let excerpt = [
        lines[..8].join("\n"),
        lines[table_note - 2..=table_note + 2].join("\n"),
        lines[lines.len() - 10..].join("\n"),
    ]
    .join("\n[…]\n");
    insta::assert_snapshot!(excerpt);
}
