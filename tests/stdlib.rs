//! Real Python (files from CPython's standard library, in testdata/stdlib) with
//! real edits staged in a real repository: every changed line is covered once,
//! the counts match `git diff --numstat`, and each edit gets its label.

mod support;

use serde_json::Value;
use support::{Repo, covered_lines, file};

const FILES: [&str; 4] = ["textwrap.py", "shlex.py", "fnmatch.py", "heapq.py"];

fn stdlib(name: &str) -> String {
    std::fs::read_to_string(format!("{}/testdata/stdlib/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

/// Applies one edit that must match exactly once.
fn edit(text: &str, from: &str, to: &str) -> String {
    assert_eq!(text.matches(from).count(), 1, "edit anchor {from:?}");
    text.replacen(from, to, 1)
}

/// The label of the change that holds `line` on `side` ("old" or "new").
fn label_at(file: &Value, side: &str, line: u64) -> String {
    let change = file["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|change| {
            change[side].as_array().unwrap().iter().any(|range| {
                let (start, end) = (range[0].as_u64().unwrap(), range[1].as_u64().unwrap());
                (start..=end).contains(&line)
            })
        })
        .unwrap_or_else(|| panic!("no change holds {side} line {line} in {}", file["path"]));
    change["label"].as_str().unwrap().to_owned()
}

fn line_of(text: &str, needle: &str) -> u64 {
    text.lines()
        .position(|line| line.contains(needle))
        .expect("needle present") as u64
        + 1
}

#[test]
fn real_edits_on_standard_library_files() {
    let repo = Repo::new();
    for name in FILES {
        repo.write(name, stdlib(name));
    }
    repo.commit("standard library files");

    let textwrap = edit(
        &stdlib("textwrap.py"),
        "_whitespace = '\\t\\n\\x0b\\x0c\\r '",
        "_whitespace = \"\\t\\n\\x0b\\x0c\\r \"",
    );
    let textwrap = edit(
        &textwrap,
        "        self.width = width\n",
        "        self.width = width  # the wrap column\n",
    );
    let fnmatch = edit(
        &stdlib("fnmatch.py"),
        "Test whether FILENAME matches PATTERN, including case.",
        "Test whether FILENAME matches PATTERN, case-sensitively.",
    );
    let fnmatch = edit(
        &fnmatch,
        "    return result\n\ndef fnmatchcase",
        "        return result\n\ndef fnmatchcase",
    );
    let shlex = edit(
        &stdlib("shlex.py"),
        "        self.debug = 0\n",
        "        self.debug = 1\n",
    );
    let heapq = edit(
        &stdlib("heapq.py"),
        "    heap.append(item)\n    _siftdown(heap, 0, len(heap)-1)\n",
        "    heap.append(item)\n    _siftdown(\n        heap,\n        0,\n        len(heap) - 1,\n    )\n",
    );
    for (name, text) in [
        ("textwrap.py", &textwrap),
        ("fnmatch.py", &fnmatch),
        ("shlex.py", &shlex),
        ("heapq.py", &heapq),
    ] {
        repo.write(name, text);
    }
    repo.stage_all();

    let report = repo.json(&[]);
    assert_eq!(covered_lines(&report), repo.numstat(&["--cached"]));

    let textwrap_file = file(&report, "textwrap.py");
    assert_eq!(
        label_at(textwrap_file, "new", line_of(&textwrap, "_whitespace = ")),
        "formatting"
    );
    assert_eq!(
        label_at(textwrap_file, "new", line_of(&textwrap, "# the wrap column")),
        "comment"
    );

    let fnmatch_file = file(&report, "fnmatch.py");
    assert_eq!(
        label_at(fnmatch_file, "new", line_of(&fnmatch, "case-sensitively")),
        "docstring"
    );
    let indented_return = line_of(&fnmatch, "        return result");
    assert_eq!(
        label_at(fnmatch_file, "new", indented_return),
        "substantive",
        "a statement moved into a block"
    );

    assert_eq!(file(&report, "shlex.py")["by_label"]["substantive"], 2);
    let heapq_file = file(&report, "heapq.py");
    assert_eq!(heapq_file["noise_lines"], heapq_file["changed_lines"]);
    assert_eq!(heapq_file["by_label"]["formatting"], 6);
}
