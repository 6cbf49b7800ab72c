//! diffscore's changed lines are git's: on real release histories (files of
//! requests, click and attrs in testdata/history, where git's line diff
//! slides blank lines in ways other differs do not), every changed line
//! number and every count equals what `git diff` and `git diff --numstat` show.

mod support;

use std::path::Path;

use support::{Repo, covered_lines, git_changed_lines, reported_lines};

/// Each package's releases, oldest first, as folders of testdata/history.
const HISTORIES: [(&str, &[&str]); 3] = [
    ("requests", &["requests-2.26.0", "requests-2.27.1"]),
    ("click", &["click-8.0.4", "click-8.1.3"]),
    ("attrs", &["attrs-23.2.0", "attrs-24.2.0"]),
];

fn copy_release(repo: &Repo, package: &str, release: &Path) {
    let _ = std::fs::remove_dir_all(repo.path().join(package));
    let mut pending = vec![release.to_owned()];
    while let Some(folder) = pending.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else {
                let relative = path.strip_prefix(release).unwrap().to_string_lossy().into_owned();
                repo.write(&format!("{package}/{relative}"), std::fs::read(&path).unwrap());
            }
        }
    }
}

#[test]
fn changed_lines_are_the_ones_git_diff_shows() {
    let history = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/history");
    let repo = Repo::new();
    repo.commit("empty");
    for (package, releases) in HISTORIES {
        for release in releases {
            copy_release(&repo, package, &history.join(release));
            let commit = repo.commit(release);
            let report = repo.json(&[&commit]);
            let parent = format!("{commit}^");
            assert_eq!(
                reported_lines(&report),
                git_changed_lines(&repo, &[&parent, &commit]),
                "{release}"
            );
            assert_eq!(covered_lines(&report), repo.numstat(&[&parent, &commit]), "{release}");
        }
    }
}
