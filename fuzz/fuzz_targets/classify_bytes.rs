//! Two arbitrary byte strings as the old and new version of a Python file:
//! classification must not panic, and must cover every changed line once.
#![no_main]

use diffscore::classify::{Language, classify};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let split = data.iter().position(|&b| b == 0xff).unwrap_or(data.len() / 2);
    let (old, new) = data.split_at(split);
    let new = new.get(1..).unwrap_or_default();
    for language in [Language::Python, Language::Text] {
        let analysis = classify(old, new, language);
        let covered: usize = analysis.changes.iter().map(|c| c.line_count()).sum();
        assert_eq!(covered, analysis.changed_lines());
    }
});
