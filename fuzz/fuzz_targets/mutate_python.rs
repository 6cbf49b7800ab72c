//! Structure-aware: real Python (the seed modules in testdata/stdlib) edited
//! the way people and assistants edit code, line by line: lines deleted,
//! duplicated, swapped, re-indented, identifiers renamed, comments and
//! docstrings inserted, brackets broken. Classification must not panic and
//! must cover every changed line exactly once.
#![no_main]

use diffscore::classify::{Language, classify};
use libfuzzer_sys::fuzz_target;

const SEEDS: [&str; 4] = [
    include_str!("../../testdata/stdlib/textwrap.py"),
    include_str!("../../testdata/stdlib/shlex.py"),
    include_str!("../../testdata/stdlib/fnmatch.py"),
    include_str!("../../testdata/stdlib/heapq.py"),
];

const INSERTS: [&str; 8] = [
    "    # a comment",
    "    \"\"\"A docstring.\"\"\"",
    "",
    "def moved(x):",
    "        return (",
    "    )",
    "x: int = 1",
    "\tpass",
];

fuzz_target!(|data: &[u8]| {
    let Some((&seed, ops)) = data.split_first() else { return };
    let old = SEEDS[seed as usize % SEEDS.len()];
    let mut lines: Vec<String> = old.lines().map(str::to_owned).collect();
    for op in ops.chunks(3) {
        let [kind, a, b] = [op[0], *op.get(1).unwrap_or(&0), *op.get(2).unwrap_or(&0)];
        if lines.is_empty() {
            break;
        }
        let i = (a as usize * 7 + b as usize * 131) % lines.len();
        let j = (b as usize * 13 + a as usize) % lines.len();
        match kind % 8 {
            0 => {
                lines.remove(i);
            }
            1 => lines.insert(i, lines[j].clone()),
            2 => lines.swap(i, j),
            3 => lines[i] = format!("    {}", lines[i]),
            4 => lines[i] = lines[i].trim_start_matches(' ').to_owned(),
            5 => {
                let renamed = lines[i].replace("self", "this").replace("text", "body");
                lines[i] = renamed;
            }
            6 => lines.insert(i, INSERTS[b as usize % INSERTS.len()].to_owned()),
            _ => lines[i].push_str(if a % 2 == 0 { "  # note" } else { "," }),
        }
    }
    let new = lines.join("\n") + "\n";
    let analysis = classify(old.as_bytes(), new.as_bytes(), Language::Python);
    let covered: usize = analysis.changes.iter().map(|c| c.line_count()).sum();
    assert_eq!(covered, analysis.changed_lines());
});
