//! The labelled corpus and the agent-style patches: every changed line of
//! every case gets its expected label.

#[path = "support/corpus.rs"]
mod corpus;

#[test]
fn every_line_of_the_corpus_gets_its_expected_label() {
    let cases: Vec<corpus::Case> = corpus::corpus_dirs().iter().flat_map(|dir| corpus::load(dir)).collect();
    assert!(cases.len() >= 10, "the corpus is missing");
    let mut failures = Vec::new();
    for case in &cases {
        for outcome in corpus::evaluate(case) {
            if outcome.expected != outcome.actual {
                failures.push(format!(
                    "{} line {}: expected {:?}, got {:?}",
                    case.path.file_name().unwrap().to_string_lossy(),
                    outcome.line,
                    outcome.expected,
                    outcome.actual
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
